"""External links (KB21x), checked only with ``kb check --external``: never part of the
default run, and offline-first (see kb_tools/external.py).

Options (``plugins: - kb: external: {...}`` in mkdocs.yml): ``max_age_days`` (7), ``timeout``
(10 s), ``workers`` (8), ``per_host_rps`` (2), ``max_retry_after`` (30 s), ``max_redirects`` (5),
``skip`` (URL prefixes never requested, e.g. intranet hosts).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

EXTERNAL_BROKEN = declare("KB211", "link.external-broken", severity=Severity.ERROR, doc="""
    External link whose server answers that the page does not exist (HTTP 404, 410, other 4xx).

    Only ``kb check --external`` checks external links. Network failures are never reported as
    broken (see link.external-unchecked).
""")
EXTERNAL_REDIRECT = declare("KB212", "link.external-redirect", severity=Severity.INFO, doc="""
    External link that redirects permanently (HTTP 301/308): link to the new address.
""")
EXTERNAL_UNCHECKED = declare("KB213", "link.external-unchecked", severity=Severity.INFO, doc="""
    External link that could not be checked (offline, timeout, rate limited, access denied, server
    error); the message gives the last date it was known good, from ``.kb/cache/links.json``.
""")
def _date(iso: str | None) -> str | None:
    return iso[:10] if iso else None


@check_pass
def check_external(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Check http(s) links when ``--external`` is given."""
    if not ctx.options.get("external"):
        return
    from kb_tools.checks import _http as external  # the network code loads only with --external

    opts = external.options(corpus.config.kb.external)  # validated when mkdocs.yml was read
    skip = tuple(str(s) for s in opts["skip"])
    uses: dict[str, list[tuple[str, int, int, str]]] = {}
    for path in sorted(corpus.pages):
        for link in corpus.pages[path].links:
            t = link.target.strip()
            try:
                scheme = urlsplit(t).scheme.lower()
            except ValueError:
                continue
            if scheme not in ("http", "https") or t.startswith(skip):
                continue
            uses.setdefault(external.normalize(t), []).append((path, link.line, link.column, t))
    if not uses:
        return
    now = ctx.options.get("external_now")
    if not isinstance(now, _dt.datetime):
        now = None
    progress = ctx.options.get("external_progress")
    results = external.check_urls(uses, cache_path=corpus.config.cache_dir / "links.json", opts=opts, now=now,
                                  progress=progress if callable(progress) else None)
    for url, where in uses.items():
        r = results.get(url)
        if r is None:
            continue
        for path, line, col, raw_target in where:
            if r.status == "broken":
                emit(EXTERNAL_BROKEN, path, line, col,
                     _("external link '{target}' is broken ({reason})").format(target=raw_target, reason=r.reason),
                     _("it redirects to '{url}'").format(url=r.final_url) if r.final_url else None, raw_target)
            elif r.status == "redirect":
                emit(EXTERNAL_REDIRECT, path, line, col,
                     _("external link '{target}' redirects permanently (HTTP {code}) to '{url}'").format(
                         target=raw_target, code=r.code, url=r.final_url),
                     _("link to '{url}'").format(url=r.final_url), raw_target)
            elif r.status == "unchecked":
                last = _date(r.last_good)
                msg = (_("external link '{target}' not checked ({reason}); last good on {last}") if last else
                       _("external link '{target}' not checked ({reason}); never checked successfully"))
                emit(EXTERNAL_UNCHECKED, path, line, col, msg.format(target=raw_target, reason=r.reason, last=last),
                     None, raw_target)
