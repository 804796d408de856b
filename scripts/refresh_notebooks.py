"""Re-execute the committed notebooks in place with their default parameters.

The notebooks are committed with their outputs so that ``pytest --nbval``
checks that they still produce them. Run after changing a notebook or the
package code it calls:  .venv/bin/python scripts/refresh_notebooks.py [NAME ...]
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps: noise in diffs
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(NOTEBOOKS.parent)}")


def main(names: list[str]) -> int:
    targets = [NOTEBOOKS / n for n in names] if names else sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in targets:
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
