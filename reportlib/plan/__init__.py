"""Work-plan documents (工作谋划 / 工作要点 / 工作计划) and the reviewed plan file.

The stage in modules, each readable alone:

* :mod:`~reportlib.plan.documents` – a document file (.docx, saved .html, PDF, text in any
  encoding) into paragraphs, metadata and tables (:func:`load_document`);
* :mod:`~reportlib.plan.structure` – metadata lines and the heading tree (any nesting of
  一、 > （一） > 1. > （1）: the top two levels are pillars and tasks);
* :mod:`~reportlib.plan.scanner` – one block's sentences and clauses: what each number is;
* :mod:`~reportlib.plan.reasons` – the four states of a number and every reason, as data;
* :mod:`~reportlib.plan.targets` – candidate targets and every other number of a document
  (:func:`extract`, :func:`extract_file`); :mod:`~reportlib.plan.naming` – short KPI names;
* :mod:`~reportlib.plan.review` – past results (工作回顾, 2024年完成…) and year-end summaries;
* :mod:`~reportlib.plan.owners` – 责任单位 / 牵头单位 and 完成时限;
* :mod:`~reportlib.plan.tables` – target tables (任务 / 目标 / 责任单位 / 完成时限);
* :mod:`~reportlib.plan.explain` – ``plan extract --explain``: every number and why;
* :mod:`~reportlib.plan.planfile` – the reviewed plan file (:func:`load_plan`);
* :mod:`~reportlib.plan.validation` – its rule checks (:func:`validate_plan`);
* :mod:`~reportlib.plan.drift` – plan file against document (:func:`check_drift`);
* :mod:`~reportlib.plan.accounting` – every number of the document: KPI, reviewed, context or to review;
* :mod:`~reportlib.plan.check` – the whole of ``plan check`` as one function (:func:`check_plan`);
* :mod:`~reportlib.plan.review_page` – ``plan review``: the self-contained review page;
* :mod:`~reportlib.plan.links` – next year's draft: ``previous_id`` proposals;
* :mod:`~reportlib.plan.draft` – the plan tree and a first draft from an extraction;
* :mod:`~reportlib.plan.commands` – ``reportlib plan extract | import | check | show | review``.

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
from reportlib.plan.documents import Document, decode_bytes, load_document, read_document
from reportlib.plan.targets import extract, extract_document, extract_file, normalise_text
from reportlib.plan.planfile import default_plan_path, load_plan, read_plan, validate_plan
from reportlib.plan.drift import check_drift
from reportlib.plan.draft import document_identity, draft_plan, dump_plan_yaml, format_plan_tree
from reportlib.plan.check import PlanCheck, check_plan, check_problems
from reportlib.plan.commands import register

__all__ = [
    "CANDIDATE_COLUMNS", "KINDS", "KPI_COLUMNS", "KPI_KEYS", "PERIODS",
    "Document", "Extraction", "Plan", "PlanCheck", "check_drift", "check_plan", "check_problems", "decode_bytes", "default_plan_path", "document_identity",
    "draft_plan", "dump_plan_yaml", "extract", "extract_document", "extract_file", "load_document",
    "format_plan_tree", "load_plan", "normalise_text", "read_document", "read_plan",
    "register", "validate_plan",
]
