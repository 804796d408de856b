"""Files written atomically: a temp file beside the target, then ``os.replace``.

Readers (a notebook, a second build, a person opening the file) see the old file or the new
one, never half of one.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

OUTPUT_FILE_MODE = 0o644


@contextmanager
def naming(path: Path):
    """Within the block, an OSError that names no file (a write that fails on a full disk) names
    ``path``, so that every disk-full or permission message can say where."""
    try:
        yield
    except OSError as exc:
        if not exc.filename:
            exc.filename = str(path)
        raise


def write_files_atomic(files: dict[Path, Any]) -> None:
    """Write each file to a temp file beside it, then ``os.replace`` them all into place, in order.

    ``files``: path -> bytes, or a function writing to a binary handle (large tables
    are streamed rather than held in memory twice). Nothing is replaced unless every
    file was written.
    """
    written: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                written.append((tmp, path))
                with os.fdopen(fd, "wb") as handle:
                    if callable(data):
                        data(handle)
                    else:
                        handle.write(data)
                os.chmod(tmp, OUTPUT_FILE_MODE)
            except OSError as exc:  # named by the file it was for (not its temporary name), see naming()
                exc.filename = str(path)
                raise
        for tmp, path in written:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temp file beside ``path`` then ``os.replace`` it into place."""
    write_files_atomic({path: data})
