"""One page's parse and the worker processes that parse a tree's pages (``kb_tools.corpus`` loads them).

``parse_page`` turns a file's bytes into a Page (front matter, body scan, heading ids, link
resolution against the World, page analyzers); ``_parse_all`` runs it over many files in worker
processes, with an optional page job run on each page there (``kb_tools.corpus.build_corpus``).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb_tools.config import SiteConfig
from kb_tools.i18n import N_
from kb_tools.model import Heading, Page, ParseIssue
from kb_tools.parse import frontmatter, markdown as scan, slugs
from kb_tools.parse.cache import ParseCache, dump_page
from kb_tools.parse.links import World, pack_resolution, resolve_page
from kb_tools.parse.text import decode, read_bytes

log = logging.getLogger(__name__)

PARSER_VERSION = 7  # bump when Page contents change: invalidates every cache
MAX_PARSE_BYTES = 50 * 1024 * 1024  # larger files are reported, not parsed
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


_CALLS: list[tuple[Any, bool]] = []  # (module, whether it takes the DATA_FILES): per page, no getattr of a missing name


def _analyzer_calls() -> list[tuple[Any, bool]]:
    if not _CALLS:
        _CALLS[:] = [(m, bool(getattr(m, "DATA_FILES", None))) for m in _analyzers()]
    return _CALLS


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
    for analyzer, wants_data in _analyzer_calls():
        try:
            if wants_data:
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
PageJob = Callable[[Page], Any]  # run on each page in the parse workers (build_corpus' page_job)
_WORKER: list[Any] = []  # (ParseOptions, World, PageJob or None) of this worker process, set by _init_worker


def _init_worker(opts: ParseOptions, world: World | None, job: PageJob | None = None) -> None:
    """Worker start-up: the options, the world and the page job come once per worker (forked: not
    pickled), not with every chunk (the world holds every path); the GC paused by ``kb check`` runs
    again, but rarely: a page's parse and checks leave no cyclic garbage, and the collector's
    default pace (every 700 allocations, a full pass over the worker's memos every 100 of those)
    cost each worker ~0.25 s of CPU at 10,000 pages; collected every 100,000 it is ~0.03 s, and a
    pathological page (a self-referencing YAML alias) is still collected."""
    gc.set_threshold(100_000, 50, 100)
    gc.enable()
    _WORKER[:] = [opts, world, job]


def _parse_chunk_blobs(items: list[tuple[str, str]]) -> list[tuple[str, str, bytes, Any]]:
    """Worker entry point: each page as its cache state (bytes: cheap to send back) and what the
    page job said of it (None without a job, or when it failed: the caller then does the work)."""
    opts, world, job = _WORKER
    out = []
    for p in _parse_chunk((items, opts, world)):
        blob = dump_page(p)  # before the job: what is cached is the parse's page, whatever a check does
        said = None
        if job is not None and p.hash:
            try:
                said = job(p)
            except Exception:  # noqa: BLE001 - the job is an optimisation: the caller redoes it
                log.debug("page job failed on %s", p.path, exc_info=True)
        out.append((p.path, p.hash, blob, said))
    return out


def _tell(job: Any, method: str, *args: Any) -> None:
    """Call the page job's optional ``method`` in this process, while the workers parse:
    ``meanwhile()`` once they are started, ``arrived(batch, said)`` as each chunk's results come
    (it may finish there what the workers left to this process, updating ``said``). Only an
    optimisation: a failure is logged, and what is left is done after the parse."""
    fn = getattr(job, method, None)
    if fn is None:
        return
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - an optimisation only
        log.debug("page job's %s failed", method, exc_info=True)


def _parse_chunk(args: tuple[list[tuple[str, str]], ParseOptions, World | None]) -> list[Page]:
    items, opts, world = args
    out = []
    for rel, abs_path in items:
        try:
            data = read_bytes(abs_path)  # (a str: no Path per file)
        except OSError as exc:
            p = Page(path=rel, hash="", size=0, text_ok=False)
            p.issues.append(ParseIssue("parse.file", 1, 1, N_("file cannot be read: {error}"), args={"error": exc.strerror}))
            out.append(p)
            continue
        out.append(parse_page(rel, data, opts, world))
    return out


def _analyzer_data(cfg: SiteConfig) -> tuple[tuple[str, bytes], ...]:
    names = sorted({n for m in _analyzers() for n in getattr(m, "DATA_FILES", ())})
    out = []
    for name in names:
        try:
            out.append((name, read_bytes(cfg.data_path / name)))
        except OSError:
            out.append((name, b""))
    return tuple(out)


def _chunks(items: list[tuple[str, str]], workers: int) -> list[list[tuple[str, str]]]:
    """The parse's chunks, largest first (guided scheduling): up to 500 pages while there is
    much left, then a share of what is left, down to 50, so that the workers finish together
    instead of one parsing the last big chunk alone (each chunk costs a round trip)."""
    out = []
    i, n = 0, len(items)
    while i < n:
        size = max(50, min(500, n // (workers * 8), (n - i) // (workers * 2)))
        if n - i - size < 50:  # no small remainder of its own
            size = n - i
        out.append(items[i:i + size])
        i += size
    return out


def _rebased(p: Page, rel: str) -> Page:
    if p.path == rel:
        return p
    return p.copy(path=rel)


def _parse_all(
    todo: list[tuple[str, str]], opts: ParseOptions, world: World, workers: int | None,
    progress: Callable[[int, int], None] | None, cache: ParseCache,
    job: tuple[Callable[[], PageJob] | None, dict[str, Any]] = (None, {}),
) -> list[Parsed]:
    """The parsed pages; ``job``: (the page job's maker, called only when worker processes parse,
    and where to keep what the job says of each page)."""
    if not todo:
        return []
    # A file whose bytes we have parsed before (touched, moved) is not parsed again.
    out: list[Parsed] = []
    rest: list[tuple[str, str]] = []
    for rel, abs_path in todo:
        if cache.entries:
            try:
                data = read_bytes(abs_path)
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
    chunks = _chunks(rest, workers)
    done = 0
    run_job = job[0]() if job[0] is not None else None
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(opts, world, run_job)) as ex:
            # The workers are forked while every object of this process is in the GC's permanent
            # generation: their collector never walks (and so never copies) the inherited heap.
            gc.freeze()
            try:
                results = ex.map(_parse_chunk_blobs, chunks)  # submits every chunk: the workers are forked
            finally:
                gc.unfreeze()
            _tell(run_job, "meanwhile")
            for res in results:
                for rel, h, blob, said in res:
                    out.append((rel, h, blob))
                    if said is not None:
                        job[1][rel] = said
                _tell(run_job, "arrived", [(rel, said) for rel, _h, _b, said in res], job[1])
                done += len(res)
                if progress:
                    progress(done, n)
    except (OSError, RuntimeError) as exc:  # no fork/semaphores (sandbox): parse in-process
        log.info("parallel parse unavailable (%s); parsing in one process", exc)
        todo_paths = {r for r, _ in rest}
        out = [item for item in out if item[0] not in todo_paths]
        job[1].clear()
        out.extend((p.path, p.hash, p) for p in _parse_chunk((rest, opts, world)))
    return out
