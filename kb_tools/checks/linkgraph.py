"""The corpus' link graph: every page's links resolved once, shared by the link and site checks.

Resolution itself is pure (``kb_tools.parse.links``) and usually done in the parse workers; this
module turns the cached per-page results into the graph the checks read.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass

from kb_tools.corpus import Corpus
from kb_tools.model import Link, Page
from kb_tools.parse.links import MISSING, Entry, Resolved, World, pack_resolution, resolve_page


@dataclass(frozen=True)
class LinkGraph:
    """Per page: the links that need a look (problems, anchors) and the pages it links to."""

    world: World
    checks: dict[str, list[Resolved]]
    linked: dict[str, list[str]]

    def index_of(self, corpus: Corpus, folder: str) -> str | None:
        for name in ("index.md", "README.md"):
            cand = f"{folder}/{name}" if folder else name
            if cand in corpus.pages or cand in corpus.generated:
                return cand
        return None


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


def _build(corpus: Corpus) -> LinkGraph:
    world = world_of(corpus)
    out: dict[str, list[Resolved]] = {}
    linked: dict[str, list[str]] = {}
    generated = corpus.generated
    for src, page in corpus.pages.items():
        entries, lk = _page_resolution(world, page)
        linked[src] = lk
        items = []
        for outcome, path, upath, anchor, target, line, col, kind in entries:
            if outcome == MISSING and path in generated:
                continue  # a page the kb plugin generates at build time
            items.append(Resolved(Link(target, line, col, kind), outcome, path, upath, anchor))
        if items:
            out[src] = items
    return LinkGraph(world, out, linked)


def link_graph(corpus: Corpus) -> LinkGraph:
    """The corpus' link graph, built once (after the generated pages are registered)."""
    return corpus.derived(LinkGraph, _build)


def resolved_links(corpus: Corpus) -> dict[str, list[Resolved]]:
    """Per page, the links that need checking (problems and anchors), resolved once."""
    return link_graph(corpus).checks


def linked_pages(corpus: Corpus) -> dict[str, list[str]]:
    """Per page, the pages (and folders) it links to, other than itself."""
    return link_graph(corpus).linked
