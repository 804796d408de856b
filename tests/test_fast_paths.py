"""The fast paths give what the plain ones give: bulk CSV parsing in ingest, warm kernels in the build.

No timings here (those are in ``python -m bench``); only that the outputs are the same.
"""
from __future__ import annotations

import csv
import io
import random
import shutil

import pytest

from reportlib import actuals as act
from reportlib import workspace
from reportlib.build import render
from reportlib.plan import load_plan

HEADERS = [
    ["指标编号", "指标名称", "季度", "累计完成", "本季度完成", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"],
    ["kpi_id", "name", "quarter", "cumulative", "increment", "unit", "status", "note", "reporting_unit", "reporter", "report_date"],
    ["指标编号", "指标名称", "季度", "本季度完成(增量)", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"],
    ["指标名称", "季度", "累计完成(万平方米)", "完成情况", "进展说明", "填报日期"],
    ["序号", "指标编号", "累计完成值", "本季度完成（增量）", "完成情况", "备注", "日期"],
]
FIGURES = ["", " ", "0", "12", "1,234", "８５", "一百零三", "8.5万", "约120", "500余", "300以上", "95%", "0.95", "-3",
           "见附件", "#REF!", "1200平方米", "0.69万平方米", "百分之九十", "12个", "nan", "inf", "=1+1", "两", "1e3"]
UNITS = ["", "", "个", "家", "平方米", "万平方米", "%", "百分比", "-", "无", "公斤", "次", "亩"]
QUARTERS = ["", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "Q2", "Q3", "2025年第三季度", "第五季度", "2024Q3", "3", "2025-09-30"]
STATES = ["", "已完成", "推进中", "未启动", "进行中", "差不多", "done"]
DATES = ["", "2025-04-05", "2025/7/8", "2025年10月8日", "20251008", "45930", "2025-13-45", "下周一"]
NOTES = ["", "正常推进", "=HYPERLINK(1)", "+1", "@x", "合计", "填表人：张三"]
FIELDS = {"累计完成": FIGURES, "cumulative": FIGURES, "本季度完成": FIGURES, "increment": FIGURES, "本季度完成(增量)": FIGURES,
          "累计完成(万平方米)": FIGURES, "累计完成值": FIGURES, "本季度完成（增量）": FIGURES, "单位": UNITS, "unit": UNITS,
          "季度": QUARTERS, "quarter": QUARTERS, "完成情况": STATES, "status": STATES, "进展说明": NOTES, "note": NOTES,
          "备注": NOTES, "填报日期": DATES, "report_date": DATES, "日期": DATES}


def _messy_submissions(raw, kpis, rng):
    """CSV files in every layout and encoding, with every kind of cell the ingest handles."""
    for number in range(24):
        header = rng.choice(HEADERS)
        rows = [["城东街道填报表（示例数据）"]] if rng.random() < 0.3 else []
        rows.append(header)
        for index in range(rng.randint(0, 40)):
            kpi = rng.choice(kpis)
            kpi_id = rng.choice([kpi["kpi_id"], kpi["kpi_id"], "", kpi["kpi_id"].lower(), "K9.9.99"])
            name = rng.choice([kpi["name"], "", kpi["name"] + "（续）", "不存在的指标"])
            cells = {"指标编号": kpi_id, "kpi_id": kpi_id, "指标名称": name, "name": name, "序号": str(index)}
            row = [cells[h] if h in cells else rng.choice(FIELDS.get(h, ["", "某社区", " 王五 "])) for h in header]
            shape = rng.random()
            if shape < 0.05:
                row = [""] * len(row)
            elif shape < 0.08:
                row = row[: rng.randint(0, len(row))]
            elif shape < 0.1:
                row = list(header)
            elif shape < 0.12:
                row = ["填表人：张三", "", "审核人：李四"]
            elif shape < 0.15:
                row = [*row, "多余的一列"]
            rows.append(row)
            if rng.random() < 0.1:
                rows.append(list(row))  # the same KPI twice in one file
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=rng.choice([",", ",", ";", "\t"]), lineterminator=rng.choice(["\n", "\r\n"])).writerows(rows)
        folder = rng.choice(["2025Q1", "2025Q2", "2025Q3", "2025Q4", "其他", "2025-Q3"])
        path = raw / folder / f"单位{rng.randint(0, 9)}_{number}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.write_bytes(buffer.getvalue().encode(rng.choice(["utf-8", "utf-8-sig", "gbk", "utf-16"])))
        except UnicodeEncodeError:
            path.write_bytes(buffer.getvalue().encode("utf-8"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_csv_parsing_gives_what_row_by_row_parsing_gives(tmp_path, monkeypatch, seed):
    plan = load_plan()
    raw = tmp_path / "raw"
    _messy_submissions(raw, plan.kpis.to_dict("records"), random.Random(seed))
    for workbook in sorted(workspace.current().actuals_raw.rglob("*.xlsx"))[:3]:  # workbooks go row by row in both runs
        target = raw / workbook.relative_to(workspace.current().actuals_raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(workbook, target)
    bulk = act.ingest(raw, plan=plan, write=False)
    monkeypatch.setattr(act.Ingest, "texts_in_bulk", False)
    plain = act.ingest(raw, plan=plan, write=False)
    assert bulk.summary == plain.summary
    assert bulk.summary["rejected"] > 0 and bulk.summary["superseded"] > 0
    for name in ("actuals", "rejects"):
        fast, slow = getattr(bulk, name), getattr(plain, name)
        assert fast.dtypes.equals(slow.dtypes) and fast.equals(slow), name
        assert act.parquet_bytes(fast) == act.parquet_bytes(slow) and act.csv_bytes(fast) == act.csv_bytes(slow), name


def test_a_warm_kernel_runs_a_notebook_as_a_fresh_one(proof_render, tmp_path):
    warm = render.execute_notebook(workspace.NOTEBOOKS / "proof.ipynb", tmp_path / "warm.ipynb",
                                   {"year": 2025, "quarter": 2}, warm=True)
    render.write_clean_notebook(warm, tmp_path / "warm.ipynb")
    render.write_clean_notebook(proof_render["nb"], tmp_path / "cold.ipynb")
    assert (tmp_path / "warm.ipynb").read_bytes() == (tmp_path / "cold.ipynb").read_bytes()
    assert render.export_html(warm) == proof_render["html"]


def _pandas_csv(frame) -> bytes:
    """What the processed CSV copies were before the column-wise writer: pandas' own CSV."""
    buffer = io.BytesIO()
    act.store.neutralized(frame).to_csv(buffer, index=False, lineterminator="\n", encoding="utf-8")
    return b"\xef\xbb\xbf" + buffer.getvalue()


def _awkward_frame(rows: int, seed: int = 7):
    import numpy as np
    import pandas as pd

    rng = random.Random(seed)
    texts = ["", "正常推进", "a,b", 'say "hi"', "line\nbreak", "=HYPERLINK(1)", "+1", " 前后空格 ", "\t", "-", "@x",
             '"', ",", "混合,\"引号\"\n换行", "K1.1.01", None]
    floats = [0.0, -0.0, 1.0, 85000.0, 0.1, 1 / 3, 1e16, 1e-05, 123456789.123, -3.5, float("nan"), float("inf")]
    frame = pd.DataFrame({
        "kpi_id": pd.array([rng.choice(texts) for _ in range(rows)], dtype="str"),
        "note": [rng.choice(texts) for _ in range(rows)],  # object column with None
        "cumulative": np.array([rng.choice(floats) for _ in range(rows)], dtype="float64"),
        "source_row": np.array([rng.randrange(-5, 10**7) for _ in range(rows)], dtype="int64"),
        "superseded": np.array([rng.random() < 0.5 for _ in range(rows)], dtype=bool),
    })
    return frame


@pytest.mark.parametrize("rows", [0, 1, 2_500])
def test_csv_copies_are_the_bytes_pandas_writes(rows, monkeypatch):
    monkeypatch.setattr(act.store, "CSV_CHUNK_ROWS", 1_000)  # several chunks
    frame = _awkward_frame(rows)
    assert act.csv_bytes(frame) == _pandas_csv(frame)


def test_csv_copy_of_other_column_types_goes_through_pandas():
    import pandas as pd

    frame = pd.DataFrame({"when": pd.to_datetime(["2025-04-01", None]), "n": pd.array([1, None], dtype="Int64")})
    assert act.csv_bytes(frame) == _pandas_csv(frame)
    single = pd.DataFrame({"note": ["", "x"]})
    assert act.csv_bytes(single) == _pandas_csv(single) == b'\xef\xbb\xbfnote\n""\nx\n'


def test_csv_copy_quotes_a_bare_carriage_return():
    import pandas as pd

    frame = pd.DataFrame({"note": ["第一行\r第二行", "x"], "n": [1, 2]})
    assert act.csv_bytes(frame) == '\ufeffnote,n\n"第一行\r第二行",1\nx,2\n'.encode("utf-8")
