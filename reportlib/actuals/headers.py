"""Header detection: which row is the header, and which column holds which field."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


from reportlib.actuals.cells import fold, is_blank
from reportlib.actuals.rules import CHOSEN_FIELDS, HEADER_ALIASES, HEADER_SCAN_ROWS, MIN_HEADER_FIELDS, MIN_PREFIX_ALIAS, NOT_FIGURE_HEADER_WORDS

def header_key(text: str) -> str:
    """Normalise a header cell for alias matching."""
    folded = fold(text).lower()
    return re.sub(r"[\s_\-*＊:：]", "", folded)


ALIAS_KEYS: dict[str, str] = {
    header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases
}
_BRACKETS = re.compile(r"[(\[【〔]([^)\]】〕]*)[)\]】〕]")


def match_header(text: Any) -> tuple[str, int, str] | None:
    """Map one header cell to ``(field, quality, bracket_text)`` or None.

    Quality 3: exact alias; 2: alias after dropping bracketed parts
    (本季度完成(增量)); 1: the header starts with an alias of at least
    ``MIN_PREFIX_ALIAS`` characters (累计完成值). ``bracket_text`` is what the brackets held
    (possibly a unit).

    Every cell of every row is looked at (header search, repeated headers), and the
    same short texts recur on every row, so their answers are cached.
    """
    if not isinstance(text, str):
        return None
    try:
        return _HEADER_CACHE[text]
    except KeyError:
        pass
    found = match_header_text(text) if text.strip() else None
    if len(text) <= _CACHED_HEADER_TEXT:
        if len(_HEADER_CACHE) >= _HEADER_CACHE_SIZE:
            _HEADER_CACHE.clear()
        _HEADER_CACHE[text] = found
    return found


_HEADER_CACHE: dict[str, tuple[str, int, str] | None] = {}
_UNCACHED = object()
_HEADER_CACHE_SIZE = 1 << 16
_CACHED_HEADER_TEXT = 64  # longer texts (whole lines split on the wrong delimiter) rarely recur
_LONGEST_ALIAS = max(len(key) for key in ALIAS_KEYS)


def match_header_text(text: str) -> tuple[str, int, str] | None:
    """:func:`match_header` of a non-blank text."""
    key = header_key(text)
    if key in ALIAS_KEYS:
        return ALIAS_KEYS[key], 3, ""
    folded = fold(text)
    brackets = " ".join(m.group(1).strip() for m in _BRACKETS.finditer(folded))
    stripped = header_key(_BRACKETS.sub("", folded))
    if stripped in ALIAS_KEYS:
        return ALIAS_KEYS[stripped], 2, brackets
    # the longest alias (of at least MIN_PREFIX_ALIAS characters) the text starts with
    for length in range(min(len(stripped), _LONGEST_ALIAS), MIN_PREFIX_ALIAS - 1, -1):
        name = ALIAS_KEYS.get(stripped[:length])
        if name is not None:
            return name, 1, brackets
    return None



# --------------------------------------------------------------------------- header detection


@dataclass
class Header:
    """Where the header is and which column holds which field."""

    row: int  # 1-based row number of the (last) header row
    columns: dict[str, int]  # field -> 0-based column
    units: dict[str, str]  # field -> unit text from the header's brackets
    labels: dict[str, str]  # field -> header text as written
    quarters: dict[str, int] = field(default_factory=dict)  # field -> quarter its chosen column names (累计完成（三季度末）)
    others: dict[str, list[int]] = field(default_factory=dict)  # field -> the other columns that also matched it
    ambiguous: str = ""  # non-empty: two columns match one field and no quarter settles it (the sheet is refused)


def _map_row(row: list[Any]) -> tuple[dict[str, tuple[int, int, str, str]], int]:
    """Map header cells of one row: field -> (col, quality, brackets, text); plus unmatched count."""
    found: dict[str, tuple[int, int, str, str]] = {}
    unmatched = 0
    for col, value in enumerate(row):
        if value.__class__ is str:
            hit = _HEADER_CACHE.get(value, _UNCACHED)
            if hit is _UNCACHED:
                hit = match_header(value)
            if hit is None:
                if value.strip():
                    unmatched += 1
                continue
        else:
            hit = match_header(value) if isinstance(value, str) else None
            if hit is None:
                unmatched += 0 if is_blank(value) else 1
                continue
        name, quality, brackets = hit
        if name not in found or quality > found[name][1]:
            found[name] = (col, quality, brackets, str(value).strip())
    return found, unmatched


def _is_header_like(row: list[Any]) -> bool:
    """A row all of whose non-blank cells are known header names (stops at the first that is not)."""
    found = False
    for value in row:
        if value.__class__ is str:
            hit = _HEADER_CACHE.get(value, _UNCACHED)
            if hit is _UNCACHED:
                hit = match_header(value)
            if hit is not None:
                found = True
            elif value.strip():
                return False
        elif isinstance(value, str) and match_header(value) is not None:
            found = True
        elif not is_blank(value):
            return False
    return found


def _usable(found: dict) -> bool:
    """Enough fields for a header: an id or name, a figure or state, and MIN_HEADER_FIELDS in all."""
    return (
        len(found) >= MIN_HEADER_FIELDS
        and bool({"kpi_id", "name"} & found.keys())
        and bool({"cumulative", "increment", "state"} & found.keys())
    )


def _merge_lower(upper: dict, lower: dict) -> dict:
    """Combine a two-level header: the lower row's fields win over the upper row's in the same column."""
    taken = {item[0] for item in lower.values()}
    merged = {name: item for name, item in upper.items() if item[0] not in taken and name not in lower}
    merged.update(lower)
    return merged


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, tuple[int, int, str, str]]] | None:
    """Find the header among the first ``HEADER_SCAN_ROWS`` rows.

    Each row is tried alone and, when the row below consists of header names only,
    together with that row (two-level headers: 完成值 over 累计完成 | 本季度完成).
    Returns ``(last_header_row_number, mapping)`` for the candidate mapping the most
    fields (earliest on a tie), or None when no candidate is usable (see ``_usable``).
    """
    best = None
    scanned = rows[:HEADER_SCAN_ROWS]
    for index, row in enumerate(scanned):
        found, _ = _map_row(row)
        candidates = [(index + 1, found)]
        if index + 1 < len(rows) and _is_header_like(rows[index + 1]):
            candidates.append((index + 2, _merge_lower(found, _map_row(rows[index + 1])[0])))
        for row_number, mapping in candidates:
            if _usable(mapping) and (best is None or len(mapping) > len(best[1])):
                best = (row_number, mapping)
    return best


def detect_header(rows: list[list[Any]], found: Any = None, *, scanned: bool = False, prefer_quarter: int | None = None) -> Header | None:
    """The sheet's :class:`Header`, or None when none is recognisable.

    ``scanned``: ``found`` is what :func:`find_header` gave for these rows already.
    ``prefer_quarter``: the quarter (1-4) of the file's folder, which decides between
    two columns naming different quarters (see :func:`choose_columns`).
    """
    if not scanned:
        found = find_header(rows)
    if found is None:
        return None
    row_number, mapping = found
    columns = {name: item[0] for name, item in mapping.items()}
    units = {name: item[2] for name, item in mapping.items() if item[2]}
    labels = {name: item[3] for name, item in mapping.items()}
    header = Header(row_number, columns, units, labels)
    choose_columns(header, header_texts(rows, row_number), prefer_quarter)
    return header


def header_texts(rows: list[list[Any]], row_number: int) -> dict[int, str]:
    """Column -> header text: the (last) header row's cell, or the row above's for a blank cell."""
    lower = rows[row_number - 1] if row_number <= len(rows) else []
    upper = rows[row_number - 2] if row_number >= 2 else []
    texts = {}
    for col in range(max(len(lower), len(upper))):
        for row in (lower, upper):
            value = row[col] if col < len(row) else None
            if isinstance(value, str) and value.strip():
                texts[col] = value.strip()
                break
    return texts


_QUARTER_IN_HEADER = re.compile(r"(?:第?([一二三四1-4])季度?|Q([1-4])|([1-9]|1[0-2])月(?:底|末|份)?)")
_CN_INDEX = {"一": 1, "二": 2, "三": 3, "四": 4}


def quarter_in_header(text: str) -> int | None:
    """The quarter a header names: 累计完成（三季度末） → 3, 截至9月底 → 3, 1-6月 → 2; else None."""
    found = None
    for match in _QUARTER_IN_HEADER.finditer(fold(text).upper()):
        digit, q, month = match.groups()
        found = _CN_INDEX.get(digit, None) or (int(digit) if digit else None) or (int(q) if q else None) or (
            (int(month) - 1) // 3 + 1 if month else None)
    return found


def choose_columns(header: Header, texts: dict[int, str], prefer_quarter: int | None) -> None:
    """Settle fields matched by two columns (累计完成（二季度末） | 累计完成（三季度末）).

    For each field in ``CHOSEN_FIELDS`` every header column matching it is a candidate,
    except, for figures, headers naming a plan or last year (``NOT_FIGURE_HEADER_WORDS``:
    本年计划, 上年同期). One candidate: taken. Several, each naming a different quarter:
    the folder's quarter (``prefer_quarter``), else the latest, is taken. The quarter a
    taken column names is recorded (rows of another quarter are then rejected). Otherwise
    the sheet is refused
    (``header.ambiguous`` names the columns). The other candidates stay in ``others``,
    so formula checks cover them too.
    """
    for name in CHOSEN_FIELDS:
        candidates = []
        for col, text in sorted(texts.items()):
            hit = match_header(text)
            if hit is None or hit[0] != name:
                continue
            if name in ("cumulative", "increment") and any(word in text for word in NOT_FIGURE_HEADER_WORDS):
                continue
            candidates.append((col, text, hit))
        if not candidates:
            if name in header.columns and any(w in header.labels.get(name, "") for w in NOT_FIGURE_HEADER_WORDS):
                del header.columns[name], header.labels[name]
                header.units.pop(name, None)
            continue
        if len(candidates) == 1:
            chosen = candidates[0]
            named = quarter_in_header(chosen[1])
            if named is not None:
                header.quarters[name] = named  # 累计完成（二季度末）: rows of another quarter are refused
        else:
            named = {quarter_in_header(text): (col, text, hit) for col, text, hit in candidates}
            if None in named or len(named) != len(candidates):
                header.ambiguous = "、".join(f"「{text}」" for _, text, _ in candidates) + "都可作为“" + \
                    {"cumulative": "累计完成", "increment": "本季度完成", "state": "完成情况"}[name] + \
                    "”，请删去多余的列，或在列名中写明季度（如 累计完成（三季度末））"
                return
            quarter = prefer_quarter if prefer_quarter in named else max(named)
            chosen = named[quarter]
            header.quarters[name] = quarter
        col, text, hit = chosen
        header.columns[name], header.labels[name] = col, text
        if hit[2]:
            header.units[name] = hit[2]
        else:
            header.units.pop(name, None)
        header.others[name] = [c for c, _, _ in candidates if c != col]


