"""The whole-run manifest: ``kb check`` with nothing changed replays the stored report.

A full ``kb check`` run from the ``kb`` command stores, in ``.kb/cache/check-manifest.marshal``
beside mkdocs.yml, the report it printed (stdout, the summary line, the exit code) with:

* the **run key**: kb's version and the size and mtime of each of its source and catalog
  files, the installed distributions and their versions, the Python version, the argument list
  and the working folder, today's date (review,
  contract and roster rules), mkdocs.yml's bytes (the whole environment too when it uses
  ``!ENV``), ``KB_LANG``/``NO_COLOR``/``TERM``/``KB_SECRETS_SCAN``, whether stdout and stderr are terminals;
* the **file manifest**: every entry under docs_dir, symlinks followed like the loader
  (``parse/tree.py``), ``_data`` included: (size, mtime_ns, ctime_ns, inode) per file — the
  ctime changes on every write, so restoring the mtime after an edit does not hide it —, the inode per
  folder, a marker for an entry that cannot be stat'ed. Taken *before* the run reads a file,
  so an edit during the run makes the next run a full one.

The next run replays only when the key and every entry are equal. As in git's index, a file
whose mtime is not older than the snapshot by ``RACY_NS`` may have changed again within the
same timestamp: its content hash was stored and is compared on replay. Anything else (an
option this module does not know, ``--no-cache``, ``--external``, ``-o``, ``-v``, ``INHERIT``
in mkdocs.yml, an unreadable manifest) means a normal run. The report's "seconds" are the
replay's own. This module imports the standard library only: the replay loads neither click
nor the configuration nor the corpus.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import marshal
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from kb_tools._walk import Walk, walk

FORMAT = 2
MANIFEST = "check-manifest.marshal"
RACY_NS = 2_000_000_000  # files modified this close to the snapshot are hashed as well
SENTINEL = 917503.5  # the report is rendered with these "seconds", then the real ones are put in
_SENTINEL_RE = re.compile(r"917503\.50?")

_GLOBAL_FLAGS = {"--no-progress", "-q", "--quiet", "-qq"}
_GLOBAL_VALUES = {"-c", "--config", "--color", "--lang"}
_CHECK_FLAGS = {"--exit-zero", "--no-progress", "-q", "--quiet", "-qq"}
_CHECK_VALUES = {"--format", "--fail-on", "--today", "-c", "--config", "--lang"}

_armed: list[str] | None = None  # the argument list of a run that may store a manifest
_armed_day: list[_dt.date] = []  # today, as the run saw it when it started
_pending: list[tuple[Walk, Snapshot]] = []  # the walk and snapshot of a replay attempt that found changes
_walked: list[Walk] = []  # the walk behind that snapshot, for the corpus loader (kb_tools._walk)


def source_fingerprint() -> str:
    """kb's version and its source and catalog files (size, mtime): an upgrade or edit invalidates."""
    import kb_tools

    root = Path(kb_tools.__file__).parent
    h = hashlib.blake2b(kb_tools.__version__.encode(), digest_size=12)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".mo", ".po")):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath[len(str(root)):]}/{name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _parse_argv(argv: list[str]) -> str | None:
    """The ``--config`` value ('' for the default) when ``argv`` is a ``kb check`` this module
    can replay, else None."""
    config = ""
    i, in_check = 0, False
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
        flags, values = (_CHECK_FLAGS, _CHECK_VALUES) if in_check else (_GLOBAL_FLAGS, _GLOBAL_VALUES)
        if not in_check and a == "check":
            in_check = True
        elif name in flags and not eq:
            pass
        elif name in values:
            if not eq:
                i += 1
                if i >= len(argv):
                    return None
                value = argv[i]
            if name in ("-c", "--config"):
                config = value
        elif in_check and not a.startswith("-"):
            pass  # a path limiting the report (resolved against the working folder: in the key)
        else:
            return None  # --no-cache, --external, -o, -v, --help, anything unknown: a normal run
        i += 1
    return config if in_check else None


def _config_path(config: str) -> Path | None:
    if config:
        return Path(config)
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if os.path.isfile(name):
            return Path(name)
    return None


def _today() -> _dt.date:
    return _dt.date.today()


def installed_fingerprint() -> list[str]:
    """The installed distributions with their versions (the names of the ``*.dist-info`` and
    ``*.egg-info`` entries on sys.path): upgrading Markdown, pymdown-extensions or MkDocs (whose
    slugify or parsing the checks follow) invalidates the manifest. One listdir per path entry."""
    names: list[str] = []
    for entry in sys.path:
        try:
            names.extend(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(names)


def run_key(argv: list[str], config_bytes: bytes, today: _dt.date) -> str:
    parts: list[Any] = [FORMAT, source_fingerprint(), installed_fingerprint(), sys.version, sys.prefix, os.getcwd(), list(argv),
                        today.isoformat(), hashlib.blake2b(config_bytes, digest_size=16).hexdigest(),
                        [os.environ.get(k) for k in ("KB_LANG", "NO_COLOR", "TERM", "KB_SECRETS_SCAN")],
                        _isatty(sys.stdout), _isatty(sys.stderr)]
    if b"!ENV" in config_bytes:
        parts.append(sorted(os.environ.items()))
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


Snapshot = dict[str, tuple[int, int, int, int, bytes | None]]  # size, mtime_ns, ctime_ns, inode, racy hash


def _digest(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return hashlib.blake2b(f.read(), digest_size=16).digest()
    except OSError:
        return None


def snapshot(docs_dir: Path, hash_racy: bool = True, walked: Walk | None = None) -> Snapshot:
    """Every entry under ``docs_dir`` (following symlinks, loops cut as the loader cuts them);
    with ``hash_racy`` the content hash of each file modified within RACY_NS of now. From
    ``walked`` when given (the walk the corpus loader then reuses), else from a new walk."""
    w = walked if walked is not None else walk(docs_dir)
    racy_from = w.started_ns - RACY_NS if hash_racy else None
    out: Snapshot = {}
    for ev in w.events:
        kind, rel = ev[0], ev[1]
        if kind == "f":
            est = ev[2]
            racy = racy_from is not None and est.st_mtime_ns >= racy_from
            out[rel] = (est.st_size, est.st_mtime_ns, est.st_ctime_ns, est.st_ino,
                        _digest(os.path.join(docs_dir, rel)) if racy else None)
        elif kind in "dD":
            out[rel + "/"] = (0, 0, 0, ev[2].st_ino, None)
        elif kind == "x":
            out[rel] = (-1, -1, -1, -1, None)
        elif kind == "u":
            out[rel + "/"] = (-1, -1, -1, -1, None)
        else:  # "r": docs_dir itself
            return {"": (-1, -1, -1, -1, None)}
    return out


def _unchanged(stored: Snapshot, docs_dir: str) -> bool:
    w = walk(docs_dir)
    now = snapshot(Path(docs_dir), hash_racy=False, walked=w)  # only the entries racy when stored are hashed
    _pending[:] = [(w, now)]  # the run that follows stores this one (taken before it reads)
    _walked[:] = [w]
    if now.keys() != stored.keys():
        return False
    for rel, entry in stored.items():
        if now[rel][:4] != entry[:4]:
            return False
        digest = entry[4]
        if digest is not None and _digest(os.path.join(docs_dir, rel)) != digest:
            return False
    return True


def snapshot_for_store(docs_dir: Path, data_dir: Path) -> Snapshot | None:
    """The snapshot of this run's inputs: the one the replay attempt took (racy files hashed now),
    else a new one; None when this run stores no manifest (not armed, or a ``_data`` folder outside
    docs_dir, which the snapshot would not cover)."""
    pending, _pending[:] = _pending[:], []
    if _armed is None or not data_dir.resolve().is_relative_to(docs_dir.resolve()):
        return None  # (a walk the replay attempt took is still the corpus loader's to reuse)
    if pending and pending[0][0].docs_dir == str(docs_dir):
        taken, snap = pending[0]
        racy_from = taken.started_ns - RACY_NS
        for rel, entry in snap.items():
            if entry[1] >= racy_from and not rel.endswith("/"):
                snap[rel] = (*entry[:4], _digest(os.path.join(docs_dir, rel)))
        return snap
    w = walk(docs_dir)
    _walked[:] = [w]
    return snapshot(docs_dir, walked=w)


def take_walk(docs_dir: Path) -> Walk | None:
    """The walk of ``docs_dir`` behind this run's snapshot (once), for the corpus loader to
    reuse instead of walking again; None when there is none."""
    got, _walked[:] = _walked[:], []
    return got[0] if got and got[0].docs_dir == str(docs_dir) else None


def _fill(segments: list[str], marks: list[str], seconds: float) -> str:
    out = [segments[0]]
    for mark, seg in zip(marks, segments[1:]):
        out.append(f"{seconds:.2f}" if mark.endswith("50") else repr(round(seconds, 3)))
        out.append(seg)
    return "".join(out)


def _split(text: str) -> tuple[list[str], list[str]]:
    return _SENTINEL_RE.split(text), _SENTINEL_RE.findall(text)


def replay(argv: list[str]) -> int | None:
    """Print the stored report and return its exit code, or None when a normal run is needed."""
    t0 = time.perf_counter()
    _pending.clear()
    _walked.clear()
    config = _parse_argv(argv)
    if config is None:
        return None
    path = _config_path(config)
    if path is None:
        return None
    try:
        config_bytes = path.read_bytes()
        with open(path.parent / ".kb" / "cache" / MANIFEST, "rb") as f:
            data = marshal.loads(f.read())  # (marshal.load on a file reads it in small pieces)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if b"INHERIT" in config_bytes or not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    try:
        if data["key"] != run_key(argv, config_bytes, _today()) or not _unchanged(data["files"], data["docs_dir"]):
            return None
        seconds = time.perf_counter() - t0
        out = _fill(data["stdout"][0], data["stdout"][1], seconds)
        err = _fill(data["stderr"][0], data["stderr"][1], seconds)
        code = int(data["code"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    _pending.clear()  # nothing of this attempt is for a later run in the same process
    _walked.clear()
    sys.stdout.write(out)
    sys.stdout.flush()
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    return code


def arm(argv: list[str]) -> None:
    """Called by the ``kb`` entry point: this run may store a manifest (the check decides)."""
    global _armed
    _armed = list(argv) if _parse_argv(argv) is not None else None
    _armed_day[:] = [_today()]


def armed() -> bool:
    return _armed is not None


def fill(text: str, seconds: float) -> str:
    """``text`` rendered with SENTINEL seconds, with ``seconds`` put in."""
    segments, marks = _split(text)
    return _fill(segments, marks, seconds)


def store(config_file: Path, cache_dir: Path, docs_dir: Path, files: Snapshot, stdout: str, stderr: str,
          code: int) -> None:
    """Write the manifest of the run that printed ``stdout``/``stderr`` (rendered with SENTINEL
    seconds) from the inputs in ``files`` (taken before the run read them)."""
    if _armed is None:
        return
    try:
        config_bytes = config_file.read_bytes()
    except OSError:
        return
    out, err = _split(stdout), _split(stderr)
    if b"INHERIT" in config_bytes or len(out[1]) > 1 or len(err[1]) > 1:
        return  # a finding's own text looks like the sentinel: never guess
    data = {"format": FORMAT, "key": run_key(_armed, config_bytes, _armed_day[0]), "docs_dir": str(docs_dir),
            "files": files, "stdout": out, "stderr": err, "code": code}
    from kb_tools._io import atomic_write

    try:
        atomic_write(cache_dir / MANIFEST, marshal.dumps(data))
    except (OSError, ValueError) as exc:
        import logging

        logging.getLogger(__name__).warning("cannot write %s: %s", MANIFEST, exc)  # like the other caches
