"""Publishing ``reports/`` as a whole: generations and one atomic swap.

Layout of the output folder (``reports/``)::

    .generations/<id>/       one complete set: index.html and every <year>-Q<n>/ folder
    current -> .generations/<id>
    index.html -> current/index.html
    2025-Q3 -> current/2025-Q3          (one such link per quarter folder)
    status.json              outcome of the last runs (reportlib.build.status), not part of a set
    .build.lock              (reportlib.build.lock)

A build writes a new generation beside the current one — the reports it rendered, plus
hard links to every file it kept, plus its index — and then replaces the ``current`` link
with one ``rename``. A reader, or a crash at any moment, sees the old set or the new set,
never a mix. The old generation stays until the next run starts (a reader may still be
downloading from it); :func:`cleanup` then removes it with any staging folder or temporary
file a killed run left behind. An output folder in the older flat layout (real quarter
folders) is moved into a first generation by :func:`adopt_flat_layout`.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from reportlib.atomic import naming

log = logging.getLogger("reportlib.build")

GENERATIONS = ".generations"
CURRENT = "current"
INDEX = "index.html"
STAGING_PREFIX = ".staging-"
RUN_TEMP_PREFIX = "reportlib-run-"  # a run's own temporary folder under the system's temp dir
LEFTOVER_PREFIXES = (STAGING_PREFIX, ".current-", ".link-")  # in the output folder


# --------------------------------------------------------------------------- reading


def current_generation(out_dir: Path) -> Path | None:
    """The folder of the published set, or None before the first publish."""
    link = out_dir / CURRENT
    if not link.is_symlink():
        return None
    target = out_dir / os.readlink(link)
    return target if target.is_dir() else None


def is_complete(generation: Path) -> bool:
    """Whether ``generation`` is a whole published set: its index, and every file each quarter
    folder's manifest lists (a set a killed publish left half-written has not)."""
    import json

    from reportlib.report.index import FOLDER_PATTERN

    if not (generation / INDEX).is_file():
        return False
    for folder in generation.iterdir():
        if not (folder.is_dir() and FOLDER_PATTERN.match(folder.name)):
            continue
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            outputs = [item["path"] for entry in manifest["reports"].values() for item in entry["outputs"]]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if not all((generation / path).is_file() for path in outputs):
            return False
    return True


def repair_current(out_dir: Path) -> Path | None:
    """A missing or dangling ``current`` link pointed again at the newest complete generation (and
    the entries beside it at that set), with a log line; the generations are never removed for it.
    Returns the current generation (None when there is no complete one)."""
    current = current_generation(out_dir)
    root = out_dir / GENERATIONS
    if current is not None or not root.is_dir():
        return current
    link = out_dir / CURRENT
    state = f"指向不存在的 {os.readlink(link)}" if link.is_symlink() else "缺失"
    complete = [g for g in root.iterdir() if g.is_dir() and is_complete(g)]
    if not complete:
        log.warning("%s %s，且没有完整的一套报告可以指回；.generations/ 中的文件保留未动", link, state)
        return None
    newest = max(complete, key=lambda g: (g.name.split("-", 1)[0], g.stat().st_mtime_ns))
    _replace_link(link, f"{GENERATIONS}/{newest.name}")
    _point_entries(out_dir, newest)
    log.warning("%s %s：已指回最新的完整一套报告 %s（不删除任何一套）", link, state, newest)
    return newest


def published_size(out_dir: Path) -> int:
    """Bytes of the published set (what the last build left; the next needs about as much)."""
    generation = current_generation(out_dir) or out_dir
    total = 0
    for path in generation.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            pass
    return total


# --------------------------------------------------------------------------- tidying up


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup(out_dir: Path) -> list[Path]:
    """Remove what earlier runs left: generations no longer current, staging folders,
    temporary links and files, and the temporary folders of runs that are gone.

    Called at the start of a run, under the lock. Returns what was removed (each is logged).
    """
    removed: list[Path] = []
    if out_dir.is_dir():
        current = repair_current(out_dir)
        generations = out_dir / GENERATIONS
        if generations.is_dir() and current is not None:  # (without a current set, none is removed)
            removed += [g for g in generations.iterdir() if g.resolve() != current.resolve()]
        removed += [p for p in out_dir.iterdir() if p.name.startswith(LEFTOVER_PREFIXES) or p.name.endswith(".tmp")]
    removed += stale_run_temps()
    for path in removed:
        log.info("removed what an earlier run left: %s", path)
        _remove(path)
    return removed


def stale_run_temps(temp_root: Path | None = None) -> list[Path]:
    """This user's ``reportlib-run-<pid>-*`` folders whose run has ended."""
    temp_root = Path(temp_root or tempfile.gettempdir())
    if temp_root.name.startswith(RUN_TEMP_PREFIX):  # inside a run's own folder: look beside it
        temp_root = temp_root.parent
    stale = []
    for path in temp_root.glob(f"{RUN_TEMP_PREFIX}*"):
        pid = path.name[len(RUN_TEMP_PREFIX):].split("-", 1)[0]
        try:
            mine = path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _pid_alive(int(pid)):
            stale.append(path)
    return stale


# --------------------------------------------------------------------------- writing


def _link_or_copy(source: str, target: str) -> str:
    """Hard-link ``source`` to ``target`` (no data copied); copy where links are not possible."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)
    return target


def _link_tree(source: Path, target: Path) -> None:
    """``target`` as a copy of the folder ``source`` made of hard links (the first error raised
    as it is: a full disk is ENOSPC, not a list of errors)."""
    for root, dirs, files in os.walk(source):
        folder = target / Path(root).relative_to(source)
        folder.mkdir()
        for name in sorted(files):
            _link_or_copy(os.path.join(root, name), str(folder / name))


def _new_generation(out_dir: Path) -> Path:
    root = out_dir / GENERATIONS
    root.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for n in range(1000):
        folder = root / f"{stamp}-{os.getpid()}-{n}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(root)


def _replace_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` with one rename (readers never see it missing)."""
    temporary = link.parent / f".link-{link.name}-{os.getpid()}"
    _remove(temporary)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def adopt_flat_layout(out_dir: Path) -> None:
    """Move an output folder of the older flat layout (real ``<year>-Q<n>/`` folders and
    ``index.html``) into a first generation, so that later publishes are one swap."""
    from reportlib.report.index import FOLDER_PATTERN

    if not out_dir.is_dir() or (out_dir / CURRENT).is_symlink():
        return
    entries = [p for p in out_dir.iterdir() if not p.is_symlink()
               and ((p.is_dir() and FOLDER_PATTERN.match(p.name)) or p.name == INDEX)]
    if not entries:
        return
    generation = _new_generation(out_dir)
    log.info("moving the reports of %s into %s (one-time change of layout)", out_dir, generation)
    for entry in entries:
        os.replace(entry, generation / entry.name)
        _replace_link(out_dir / entry.name, f"{CURRENT}/{entry.name}")
    _replace_link(out_dir / CURRENT, f"{GENERATIONS}/{generation.name}")
    _point_entries(out_dir, generation)


def _point_entries(out_dir: Path, generation: Path) -> None:
    """One ``<name> -> current/<name>`` link per entry of the current set; none for others."""
    names = {p.name for p in generation.iterdir()}
    for name in sorted(names):
        entry = out_dir / name
        if entry.is_symlink() and os.readlink(entry) == f"{CURRENT}/{name}":
            continue
        if entry.exists() and not entry.is_symlink():
            continue  # someone's own file or folder: left alone
        _replace_link(entry, f"{CURRENT}/{name}")
    for entry in out_dir.iterdir():
        if entry.is_symlink() and os.readlink(entry).startswith(f"{CURRENT}/") and entry.name not in names:
            entry.unlink()  # a quarter folder no longer published


REPORT_SUFFIXES = (".html", ".pdf", ".docx", ".ipynb")


def publish(out_dir: Path, staging: Path | None = None, folders: list[str] = (), index_page=None,
            reports_of: dict[str, set[str]] | None = None) -> Path:
    """Publish a new complete set: ``folders`` of ``staging`` (each merged over the same
    folder of the current set: reports not rebuilt are kept), every other folder of the
    current set, and the index page (``index_page(generation) -> str``). One swap.

    ``reports_of``: folder -> the names ("2025-Q3/unit-…") of every report that folder has now;
    a kept report file of another name (a unit no longer in the plan, an older file name) is
    left out of the new set. On any error the new generation is removed and the current set is untouched.
    """
    adopt_flat_layout(out_dir)
    current = repair_current(out_dir)
    generation = _new_generation(out_dir)
    try:
        if current is not None:
            for entry in sorted(current.iterdir()):
                if entry.name == INDEX or not entry.is_dir():
                    continue
                _link_tree(entry, generation / entry.name)
        for folder in folders:
            new, kept = staging / folder, generation / folder
            if kept.exists():
                for old in sorted(kept.rglob("*")):
                    carried = new / old.relative_to(kept)
                    if reports_of is not None and folder in reports_of and old.suffix in REPORT_SUFFIXES \
                            and f"{folder}/{old.stem}" not in reports_of[folder]:
                        log.info("not kept, no longer a report of %s: %s", folder, old.name)
                        continue
                    if old.is_file() and not carried.exists():
                        carried.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(old, carried)
                shutil.rmtree(kept)
            os.replace(new, kept)
        if index_page is not None:
            with naming(generation / INDEX):
                (generation / INDEX).write_text(index_page(generation), encoding="utf-8")
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _replace_link(out_dir / CURRENT, f"{GENERATIONS}/{generation.name}")  # the swap
    _point_entries(out_dir, generation)
    return generation


def index_is_current(out_dir: Path, page: str) -> bool:
    """Whether the published index already reads ``page`` (then nothing needs writing)."""
    current = current_generation(out_dir)
    path = (current or out_dir) / INDEX
    try:
        return path.read_text(encoding="utf-8") == page
    except OSError:
        return False
