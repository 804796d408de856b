"""Where things live: the package's own folders, and one office's *workspace*.

A workspace is one office's folder; every stage asks it for paths and none builds a
path by itself::

    <workspace>/
      README.md                         what goes where (written by ``reportlib init``)
      data/raw/plans/<year>/            the official plan document(s), unchanged,
                                        and the reviewed plan file ``plan.yaml``
      data/raw/actuals/<year>Q<n>/      submissions as received, one folder a quarter
      data/processed/<year>/            actuals, rejects and ingest summary (derived)
      reports/<year>-Q<n>/              rendered reports of a quarter, manifest.json
      reports/index.html                one index over every year
      logs/                             one log file per build
      data/raw/intake/log.jsonl         every web upload and confirmation (append-only)
      intake/                           secret links (hashed), server key, upload spool

The default workspace is the repository's bundled one (its root folder); ``reportlib
-C DIR`` / ``--workspace DIR`` or the environment variable ``REPORTLIB_WORKSPACE``
choose another (the CLI sets the variable, so report kernels see the same workspace).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from reportlib import quarters
from reportlib.errors import InputError, UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("REPORTLIB_ROOT", PACKAGE_DIR.parent))
NOTEBOOKS = PROJECT_ROOT / "notebooks"
WORKSPACE_ENV = "REPORTLIB_WORKSPACE"

PLAN_FILE_NAME = "plan.yaml"
SETTINGS_FILE = "workspace.yaml"  # organization: 某某街道 (written by init; plan import's default)
YEAR_FOLDER = re.compile(r"^(20\d\d)$")
REPORT_FOLDER = re.compile(r"^(\d{4})-Q([1-4])$")

README_TEXT = """# {organization} 重点工作进展报告 — 工作区

本文件夹是 {organization} 的 reportlib 工作区（workspace），各文件放在：

- `data/raw/plans/<年份>/`：该年度工作谋划/工作要点原文（原样保存，不修改）和校对后的计划文件 `plan.yaml`
  （用 `reportlib -C . plan import 原文文件` 生成草稿，校对后运行 `reportlib -C . plan check`）；
- `data/raw/actuals/<年份>Q<季度>/`：各单位报送的季度完成情况表，如 `2026Q1/`（原样保存）；
- `data/processed/<年份>/`：导入后的数据（由程序生成，可随时删除重建）；
- `reports/`：生成的报告，`reports/index.html` 为目录；
- `logs/`：每次生成报告的日志；
- `intake/`：网上报送的链接摘要、服务器密钥和上传暂存（`reportlib intake links` 生成，勿外传、勿提交）。
"""


@dataclass(frozen=True)
class Workspace:
    """One office's folder (see the module docstring for the layout)."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def plans(self) -> Path:
        return self.raw / "plans"

    @property
    def actuals_raw(self) -> Path:
        return self.raw / "actuals"

    @property
    def processed_root(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def intake(self) -> Path:
        """The web intake's own state: hashed links, the server key, the upload spool (not data)."""
        return self.root / "intake"

    @property
    def intake_log(self) -> Path:
        """Every web upload and confirmation, one JSON line each, appended (raw data)."""
        return self.raw / "intake" / "log.jsonl"

    def plan_dir(self, year: int) -> Path:
        return self.plans / str(int(year))

    def plan_file(self, year: int) -> Path:
        return self.plan_dir(year) / PLAN_FILE_NAME

    def processed(self, year: int) -> Path:
        return self.processed_root / str(int(year))

    def quarter_raw(self, quarter: str) -> Path:
        """The submissions folder of a quarter: ``data/raw/actuals/2026Q1``."""
        return self.actuals_raw / quarter

    def plan_years(self) -> list[int]:
        """Years that have a plan file, oldest first."""
        if not self.plans.is_dir():
            return []
        return sorted(int(p.name) for p in self.plans.iterdir()
                      if YEAR_FOLDER.match(p.name) and (p / PLAN_FILE_NAME).is_file())

    def latest_year(self) -> int:
        """The newest year that has a plan file; InputError naming the folder when none has."""
        years = self.plan_years()
        if not years:
            raise InputError(
                f"工作区中还没有任何年度的计划文件（应在 {self.plans}/<年份>/{PLAN_FILE_NAME}），"
                "请先运行 reportlib plan import 导入工作谋划文档", file=str(self.plans))
        return years[-1]

    def year(self, year: int | None = None, quarter: str | None = None) -> int:
        """The year a command works on: ``year``, else the quarter's year, else the latest plan year."""
        if year is not None:
            return int(year)
        if quarter:
            try:
                return quarters.quarter_year(quarters.parse_quarter(quarter))
            except quarters.QuarterError:
                pass  # a quarter without its year (Q3, 三季度): the latest plan year's
        return self.latest_year()

    def relative(self, path: Path) -> str:
        """``path`` relative to the workspace root (POSIX), for manifests and messages."""
        path = Path(path)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def organization(self) -> str:
        """The office named in ``workspace.yaml`` ("" when there is none)."""
        path = self.root / SETTINGS_FILE
        if not path.is_file():
            return ""
        match = re.search(r"^organization:\s*(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
        return match.group(1).strip("\"'") if match else ""


def current() -> Workspace:
    """The workspace chosen by ``REPORTLIB_WORKSPACE`` (set by ``reportlib -C``), else the bundled one."""
    chosen = os.environ.get(WORKSPACE_ENV)
    return Workspace(Path(chosen).resolve() if chosen else PROJECT_ROOT)


def use(root) -> Workspace:
    """Make ``root`` the current workspace of this process and of the processes it starts.

    A folder that does not exist is a usage error (a mistyped ``-C`` path is never created, with
    reports/ and logs/ in it); ``reportlib init`` makes a new workspace."""
    if not Path(root).is_dir():
        raise UsageError(f"工作区文件夹不存在：{root}（请检查 -C 后的路径；新建工作区请用 reportlib init 文件夹 --organization 单位名称）")
    workspace = Workspace(Path(root).resolve())
    os.environ[WORKSPACE_ENV] = str(workspace.root)
    return workspace


def resolve(workspace=None) -> Workspace:
    """A Workspace from a Workspace, a folder path or None (the current one)."""
    if isinstance(workspace, Workspace):
        return workspace
    return Workspace(Path(workspace).resolve()) if workspace else current()


def init(root, organization: str) -> Workspace:
    """Create an empty workspace at ``root`` for ``organization``; refuses a non-empty folder."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise InputError("该文件夹不是空的，请指定一个新的或空的文件夹", file=str(root))
    organization = (organization or "").strip()
    if not organization:
        raise InputError("请用 --organization 写明单位名称，如 --organization 某某街道")
    workspace = Workspace(root.resolve())
    for folder in (workspace.plans, workspace.actuals_raw, workspace.processed_root, workspace.reports, workspace.logs):
        folder.mkdir(parents=True, exist_ok=True)
    (workspace.root / "README.md").write_text(README_TEXT.format(organization=organization), encoding="utf-8")
    (workspace.root / SETTINGS_FILE).write_text(f"organization: {organization}\n", encoding="utf-8")
    return workspace
