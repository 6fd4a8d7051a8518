"""Whole-site rules (KB4xx): orphans, duplicate titles, nav, heading-id configuration."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pathspec

from kb_tools.parse import slugs
from kb_tools.checks.linkgraph import linked_pages
from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

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


@check_pass
def check_site(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Orphans, duplicate titles, nav targets and the slugify configuration."""
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
        spec = pathspec.GitIgnoreSpec.from_lines(cfg.not_in_nav.splitlines()) if cfg.not_in_nav.strip() else None
        in_nav = {p for p in corpus.pages if spec is None or not spec.match_file(p)}
    linked: set[str] = set()
    for targets in linked_pages(corpus).values():
        for t in targets:
            if t in corpus.pages:
                linked.add(t)
            else:  # a folder: its index page is what the link reaches
                for name in _GENERIC_INDEX:
                    linked.add(posixpath.join(t, name) if t else name)
    for src, page in corpus.pages.items():
        steps = page.meta.get("steps") if corpus.kb_metadata else None
        if isinstance(steps, list):
            for s in steps:
                if isinstance(s, dict) and isinstance(s.get("page"), str):
                    linked.add(posixpath.normpath(s["page"]))
    for path in corpus.pages:
        if path in in_nav or path in linked or path in ("index.md", "README.md"):
            continue
        emit(ORPHAN, path, 1, None, _("page is reachable from neither the nav nor any other page"),
             hint=_("link to it from a related page or an index page, or add it to nav"))
    if corpus.kb_metadata:
        by_title: dict[str, list[str]] = {}
        for path, page in corpus.pages.items():
            if page.meta.get("status", "active") != "active" or not page.text_ok:
                continue
            key = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page.title)).strip().lower()
            by_title.setdefault(key, []).append(path)
        for paths in by_title.values():
            if len(paths) > 1:
                paths.sort()
                for p in paths:
                    others = ", ".join(o for o in paths if o != p)
                    page = corpus.pages[p]
                    emit(DUPLICATE_TITLE, p, page.meta_lines.get("title", 1), None,
                         _("title '{title}' is also used by {others}").format(title=page.title, others=others),
                         target=others)
    if slugs.is_default_slugify(cfg.slugify):
        n = 0
        example = None
        for page in corpus.pages.values():
            for h in page.headings:
                if slugs.positional_id(h.id) and h.text:
                    n += 1
                    example = example or (page.path, h)
        if n and example:
            path, h = example
            emit(DEFAULT_SLUGIFY, path, h.line, None,
                 _("the site's default slugify gives {n} Japanese heading(s) positional ids like '{id}' for "
                   "'{heading}'").format(n=n, id="#" + h.id, heading=h.text),
                 hint=_("set markdown_extensions toc slugify to pymdownx.slugs.slugify (case: lower) in mkdocs.yml"))
