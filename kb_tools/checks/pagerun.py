"""Running the page passes page by page, reusing cached findings (``incremental``) when valid.

Cached or not, a page's findings are emitted in the same order (undated passes, then dated
ones), so a cached run sorts to exactly the output of a full one.
"""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING, Any

from kb_tools.checks import incremental as inc
from kb_tools.checks.early import early_key, ignores_of
from kb_tools.checks.linkgraph import world_of
from kb_tools.checks.parse import INTERNAL_ERROR
from kb_tools.checks.registry import Emit, RuleContext, page_passes, site_passes

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

log = logging.getLogger(__name__)


__all__ = ["PageRunner"]


class PageRunner:
    def __init__(self, corpus: Corpus, ctx: RuleContext, use_cache: bool) -> None:
        self.corpus = corpus
        self.ctx = ctx
        self.use_cache = use_cache
        self.store: inc.FindingsCache | None = None
        self.rederived: list[str] = []
        self._summaries: dict[str, tuple[Any, ...]] = {}  # path -> the site passes' summaries of the page
        self._ignores: dict[str, frozenset[str]] = {}
        self._anchors: dict[str, str] = {}
        self._failed: set[str] = set()
        self._page_failed = False
        self._site: tuple[Any, ...] | None = None
        self._path = ""  # the page being derived
        self._early = ""  # the key the parse workers' findings must have (set by run: after the setup passes)

    def open_store(self) -> None:
        if not self.use_cache:
            return
        cache_dir = self.corpus.config.cache_dir
        key = inc.run_key(self.corpus, self.ctx, world_of(self.corpus).key, str(self.corpus.stats.get("parse_key", "")))
        self.store = inc.FindingsCache.open(cache_dir, key)

    def ignores(self, path: str) -> frozenset[str]:
        """``kb_ignore`` of a page, from its cached record when it is current (no decoding)."""
        got = self._ignores.get(path)
        if got is None:
            if path not in self.corpus.pages:
                got = frozenset()
            else:
                rec = self.store.current(self.corpus, path) if self.store else None
                got = frozenset(rec[7]) if rec is not None else ignores_of(self.corpus.pages[path])
            self._ignores[path] = got
        return got

    def anchor_hash(self, path: str) -> str:
        got = self._anchors.get(path)
        if got is None:
            pre = self.corpus.early.get(path) if self._early else None  # what a parse worker said: no decoding
            if pre is not None and pre.key == self._early and pre.hash == self.corpus.pages.hash_of(path):
                got = self._anchors[path] = pre.anchors_hash
                return got
            rec = self.store.current(self.corpus, path) if self.store else None
            got = self._anchors[path] = rec[1] if rec is not None else inc.anchors_hash(self.corpus.pages[path])
        return got

    def run(self, emit: Emit) -> None:
        day = self.ctx.today.isoformat()
        undated = [(n, f) for n, f, dated in page_passes() if not dated]
        dated = [(n, f) for n, f, d in page_passes() if d]
        self._early = early_key(self.corpus, self.ctx) if self.corpus.early else ""
        store = self.store if self.store is not None and self.store.records else None  # (none on a cold check)
        found, summaries = emit.findings, self._summaries
        for path in self.corpus.pages:
            rec = store.valid(self.corpus, path, self.anchor_hash) if store else None
            if rec is None:
                rec = self._derive(path, undated, dated, day)
                self.rederived.append(path)
            elif rec[4] != day and dated:
                self._page_failed = False
                self._path = path
                rows = tuple(self._emit_passes(self.corpus.pages[path], dated)[0])
                rec = (*rec[:4], day, rows, *rec[6:])  # type: ignore[assignment]
                self._keep(path, rec)
            if rec[3]:
                found.extend(inc.unpack(rec[3]))
            if rec[5]:
                found.extend(inc.unpack(rec[5]))
            summaries[path] = rec[6]
        for name in sorted(self._failed):
            emit(INTERNAL_ERROR, ".", 0, None, f"internal error in {name} (see kb -vv)")

    def _keep(self, path: str, rec: inc.Record) -> None:
        if self.store is not None and not self._page_failed:
            self.store.fresh[path] = rec

    def _emit_passes(self, page: Page | None, fns: list[tuple[str, Any]], done: tuple[Any, ...] | None = None,
                     ) -> tuple[list[Any], set[str]]:
        """The passes' findings as cache rows; ``done``: the rows a parse worker found for each
        pass (None for a pass it left to this process, ``kb_tools.checks.early``)."""
        rows: list[Any] = []
        sub: Emit | None = None  # one for the passes run here: each pass' findings are taken out of its list
        corpus, ctx = self.corpus, self.ctx
        for i, (name, fn) in enumerate(fns):
            if done is not None and done[i] is not None:
                rows.extend(done[i])
                continue
            if sub is None:
                sub = Emit(ctx, self.ignores)
            if page is None:
                page = corpus.pages[self._path]
            try:
                fn(corpus, page, ctx, sub)
            except Exception:  # noqa: BLE001 - one broken check must not hide the others
                log.debug("check %s failed on %s:\n%s", name, self._path, traceback.format_exc())
                self._failed.add(name)
                self._page_failed = True
            if sub.findings:
                rows.extend(inc.pack(sub.findings))
                sub.findings.clear()
        deps = sub.deps if sub is not None else set()
        return rows, deps

    def _derive(self, path: str, undated: list[tuple[str, Any]], dated: list[tuple[str, Any]], day: str) -> inc.Record:
        self._page_failed = False
        self._path = path
        pre = self.corpus.early.get(path)
        if pre is not None and (pre.key != self._early or pre.hash != self.corpus.pages.hash_of(path)):
            pre = None
        if pre is not None:  # the page-local passes ran in a parse worker: decode the page only if needed
            page = None
            self._anchors.setdefault(path, pre.anchors_hash)
            self._ignores.setdefault(path, frozenset(pre.ignores))
            if pre.record is not None:  # every pass done: the record was made as the page's result arrived
                self._keep(path, pre.record)
                return pre.record  # type: ignore[no-any-return]
        else:
            page = self.corpus.pages[path]
        found, deps = self._emit_passes(page, undated, pre.undated if pre else None)
        dated_found, _deps = self._emit_passes(page, dated, pre.dated if pre else None)
        if pre is not None:
            deps.update(pre.deps)  # the pages whose anchors the passes finished from the workers' results read
        summaries = list(pre.summaries) if pre else self._summaries_of(page)
        rec = inc.make_record(self.corpus.pages.hash_of(path), self.anchor_hash(path),
                              tuple(sorted((d, self.anchor_hash(d)) for d in deps if d in self.corpus.pages)),
                              found, day, dated_found, summaries, sorted(self.ignores(path)))
        self._keep(path, rec)
        return rec

    def _summaries_of(self, page: Page) -> list[Any]:
        summaries = []
        for name, summary, _fn in site_passes():
            try:
                summaries.append(summary(self.corpus, page))
            except Exception:  # noqa: BLE001
                log.debug("summary of %s failed on %s:\n%s", name, page.path, traceback.format_exc())
                self._failed.add(name)
                self._page_failed = True
                summaries.append(None)
        return summaries

    def run_site(self, emit: Emit, guarded: Any) -> None:
        """The whole-site passes on every page's summary; their findings are reused as they are
        when no page was re-derived and the day is the same (then every input they may read —
        pages, paths, configuration, registries, today — is the one they were computed from)."""
        store = self.store
        day = self.ctx.today.isoformat()
        if store is not None and store.site is not None and store.site[0] == day and not self.rederived \
                and not self._failed:
            emit.findings.extend(inc.unpack(store.site[1]))
            self._site = store.site
            return
        start = len(emit.findings)
        decoded = self._summaries
        for i, (name, _summary, site_fn) in enumerate(site_passes()):
            guarded(name, site_fn, self.corpus, self.ctx, emit, {p: s[i] for p, s in decoded.items()})
        failed = any(f.code == INTERNAL_ERROR.code for f in emit.findings[start:])
        self._site = None if failed or self._failed else (day, inc.pack(emit.findings[start:]))

    def save(self) -> None:
        if self.store is not None:
            self.store.save(set(self.corpus.pages), self._site)
