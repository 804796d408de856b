"""``reportlib doctor``: is this machine able to build the reports?

Each check prints one line; a failed check says how to fix it. The command
exits non-zero (EXIT_ENVIRONMENT) when any check failed.
"""
from __future__ import annotations

import importlib.metadata
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlib.report import fonts
from reportlib import workspace
from reportlib.errors import EXIT_ENVIRONMENT, EXIT_OK, EnvironmentProblem

PROBE_TEXT = "街道乡镇重点工作进展"
SETUP_FIX = "run `make reports` (it creates .venv and installs everything)"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "OK  " if self.ok else "FAIL"
        text = f"[{mark}] {self.name}: {self.detail}"
        return text if self.ok else f"{text}\n       fix: {self.fix}"


def check_dependencies() -> CheckResult:
    """Every requirement of the installed reportlib distribution is installed."""
    try:
        requirements = importlib.metadata.requires("reportlib") or []
    except importlib.metadata.PackageNotFoundError:
        return CheckResult("Python packages", False, "reportlib is not installed", SETUP_FIX)
    names = [re.split(r"[ ;<>=!~\[]", req, maxsplit=1)[0] for req in requirements if "extra ==" not in req]
    missing = []
    for name in names:
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return CheckResult("Python packages", False, "missing " + ", ".join(missing), SETUP_FIX)
    return CheckResult("Python packages", True, f"{len(names)} requirements installed")


def check_kernel() -> CheckResult:
    """A Jupyter kernel of the name papermill uses starts and answers."""
    from jupyter_client.manager import start_new_kernel

    from reportlib.build.render import KERNEL_NAME

    try:
        manager, client = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
    except Exception as exc:  # any failure to start is the finding itself
        return CheckResult(
            "Jupyter kernel", False, f"kernel '{KERNEL_NAME}' did not start: {exc}",
            "install ipykernel in this environment (`make reports` does it)",
        )
    try:
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)
    return CheckResult("Jupyter kernel", True, f"kernel '{KERNEL_NAME}' started ({sys.executable})")


def check_matplotlib_font() -> CheckResult:
    """matplotlib resolves the report font family to a file that has CJK glyphs."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    try:
        fonts.ensure_matplotlib_fonts()
        path = font_manager.findfont(
            font_manager.FontProperties(family=fonts.FONT_FAMILY), fallback_to_default=False
        )
    except EnvironmentProblem as exc:
        return CheckResult("matplotlib CJK font", False, exc.problem, exc.fix)
    except ValueError as exc:
        return CheckResult("matplotlib CJK font", False, str(exc), fonts.FIX_HINT)
    font = FT2Font(path)
    missing = [ch for ch in PROBE_TEXT if font.get_char_index(ord(ch)) == 0]
    if missing:
        return CheckResult("matplotlib CJK font", False, f"{path} lacks {''.join(missing)}", fonts.FIX_HINT)
    return CheckResult("matplotlib CJK font", True, path)


def check_pdf_font() -> CheckResult:
    """WeasyPrint lays Chinese text out in the report font, subsetting with HarfBuzz."""
    from weasyprint import CSS, HTML
    from weasyprint.text.ffi import harfbuzz_subset
    from weasyprint.text.fonts import FontConfiguration

    try:
        font_config = FontConfiguration()
        css = CSS(string=fonts.font_face_css(), font_config=font_config)
        html = f'<p style="font-family: \'{fonts.FONT_FAMILY}\'">{PROBE_TEXT}</p>'
        document = HTML(string=html).render(stylesheets=[css], font_config=font_config)
        document.write_pdf()
    except EnvironmentProblem as exc:
        return CheckResult("PDF engine CJK font", False, exc.problem, exc.fix)
    except OSError as exc:
        return CheckResult(
            "PDF engine CJK font", False, f"WeasyPrint cannot load its libraries: {exc}",
            "install Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
        )
    families = sorted({font.family for font in document.fonts.values()})
    if families != [fonts.FONT_FAMILY]:
        return CheckResult("PDF engine CJK font", False, f"text laid out in {families}", fonts.FIX_HINT)
    if harfbuzz_subset is None:
        return CheckResult(
            "PDF engine CJK font", False, "HarfBuzz subsetting library missing (PDFs take 10x longer)",
            "apt-get install libharfbuzz-subset0 (`make reports` does it)",
        )
    return CheckResult("PDF engine CJK font", True, f"{fonts.FONT_FAMILY}, embedded and subset with HarfBuzz")


def check_writable(folder: Path) -> CheckResult:
    """``folder`` exists (or can be made) and accepts a file."""
    root = workspace.current().root
    name = f"writable {folder.relative_to(root) if folder.is_relative_to(root) else folder}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return CheckResult(name, False, str(exc), f"make {folder} writable by {os.environ.get('USER', 'this user')}")
    return CheckResult(name, True, str(folder))


def run_checks() -> list[CheckResult]:
    """Run every check, in order, and return their results."""
    checks: list[Callable[[], CheckResult]] = [
        check_dependencies,
        check_kernel,
        check_matplotlib_font,
        check_pdf_font,
        lambda: check_writable(workspace.current().processed_root),
        lambda: check_writable(workspace.current().reports),
    ]
    return [check() for check in checks]


def doctor_command(args) -> int:
    results = run_checks()
    for result in results:
        print(result.line())
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"{len(failed)} check(s) failed.", file=sys.stderr)
        return EXIT_ENVIRONMENT
    print("All checks passed.")
    return EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser("doctor", help="check that this machine can build the reports")
    parser.set_defaults(func=doctor_command)
