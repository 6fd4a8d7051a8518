"""Links, anchors and assets (KB2xx), resolved as MkDocs 1.6 resolves them, and right where
MkDocs is not (percent-encoded anchors, links to folders)."""

from __future__ import annotations

import difflib
import posixpath
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .. import slugs
from ..findings import Emit, RuleContext, Severity, check_pass, declare
from ..model import LinkKind, Page

if TYPE_CHECKING:
    from ..corpus import Corpus

declare("KB201", "link.missing-target", severity=Severity.ERROR, doc="""
    Relative link to a page or file that does not exist in the docs tree.

    Resolution follows MkDocs 1.6: relative to the linking page, URL-decoded, ``?query`` ignored.
    **Bad** ``[VPN](../vpn/setup.md)`` when the file is ``../vpn/vpn-setup.md``.
    **Good** link to the ``.md`` file as it exists; the hint names the closest existing file.
""")
declare("KB202", "link.missing-anchor", severity=Severity.ERROR, doc="""
    ``#fragment`` that matches no heading id or explicit id in the target page.

    Heading ids are computed with the site's own slugify (``markdown_extensions.toc.slugify``)
    and ``_1`` de-duplication. A percent-encoded fragment copied from a browser
    (``#%E6%89%8B%E9%A0%86``) is valid when it decodes to an existing id.
""")
declare("KB203", "link.outside-docs", severity=Severity.ERROR, doc="""
    Relative link that leaves docs_dir (``../../../etc/passwd``): the built site cannot serve it.
""")
declare("KB204", "link.directory", severity=Severity.WARNING, doc="""
    Link to a folder (``../vpn/``). MkDocs leaves it unresolved, so it breaks from every page
    that is not itself an index page. Link to ``../vpn/index.md`` instead.
""")
declare("KB205", "asset.missing", severity=Severity.ERROR, doc="""
    Image or attachment (PDF, spreadsheet…) that does not exist in the docs tree.
""")
declare("KB206", "link.absolute", severity=Severity.INFO, doc="""
    Absolute link (``/cloud/x.md``). MkDocs leaves it as is, so it breaks when the site is not
    served from the server root (a file share, a sub-path). Severity follows
    ``validation.links.absolute_links``; with ``relative_to_docs`` the link is checked instead.
""")
declare("KB207", "link.excluded-target", severity=Severity.WARNING, doc="""
    Link to a page that ``exclude_docs`` keeps out of the built site: it will be a dead link.
""")
declare("KB208", "link.positional-anchor", severity=Severity.WARNING, doc="""
    Link to a positional id such as ``#_2``: the site's default slugify gives every all-Japanese
    heading an id like this, which changes whenever a heading is added above it.

    **Config** set ``markdown_extensions: - toc: slugify: !!python/object/apply:pymdownx.slugs.slugify
    {kwds: {case: lower}}`` and link to ``#見出し``.
""")

_NOT_PAGES = (".html", ".htm")


def _dirs(corpus: Corpus) -> set[str]:
    out: set[str] = set()
    for p in list(corpus.pages) + list(corpus.files) + list(corpus.excluded_pages):
        d = posixpath.dirname(p)
        while d and d not in out:
            out.add(d)
            d = posixpath.dirname(d)
    return out


class _Resolver:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.dirs = _dirs(corpus)
        self.by_dir: dict[str, list[str]] = {}
        self.by_base: dict[str, list[str]] = {}
        for p in list(corpus.pages) + list(corpus.files):
            self.by_dir.setdefault(posixpath.dirname(p), []).append(p)
            self.by_base.setdefault(posixpath.basename(p), []).append(p)
        self.suggest = lru_cache(maxsize=4096)(self._suggest)

    def exists(self, path: str) -> bool:
        return self.corpus.exists(path)

    def index_of(self, folder: str) -> str | None:
        for name in ("index.md", "README.md"):
            cand = f"{folder}/{name}" if folder else name
            if cand in self.corpus.pages or cand in self.corpus.generated:
                return cand
        return None

    def _suggest(self, resolved: str) -> str | None:
        stem, ext = posixpath.splitext(resolved)
        for cand in (stem + ".md", resolved + ".md", posixpath.join(resolved, "index.md")):
            if cand != resolved and self.exists(cand):
                return cand
        folder, base = posixpath.split(resolved)
        same = [posixpath.basename(p) for p in self.by_dir.get(folder, [])]
        m = difflib.get_close_matches(base, same, n=1, cutoff=0.6)
        if m:
            return posixpath.join(folder, m[0])
        elsewhere = self.by_base.get(base)
        if elsewhere and len(elsewhere) == 1:
            return elsewhere[0]
        return None


def _rel(target: str, src: str) -> str:
    """``target`` (docs-relative) as a link from ``src``."""
    return posixpath.relpath(target, posixpath.dirname(src) or ".")


def _anchor_hint(anchor: str, page: Page) -> str | None:
    ids = sorted(page.anchors)
    if not ids:
        return f"'{page.path}' has no headings with ids"
    m = difflib.get_close_matches(anchor, ids, n=1, cutoff=0.5)
    if m:
        return f"did you mean '#{m[0]}'?"
    return None


@check_pass
def check_links(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Resolve every relative link and image of every page."""
    cfg = corpus.config
    res = _Resolver(corpus)
    default_slug = slugs.is_default_slugify(cfg.slugify)
    abs_mode = cfg.absolute_links
    for src, page in corpus.pages.items():
        for link in page.links:
            target = link.target.strip()
            if not target:
                continue
            try:
                parts = urlsplit(target)
            except ValueError:
                emit("link.missing-target", src, link.line, link.column, f"link '{target}' is not a valid URL", target=target)
                continue
            if parts.scheme or parts.netloc:
                continue  # external: kb check --external
            if link.kind is LinkKind.HTML and target.startswith(("javascript:", "data:")):
                continue
            path, anchor = parts.path, parts.fragment
            if target.startswith(("/", "\\")):
                if abs_mode != "relative_to_docs":
                    if abs_mode not in ("ignore",):
                        emit("link.absolute", src, link.line, link.column,
                             f"absolute link '{target}' is left as is by MkDocs and breaks when the site is not at the server root",
                             hint=f"write it relative: '{_rel(unquote(path).lstrip('/'), src)}'", target=target)
                    continue
            if not path:
                if anchor:
                    _check_anchor(corpus, emit, src, link, page, anchor, default_slug, self_link=True)
                continue
            upath = unquote(path)
            joined = posixpath.join(posixpath.dirname(src), upath.lstrip("/") if target.startswith("/") else upath)
            if target.startswith("/"):
                joined = upath.lstrip("/")
            resolved = posixpath.normpath(joined)
            if resolved == ".":
                resolved = src
            if resolved == ".." or resolved.startswith("../"):
                emit("link.outside-docs", src, link.line, link.column,
                     f"link '{target}' points outside the docs folder", target=target)
                continue
            is_image = link.kind is LinkKind.IMAGE or (link.kind is LinkKind.HTML and not resolved.endswith(".md"))
            if resolved in corpus.pages:
                if anchor:
                    _check_anchor(corpus, emit, src, link, corpus.pages[resolved], anchor, default_slug)
                continue
            if resolved in corpus.files or resolved in corpus.generated:
                continue
            if resolved in corpus.excluded_pages or resolved in corpus.excluded_files:
                emit("link.excluded-target", src, link.line, link.column,
                     f"link '{target}' points at '{resolved}', which exclude_docs keeps out of the site", target=target)
                continue
            ext = posixpath.splitext(upath)[1]
            if not ext or upath.endswith("/"):
                if resolved in res.dirs or resolved == "":
                    idx = res.index_of(resolved)
                    if idx:
                        emit("link.directory", src, link.line, link.column,
                             f"link '{target}' points at a folder; MkDocs leaves it unresolved and it breaks from non-index pages",
                             hint=f"write '{_rel(idx, src)}'" + (f"#{anchor}" if anchor else ""), target=target)
                    else:
                        emit("link.missing-target", src, link.line, link.column,
                             f"link '{target}' points at folder '{resolved}', which has no index.md", target=target)
                    continue
            hint = None
            sug = res.suggest(resolved)
            if sug:
                hint = f"did you mean '{_rel(sug, src)}'?"
            if ext.lower() in (".md", ".markdown") or ext.lower() in _NOT_PAGES or not ext:
                if is_image and ext.lower() not in (".md", ".markdown"):
                    emit("asset.missing", src, link.line, link.column, f"file '{target}' does not exist", hint, target)
                else:
                    emit("link.missing-target", src, link.line, link.column,
                         f"link target '{target}' does not exist", hint, target)
            else:
                emit("asset.missing", src, link.line, link.column, f"file '{target}' does not exist", hint, target)


def _check_anchor(
    corpus: Corpus, emit: Emit, src: str, link: object, target: Page, anchor: str, default_slug: bool,
    self_link: bool = False,
) -> None:
    ids = target.anchors
    raw = link.target  # type: ignore[attr-defined]
    line, col = link.line, link.column  # type: ignore[attr-defined]
    if anchor in ids or unquote(anchor) in ids:
        if default_slug and slugs.positional_id(unquote(anchor)):
            emit("link.positional-anchor", src, line, col,
                 f"link '{raw}' uses the positional id '#{anchor}' that the default slugify gives a Japanese heading",
                 hint="configure a Unicode slugify (toc slugify: pymdownx.slugs.slugify with case: lower) and link to the heading text",
                 target=raw)
        return
    where = "this page" if self_link else f"'{target.path}'"
    emit("link.missing-anchor", src, line, col, f"anchor '#{unquote(anchor)}' does not exist in {where}",
         _anchor_hint(unquote(anchor), target), raw)
