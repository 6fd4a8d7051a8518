"""Load a docs tree into a Corpus: the only module that reads Markdown files.

Parsing runs in worker processes and is cached on disk by content hash (``.kb/cache``), so a
re-check after one file changed parses one file. A file whose size, mtime, ctime and inode are
unchanged is not even read again; any change in one makes us read and hash it, and so does a file
modified within ``RACY_NS`` of the walk that stored it (it may have changed again in the same tick).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kb_tools._walk import Walk
from kb_tools.parse import frontmatter, markdown as scan, slugs
from kb_tools.config import SiteConfig
from kb_tools.datadir import Registry, load_registry
from kb_tools.i18n import N_
from kb_tools.model import Heading, Page, ParseIssue
from kb_tools.parse.cache import PageMap, ParseCache, dump_page, load_page
from kb_tools.parse.links import World, pack_resolution, resolve_page
from kb_tools.parse.tree import excluded_paths, walk_docs

log = logging.getLogger(__name__)
T = TypeVar("T")

PARSER_VERSION = 7  # bump when Page contents change: invalidates every cache
MAX_PARSE_BYTES = 50 * 1024 * 1024  # larger files are reported, not parsed
RACY_NS = 2_000_000_000  # a file modified this close to the walk is checked by content next time
LARGE_PAGE_BYTES = 2 * 1024 * 1024  # larger pages get a warning (slow site and search)
_BINARY_SNIFF = 8192

# Page analyzers run on each page's text inside the parse workers, and their results are cached
# with the page by content hash (so a warm check never reads unchanged files again). A module
# listed here provides ``ANALYZER_VERSION: int`` and ``analyze(page: Page, text: str) -> None``,
# which stores config-independent results in ``page.extra``; checks apply configuration later.
# A module may also list ``DATA_FILES`` (names in the data folder, e.g. ``style.yml``): it is then
# called as ``analyze(page, text, data, prose)`` with those files' bytes (part of the cache key)
# and the scanner's lines of running text.
ANALYZER_MODULES = ("kb_tools.analyzers.secrets.scan", "kb_tools.analyzers.prose.scan", "kb_tools.analyzers.sources",
                    "kb_tools.analyzers.todos")


_ANALYZERS: list[Any] = []  # the imported modules, once per process (parse_page runs per page)


def _analyzers() -> list[Any]:
    if _ANALYZERS:
        return _ANALYZERS
    import importlib

    out = []
    for name in ANALYZER_MODULES:
        try:
            out.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if not name.startswith(str(exc.name)):
                raise
    _ANALYZERS[:] = out
    return _ANALYZERS


@dataclass(frozen=True, slots=True)
class ParseOptions:
    slugify: Any
    separator: str
    attr_list: bool
    magiclink: bool = False  # pymdownx.magiclink: bare URLs in text are links
    data: tuple[tuple[str, bytes], ...] = ()  # the analyzers' DATA_FILES (name, bytes; b"" when absent)

    def key(self) -> str:
        fn = self.slugify
        ident = getattr(fn, "func", fn)
        desc = f"{getattr(ident, '__module__', '')}.{getattr(ident, '__qualname__', repr(ident))}"
        desc += repr(sorted(getattr(fn, "keywords", {}).items()))
        analyzers = ",".join(f"{m.__name__}={m.ANALYZER_VERSION}" for m in _analyzers())
        data = hashlib.blake2b(repr(self.data).encode(), digest_size=8).hexdigest()
        scan_env = os.environ.get("KB_SECRETS_SCAN")  # "0" turns the secret scan off (analyzers/secrets/scan.py)
        return hashlib.blake2b(f"{PARSER_VERSION}|{desc}|{self.separator}|{self.attr_list}|{self.magiclink}|"
                               f"{analyzers}|{data}|{scan_env}".encode(), digest_size=8).hexdigest()


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


def read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def decode(data: bytes) -> tuple[str, ParseIssue | None]:
    """UTF-8 (BOM accepted) with universal newlines, as MkDocs reads pages."""
    issue = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        issue = ParseIssue("parse.encoding", line, col, N_("file is not valid UTF-8 (byte {byte} at byte offset "
                           "{offset}); MkDocs cannot build it"), N_("save the file as UTF-8"),
                           args={"byte": f"0x{data[exc.start]:02x}", "offset": exc.start})
        text = data.decode("utf-8-sig", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, issue


def parse_page(rel: str, data: bytes, opts: ParseOptions, world: World | None = None) -> Page:
    """Parse one file's bytes into a Page. Never raises."""
    h = hashlib.blake2b(data, digest_size=16).hexdigest()
    page = Page(path=rel, hash=h, size=len(data))
    if b"\x00" in data[:_BINARY_SNIFF]:
        page.text_ok = False
        page.issues.append(ParseIssue("parse.file", 1, 1, N_("file is binary (NUL bytes), not Markdown"),
                                      hint=N_("rename it or move it out of the docs tree")))
        return page
    if len(data) > MAX_PARSE_BYTES:
        page.text_ok = False
        page.issues.append(ParseIssue("parse.file", 1, 1, N_("file is {size} MB; kb does not parse pages over {max} MiB"),
                                      N_("split the page"), args={"size": f"{len(data) / 1e6:.1f}", "max": MAX_PARSE_BYTES // 2**20}))
        return page
    if len(data) > LARGE_PAGE_BYTES:
        page.issues.append(ParseIssue("parse.file", 1, 1, N_("page is {size} MB; pages this large make the site and its "
                                      "search slow"), N_("split the page"), args={"size": f"{len(data) / 1e6:.1f}"}))
    text, enc_issue = decode(data)
    if enc_issue:
        page.issues.append(enc_issue)
    try:
        _parse_text(page, text, opts, world)
    except RecursionError:
        page.issues.append(ParseIssue("parse.file", 1, 1, N_("page is nested too deeply to parse")))
    return page


def _parse_text(page: Page, text: str, opts: ParseOptions, world: World | None) -> None:
    fm = frontmatter.split(text)
    page.has_front_matter = fm.present
    page.front_matter_end = fm.end_line
    page.meta = fm.meta
    page.meta_lines = fm.meta_lines
    if fm.error:
        line, col, msg, args = fm.error
        page.issues.append(ParseIssue("parse.front-matter", line, col, msg,
                                      N_("MkDocs silently renders this page without its metadata"), args=args))
    # MkDocs renders the whole file as the body when it cannot load the front matter.
    offset = 0 if fm.mkdocs_drops_meta else fm.body_offset
    page.body_offset = offset
    lines = text.split("\n")
    body_lines = lines[offset:]
    # The scanner collects prose lines only for an analyzer that has data to match them against
    # (style.yml present): blanking each line's code and links costs a fifth of the scan.
    prose: list[tuple[int, str]] | None = [] if any(b for _n, b in opts.data) else None
    res = scan.scan(body_lines, offset + 1, opts.attr_list, opts.magiclink, prose)
    texts = [slugs.heading_text(h.markdown) for h in res.headings]
    ids = slugs.assign_ids(((t, h.explicit_id) for t, h in zip(texts, res.headings)),
                           opts.slugify, opts.separator, reserved=res.explicit_ids)
    page.headings = [Heading(h.level, t, i, h.line) for h, t, i in zip(res.headings, texts, ids)]
    page.links = res.links
    page.anchors = set(ids) | set(res.explicit_ids) | set(res.html_ids)
    unused = [(label, line) for label, line in res.footnote_defs if label not in res.footnote_refs]
    if unused:
        page.extra["footnotes_unused"] = unused
    if world is not None:
        page.extra["_res"] = pack_resolution(resolve_page(world, page.path, page.links))
    for analyzer in _analyzers():
        try:
            if getattr(analyzer, "DATA_FILES", None):
                analyzer.analyze(page, text, dict(opts.data), prose)
            else:
                analyzer.analyze(page, text)
        except Exception as exc:  # noqa: BLE001 - an analyzer bug must not lose the page
            page.issues.append(ParseIssue("internal.error", 1, 1, N_("internal error in {name}: {error}"),
                                          args={"name": analyzer.__name__, "error": repr(exc)}))


# (path, content hash, Page or its pickled state): what the parse of one file hands back. The
# workers send the state the parse cache stores (``parse.cache.dump_page``), so the main process
# neither unpickles nor re-pickles a page it does not read; the PageMap decodes it on first access.
Parsed = tuple[str, str, "Page | bytes"]
_WORKER: list[Any] = []  # (ParseOptions, World) of this worker process, set once by _init_worker


def _init_worker(opts: ParseOptions, world: World | None) -> None:
    """Worker start-up: the options and the world come once per worker (forked: not pickled),
    not with every chunk (the world holds every path); the GC paused by ``kb check`` runs again."""
    gc.enable()
    _WORKER[:] = [opts, world]


def _parse_chunk_blobs(items: list[tuple[str, str]]) -> list[Parsed]:
    """Worker entry point: each page as its cache state (bytes: cheap to send back)."""
    opts, world = _WORKER
    return [(p.path, p.hash, dump_page(p)) for p in _parse_chunk((items, opts, world))]


def _parse_chunk(args: tuple[list[tuple[str, str]], ParseOptions, World | None]) -> list[Page]:
    items, opts, world = args
    out = []
    for rel, abs_path in items:
        try:
            data = read_bytes(Path(abs_path))
        except OSError as exc:
            p = Page(path=rel, hash="", size=0, text_ok=False)
            p.issues.append(ParseIssue("parse.file", 1, 1, N_("file cannot be read: {error}"), args={"error": exc.strerror}))
            out.append(p)
            continue
        out.append(parse_page(rel, data, opts, world))
    return out


def build_corpus(
    cfg: SiteConfig, *, use_cache: bool = True, workers: int | None = None,
    progress: Callable[[int, int], None] | None = None, walked: Walk | None = None,
) -> Corpus:
    """Read ``cfg.docs_dir`` into a Corpus; ``walked``: this run's walk of it, when one was taken
    already (``kb check``: the whole-run manifest's snapshot, ``kb_tools.replay.take_walk``)."""
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
    found: dict[str, tuple[Page | None, str]] = {}
    todo: list[tuple[str, str]] = []
    reused = 0
    for rel, st in md:
        ent = cache.entries.get(rel)
        if ent and ent[0] is not None and ent[0] == _stamp(st) and ent[1] == st.st_size:
            found[rel] = (ent[3] if isinstance(ent[3], Page) else None, ent[2])
            reused += 1
        else:
            todo.append((rel, str(cfg.docs_dir / rel)))
    # Link resolution depends only on the set of paths, known now: the workers resolve each
    # page's links while parsing it (the world travels with each chunk), and the result is cached with it.
    md_included = {rel for rel, _ in md if rel not in excluded}
    world = World.build(md_included, other, excluded, cfg.absolute_links == "relative_to_docs", shadowed)
    parsed = _parse_all(todo, opts, world, workers, progress, cache)
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
    included, excluded_pages = PageMap(cache), PageMap(cache)
    for rel, _st in md:  # walk order, whether cached or parsed
        item, h = found[rel]
        (excluded_pages if rel in excluded else included).add(rel, item, h)
    registry = load_registry(cfg.data_path, cfg.docs_dir)
    corpus = Corpus(cfg, included, excluded_pages, other, excluded, registry, file_issues, shadowed=shadowed,
                    use_cache=use_cache)
    corpus._derived[World] = world  # the same paths kb_tools.checks.linkgraph.world_of would collect
    corpus.stats = {"pages": len(included), "parsed": len(parsed) - cache.hash_hits, "reused": reused + cache.hash_hits,
                    "cache": use_cache, "parse_key": opts.key(), "parsed_paths": sorted(rel for rel, _h, _p in parsed),
                    "seconds": time.perf_counter() - t0}
    return corpus


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    """What says a file is unchanged without reading it: mtime, ctime (every write and every
    ``utime`` changes it, so a restored mtime does not hide an edit) and inode."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _analyzer_data(cfg: SiteConfig) -> tuple[tuple[str, bytes], ...]:
    names = sorted({n for m in _analyzers() for n in getattr(m, "DATA_FILES", ())})
    out = []
    for name in names:
        try:
            out.append((name, read_bytes(cfg.data_path / name)))
        except OSError:
            out.append((name, b""))
    return tuple(out)


def _rebased(p: Page, rel: str) -> Page:
    if p.path == rel:
        return p
    return p.copy(path=rel)


def _parse_all(
    todo: list[tuple[str, str]], opts: ParseOptions, world: World, workers: int | None,
    progress: Callable[[int, int], None] | None, cache: ParseCache,
) -> list[Parsed]:
    if not todo:
        return []
    # A file whose bytes we have parsed before (touched, moved) is not parsed again.
    out: list[Parsed] = []
    rest: list[tuple[str, str]] = []
    for rel, abs_path in todo:
        if cache.entries:
            try:
                data = read_bytes(Path(abs_path))
            except OSError:
                rest.append((rel, abs_path))
                continue
            hit = cache.by_hash(hashlib.blake2b(data, digest_size=16).hexdigest())
            if hit is not None:
                out.append((rel, hit.hash, _rebased(hit, rel)))
                continue
        rest.append((rel, abs_path))
    n = len(rest)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    if n < 200 or workers <= 1:
        for i in range(0, n, 100):
            out.extend((p.path, p.hash, p) for p in _parse_chunk((rest[i:i + 100], opts, world)))
            if progress:
                progress(min(i + 100, n), n)
        return out
    from concurrent.futures import ProcessPoolExecutor  # (imported only for a parse this large)
    size = max(50, min(500, n // (workers * 8)))
    chunks = [rest[i:i + size] for i in range(0, n, size)]
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(opts, world)) as ex:
            results = ex.map(_parse_chunk_blobs, chunks)  # submits every chunk: the workers are forked
            for res in results:
                out.extend(res)
                done += len(res)
                if progress:
                    progress(done, n)
    except (OSError, RuntimeError) as exc:  # no fork/semaphores (sandbox): parse in-process
        log.info("parallel parse unavailable (%s); parsing in one process", exc)
        todo_paths = {r for r, _ in rest}
        out = [item for item in out if item[0] not in todo_paths]
        out.extend((p.path, p.hash, p) for p in _parse_chunk((rest, opts, world)))
    return out
