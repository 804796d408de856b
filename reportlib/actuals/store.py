"""The processed tables: writing them atomically, reading them back, and the public ingest verbs."""
from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reportlib.actuals.cells import neutralize
from reportlib.actuals import communities
from reportlib.actuals.ledger import Ingest, IngestResult
from reportlib.actuals.records import rejects_frame
from reportlib.actuals.rules import ACTUALS_COLUMNS, ACTUALS_FILE, BASE_ACTUALS_COLUMNS, DERIVED_FILE, DETAILS_FILE, FORMULA_INJECTION_PREFIXES, INGEST_CODE_MODULES, INGEST_FORMAT_VERSION, REJECTS_FILE, SUMMARY_FILE
from reportlib import workspace
from reportlib.errors import InputError
from reportlib.atomic import write_files_atomic

def neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of a frame with every text column passed through :func:`neutralize`."""
    out = frame.copy(deep=False)
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.StringDtype):  # str or missing: the same rule, a column at a time
            risky = series.str.startswith(FORMULA_INJECTION_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                out[column] = series.where(~risky, "'" + series)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralize)
    return out


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet bytes of a frame (no index; deterministic for the same pyarrow version)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


CSV_CHUNK_ROWS = 200_000  # rows turned into CSV text at a time: bounds the memory a million-row ledger takes
_CSV_NEEDS_QUOTES = r'[,"\r\n]'


def write_csv(frame: pd.DataFrame, handle) -> None:
    """CSV (UTF-8 with BOM so Excel shows Chinese), text neutralised, LF line ends, to a binary handle.

    The bytes are pandas' ``to_csv(index=False, lineterminator="\\n")`` (minimal quoting, ``""``
    inside quotes, missing values empty, floats as Python writes them), except that a field
    holding a bare carriage return is quoted too. Columns of text, numbers and booleans are
    formatted column by column with pyarrow (a million-row ledger: about 2 s instead of 9 s);
    any other column type goes through pandas.
    """
    handle.write(codecs.BOM_UTF8)  # = encoding "utf-8-sig", whose Python-level encoder costs seconds per million rows
    frame = neutralized(frame)
    kinds = [_csv_column_kind(frame[column]) for column in frame.columns]
    if len(kinds) < 2 or not all(kinds):  # (csv.writer quotes a lone empty field)
        frame.to_csv(handle, index=False, lineterminator="\n", encoding="utf-8")
        return
    header = pd.DataFrame(columns=frame.columns).to_csv(index=False, lineterminator="\n")
    handle.write(header.encode("utf-8"))
    for start in range(0, len(frame), CSV_CHUNK_ROWS):
        _write_csv_lines(frame.iloc[start:start + CSV_CHUNK_ROWS], kinds, handle)


def _csv_column_kind(series: pd.Series) -> str:
    """How :func:`_csv_fields` formats a column: "text", "float", "int", "bool", or "" (pandas does it)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and not series.isna().any():
        return "bool"
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return "float"
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return "int"
    if isinstance(dtype, pd.StringDtype) or (dtype == object and series.map(_is_text_or_missing).all()):
        return "text"
    return ""


def _is_text_or_missing(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, float) and value != value)


def _csv_fields(series: pd.Series, kind: str):
    """One column of ``kind`` (:func:`_csv_column_kind`) as a pyarrow string array of CSV fields
    (quoted where needed, missing -> "").

    Each distinct value is formatted once and the column gathered from those: a ledger's
    columns hold few distinct values (units, quarters, file names) among a million rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "int":
        return pc.cast(pa.array(series.to_numpy()), pa.large_string())
    if kind == "bool":
        return pc.if_else(pa.array(series.to_numpy()), pa.scalar("True", pa.large_string()),
                          pa.scalar("False", pa.large_string()))
    if kind == "float":  # repr, as csv.writer (and so pandas) writes a float; by bit pattern, so -0.0 stays "-0.0"
        bits, positions = np.unique(series.to_numpy(dtype=np.float64).view(np.int64), return_inverse=True)
        texts = ["" if value != value else repr(value) for value in bits.view(np.float64).tolist()]
        return pc.take(pa.array(texts, pa.large_string()), pa.array(positions.ravel()))
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        text = pa.array(series.array).cast(pa.large_string())  # the column's own arrow data, no copy
    else:
        text = pa.array([None if value != value else value for value in series.tolist()], pa.large_string())
    empty = pa.scalar("", pa.large_string())
    encoded = pc.dictionary_encode(text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text)
    values = encoded.dictionary
    needs_quotes = pc.match_substring_regex(values, _CSV_NEEDS_QUOTES)
    if pc.any(needs_quotes).as_py():
        quote = pa.scalar('"', pa.large_string())
        quoted = pc.replace_substring(pc.filter(values, needs_quotes), '"', '""')
        values = pc.replace_with_mask(values, needs_quotes, pc.binary_join_element_wise(quote, quoted, quote, empty))
    return pc.fill_null(pc.take(values, encoded.indices), empty)


def _write_csv_lines(frame: pd.DataFrame, kinds: list[str], handle) -> None:
    """The CSV lines of ``frame``'s rows (its columns of ``kinds``), written as one buffer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if frame.empty:
        return
    fields = [_csv_fields(frame[column], kind) for column, kind in zip(frame.columns, kinds)]
    comma, newline, empty = (pa.scalar(text, pa.large_string()) for text in (",", "\n", ""))
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, comma), newline, empty)
    for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
        if len(chunk):  # a string array's characters lie end to end in its data buffer
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
            handle.write(memoryview(chunk.buffers()[2])[offsets[0]:offsets[-1]])


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The bytes :func:`write_csv` writes."""
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def write_outputs(result: IngestResult, out_dir: Path) -> list[Path]:
    """Write the output files atomically, :data:`DERIVED_FILE` last (the inputs' fingerprint and
    the sha256 of every table the reports read); returns their paths."""
    out_dir = Path(out_dir)
    details = result.details if result.details is not None else communities.details_frame([], BASE_ACTUALS_COLUMNS)
    read_back = {
        f"{ACTUALS_FILE}.parquet": parquet_bytes(result.actuals),
        f"{REJECTS_FILE}.parquet": parquet_bytes(result.rejects),
        f"{DETAILS_FILE}.parquet": parquet_bytes(details),
        SUMMARY_FILE: (json.dumps(result.summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }
    derived = {"inputs_sha256": result.summary.get("inputs_sha256"),
               "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in read_back.items()}}
    files = {
        **{out_dir / name: data for name, data in read_back.items()},
        out_dir / f"{ACTUALS_FILE}.csv": lambda handle: write_csv(result.actuals, handle),
        out_dir / f"{REJECTS_FILE}.csv": lambda handle: write_csv(result.rejects, handle),
        out_dir / f"{DETAILS_FILE}.csv": lambda handle: write_csv(details, handle),
        out_dir / DERIVED_FILE: (json.dumps(derived, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }
    write_files_atomic(files)
    return list(files)


def derived_problem(out_dir: Path, fingerprint: str) -> str:
    """Why the processed tables in ``out_dir`` are not exactly what an ingest of the inputs with
    ``fingerprint`` wrote ("" when they are): no record, other inputs, or a table changed since
    (a hand-edited parquet is never trusted)."""
    try:
        record = json.loads((Path(out_dir) / DERIVED_FILE).read_text(encoding="utf-8"))
        outputs = dict(record["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return "stale"  # written by an older version, or not at all
    if record.get("inputs_sha256") != fingerprint:
        return "stale"
    for name, digest in sorted(outputs.items()):
        path = Path(out_dir) / name
        try:
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            actual = None
        if actual != digest:
            return f"{path} 与导入时写入的内容不一致（可能被手工修改或被其他程序改写）"
    return ""


# --------------------------------------------------------------------------- public API


def load_plan_file(plan_path: Path | None):
    """Load the plan through reportlib.plan (imported lazily)."""
    from reportlib.plan import load_plan

    return load_plan(plan_path) if plan_path else load_plan()


def input_fingerprint(raw_dir: Path, plan: Any, known: dict[str, bytes] | None = None) -> str:
    """sha256 of everything an ingest's output depends on: raw files, plan, ingest code.

    Stored as ``inputs_sha256`` in ingest_summary.json; no timestamps are involved.
    ``known``: sha256 digests of files already read (relative path -> digest).
    """
    digest = hashlib.sha256(f"format {INGEST_FORMAT_VERSION}\n".encode())
    raw_dir = Path(raw_dir)
    known = known or {}
    if raw_dir.is_dir():
        for path in sorted(p for p in raw_dir.rglob("*") if p.is_file() or p.is_symlink()):
            rel = path.relative_to(raw_dir).as_posix()
            digest.update(rel.encode() + b"\0")
            if path.is_symlink():  # never read through a link: its target's name stands for it
                digest.update(b"link " + os.readlink(path).encode("utf-8", "surrogateescape"))
                continue
            digest.update(known.get(rel) or hashlib.sha256(path.read_bytes()).digest())
    plan_hash = getattr(plan, "sha256", None) or pd.util.hash_pandas_object(plan.kpis.astype(str), index=False).sum()
    digest.update(f"plan {plan_hash} year {plan.year}\n".encode())
    package = Path(__file__).resolve().parent.parent
    for name in INGEST_CODE_MODULES:
        for path in sorted((package / name).glob("*.py")) if (package / name).is_dir() else [package / name]:
            if path.exists():
                digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def ingest(raw_dir: Path | None = None, out_dir: Path | None = None, plan: Any = None, *, write: bool = True) -> IngestResult:
    """Ingest every submission under ``raw_dir`` against ``plan``; write outputs to ``out_dir``.

    ``plan`` is a :class:`reportlib.plan.Plan` (anything with ``year`` and a ``kpis``
    frame will do); by default the plan file is loaded.
    """
    plan = plan if plan is not None else load_plan_file(None)
    raw_dir = Path(raw_dir or workspace.current().actuals_raw)
    run = Ingest(raw_dir, plan)
    result = run.run()
    result.summary["inputs_sha256"] = input_fingerprint(raw_dir, plan, run.digests)
    if write:
        write_outputs(result, Path(out_dir or workspace.current().processed(plan.year)))
    return result


# Set by a build while its reports render: they read the processed data the build ingested and never
# ingest again (submissions that arrive meanwhile are the next build's), so one build publishes one state.
DATA_FROZEN_ENV = "REPORTLIB_DATA_FROZEN"


def ensure_ingested(plan: Any = None, raw_dir: Path | None = None, out_dir: Path | None = None) -> IngestResult | None:
    """Ingest unless ``out_dir`` already holds the output of exactly these inputs.

    Returns the new :class:`IngestResult`, or None when the outputs were up to date.
    Rejects do not stop it (that is ``reportlib ingest --strict``'s job).
    """
    plan = plan if plan is not None else load_plan_file(None)
    raw_dir = Path(raw_dir or workspace.current().actuals_raw)
    out_dir = Path(out_dir or workspace.current().processed(plan.year))
    outputs = [out_dir / f"{ACTUALS_FILE}.parquet", out_dir / f"{REJECTS_FILE}.parquet", out_dir / SUMMARY_FILE]
    if os.environ.get(DATA_FROZEN_ENV) and all(path.exists() for path in outputs):
        return None  # a report of a build: it shows the data the build ingested and checked, whatever came since
    if all(path.exists() for path in outputs):
        unreadable = _unreadable(outputs)
        if unreadable:  # derived data: rebuilt, never a failure of every later run
            logging.getLogger("reportlib.ingest").warning("%s 无法读取（%s），重新导入生成", *unreadable)
        else:
            problem = derived_problem(out_dir, input_fingerprint(raw_dir, plan))
            if not problem:
                return None
            if problem != "stale":  # a table changed behind the ingest's back: its figures are not trusted
                logging.getLogger("reportlib.ingest").warning("%s，已按 data/raw 重新导入生成", problem)
    return ingest(raw_dir, out_dir, plan)


def _processed(processed_dir: Path | None) -> Path:
    """``processed_dir``, else the current workspace's processed folder of its latest plan year."""
    if processed_dir:
        return Path(processed_dir)
    ws = workspace.current()
    return ws.processed(ws.latest_year())


def _unreadable(outputs: list[Path]) -> tuple[Path, str] | None:
    """The first output that cannot be read back (a truncated parquet, a broken summary), and why."""
    import pyarrow.parquet

    for path in outputs:
        try:
            if path.suffix == ".parquet":
                pyarrow.parquet.read_metadata(path)
            else:
                json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, pyarrow.ArrowException) as exc:
            return path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def load_rejects(processed_dir: Path | None = None) -> pd.DataFrame:
    """Read ``rejects.parquet`` back (an empty table when there is none)."""
    path = _processed(processed_dir) / f"{REJECTS_FILE}.parquet"
    if not path.exists():
        return rejects_frame([])
    return pd.read_parquet(path)


def load_details(processed_dir: Path | None = None) -> pd.DataFrame:
    """Read ``details.parquet`` back: per-community detail rows (``community`` column), never
    part of the actuals (an empty table when there is none)."""
    path = _processed(processed_dir) / f"{DETAILS_FILE}.parquet"
    if not path.exists():
        return communities.details_frame([], BASE_ACTUALS_COLUMNS)
    return pd.read_parquet(path)


def load_summary(processed_dir: Path | None = None) -> dict:
    """Read ``ingest_summary.json`` back ({} when there is none)."""
    path = _processed(processed_dir) / SUMMARY_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取导入摘要：{exc}", file=str(path)) from None


def load_actuals(processed_dir: Path | None = None, include_superseded: bool = False) -> pd.DataFrame:
    """Read ``actuals.parquet`` back; superseded rows only when ``include_superseded``. Held rows
    (``judgement`` "held") are in it: progress leaves them out and the reports show them as 待核实."""
    path = _processed(processed_dir) / f"{ACTUALS_FILE}.parquet"
    if not path.exists():
        raise InputError("还没有实际完成数据，请先运行 reportlib ingest", file=str(path))
    frame = pd.read_parquet(path)
    missing = [column for column in ACTUALS_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(f"实际完成数据缺少列：{', '.join(missing)}", file=str(path))
    frame = frame[ACTUALS_COLUMNS]
    if not include_superseded:
        frame = frame[~frame["superseded"]]
    return frame.reset_index(drop=True)


