"""The benchmark page: a new run rewrites the measured part and keeps the hand-written history."""
from __future__ import annotations

from bench import doc


def test_a_new_run_keeps_the_history_below_the_marker(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Benchmarks\n\nold table\n\n{doc.HISTORY_MARKER}\n## Measurement history\n\npaired run\n", encoding="utf-8")
    doc.write(page, "# Benchmarks\n\nnew table\n")
    text = page.read_text(encoding="utf-8")
    assert "new table" in text and "old table" not in text
    assert text.endswith(f"{doc.HISTORY_MARKER}\n## Measurement history\n\npaired run\n")


def test_a_page_without_history_is_the_run_alone(tmp_path):
    page = tmp_path / "benchmarks.md"
    doc.write(page, "# Benchmarks\n\nnew table\n")
    assert page.read_text(encoding="utf-8") == "# Benchmarks\n\nnew table\n"
