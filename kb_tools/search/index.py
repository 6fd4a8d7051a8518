"""``kb index``: the Whoosh index under ``.kb/index``, built from the Corpus.

- Fields: path (unique id), title (boost 3) and headings (boost 2) with positions, body
  (frequencies only: phrases are verified on the stored text), tags/owner/type/status filters,
  and the plain text stored zlib-compressed for snippets.
- Incremental: ``kb_meta.marshal`` in the index folder records each page's content hash; only
  changed pages are re-indexed, deleted pages removed (one Whoosh commit: a reader sees the
  old or the new generation, never half of it).
- Rebuilt from scratch, in a temporary folder swapped in by rename, when the index is missing,
  corrupt, or written with another format / analyzer / normaliser-dictionary version. A cold
  build (``coldbuild.py``) writes one segment per process with ``bulk.BulkWriter``; one TOC
  then lists all segments. An update writes its segment with the same writer.
- One writer at a time: a file lock next to the index; a second ``kb index`` waits a few
  seconds, then stops with a clear message (IndexBusy).
"""

from __future__ import annotations

import gc
import json
import logging
import marshal
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb_tools.search import _whoosh  # noqa: F401 - first: Whoosh without urllib.request and asyncio
from whoosh import index as windex
from whoosh.index import LockError
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.util.filelock import FileLock

from kb_tools.search.analysis import ANALYZER_VERSION, FastFrequency, FastPositions, japanese_analyzer
from kb_tools.search.normalize import export_data
from kb_tools._io import atomic_write
from kb_tools.search.pageinfo import page_hashes, page_titles

log = logging.getLogger(__name__)

INDEX_FORMAT = 2  # bump when the schema changes
INDEX_NAME = "kbpages"
MERGE_AT_SEGMENTS = 8
META_FILE = "kb_meta.marshal"  # page hashes and titles: marshal reads in half and writes in a sixth of JSON's time
LEGACY_META_FILE = "kb_meta.json"  # the same, written before: read once, then replaced
TITLE_BOOST = 3.0
HEADINGS_BOOST = 2.0
LOCK_WAIT = 10.0


class IndexBusy(Exception):
    """Another process is writing the index at ``path``; ``lock``: kb's lock file that is held,
    None when it is Whoosh's own write lock (a process that is not kb's). The command words it
    for staff (``commands/search.py``); ``str()`` is the English fallback."""

    def __init__(self, path: Path, lock: Path | None = None) -> None:
        self.path, self.lock = path, lock
        held = f"lock {lock}" if lock is not None else "Whoosh's write lock"
        super().__init__(f"another process is writing {path} ({held}); try again when it has finished")


def index_dir(cfg: Any) -> Path:
    return Path(cfg.root) / ".kb" / "index"


def make_schema(data: dict[str, Any]) -> Schema:
    ana = japanese_analyzer(data)
    title = TEXT(analyzer=ana, phrase=True, stored=True, field_boost=TITLE_BOOST)
    title.format = FastPositions(field_boost=TITLE_BOOST)
    headings = TEXT(analyzer=ana, phrase=True, stored=True, field_boost=HEADINGS_BOOST)
    headings.format = FastPositions(field_boost=HEADINGS_BOOST)
    body = TEXT(analyzer=ana, phrase=False)
    body.format = FastFrequency()
    return Schema(path=ID(stored=True, unique=True), title=title, headings=headings, body=body,
                  tags=KEYWORD(stored=True, commas=True), owner=ID(stored=True), type=ID(stored=True),
                  status=ID(stored=True), text=STORED())


def version_key(data: dict[str, Any]) -> dict[str, Any]:
    return {"format": INDEX_FORMAT, "analyzer": ANALYZER_VERSION, "normalizer": data["version"]}


# ----------------------------------------------------------------------------- build / update


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    reason: str = ""
    seconds: float = 0.0
    size_bytes: int = 0
    pages: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        what = "rebuilt" if self.rebuilt else "updated"
        size = self.size_bytes / 1024 / 1024
        return (f"index {what}: {self.pages} pages ({self.added} added, {self.updated} updated, "
                f"{self.removed} removed, {self.unchanged} unchanged) in {self.seconds:.1f} s; "
                f"size {size:.1f} MB")


def read_meta(path: Path) -> dict[str, Any] | None:
    try:
        try:
            meta = marshal.loads((path / META_FILE).read_bytes())
        except FileNotFoundError:
            meta = json.loads((path / LEGACY_META_FILE).read_text(encoding="utf-8"))
        return meta if isinstance(meta, dict) and isinstance(meta.get("pages"), dict) else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    atomic_write(path / META_FILE, marshal.dumps(meta))
    (path / LEGACY_META_FILE).unlink(missing_ok=True)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def stale_reason(path: Path, data: dict[str, Any], meta: dict[str, Any] | None = None,
                 open_segments: bool = True) -> str | None:
    """Why the index at ``path`` must be rebuilt from scratch, or None when it can be updated.
    ``meta``: the folder's META_FILE when the caller has read it already; ``open_segments``:
    also open every segment (an update does that itself: ``_update`` raises ``_Corrupt``)."""
    if not path.exists():
        return "no index yet"
    meta = meta if meta is not None else read_meta(path)
    if meta is None:
        return f"the index folder is corrupt or incomplete (no readable {META_FILE})"
    if meta.get("version") != version_key(data):
        return "the index was written by another version (analyzer, normaliser or dictionary changed)"
    try:
        if not windex.exists_in(str(path), indexname=INDEX_NAME):
            return "the index folder is corrupt (no Whoosh index)"
        if open_segments:
            ix = windex.open_dir(str(path), indexname=INDEX_NAME)
            try:
                with ix.reader() as r:  # opens every segment's files (a searcher adds only imports)
                    r.doc_count()
            finally:
                ix.close()
    except Exception as exc:  # noqa: BLE001 - any failure to open means: rebuild
        return _corrupt(exc)
    return None


def _corrupt(exc: BaseException) -> str:
    return f"the index folder is corrupt ({type(exc).__name__}: {exc})"


class _Corrupt(Exception):
    """The index could not be opened for an update (the message: why it is rebuilt)."""


def changes(corpus: Any, meta: dict[str, Any] | None,
            hashes: dict[str, str] | None = None) -> tuple[list[str], list[str], list[str]]:
    """(new, changed, removed) paths of the corpus versus the indexed hashes."""
    old = (meta or {}).get("pages", {})
    if hashes is None:
        hashes = page_hashes(corpus)
    new = [p for p in hashes if p not in old]
    changed = [p for p, h in hashes.items() if p in old and old[p] != h]
    removed = [p for p in old if p not in hashes]
    return new, changed, removed


def is_current(cfg: Any, corpus: Any, data: dict[str, Any]) -> bool:
    path = index_dir(cfg)
    meta = read_meta(path)
    if meta is None or meta.get("version") != version_key(data):
        return False
    new, changed, removed = changes(corpus, meta)
    return not (new or changed or removed)


def _lock(path: Path) -> FileLock:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path.parent / "index.lock"))
    deadline = time.monotonic() + LOCK_WAIT
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise IndexBusy(path, path.parent / "index.lock")
        time.sleep(0.2)
    return lock


def build_index(cfg: Any, corpus: Any, data: dict[str, Any] | None = None, force: bool = False,
                progress: Any = None, procs: int | None = None) -> IndexReport:
    """Build or update the index of ``corpus``. Raises IndexBusy when another writer holds it.
    ``procs``: processes for a build from scratch (None: ``coldbuild.default_procs``)."""
    t0 = time.perf_counter()
    if data is None:
        data = export_data(cfg)
    path = index_dir(cfg)
    rep = IndexReport()
    lock = _lock(path)
    # The corpus is millions of live objects: a cyclic collection walks all of them, several
    # times per update, and finds nothing to free here (the writer's buffers are not cycles).
    paused = gc.isenabled()
    gc.disable()
    try:
        meta = None if force else read_meta(path)
        reason = "rebuild requested (--rebuild)" if force else stale_reason(path, data, meta, open_segments=False)
        hashes = page_hashes(corpus)
        if not reason:
            try:
                _update(path, data, corpus, hashes, meta or {}, rep, progress)
            except _Corrupt as exc:
                reason = str(exc)
                rep = IndexReport()
        if reason:
            _rebuild(path, data, corpus, hashes, reason, rep, progress, procs)
        rep.pages = len(hashes)
    finally:
        if paused:
            gc.enable()
        lock.release()
    rep.size_bytes = dir_size(path)
    rep.seconds = time.perf_counter() - t0
    return rep


def _segment_count(folder: Path) -> int:
    ix = windex.open_dir(str(folder), indexname=INDEX_NAME)
    try:
        return len(ix._segments())
    finally:
        ix.close()


def _rebuild(path: Path, data: dict[str, Any], corpus: Any, hashes: dict[str, str], reason: str,
             rep: IndexReport, progress: Any, procs: int | None) -> None:
    """A new index in a temporary folder, swapped in by rename."""
    titles = page_titles(corpus, hashes, None)
    rep.rebuilt, rep.reason = True, reason
    if path.exists() and reason != "no index yet":
        rep.messages.append(f"rebuilding the search index: {reason}")
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix="index.new-"))
    try:
        from kb_tools.search.coldbuild import cold_build

        rep.messages += cold_build(tmp, make_schema(data), INDEX_NAME, corpus, progress, procs)
        # The cold build's own segments: updates merge only past MERGE_AT_SEGMENTS segments of their own
        # (a big cold build writes one per process, which must not make every update merge).
        _write_meta(tmp, {"version": version_key(data), "pages": hashes, "titles": titles,
                          "base_segments": _segment_count(tmp)})
        old = None
        if path.exists():
            old = path.parent / f"index.old-{os.getpid()}-{int(time.time() * 1000)}"
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    rep.added = len(hashes)


def _delete_paths(writer: Any, reader: Any, paths: list[str]) -> None:
    """Delete the documents of ``paths`` through the path postings of a plain reader (Whoosh's
    ``delete_by_term`` / ``update_document`` build a searcher and import its query modules: ~0.15 s)."""
    for p in sorted(set(paths)):
        if ("path", p) in reader:
            for docnum in reader.postings("path", p).all_ids():
                writer.delete_document(docnum)


def _open_for_update(path: Path) -> tuple[Any, Any, Any]:
    """(index, writer, reader of every segment): the one opening of the index an update makes,
    which is also its check (a failure raises ``_Corrupt``: the caller rebuilds)."""
    from kb_tools.search.bulk import BulkWriter  # (not imported by kb search)

    ix = w = None
    try:
        ix = windex.open_dir(str(path), indexname=INDEX_NAME)
        w = BulkWriter(ix)
        reader = w.reader()  # opens every segment's files
        reader.doc_count()
        return ix, w, reader
    except LockError as exc:  # Whoosh's own write lock, held by a process that is not kb's
        ix.close()  # type: ignore[union-attr]
        raise IndexBusy(path) from exc
    except Exception as exc:  # noqa: BLE001 - any failure to open means: rebuild
        if w is not None:
            try:
                w.cancel()
            except Exception:  # noqa: BLE001, S110 - the rebuild replaces the folder anyway
                pass
        if ix is not None:
            ix.close()
        raise _Corrupt(_corrupt(exc)) from exc


def _update(path: Path, data: dict[str, Any], corpus: Any, hashes: dict[str, str], meta: dict[str, Any],
            rep: IndexReport, progress: Any) -> None:
    """Re-index the new and changed pages, remove the deleted ones: one Whoosh commit."""
    new, changed, removed = changes(corpus, meta, hashes)
    rep.added, rep.updated, rep.removed = len(new), len(changed), len(removed)
    rep.unchanged = len(hashes) - len(new) - len(changed)
    if not (new or changed or removed):
        reason = stale_reason(path, data, meta)  # nothing to write: still check every segment opens
        if reason:
            raise _Corrupt(reason)
        return
    titles = page_titles(corpus, hashes, meta)
    base = int(meta.get("base_segments", 0) or 0)
    ix, w, reader = _open_for_update(path)
    try:
        try:
            _delete_paths(w, reader, removed + changed)
        finally:
            reader.close()
        from kb_tools.search.coldbuild import add_pages

        rep.messages += add_pages(w, corpus, new + changed, progress=progress)
        # Whoosh's merge policy runs on every commit and may rewrite big segments; an update adds
        # its own small segment and lets the policy run only past MERGE_AT_SEGMENTS of them.
        w.commit(merge=len(ix._segments()) >= base + MERGE_AT_SEGMENTS)
    except BaseException:
        if not w.is_closed:
            w.cancel()
        raise
    finally:
        ix.close()
    _write_meta(path, {"version": version_key(data), "pages": hashes, "titles": titles, "base_segments": base})


def open_index(cfg: Any) -> Any:
    return windex.open_dir(str(index_dir(cfg)), indexname=INDEX_NAME)
