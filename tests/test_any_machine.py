"""The same inputs give the same report bytes on any machine, whatever fonts it has installed.

The report font is loaded from the pinned files (package ``mpl-font``) by matplotlib (charts in
HTML, PDF and the Word file's pictures) and by WeasyPrint (the PDF), never found by its family name:
a machine with Debian's ``fonts-noto-cjk`` answers "Noto Sans CJK SC" with a ``.ttc`` whose first
face is the Japanese one. The test builds one quarter's pillar report three times, each in a mount
namespace of its own (``unshare -m``, so it needs root, as on CI): with the system's font folders
hidden, with a hostile font that claims the report font's name as the only system font, and with
the machine's own fonts; every output file must have the same bytes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportlib import workspace as wsmod

SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
REPORTLIB = str(Path(sys.executable).with_name("reportlib"))


def _unshare_problem() -> str:
    """Why a private mount namespace cannot be made here ("" when it can)."""
    if shutil.which("unshare") is None:
        return "the unshare command is not installed"
    if os.geteuid() != 0:
        return "unshare -m needs root (the test hides the system's fonts with a tmpfs mounted over their folders)"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare -m with a tmpfs mount is not allowed here: {probe.stderr.strip()}"
    return ""


def _hostile_font(path: Path) -> None:
    """matplotlib's own DejaVu Sans renamed "Noto Sans CJK SC": what a system font of the report font's
    name does to a build that looks fonts up by name, on any machine."""
    import matplotlib
    from fontTools.ttLib import TTFont

    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "Noto Sans CJK SC"
        elif record.nameID == 6:
            record.string = "NotoSansCJKsc-Regular"
    font.save(path)


def _build(ws: Path, out: Path, fonts: str, tmp: Path) -> dict[str, str]:
    """sha256 of every report file of 2025Q1 pillar 5 (html, pdf, docx, ipynb) built with the
    system's fonts ``hidden``, replaced by the ``hostile`` one, or ``visible`` as they are."""
    env = {**os.environ, "MPLCONFIGDIR": str(tmp / f"mpl-{fonts}"), "XDG_CACHE_HOME": str(tmp / f"cache-{fonts}")}
    command = [REPORTLIB, "-C", str(ws), "build", "--quarter", "2025Q1", "--pillar", "5", "--force",
               "--jobs", "1", "--out", str(out), "--log-file", str(tmp / f"{fonts}.log")]
    if fonts != "visible":
        mounts = " && ".join(f"mount -t tmpfs tmpfs {folder}" for folder in SYSTEM_FONT_DIRS if os.path.isdir(folder))
        copy = f" && cp {tmp / 'hostile.ttf'} {SYSTEM_FONT_DIRS[0]}/" if fonts == "hostile" else ""
        command = ["unshare", "-m", "sh", "-c", f'{mounts}{copy} && exec "$@"', "sh", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    folder = out / "2025-Q1"
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir()) if path.suffix in (".html", ".pdf", ".docx", ".ipynb")}


@pytest.mark.skipif(bool(_unshare_problem()), reason=_unshare_problem() or "-")
def test_reports_are_byte_identical_with_system_fonts_hidden_hostile_or_visible(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(wsmod.PROJECT_ROOT / "data" / "raw", ws / "data" / "raw")
    _hostile_font(tmp_path / "hostile.ttf")
    hidden = _build(ws, tmp_path / "hidden", "hidden", tmp_path)
    assert {name.rsplit(".", 1)[1] for name in hidden} == {"html", "pdf", "docx", "ipynb"}
    for fonts in ("hostile", "visible"):
        other = _build(ws, tmp_path / fonts, fonts, tmp_path)
        differing = sorted(name for name in hidden if other.get(name) != hidden[name])
        assert not differing, f"with the system's fonts {fonts}, these differ from a build without them: {differing}"
