"""The rules of a numeric figure (:class:`NumericRules`): how it is written, what a percent means
for its kind, what its kind allows, the year so far, its size against the plan and the KPI's
history, its remark, and completion far above the target. Used by :class:`reportlib.actuals.judge.Judge`."""
from __future__ import annotations

import math

from reportlib.actuals.judge_rules import (
    AGREE_TOLERANCE, CORRECTION_WORDS, DECIMAL_FACTORS, EQUALS_TARGET_RATIO, FAR_ABOVE_TARGET, FAR_BELOW_EXPECTED, FAR_BELOW_MIN_ITEMS, FRACTION_DECIMALS,
    GROWTH_NEAR_ZERO, GROWTH_RATIO_FLOOR, HIGH_SHARE_TARGET, JUMP_REASON_WORDS, LOOKS_CUMULATIVE_CLOSENESS,
    LOW_SHARE_SHARE, MAGNITUDE_RATIO,
    PERCENT_PLAUSIBLE_FACTOR, RATE_MAY_EXCEED_100_WORDS,
)
from reportlib.actuals.normalize import ambiguous_grouping, grouping_readings, plan_unit
from reportlib.actuals.readings import (
    amount, close, date_reading, decimals, dimension_family, is_bare, is_whole_unit, slip_for, stated_quantities, times,
    thousands_point_reading, typed_digits,
)
from reportlib.actuals.rules import INCREMENT_TOLERANCE, PERCENT_UNIT, ZERO_TARGET_KIND
from reportlib.actuals.verdict import Figure, History, Verdict, short_label
from reportlib.quarters import previous_quarter, quarter_end_date, quarter_index

CUMULATIVE = ("count", "area", "length", "recurring")
POINTS_UNIT = "百分点"
# Units a remark may state instead of the plan's (counts are left out: a remark names many counts).
MEASURE_FAMILIES = ("area", "length", "volume", "mass", "money", "time", "energy", "power", "percent", "percentage_point")
# A point-in-time figure (%) is "far above" its target only from this many percent up.
FAR_ABOVE_MIN_PERCENT = 10.0


class NumericRules:
    """The rules of a numeric figure, in order: writing, percent readings, kind, the year so far,
    size, remark, far above target."""

    def __init__(self, spec, kpi: dict, figure: Figure, earlier: History, verdict: Verdict):
        self.kpi, self.figure, self.verdict = kpi, figure, verdict
        self.kind = str(kpi.get("kind") or "")
        self.unit = plan_unit(kpi)
        self.spec = spec  # reportlib.progress.spec.KpiSpec of the KPI
        self.q = quarter_index(figure.quarter)
        self.earlier = {q: value for q, (value, _) in earlier.items() if value == value}
        self.latest = max(self.earlier) if self.earlier else None
        self.whole = is_whole_unit(self.unit)
        self.stated = stated_quantities(figure.note, self.unit)

    def run(self) -> None:
        figure, verdict = self.figure, self.verdict
        ambiguous = [raw for raw, given in ((figure.cumulative_raw, figure.cumulative_given),
                                            (figure.increment_raw, figure.increment_given)) if given and ambiguous_grouping(raw)]
        if ambiguous:
            readings = grouping_readings(ambiguous[0])
            verdict.readings.extend(readings)
            verdict.add("ambiguous_number", raw=ambiguous[0], readings="或".join(amount(r) for r in readings))
            return
        if self.unit == PERCENT_UNIT:
            self.percent_reading()
        self.kind_rules()
        if not self.whole:
            self.date_in_figure()
        cumulative = self.kind in CUMULATIVE
        if not verdict.held and cumulative:
            self.falls()
        if not verdict.held:
            self.remark()
        if not verdict.held:
            self.size_of_cumulative() if cumulative else self.size_of_rate() if self.spec.is_point_in_time else None
        if not verdict.held and cumulative:
            self.increment_agrees()
        if not verdict.held and not verdict.explained:
            self.far_above_target()

    # -- helpers ----------------------------------------------------------------------------

    def shown(self, value: float) -> str:
        return f"{amount(value)}{self.unit}"

    def raw_of_value(self) -> str:
        return self.figure.cumulative_raw if self.figure.cumulative_given else self.figure.increment_raw

    def note_explains(self, value: float) -> bool:
        """The 进展说明 states ``value`` or gives a reason for a figure of this size."""
        if any(s.value is not None and close(s.value, value, AGREE_TOLERANCE) for s in self.stated):
            return True
        return any(word in (self.figure.note or "") for word in JUMP_REASON_WORDS)

    # -- the rules --------------------------------------------------------------------------

    def percent_reading(self) -> None:
        """A bare ``0.8`` for a % KPI: 0.8 % as typed or 80 % (a fraction); see the module docstring
        of :mod:`reportlib.actuals.judge_rules` and docs/progress-rules.md."""
        verdict, raw, a = self.verdict, self.raw_of_value(), self.verdict.cumulative
        if not (a == a) or a == 0 or abs(a) > 1 or not is_bare(raw):
            return
        b = round(a * 100, 10)
        said = [s.value for s in self.stated if s.unit == PERCENT_UNIT and s.value is not None]
        if any(close(s, b, AGREE_TOLERANCE) for s in said):
            return self.convert_fraction(raw, a, b)
        if any(close(s, a, AGREE_TOLERANCE) for s in said):
            return
        plain, fraction = self.plausible_percent(a, raw), self.plausible_percent(b, "")
        if self.kind == "growth_rate":
            if plain and fraction and abs(a) < abs(self.spec.target) / PERCENT_PLAUSIBLE_FACTOR:
                verdict.readings.append(b)
                verdict.add("percent_small_as_typed", raw=raw, b=amount(b))
            elif not plain and fraction:
                self.convert_fraction(raw, a, b)
        elif plain and fraction:
            verdict.readings.append(b)
            verdict.add("percent_two_readings", raw=raw, a=amount(a), b=amount(b))
        elif fraction:
            self.convert_fraction(raw, a, b)

    def convert_fraction(self, raw: str, a: float, b: float) -> None:
        verdict = self.verdict
        verdict.cumulative = b
        verdict.readings.append(a)
        verdict.flags.add("percent_as_fraction")
        verdict.add("percent_fraction_converted", raw=raw, value=amount(b))

    def plausible_percent(self, value: float, raw: str) -> bool:
        """Whether a percent reading is plausible against the KPI's target (``raw``: the reading
        as typed, whose decimals tell a weak growth rate 0.8 from a fraction 0.085)."""
        target = self.spec.target
        if self.kind == "growth_rate":
            if raw and abs(value) <= GROWTH_NEAR_ZERO and decimals(raw) < FRACTION_DECIMALS:
                return True
            if target == 0:
                return abs(value) <= 100
            return 1 / PERCENT_PLAUSIBLE_FACTOR <= abs(value) / abs(target) <= PERCENT_PLAUSIBLE_FACTOR
        if not 0 <= value <= self.share_ceiling():
            return False
        return self.spec.is_cap or target == 0 or value / target >= 1 / PERCENT_PLAUSIBLE_FACTOR

    def share_ceiling(self) -> float:
        name = str(self.kpi.get("name") or "")
        return math.inf if any(word in name for word in RATE_MAY_EXCEED_100_WORDS) else 100.0

    def kind_rules(self) -> None:
        """Counts are whole and not negative; shares within their range; growth not below −100 %;
        percentage points small."""
        figure, verdict = self.figure, self.verdict
        value = verdict.cumulative
        if self.whole:
            for given, number, raw in ((figure.cumulative_given, verdict.cumulative, figure.cumulative_raw),
                                       (figure.increment_given, figure.increment, figure.increment_raw)):
                if given and number == number and abs(number - round(number)) > 1e-6 * max(1.0, abs(number)):
                    verdict.add("not_whole_count", unit=self.unit, value=raw or amount(number), hint=self.whole_hint(raw))
                    break
        if value != value:
            return
        if (self.kind in CUMULATIVE or (self.kind == ZERO_TARGET_KIND and self.unit != PERCENT_UNIT)) and value < 0:
            verdict.add("negative_quantity", value=self.shown(value))
        elif self.kind == "rate" or (self.kind == ZERO_TARGET_KIND and self.unit == PERCENT_UNIT):
            high = self.share_ceiling()
            if value < 0 or value > high:
                guess = slip_for(value / 100, "") if value > 100 else None
                hint = f"，是否为{amount(guess.undo(value))}%？" if guess and 0 <= guess.undo(value) <= 100 else ""
                verdict.add("share_out_of_range", high=amount(high), value=amount(value), hint=hint)
                if hint:
                    verdict.readings.append(guess.undo(value))
        elif self.kind == "growth_rate" and self.unit == PERCENT_UNIT and value < -100:
            verdict.add("growth_below_minus_100", value=amount(value))
        elif self.unit == POINTS_UNIT and abs(value) > 100:
            verdict.add("points_too_large", value=amount(value))

    def date_in_figure(self) -> None:
        """A figure typed as the quarter's closing date (``9.30`` in a third-quarter report: 截至9月30日)."""
        raw = self.raw_of_value()
        end = quarter_end_date(self.figure.quarter)
        date = date_reading(raw, (end.month,)) if decimals(raw) == 2 and typed_digits(raw) == self.verdict.cumulative else ""
        if date and date.endswith(f"{end.day}日"):
            self.verdict.add("looks_like_date", raw=raw, date=date)

    def whole_hint(self, raw: str) -> str:
        date = date_reading(raw)
        if date:
            return f"（「{raw}」像是日期{date}，是否把日期填进了数量栏？）"
        thousands = thousands_point_reading(raw)
        if thousands is not None:
            self.verdict.readings.append(thousands)
            return f"（是否为{amount(thousands)}？千位不要用小数点分隔）"
        return ""

    def falls(self) -> None:
        """A cumulative figure cannot fall within the year; when it falls and equals the increment
        typed beside it, the cumulative column holds the increment (the one reading that agrees)."""
        figure, verdict = self.figure, self.verdict
        value, increment, prior = verdict.cumulative, figure.increment, figure.prior
        if self.latest is None or value != value:
            return
        before = self.earlier[self.latest]
        if value >= before - 1e-9 * max(1.0, abs(before)):
            return
        if figure.cumulative_given and figure.increment_given and prior is not None and close(value, increment, 1e-9):
            verdict.readings.append(value)
            verdict.cumulative = prior + increment
            verdict.flags.add("cumulative_from_increment")
            verdict.add("cumulative_from_increment", typed=self.shown(value),
                        prev_label=short_label(previous_quarter(figure.quarter)), prev=self.shown(prior),
                        value=self.shown(prior + increment))
            return
        if any(word in (figure.note or "") for word in CORRECTION_WORDS):
            return verdict.add("cumulative_corrected", value=self.shown(value), prev_label=short_label(self.latest),
                               prev=self.shown(before))
        hint = ""
        if figure.cumulative_given and prior is not None and value > 0:
            verdict.readings.append(prior + value)
            hint = f"（如{amount(value)}是本季度完成数，累计应为{self.shown(prior + value)}）"
        verdict.add("cumulative_fell", value=self.shown(value), prev_label=short_label(self.latest),
                    prev=self.shown(before), hint=hint)

    def increment_agrees(self) -> None:
        """The increment typed beside a cumulative figure is that figure minus last quarter's."""
        figure, verdict = self.figure, self.verdict
        value, increment, prior = verdict.cumulative, figure.increment, figure.prior
        if not (figure.cumulative_given and figure.increment_given and prior is not None) or value != value:
            return
        if "cumulative_from_increment" in verdict.flags:
            return
        if abs(value - (prior + increment)) <= INCREMENT_TOLERANCE * max(1.0, abs(value)):
            return
        if close(value, increment, 1e-9) and prior > 0:
            verdict.readings.append(prior + increment)
            verdict.add("same_in_both_columns", typed=self.shown(value),
                        prev_label=short_label(previous_quarter(figure.quarter)), prev=self.shown(prior),
                        alternative=self.shown(prior + increment))
        else:
            verdict.add("increment_inconsistent", inc=self.shown(increment), value=amount(value), prev=amount(prior),
                        diff=amount(value - prior))

    def remark(self) -> None:
        """A 进展说明 stating the typed number in another magnitude or unit holds the figure."""
        figure, verdict = self.figure, self.verdict
        for label, given, raw, value, base in (
                ("累计完成", figure.cumulative_given, figure.cumulative_raw, verdict.cumulative, 0.0),
                ("本季度完成", figure.increment_given, figure.increment_raw, figure.increment, figure.prior)):
            digits = typed_digits(raw)
            if not given or value != value or not digits:
                continue
            for stated in self.stated:
                if stated.value is not None and close(stated.value, value, AGREE_TOLERANCE):
                    break
                if stated.digits != digits:
                    continue
                if stated.value is not None and value and self.unit != PERCENT_UNIT:
                    if base is not None:
                        verdict.readings.append(base + stated.value)
                    verdict.add("remark_magnitude", remark=stated.text, label=label, value=self.shown(value),
                                factor=times(stated.value / value).replace("约", ""), proposal=self.shown(stated.value),
                                unit=self.unit)
                    return
                if stated.value is None and (self.unit == PERCENT_UNIT or dimension_family(stated.unit) in MEASURE_FAMILIES):
                    verdict.add("remark_unit", remark=stated.text, other=stated.unit, unit=self.unit)
                    return

    def size_of_cumulative(self) -> None:
        """Against the expected value and the increment the plan expects since the last trusted
        figure: an order of magnitude off is held (or warned when the remark explains it)."""
        figure, verdict, spec = self.figure, self.verdict, self.spec
        value = verdict.cumulative
        if not value > 0 or not spec.target > 0:
            return
        expected = spec.expected(self.q) if spec.expected(self.q) > 0 else spec.target * self.q / 4
        if self.whole:
            expected = max(expected, min(spec.target, 1.0))
        ratio = value / expected
        base_q = quarter_index(self.latest) if self.latest else 0
        base = self.earlier[self.latest] if self.latest else 0.0
        expected_step = max(spec.expected(self.q) - (spec.expected(base_q) if base_q else 0.0),
                            spec.target * (self.q - base_q) / 4, 1.0 if self.whole else 0.0)
        step = value - base
        step_ratio = step / expected_step if expected_step > 0 and step > 0 else 0.0
        reference = f"序时进度{self.shown(expected)}"
        if ratio >= MAGNITUDE_RATIO or step_ratio >= MAGNITUDE_RATIO:
            if ratio < MAGNITUDE_RATIO:
                ratio, reference = step_ratio, f"此前累计{self.shown(base)}以来计划增量{self.shown(expected_step)}"
                shown_value = f"本期增加的{self.shown(step)}"
            else:
                shown_value = self.shown(value)
            if figure.cumulative_given:
                slip = slip_for(value / base if ratio == step_ratio and base > 0 else ratio, self.unit)
                proposal = slip.undo(value) if slip else None
            else:
                slip = slip_for(step_ratio or ratio, self.unit)
                proposal = base + slip.undo(step) if slip else None
            return self.too_large(shown_value, reference, ratio, slip, proposal)
        if ratio <= 1 / MAGNITUDE_RATIO and not spec.is_cap:
            return self.too_small(value, reference, ratio, expected)
        self.column_mixups(value, expected, ratio, base, step, expected_step)

    def column_mixups(self, value: float, expected: float, ratio: float, base: float, step: float,
                      expected_step: float) -> None:
        """Figures typed in the wrong place: the annual target copied into 累计完成, a cumulative
        figure typed as the increment, an increment a tenth of the plan's (warnings)."""
        figure, verdict, spec = self.figure, self.verdict, self.spec
        if spec.is_cap:
            return
        if figure.cumulative_given and self.q < 4 and value == spec.target and ratio >= EQUALS_TARGET_RATIO:
            return verdict.add("equals_target", value=self.shown(value), expected=self.shown(expected), ratio=times(ratio))
        increment, prior = figure.increment, figure.prior
        if (not figure.cumulative_given and figure.increment_given and prior and increment > prior
                and abs(increment / expected - 1) <= LOOKS_CUMULATIVE_CLOSENESS
                and abs(increment / expected - 1) < abs(ratio - 1)):
            verdict.readings.append(increment)
            return verdict.add("increment_looks_cumulative", inc=self.shown(increment), prev=self.shown(prior),
                               value=self.shown(value))
        if (self.latest and 0 < step <= expected_step * FAR_BELOW_EXPECTED
                and (not self.whole or expected_step >= FAR_BELOW_MIN_ITEMS)):
            slip = slip_for(step / expected_step, self.unit)
            guess = (f"，本季度是否为{self.shown(slip.undo(step))}？" if slip and slip.factor in DECIMAL_FACTORS else "")
            if guess:
                verdict.readings.append(base + slip.undo(step))
            verdict.add("far_below_expected", value=f"本期增加的{self.shown(step)}",
                        reference=f"此前累计{self.shown(base)}以来计划增量{self.shown(expected_step)}",
                        pct=f"{step / expected_step * 100:.1f}%", guess=guess)

    def too_large(self, shown_value: str, reference: str, ratio: float, slip, proposal: float | None) -> None:
        verdict = self.verdict
        if proposal is not None and (proposal < 0 or (self.whole and abs(proposal - round(proposal)) > 1e-6)):
            proposal = None
        if proposal is not None:
            verdict.readings.append(proposal)
        if self.note_explains(verdict.cumulative) or self.note_explains(self.figure.increment):
            verdict.explained = True
            why = "进展说明中写明了该数" if any(
                s.value is not None and (close(s.value, verdict.cumulative, AGREE_TOLERANCE)
                                         or close(s.value, self.figure.increment, AGREE_TOLERANCE)) for s in self.stated
            ) else "进展说明中写明了原因"
            verdict.add("magnitude_explained", value=shown_value, reference=reference, ratio=times(ratio), why=why)
            return
        guess = f"疑似{slip.what}：是否为{self.shown(proposal)}？" if proposal is not None else "明显超出计划"
        verdict.add("magnitude_slip", value=shown_value, reference=reference, ratio=times(ratio), guess=guess)

    def too_small(self, value: float, reference: str, ratio: float, expected: float) -> None:
        verdict = self.verdict
        unit_slip = slip_for(ratio, self.unit, unit_only=True)
        if unit_slip is not None and unit_slip.factor >= 600 and not self.note_explains(value):
            proposal = unit_slip.undo(value)
            verdict.readings.append(proposal)
            verdict.add("magnitude_slip", value=self.shown(value), reference=reference, ratio=times(ratio),
                        guess=f"疑似{unit_slip.what}：是否为{self.shown(proposal)}？")
        elif not self.whole or expected >= FAR_BELOW_MIN_ITEMS:
            if ratio > FAR_BELOW_EXPECTED:
                return
            slip = slip_for(ratio, self.unit)
            guess = f"，是否为{self.shown(slip.undo(value))}？" if slip and slip.factor in (10.0, 100.0) else ""
            if guess:
                verdict.readings.append(slip.undo(value))
            verdict.add("far_below_expected", value=self.shown(value), reference=reference,
                        pct=f"{ratio * 100:.1f}%", guess=guess)

    def size_of_rate(self) -> None:
        """Rates and growth rates: ten times (or a tenth of) the KPI's previous quarter, a share a
        tenth of a high target, a growth rate ten times its target."""
        verdict, spec = self.verdict, self.spec
        value = verdict.cumulative
        if value != value or value == 0:
            return
        previous = self.earlier.get(self.latest) if self.latest else None
        growth = self.kind == "growth_rate"
        floor = GROWTH_RATIO_FLOOR if growth else 0.0
        if previous and abs(previous) >= floor and abs(value) >= floor and (previous > 0) == (value > 0):
            ratio = value / previous
            if ratio >= MAGNITUDE_RATIO or ratio <= 1 / MAGNITUDE_RATIO:
                return self.rate_slip(value, f"{short_label(self.latest)}的{self.shown(previous)}", ratio)
        target = spec.target
        if growth and target and abs(value) >= MAGNITUDE_RATIO * abs(target) and abs(value) >= 10:
            return self.rate_slip(value, f"目标{self.shown(target)}", value / target)
        if not growth and not spec.is_cap and target >= HIGH_SHARE_TARGET and 0 < value < target / MAGNITUDE_RATIO:
            return self.rate_slip(value, f"目标{self.shown(target)}", value / target)
        if not growth and not spec.is_cap and target >= HIGH_SHARE_TARGET and 0 < value < target * LOW_SHARE_SHARE:
            self.verdict.add("far_below_expected", value=self.shown(value), reference=f"目标{self.shown(target)}",
                             pct=f"{value / target * 100:.1f}%", guess="")

    def rate_slip(self, value: float, reference: str, ratio: float) -> None:
        slip = slip_for(abs(ratio), "")
        proposal = slip.undo(value) if slip and slip.factor in DECIMAL_FACTORS else None
        if abs(ratio) > 1:
            return self.too_large(self.shown(value), reference, abs(ratio), slip, proposal)
        if proposal is not None:
            self.verdict.readings.append(proposal)
        self.verdict.add("magnitude_slip", value=self.shown(value), reference=reference, ratio=times(abs(ratio)),
                         guess=f"疑似小数点位置不对或漏输了0：是否为{self.shown(proposal)}？" if proposal is not None else "请核实")

    def far_above_target(self) -> None:
        """Completion far above the annual target is itself a warning (a rate or growth rate only
        from FAR_ABOVE_MIN_PERCENT up, so that 2.5 % against 1 % is no alarm)."""
        spec, value = self.spec, self.verdict.cumulative
        if spec.is_cap or not spec.target > 0 or value != value or self.kind not in (*CUMULATIVE, "rate", "growth_rate"):
            return
        if self.kind not in CUMULATIVE and value < FAR_ABOVE_MIN_PERCENT:
            return
        completion = value / spec.target
        if completion >= FAR_ABOVE_TARGET:
            self.verdict.add("far_above_target", value=self.shown(value), pct=f"{completion * 100:.0f}%")
