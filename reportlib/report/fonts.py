"""The report font: Noto Sans CJK SC, one place for both matplotlib and the PDF engine.

The font files come from the pip package ``mpl-font`` (pinned in pyproject.toml),
so every machine gets the same glyphs without root or system packages; the
Simplified-Chinese OpenType files are used directly (Debian's ``.ttc`` opens
on the Japanese face by default, which draws some characters differently).

Set ``REPORTLIB_FONT_DIR`` to use another folder of ``.otf``/``.ttf`` files
(the tests point it at an empty folder to prove the checks fail loudly).
"""
from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from reportlib.errors import EnvironmentProblem

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILES = {"normal": "NotoSansCJKsc-Regular.otf", "bold": "NotoSansCJKsc-Bold.otf"}
FONT_DIR_ENV = "REPORTLIB_FONT_DIR"
# What a browser falls back to when the HTML is opened on a machine without Noto.
CSS_FONT_STACK = (
    f'"{FONT_FAMILY}", "Source Han Sans SC", "Noto Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
)
FIX_HINT = (
    "run `make reports` (or `.venv/bin/pip install -e .`) to install the font package "
    f"mpl-font, or set {FONT_DIR_ENV} to a folder holding {FONT_FILES['normal']}"
)


def font_dir() -> Path | None:
    """The folder holding the report font files, or None when there is none."""
    override = os.environ.get(FONT_DIR_ENV)
    if override:
        return Path(override)
    spec = importlib.util.find_spec("mpl_font")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "fonts" / "noto"


def font_files() -> dict[str, Path]:
    """Weight -> font file; raises EnvironmentProblem naming the fix when missing."""
    folder = font_dir()
    found = {weight: folder / name for weight, name in FONT_FILES.items()} if folder else {}
    missing = [str(path) for path in found.values() if not path.is_file()]
    if not found or missing:
        where = ", ".join(missing) if missing else "no font folder"
        raise EnvironmentProblem(f"Chinese font {FONT_FAMILY} not found ({where})", FIX_HINT)
    return found


@lru_cache(maxsize=None)
def register_matplotlib_fonts(folder: str | None = None) -> str:
    """Add the report font to matplotlib's font manager; return the family name.

    ``folder`` only keys the cache so a changed REPORTLIB_FONT_DIR is honoured.
    """
    from matplotlib import font_manager

    ours = [str(path) for path in font_files().values()]
    manager = font_manager.fontManager
    # A system copy of the family (Debian's fonts-noto-cjk .ttc, whose first face is Japanese) would
    # tie with ours in findfont and win by coming first: only the package's files keep the name.
    manager.ttflist = [entry for entry in manager.ttflist if entry.name != FONT_FAMILY or entry.fname in ours]
    for path in ours:
        if not any(entry.fname == path for entry in manager.ttflist):
            manager.addfont(path)
    manager._findfont_cached.cache_clear()
    return FONT_FAMILY


def ensure_matplotlib_fonts() -> str:
    """Register the font for the current font folder (cached per folder)."""
    return register_matplotlib_fonts(str(font_dir()))


def font_face_css() -> str:
    """@font-face rules pointing WeasyPrint at the font files by absolute path."""
    rules = []
    for weight, path in font_files().items():
        rules.append(
            "@font-face {"
            f' font-family: "{FONT_FAMILY}"; font-weight: {weight};'
            f' src: url("{path.resolve().as_uri()}") format("opentype"); }}'
        )
    return "\n".join(rules)


def _subset_woff(path: Path, text: str) -> bytes:
    """The font at ``path`` cut down to the characters of ``text``, as WOFF.

    HarfBuzz subsets in milliseconds (fontTools takes seconds on a 65 000-glyph
    CJK font); fontTools only wraps the result as WOFF, keeping the original
    timestamps so the same text gives the same bytes.
    """
    return _subset_woff_of(path, "".join(sorted(set(text))))


@lru_cache(maxsize=32)  # a page made twice in one run (e.g. the index: compared, then published)
def _subset_woff_of(path: Path, chars: str) -> bytes:
    import io

    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    subset_input = hb.SubsetInput()
    for char in chars:
        subset_input.unicode_set.add(ord(char))
    subset = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), subset_input)
    font = TTFont(io.BytesIO(bytes(subset.blob.data)), recalcTimestamp=False, recalcBBoxes=False)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def embedded_font_css(text: str) -> str:
    """@font-face rules carrying the report font, subset to ``text``, as data URIs.

    Embedded in every HTML report so it shows Chinese on a machine with no CJK
    font at all (a few hundred kB per report), still with nothing fetched.
    """
    import base64

    rules = []
    for weight, path in font_files().items():
        data = base64.b64encode(_subset_woff(path, text)).decode("ascii")
        rules.append(
            "@font-face {"
            f' font-family: "{FONT_FAMILY}"; font-weight: {weight};'
            f' src: url("data:font/woff;base64,{data}") format("woff"); }}'
        )
    return "\n".join(rules)
