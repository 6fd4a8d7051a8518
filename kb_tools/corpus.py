"""Load a docs tree into a Corpus: the only module that reads Markdown files.

Parsing runs in worker processes and is cached on disk by content hash (``.kb/cache``), so a
re-check after one file changed parses one file. A file whose size, mtime, ctime and inode are
unchanged is not even read again; any change in one makes us read and hash it, and so does a file
modified within ``RACY_NS`` of the walk that stored it (it may have changed again in the same tick).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kb_tools._walk import Walk
from kb_tools.config import SiteConfig
from kb_tools.datadir import Registry, load_registry
from kb_tools.i18n import N_
from kb_tools.model import Page, ParseIssue
from kb_tools.pageparse import PageJob, ParseOptions, _analyzer_data, _parse_all, _parse_chunk
from kb_tools.parse.cache import PageMap, ParseCache, load_page
from kb_tools.parse.links import World
from kb_tools.parse.text import decode, read_bytes
from kb_tools.parse.tree import excluded_paths, walk_docs

log = logging.getLogger(__name__)
T = TypeVar("T")

RACY_NS = 2_000_000_000  # a file modified this close to the walk is checked by content next time


@dataclass
class Corpus:
    config: SiteConfig
    pages: PageMap  # every .md page included in the site, by path (a Mapping, decoded lazily)
    excluded_pages: PageMap  # .md pages matched by exclude_docs (parsed, not checked)
    files: set[str]  # every other file in docs_dir (assets), included
    excluded_files: set[str]
    registry: Registry
    file_issues: list[tuple[str, ParseIssue]] = field(default_factory=list)  # unreadable files, loops
    generated: set[str] = field(default_factory=set)  # pages the kb plugin generates at build time
    shadowed: set[str] = field(default_factory=set)  # README.md pages hidden by the folder's index.md
    stats: dict[str, Any] = field(default_factory=dict)
    use_cache: bool = True  # False under --no-cache: nothing is read from .kb/cache (the ledger's pickle neither)
    early: dict[str, Any] = field(default_factory=dict)  # path -> what build_corpus' page_job said of the page
    _derived: dict[type, Any] = field(default_factory=dict, repr=False)

    def derived(self, kind: type[T], build: Callable[[Corpus], T]) -> T:
        """Data derived from the corpus, built once per corpus and keyed by its type."""
        try:
            return self._derived[kind]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[kind] = build(self)
            return value

    @property
    def kb_metadata(self) -> bool:
        """Whether kb's metadata rules apply: the docs tree has a roster or taxonomy (``_data/``).

        Listing the plugin alone does not make a project "kb": a plain MkDocs project that turns
        on, say, japanese_search is never asked for owners and review dates.
        """
        return self.registry.present

    def sorted_pages(self) -> list[Page]:
        return [self.pages[k] for k in sorted(self.pages)]

    def read_text(self, page: Page) -> str:
        """The page's text (newlines normalised, BOM removed), read on demand."""
        return decode(read_bytes(self.config.docs_dir / page.path))[0]

    def exists(self, path: str) -> bool:
        return path in self.pages or path in self.files or path in self.generated


def build_corpus(
    cfg: SiteConfig, *, use_cache: bool = True, workers: int | None = None,
    progress: Callable[[int, int], None] | None = None, walked: Walk | None = None,
    page_job: Callable[[Corpus], PageJob] | None = None,
) -> Corpus:
    """Read ``cfg.docs_dir`` into a Corpus; ``walked``: this run's walk of it, when one was taken
    already (``kb check``: the whole-run manifest's snapshot, ``kb_tools.replay.take_walk``).

    ``page_job(corpus)``, given the corpus before any page is in it (paths, configuration,
    registry), returns a function run on each page the parse workers parse; what it returns is
    kept in ``corpus.early`` by path (``kb check`` runs the page-local checks there, overlapping
    the parse: ``kb_tools.checks.early``). Pages parsed in this process get no entry."""
    t0 = time.perf_counter()
    if walked is not None and walked.docs_dir != str(cfg.docs_dir):
        walked = None
    # files modified since may change again unseen: stamp None (the walk's own start when reused)
    racy_from = (time.time_ns() if walked is None else walked.started_ns) - RACY_NS
    opts = ParseOptions(cfg.slugify, cfg.slug_separator, cfg.attr_list, cfg.magiclink, _analyzer_data(cfg))
    files, file_issues = walk_docs(cfg.docs_dir, walked)
    cache = ParseCache(cfg.cache_dir if use_cache else None, opts.key())
    excluded = excluded_paths(cfg.exclude_docs, files, cache)
    md: list[tuple[str, os.stat_result]] = []
    other: set[str] = set()
    for rel, st in files:
        if rel.lower().endswith((".md", ".markdown")):
            md.append((rel, st))
        elif rel not in excluded:
            other.add(rel)
    # README.md is the folder's index page unless an index.md exists (then MkDocs skips README).
    # An *included* index.md wins; with index.md excluded (gitignore-style), README.md is the page.
    index_pages = {rel for rel, _st in md if rel not in excluded and rel.rpartition("/")[2] == "index.md"}
    shadowed: set[str] = set()
    for rel, _st in md:
        folder, _sep, name = rel.rpartition("/")
        if name == "README.md" and rel not in excluded and (f"{folder}/index.md" if folder else "index.md") in index_pages:
            excluded.add(rel)
            shadowed.add(rel)
            file_issues.append((rel, ParseIssue("parse.file", 1, 1, N_("both index.md and README.md exist in this folder; "
                                                "MkDocs uses index.md and skips README.md"))))
    found, todo = _unchanged(md, cache, os.path.join(str(cfg.docs_dir), ""))
    reused = len(found)
    # Link resolution depends only on the set of paths, known now: the workers resolve each
    # page's links while parsing it (the world travels with each chunk), and the result is cached with it.
    md_included = {rel for rel, _ in md if rel not in excluded}
    world = World.build(md_included, other, excluded, cfg.absolute_links == "relative_to_docs", shadowed)
    registry = load_registry(cfg.data_path, cfg.docs_dir)
    included, excluded_pages = PageMap(cache), PageMap(cache)
    corpus = Corpus(cfg, included, excluded_pages, other, excluded, registry, file_issues, shadowed=shadowed,
                    use_cache=use_cache)
    corpus._derived[World] = world  # the same paths kb_tools.checks.linkgraph.world_of would collect
    for rel, _st in md:
        (excluded_pages if rel in excluded else included).add(rel, None, "")  # the paths; pages below
    make_job = (lambda: page_job(corpus)) if page_job is not None else None  # (only when workers parse)
    parsed = _parse_all(todo, opts, world, workers, progress, cache, (make_job, corpus.early))
    cache.reparse = lambda rel: _parse_chunk(([(rel, str(cfg.docs_dir / rel))], opts, world))[0]
    st_by_rel = dict(md)
    for rel, h, item in parsed:
        st = st_by_rel.get(rel)
        if st is not None and h:
            cache.put(rel, None if st.st_mtime_ns >= racy_from else _stamp(st), st.st_size, h, item)
            found[rel] = (item if isinstance(item, Page) else None, h)  # bytes: decoded from the cache on access
        else:
            found[rel] = (item if isinstance(item, Page) else load_page(item), h)
    cache.save(st_by_rel)
    corpus._derived = {World: world}  # (anything the page job derived from the empty corpus is dropped)
    for rel, _st in md:  # walk order, whether cached or parsed
        item, h = found[rel]
        (excluded_pages if rel in excluded else included).add(rel, item, h)
    corpus.stats = {"pages": len(included), "parsed": len(parsed) - cache.hash_hits, "reused": reused + cache.hash_hits,
                    "cache": use_cache, "parse_key": opts.key(), "parsed_paths": sorted(rel for rel, _h, _p in parsed),
                    "seconds": time.perf_counter() - t0}
    return corpus


def _unchanged(md: list[tuple[str, os.stat_result]], cache: ParseCache, root: str,
               ) -> tuple[dict[str, tuple[Page | None, str]], list[tuple[str, str]]]:
    """The pages the parse cache has with the same stamp and size (page or None, hash), and the
    others to read: (path, absolute path), joined as strings (a Path per file cost 0.1 s at 10,000)."""
    found: dict[str, tuple[Page | None, str]] = {}
    todo: list[tuple[str, str]] = []
    entries = cache.entries
    for rel, st in md:
        ent = entries.get(rel) if entries else None
        if ent and ent[0] is not None and ent[0] == _stamp(st) and ent[1] == st.st_size:
            found[rel] = (ent[3] if isinstance(ent[3], Page) else None, ent[2])
        else:
            todo.append((rel, root + rel))
    return found, todo


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    """What says a file is unchanged without reading it: mtime, ctime (every write and every
    ``utime`` changes it, so a restored mtime does not hide an edit) and inode."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


