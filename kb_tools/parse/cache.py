"""The parse cache on disk and the lazily decoded page map the Corpus holds.

One pickle per parser configuration maps ``rel -> (stamp, size, hash, state bytes)`` (stamp: mtime,
ctime and inode, None for a file modified just before it was read): the state of each page is
pickled on its own, so loading the cache costs one read and no page is decoded until something
asks for it (a warm ``kb check`` whose findings are cached never does).
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kb_tools.model import Page
from kb_tools._io import atomic_write_with

log = logging.getLogger(__name__)
_FORMAT = 4  # layout of the cache file itself (the parser version is in the file name)


def dump_page(page: Page) -> bytes:
    return pickle.dumps(page.to_state(), protocol=pickle.HIGHEST_PROTOCOL)


def load_page(blob: bytes) -> Page:
    return Page.from_state(pickle.loads(blob))  # noqa: S301 - our own cache file under .kb/


class ParseCache:
    """``rel -> (mtime_ns, size, hash, state)`` in one pickle, replaced atomically.

    ``state`` is the page's pickled state (bytes) or, for pages parsed in this run, the Page.
    """

    DELTA_MIN = 200  # pages the delta may hold before a compaction, at least (else a tenth of the pages)

    def __init__(self, cache_dir: Path | None, opts_key: str) -> None:
        self.path = cache_dir / f"pages-{opts_key}.pickle" if cache_dir else None
        self.index_path = cache_dir / f"pages-{opts_key}.index" if cache_dir else None
        self.delta_path = cache_dir / f"pages-{opts_key}.delta" if cache_dir else None  # pages since the last compaction
        # (stamp or None, size, hash, state); state: None until the blobs are loaded, a Page or
        # its pickled state (bytes) for a page parsed in this run
        self.entries: dict[str, tuple[Any, int, str, Any]] = {}
        self.extra: dict[str, Any] = {}  # small memos of the loader (the exclude_docs matches)
        self.dirty = False
        self.hash_hits = 0  # files read and hashed, then found in the cache (touched, moved, racy)
        self._by_hash: dict[str, str] | None = None
        self._blobs: dict[str, bytes] | None = None
        self.reparse: Any = None  # rel -> Page, for a page the blobs lost (set by the loader)
        if self.index_path and self.index_path.is_file():
            try:
                with open(self.index_path, "rb") as f:
                    data = pickle.load(f)  # noqa: S301 - our own cache file under .kb/
                if isinstance(data, tuple) and len(data) == 3 and data[0] == _FORMAT and isinstance(data[1], dict) \
                        and self.path is not None and self.path.is_file():
                    self.entries = {k: (v[0], v[1], v[2], None) for k, v in data[1].items()}
                    self.extra = data[2]
            except Exception as exc:  # noqa: BLE001 - a corrupt cache is rebuilt, never fatal
                log.warning("parse cache %s unreadable (%s); rebuilding", self.index_path, exc)
                self.entries = {}

    @staticmethod
    def _read(path: Path | None) -> dict[str, bytes]:
        if path is None or not path.is_file():
            return {}
        try:
            with open(path, "rb") as f:
                data = pickle.load(f)  # noqa: S301 - our own cache file under .kb/
            return data if isinstance(data, dict) else {}
        except Exception as exc:  # noqa: BLE001 - a lost page is parsed again (``reparse``)
            log.warning("parse cache %s unreadable (%s); its pages are parsed again", path, exc)
            return {}

    def blobs(self) -> dict[str, bytes]:
        """Every cached page's pickled state (main file, then the delta), read on first need."""
        if self._blobs is None:
            self._blobs = self._read(self.path)
            self._blobs.update(self._read(self.delta_path))
        return self._blobs

    def state(self, rel: str) -> Page | bytes | None:
        """The cached page (parsed in this run) or its pickled state; None when lost."""
        st = self.entries[rel][3]
        if st is None:
            st = self.blobs().get(rel)
        if st is None and self.reparse is not None:
            page = self.reparse(rel)
            self.entries[rel] = (*self.entries[rel][:3], page)
            return page
        return st

    def by_hash(self, h: str) -> Page | None:
        """A cached page with these bytes (a touched or moved file is not parsed again)."""
        if self._by_hash is None:
            self._by_hash = {v[2]: k for k, v in self.entries.items()}
        rel = self._by_hash.get(h)
        if rel is None:
            return None
        state = self.state(rel)
        if state is None:
            return None
        page = state if isinstance(state, Page) else load_page(state)
        if page.hash != h:
            return None
        self.hash_hits += 1
        return page

    def put(self, rel: str, stamp: Any, size: int, h: str, page: Page | bytes) -> None:
        """A page parsed in this run, as a Page or as its pickled state (``dump_page``)."""
        self.entries[rel] = (stamp, size, h, page)
        self.dirty = True

    def save(self, live: Iterable[str]) -> None:
        """Write the index, and the pages parsed in this run to the delta file; the main file is
        rewritten (compacted) only when the delta has grown past a tenth of the pages, so saving
        after one edit costs the index and the delta, not every page."""
        if not self.path or not self.index_path or not self.delta_path:
            return
        live = set(live)
        if not self.dirty and live == set(self.entries):
            return
        fresh = {k: v[3] if isinstance(v[3], bytes) else dump_page(v[3])
                 for k, v in self.entries.items() if k in live and isinstance(v[3], (Page, bytes))}
        delta = {k: v for k, v in self._read(self.delta_path).items() if k in live} if self.path.is_file() else None
        writes: list[tuple[Path, Any]] = []
        if delta is not None and len(delta) + len(fresh) <= max(self.DELTA_MIN, len(live) // 10):
            delta.update(fresh)
            writes.append((self.delta_path, delta))
            keep = set(self.entries)
        else:  # compact: every live page into the main file
            blobs = self.blobs()
            blobs.update(fresh)
            main = {k: blobs[k] for k in live if k in blobs}
            writes += [(self.path, main), (self.delta_path, {})]
            keep = set(main)
        index = {k: v[:3] for k, v in self.entries.items() if k in live and k in keep}
        writes.append((self.index_path, (_FORMAT, index, self.extra)))  # last: it names what the others hold
        try:
            for path, data in writes:
                atomic_write_with(path, lambda f, d=data: pickle.dump(d, f, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            log.warning("cannot write parse cache %s: %s", self.path, exc)


class PageMap(Mapping[str, Page]):
    """``path -> Page`` in walk order; pages come from the cache as bytes, decoded on first access.

    ``hash_of(path)`` answers without decoding; ``decoded`` tells which pages were decoded.
    """

    __slots__ = ("_hashes", "_pages", "_source")

    def __init__(self, source: ParseCache | None = None) -> None:
        self._hashes: dict[str, str] = {}
        self._pages: dict[str, Page] = {}
        self._source = source  # where pages added without a Page are read from

    def add(self, path: str, page: Page | None, h: str) -> None:
        self._hashes[path] = h
        if page is not None:
            self._pages[path] = page
        else:
            self._pages.pop(path, None)

    def __getitem__(self, path: str) -> Page:
        try:
            return self._pages[path]
        except KeyError:
            if path not in self._hashes or self._source is None:
                raise
            state = self._source.state(path)
            if state is None:
                raise LookupError(f"{path}: parse cache lost this page; run kb check --no-cache") from None
            page = state if isinstance(state, Page) else load_page(state)
            if page.hash != self._hashes[path] and self._source.reparse is not None:
                page = self._source.reparse(path)  # the blob and the index disagree (an interrupted save)
            self._pages[path] = page
            if page.path != path:
                page.path = path
            return page

    def __contains__(self, path: object) -> bool:
        return path in self._hashes

    def __iter__(self) -> Iterator[str]:
        return iter(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)

    def hash_of(self, path: str) -> str:
        return self._hashes[path]

    def is_decoded(self, path: str) -> bool:
        return path in self._pages

    def __repr__(self) -> str:
        return f"PageMap({len(self)} pages, {len(self._pages)} decoded)"
