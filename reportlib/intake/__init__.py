"""Submissions checked at the source: ``reportlib serve`` and ``reportlib intake``.

Each 责任单位 gets a secret link per quarter (:mod:`~reportlib.intake.tokens`); on its page it
uploads its filled workbook and is told at once, row by row, what the ingest makes of it
(:mod:`~reportlib.intake.check`), with a receipt number. The analyst's board shows per unit
whether it has submitted, the rows rejected, held or to look at, and the 催报 list
(:mod:`~reportlib.intake.board`).

Modules: :mod:`~reportlib.intake.rules` (limits, outcome labels, advice and refusal texts),
:mod:`~reportlib.intake.tokens` (hashed links), :mod:`~reportlib.intake.screen` (name, size,
content sniffing, zip bombs), :mod:`~reportlib.intake.upload` (the form, streamed into the
spool), :mod:`~reportlib.intake.storage` (whole files into the raw tree, the append-only
log), :mod:`~reportlib.intake.check`, :mod:`~reportlib.intake.board`,
:mod:`~reportlib.intake.guard` (tokens on every request, rate limit, CSRF, headers, log
redaction), :mod:`~reportlib.intake.app` (Starlette routes, Jinja2 pages in ``pages/`` with
autoescape) and :mod:`~reportlib.intake.commands`.
"""
from __future__ import annotations

from reportlib.intake.commands import register

__all__ = ["register"]
