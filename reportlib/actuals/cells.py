"""Small helpers on cell values: text of a cell, blank, folding, ids, names, states, paths."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any


from reportlib.actuals.rules import FORMULA_INJECTION_PREFIXES, STATE_WORDS
from reportlib.quarters import (
    QUARTER_PATTERN,
)

# --------------------------------------------------------------------------- small helpers


def neutralize(text: Any) -> Any:
    """Defuse spreadsheet formula injection: prefix ``'`` to text starting with = + - @ tab or CR.

    Non-strings are returned unchanged, so it can be mapped over any column.
    """
    if isinstance(text, str) and text.startswith(FORMULA_INJECTION_PREFIXES):
        return "'" + text
    return text


def fold(text: str) -> str:
    """NFKC-fold text (full-width → ASCII) and trim it."""
    return unicodedata.normalize("NFKC", text).strip()


def is_blank(value: Any) -> bool:
    """True for None and whitespace-only text."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell value as display text: integral floats without ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).strip()


def normalize_name(text: str) -> str:
    """Name key for KPI matching: NFKC, lower case, no whitespace, punctuation or quotes."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not unicodedata.category(ch)[0] in "PZC")


def normalize_kpi_id(text: str) -> str:
    """Canonical KPI id spelling: ``k1.1.02`` / ``１.１.０２`` -> ``K1.1.02``."""
    key = re.sub(r"\s", "", fold(text)).upper()
    if re.fullmatch(r"\d+\.\d+\.\d+", key):
        key = "K" + key
    return key


def parse_state(value: Any) -> str | None:
    """Milestone state code from 完成情况 text, or None when unrecognised."""
    key = re.sub(r"[\s_\-]", "", fold(cell_text(value)).lower())
    return STATE_WORDS.get(key)


def relative_path(path: Path, root: Path) -> str:
    """Path relative to the raw root, with forward slashes."""
    return path.relative_to(root).as_posix()


def folder_quarter(rel_path: str) -> str | None:
    """Quarter named by a folder in the path (``2025Q3`` or ``2025-Q3``), else None."""
    for part in reversed(PurePosixPath(rel_path).parts[:-1]):
        candidate = part.upper().replace("-", "")
        if QUARTER_PATTERN.match(candidate):
            return candidate
    return None


