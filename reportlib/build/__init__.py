"""The build: render every report of a workspace, in parallel, and publish the set at once.

The stage in modules, each readable alone: :mod:`~reportlib.build.jobs` (which reports a run renders),
:mod:`~reportlib.build.pipeline` (rendering them into a staging folder, publishing),
:mod:`~reportlib.build.command` (``reportlib build``),
:mod:`~reportlib.build.render` (one notebook executed and exported; kernels),
:mod:`~reportlib.build.kernel` (the kernel, over IPC), :mod:`~reportlib.build.exporters` (the
nbconvert exporters ``reporthtml`` / ``reportpdf``), :mod:`~reportlib.build.preflight` (checks
before anything is rendered), :mod:`~reportlib.build.lock` (one build at a time),
:mod:`~reportlib.build.children` (worker processes that die with the build),
:mod:`~reportlib.build.publish` (generations and the atomic switch of ``reports/current``),
:mod:`~reportlib.build.status` (``reports/status.json``) and :mod:`~reportlib.build.runlog` (the
outcome of a scheduled run, its log and its temporary folder).

Other stages call only the verbs re-exported here.
"""
from __future__ import annotations

from reportlib.build.jobs import (  # noqa: F401
    PILLAR_NOTEBOOK,
    QUARTER_NOTEBOOK,
    UNIT_NOTEBOOK,
    JobResult,
    ReportJob,
    YearData,
    jobs_for_quarter,
    latest_quarter,
    quarter_folder,
    unit_jobs,
    unit_key,
    with_navigation,
)
from reportlib.build.pipeline import (  # noqa: F401
    FORMATS,
    INDEX,
    MANIFEST,
    BuildOutcome,
    Timeouts,
    build,
    render_all,
    render_job,
)
from reportlib.build.command import build_command, choose_jobs, parse_formats, register, workspace_years  # noqa: F401
from reportlib.build.runlog import setup_logging  # noqa: F401
