"""Work-plan documents (工作谋划 / 工作要点 / 工作计划) and the reviewed plan file.

The stage in modules, each readable alone:

* :mod:`~reportlib.plan.documents` – a document file into text (any encoding);
* :mod:`~reportlib.plan.structure` – metadata lines and the heading tree (pillars, tasks);
* :mod:`~reportlib.plan.targets` – candidate targets in every block, with the reason a
  number is not one (:func:`extract`, :func:`extract_file`);
* :mod:`~reportlib.plan.planfile` – the reviewed plan file (:func:`load_plan`);
* :mod:`~reportlib.plan.validation` – its rule checks (:func:`validate_plan`);
* :mod:`~reportlib.plan.drift` – plan file against document (:func:`check_drift`);
* :mod:`~reportlib.plan.draft` – the plan tree and a first draft from an extraction;
* :mod:`~reportlib.plan.commands` – ``reportlib plan extract | import | check | show``.

Other stages call only the verbs re-exported here.
"""
from __future__ import annotations

from reportlib.plan.model import (
    CANDIDATE_COLUMNS,
    KINDS,
    KPI_COLUMNS,
    KPI_KEYS,
    PERIODS,
    Extraction,
    Plan,
)
from reportlib.plan.documents import decode_bytes, read_document
from reportlib.plan.targets import extract, extract_file, normalise_text
from reportlib.plan.planfile import default_plan_path, load_plan, read_plan, validate_plan
from reportlib.plan.drift import check_drift
from reportlib.plan.draft import document_identity, draft_plan, dump_plan_yaml, format_plan_tree
from reportlib.plan.commands import register

__all__ = [
    "CANDIDATE_COLUMNS", "KINDS", "KPI_COLUMNS", "KPI_KEYS", "PERIODS",
    "Extraction", "Plan", "check_drift", "default_plan_path", "decode_bytes", "document_identity", "draft_plan", "dump_plan_yaml", "extract",
    "extract_file", "format_plan_tree", "load_plan", "normalise_text", "read_document", "read_plan",
    "register", "validate_plan",
]
