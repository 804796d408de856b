"""The ingest ledger: every data row read ends up accepted, superseded or rejected."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from reportlib.actuals import confirmations
from reportlib.actuals.judge import Judge, judged_rows, judgement_columns, warn_community_mismatches
from reportlib.actuals.judge_rules import CONFIRMED, HELD, WARNED
from reportlib.actuals.verdict import Figure, Verdict
from reportlib.actuals.records import actuals_frame, rejects_frame
from reportlib.actuals.rules import BASE_ACTUALS_COLUMNS
from reportlib.actuals.cells import cell_text, folder_quarter, is_blank
from reportlib.actuals.headers import detect_header
from reportlib.actuals.normalize import RowParser, classify_row, is_point_in_time, plan_unit
from reportlib.actuals import communities, files
from reportlib.actuals.bulk import Batch, TextSheetParser
from reportlib.actuals.readers import FileInfo, FileProblem, Sheet
from reportlib.actuals.records import Candidate, FileError, KpiIndex, Reject, RowReject, describe, flag_mask, flag_text, flag_texts, kpi_text
from reportlib.actuals.rules import MAX_CONFLICT_OTHERS
from reportlib.actuals.rules import FIELD_LABELS, FILE_ERRORS, HEADER_SCAN_ROWS, INSTRUCTION_SHEET_NAMES, LOOSE_TEXT_EXTENSIONS, MILESTONE_KIND, SAMPLE_MARKER
from reportlib.errors import InputError
from reportlib.quarters import (
    previous_quarter,
    quarter_index,
    quarter_label,
)

@dataclass
class IngestResult:
    """Everything one ingest run produced."""

    actuals: pd.DataFrame
    rejects: pd.DataFrame
    summary: dict
    details: pd.DataFrame | None = None  # per-community detail rows (never actuals)

    @property
    def clean(self) -> bool:
        """No rejects, no file errors and no figure held."""
        return self.summary["rejected"] == 0 and not self.summary["file_errors"] and not self.summary.get("held")


class Ingest:
    """One ingest run over a folder of submissions (collects rows, rejects and errors)."""

    texts_in_bulk = True  # CSV sheets through TextSheetParser (False: row by row, as workbooks)

    def __init__(self, raw_dir: Path, plan: Any):
        self.raw_dir = Path(raw_dir)
        self.year = int(plan.year)
        self.index = KpiIndex(plan.kpis)
        self.batch = Batch()
        self.rejects: list[Reject] = []
        self.file_errors: list[FileError] = []
        self.files: list[FileInfo] = []
        self.ignored: list[str] = []
        self.skipped: Counter = Counter()
        self.rows_read = 0
        self.files_failed = 0
        self.text_parsers: dict[tuple, TextSheetParser] = {}
        self.interned: dict[str, str] = {}
        self.digests: dict[str, bytes] = {}  # relative path -> sha256 of the bytes read
        self.mtimes: dict[str, int] = {}  # relative path -> modification time (ns): the last tie-breaker
        self.not_read: list[dict] = []  # files_not_read entries
        self.hidden_rows: list[dict] = []  # {file, sheet, rows}
        self.details: list[tuple[str, Candidate]] = []  # (community, row) of per-community detail sheets
        self.conflicts: list[dict] = []
        self.warnings: list[dict] = []  # problems with rows that were kept (row_warnings)

    # -- files -------------------------------------------------------------

    def discover(self) -> list[tuple[str, Path]]:
        """Submission files to read, sorted by relative path; the others go to ``files_not_read``."""
        if not self.raw_dir.is_dir():
            raise InputError("找不到实际完成数据文件夹", file=str(self.raw_dir))
        found, not_read, links = files.discover(self.raw_dir, self.year)
        # a quarter folder's confirmations.yaml is the analyst's reviewed decisions, read by run()
        self.not_read = [entry for entry in not_read if not confirmations.is_confirmations_file(entry["file"])]
        for rel, reason in links:
            self.files_failed += 1
            self.file_error(rel, "", None, reason)
        self.ignored = [entry["file"] for entry in self.not_read if entry["reason"] == "other_type"]
        return found

    def file_error(self, file: str, sheet: str, row: int | None, reason: str, detail: str = "", column: str = "", raw: str = "") -> None:
        """Record a file-level error with its Chinese message."""
        message = describe(file, sheet, row, column, raw, reason, detail) if row else (
            f"文件「{file}」" + (f"工作表「{sheet}」" if sheet else "") + f"：{FILE_ERRORS[reason]}" + (f"（{detail}）" if detail else "")
        )
        self.file_errors.append(FileError(file, sheet, row, reason, message))

    def read_file(self, rel: str, path: Path) -> None:
        """Read one file (by its content) and feed its sheets to :meth:`read_sheet`; file problems are recorded."""
        try:
            self.mtimes[rel] = path.stat().st_mtime_ns
            sheets, info = files.open_file(path, rel, self.digests)
        except FileProblem as problem:
            self.files_failed += 1
            self.file_error(rel, "", None, problem.reason, problem.detail)
            return
        except OSError:
            self.files_failed += 1
            self.file_error(rel, "", None, "corrupt_file", "无法打开文件（可能正被其他程序占用或没有读取权限）")
            return
        self.files.append(info)
        errors_before = len(self.file_errors)
        roles = communities.sheet_roles(sheets)
        if roles.missing_summary:
            self.file_error(rel, "", None, "no_summary_sheet", "分表：" + "、".join(roles.details))
        for sheet in sheets:
            if sheet.hidden:
                if not all(is_blank(v) for row in sheet.rows for v in row):
                    self.not_read.append({**files.not_read(rel, "hidden_sheet"), "sheet": sheet.name})
                continue
            community = sheet.name if sheet.name in roles.details else ""
            info.rows_read += self.read_sheet(rel, sheet, info, texts_only=self.texts_in_bulk and info.format in ("csv", "text"),
                                              community=community)
        if not info.sheets and len(self.file_errors) == errors_before:
            if info.format == "text" and PurePosixPath(rel).suffix.lower() in LOOSE_TEXT_EXTENSIONS:
                self.files.remove(info)
                self.not_read.append(files.not_read(rel, "no_header_text"))
                self.file_errors = self.file_errors[:errors_before]
                return
            self.file_error(rel, "", None, "no_header", "文件中没有任何内容")

    def read_sheet(self, rel: str, sheet: Sheet, info: FileInfo, *, texts_only: bool = False, community: str = "") -> int:
        """Parse one sheet's data rows; returns the number of data rows read.

        ``texts_only``: every cell is text or None and there are no formulas (CSV), so
        the rows go through :class:`TextSheetParser`, which applies the same rules.
        ``community``: the sheet is a community's detail (see :mod:`~reportlib.actuals.communities`);
        its rows go to the details table, never to the actuals. Hidden rows are skipped
        (``skipped_by_kind["hidden_row"]``) and listed in ``hidden_rows``.
        """
        if sheet.name.strip().lower() in INSTRUCTION_SHEET_NAMES:
            return 0
        if all(is_blank(v) for row in sheet.rows for v in row) and not sheet.formulas:
            return 0
        folder = folder_quarter(rel)
        header = detect_header(sheet.rows, sheet.found, scanned=sheet.scanned,
                               prefer_quarter=quarter_index(folder) if folder else None)
        if header is None:
            if not (PurePosixPath(rel).suffix.lower() in LOOSE_TEXT_EXTENSIONS and info.format == "text"):
                self.file_error(rel, sheet.name, None, "no_header", f"已检查前{HEADER_SCAN_ROWS}行")
            return 0
        if header.ambiguous:
            self.file_error(rel, sheet.name, None, "ambiguous_columns", header.ambiguous)
            return 0
        info.sheets.append(sheet.name)
        above = [cell_text(v) for row in sheet.rows[: header.row - 1] for v in row]
        info.sample = info.sample or SAMPLE_MARKER in rel or any(SAMPLE_MARKER in text for text in above)
        parser = RowParser(self.index, self.year, header, rel, sheet)
        used_columns = set(header.columns.values())
        formula_rows = {row for row, col in sheet.formulas if col in used_columns}
        last = next((i for i in range(len(sheet.rows), 0, -1)
                     if i in formula_rows or any(not is_blank(v) for v in sheet.rows[i - 1])), 0)
        hidden = sorted(r for r in sheet.hidden_rows if header.row < r <= last)
        if hidden:
            self.hidden_rows.append({"file": rel, "sheet": sheet.name, "rows": hidden})
        if texts_only and not sheet.formulas and not community:
            signature = TextSheetParser.signature(parser)
            fast = self.text_parsers.get(signature)
            if fast is None:
                fast = self.text_parsers[signature] = TextSheetParser(parser, self.interned)
            return fast.read(self, rel, sheet, header.row + 1, last, info)
        count = 0
        for row_number in range(header.row + 1, last + 1):
            row = sheet.rows[row_number - 1] if row_number <= len(sheet.rows) else []
            skip = "hidden_row" if row_number in sheet.hidden_rows else classify_row(row, row_number in formula_rows, header)
            if skip:
                self.skipped[skip] += 1
                if skip == "footer" and any(SAMPLE_MARKER in cell_text(v) for v in row):
                    info.sample = True
                continue
            count += 1
            try:
                candidate = parser.parse(row_number, row)
                if community:
                    self.details.append((community, candidate))
                else:
                    self.batch.add_candidate(candidate)
            except RowReject as rejected:
                self.reject(rel, sheet.name, row_number, rejected)
            for number, problem in parser.problems:
                self.warn(rel, sheet.name, number, problem)
            parser.problems.clear()
        return count

    def warn(self, file: str, sheet: str, row: int, problem: RowReject) -> None:
        """Record a problem with a row that was kept (a bad 填报日期): listed in ``row_warnings``."""
        raw = cell_text(problem.raw)
        message = describe(file, sheet, row, problem.column, raw, problem.reason, problem.detail)
        self.warnings.append({"file": file, "sheet": sheet, "row": row, "column": problem.column, "raw_value": raw,
                              "reason": problem.reason, "message": message})

    def reject(self, file: str, sheet: str, row: int, rejected: RowReject, *, kpi: tuple[str, str] | None = None,
               quarter: str = "") -> None:
        """Record a rejected row (formula problems also go to file_errors). ``kpi``: (id, name) as
        resolved, or as typed when the KPI is unknown; ``quarter``: the row's, when read. Both
        default to what the row parser attached to ``rejected``."""
        raw = cell_text(rejected.raw)
        kpi_id, kpi_name = kpi or rejected.kpi or ("", "")
        quarter = quarter or rejected.quarter or folder_quarter(file) or ""
        message = describe(file, sheet, row, rejected.column, raw, rejected.reason, rejected.detail,
                           kpi=kpi_text(kpi_id, kpi_name))
        self.rejects.append(Reject(file, sheet, row, rejected.column, raw, rejected.reason, message, kpi_id, kpi_name, quarter))
        if rejected.reason == "formula_without_value":
            self.file_errors.append(FileError(file, sheet, row, rejected.reason, message))

    # -- resolution ----------------------------------------------------------

    def drop_duplicates_in_files(self, kpi_c: np.ndarray, quarter_c: np.ndarray) -> np.ndarray:
        """Keep the first row per (file, KPI, quarter); reject the later ones. Returns the kept rows.

        ``kpi_c``, ``quarter_c``: codes of every row's KPI and quarter.
        """
        batch = self.batch
        n = len(batch)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        file = np.asarray(batch.file, dtype=np.int64)
        key = (file * (int(kpi_c.max()) + 1) + kpi_c) * (int(quarter_c.max()) + 1) + quarter_c
        _, first_index, inverse = np.unique(key, return_index=True, return_inverse=True)
        first = first_index[inverse.reshape(-1)]
        duplicate = first != np.arange(n)
        cumulative, increment = np.asarray(batch.cumulative), np.asarray(batch.increment)

        def same(i: int, j: int) -> bool:
            return batch.state[i] == batch.state[j] and all(
                (math.isnan(a[i]) and math.isnan(a[j])) or a[i] == a[j] for a in (cumulative, increment))

        differing = {int(first[i]) for i in np.flatnonzero(duplicate).tolist() if not same(i, int(first[i]))}
        for i in np.flatnonzero(duplicate).tolist():
            j = int(first[i])
            where = f"{batch.sheet[j]}第{batch.row[j]}行" if batch.sheet[j] else f"第{batch.row[j]}行"
            detail = (f"与{where}数值不同，无法确定哪一行正确，两行均未采用" if j in differing
                      else f"已采用{where}，本行未采用")
            self.reject(batch.files[batch.file[i]], batch.sheet[i], batch.row[i], RowReject(
                "duplicate_in_file", FIELD_LABELS["kpi_id"], batch.kpi_id[i], detail),
                kpi=(batch.kpi_id[i], self.index.name(batch.kpi_id[i])), quarter=batch.quarter[i])
        for j in sorted(differing):
            self.reject(batch.files[batch.file[j]], batch.sheet[j], batch.row[j], RowReject(
                "duplicate_in_file", FIELD_LABELS["kpi_id"], batch.kpi_id[j], "同一文件中另有一行数值不同，无法确定哪一行正确，两行均未采用"),
                kpi=(batch.kpi_id[j], self.index.name(batch.kpi_id[j])), quarter=batch.quarter[j])
            duplicate[j] = True
        return np.flatnonzero(~duplicate)

    def resolve(self) -> dict[str, Any]:
        """Derive figures, mark superseded rows and flag checks, per KPI in quarter order.

        Works on whole columns: rows of one KPI and quarter are sorted by precedence
        (:meth:`Candidate.precedence`: 填报日期, file name, path, sheet, row); figures
        are derived from the previous quarter's effective (winning) row, checks compare
        with the latest earlier quarter's; the last row that survives wins and the
        others are superseded. Returns the columns of the actuals table (survivors).
        """
        batch = self.batch

        def codes(values: list) -> np.ndarray:
            """Codes that sort like the values (Python string order)."""
            if not values:
                return np.zeros(0, dtype=np.int64)
            found, _ = pd.factorize(np.asarray(values, dtype=object), sort=True)
            return found.astype(np.int64)

        def file_ranks(key) -> np.ndarray:
            order = sorted(range(len(batch.files)), key=lambda i: key(batch.files[i]))
            ranks = np.empty(len(batch.files), dtype=np.int64)
            ranks[order] = np.arange(len(order))
            return ranks

        all_kpi_c, all_quarter_c = codes(batch.kpi_id), codes(batch.quarter)
        kept = self.drop_duplicates_in_files(all_kpi_c, all_quarter_c)
        n = len(kept)
        cumulative = np.asarray(batch.cumulative, dtype=np.float64).copy()
        increment = np.asarray(batch.increment, dtype=np.float64).copy()
        flags = np.asarray(batch.flags, dtype=np.int64).copy()
        file = np.asarray(batch.file, dtype=np.int64)
        rows = np.asarray(batch.row, dtype=np.int64)
        kpi_c, quarter_c = all_kpi_c[kept], all_quarter_c[kept]
        all_date_c = codes(batch.report_date)
        date_c, sheet_c = all_date_c[kept], codes(batch.sheet)[kept]
        name_rank = file_ranks(lambda f: (PurePosixPath(f).name, f)) if batch.files else np.zeros(0, np.int64)
        path_rank = file_ranks(lambda f: f) if batch.files else np.zeros(0, np.int64)
        mtime_rank = file_ranks(lambda f: self.mtimes.get(f, 0)) if batch.files else np.zeros(0, np.int64)
        kept_file = file[kept]
        order = kept[np.lexsort((rows[kept], sheet_c, path_rank[kept_file] if n else kept_file,
                                 name_rank[kept_file] if n else kept_file, mtime_rank[kept_file] if n else kept_file,
                                 date_c, quarter_c, kpi_c))]
        position = np.empty(len(batch), dtype=np.int64)
        position[kept] = np.arange(n)
        group_key = kpi_c[position[order]] * (int(quarter_c.max()) + 1 if n else 1) + quarter_c[position[order]]
        starts = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]]) if n else np.zeros(0, np.int64)
        ends = np.r_[starts[1:], n]

        superseded = np.zeros(len(batch), dtype=bool)
        alive_all: list[np.ndarray] = []
        bits = {name: flag_mask([name]) for name in ("rate_from_increment", "derived_cumulative", "derived_increment")}
        effective: dict[str, tuple[float, str]] = {}  # the KPI's trusted figures so far (never a held one)
        held_quarters: set[str] = set()
        verdicts: dict[int, Verdict] = {}
        current_kpi = None
        for start, end in zip(starts.tolist(), ends.tolist()):
            group = order[start:end]
            first = int(group[0])
            kpi_id, quarter = batch.kpi_id[first], batch.quarter[first]
            if kpi_id != current_kpi:
                current_kpi, effective, held_quarters = kpi_id, {}, set()
                kpi = self.index.by_id[kpi_id]
                kind = str(kpi.get("kind") or "")
                point_in_time = is_point_in_time(kind, plan_unit(kpi))
            alive, prior_value = group, None
            if kind != MILESTONE_KIND:
                cum, inc = cumulative[group], increment[group]
                missing = np.isnan(cum)
                if point_in_time:
                    if missing.any():
                        cumulative[group[missing]] = inc[missing]
                        flags[group[missing]] |= bits["rate_from_increment"]
                else:
                    prior = effective.get(previous_quarter(quarter))
                    prior_value = 0.0 if quarter_index(quarter) == 1 else (prior[0] if prior is not None else None)
                    if prior_value is None and previous_quarter(quarter) not in held_quarters:
                        for i in group[missing].tolist():
                            self.reject(batch.files[batch.file[i]], batch.sheet[i], batch.row[i], RowReject(
                                "missing_prior_quarter", batch.increment_column[i] or FIELD_LABELS["increment"],
                                batch.increment_raw[i], f"缺少{quarter_label(previous_quarter(quarter))}的数据"),
                                kpi=(kpi_id, self.index.name(kpi_id)), quarter=quarter)
                        alive = group[~missing]
                    elif prior_value is not None:  # (a held previous quarter: nothing to derive; judged below)
                        if missing.any():
                            cumulative[group[missing]] = prior_value + inc[missing]
                            flags[group[missing]] |= bits["derived_cumulative"]
                        no_increment = ~missing & np.isnan(inc)
                        if no_increment.any():
                            increment[group[no_increment]] = cum[no_increment] - prior_value
                            flags[group[no_increment]] |= bits["derived_increment"]
            if len(alive) == 0:
                continue
            superseded[alive[:-1]] = True
            last = int(alive[-1])
            verdict = self.judge_row(last, cumulative, increment, flags, prior_value, effective)
            verdicts[last] = verdict
            if len(alive) > 1:
                self.note_conflict(alive, cumulative, flags, all_date_c)
            if verdict.outcome == HELD:
                held_quarters.add(quarter)
            else:
                effective[quarter] = (float(cumulative[last]), batch.state[last])
            alive_all.append(alive)
        survivors = np.concatenate(alive_all) if alive_all else np.zeros(0, dtype=np.int64)
        # in the table's order: kpi_id, quarter, source_file, source_sheet, source_row
        at = position[survivors]
        survivors = survivors[np.lexsort((rows[survivors], sheet_c[at], path_rank[file[survivors]] if len(at) else at,
                                          quarter_c[at], kpi_c[at]))]

        def take(values: list) -> np.ndarray:
            return np.asarray(values, dtype=object)[survivors] if values else np.zeros(0, dtype=object)

        return {
            "kpi_id": take(batch.kpi_id),
            "quarter": take(batch.quarter),
            "cumulative": cumulative[survivors],
            "increment": increment[survivors],
            "state": take(batch.state),
            "approximate": np.frombuffer(bytes(batch.approximate), dtype=np.uint8)[survivors].astype(bool) if len(batch) else np.zeros(0, bool),
            "note": take(batch.note),
            "reporting_unit": take(batch.reporting_unit),
            "reporter": take(batch.reporter),
            "report_date": take(batch.report_date),
            "source_file": np.asarray(batch.files + [""], dtype=object)[file[survivors]],
            "source_sheet": take(batch.sheet),
            "source_row": rows[survivors],
            "superseded": superseded[survivors],
            "flags": flag_texts(flags[survivors]),
            **judgement_columns(survivors.tolist(), superseded, verdicts),
        }

    def judge_row(self, i: int, cumulative: np.ndarray, increment: np.ndarray, flags: np.ndarray,
                  prior: float | None, effective: dict) -> Verdict:
        """Judge row ``i`` (the winner of its KPI and quarter) and apply the verdict to the columns."""
        batch = self.batch
        figure = Figure(
            kpi_id=batch.kpi_id[i], quarter=batch.quarter[i], cumulative=float(cumulative[i]), increment=float(increment[i]),
            cumulative_given=not math.isnan(batch.cumulative[i]), increment_given=not math.isnan(batch.increment[i]),
            state=batch.state[i], note=batch.note[i], cumulative_raw=batch.cumulative_raw[i],
            increment_raw=batch.increment_raw[i], flags=frozenset(flag_text(int(flags[i])).split(";")), prior=prior)
        if batch.state[i] == "" and math.isnan(cumulative[i]) and not math.isnan(increment[i]):
            verdict = self.judge.prior_held(figure)
        else:
            verdict = self.judge.verdict(figure, effective)
        cumulative[i], increment[i] = verdict.cumulative, verdict.increment
        if verdict.flags:
            flags[i] |= flag_mask(verdict.flags)
        return verdict

    def note_conflict(self, alive: np.ndarray, cumulative: np.ndarray, flags: np.ndarray, date_codes: np.ndarray) -> None:
        """Rows of one KPI and quarter with the winner's 填报日期 but another value: a conflict.

        No rule settles it: the later file modification time (then file name) decides, as a
        last resort; the winner is flagged ``conflict`` and the case listed in ``conflicts``
        (at most ``MAX_CONFLICT_OTHERS`` of the other rows are listed, with their count).
        """
        batch = self.batch
        last = int(alive[-1])
        same_date = alive[:-1][date_codes[alive[:-1]] == date_codes[last]]
        if len(same_date) == 0:
            return
        values = cumulative[same_date]
        differs = ~(np.isclose(values, cumulative[last], rtol=0, atol=1e-9) | (np.isnan(values) & math.isnan(cumulative[last])))
        states = [batch.state[i] for i in same_date.tolist()]
        differs |= np.asarray([state != batch.state[last] for state in states], dtype=bool)
        rivals = same_date[differs].tolist()
        if not rivals:
            return

        def value(i: int):
            return batch.state[i] or (None if math.isnan(cumulative[i]) else round(float(cumulative[i]), 9))

        flags[last] |= flag_mask(["conflict"])
        flags[np.asarray(rivals, dtype=np.int64)] |= flag_mask(["conflict"])

        def where(i: int) -> dict:
            return {"file": batch.files[batch.file[i]], "sheet": batch.sheet[i], "row": int(batch.row[i]),
                    "value": value(i), "report_date": batch.report_date[i]}

        chosen = batch.files[batch.file[last]]
        by_mtime = any(self.mtimes.get(batch.files[batch.file[i]], 0) != self.mtimes.get(chosen, 0) for i in rivals)
        rule = "文件修改时间较晚" if by_mtime else "文件名排序靠后"
        self.conflicts.append({
            "kpi_id": batch.kpi_id[last], "quarter": batch.quarter[last], "report_date": batch.report_date[last],
            "chosen": where(last), "others": [where(i) for i in rivals[-MAX_CONFLICT_OTHERS:]], "others_count": len(rivals),
            "rule": "mtime" if by_mtime else "file_name",
            "message": (f"{batch.kpi_id[last]} {quarter_label(batch.quarter[last])}：填报日期相同"
                        f"（{batch.report_date[last] or '未填'}）而数值不同，暂按{rule}的「{chosen}」采用"
                        "（这只是最后手段，请填报单位确认哪一份正确，并在更正件中填写更晚的填报日期）"),
        })

    # -- run -----------------------------------------------------------------

    def run(self) -> IngestResult:
        """Read every file, resolve (judging each winning figure), and build the output tables and summary."""
        self.judge = Judge(self.index.by_id, confirmations.load(self.raw_dir, self.year, self.index.by_id)
                           if self.raw_dir.is_dir() else {})
        for rel, path in self.discover():
            self.read_file(rel, path)
        self.rows_read = sum(info.rows_read for info in self.files)
        final = self.resolve()
        self.batch = Batch()  # the columns are in ``final`` now
        actuals = actuals_frame(final, presorted=True)
        del final
        details = communities.details_frame(self.details, BASE_ACTUALS_COLUMNS)
        actuals, mismatches = communities.check_against_summary(details, actuals)
        actuals = warn_community_mismatches(actuals, mismatches)
        rejects = rejects_frame([vars(rej) for rej in self.rejects])
        superseded = int(actuals["superseded"].sum())
        outcomes = Counter(actuals["judgement"])
        summary = {
            "files_read": len(self.files),
            "files_failed": self.files_failed,
            "rows_read": self.rows_read,
            "accepted": len(actuals) - superseded - outcomes[HELD],
            "superseded": superseded,
            "held": outcomes[HELD],
            "warned": outcomes[WARNED],
            "confirmed": outcomes[CONFIRMED],
            "rejected": len(rejects),
            "details": len(details),
            "skipped": sum(self.skipped.values()),
            "skipped_by_kind": dict(sorted(self.skipped.items())),
            "by_reason": dict(sorted(Counter(rejects["reason"]).items())),
            "file_errors": [err.as_dict() for err in sorted(self.file_errors, key=lambda e: (e.file, e.sheet, e.row or 0, e.reason))],
            "sample_data": any(info.sample for info in self.files),
            "files": [vars(info) for info in self.files],
            "ignored_files": self.ignored,
            "files_not_read": sorted(self.not_read, key=lambda e: (e["file"], e.get("sheet", ""))),
            "hidden_rows": self.hidden_rows,
            "conflicts": self.conflicts,
            "row_warnings": sorted(self.warnings, key=lambda w: (w["file"], w["sheet"], w["row"])),
            "community_mismatches": mismatches,
            "judged": judged_rows(actuals),
            "confirmations_unused": self.judge.unused_confirmations(),
        }
        return IngestResult(actuals, rejects, summary, details)
