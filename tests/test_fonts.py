"""The charts' font is the package's Noto Sans CJK SC even when the system has a font of that name."""
from __future__ import annotations

import matplotlib
from matplotlib import font_manager

from reportlib.report import fonts


def test_a_system_font_of_the_same_name_does_not_replace_the_packages(monkeypatch):
    system_file = matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf"  # stands in for Debian's .ttc
    impostor = font_manager.FontEntry(fname=system_file, name=fonts.FONT_FAMILY, style="normal", variant="normal",
                                      weight=400, stretch="normal", size="scalable")
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [impostor] + list(font_manager.fontManager.ttflist))
    fonts.register_matplotlib_fonts.cache_clear()
    font_manager.fontManager._findfont_cached.cache_clear()
    try:
        family = fonts.register_matplotlib_fonts("impostor-test")
        found = font_manager.findfont(font_manager.FontProperties(family=[family]), fallback_to_default=False)
        assert found == str(fonts.font_files()["normal"])
    finally:
        fonts.register_matplotlib_fonts.cache_clear()
        font_manager.fontManager._findfont_cached.cache_clear()
