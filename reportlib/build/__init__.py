"""The build: render every report of a workspace, in parallel, and publish the set at once.

The stage in modules, each readable alone: :mod:`~reportlib.build.pipeline` (which reports a run
renders, rendering them into a staging folder, publishing; ``reportlib build``),
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

from reportlib.build.pipeline import (  # noqa: F401
    FORMATS,
    INDEX,
    MANIFEST,
    PILLAR_NOTEBOOK,
    QUARTER_NOTEBOOK,
    UNIT_NOTEBOOK,
    BuildOutcome,
    JobResult,
    ReportJob,
    Timeouts,
    YearData,
    build,
    build_command,
    choose_jobs,
    jobs_for_quarter,
    latest_quarter,
    parse_formats,
    quarter_folder,
    register,
    render_all,
    render_job,
    setup_logging,
    unit_jobs,
    with_navigation,
    workspace_years,
)
