"""What a user would otherwise do: the papermill and nbconvert command lines, report by report.

For each report of ``reportlib build --all`` (in sequence, or — the peer a user would
really write — in parallel with ``xargs -P <cores>`` over the reports):

    papermill NOTEBOOK OUT/<name>.ipynb -p year Y -p quarter Q [-p pillar P] --cwd notebooks -k python3
    jupyter nbconvert --to reporthtml OUT/<name>.ipynb --output-dir OUT/<folder>
    jupyter nbconvert --to reportpdf  OUT/<name>.ipynb --output-dir OUT/<folder>

Same notebooks, same parameters, same processed data, same exporters; each command
is a fresh process, as when typed at a shell or put in a shell loop.
"""
from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Sample, run

# The jobs `reportlib build --all` renders, in its order, asked from the package itself.
_JOBS_SCRIPT = """
import json
from reportlib import actuals, build, plan
the_plan = plan.load_plan()
actuals.ensure_ingested(plan=the_plan)
available = sorted(actuals.load_actuals()["quarter"].unique())
pillars = [int(p) for p in the_plan.pillars["pillar"]]
jobs = [job for q in available for job in build.jobs_for_quarter(q, pillars)]
print(json.dumps([[str(j.notebook), j.name, j.parameters] for j in jobs]))
"""


@dataclass(frozen=True)
class Job:
    notebook: Path
    name: str  # e.g. "2025-Q3/pillar-2"
    parameters: dict


def build_jobs(python: Path, project: Path, env: dict) -> list[Job]:
    """The reports of ``reportlib build --all`` (ingesting first when the data changed)."""
    out = subprocess.run([str(python), "-c", _JOBS_SCRIPT], cwd=project, env=env, capture_output=True, text=True, check=True)
    return [Job(Path(nb), name, params) for nb, name, params in json.loads(out.stdout.strip().splitlines()[-1])]


def commands(job: Job, out_dir: Path, bin_dir: Path) -> list[list[str]]:
    """The three command lines of one report."""
    executed = out_dir / f"{job.name}.ipynb"
    params = [arg for key, value in job.parameters.items() for arg in ("-p", key, str(value))]
    papermill = [str(bin_dir / "papermill"), str(job.notebook), str(executed), *params,
                 "--cwd", str(job.notebook.parent), "-k", "python3", "--no-progress-bar"]
    nbconvert = [str(bin_dir / "jupyter"), "nbconvert", str(executed), "--output-dir", str(executed.parent)]
    return [papermill, [*nbconvert[:2], "--to", "reporthtml", *nbconvert[2:]], [*nbconvert[:2], "--to", "reportpdf", *nbconvert[2:]]]


def run_loop(jobs: list[Job], out_dir: Path, bin_dir: Path, project: Path, env: dict, log: Path) -> list[Sample]:
    """Run every report's three commands in sequence; returns one Sample per command."""
    samples = []
    for job in jobs:
        (out_dir / job.name).parent.mkdir(parents=True, exist_ok=True)
        for cmd in commands(job, out_dir, bin_dir):
            samples.append(run(cmd, cwd=project, env=env, log=log))
    return samples


def write_report_scripts(jobs: list[Job], out_dir: Path, bin_dir: Path, folder: Path) -> Path:
    """One shell script per report (its three commands, stopping at the first failure) and the
    list of them, one a line: what ``xargs`` reads. Returns the list file."""
    folder.mkdir(parents=True, exist_ok=True)
    scripts = []
    for number, job in enumerate(jobs, start=1):
        (out_dir / job.name).parent.mkdir(parents=True, exist_ok=True)
        script = folder / f"report-{number:03d}.sh"
        script.write_text("set -e\n" + "".join(" ".join(shlex.quote(a) for a in cmd) + "\n"
                                                for cmd in commands(job, out_dir, bin_dir)), encoding="utf-8")
        scripts.append(str(script))
    listing = folder / "reports.txt"
    listing.write_text("\n".join(scripts) + "\n", encoding="utf-8")
    return listing


def parallel_command(listing: Path, workers: int) -> list[str]:
    """``xargs -P <workers> -n 1 sh < listing``: the reports' scripts, ``workers`` at a time."""
    return ["sh", "-c", f"exec xargs -P {int(workers)} -n 1 sh < {shlex.quote(str(listing))}"]
