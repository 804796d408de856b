"""``reportlib doctor`` finds a working machine healthy and a font-less one broken, naming the fix."""
from __future__ import annotations

from reportlib import doctor
from reportlib.cli import main
from reportlib.errors import EXIT_ENVIRONMENT


def test_font_checks_pass_with_the_installed_font():
    assert doctor.check_matplotlib_font().ok
    assert doctor.check_pdf_font().ok


def test_doctor_passes_on_this_machine(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "Jupyter kernel" in out


def test_doctor_fails_without_a_cjk_font_and_says_how_to_fix(empty_font_dir, capsys):
    assert main(["doctor"]) == EXIT_ENVIRONMENT
    out = capsys.readouterr().out
    assert "[FAIL] matplotlib CJK font" in out
    assert "[FAIL] PDF engine CJK font" in out
    assert "fix: run `make reports`" in out
    assert "REPORTLIB_FONT_DIR" in out


def test_unwritable_output_folder_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = doctor.check_writable(blocker / "reports")
    assert not result.ok
    assert "fix:" in result.line()
