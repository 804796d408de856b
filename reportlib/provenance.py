"""Where a report came from: input hashes, fingerprints and the per-quarter manifest.

A report's *fingerprint* is the sha256 of everything that can change it: the
plan file, the processed actuals up to its quarter (and that quarter's rejects
and file errors), its notebook, the package code and templates, its parameters
and links. ``reportlib build`` skips a report whose fingerprint matches the manifest and
whose outputs (every format asked for) are there unchanged.
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from reportlib import __version__, quarters, workspace
from reportlib.actuals.cells import folder_quarter
from reportlib.atomic import naming

PACKAGE_DIR = Path(__file__).resolve().parent
CODE_SUFFIXES = {".py", ".j2", ".css", ".json"}
KEY_PACKAGES = ("pandas", "matplotlib", "papermill", "nbconvert", "nbclient", "ipykernel", "weasyprint",
                "pydyf", "mpl-font", "openpyxl", "pyarrow")
MANIFEST_NAME = "manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the package's code and templates (path + content, sorted)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=8)
def _data_digests(processed_dir: str, stamp: tuple) -> dict[str, str]:
    """Quarter -> sha256 of the processed data a report of that quarter reads."""
    from reportlib import actuals

    folder = Path(processed_dir)
    table = actuals.load_actuals(folder, include_superseded=True)
    rejects = actuals.load_rejects(folder)
    summary = actuals.load_summary(folder)
    digests = {}
    for quarter in sorted(set(table["quarter"]) | set(actuals.quarters_in_rejects(rejects))):
        upto = table[table["quarter"] <= quarter]
        its_rejects = actuals.rejects_for(rejects, quarter)
        # what the report shows of the summary: this quarter's notes and the sample flag
        shown = {**actuals.quarter_notes(summary, quarter), "sample_data": bool(summary.get("sample_data"))}
        blob = upto.to_csv(index=False).encode() + its_rejects.to_csv(index=False).encode()
        blob += json.dumps(shown, ensure_ascii=False, sort_keys=True).encode()
        digests[quarter] = sha256_bytes(blob)
    return digests


def data_digest(quarter: str, processed_dir: Path | None = None) -> str:
    """sha256 of the processed data a report of ``quarter`` reads (default: that year's folder)."""
    folder = Path(processed_dir) if processed_dir else workspace.current().processed(quarters.quarter_year(quarter))
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*")) if p.is_file())
    return _data_digests(str(folder), stamp).get(quarter, sha256_bytes(b"no data"))


def job_fingerprint(job) -> str:
    """sha256 of everything that can change ``job``'s outputs: its year's plan file and
    processed data, its notebook, the package code, its parameters and links. (Not the formats:
    each format shows the same report; which ones a report has is in its manifest entry.)"""
    parts = {
        "plan": sha256_file(job.plan_file),
        "data": data_digest(job.quarter, job.processed_dir),
        "notebook": sha256_file(job.notebook),
        "code": code_fingerprint(),
        "parameters": json.dumps(job.parameters, sort_keys=True),
        "links": json.dumps(list(getattr(job, "links", ())), ensure_ascii=False),
        "version": __version__,
    }
    return sha256_bytes(json.dumps(parts, sort_keys=True).encode())


def git_commit() -> str:
    """The checkout's commit (with ``+dirty`` when it has changes), or "" outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=workspace.PROJECT_ROOT, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=workspace.PROJECT_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{commit}+dirty" if dirty else commit


def package_versions(names=KEY_PACKAGES) -> dict[str, str]:
    """Python's and each named distribution's version ("" when not installed)."""
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = ""
    return found


def input_files(ws: "workspace.Workspace", year: int) -> list[dict]:
    """The raw inputs of ``year`` (its plan folder, its quarter folders of submissions and
    submissions outside any quarter folder) with their sha256, paths relative to the workspace."""
    files = [p for p in ws.plan_dir(year).rglob("*") if p.is_file()] if ws.plan_dir(year).is_dir() else []
    if ws.actuals_raw.is_dir():
        for path in ws.actuals_raw.rglob("*"):
            if not path.is_file():
                continue
            quarter = folder_quarter(path.relative_to(ws.actuals_raw).as_posix())
            if quarter is None or quarters.quarter_year(quarter) == int(year):
                files.append(path)
    return [{"path": ws.relative(p), "sha256": sha256_file(p)} for p in sorted(files, key=ws.relative)]


def _relative_to_project(path: Path) -> str:
    path = Path(path).resolve()
    root = workspace.PROJECT_ROOT.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(staging_folder: Path, published_folder: Path, results, fingerprints: dict, formats,
                   ws: "workspace.Workspace", plan, keep: set[str] | None = None) -> Path:
    """Write ``manifest.json`` for one quarter folder of ``plan``'s year into staging, keeping entries of
    reports not rebuilt this run from the published manifest (only those named in ``keep``, when given)."""
    previous = read_manifest(published_folder)
    reports = {name: entry for name, entry in previous.get("reports", {}).items() if keep is None or name in keep}
    out_root = staging_folder.parent
    for result in results:
        reports[result.job.name] = {
            "notebook": _relative_to_project(result.job.notebook),
            "parameters": result.job.parameters,
            "fingerprint": fingerprints[result.job.name],
            "outputs": [
                {"path": str(f.relative_to(out_root)), "sha256": sha256_file(f)}
                for f in sorted(result.files) if f.suffix.lstrip(".") in formats
            ],
            "seconds": round(result.seconds, 2),
        }
    manifest = {
        "reportlib_version": __version__,
        "git_commit": git_commit(),
        "packages": package_versions(),
        "organization": plan.organization,
        "year": int(plan.year),
        "plan": {"path": ws.relative(plan.path), "sha256": sha256_file(plan.path)},
        "inputs": input_files(ws, plan.year),
        "reports": dict(sorted(reports.items())),
    }
    staging_folder.mkdir(parents=True, exist_ok=True)
    path = staging_folder / MANIFEST_NAME
    with naming(path):
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
