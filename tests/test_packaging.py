"""The project's packaging stays consistent: pyproject.toml vs environment.yml, entry points."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points

import yaml

from reportlib import __version__, workspace


def _names(requirements) -> set[str]:
    return {re.split(r"[ <>=!~\[;]", r.strip(), maxsplit=1)[0].lower() for r in requirements}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    pyproject = tomllib.loads((workspace.PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    declared = _names(project["dependencies"]) | _names(
        r for extra in project["optional-dependencies"].values() for r in extra
    )
    env = yaml.safe_load((workspace.PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert conda_python == ["python=3.11"]
    assert _names(p for p in pip_section if not p.startswith("-e")) == declared


def test_lock_file_pins_every_declared_package():
    pyproject = tomllib.loads((workspace.PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    declared = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    lock = (workspace.PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pinned = {line.split("==")[0].lower().replace("_", "-") for line in lock if "==" in line}
    assert {n.replace("_", "-") for n in declared} <= pinned


def test_console_script_and_module_entry_point():
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts["reportlib"] == "reportlib.cli:main"
    result = subprocess.run([sys.executable, "-m", "reportlib", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"reportlib {__version__}"


def test_nbconvert_exporters_are_registered():
    exporters = {ep.name: ep.value for ep in entry_points(group="nbconvert.exporters")}
    assert exporters["reportpdf"] == "reportlib.build.exporters:ReportPDFExporter"
    assert exporters["reporthtml"] == "reportlib.build.exporters:ReportHTMLExporter"
