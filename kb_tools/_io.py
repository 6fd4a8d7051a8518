"""The one atomic write: a temporary file beside the target, flushed, then ``os.replace``.

Readers never see half a file, a crash leaves the old file whole, and the temporary file is
removed on any error. Every file kb writes (page edits, caches, the index meta, generated
pages, compiled catalogs, the site zip) goes through here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def atomic_write(path: Path, data: bytes | str, *, mode: int | None = None, fsync: bool = False) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8 with ``\\n`` newlines kept as given)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    atomic_write_with(path, lambda f: f.write(payload), mode=mode, fsync=fsync)


def atomic_write_with(path: Path, write: Callable[[IO[bytes]], object], *, mode: int | None = None,
                      fsync: bool = False) -> None:
    """Replace ``path`` with what ``write(binary_file)`` writes (for pickle.dump, zip files …)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
