"""The corpus' link graph: every page's links resolved once, shared by the link and site checks.

Resolution itself is pure (``kb_tools.parse.links``) and usually done in the parse workers; this
module turns the cached per-page results into the graph the checks read, one page at a time
(a warm check whose findings are cached never decodes the links of an unchanged page).
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field

from kb_tools.corpus import Corpus
from kb_tools.model import Link, Page
from kb_tools.parse.links import MISSING, Entry, Resolved, World, pack_resolution, resolve_page


@dataclass
class LinkGraph:
    """Per page: the links that need a look (problems, anchors) and the pages it links to."""

    corpus: Corpus
    world: World
    _checks: dict[str, list[Resolved]] = field(default_factory=dict)
    _linked: dict[str, list[str]] = field(default_factory=dict)

    def index_of(self, corpus: Corpus, folder: str) -> str | None:
        for name in ("index.md", "README.md"):
            cand = f"{folder}/{name}" if folder else name
            if cand in corpus.pages or cand in corpus.generated:
                return cand
        return None

    def _load(self, src: str) -> None:
        entries, lk = _page_resolution(self.world, self.corpus.pages[src])
        generated = self.corpus.generated
        self._linked[src] = lk
        self._checks[src] = [Resolved(Link(target, line, col, kind), outcome, path, upath, anchor)
                             for outcome, path, upath, anchor, target, line, col, kind in entries
                             if not (outcome == MISSING and path in generated)]  # generated at build time

    def checks_of(self, src: str) -> list[Resolved]:
        """The links of ``src`` that need checking (problems and anchors)."""
        if src not in self._checks:
            self._load(src)
        return self._checks[src]

    def linked_of(self, src: str) -> list[str]:
        """The pages (and folders) ``src`` links to, other than itself."""
        if src not in self._linked:
            self._load(src)
        return self._linked[src]

    @property
    def checks(self) -> dict[str, list[Resolved]]:
        return {src: items for src in self.corpus.pages if (items := self.checks_of(src))}

    @property
    def linked(self) -> dict[str, list[str]]:
        return {src: self.linked_of(src) for src in self.corpus.pages}


def world_of(corpus: Corpus) -> World:
    return corpus.derived(World, lambda c: World.build(
        c.pages, c.files, set(c.excluded_pages) | set(c.excluded_files),
        c.config.absolute_links == "relative_to_docs", c.shadowed))


def _page_resolution(world: World, page: Page) -> tuple[list[Entry], list[str]]:
    res = page.extra.get("_res")
    if res is None or res[0] != world.key or res[1] != page.path:
        fresh = resolve_page(world, page.path, page.links)
        page.extra["_res"] = pack_resolution(fresh)
        return fresh[2], fresh[3]
    entries, linked = marshal.loads(res[2])
    return entries, linked


def link_graph(corpus: Corpus) -> LinkGraph:
    """The corpus' link graph (after the generated pages are registered), filled page by page."""
    return corpus.derived(LinkGraph, lambda c: LinkGraph(c, world_of(c)))


def resolved_links(corpus: Corpus) -> dict[str, list[Resolved]]:
    """Per page, the links that need checking (problems and anchors), resolved once."""
    return link_graph(corpus).checks


def linked_pages(corpus: Corpus) -> dict[str, list[str]]:
    """Per page, the pages (and folders) it links to, other than itself."""
    return link_graph(corpus).linked
