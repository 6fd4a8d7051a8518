"""Sources (KB70x, family ``source``): where a page's facts come from.

A knowledge base staff rely on must cite pages a reader can open and trust: never a URL
shortener (the destination is hidden and can change) or a document-mirror site (unofficial
copies, often outdated, full of ads), always the exact page, and every guide, reference,
runbook and checklist has a ``## 出典`` section. Options (``plugins: - kb: sources: {...}``)::

    sources:
      denied_hosts: [example-mirror.jp]   # added to the default list below
      allowed_hosts: [slideshare.net]     # never denied (overrides the default list)

A host matches an entry when it is the entry or a subdomain of it (``m.slideshare.net``).
The 出典 section is the heading whose text is 出典 (level 2 or lower) up to the next heading of
the same or a higher level.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kb_tools.analyzers.sources import KEY, SECTION
from kb_tools.checks.registry import Emit, RuleContext, declare, page_pass
from kb_tools.options import SourcesOptions
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

SHORTENERS = ("x.gd", "bit.ly", "t.co", "tinyurl.com", "goo.gl", "is.gd", "ow.ly", "buff.ly", "rebrand.ly",
              "cutt.ly", "shorturl.at", "t.ly", "tiny.cc", "v.gd", "rb.gy", "amzn.to", "lnkd.in", "s.id")
MIRRORS = ("dokumen.tips", "fdocument.pub", "fdocuments.in", "lawinsider.com", "pdfslide.net", "pdfslide.tips",
           "vdocuments.mx", "vdocuments.net", "docplayer.net", "docplayer.jp", "slideshare.net", "slideplayer.com",
           "studylib.net", "scribd.com", "dokumen.pub", "kipdf.com", "silo.tips", "idoc.pub", "pdf4pro.com")
DEFAULT_DENIED = SHORTENERS + MIRRORS
SOURCE_TYPES = frozenset({"guide", "reference", "runbook", "checklist"})

DENIED_HOST = declare("KB701", "source.denied-host", severity=Severity.ERROR, doc="""
    A link to a host that is never a source: a URL shortener (x.gd, bit.ly, t.co …) or a
    document-mirror site (dokumen.tips, fdocument.pub, lawinsider.com, docplayer.net …).

    **Why** a shortener hides where the link goes and can be re-pointed; a mirror is an
    unofficial, often outdated copy. **Fix** cite the publisher's own page (the ministry, the
    law on e-Gov 法令検索, the vendor's manual). The list is configurable:
    ``sources: {denied_hosts: [...], allowed_hosts: [...]}``; subdomains match.
""")
BARE_DOMAIN = declare("KB702", "source.bare-domain", severity=Severity.WARNING, kb_metadata=True, doc="""
    A source in the page's 出典 section that is a bare domain (``https://www.digital.go.jp/``):
    cite the exact page or PDF the fact comes from. A site that is one page (its top page is the
    document) is listed in ``sources: {single_page_sites: [www.lgpki.jp]}``.
""")
MISSING = declare("KB703", "source.missing", severity=Severity.WARNING, kb_metadata=True, enabled=False, doc="""
    An active guide, reference, runbook or checklist without a ``## 出典`` section, or with an
    出典 section that holds no link.

    A house policy, so off unless the project turns it on in mkdocs.yml:
    ``plugins: - kb: severity: {source.missing: warning}`` (this knowledge base does).

    **Fix** add ``## 出典`` with one Markdown link per source:
    ``- [文書名](https://exact/url)（発行元、公表日）``.
""")


def options(opts: SourcesOptions) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(denied, allowed) host lists: the built-in deny list plus the validated ``sources:`` block."""
    return DEFAULT_DENIED + tuple(opts.denied_hosts), tuple(opts.allowed_hosts)


def host_matches(host: str, entries: Iterable[str]) -> str | None:
    """The entry ``host`` is (or is a subdomain of), if any."""
    for e in entries:
        if host == e or host.endswith("." + e):
            return e
    return None


def _url(target: str) -> tuple[str, str, str] | None:
    """(host, path, query) of an http(s) URL, else None."""
    t = target.strip()
    if not t.lower().startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(t)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    return host, parts.path, parts.query


@page_pass
def check_sources(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """Denied hosts on every page; 出典 sections of kb pages (the page and the options only)."""
    denied, allowed = options(corpus.config.kb.sources)
    path = page.path
    secs, cited, links = page.extra.get(KEY) or ((), 0, ())
    for line, col, target, in_section in links:
        u = _url(target)
        if u is None or host_matches(u[0], allowed):
            continue
        entry = host_matches(u[0], denied)
        if entry is not None:
            emit(DENIED_HOST, path, line, col,
                 _("'{host}' is never a source (URL shortener or document mirror): {url}").format(host=u[0], url=target),
                 hint=_("cite the publisher's own page instead"), target=target)
    if corpus.kb_metadata:
        _check_section(page, secs, cited, links, emit, tuple(corpus.config.kb.sources.single_page_sites))


def _check_section(page: Page, secs: list[int], cited: int, links: list[tuple[int, int, str, bool]], emit: Emit,
                   single_page: tuple[str, ...] = ()) -> None:
    meta = page.meta
    if not secs:
        if not emit.enabled(MISSING):  # (off by default: no message to build for every page)
            return
        if meta.get("type", "guide") in SOURCE_TYPES and meta.get("status", "active") == "active" and page.text_ok:
            emit(MISSING, page.path, 1, None,
                 _("{kind} page has no '## 出典' section").format(kind=meta.get("type", "guide")),
                 hint=_("add '## 出典' with a Markdown link to each primary source"), target=SECTION)
        return
    if not cited:
        emit(MISSING, page.path, secs[0], None, _("the 出典 section holds no link"),
             hint=_("write each source as a Markdown link: - [文書名](https://exact/url)（発行元）"), target=SECTION)
    for line, col, target, in_section in links:
        u = _url(target) if in_section else None
        if u is not None and u[1] in ("", "/") and not u[2] and not host_matches(u[0], single_page):
            emit(BARE_DOMAIN, page.path, line, col,
                 _("source '{url}' is the site's top page, not the page the fact comes from").format(url=target),
                 hint=_("cite the exact page or PDF"), target=target)
