"""Generate the bundled sample submissions (示例数据) in data/raw/actuals/2025Q1 … 2025Q4.

Run once, commit the output:  ``.venv/bin/python scripts/make_sample_actuals.py``

Deterministic: a fixed seed, fixed 填报日期, workbook properties and zip timestamps
fixed (reportlib.template.save_workbook), CSVs written byte by byte. Running it twice
gives byte-identical files. It reads the plan file, so KPI ids, names, units and
owners always match the plan.

What the sample contains (one file per reporting unit and quarter, plus one correction):

* 党建办 – the real Excel template (reportlib.template), filled in, with a footer.
* 城市管理办 – its own workbook layout: merged title rows above the header, 季度 and
  填报单位 merged down the data rows, header
  variants (累计完成值, 本季度完成（增量）), areas in 万平方米, Chinese numerals,
  full-width digits, thousands separators, "500余" (approximate); a Q2 correction file
  with a later 填报日期 that supersedes three rows; a text "见附件" in a number column
  (Q2) and an incompatible unit (Q3); in Q3 an area typed in 平方米 in a 万平方米 row (held:
  the judgement proposes the figure meant) and an increment typed in the 累计完成 column too
  (warned: read as the Q2 cumulative plus the increment).
* 经济发展办 – GBK CSV with a title line, growth rates as "8.6%", Excel serial
  numbers as 填报日期 (Q2), an unknown id (Q1) and a row of last year (Q4).
* 社会事务办 – UTF-8-with-BOM CSV with English headers, KPIs named by name only,
  "约135"; **no Q2 submission**; an unknown name (Q1), a bad quarter (Q3) and a bad
  milestone state (Q4).
* 平安建设办 – increments only (no 累计完成 column), rates as fractions (0.95: read as
  95 % and warned, the only reading the target allows), full-width digits, a 备注 footer.
* Figures: most KPIs on track, some ahead, some behind, two severely behind
  (``SEVERELY_BEHIND``), milestones moving 未启动 → 推进中 → 已完成, and a few KPIs
  never reported (``NEVER_REPORTED``).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlib import workspace  # noqa: E402
from reportlib.actuals import STATE_LABELS, write_bytes_atomic  # noqa: E402
from reportlib.plan import load_plan  # noqa: E402
from reportlib.progress import PERIODS_PER_QUARTER, QUARTERS_PER_YEAR  # noqa: E402
from reportlib.quarters import quarter_end_date, quarter_index, quarter_label, quarters_of_year  # noqa: E402
from reportlib.template import DATA_SHEET, FIRST_DATA_ROW, build_workbook, save_workbook  # noqa: E402

SEED = 20251126
MARKER = "示例数据"
NEVER_REPORTED = ("K2.5.03", "K4.3.08", "K5.3.05")
SEVERELY_BEHIND = {"K3.1.04": 0.35, "K2.2.05": 0.4, "K3.3.05": 0.0}  # pace (milestone: stuck)
MISSING_Q2_OWNER = "社会事务办"
# reporter, reviewer, days after quarter end the unit reports
PEOPLE = {
    "党建办": ("王芳", "刘强", 5),
    "城市管理办": ("赵磊", "孙伟", 6),
    "经济发展办": ("陈静", "周涛", 7),
    "社会事务办": ("李娜", "吴刚", 8),
    "平安建设办": ("郑洁", "冯军", 4),
}
NOTES = {
    "ahead": ("进度快于计划，本季度超额完成", "提前谋划、加快推进"),
    "on_track": ("按计划有序推进", "已按序时进度完成", "正常推进中"),
    "behind": ("受天气影响进度有所滞后，下季度加快推进", "资金拨付较慢，正在协调"),
    "severe": ("前期手续尚未办结，进度严重滞后", "项目主体尚未确定，正在协调推进"),
}
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
CN_DIGITS = "零一二三四五六七八九"


@dataclass
class Figure:
    """The 'true' figures of one KPI in one quarter."""

    cumulative: float | None
    increment: float | None
    state: str
    note: str


# --------------------------------------------------------------------------- truth


def annual_target(kpi: dict) -> float:
    """Year target; recurring KPIs: times per period x periods a year."""
    target = float(kpi["target"])
    if kpi["kind"] == "recurring":
        return target * PERIODS_PER_QUARTER[kpi["period"] or "year"] * QUARTERS_PER_YEAR
    return target


def expected(kpi: dict, q: int) -> float:
    """Planned cumulative figure at the end of quarter q."""
    schedule = kpi.get("schedule")
    if isinstance(schedule, tuple):
        return schedule[q - 1]
    return annual_target(kpi) * q / 4


def round_for(kpi: dict, value: float) -> float:
    """Plausible precision: areas to 100 m², lengths to 10 m, counts to integers, rates to 0.1."""
    if kpi["kind"] in ("rate", "growth_rate"):
        return round(value, 1)
    step = {"area": 100, "length": 10}.get(kpi["kind"], 1)
    return float(round(value / step) * step)


def pace_of(kpi: dict, rng: random.Random) -> tuple[float, str]:
    """Pace relative to plan and its label."""
    draw = rng.random()
    if kpi["kpi_id"] in SEVERELY_BEHIND:
        return SEVERELY_BEHIND[kpi["kpi_id"]], "severe"
    if draw < 0.6:
        return rng.uniform(0.97, 1.06), "on_track"
    if draw < 0.8:
        return rng.uniform(1.15, 1.35), "ahead"
    return rng.uniform(0.7, 0.85), "behind"


def milestone_states(kpi: dict, label: str) -> list[str]:
    """States Q1..Q4 of a milestone."""
    due = int(kpi["due_quarter"]) if kpi.get("due_quarter") not in (None, "") and kpi["due_quarter"] == kpi["due_quarter"] else 4
    if label == "severe":
        return ["not_started", "not_started", "not_started", "in_progress"]
    if label == "behind":
        due += 1
    elif label == "ahead":
        due = max(1, due - 1)
    states = []
    for q in range(1, 5):
        if q >= due:
            states.append("done")
        elif q == 1 and due >= 3:
            states.append("not_started")
        else:
            states.append("in_progress")
    return states


def simulate(kpis: list[dict], year: int, rng: random.Random) -> dict[tuple[str, str], Figure]:
    """True figures of every reported KPI and quarter."""
    truth: dict[tuple[str, str], Figure] = {}
    for kpi in kpis:
        pace, label = pace_of(kpi, rng)
        jitters = [rng.uniform(0.96, 1.04) for _ in range(4)]
        notes = [rng.choice(NOTES[label]) for _ in range(4)]
        if kpi["kpi_id"] in NEVER_REPORTED:
            continue
        previous = 0.0
        states = milestone_states(kpi, label) if kpi["kind"] == "milestone" else None
        for q, quarter in enumerate(quarters_of_year(year), start=1):
            if states:
                truth[(kpi["kpi_id"], quarter)] = Figure(None, None, states[q - 1], notes[q - 1])
                continue
            if kpi["kind"] in ("rate", "growth_rate"):
                spread = (pace - 1) * (0.5 if kpi["target"] >= 90 else 1)
                value = float(kpi["target"]) * (1 + spread) * jitters[q - 1]
                value = min(value, 100.0) if kpi["target"] >= 90 else value
                truth[(kpi["kpi_id"], quarter)] = Figure(round_for(kpi, value), None, "", notes[q - 1])
                continue
            if kpi["kind"] == "zero_target":
                cumulative = 0.0
            else:
                cumulative = max(previous, round_for(kpi, expected(kpi, q) * pace * jitters[q - 1]))
            truth[(kpi["kpi_id"], quarter)] = Figure(cumulative, cumulative - previous, "", notes[q - 1])
            previous = cumulative
    return truth


# --------------------------------------------------------------------------- formatting helpers


def num(value: float | None) -> str:
    """A figure as plain text: integers without .0, others with up to 2 decimals."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def chinese(value: float) -> str:
    """Small integers as Chinese numerals (1..99), else the digits."""
    n = int(value)
    if n != value or not 0 < n < 100:
        return num(value)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else ""
    return text + (CN_DIGITS[ones] if ones else "")


def report_day(owner: str, quarter: str, extra: int = 0) -> dt.date:
    """Fixed 填报日期 of a unit's submission."""
    return quarter_end_date(quarter) + dt.timedelta(days=PEOPLE[owner][2] + extra)


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    """CSV text (CRLF, as Excel writes it) in an encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def stamp(day: dt.date) -> dt.datetime:
    """Workbook timestamp of a submission: its report day, 09:00."""
    return dt.datetime.combine(day, dt.time(9, 0))


# --------------------------------------------------------------------------- writers, one per unit


class Writer:
    """Writes the sample files of every unit; ``files`` collects what was written."""

    def __init__(self, plan, truth, out: Path):
        self.plan, self.truth, self.out = plan, truth, out
        self.kpis = plan.kpis.to_dict("records")
        self.files: list[Path] = []

    def owned(self, owner: str) -> list[dict]:
        """The unit's KPIs that have figures."""
        return [k for k in self.kpis if k["owner"] == owner and k["kpi_id"] not in NEVER_REPORTED]

    def path(self, quarter: str, owner: str, suffix: str, extra: str = "") -> Path:
        """data/raw/actuals/<quarter>/<owner>_<quarter><extra>_示例数据.<suffix>"""
        return self.out / quarter / f"{owner}_{quarter}{extra}_{MARKER}.{suffix}"

    def save_bytes(self, path: Path, data: bytes) -> None:
        write_bytes_atomic(path, data)
        self.files.append(path)

    def save_book(self, book: Workbook, path: Path, day: dt.date) -> None:
        save_workbook(book, path, stamp(day))
        self.files.append(path)

    # -- 党建办: the filled template ------------------------------------------

    def party_office(self, quarter: str) -> None:
        self.template_office(quarter, "党建办")

    def template_office(self, quarter: str, owner: str) -> None:
        """The unit fills the real Excel template (``reportlib template``) and signs its footer."""
        kpis = self.owned(owner)
        q = quarter_index(quarter)
        previous = {}
        if q > 1:
            prev_quarter = quarters_of_year(self.plan.year)[q - 2]
            for kpi in kpis:
                fig = self.truth[(kpi["kpi_id"], prev_quarter)]
                previous[kpi["kpi_id"]] = STATE_LABELS[fig.state] if fig.state else fig.cumulative
        book = build_workbook(kpis, quarter, owner, previous, self.plan.title, self.plan.organization)
        sheet = book[DATA_SHEET]
        sheet["A1"] = sheet["A1"].value + f"（{MARKER}）"
        reporter, reviewer, _ = PEOPLE[owner]
        day = report_day(owner, quarter)
        for offset, kpi in enumerate(kpis):
            row = FIRST_DATA_ROW + offset
            fig = self.truth[(kpi["kpi_id"], quarter)]
            if fig.state:
                sheet.cell(row=row, column=9, value=STATE_LABELS[fig.state])
            else:
                sheet.cell(row=row, column=7, value=fig.cumulative)
                sheet.cell(row=row, column=8, value=fig.increment)
            sheet.cell(row=row, column=10, value=fig.note)
            sheet.cell(row=row, column=12, value=reporter)
            sheet.cell(row=row, column=13, value=stamp(day)).number_format = "yyyy-mm-dd"
        footer = FIRST_DATA_ROW + len(kpis) + 1
        sheet.cell(row=footer, column=1, value=f"填表人：{reporter}")
        sheet.cell(row=footer, column=4, value=f"审核人：{reviewer}")
        self.save_book(book, self.path(quarter, owner, "xlsx"), day)

    # -- 城市管理办: own layout, 万平方米, numerals, a correction -----------------

    CITY_HEADER = ["指标编号", "指标名称", "季度", "累计完成值", "本季度完成（增量）", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"]

    def city_row(self, kpi: dict, quarter: str, fig: Figure, day: dt.date, index: int) -> list:
        """One row of the 城市管理办 layout, with the unit's writing habits."""
        owner, (reporter, _, _) = "城市管理办", PEOPLE["城市管理办"]
        unit = "" if kpi["kind"] == "milestone" else kpi["unit"]
        cumulative, increment = fig.cumulative, fig.increment
        state = STATE_LABELS[fig.state] if fig.state else ""
        q_text = quarter_label(quarter)
        if kpi["kind"] == "area" and kpi["kpi_id"] != "K3.2.05":
            unit = "万平方米"
            cumulative, increment = round(cumulative / 10000, 2), round(increment / 10000, 2)
        elif kpi["kpi_id"] == "K3.2.05":  # 平方米 with thousands separators
            cumulative, increment = f"{int(cumulative):,}", f"{int(increment):,}"
        elif kpi["kpi_id"] == "K3.2.07":  # 路灯: "380余"
            cumulative = f"{num(cumulative)}余"
        elif kpi["kind"] in ("count",) and index % 3 == 0:
            cumulative = chinese(cumulative)
        elif kpi["kind"] == "recurring" and index % 2 == 0:
            cumulative = num(cumulative).translate(FULL_WIDTH)
        elif kpi["kind"] == "rate":
            cumulative, increment = f"{num(cumulative)}%", None
        return [kpi["kpi_id"], kpi["name"], q_text, cumulative, increment, unit, state, fig.note, owner, reporter, stamp(day)]

    def city_book(self, quarter: str, rows: list[list], day: dt.date, title_extra: str = "") -> Workbook:
        """The 城市管理办 workbook around the given data rows."""
        owner = "城市管理办"
        reporter, reviewer, _ = PEOPLE[owner]
        book = Workbook()
        sheet = book.active
        sheet.title = quarter_label(quarter)[5:]
        sheet["A1"] = f"城东街道{quarter_label(quarter)}重点工作完成情况统计表{title_extra}（{MARKER}）"
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.merge_cells("A1:K1")
        sheet["A2"] = f"填报单位：{owner}（盖章）　　　　　报送时间：{day.year}年{day.month}月{day.day}日"
        sheet.merge_cells("A2:K2")
        sheet.append([])
        sheet.append(self.CITY_HEADER)
        first = sheet.max_row + 1
        for row in rows:
            sheet.append(row)
            sheet.cell(row=sheet.max_row, column=11).number_format = "yyyy-mm-dd"
        for column in ("C", "I"):  # 季度 and 填报单位 merged down the data rows
            sheet.merge_cells(f"{column}{first}:{column}{sheet.max_row}")
        sheet.append([])
        sheet.append([f"填表人：{reporter}", None, None, f"审核人：{reviewer}"])
        sheet.append([f"制表日期：{day.isoformat()}"])
        return book

    def city_office(self, quarter: str) -> None:
        owner = "城市管理办"
        day = report_day(owner, quarter)
        rows = []
        for index, kpi in enumerate(self.owned(owner)):
            fig = self.truth[(kpi["kpi_id"], quarter)]
            row = self.city_row(kpi, quarter, fig, day, index)
            if quarter.endswith("Q2") and kpi["kpi_id"] == "K3.1.07":
                row[3], row[4] = "见附件", "见附件"  # bad_number, fixed by the correction
            if quarter.endswith("Q2") and kpi["kpi_id"] == "K3.1.03":
                row[3] = round(float(row[3]) * 0.5, 2)  # a typo, fixed by the correction
            if quarter.endswith("Q3") and kpi["kpi_id"] == "K3.2.08":
                row[3], row[4], row[5] = "6", "2", "个"  # facades counted: incompatible unit
            if quarter.endswith("Q3") and kpi["kpi_id"] == "K3.1.05":  # typed in 平方米 in a 万平方米 row: held
                row[3], row[4] = fig.cumulative, fig.increment
            if quarter.endswith("Q3") and kpi["kpi_id"] == "K3.3.06":  # the increment in both columns: warned,
                row[3] = row[4]  # read as the Q2 cumulative plus the increment
            rows.append(row)
        self.save_book(self.city_book(quarter, rows, day), self.path(quarter, owner, "xlsx"), day)
        if quarter.endswith("Q2"):
            fix_day = report_day(owner, quarter, extra=5)
            fixed = [
                self.city_row(kpi, quarter, self.truth[(kpi["kpi_id"], quarter)], fix_day, 1)
                for kpi in self.owned(owner) if kpi["kpi_id"] in ("K3.1.03", "K3.1.07", "K3.2.07")
            ]
            for row in fixed:
                row[7] = "更正：" + row[7]
            book = self.city_book(quarter, fixed, fix_day, title_extra="（更正）")
            self.save_book(book, self.path(quarter, owner, "xlsx", extra="_更正"), fix_day)

    # -- 经济发展办: GBK CSV ----------------------------------------------------

    def economy_office(self, quarter: str) -> None:
        owner = "经济发展办"
        reporter, reviewer, _ = PEOPLE[owner]
        day = report_day(owner, quarter)
        date_text = str((day - dt.date(1899, 12, 30)).days) if quarter.endswith("Q2") else day.isoformat()
        q_text = quarter_label(quarter) if quarter_index(quarter) % 2 else quarter_label(quarter)[5:]
        state_words = {"done": "已完工", "in_progress": "进行中", "not_started": "未开始"}
        rows = [[f"{owner}{quarter_label(quarter)}重点工作完成情况（{MARKER}）"], ["指标编号", "指标名称", "季度", "累计完成", "本季度完成", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"]]
        for kpi in self.owned(owner):
            fig = self.truth[(kpi["kpi_id"], quarter)]
            if fig.state:
                rows.append([kpi["kpi_id"], kpi["name"], q_text, "", "", "", state_words[fig.state], fig.note, owner, reporter, date_text])
            elif kpi["kind"] == "growth_rate":
                rows.append([kpi["kpi_id"], kpi["name"], q_text, f"{num(fig.cumulative)}%", "", "%", "", fig.note, owner, reporter, date_text])
            else:
                rows.append([kpi["kpi_id"], kpi["name"], q_text, num(fig.cumulative), num(fig.increment), kpi["unit"], "", fig.note, owner, reporter, date_text])
        if quarter.endswith("Q1"):
            rows.append(["K2.2.99", "新增省级瞪羚企业", q_text, "1", "1", "家", "", "", owner, reporter, date_text])  # unknown_kpi
        if quarter.endswith("Q4"):
            rows.append(["K2.2.01", "新增省级创新型中小企业", "2024年第四季度", "3", "1", "家", "", "误粘贴上年数据", owner, reporter, date_text])  # quarter_mismatch
        rows.append([])
        rows.append([f"填表人：{reporter}", "", f"审核人：{reviewer}"])
        self.save_bytes(self.path(quarter, owner, "csv"), csv_bytes(rows, "gbk"))

    # -- 社会事务办: UTF-8 BOM CSV, English headers, no Q2 ------------------------

    def social_office(self, quarter: str) -> None:
        owner = "社会事务办"
        if quarter.endswith("Q2"):
            return  # this unit never sent its Q2 submission
        reporter, _, _ = PEOPLE[owner]
        day = report_day(owner, quarter)
        date_text = f"{day.year}/{day.month}/{day.day}"
        q_text = f"{quarter[:4]}-Q{quarter[-1]}" if quarter_index(quarter) != 3 else f"Q{quarter[-1]}"
        rows = [["kpi_id", "name", "quarter", "cumulative", "increment", "unit", "status", "note", "reporting_unit", "reporter", "report_date"]]
        for kpi in self.owned(owner):
            fig = self.truth[(kpi["kpi_id"], quarter)]
            kpi_id, name = kpi["kpi_id"], kpi["name"]
            if kpi_id in ("K4.3.03", "K4.1.02"):
                kpi_id, name = "", name.replace("、", " ")  # named by name only
            if fig.state:
                status = STATE_LABELS[fig.state]
                if quarter.endswith("Q4") and kpi["kpi_id"] == "K4.3.02":
                    status = "基本完成"  # bad_state
                rows.append([kpi_id, name, q_text, "", "", "", status, fig.note, owner, reporter, date_text])
                continue
            cumulative = num(fig.cumulative)
            if kpi["kpi_id"] == "K4.3.07":
                cumulative = f"约{cumulative}"
            increment = num(fig.increment) if not quarter.endswith("Q3") else ""  # Q3: Q2 missing, cumulative only
            q_cell = "第五季度" if quarter.endswith("Q3") and kpi["kpi_id"] == "K4.3.05" else q_text  # bad_quarter
            rows.append([kpi_id, name, q_cell, cumulative, increment, kpi["unit"], "", fig.note, owner, reporter, date_text])
        if quarter.endswith("Q1"):
            rows.append(["", "新建全民健身步道", q_text, "2", "2", "条", "", "", owner, reporter, date_text])  # unknown name
        self.save_bytes(self.path(quarter, owner, "csv"), csv_bytes(rows, "utf-8-sig"))

    # -- 平安建设办: increments only ------------------------------------------------

    def safety_office(self, quarter: str) -> None:
        owner = "平安建设办"
        reporter, _, _ = PEOPLE[owner]
        day = report_day(owner, quarter)
        book = Workbook()
        sheet = book.active
        sheet.title = quarter_label(quarter)
        sheet.append(["指标编号", "指标名称", "季度", "本季度完成", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"])
        for index, kpi in enumerate(self.owned(owner)):
            fig = self.truth[(kpi["kpi_id"], quarter)]
            state = STATE_LABELS[fig.state] if fig.state else None
            if kpi["kind"] == "rate":
                figure = round(fig.cumulative / 100, 3)  # 0.95: a fraction
            elif fig.increment is not None and index % 4 == 1:
                figure = num(fig.increment).translate(FULL_WIDTH)  # text with full-width digits
            else:
                figure = fig.increment
            sheet.append([kpi["kpi_id"], kpi["name"], quarter_label(quarter)[5:], figure, state, fig.note, owner, reporter, stamp(day)])
            sheet.cell(row=sheet.max_row, column=9).number_format = "yyyy-mm-dd"
        sheet.append([])
        sheet.append([f"备注：本表为{MARKER}，仅用于演示与测试。"])
        self.save_book(book, self.path(quarter, owner, "xlsx"), day)

    def write_all(self) -> list[Path]:
        """Every unit, every quarter."""
        for quarter in quarters_of_year(self.plan.year):
            self.party_office(quarter)
            self.city_office(quarter)
            self.economy_office(quarter)
            self.social_office(quarter)
            self.safety_office(quarter)
        return self.files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=None, help="plan YAML (default: the bundled workspace's latest plan)")
    parser.add_argument("--out", default=str(workspace.current().actuals_raw), help="output folder (replaced)")
    args = parser.parse_args(argv)
    plan = load_plan(args.plan)
    owners = set(plan.kpis["owner"])
    if not set(PEOPLE) <= owners:
        raise SystemExit(f"plan owners {sorted(owners)} do not include {sorted(set(PEOPLE) - owners)}")
    out = Path(args.out)
    for quarter in quarters_of_year(plan.year):
        if (out / quarter).exists():
            shutil.rmtree(out / quarter)
    truth = simulate(plan.kpis.to_dict("records"), plan.year, random.Random(SEED))
    files = Writer(plan, truth, out).write_all()
    for path in files:
        print(path.relative_to(out).as_posix())
    print(f"{len(files)} sample files written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
