"""Execute one parameterized notebook and convert it to HTML and PDF.

The conversion uses the project's nbconvert exporters (:mod:`reportlib.build.exporters`,
also registered as ``jupyter nbconvert --to reporthtml`` / ``--to reportpdf``).

PDF engine: our HTML template, then WeasyPrint to A4 with the report font
embedded (see README for why not LaTeX or webpdf).

``reportlib build`` runs each notebook in a *warm* kernel (``warm=True``): a fresh
kernel process forked from a per-worker zygote that has the report modules imported,
instead of a cold ``python -m ipykernel_launcher`` (see "warm kernels" below).
"""
from __future__ import annotations

import errno
import importlib.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from reportlib.atomic import naming
from reportlib.build import kernel as kernel_module
from reportlib.report.pages import html_to_pdf
from reportlib.errors import RenderError

if TYPE_CHECKING:
    import nbformat

# nbformat, nbconvert and papermill are imported where they are used: importing
# nbformat alone takes about a second (jsonschema compiles its format grammars),
# which commands that render nothing (a no-op build, ingest) should not pay.

KERNEL_NAME = "python3"
DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)
KERNEL_START_TIMEOUT_S = 60
CELL_TIMEOUT_S = 300


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: dict,
    *,
    kernel_timeout: int = KERNEL_START_TIMEOUT_S,
    cell_timeout: int = CELL_TIMEOUT_S,
    warm: bool = False,
) -> nbformat.NotebookNode:
    """Run ``notebook`` with papermill, writing the executed copy to ``output``.

    A failing cell, a kernel that does not start within ``kernel_timeout`` or a
    cell that runs longer than ``cell_timeout`` seconds raises RenderError naming
    the notebook, parameters and cell.

    ``warm``: start the kernel from this process's :class:`KernelZygote` (a fresh
    kernel process forked with the report modules already imported) instead of a
    cold ``python -m ipykernel_launcher``; the notebook runs the same.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    engine_options = {"kernel_manager_class": kernel_manager_class(warm and warm_kernels_supported())}
    try:
        return papermill.execute_notebook(
            _literal_path(notebook),  # (papermill formats paths with the parameters)
            _literal_path(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            start_timeout=kernel_timeout,
            execution_timeout=cell_timeout,
            # written once when done (or failed), not after every cell
            request_save_on_cell_execute=False,
            autosave_cell_every=0,
            # the notebook has run and every output is in: the kernel is stopped at once
            # instead of asked to shut down and polled until it has (a tenth of a second or
            # more of an idle core per report); nothing of it is kept
            shutdown_kernel="immediate",
            **engine_options,
        )
    except PapermillExecutionError as exc:
        raise RenderError(
            f"a cell failed: {exc.ename}: {exc.evalue}",
            notebook=str(notebook),
            parameters=parameters,
            cell=f"#{exc.exec_count} (index {exc.cell_index})",
        ) from exc
    except OSError as exc:
        if exc.errno in DISK_ERRNOS:  # a full disk or a folder we may not write: not the notebook's fault
            if not exc.filename:
                exc.filename = str(output)  # (papermill writes the executed copy)
            raise
        raise RenderError(
            f"execution failed: {type(exc).__name__}: {exc}",
            notebook=str(notebook),
            parameters=parameters,
        ) from exc
    except Exception as exc:  # kernel died, timed out, or notebook unreadable
        raise RenderError(
            f"execution failed: {type(exc).__name__}: {exc}",
            notebook=str(notebook),
            parameters=parameters,
        ) from exc


def _literal_path(path: Path) -> str:
    """``path`` as papermill must be given it to use it as it is: papermill treats a path as a
    ``str.format`` pattern of the parameters (a folder named ``{x}`` failed the report)."""
    return str(path).replace("{", "{{").replace("}", "}}")


def write_clean_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write the executed notebook without run-specific metadata (timestamps,
    temporary paths), so the same inputs give the same bytes."""
    import nbformat

    nb = nbformat.from_dict(nb)
    papermill_meta = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": papermill_meta.get("parameters", {})}
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
    with naming(path):
        nbformat.write(nb, str(path))


_html_exporter = None


def export_html(nb: nbformat.NotebookNode) -> str:
    """The report HTML of an executed notebook.

    One exporter serves every call in a process (its templates are compiled once).
    """
    global _html_exporter
    if _html_exporter is None:
        from reportlib.build.exporters import ReportHTMLExporter

        _html_exporter = ReportHTMLExporter()
    html, _ = _html_exporter.from_notebook_node(nb)
    return html


def export_pdf(nb: nbformat.NotebookNode) -> bytes:
    """The report PDF of an executed notebook."""
    return html_to_pdf(export_html(nb))


# --------------------------------------------------------------------------- warm kernels
#
# Every report runs in a fresh kernel, and a fresh ``python -m ipykernel_launcher``
# spends about 1.2 s of CPU starting up and importing pandas, matplotlib and
# reportlib before the first cell does any work — more than half of a report's
# notebook time. A zygote does that once per build worker: a process that has
# imported ipykernel and the report modules (nothing else: no kernel, no data)
# and forks a new kernel process for each notebook. Each kernel is still a new
# process with its own state that dies after its notebook; it only starts with
# the modules in memory. The kernel manager talks to it exactly as to a
# launched kernel (connection file, ports, signals to its process group).

# What a started kernel has imported (ipykernel's shell, debugger, history) and what
# the report notebooks import. Nothing else is run in the zygote but
# reportlib.report.data.warm_up(), which parses the plan into a cache that is keyed by the
# plan file's path and sha256 (so a kernel re-parses it if the file changed).
PRELOAD_MODULES = (
    "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.history",
    "psutil", "tornado.gen", "tornado.locks", "tornado.queues",
    "reportlib.report.sections", "reportlib.report.data", "pyarrow.parquet", "reportlib.build.kernel", "zmq",
)
# A report kernel keeps no input history (IPython's SQLite file in the user's profile, written
# by a thread of its own): a report is not a session anyone goes back to.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
_LAUNCHER = "ipykernel_launcher"
_KERNEL_MODULE = "reportlib.build.kernel"
_ZYGOTE_SOURCE = r"""
import ctypes, json, os, signal, sys

def _die_with(parent):  # SIGKILL when the parent exits (prctl PR_SET_PDEATHSIG), see reportlib.build.children
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass
    if os.getppid() != parent:
        os._exit(1)

_die_with(int(sys.argv[2]))
signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the build's to handle

def _reap(signum, frame):  # kernels exit on their own; collect them
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return

signal.signal(signal.SIGCHLD, _reap)
if sys.path and sys.path[0] == "":  # as ipykernel_launcher does before it imports anything
    del sys.path[0]
_kernel_stdout = int(sys.argv[1])
# what a launched kernel finds in its environment when it imports these
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
os.environ["JPY_PARENT_PID"] = str(os.getpid())  # the kernels' parent (ipykernel watches it)
import contextlib, io
_environ = dict(os.environ)
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    # (in a launched kernel, what these print while being imported goes nowhere either)
    import ipykernel.kernelapp
    for _name in sys.argv[3:]:
        try:
            __import__(_name)
        except Exception:
            pass  # then the notebook imports it itself, and fails there if it must
    try:  # data every report reads and that is checked against its file before use: the plan
        __import__("reportlib.report.data", fromlist=["warm_up"]).warm_up()
    except Exception:
        pass
_set_by_imports = {k: v for k, v in os.environ.items() if _environ.get(k) != v}  # e.g. PYDEVD_USE_FRAME_EVAL
import gc
gc.collect()
gc.freeze()  # the kernels' collector leaves these objects alone (and their pages shared)
_replies = sys.stdout.buffer
_zygote = os.getpid()
_replies.write(b"ready\n")
_replies.flush()
for _line in sys.stdin.buffer:
    _request = json.loads(_line)
    _pid = os.fork()
    if _pid:
        _replies.write(b"%d\n" % _pid)
        _replies.flush()
        continue
    # the new kernel, set up as jupyter_client launches one: a session of its own, stdin a
    # pipe nobody writes to, stdout where a launched kernel's goes, the launch's cwd and env
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _die_with(_zygote)
    os.setsid()
    _read, _write = os.pipe()
    os.dup2(_read, 0)
    os.close(_read)
    os.close(_write)
    os.dup2(_kernel_stdout, 1)
    os.close(_kernel_stdout)
    os.chdir(_request["cwd"])
    os.environ.clear()
    os.environ.update(_set_by_imports)
    os.environ.update(_request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    sys.argv = _request["argv"]
    from reportlib.build import kernel
    kernel.main()
    sys.exit(0)
"""


class _ForkedKernel:
    """A ``Popen`` look-alike for a kernel forked by the zygote.

    It is not our child, so it is watched through a pidfd: polling, waiting and
    signals reach exactly that process, even after its pid is reused.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and self._fd is not None:
            if select.select([self._fd], [], [], 0)[0]:
                self.returncode = 0  # exited; its status went to the zygote
                os.close(self._fd)
                self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(_LAUNCHER, timeout)
            select.select([self._fd], [], [], 1.0 if left is None else min(left, 1.0))
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                signal.pidfd_send_signal(self._fd, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class KernelZygote:
    """A process that has imported ipykernel and :data:`PRELOAD_MODULES` and forks kernels.

    One per process that renders (started on first use, in that process); it exits
    when that process closes its end of the request pipe (at exit at the latest), and
    is killed when that process dies (a parent-death signal, as are the kernels it forks).
    """

    _instance: "KernelZygote | None" = None
    _lock = threading.Lock()

    def __init__(self, env: dict):
        kernel_stdout = os.dup(sys.__stdout__.fileno() if sys.__stdout__ else 1)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _ZYGOTE_SOURCE, str(kernel_stdout), str(os.getpid()), *PRELOAD_MODULES],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, pass_fds=(kernel_stdout,),
            )
        finally:
            os.close(kernel_stdout)
        self.owner = os.getpid()
        if self.process.stdout.readline() != b"ready\n":
            self.close()
            raise RuntimeError("kernel zygote did not start")
        _at_exit(self.close)

    @classmethod
    def get(cls, env: dict) -> "KernelZygote":
        with cls._lock:
            zygote = cls._instance
            if zygote is None or zygote.owner != os.getpid() or zygote.process.poll() is not None:
                zygote = cls._instance = cls(env)  # (a forked worker never uses its parent's)
            return zygote

    def fork(self, argv: list[str], env: dict, cwd: str) -> _ForkedKernel:
        with self._lock:
            self.process.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n")
            self.process.stdin.flush()
            reply = self.process.stdout.readline()
        if not reply.strip().isdigit():
            raise RuntimeError("kernel zygote stopped")
        return _ForkedKernel(int(reply))

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def _at_exit(fn) -> None:
    """Run ``fn`` when this process exits, also in a multiprocessing worker (which skips atexit)."""
    import atexit
    import multiprocessing.util

    atexit.register(fn)
    multiprocessing.util.Finalize(None, fn, exitpriority=10)


_kernel_managers: dict[bool, type] = {}


def warm_kernels_supported() -> bool:
    """Warm kernels need pidfds (Linux 5.3+) and fork; elsewhere kernels start cold.
    ``REPORTLIB_COLD_KERNELS=1`` turns them off (the reports come out the same)."""
    if os.environ.get("REPORTLIB_COLD_KERNELS") == "1":
        return False
    return hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal") and hasattr(os, "fork")


def kernel_manager_class(warm: bool = False) -> type:
    """The kernel manager papermill uses (defined on first use: it imports jupyter_client).

    Both variants talk to their kernel over IPC (Unix sockets in a private 0700 folder
    per kernel, with its connection file), not TCP: no port another local user could
    subscribe to. Both skip the SIGINT that jupyter_client sends a kernel as it shuts it
    down: the notebook has finished (a timed-out cell was interrupted already), and
    a kernel still tidying up after its last reply would log "KeyboardInterrupt
    caught in kernel". ``warm``: kernels are forked by the :class:`KernelZygote`.
    """
    if warm not in _kernel_managers:
        _kernel_managers.update(zip((False, True), _define_kernel_managers()))
    return _kernel_managers[warm]


KERNEL_DIR_PREFIX = kernel_module.KERNEL_DIR_PREFIX


def private_kernel_dir() -> str:
    """A new folder only this user can enter (``mkdtemp`` makes it 0700), for one kernel's
    connection file and sockets. Under the run's temporary folder when there is one
    (see :mod:`reportlib.build.runlog`), so a killed run's folders are removed by the next."""
    folder = tempfile.mkdtemp(prefix=KERNEL_DIR_PREFIX)
    os.chmod(folder, 0o700)
    return folder


def _define_kernel_managers() -> tuple[type, type]:
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class ReportKernelManager(AsyncKernelManager):
        """A kernel manager on IPC transport that shuts an idle kernel down without interrupting it."""

        def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
            """The kernelspec's command, with ``-m ipykernel_launcher`` as ``-m reportlib.build.kernel``
            (the same kernel, its IOPub pipe on IPC too: :mod:`reportlib.build.kernel`)."""
            cmd = super().format_kernel_cmd(extra_arguments)
            if cmd[1:3] == ["-m", _LAUNCHER]:
                cmd[2] = _KERNEL_MODULE
                cmd += KERNEL_ARGUMENTS
            return cmd

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._private_dir = private_kernel_dir()
            self.transport = "ipc"
            self.connection_file = os.path.join(self._private_dir, "connection.json")
            self.ip = os.path.join(self._private_dir, "kernel")

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self._private_dir, ignore_errors=True)

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    class WarmKernelManager(ReportKernelManager):
        """A kernel manager whose local kernels are forked by the :class:`KernelZygote`."""

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            provisioner = self.provisioner
            launcher = importlib.util.find_spec(_LAUNCHER)
            if not (isinstance(provisioner, LocalProvisioner) and hasattr(os, "pidfd_open") and launcher
                    and kernel_cmd[1:3] in (["-m", _LAUNCHER], ["-m", _KERNEL_MODULE])
                    and os.path.realpath(kernel_cmd[0]) == os.path.realpath(sys.executable)):
                return await super()._async_launch_kernel(kernel_cmd, **kw)  # not ours to fork: launch it
            options = LocalProvisioner._scrub_kwargs(kw)
            env = dict(options.get("env") or os.environ)
            cwd = str(options.get("cwd") or os.getcwd())
            argv = [launcher.origin, *(os.path.expanduser(arg) for arg in kernel_cmd[3:])]
            try:
                process = KernelZygote.get(env).fork(argv, env, cwd)
            except (OSError, RuntimeError, ValueError):
                return await super()._async_launch_kernel(kernel_cmd, **kw)  # cold start instead
            provisioner.process = process
            provisioner.pid = provisioner.pgid = process.pid  # the kernel leads its own session
            provisioner.cwd = kw.get("cwd", Path.cwd())
            self._reconcile_connection_info(provisioner.connection_info)

    for cls in (ReportKernelManager, WarmKernelManager):
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    return ReportKernelManager, WarmKernelManager
