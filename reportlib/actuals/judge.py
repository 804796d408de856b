"""Judge every accepted figure: accepted, accepted with a warning, or held (not used), with the
rule, the reason and what to do (:data:`reportlib.actuals.judge_rules.RULES`).

The ledger (:meth:`reportlib.actuals.ledger.Ingest.resolve`) calls :meth:`Judge.verdict` once
per KPI and quarter, in quarter order, on the row that won supersession, with the KPI's
*trusted* figures of the earlier quarters (accepted, warned or confirmed: a held figure is no
basis for the next quarter). A verdict may choose another reading of the figure (a bare
``0.95`` read as 95 %, a cumulative column holding the increment) — then it says which and the
figure is warned; when two readings stay plausible it holds. A confirmation in the quarter's
``confirmations.yaml`` (:mod:`reportlib.actuals.confirmations`) that names the figure or one of
its readings makes it ``confirmed``.

The plan's expected value comes from :class:`reportlib.progress.spec.KpiSpec`, the one place
that knows what the plan asks by a quarter (imported when a judge is made: progress reads the
actuals, so the import is not at module level).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reportlib.actuals.confirmations import Confirmation
from reportlib.actuals.judge_rules import ACCEPTED, CONFIRMED, HELD, SUPERSEDED, WARNED, outcome_of, rule_message
from reportlib.actuals.numeric import NumericRules
from reportlib.actuals.readings import amount
from reportlib.actuals.rules import MILESTONE_KIND, STATE_LABELS, STATE_ORDER
from reportlib.actuals.verdict import Figure, History, Verdict, short_label
from reportlib.quarters import previous_quarter, quarter_label


class Judge:
    """Judges figures of one plan's KPIs; remembers which confirmations it used."""

    def __init__(self, kpis: dict[str, dict], confirmations: dict[tuple[str, str], Confirmation] | None = None):
        from reportlib.progress.spec import KpiSpec  # progress reads actuals: not at module level

        self.kpis = kpis
        self.confirmations = confirmations or {}
        self.unused: list[dict] = []
        self.seen: set[tuple[str, str]] = set()
        self._spec = KpiSpec.from_row
        self.specs: dict[str, object] = {}

    def spec(self, kpi_id: str):
        if kpi_id not in self.specs:
            self.specs[kpi_id] = self._spec(self.kpis[kpi_id])
        return self.specs[kpi_id]

    # -- entry points ----------------------------------------------------------------------

    def verdict(self, figure: Figure, earlier: History) -> Verdict:
        """Judge ``figure`` against its plan and the KPI's trusted ``earlier`` quarters."""
        kpi = self.kpis[figure.kpi_id]
        verdict = Verdict(figure.cumulative, figure.increment)
        if str(kpi.get("kind") or "") == MILESTONE_KIND:
            self._milestone(figure, earlier, verdict)
        else:
            NumericRules(self.spec(figure.kpi_id), kpi, figure, earlier, verdict).run()
        verdict.outcome = outcome_of(verdict.codes)
        self._confirm(figure, verdict)
        return verdict

    def prior_held(self, figure: Figure) -> Verdict:
        """A row of increments only whose previous quarter is held: nothing to derive from."""
        verdict = Verdict(math.nan, figure.increment)
        verdict.add("prior_held", prev_label=short_label(previous_quarter(figure.quarter)))
        verdict.outcome = HELD
        self._confirm(figure, verdict)
        return verdict

    def unused_confirmations(self) -> list[dict]:
        """Confirmations that were not used, each with the reason (for the summary and 数据质量)."""
        never = [{**c.as_dict(), "message": f"{c.file}:{c.line}：{c.kpi_id} {quarter_label(c.quarter)}没有可确认的报送数据，确认未使用"}
                 for key, c in sorted(self.confirmations.items()) if key not in self.seen]
        return sorted(self.unused + never, key=lambda u: (u["file"], u["line"]))

    # -- milestones and confirmations --------------------------------------------------------

    def _milestone(self, figure: Figure, earlier: History, verdict: Verdict) -> None:
        states = [(q, s) for q, (_, s) in sorted(earlier.items()) if s]
        if states and STATE_ORDER.get(figure.state, 0) < STATE_ORDER.get(states[-1][1], 0):
            verdict.add("state_regressed", prev_label=short_label(states[-1][0]), prev=STATE_LABELS[states[-1][1]],
                        now=STATE_LABELS.get(figure.state, figure.state))

    def _confirm(self, figure: Figure, verdict: Verdict) -> None:
        key = (figure.kpi_id, figure.quarter)
        confirmation = self.confirmations.get(key)
        if confirmation is None:
            return
        self.seen.add(key)
        where = f"{confirmation.file}:{confirmation.line}：{figure.kpi_id} {quarter_label(figure.quarter)}"
        if verdict.outcome == ACCEPTED:
            self.unused.append({**confirmation.as_dict(), "message": f"{where}的数据已正常采用，无需确认"})
            return
        values = [figure.cumulative, verdict.cumulative, *verdict.readings]
        if not confirmation.matches(values, figure.state):
            shown = confirmation.state and STATE_LABELS[confirmation.state] or amount(confirmation.value)
            self.unused.append({**confirmation.as_dict(), "message": (
                f"{where}确认的“{shown}”既不是报送数，也不是系统提示的可能数值（报送数据可能已更正），确认未使用")})
            return
        verdict.outcome, verdict.confirmation = CONFIRMED, confirmation
        verdict.flags.add("confirmed")
        if not confirmation.state and not math.isclose(confirmation.value, verdict.cumulative):
            verdict.cumulative = confirmation.value
            if not figure.increment_given and figure.prior is not None:
                verdict.increment = confirmation.value - figure.prior
        verdict.messages.append(f"经核实确认（{confirmation.who}：{confirmation.why}）")


def judgement_columns(survivors: list[int], superseded: np.ndarray, verdicts: dict[int, Verdict]) -> dict[str, np.ndarray]:
    """The judgement columns of the actuals table for the ``survivors`` rows (batch indices, in the
    table's order): "superseded" and blanks, then each winner's verdict (a few per KPI, set by index)."""
    count = len(survivors)
    judgement = np.full(count, SUPERSEDED, dtype=object)
    reasons, messages = np.full(count, "", dtype=object), np.full(count, "", dtype=object)
    position = {row: at for at, row in enumerate(survivors)}
    for row, verdict in verdicts.items():
        if superseded[row]:
            continue
        at = position[row]
        judgement[at], reasons[at], messages[at] = verdict.outcome, ";".join(dict.fromkeys(verdict.codes)), verdict.message
    return {"judgement": judgement, "reasons": reasons, "judgement_message": messages}


def judged_rows(actuals: pd.DataFrame) -> list[dict]:
    """Every figure warned, held or confirmed, by KPI and quarter, with where it came from and why
    (the ingest summary's ``judged``: what the console, 数据质量 and 催报 lists show)."""
    rows = actuals[actuals["judgement"].isin((WARNED, HELD, CONFIRMED))]
    return [{"kpi_id": r.kpi_id, "quarter": r.quarter, "outcome": r.judgement, "reasons": r.reasons,
             "message": r.judgement_message, "file": r.source_file, "sheet": r.source_sheet, "row": int(r.source_row),
             "cumulative": None if math.isnan(r.cumulative) else float(r.cumulative), "state": r.state}
            for r in rows.itertuples(index=False)]


def warn_community_mismatches(actuals: pd.DataFrame, mismatches: list[dict]) -> pd.DataFrame:
    """A summary row whose figure differs from its villages' sheets (reportlib.actuals.communities)
    is warned (``community_sum_mismatch``): which of the two is right cannot be told."""
    if not mismatches:
        return actuals
    actuals = actuals.copy()
    where = {(r.source_file, r.kpi_id, r.quarter): i for i, r in enumerate(actuals.itertuples(index=False))
             if not r.superseded}
    for item in mismatches:
        i = where.get((item["file"], item["kpi_id"], item["quarter"]))
        if i is None or actuals.at[i, "judgement"] not in (ACCEPTED, WARNED):
            continue
        message = rule_message("community_sum_mismatch", value=amount(item["summary_value"]), total=amount(item["communities_total"]))
        actuals.at[i, "judgement"] = WARNED
        actuals.at[i, "reasons"] = ";".join(filter(None, (actuals.at[i, "reasons"], "community_sum_mismatch")))
        actuals.at[i, "judgement_message"] = "；".join(filter(None, (actuals.at[i, "judgement_message"], message)))
    return actuals
