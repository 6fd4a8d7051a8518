"""Page analyzer for the ``source.*`` rules: a page's http(s) links and its 出典 sections.

Runs in the parse workers after the scan and is cached with the page, so a warm check never
decodes every page's links. ``page.extra["sources"]`` is ``(section_lines, cited, links)``: the
heading line of each 出典 section (heading text 出典, level >= 2, up to the next heading of the
same or a higher level), how many links of any kind those sections hold, and
``(line, column, target, in_section)`` for every http(s) link of the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb_tools.model import Page

ANALYZER_VERSION = 1
KEY = "sources"
SECTION = "出典"


def sections(page: Page) -> list[tuple[int, int]]:
    """(first line, last line) of every 出典 section (file lines, inclusive)."""
    heads = page.headings
    out = []
    for i, h in enumerate(heads):
        if h.level < 2 or h.text.strip() != SECTION:
            continue
        end = 10**9
        for nxt in heads[i + 1:]:
            if nxt.level <= h.level:
                end = nxt.line - 1
                break
        out.append((h.line, end))
    return out


def analyze(page: Page, text: str) -> None:
    secs = sections(page)
    cited = 0
    links = []
    for lk in page.links:
        inside = bool(secs) and any(a <= lk.line <= b for a, b in secs)
        cited += inside
        t = lk.target
        if ("://" in t) and t.lstrip()[:8].lower().startswith(("http://", "https://")):
            links.append((lk.line, lk.column, t, inside))
    if secs or links:
        page.extra[KEY] = ([a for a, _ in secs], cited, links)
