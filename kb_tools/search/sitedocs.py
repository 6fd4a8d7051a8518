"""The documents of the site's search index: pages and their sections (h2/h3), from the Corpus.

One code path with ``kb search``: a page's title, headings and body text come from
``document.page_document`` (what goes into the Whoosh index), and ``term_rows`` counts them with
the same ``JapaneseTokenizer.counts`` (normaliser, house dictionary, analyzer). Sections only add
what the browser shows: each h2/h3's anchor id (the id the site gives it, ``Heading.id``), its
text and a short excerpt of the text below it.

Nothing here imports MkDocs: ``urls`` maps a page's docs-relative path to its location in the
built site; ``page_url`` gives MkDocs' rule when no mapping is known.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb_tools.parse.links import page_url
from kb_tools.search.document import page_document, plain_text
from kb_tools.search.coldbuild import default_procs

INTRO_CHARS = 200  # excerpt of the text before the first section
SECTION_CHARS = 140  # excerpt of each section
MAX_SECTIONS = 24  # sections kept per page (the rest still count for the page's terms)
SECTION_LEVELS = (2, 3)
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_WS = re.compile(r"\s+")


@dataclass
class SiteDoc:
    path: str  # docs-relative source path
    url: str  # location in the built site, relative to its root ("cloud/aws/" or "cloud/aws.html")
    title: str
    headings: str  # every h2+ heading, one per line (the Whoosh "headings" field)
    body: str  # the Whoosh "body" field (title, description, text, tag labels)
    intro: str = ""
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor id, heading, excerpt)


def _excerpt(lines: list[str], limit: int) -> str:
    raw, size = [], 0
    for line in lines:
        if _SETEXT.match(line):
            continue
        raw.append(line)
        size += len(line)
        if size > limit * 3:
            break
    text = _WS.sub(" ", plain_text("\n".join(raw))).strip()
    return text[:limit]


def site_doc(corpus: Any, page: Any, url: str) -> SiteDoc:
    text = corpus.read_text(page)
    doc = page_document(corpus, page, text)
    lines = text.split("\n")
    heads = [h for h in page.headings if h.level in SECTION_LEVELS and h.line > page.body_offset]
    first = heads[0].line - 1 if heads else len(lines)
    # intro: the text between the h1 (or front matter) and the first section
    intro_lines = [ln for ln in lines[page.body_offset:first] if not ln.lstrip().startswith("# ")]
    meta = page.meta if isinstance(page.meta, dict) else {}
    desc = meta.get("description") if isinstance(meta.get("description"), str) else ""
    intro = _excerpt(intro_lines, INTRO_CHARS) or desc[:INTRO_CHARS]
    sections = []
    for i, h in enumerate(heads[:MAX_SECTIONS]):
        end = heads[i + 1].line - 1 if i + 1 < len(heads) else len(lines)
        sections.append((h.id, h.text, _excerpt(lines[h.line:end], SECTION_CHARS)))
    return SiteDoc(page.path, url, doc["title"], doc["headings"], doc["body"], intro, sections)


def _docs_range(corpus: Any, paths: list[str], urls: dict[str, str], use_dir: bool) -> list[SiteDoc]:
    out = []
    for p in paths:
        try:
            out.append(site_doc(corpus, corpus.pages[p], urls.get(p) or page_url(p, use_dir)))
        except (OSError, UnicodeError):
            continue  # unreadable: kb check reports it; the page is left out of search
    return out


_JOB: list[Any] = []  # (work, parts) for the forked workers: closures do not pickle


def map_pages(corpus: Any, work: Callable[[list[str]], Any], paths: list[str]) -> list[Any]:
    """``work`` over slices of ``paths`` in forked processes (one per CPU for large sites);
    results in the order of ``paths``."""
    k = default_procs(len(paths))
    if k == 1:
        return [work(paths)]
    size = -(-len(paths) // k)
    parts = [paths[i:i + size] for i in range(0, len(paths), size)]
    _JOB[:] = [work, parts]
    try:
        with multiprocessing.get_context("fork").Pool(len(parts)) as pool:
            return pool.map(_call, range(len(parts)))
    finally:
        _JOB.clear()


def _call(i: int) -> Any:
    return _JOB[0](_JOB[1][i])


def site_docs(corpus: Any, urls: dict[str, str] | None = None, use_directory_urls: bool = True,
              analyze: Callable[[list[SiteDoc]], Any] | None = None) -> list[Any]:
    """The SiteDocs of every page in path order (``analyze``: applied to each slice of SiteDocs
    inside the worker processes, so only its — smaller — result crosses back)."""
    urls = urls or {}
    paths = sorted(corpus.pages)

    def work(part: list[str]) -> Any:
        docs = _docs_range(corpus, part, urls, use_directory_urls)
        return analyze(docs) if analyze else docs

    return map_pages(corpus, work, paths)
