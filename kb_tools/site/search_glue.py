"""kb's site search in a Material for MkDocs site: the only code that knows Material's markup.

With ``kb: {japanese_search: true}`` the kb plugin calls:

* ``inject(html, page_url)`` (on_post_page): a ``<script>`` for ``assets/kb-search/kb-search.js``
  just before Material's bundle, and a one-rule ``<style>`` at the end of the head (``CONTAIN``).
  The script (theme/assets/javascripts/kb-search/search.js)
  keeps Material's search box, result list and keyboard handling, switches off Material's own
  index download and worker, and answers from kb's prebuilt index.
* ``post_build(config, corpus, urls)`` (on_post_build): the client script (settings, the
  normaliser port, the client) and the sharded index (``kb_tools.search.shards``) under
  ``site_dir/assets/kb-search/``.

Material's search plugin may stay enabled: it still writes ``search/search_index.json`` (and the
offline plugin ``search_index.js``), but the browser no longer loads either. Written for
mkdocs-material 9.8.2 (``MATERIAL_TESTED``); ``GLUE`` lists what the glue relies on and
tests/test_search_site_contract.py checks every item against the installed Material.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import tempfile
from pathlib import Path
from typing import Any

from kb_tools.i18n import _
from kb_tools.search.normalize import empty_data, export_data
from kb_tools.search.shards import ShardReport, build_site_index

log = logging.getLogger("mkdocs.plugins.kb.search")

ASSETS = Path(__file__).resolve().parent / "theme" / "assets" / "javascripts" / "kb-search"
OUT = "assets/kb-search"
CLIENT = f"{OUT}/kb-search.js"
INDEX = f"{OUT}/index"
MATERIAL_TESTED = ("9.8.2",)
MAX_QUERY_CHARS = 200
BUNDLE_RX = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')
MARKER = "data-kb-search"
# The content column is contained (layout and paint) on screen from the page's first style on, so
# an answer's frame repaints the search overlay, not a 10,000-link page behind it, and opening the
# search restyles nothing behind it: a rule under Material's search toggle instead (`:checked ~
# .md-container .md-content`) restyled the whole content (30,000 elements, 250-600 ms) as the
# search opened. Only for screens: print keeps the page unclipped.
CONTAIN_MARKER = "data-kb-contain"
CONTAIN = f"<style {CONTAIN_MARKER}>@media screen{{.md-content{{contain:layout paint}}}}</style>"

# What search.js relies on in Material (checked by tests/test_search_site_contract.py).
GLUE = {
    "form": '<form class="md-search__form" name="search">',
    "input": 'class="md-search__input"',
    "result": 'data-md-component="search-result"',
    "meta": 'class="md-search-result__meta"',
    "list": 'class="md-search-result__list"',
    "config": '<script id="__config" type="application/json">',
    # the content column is contained (CONTAIN, in the head)
    "head_end": "</head>",
    "content": 'class="md-content"',
    "bundle": "assets/javascripts/bundle.",
    "index_only_with_form": 'document.forms.namedItem("search")',
    "worker_from_config": "setupSearchWorker(config.search, index$)",
    # large navigations: the titles' class swapped before the bundle runs (search.js, last block)
    "ellipsis_patch": 'switchMap(() => getElements(".md-ellipsis"))',
    "ellipsis_css": (".md-ellipsis{overflow:hidden;text-overflow:ellipsis}", ".md-nav__link .md-ellipsis{position:relative}",
                     ".md-nav__link .md-ellipsis code{word-break:normal}"),
    "result_markup": ('class="md-search-result__item"', 'class="md-search-result__link"',
                      'class="md-search-result__article md-typeset"', "data-md-score",
                      'class="md-search-result__icon md-icon"', 'class="md-search-result__more"'),
}


def messages() -> dict[str, str]:
    """The client's messages, in the site's language (the plugin set it from theme.language)."""
    return {
        "missing": _("Search is unavailable: the index file {file} is missing. Please tell the site's administrators."),
        "damaged": _("Search is unavailable: the index file {file} is damaged (cut short?). Please tell the site's "
                     "administrators."),
        "timeout": _("Search is unavailable: the index file {file} did not load in time. Try again later."),
        "error": _("Search is unavailable ({error})."),
        "too_long": _("the query is too long: searching its first {n} characters"),
        "no_terms": _("Nothing searchable in the query (only particles or symbols): please type a noun."),
    }


def script_tag(page_url: str) -> str:
    """The script element for a page at ``page_url`` (relative, like every URL Material writes)."""
    folder = (page_url if page_url.endswith("/") else posixpath.dirname(page_url)).strip("/")
    src = posixpath.relpath(CLIENT, folder) if folder else CLIENT
    return f'<script src="{src}" {MARKER}></script>'


def inject(html: str, page_url: str) -> str:
    """``html`` with kb's search script before Material's bundle and ``CONTAIN`` at the end of its
    head (unchanged without a bundle; each part added only once)."""
    m = BUNDLE_RX.search(html)
    if m is None:
        return html
    if MARKER not in html:
        html = html[:m.start()] + script_tag(page_url) + html[m.start():]
    head = html.find("</head>")
    if head >= 0 and CONTAIN_MARKER not in html[:head]:
        html = html[:head] + CONTAIN + html[head:]
    return html


def inject_site(site_dir: Path) -> int:
    """``inject`` applied to every page of a site built earlier (the benchmark's ``--reuse``: a
    change to what every page carries without a new MkDocs build); the number of pages rewritten."""
    n = 0
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        url = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
        html = path.read_text(encoding="utf-8")
        out = inject(html, url)
        if out != html:
            _write_atomic(path, out.encode("utf-8"))
            n += 1
    return n


def ellipsis_css() -> str:
    """Material's ``.md-ellipsis`` rules for kb's class (search.js, large navigations)."""
    return "".join(rule.replace("md-ellipsis", "kb-ellipsis") for rule in GLUE["ellipsis_css"])


def client_source(data: dict[str, Any]) -> str:
    settings = {"index": "assets/kb-search/index/", "messages": messages(), "maxChars": MAX_QUERY_CHARS,
                "data": {k: v for k, v in data.items() if k != "tag_aliases"}, "ellipsisCss": ellipsis_css()}
    head = json.dumps(settings, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return "\n;\n".join([
        "/* kb-tools site search (generated by kb_tools/site/search_glue.py) */",
        f"self.__kbSearchSettings = {head}",
        (ASSETS / "normalize.js").read_text(encoding="utf-8"),
        (ASSETS / "search.js").read_text(encoding="utf-8"),
    ])


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_material() -> str | None:
    """A warning when the installed Material is not a version the glue was checked against."""
    try:
        import material
    except ImportError:
        return None
    version = getattr(material, "__version__", "?")
    if version in MATERIAL_TESTED:
        return None
    return _("kb: japanese_search was checked against mkdocs-material {tested}, this is {version}: run "
             "tests/test_search_site_contract.py before relying on it").format(
        tested="/".join(MATERIAL_TESTED), version=version)


def post_build(site_dir: Path, corpus: Any, urls: dict[str, str], use_directory_urls: bool = True) -> ShardReport:
    """Write the client and the index under ``site_dir/assets/kb-search/``."""
    try:
        data = export_data(corpus.config)
    except Exception as exc:  # noqa: BLE001 - a broken dictionary must not break the site
        log.warning("kb: japanese_search: house dictionary not used (%s)", exc)
        data = empty_data()
    _write_atomic(site_dir / CLIENT, client_source(data).encode("utf-8"))
    return build_site_index(corpus, site_dir / INDEX, urls, use_directory_urls, data)
