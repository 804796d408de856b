"""Checks before a build renders anything: the plan, the output folders, the free space.

Each failure is one sentence naming the file or folder and what to do, with the exit code
of its kind (3 for the plan, 5 for the machine); nothing has been rendered or published.
:func:`environment_problem` turns a disk or permission error met later into the same kind
of sentence.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from reportlib.errors import EnvironmentProblem, InputError

MB = 1024 * 1024
# Room a run needs besides the reports themselves: staging copies of notebooks, WeasyPrint's
# font folders (about 11 MB per rendering process), kernel sockets.
TEMP_MARGIN_BYTES = 64 * MB
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
NOT_ALLOWED = (errno.EACCES, errno.EPERM, errno.EROFS)


def check_plan(plan=None) -> None:
    """The whole of ``reportlib plan check`` (:func:`reportlib.plan.check_problems`: the rule
    checks, the drift of every target against the plan's source document, every number of the
    document accounted for, ``previous_id``); InputError (exit 3) listing each problem with its
    file and line. Its notes about the document are warnings there and are not repeated."""
    from reportlib.plan import check_problems, default_plan_path

    path = Path(getattr(plan, "path", None) or default_plan_path())
    problems = check_problems(path)
    if problems:
        raise InputError(
            "计划文件检查未通过（与 reportlib plan check 相同的检查），本次没有生成也没有发布任何报告；"
            "请改正后重试：\n  " + "\n  ".join(problems), file=str(path))


def check_writable(*folders: Path) -> None:
    """Each folder exists (created if need be) and a file can be written in it."""
    for folder in folders:
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise environment_problem(exc, folder) from None


def check_space(out_dir: Path, last_build_bytes: int, temp_dir: Path | None = None) -> None:
    """Enough free space for a build the size of the last one (plus temporary files)."""
    need = last_build_bytes + TEMP_MARGIN_BYTES
    for folder, wanted in ((Path(out_dir), need), (Path(temp_dir or tempfile.gettempdir()), TEMP_MARGIN_BYTES)):
        free = shutil.disk_usage(folder).free
        if free < wanted:
            raise EnvironmentProblem(
                f"{folder} 所在磁盘只剩 {free / MB:.0f} MB 可用，而本次生成约需 {wanted / MB:.0f} MB"
                f"（上一次生成的报告 {last_build_bytes / MB:.0f} MB，另加临时文件），本次没有生成任何报告，reports/ 保持原样",
                f"清理或扩大 {folder} 所在的磁盘后重新运行",
            )


BUILD_STOPPED = "本次生成已放弃，reports/ 保持原样"


def environment_problem(exc: OSError, where: Path | str | None = None,
                        consequence: str = BUILD_STOPPED) -> EnvironmentProblem | None:
    """A disk-full or permission error as one sentence naming the file or folder (``where``, else the
    one the error names), what became of the command (``consequence``) and the fix; None for other errors."""
    where = where or exc.filename or "（未知位置，见日志）"
    if exc.errno in DISK_FULL:
        return EnvironmentProblem(f"磁盘已满，无法写入 {where}；{consequence}",
                                  f"清理或扩大 {where} 所在的磁盘后重新运行")
    if exc.errno in NOT_ALLOWED:
        return EnvironmentProblem(f"没有写入 {where} 的权限（{exc.strerror}）；{consequence}",
                                  f"让运行 reportlib 的用户可以写入 {where}（例如 chown -R 该用户 {where}）后重新运行")
    return None
