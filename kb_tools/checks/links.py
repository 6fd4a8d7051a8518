"""Links, anchors and assets (KB2xx), resolved as MkDocs 1.6 resolves them, and right where
MkDocs is not (percent-encoded anchors, links to folders)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from kb_tools.checks import linkgraph
from kb_tools.checks.early import NotLocal, in_worker
from kb_tools.parse import links as R
from kb_tools.parse import slugs
from kb_tools.checks.registry import Emit, RuleContext, declare, page_pass
from kb_tools.findings import Severity
from kb_tools.fuzzy import NameIndex
from kb_tools.i18n import _
from kb_tools.model import LinkKind, Page
from kb_tools.fuzzy import did_you_mean

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

FOOTNOTE_UNREFERENCED = declare("KB209", "footnote.unreferenced", severity=Severity.WARNING, doc="""
    A footnote is defined (``[^1]: …``) but never referenced in the text (``[^1]``). The reader
    never reaches it, and MkDocs reports its back-link ``#fnref:1`` as a missing anchor.
    Reference it where the fact is stated, or delete the definition.
    """)


@page_pass
def check_footnotes(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    for label, line in page.extra.get("footnotes_unused", ()):
        emit(FOOTNOTE_UNREFERENCED, page.path, line, 1,
             _("footnote '[^{label}]' is defined but never referenced").format(label=label), target=f"[^{label}]",
             hint=_("write [^{label}] where the fact is stated, or delete the definition").format(label=label))


MISSING_TARGET = declare("KB201", "link.missing-target", severity=Severity.ERROR, doc="""
    Relative link to a page or file that does not exist in the docs tree.

    Resolution follows MkDocs 1.6: relative to the linking page, URL-decoded, ``?query`` ignored.
    **Bad** ``[VPN](../vpn/setup.md)`` when the file is ``../vpn/vpn-setup.md``.
    **Good** link to the ``.md`` file as it exists; the hint names the closest existing file.
""")
MISSING_ANCHOR = declare("KB202", "link.missing-anchor", severity=Severity.ERROR, doc="""
    ``#fragment`` that matches no heading id or explicit id in the target page.

    Heading ids are computed with the site's own slugify (``markdown_extensions.toc.slugify``)
    and ``_1`` de-duplication. A percent-encoded fragment copied from a browser
    (``#%E6%89%8B%E9%A0%86``) is valid when it decodes to an existing id.
""")
OUTSIDE_DOCS = declare("KB203", "link.outside-docs", severity=Severity.ERROR, doc="""
    Relative link that leaves docs_dir (``../../../etc/passwd``): the built site cannot serve it.
""")
DIRECTORY = declare("KB204", "link.directory", severity=Severity.WARNING, doc="""
    Link to a folder (``../vpn/``). MkDocs leaves it unresolved, so it breaks from every page
    that is not itself an index page. Link to ``../vpn/index.md`` instead.
""")
ASSET_MISSING = declare("KB205", "asset.missing", severity=Severity.ERROR, doc="""
    Image or attachment (PDF, spreadsheet…) that does not exist in the docs tree.
""")
ABSOLUTE = declare("KB206", "link.absolute", severity=Severity.INFO, doc="""
    Absolute link (``/cloud/x.md``). MkDocs leaves it as is, so it breaks when the site is not
    served from the server root (a file share, a sub-path). Severity follows
    ``validation.links.absolute_links``; with ``relative_to_docs`` the link is checked instead.
""")
EXCLUDED_TARGET = declare("KB207", "link.excluded-target", severity=Severity.WARNING, doc="""
    Link to a page that ``exclude_docs`` keeps out of the built site: it will be a dead link.
""")
POSITIONAL_ANCHOR = declare("KB208", "link.positional-anchor", severity=Severity.WARNING, doc="""
    Link to a positional id such as ``#_2``: the site's default slugify gives every all-Japanese
    heading an id like this, which changes whenever a heading is added above it.

    **Config** set ``markdown_extensions: - toc: slugify: !!python/object/apply:pymdownx.slugs.slugify
    {kwds: {case: lower}}`` and link to ``#見出し``.
""")

class AnchorTarget(Protocol):
    """What the anchor check reads of a linked page (a Page, or its anchors sent by a parse worker)."""

    @property
    def path(self) -> str: ...

    @property
    def anchors(self) -> Collection[str]: ...


_PAGE_EXT = (".md", ".markdown", ".html", ".htm", "")


class _Suggester:
    """Hints for missing targets: MkDocs' own guesses first, then a close name in the folder."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._by_dir: dict[str, list[str]] | None = None
        self._index: dict[str, NameIndex] = {}
        self._by_base: dict[str, list[str]] | None = None

    def _dirs(self) -> dict[str, list[str]]:
        if self._by_dir is None:
            self._by_dir, self._by_base = {}, {}
            for p in [*self.corpus.pages, *self.corpus.files]:
                d, _, b = p.rpartition("/")
                self._by_dir.setdefault(d, []).append(b)
                self._by_base.setdefault(b, []).append(p)
        return self._by_dir

    def suggest(self, resolved: str) -> str | None:
        stem = posixpath.splitext(resolved)[0]
        for cand in (stem + ".md", resolved + ".md", posixpath.join(resolved, "index.md")):
            if cand != resolved and self.corpus.exists(cand):
                return cand
        folder, _, base = resolved.rpartition("/")
        by_dir = self._dirs()
        if folder not in self._index:
            self._index[folder] = NameIndex(by_dir.get(folder, []))
        m = self._index[folder].suggest(base)
        if m:
            return f"{folder}/{m}" if folder else m
        elsewhere = (self._by_base or {}).get(base)
        if elsewhere and len(elsewhere) == 1:
            return elsewhere[0]
        return None


def _rel(target: str, src: str) -> str:
    """``target`` (docs-relative) as a link from ``src``."""
    return posixpath.relpath(target, posixpath.dirname(src) or ".")


def _anchor_hint(anchor: str, page: AnchorTarget) -> str | None:
    ids = page.anchors
    if not ids:
        return _("'{page}' has no headings with ids").format(page=page.path)
    m = did_you_mean(anchor, sorted(ids))
    if m:
        return _("did you mean '{suggestion}'?").format(suggestion="#" + m)
    return None


@page_pass
def check_anchors(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """The anchors of one page's links (KB202, KB208), in its own pass: the only part of the link
    check that reads other pages, so a parse worker does the rest (``check_links``) and leaves
    only this to the main process (``kb_tools.checks.early``). Each rule code comes from one of
    the two passes, in link order, so the sorted report is the one a single pass gave."""
    items = linkgraph.link_graph(corpus).checks_of(page.path)
    if not items:
        return
    pages = corpus.pages
    src = page.path
    wanted = tuple((r.outcome == R.SELF, r.path, r.anchor, r.link.line, r.link.column, r.link.target)
                   for r in items if (r.outcome == R.PAGE and r.anchor) or r.outcome == R.SELF)
    if not wanted:
        return
    default_slug = slugs.is_default_slugify(corpus.config.slugify)
    if in_worker(corpus):  # in a parse worker (checks/early.py), which has no other page:
        needs = {p for self_link, p, *_r in wanted if not self_link and p != src}
        if needs:  # the main process finishes the pass from the targets' anchors (no page decoded)
            raise NotLocal(min(needs), needs=needs, resume=(anchor_findings, (src, wanted, default_slug)))

    def target_of(path: str) -> Page:
        return page if path == src else pages[path]

    anchor_findings(corpus, emit, target_of, src, wanted, default_slug)


def anchor_findings(_corpus: Corpus, emit: Emit, target_of: Callable[[str], AnchorTarget], src: str,
                    wanted: tuple[tuple[bool, str, str, int, int, str], ...], default_slug: bool) -> None:
    """``check_anchors``' findings for ``src``'s links with an anchor (self link?, target path,
    anchor, line, column, link target), the targets' anchors given by ``target_of(path)``: a Page
    or any object with ``path`` and ``anchors`` (the main process has only the anchors parse
    workers sent, ``kb_tools.checks.early``)."""
    for self_link, path, anchor, line, column, link_target in wanted:
        if not self_link:
            emit.uses_anchors(path)
        _check_anchor(emit, src, anchor, line, column, link_target, target_of(src if self_link else path),
                      default_slug, self_link)


_FINE = (R.PAGE, R.EXTERNAL, R.FILE, R.GENERATED, R.SELF)
# what check_links reads of a link with a problem: (outcome, resolved path, url path, anchor,
# target as written, line, column, kind, the folder's index page for a folder link)
Problem = tuple[str, str, str, str, str, int, int, str, "str | None"]


@page_pass
def check_links(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """Check every relative link and image of one page (resolved in the parse workers); their
    anchors: ``check_anchors``. A missing target's hint looks for a close name among every path
    of its folder (an index per folder): a parse worker leaves those pages to the main process
    (``NotLocal.resume``), which builds each folder's index once instead of once per worker."""
    res = linkgraph.link_graph(corpus)
    items = res.checks_of(page.path)
    if not items:
        return
    problems = tuple((r.outcome, r.path, r.url_path, r.anchor, r.link.target, r.link.line, r.link.column, r.link.kind,
                      res.index_of(corpus, r.path) if r.outcome == R.DIRECTORY else None)
                     for r in items if r.outcome not in _FINE)
    if not problems:
        return
    if in_worker(corpus) and any(p[0] == R.MISSING for p in problems):
        raise NotLocal(page.path, resume=(link_problems, (page.path, problems)))
    link_problems(corpus, emit, None, page.path, problems)


def link_problems(corpus: Corpus, emit: Emit, _target_of: object, src: str, problems: tuple[Problem, ...]) -> None:
    """``check_links``' findings for the links of ``src`` with a problem (``Problem``)."""
    sugg = corpus.derived(_Suggester, _Suggester)
    for outcome, path, url_path, anchor, raw, line, column, kind, idx in problems:
        target = raw.strip()
        if outcome == R.INVALID:
            emit(MISSING_TARGET, src, line, column, _("link '{target}' is not a valid URL").format(target=target), target=target)
        elif outcome == R.ABSOLUTE:
            emit(ABSOLUTE, src, line, column,
                 _("absolute link '{target}' is left as is by MkDocs and breaks when the site is not at the "
                   "server root").format(target=target),
                 hint=_("write it relative: '{link}'").format(link=_rel(path, src)), target=target)
        elif outcome == R.OUTSIDE:
            emit(OUTSIDE_DOCS, src, line, column, _("link '{target}' points outside the docs folder").format(target=target), target=target)
        elif outcome == R.SHADOWED:
            folder = path.rpartition("/")[0]
            index = f"{folder}/index.md" if folder else "index.md"
            emit(MISSING_TARGET, src, line, column,
                 _("link '{target}' points at '{path}', which is shadowed by '{index}': MkDocs builds index.md as "
                   "the folder's page and skips README.md").format(target=target, path=path, index=index),
                 hint=_("link to '{link}' or merge the two pages").format(link=_rel(index, src)), target=target)
        elif outcome == R.EXCLUDED:
            emit(EXCLUDED_TARGET, src, line, column,
                 _("link '{target}' points at '{path}', which exclude_docs keeps out of the site").format(
                     target=target, path=path), target=target)
        elif outcome == R.DIRECTORY:
            if idx:
                emit(DIRECTORY, src, line, column,
                     _("link '{target}' points at a folder; MkDocs leaves it unresolved and it breaks from "
                       "non-index pages").format(target=target),
                     hint=_("write '{link}'").format(link=_rel(idx, src) + (f"#{anchor}" if anchor else "")),
                     target=target)
            else:
                emit(MISSING_TARGET, src, line, column,
                     _("link '{target}' points at folder '{folder}', which has no index.md").format(
                         target=target, folder=path or "."), target=target)
        else:  # MISSING
            sug = sugg.suggest(path)
            hint = _("did you mean '{suggestion}'?").format(suggestion=_rel(sug, src)) if sug else None
            ext = posixpath.splitext(url_path)[1].lower()
            is_image = kind == LinkKind.IMAGE or (kind == LinkKind.HTML and ext not in (".md", ".markdown"))
            if ext in _PAGE_EXT and not (is_image and ext not in (".md", ".markdown")):
                emit(MISSING_TARGET, src, line, column, _("link target '{target}' does not exist").format(target=target), hint,
                     target)
            else:
                emit(ASSET_MISSING, src, line, column, _("file '{target}' does not exist").format(target=target), hint, target)


def _check_anchor(emit: Emit, src: str, anchor: str, line: int, column: int, link_target: str, target: AnchorTarget,
                  default_slug: bool, self_link: bool) -> None:
    ids = target.anchors
    if anchor in ids:
        decoded = anchor
    else:
        decoded = unquote(anchor)
        if decoded not in ids:
            msg = (_("anchor '{anchor}' does not exist in this page") if self_link else
                   _("anchor '{anchor}' does not exist in '{page}'"))
            emit(MISSING_ANCHOR, src, line, column, msg.format(anchor="#" + decoded, page=target.path),
                 _anchor_hint(decoded, target), link_target)
            return
    if default_slug and slugs.positional_id(decoded):
        emit(POSITIONAL_ANCHOR, src, line, column,
             _("link '{target}' uses the positional id '{anchor}' that the default slugify gives a Japanese "
               "heading").format(target=link_target, anchor="#" + decoded),
             hint=_("configure a Unicode slugify (toc slugify: pymdownx.slugs.slugify with case: lower) and link "
                    "to the heading text"),
             target=link_target)
