"""A large, realistic set of CSV submissions for the ingest benchmark.

``generate(folder, rows=1_000_000)`` writes quarterly submissions of many reporting
units (村/社区/网格) for every KPI of the plan, into ``folder/2025Q1`` …
``folder/2025Q4``: one file per unit and quarter, and for some units one or two
corrected resubmissions (``…_更正1.csv``) with a later 填报日期, which supersede the
earlier rows. Exactly ``rows`` data rows are written (rows that ``reportlib ingest``
counts in ``rows_read``), plus title, blank and footer rows, which it skips.

The units write their files the way departments do: five layouts (UTF-8 with BOM,
GBK with a title line and a footer, English headers with KPIs named by name only,
increments only with full-width digits and fractions for rates, semicolon-separated
with 万平方米 in the 单位 column) and a small share (``MESSY_SHARE``) of messy cells,
each of which the ingest must reject for a known reason (a bad 填报日期 excepted: that row
is kept and flagged). The generator counts what
the ingest should report (``Expected``), so the benchmark also checks the result:
``rows_read == accepted + superseded + held + rejected`` and every count (a held figure is one
the generator counts as accepted: it does not judge).

Deterministic: a fixed seed gives the same bytes on every machine.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20251126
YEAR = 2025
QUARTERS = [f"{YEAR}Q{i}" for i in range(1, 5)]
QUARTER_END = {q: dt.date(YEAR, 3 * i, [31, 30, 30, 31][i - 1]) for i, q in enumerate(QUARTERS, start=1)}
CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}
MESSY_SHARE = 0.02  # share of rows with one cell the ingest must reject
NAME_ONLY_SHARE = 0.3  # English-header layout: share of rows naming the KPI by name only
CORRECTION_SHARES = (0.2, 0.05)  # share of unit-quarters with a 1st and a 2nd correction

CN_HEADER = ["指标编号", "指标名称", "季度", "累计完成", "本季度完成", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"]
EN_HEADER = ["kpi_id", "name", "quarter", "cumulative", "increment", "unit", "status", "note", "reporting_unit", "reporter", "report_date"]
INCREMENT_HEADER = ["指标编号", "指标名称", "季度", "本季度完成(增量)", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"]
STATE_TEXT = {"not_started": "未启动", "in_progress": "推进中", "done": "已完成"}
NOTES = (
    "按计划有序推进", "已按序时进度完成", "正常推进中", "进度快于计划，本季度超额完成", "提前谋划、加快推进",
    "受天气影响进度有所滞后，下季度加快推进", "资金拨付较慢，正在协调", "前期手续正在办理", "已完成年度目标",
    "=HYPERLINK(\"http://example.invalid\",\"详见附件\")",  # formula injection: stored, neutralised in CSV
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
UNIT_KINDS = ("社区", "村", "网格", "小区", "企业")
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
LAYOUTS = ("bom_cn", "gbk_title", "english", "increments", "semicolon")
LAYOUT_WEIGHTS = (0.45, 0.2, 0.15, 0.12, 0.08)
# messy kind -> the reject reason the ingest must give
MESSY = {
    "unknown_id": "unknown_kpi",
    "bad_quarter": "bad_quarter",
    "last_year": "quarter_mismatch",
    "bad_number": "bad_number",
    "bad_unit": "incompatible_unit",
    "no_figures": "missing_value",
    "bad_state": "bad_state",
    "bad_date": None,  # not a reject: the row is kept and flagged bad_date
    "duplicate": "duplicate_in_file",
}


@dataclass
class Expected:
    """What ``reportlib ingest`` must report for the generated set."""

    files: int = 0
    rows_read: int = 0
    skipped: int = 0
    rejected: Counter = field(default_factory=Counter)
    valid_rows: int = 0
    keys: set = field(default_factory=set)  # (kpi_id, quarter) of rows that pass

    @property
    def accepted(self) -> int:
        return len(self.keys)

    @property
    def superseded(self) -> int:
        return self.valid_rows - self.accepted

    def as_dict(self) -> dict:
        return {
            "files_read": self.files, "rows_read": self.rows_read, "accepted": self.accepted,
            "superseded": self.superseded, "rejected": sum(self.rejected.values()), "skipped": self.skipped,
            "by_reason": dict(sorted(self.rejected.items())),
        }


def _plan_kpis() -> list[dict]:
    from reportlib.plan import load_plan

    return load_plan().kpis.to_dict("records")


def _expected_cumulative(kpi: dict, q: int, pace: float) -> float:
    schedule = kpi.get("schedule")
    target = float(kpi["target"])
    if kpi["kind"] == "recurring":
        target *= 4 if kpi.get("period") in (None, "year", "quarter") else 12 if kpi["period"] == "month" else 52
    planned = schedule[q - 1] if isinstance(schedule, tuple) else target * q / 4
    step = {"area": 100, "length": 10}.get(kpi["kind"], 1)
    return float(round(planned * pace / step) * step)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


class Unit:
    """One reporting unit: its name, layout, reporter and pace."""

    def __init__(self, index: int, rng: random.Random):
        self.name = f"城东街道{rng.choice(UNIT_KINDS)}{index:05d}"
        self.layout = rng.choices(LAYOUTS, LAYOUT_WEIGHTS)[0]
        self.reporter = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
        self.pace = rng.uniform(0.7, 1.3)
        self.delay = rng.randint(1, 12)


class Generator:
    def __init__(self, folder: Path, rows: int, seed: int = SEED):
        self.folder = Path(folder)
        self.target_rows = rows
        self.rng = random.Random(seed)
        self.kpis = _plan_kpis()
        self.expected = Expected()

    # -- values -------------------------------------------------------------

    def figures(self, kpi: dict, q: int, unit: Unit, version: int) -> tuple[float | None, float | None, str]:
        """(cumulative, increment, state) of a KPI in quarter q."""
        jitter = 1 + 0.02 * version  # a correction revises the figure a little
        if kpi["kind"] == "milestone":
            done_at = 2 + int(unit.pace * 10) % 3
            return None, None, "done" if q >= done_at else "in_progress" if q > 1 or unit.pace > 1 else "not_started"
        if kpi["kind"] in ("rate", "growth_rate"):
            value = round(float(kpi["target"]) * min(unit.pace, 1.05) * jitter, 1)
            return (min(value, 100.0) if float(kpi["target"]) >= 90 else value), None, ""
        if kpi["kind"] == "zero_target":
            return 0.0, 0.0, ""
        cumulative = _expected_cumulative(kpi, q, unit.pace * jitter)
        previous = _expected_cumulative(kpi, q - 1, unit.pace * jitter) if q > 1 else 0.0
        return cumulative, max(cumulative - previous, 0.0), ""

    def number_text(self, kpi: dict, value: float, layout: str) -> str:
        """A figure as this layout writes it, sometimes messy but readable."""
        roll = self.rng.random()
        if layout == "increments":
            if kpi["unit"] == "%" and self.rng.random() < 0.5:
                return _num(round(value / 100, 4))  # 95.5 -> 0.955 (a fraction; read as 95.5)
            return _num(value).translate(FULL_WIDTH)
        if layout == "semicolon" and kpi["kind"] == "area":
            return _num(value / 10000)  # 单位 column says 万平方米
        if kpi["unit"] == "%" and layout == "gbk_title":
            return f"{_num(value)}%"
        if roll < 0.03 and value >= 20:
            return f"约{_num(value)}"
        if roll < 0.05 and value >= 1000:
            return f"{int(value):,}" if float(value).is_integer() else _num(value)
        if roll < 0.06 and value >= 100 and float(value).is_integer():
            return f"{int(value)}余"
        return _num(value)

    def date_text(self, day: dt.date, layout: str) -> str:
        return {
            "bom_cn": day.isoformat(), "gbk_title": f"{day.year}/{day.month}/{day.day}", "english": day.isoformat(),
            "increments": f"{day.year}年{day.month}月{day.day}日", "semicolon": day.strftime("%Y%m%d"),
        }[layout]

    def quarter_text(self, q: int, layout: str) -> str:
        return {
            "bom_cn": f"{YEAR}Q{q}", "gbk_title": f"{YEAR}年第{CN_QUARTER[q]}季度", "english": f"Q{q}",
            "increments": f"{YEAR}-Q{q}", "semicolon": "",  # blank: taken from the folder
        }[layout]

    # -- rows ---------------------------------------------------------------

    def row(self, kpi: dict, q: int, unit: Unit, version: int, day: dt.date, messy: str | None) -> list[str]:
        layout = unit.layout
        cumulative, increment, state = self.figures(kpi, q, unit, version)
        kpi_id, name = kpi["kpi_id"], kpi["name"]
        if layout == "english" and self.rng.random() < NAME_ONLY_SHARE:
            kpi_id = ""
        unit_text = kpi["unit"] if isinstance(kpi["unit"], str) else ""
        if layout == "semicolon" and kpi["kind"] == "area":
            unit_text = "万平方米"
        quarter = self.quarter_text(q, layout)
        cum_text = "" if cumulative is None else self.number_text(kpi, cumulative, layout)
        inc_text = "" if increment is None else self.number_text(kpi, increment, layout)
        state_text = STATE_TEXT.get(state, "")
        date = self.date_text(day, layout)
        if messy == "unknown_id":
            kpi_id = f"K{self.rng.randint(6, 9)}.{self.rng.randint(1, 9)}.{self.rng.randint(10, 99)}"
        elif messy == "bad_quarter":
            quarter = self.rng.choice(("第五季度", "上半年", "Q5"))
        elif messy == "last_year":
            quarter = f"{YEAR - 1}Q{q}"
        elif messy == "bad_number":
            cum_text = inc_text = self.rng.choice(("见附件", "详见说明", "#REF!", "N/A"))
        elif messy == "bad_unit":
            unit_text = self.rng.choice(("公斤", "吨", "小时"))
            cum_text = "" if cumulative is None else _num(cumulative)  # no unit of its own: 单位 applies
            inc_text = "" if increment is None else _num(increment)
        elif messy == "no_figures":
            cum_text = inc_text = ""
        elif messy == "bad_state":
            state_text = self.rng.choice(("差不多", "基本完成", "待定"))
        elif messy == "bad_date":
            date = self.rng.choice(("2025-13-45", "下周一", "2025/02/30"))
        note = self.rng.choice(NOTES)
        if layout == "increments":
            if increment is None and messy != "no_figures":
                inc_text = cum_text  # a rate written in the only figure column: used as the value
            return [kpi_id, name, quarter, inc_text, unit_text, state_text, note, unit.name, unit.reporter, date]
        return [kpi_id, name, quarter, cum_text, inc_text, unit_text, state_text, note, unit.name, unit.reporter, date]

    def messy_kind(self, kpi: dict, layout: str) -> str | None:
        if self.rng.random() >= MESSY_SHARE:
            return None
        milestone = kpi["kind"] == "milestone"
        kinds = ["unknown_id", "bad_quarter", "last_year", "bad_date", "duplicate"]
        kinds += ["bad_state"] if milestone else ["bad_number", "bad_unit", "no_figures"]
        if layout == "semicolon":  # blank quarter column: quarter comes from the folder
            kinds = [k for k in kinds if k not in ("bad_quarter", "last_year")]
        return self.rng.choice(kinds)

    def file_rows(self, unit: Unit, q: int, version: int, day: dt.date, budget: int) -> tuple[list[list[str]], int]:
        """Data rows of one file (at most ``budget``); returns rows and the number of data rows."""
        rows: list[list[str]] = []
        data = 0
        quarter = QUARTERS[q - 1]
        for kpi in self.kpis:
            if data >= budget:
                break
            messy = self.messy_kind(kpi, unit.layout)
            if messy == "duplicate" and data + 2 > budget:
                messy = None
            rows.append(self.row(kpi, q, unit, version, day, None if messy == "duplicate" else messy))
            data += 1
            if messy in (None, "duplicate", "bad_date"):  # a bad 填报日期 is flagged, the row kept
                self.expected.valid_rows += 1
                self.expected.keys.add((kpi["kpi_id"], quarter))
            else:
                self.expected.rejected[MESSY[messy]] += 1
            if messy == "duplicate":
                rows.append(list(rows[-1]))  # the same row twice (differing twins would both be rejected)
                data += 1
                self.expected.rejected["duplicate_in_file"] += 1
        return rows, data

    # -- files --------------------------------------------------------------

    def write_file(self, unit: Unit, q: int, version: int, rows: list[list[str]]) -> None:
        quarter = QUARTERS[q - 1]
        suffix = f"_更正{version}" if version else ""
        path = self.folder / quarter / f"{unit.name}_{quarter}{suffix}.csv"
        buffer = io.StringIO()
        delimiter = ";" if unit.layout == "semicolon" else ","
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if unit.layout == "gbk_title" else "\n")
        skipped = 0
        if unit.layout == "gbk_title":
            writer.writerow([f"{unit.name}{YEAR}年第{CN_QUARTER[q]}季度重点工作完成情况"])
        header = {"english": EN_HEADER, "increments": INCREMENT_HEADER}.get(unit.layout, CN_HEADER)
        writer.writerow(header)
        for index, row in enumerate(rows):
            writer.writerow(row)
            if unit.layout == "gbk_title" and index == 40 and index < len(rows) - 1:
                writer.writerow([""] * len(header))  # a blank row in the middle
                skipped += 1
        if unit.layout in ("gbk_title", "increments"):
            writer.writerow([])  # blank, then a footer: both skipped
            writer.writerow([f"填表人：{unit.reporter}", "", f"审核人：{self.rng.choice(SURNAMES)}主任"])
            skipped += 2
        text = buffer.getvalue()
        encoding = {"gbk_title": "gbk", "bom_cn": "utf-8-sig", "increments": "utf-8-sig"}.get(unit.layout, "utf-8")
        path.write_bytes(text.encode(encoding))
        self.expected.files += 1
        self.expected.skipped += skipped

    def run(self) -> Expected:
        for quarter in QUARTERS:
            (self.folder / quarter).mkdir(parents=True, exist_ok=True)
        index = 0
        while self.expected.rows_read < self.target_rows:
            index += 1
            unit = Unit(index, self.rng)
            for q in range(1, 5):
                versions = 1 + sum(self.rng.random() < share for share in CORRECTION_SHARES)
                for version in range(versions):
                    budget = self.target_rows - self.expected.rows_read
                    if budget <= 0:
                        break
                    day = QUARTER_END[QUARTERS[q - 1]] + dt.timedelta(days=unit.delay + 14 * version)
                    rows, data = self.file_rows(unit, q, version, day, budget)
                    self.write_file(unit, q, version, rows)
                    self.expected.rows_read += data
        return self.expected


def generate(folder: Path, rows: int = 1_000_000, seed: int = SEED) -> Expected:
    """Write ``rows`` data rows of submissions under ``folder``; return what ingest must report."""
    return Generator(folder, rows, seed).run()


if __name__ == "__main__":  # python -m bench.ingest_data FOLDER [ROWS]
    import json
    import sys

    expected = generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    print(json.dumps(expected.as_dict(), ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------- a sheet formatted to the last row

LAST_EXCEL_ROW = 1_048_576
FORMATTED_COLUMNS = "ABCDE"  # styled empty cells per row (5: the file stays under MAX_FILE_BYTES)


def formatted_workbook(path: Path, data_rows: int = 10, last_row: int = LAST_EXCEL_ROW) -> Path:
    """An .xlsx whose sheet is formatted down to ``last_row``: ``data_rows`` data rows, then every
    row to ``last_row`` with a styled empty cell in each of the first 5 columns, and a declared
    dimension to match – what a spreadsheet saved after formatting whole columns looks like.

    The workbook is made by openpyxl with the data rows; the styled rows are streamed into the
    sheet XML (openpyxl would take minutes to write them). Deterministic.
    """
    import openpyxl
    import zipfile
    from openpyxl.styles import PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(CN_HEADER)
    kpis = ["K1.1.01", "K1.1.02", "K1.1.03", "K1.1.04", "K1.2.01", "K1.2.02", "K1.2.03", "K1.2.04", "K1.3.01", "K1.3.02"]
    for i in range(data_rows):
        sheet.append([kpis[i % len(kpis)], "", f"{YEAR}Q3", i + 1, None, "", "", "", "党建办", "王伟", "2025-10-09"])
    sheet["A1"].fill = PatternFill("solid", fgColor="DDDDDD")
    book.properties.created = book.properties.modified = dt.datetime(2025, 10, 9)
    path.parent.mkdir(parents=True, exist_ok=True)
    small = path.with_name(path.stem + ".small.xlsx")
    book.save(small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, data)
                continue
            text = data.decode("utf-8").replace(f'<dimension ref="A1:K{data_rows + 1}"/>', f'<dimension ref="A1:K{last_row}"/>')
            head, tail = text.split("</sheetData>", 1)
            with target.open(item.filename, "w") as handle:
                handle.write(head.encode("utf-8"))
                batch = []
                for r in range(data_rows + 2, last_row + 1):
                    batch.append(f'<row r="{r}" s="1" customFormat="1">' + "".join(f'<c r="{c}{r}" s="1"/>' for c in FORMATTED_COLUMNS) + "</row>")
                    if len(batch) == 10_000:
                        handle.write("".join(batch).encode("ascii"))
                        batch = []
                handle.write(("".join(batch) + "</sheetData>" + tail).encode("utf-8"))
    small.unlink()
    return path


# --------------------------------------------------------------------------- a zip bomb

BOMB_UNPACKED_BYTES = 1_150_000_000  # what issue 24 met: about 3 MB packed, 1.1 GB of rows unpacked
BOMB_ROW = ('<row><c t="inlineStr"><is><t>K1.1.01</t></is></c><c t="inlineStr"><is><t>城东合伙人</t></is></c>'
            f'<c t="inlineStr"><is><t>{YEAR}Q3</t></is></c><c><v>1</v></c></row>')


def zip_bomb_workbook(path: Path, unpacked_bytes: int = BOMB_UNPACKED_BYTES) -> Path:
    """An .xlsx of a few MB whose sheet unpacks to ``unpacked_bytes`` of data rows (the same row
    again and again, which compresses about a thousandfold): a file that, read as it says, costs
    minutes and gigabytes. Made like :func:`formatted_workbook`: openpyxl's workbook with the rows
    streamed into its sheet XML. Deterministic."""
    import openpyxl
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(CN_HEADER)
    book.properties.created = book.properties.modified = dt.datetime(2025, 10, 9)
    path.parent.mkdir(parents=True, exist_ok=True)
    small = path.with_name(path.stem + ".small.xlsx")
    book.save(small)
    block = (BOMB_ROW * 10_000).encode("utf-8")
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, data)
                continue
            head, tail = data.decode("utf-8").split("</sheetData>", 1)
            with target.open(item.filename, "w", force_zip64=True) as handle:
                handle.write(head.encode("utf-8"))
                for _ in range(max(1, unpacked_bytes // len(block))):
                    handle.write(block)
                handle.write(("</sheetData>" + tail).encode("utf-8"))
    small.unlink()
    return path
