"""Whole-site rules (KB4xx): orphans, duplicate titles, nav, heading-id configuration."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from kb_tools.parse import slugs
from kb_tools.checks.linkgraph import link_graph
from kb_tools.checks.registry import Emit, RuleContext, declare, site_pass
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

ORPHAN = declare("KB401", "page.orphan", severity=Severity.WARNING, doc="""
    A page reachable from neither the nav nor any link of another page: nobody will find it.

    With an automatic nav (no ``nav:`` in mkdocs.yml) every page is in the nav except those
    matched by ``not_in_nav``.
""")
DUPLICATE_TITLE = declare("KB402", "page.duplicate-title", severity=Severity.WARNING, kb_metadata=True, doc="""
    Two active pages have the same title: search results and the nav cannot tell them apart.
""")
DEFAULT_SLUGIFY = declare("KB403", "config.default-slugify", severity=Severity.WARNING, doc="""
    The site uses Python-Markdown's default slugify, which turns every all-Japanese heading into
    ``_1``, ``_2``…: links to headings break whenever a heading is added.

    **Config** ``markdown_extensions: [{toc: {slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}}}]``
""")
NAV_MISSING_TARGET = declare("KB404", "nav.missing-target", severity=Severity.WARNING, doc="""
    A ``nav:`` entry in mkdocs.yml names a page that does not exist.
""")

_GENERIC_INDEX = ("index.md", "README.md")
_SPACES = re.compile(r"\s+")


def nav_entries(nav: Any) -> Iterator[str]:
    """Every local path in a ``nav:`` structure."""
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from nav_entries(item)
    elif isinstance(nav, dict):
        for v in nav.values():
            yield from nav_entries(v)


def site_summary(corpus: Corpus, page: Page) -> tuple[Any, ...]:
    """What the whole-site rules need of one page: (links, steps, title, first positional id)."""
    linked = link_graph(corpus).linked_of(page.path)
    steps: list[str] = []
    title = None
    if corpus.kb_metadata:
        raw = page.meta.get("steps")
        if isinstance(raw, list):
            steps = [posixpath.normpath(s["page"]) for s in raw if isinstance(s, dict) and isinstance(s.get("page"), str)]
        if page.meta.get("status", "active") == "active" and page.text_ok:
            shown = page.title
            key = _SPACES.sub(" ", unicodedata.normalize("NFKC", shown)).strip().lower()
            title = (key, shown, page.meta_lines.get("title", 1))
    positional = None
    if slugs.is_default_slugify(corpus.config.slugify):
        hits = [h for h in page.headings if slugs.positional_id(h.id) and h.text]
        if hits:
            positional = (len(hits), hits[0].line, hits[0].id, hits[0].text)
    return (list(linked), steps, title, positional)


def _in_nav(corpus: Corpus, emit: Emit) -> set[str]:
    cfg = corpus.config
    in_nav: set[str] = set()
    if cfg.nav is not None:
        for entry in nav_entries(cfg.nav):
            parts = urlsplit(entry)
            if parts.scheme or parts.netloc:
                continue
            path = posixpath.normpath(unquote(parts.path).lstrip("/"))
            if path in corpus.pages or path in corpus.generated:
                in_nav.add(path)
            elif path not in corpus.files:
                emit(NAV_MISSING_TARGET, "../" + cfg.config_file.name, 0, None,
                     _("nav entry '{entry}' names no page in docs_dir").format(entry=entry), target=entry)
    else:
        spec = None
        if cfg.not_in_nav.strip():
            import pathspec  # (imported when not_in_nav is set)

            spec = pathspec.GitIgnoreSpec.from_lines(cfg.not_in_nav.splitlines())
        in_nav = {p for p in corpus.pages if spec is None or not spec.match_file(p)}
    return in_nav


def _linked(pages: set[str], summaries: dict[str, Any]) -> set[str]:
    """Every page some page's links or path steps reach."""
    linked: set[str] = set()
    for targets, steps, _title, _pos in summaries.values():
        for t in targets:
            if t in pages:
                linked.add(t)
            else:  # a folder: its index page is what the link reaches
                for name in _GENERIC_INDEX:
                    linked.add(posixpath.join(t, name) if t else name)
        linked.update(steps)
    return linked


@site_pass(site_summary)
def check_site(corpus: Corpus, ctx: RuleContext, emit: Emit, summaries: dict[str, Any]) -> None:
    """Orphans, duplicate titles, nav targets and the slugify configuration."""
    in_nav = _in_nav(corpus, emit)
    pages = set(corpus.pages)
    outside = [p for p in pages if p not in in_nav and p not in ("index.md", "README.md")]
    linked = _linked(pages, summaries) if outside else set()  # (an automatic nav holds every page)
    for path in outside:
        if path in linked:
            continue
        emit(ORPHAN, path, 1, None, _("page is reachable from neither the nav nor any other page"),
             hint=_("link to it from a related page or an index page, or add it to nav"))
    by_title: dict[str, list[tuple[str, str, int]]] = {}
    for path, (_t, _s, title, _pos) in summaries.items():
        if title is not None:
            by_title.setdefault(title[0], []).append((path, title[1], title[2]))
    for group in by_title.values():
        if len(group) > 1:
            group.sort()
            for p, title, line in group:
                others = ", ".join(o for o, _ti, _li in group if o != p)
                emit(DUPLICATE_TITLE, p, line, None,
                     _("title '{title}' is also used by {others}").format(title=title, others=others), target=others)
    n, example = 0, None
    for path, (_t, _s, _title, pos) in summaries.items():
        if pos is not None:
            n += pos[0]
            example = example or (path, pos)
    if n and example:
        path, (_n, line, hid, text) = example
        emit(DEFAULT_SLUGIFY, path, line, None,
             _("the site's default slugify gives {n} Japanese heading(s) positional ids like '{id}' for "
               "'{heading}'").format(n=n, id="#" + hid, heading=text),
             hint=_("set markdown_extensions toc slugify to pymdownx.slugs.slugify (case: lower) in mkdocs.yml"))
