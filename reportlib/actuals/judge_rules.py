"""The judgement of accepted figures, as data: every rule with its outcome, the reason a reader
sees and what the reporting clerk should do; the thresholds and word lists the rules use.

A figure that passed the row checks (a readable number, a known KPI, a unit that converts) is
judged against what the quantity IS (:mod:`reportlib.actuals.judge`):

* a count of discrete things is a whole, non-negative number; a cumulative figure of things
  done cannot fall within the year, and its increment is the cumulative minus last quarter's;
* a share lies between 0 and 100 %; a growth rate may be negative but not below −100 %;
  a percentage-point change is small; a milestone cannot go back;
* its size, against the plan's expected value (target × elapsed share, or the schedule) and
  the KPI's own earlier quarters: a ratio near 10, 10³, 10⁴ (万), 10⁸ (亿) or their inverses
  is a slip of a decimal point or of a unit, and the message proposes the likely figure;
* its remark: a 进展说明 that states the same number in another magnitude or unit;
* its writing: ``2,15`` is neither 2 nor 215; a bare ``0.8`` for a percent KPI can be 0.8 %
  or 80 %, and only one of the two may be plausible.

Outcomes: ``accepted``; ``warned`` (used, marked ※ and named in 数据质量); ``held`` (not used:
the reports show the last good figure, or —, with 待核实); ``confirmed`` (a held or warned
figure the analyst confirmed in ``confirmations.yaml``: used, and said so).
"""
from __future__ import annotations

from dataclasses import dataclass

ACCEPTED = "accepted"
WARNED = "warned"
HELD = "held"
CONFIRMED = "confirmed"
SUPERSEDED = "superseded"
# Figures the reports may lean on (headline, 进展较快/滞后 lists, averages and rankings).
TRUSTED = (ACCEPTED, CONFIRMED)
# Figures used for progress (status, tables): every outcome but held (and superseded).
USED = (ACCEPTED, WARNED, CONFIRMED)
OUTCOME_LABELS = {ACCEPTED: "采用", WARNED: "采用（有提示）", HELD: "暂缓采用（待核实）", CONFIRMED: "经核实确认采用",
                  SUPERSEDED: "被更正替代"}
OUTCOME_SHORT = {WARNED: "有提示", HELD: "待核实", CONFIRMED: "已核实确认"}
# The sign beside a warned or held figure in every table and chart label; explained in 说明.
MARK = "※"

WARN, HOLD = "warn", "hold"


@dataclass(frozen=True)
class Rule:
    """One judgement rule: ``outcome`` warn or hold; ``label``; ``reason`` (what a reader sees, with
    ``{placeholders}`` the judge fills in) and ``action`` (what the reporting clerk should do)."""

    outcome: str
    label: str  # a short name for tables (个数不是整数)
    reason: str
    action: str


_RESUBMIT = "请核实后更正重新报送"
_EXPLAIN = "如确为该数，请在进展说明中写明原因，经汇总人员核实确认后采用"

RULES: dict[str, Rule] = {
    # --- the kind of quantity
    "not_whole_count": Rule(HOLD, "个数不是整数", "计量单位“{unit}”是个数，应为整数，填报为{value}{hint}",
                            f"请填写整数；{_RESUBMIT}"),
    "negative_quantity": Rule(HOLD, "完成数为负", "完成数不应为负数，填报为{value}", _RESUBMIT),
    "share_out_of_range": Rule(HOLD, "比率超出范围", "比率应在0～{high}%之间，填报为{value}%{hint}", _RESUBMIT),
    "growth_below_minus_100": Rule(HOLD, "增长率低于-100%", "增长率不可能低于-100%，填报为{value}%", _RESUBMIT),
    "points_too_large": Rule(HOLD, "百分点过大", "百分点变化不应超过100个百分点，填报为{value}", _RESUBMIT),
    # --- how the number is written
    "ambiguous_number": Rule(HOLD, "数字写法有歧义", "「{raw}」写法有歧义，可理解为{readings}",
                             "请用小数点表示小数、不用逗号或顿号分隔数字，重新报送"),
    "percent_two_readings": Rule(HOLD, "百分数有两种理解", "「{raw}」可理解为{a}%，也可理解为按小数填写的{b}%，与目标相比两种理解都说得通",
                                 "请填写百分数本身（如8.5%填8.5），重新报送"),
    "looks_like_date": Rule(WARN, "像日期的数", "「{raw}」像是日期（{date}）", "请核实是否把日期填进了数值栏"),
    "percent_fraction_converted": Rule(WARN, "百分数按小数换算", "「{raw}」按小数理解为{value}%（理解为{raw}%与目标相差过大）",
                                       "今后请直接填写百分数（如95%填95）"),
    "percent_small_as_typed": Rule(WARN, "百分数按填写理解", "「{raw}」按填写理解为{raw}%；如本意是小数（即{b}%），请改填{b}",
                                   "请核实"),
    # --- size against the plan and the KPI's own history
    "magnitude_slip": Rule(HOLD, "数量级异常", "{value}为{reference}的{ratio}，{guess}", f"{_EXPLAIN}；否则{_RESUBMIT}"),
    "magnitude_explained": Rule(WARN, "数量级异常（有说明）", "{value}为{reference}的{ratio}，{why}，暂予采用", "请核实"),
    "far_above_target": Rule(WARN, "远超全年目标", "{value}为全年目标的{pct}，远超目标", "请核实；如属实，请在进展说明中写明原因"),
    "far_below_expected": Rule(WARN, "远低于序时进度", "{value}仅为{reference}的{pct}{guess}", "请核实是否漏填数位或误用了单位"),
    # --- the remark beside the figure
    "remark_magnitude": Rule(HOLD, "与进展说明的数量级不符", "进展说明写的是「{remark}」，与{label}{value}相差{factor}：是否为{proposal}？",
                             "请按计划单位“{unit}”填写数值后重新报送"),
    "remark_unit": Rule(HOLD, "与进展说明的单位不符", "进展说明写的是「{remark}」，单位为{other}，而本指标单位为{unit}",
                        "请按计划单位“{unit}”填写数值后重新报送"),
    # --- consistency within the row and over the year
    "cumulative_fell": Rule(HOLD, "累计数下降", "累计完成{value}低于{prev_label}的{prev}，全年累计数不应下降{hint}",
                            "如填的是本季度完成数，请改填累计数；如此前数据有误，请说明并更正"),
    "cumulative_corrected": Rule(WARN, "累计数核减", "累计完成{value}低于{prev_label}的{prev}，进展说明写明了核减原因，暂予采用",
                                 "请核实核减依据；此前季度的数据如有误，请一并更正"),
    "cumulative_from_increment": Rule(WARN, "累计列填了本季度数", "累计完成列与本季度完成列都填了{typed}，低于{prev_label}累计{prev}，"
                                            "已按{prev_label}累计{prev}＋本季度{typed}＝{value}采用",
                                      "今后请在累计完成列填写全年累计数"),
    "same_in_both_columns": Rule(HOLD, "两列数值相同无法判断", "累计完成与本季度完成都填了{typed}，与{prev_label}累计{prev}对不上，"
                                       "无法判断哪一列填错（累计{typed}或累计{alternative}）", _RESUBMIT),
    "increment_inconsistent": Rule(HOLD, "本季度数与累计数不一致", "本季度完成{inc}与累计数之差（{value}－{prev}＝{diff}）不一致",
                                   "请核实累计完成与本季度完成，更正后重新报送"),
    "equals_target": Rule(WARN, "与全年目标相同", "累计完成{value}恰为全年目标，为序时进度{expected}的{ratio}",
                          "请核实是否误填了年度目标"),
    "increment_looks_cumulative": Rule(WARN, "本季度数像累计数",
                                       "本季度完成{inc}比此前累计{prev}还多，按本季度数推算累计为{value}；如填的是累计数，累计应为{inc}",
                                       "请核实：本季度完成只填本季度新增数"),
    "community_sum_mismatch": Rule(WARN, "汇总与分表不符", "汇总数{value}与各村（社区）分表合计{total}不一致",
                                   "请核对汇总表与各村（社区）分表后更正"),
    "state_regressed": Rule(HOLD, "节点状态倒退", "节点状态由{prev_label}的“{prev}”退回“{now}”", _EXPLAIN),
    "prior_held": Rule(HOLD, "上季度数据待核实", "只填写了本季度完成，而{prev_label}的数据待核实，无法推算累计完成",
                       "上一季度数据核实（更正或确认）后自动推算"),
}


# --------------------------------------------------------------------------- thresholds

# A figure this many times its reference (expected value, previous quarter's figure), or less than
# its inverse for a unit slip, is an order of magnitude off.
MAGNITUDE_RATIO = 8.0
# A proposal f is taken when the figure's ratio divided by f lies within [1/PROPOSAL_BAND, PROPOSAL_BAND].
PROPOSAL_BAND = 3.0
# Completion (actual ÷ annual target) from which a figure is "far above the target" (a warning).
FAR_ABOVE_TARGET = 2.0
# A cumulative figure below this share of its expected value is warned (a missing digit?) …
FAR_BELOW_EXPECTED = 1 / 8
# … when the expected value is at least this many items (a count of 2 against 3.5 expected is no slip).
FAR_BELOW_MIN_ITEMS = 8.0
# A share whose target is at least this (满意度 95 %) is held when ten times too small, and
# warned below LOW_SHARE_SHARE of its target.
HIGH_SHARE_TARGET = 50.0
LOW_SHARE_SHARE = 0.5
# A cumulative figure equal to the annual target before Q4 is warned from this ratio to the
# expected value up (the 年度目标 column copied into 累计完成).
EQUALS_TARGET_RATIO = 1.5
# An increment typed where the cumulative belongs lies within this share of the expected value.
LOOKS_CUMULATIVE_CLOSENESS = 0.25
# A reading of a bare percent figure is plausible when within this factor of the target.
PERCENT_PLAUSIBLE_FACTOR = 5.0
# Growth rates: a figure this close to zero is always plausible as typed (0.8 % is a weak year) …
GROWTH_NEAR_ZERO = 1.0
# … and ratios against the target or the previous quarter are only read from this size up.
GROWTH_RATIO_FLOOR = 2.0
# A decimal figure is "written as a fraction" when it has at least this many decimals (0.085).
FRACTION_DECIMALS = 2
# Two figures agree within this share of the larger (rounded 万平方米 figures).
AGREE_TOLERANCE = 0.01
# Slip factors by the dimension of the plan's unit: a decimal point (10, 100), 千 (10³), 万, 亿,
# and the dimension's own multiples (公里 for 米, 亩/公顷 for 平方米).
DECIMAL_FACTORS = (10.0, 100.0)
DECIMAL_SLIP = "小数点位置不对或多（漏）输了0"
# {unit}: the plan's unit; each text names the two units a clerk mixed up.
SLIP_FACTORS: dict[str, tuple[tuple[float, str], ...]] = {
    "": ((1000.0, "“千{unit}”与“{unit}”混用"), (10_000.0, "“万{unit}”与“{unit}”混用"), (100_000_000.0, "“亿{unit}”与“{unit}”混用")),
    "length": ((1000.0, "“公里”与“米”混用"), (10_000.0, "“万米”与“米”混用")),
    "area": ((2000 / 3, "“亩”与“平方米”混用"), (10_000.0, "“万平方米”（或公顷）与“平方米”混用"),
             (1_000_000.0, "“平方公里”与“平方米”混用"), (100_000_000.0, "“亿平方米”与“平方米”混用")),
    "money": ((1000.0, "“千元”与“元”混用"), (10_000.0, "“万元”与“元”混用"), (100_000_000.0, "“亿元”与“元”混用")),
    "mass": ((1000.0, "“吨”与“公斤”混用"), (10_000.0, "“万{unit}”与“{unit}”混用")),
}
# Words of a 进展说明 that explain a figure far above its plan (集中签约, 一次性完成, 超额完成 …).
JUMP_REASON_WORDS = (
    "超额", "超出", "超过", "集中", "一次性", "提前完成", "提前", "大幅", "突破", "翻番", "整体", "批量", "全部完成",
    "全面完成", "全域", "统一", "合并", "并入", "纳入", "追加", "增加任务", "扩大", "调增", "新增任务", "大项目",
    "重点项目", "竣工", "完工", "投用", "落地", "验收", "签约", "补报", "专项", "攻坚", "由于", "因为", "原因是",
)
# Words of a 进展说明 that explain a cumulative figure lower than last quarter's (核减 after a review).
CORRECTION_WORDS = ("核减", "调减", "更正", "纠正", "剔除", "注销", "退出", "撤销", "复核", "核查后", "重复统计", "多报")
# Names of rates that may exceed 100 % by definition (完成率, 增长, 比上年 …).
RATE_MAY_EXCEED_100_WORDS = ("完成率", "执行率", "达成率", "增长", "增速", "增幅", "比上年", "同比", "倍")
# Count units are whole numbers (reportlib.units dimensions).
COUNT_DIMENSION_PREFIX = "count:"
WHOLE_DIMENSIONS = ("person",)


def rule_message(code: str, **values) -> str:
    """The Chinese message of rule ``code``: its reason with ``values`` filled in, then what to do."""
    rule = RULES[code]
    reason = rule.reason.format(**values)
    return f"{reason}{'' if reason.endswith(('？', '。')) else '。'}{rule.action.format(**values)}"


def outcome_of(codes: list[str]) -> str:
    """The outcome of a figure that triggered ``codes``: held when any rule holds, else warned,
    else accepted."""
    outcomes = {RULES[code].outcome for code in codes}
    return HELD if HOLD in outcomes else WARNED if WARN in outcomes else ACCEPTED
