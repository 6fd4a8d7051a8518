"""The page passes run in the parse workers, while the tree is parsed (``kb check``, cold).

``kb check`` hands ``build_corpus`` a page job (``kb_tools.checks.engine.page_job``): each parse
worker runs every page pass and site-pass summary on the page it has just parsed, against a
corpus that holds every path, the configuration and the registries, but no other page. A pass
that reads another page (the link check asking a target's anchors) raises ``NotLocal`` there and
is left for the main process, which runs only those (``pagerun.PageRunner._derive``); so the main
process no longer runs the page-local checks after the parse, with one core idle.

What a worker says of a page is used only under the same context (the key: day, severities,
options, language, kb metadata, generated pages, world) and for the same content hash; anything
else (a pass that raised, a worker that failed) makes the main process derive the page as before.
The findings, in the same order, are those of a run without workers (``tests/test_early.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from itertools import chain
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from kb_tools.checks import incremental as inc
from kb_tools.checks.linkgraph import LinkGraph, world_of
from kb_tools.checks.registry import Emit, RuleContext, lookup, page_passes, site_passes

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

class Resume(NamedTuple):
    """A pass a worker left, and how the main process finishes it (``NotLocal.resume``)."""

    slot: int  # 0: undated, 1: dated
    index: int  # the pass' index there
    fn: Any  # fn(corpus, emit, target_of, *args)
    args: tuple[Any, ...]
    needs: frozenset[str]  # the pages whose anchors it reads


class Early(NamedTuple):
    """What a parse worker's page job says of one page (``corpus.early[path]``)."""

    key: str  # the context the passes ran under (``early_key``): used only under the same one
    hash: str  # the page's content hash
    undated: tuple[Any, ...]  # rows of each undated pass, or None for a pass left to the main process
    dated: tuple[Any, ...]  # the same for the dated passes
    summaries: tuple[Any, ...]  # the site passes' summaries of the page
    ignores: tuple[str, ...]  # its kb_ignore, sorted
    anchors_hash: str
    anchors: tuple[str, ...]  # the page's anchors, sorted: what ``resume`` reads of a target page
    resumes: tuple[Resume, ...]  # the passes the main process may finish from other pages' anchors
    deps: tuple[str, ...]  # the pages whose anchors the finished passes read
    record: Any  # the page's findings cache record once every pass is done (made by the main
    # process as the results arrive: ``PageRunner`` only takes it), else None


def in_worker(corpus: Corpus) -> bool:
    """True in a parse worker's page job: the corpus holds no page but the one being checked."""
    return isinstance(corpus.pages, LocalPages)


class NotLocal(Exception):  # noqa: N818 - a signal, not an error
    """A page pass asked for another page than the one being checked (in a parse worker).

    ``needs`` and ``resume``: the pages whose anchors alone the pass still reads, and how to
    finish it from them (``resume = (fn, args)``, called ``fn(corpus, emit, target_of, *args)``
    with the job's corpus — every path, the configuration, the registries, no page — and
    ``target_of(path)`` giving an object with ``path`` and ``anchors``): the main process then
    finishes the pass as the workers' results arrive, decoding no page (``PageJob.arrived``).
    A pass may also leave work that needs no other page but is cheaper done once, in the main
    process, than in every worker (no ``needs``: finished as soon as the page arrives)."""

    def __init__(self, path: str, needs: set[str] | None = None, resume: tuple[Any, tuple[Any, ...]] | None = None) -> None:
        super().__init__(path)
        self.needs = frozenset(needs or ())
        self.resume = resume


class _Anchors:
    """A page's anchors as a parse worker sent them (what ``NotLocal.resume`` reads of a page)."""

    __slots__ = ("_set", "_sorted", "path")

    def __init__(self, path: str, anchors: tuple[str, ...]) -> None:
        self.path = path
        self._sorted = anchors
        self._set: frozenset[str] | None = None

    @property
    def anchors(self) -> frozenset[str]:
        if self._set is None:
            self._set = frozenset(self._sorted)
        return self._set


def ignores_of(page: Page) -> frozenset[str]:
    """The rule codes (or names, families) a page's ``kb_ignore`` turns off."""
    ign = page.meta.get("kb_ignore")
    if not isinstance(ign, list) or not ign:
        return frozenset()
    keys = set()
    for r in ign:
        if not isinstance(r, str):
            continue
        info = lookup(r)
        keys.add(info.code if info else r)
    return frozenset(keys)


def early_key(corpus: Corpus, ctx: RuleContext) -> str:
    """What the page passes read besides the page, the paths and the configuration objects."""
    from kb_tools.i18n import current_language

    parts = [ctx.today.isoformat(), sorted((k, None if v is None else int(v)) for k, v in ctx.severities.items()),
             sorted((k, v) for k, v in ctx.options.items() if isinstance(v, (str, int, float, bool, type(None)))),
             current_language(), corpus.kb_metadata, sorted(corpus.generated), sorted(corpus.shadowed),
             world_of(corpus).key]
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class LocalPages(Mapping[str, "Page"]):
    """Every page path, but only the page being checked (any other raises ``NotLocal``)."""

    def __init__(self, paths: Mapping[str, Any]) -> None:
        self._paths = paths
        self.current: Page | None = None

    def __getitem__(self, path: str) -> Page:
        if self.current is not None and path == self.current.path:
            return self.current
        if path in self._paths:
            raise NotLocal(path)
        raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def hash_of(self, path: str) -> str:
        if self.current is not None and path == self.current.path:
            return self.current.hash
        raise NotLocal(path)


class PageJob:
    """Run in each parse worker on each parsed page (``build_corpus(page_job=...)``)."""

    def __init__(self, corpus: Corpus, ctx: RuleContext) -> None:
        self.pages = LocalPages(corpus.pages)
        self.corpus = replace(corpus, pages=self.pages, _derived=dict(corpus._derived))
        self.ctx = ctx
        self.key = early_key(self.corpus, ctx)
        self.undated = [f for _n, f, dated in page_passes() if not dated]
        self.dated = [f for _n, f, dated in page_passes() if dated]
        self.summaries = [summary for _n, summary, _f in site_passes()]
        # in the main process (``arrived``): the anchors of every page the workers sent, the
        # pages whose passes wait for some target's anchors, and who waits for which page
        self._sent: dict[str, tuple[str, ...]] = {}
        self._hashes: dict[str, str] = {}  # their anchors hashes
        self._day = ctx.today.isoformat()
        self._waiting: dict[str, list[Any]] = {}  # page -> [its Early, pages still missing]
        self._blocked: dict[str, list[str]] = {}  # target -> the pages waiting for its anchors

    def meanwhile(self) -> None:
        """In the main process while the workers parse (it would wait otherwise): import what
        the passes left to it will need. Pages whose front matter needs pydantic's errors are
        left to it (``metadata._validate``), and pydantic's import is ~0.4 s."""
        if self.corpus.kb_metadata:
            import kb_tools.schema  # noqa: F401 - pydantic and the front matter model, for metadata._schema_errors

    def __call__(self, page: Page) -> Early:
        if page.path not in self.pages:
            raise NotLocal(page.path)  # an excluded page: not checked
        self.pages.current = page
        own = ignores_of(page)

        def ignores(path: str) -> frozenset[str]:
            if path != page.path:
                raise NotLocal(path)
            return own

        emit = Emit(self.ctx, ignores)  # one for every pass: each pass' findings are taken out of its list
        resumes: list[Resume] = []
        try:
            undated = self._rows(self.undated, page, emit, resumes, 0)
            dated = self._rows(self.dated, page, emit, resumes, 1)
            summaries = tuple([summary(self.corpus, page) for summary in self.summaries])
        finally:
            self.pages.current = None
            # the link graph memoises every page it loaded: a worker would keep every page's links
            # (tens of thousands of objects for its collector to walk again and again)
            self.corpus._derived.pop(LinkGraph, None)
        anchors = tuple(sorted(page.anchors))
        return Early(self.key, page.hash, undated, dated, summaries, tuple(sorted(own)), inc.sorted_anchors_hash(anchors),
                     anchors, tuple(resumes), (), None)

    def _rows(self, fns: list[Any], page: Page, emit: Emit, resumes: list[Resume], slot: int) -> tuple[Any, ...]:
        """Each pass' findings as cache rows, or None for a pass that needs another page (a real
        error propagates: the whole page is then derived again by the main process). ``emit``'s
        lists are empty before each pass (most passes find nothing: no rows are packed)."""
        out: list[Any] = []
        found, deps = emit.findings, emit.deps
        corpus, ctx = self.corpus, self.ctx
        for index, fn in enumerate(fns):
            try:
                fn(corpus, page, ctx, emit)
            except NotLocal as exc:
                found.clear()
                deps.clear()
                if exc.resume is not None:
                    resumes.append(Resume(slot, index, exc.resume[0], exc.resume[1], exc.needs))
                out.append(None)
                continue
            if deps:  # it read another page's anchors (through the page itself?): not local
                found.clear()
                deps.clear()
                out.append(None)
            elif found:
                out.append(inc.pack(found))
                found.clear()
            else:
                out.append(())
        return tuple(out)

    # ---- in the main process, while the workers parse (``pageparse._parse_all``)

    def arrived(self, batch: list[tuple[str, Any]], early: dict[str, Any]) -> None:
        """Workers' results have come (path, what the job said): finish the passes they left
        (``NotLocal.resume``) of every page whose targets' anchors have all come, and update
        ``early``. A pass whose target never comes (not parsed in this run, or its job failed)
        stays None: ``PageRunner`` runs it on the decoded pages, as before."""
        ready = []
        for rel, said in batch:
            if said is None:
                continue
            self._sent[rel] = said.anchors
            self._hashes[rel] = said.anchors_hash
            if not said.resumes:
                early[rel] = self._recorded(said)
            else:
                missing = [p for r in said.resumes for p in r.needs if p not in self._sent]
                if missing:
                    self._waiting[rel] = [said, len(missing)]
                    for p in missing:
                        self._blocked.setdefault(p, []).append(rel)
                else:
                    ready.append((rel, said))
        for rel, said in batch:
            if said is None:  # (its anchors never come: its waiters keep waiting)
                continue
            for waiter in self._blocked.pop(rel, ()):
                entry = self._waiting[waiter]
                entry[1] -= 1
                if entry[1] == 0:
                    del self._waiting[waiter]
                    ready.append((waiter, entry[0]))
        for rel, said in ready:
            early[rel] = self._recorded(self._resumed(rel, said))

    def _recorded(self, said: Early) -> Early:
        """With the page's findings cache record when every pass is done (``PageRunner._derive``
        would make the same from the same rows)."""
        if None in said.undated or None in said.dated:
            return said
        hashes = self._hashes
        deps = tuple(sorted((d, hashes[d]) for d in said.deps if d in self.pages)) if said.deps else ()
        return said._replace(record=inc.make_record(
            said.hash, said.anchors_hash, deps, chain.from_iterable(said.undated), self._day,
            chain.from_iterable(said.dated), said.summaries, said.ignores))

    def _resumed(self, rel: str, said: Early) -> Early:
        own = frozenset(said.ignores)
        emit = Emit(self.ctx, lambda path: own if path == rel else frozenset())
        rows: list[list[Any]] = [list(said.undated), list(said.dated)]
        left = []
        deps: set[str] = set()
        sent = self._sent
        for r in said.resumes:
            slot, index, fn, args, _needs = r
            try:
                fn(self.corpus, emit, lambda path: _Anchors(path, sent[path]), *args)
            except Exception:  # noqa: BLE001 - the main process runs the pass as before
                left.append(r)
                emit.findings.clear()
                emit.deps.clear()
                continue
            rows[slot][index] = inc.pack(emit.findings) if emit.findings else ()
            if slot == 0:  # (as PageRunner._derive: a record depends on what its undated passes read)
                deps |= emit.deps
            emit.findings.clear()
            emit.deps.clear()
        return said._replace(undated=tuple(rows[0]), dated=tuple(rows[1]), resumes=tuple(left), deps=tuple(sorted(deps)),
                             record=None)
