"""Project folders, in one place. ``REPORTLIB_ROOT`` points the package at another checkout."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("REPORTLIB_ROOT", Path(__file__).resolve().parent.parent))
DATA_RAW = PROJECT_ROOT / "data" / "raw"
PLAN_DIR = DATA_RAW / "plan"
ACTUALS_RAW = DATA_RAW / "actuals"
DATA_PROCESSED = PROJECT_ROOT / "data" / "processed"
NOTEBOOKS = PROJECT_ROOT / "notebooks"
REPORTS = PROJECT_ROOT / "reports"
