"""Writing output safely: atomic files (temp file + rename) or stdout."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temp file beside ``path`` and rename it into place on success,
    so a reader never sees half a report and a failed run leaves no debris."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        if "b" in mode:
            with os.fdopen(fd, mode) as stream:
                yield stream
        else:
            with os.fdopen(fd, mode, encoding="utf-8", newline="") as stream:
                yield stream
        # mkstemp creates 0600; give the file the mode a plain open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """``-o FILE`` atomically, or stdout for None / ``-``."""
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
    else:
        with atomic_write(path) as stream:
            yield stream
