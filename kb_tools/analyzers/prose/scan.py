"""The page analyzer of the house style: variants in running text, config-independent.

Runs in the parse workers with the bytes of ``_data/style.yml`` (part of the parse cache key,
so editing the style re-checks every page once) and the scanner's prose lines: front matter,
code spans and blocks, link targets and texts, autolinks, bare URLs, raw HTML blocks and
blockquotes are not prose; 「…」/『…』 quotes are skipped by the matcher.

``page.extra["prose"]`` is a list of ``(line, column, variant, canonical)`` (1-based).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.analyzers.prose.style import STYLE_FILE, matcher_for

if TYPE_CHECKING:
    from kb_tools.model import Page

ANALYZER_VERSION = 1
KEY = "prose"
DATA_FILES = (STYLE_FILE,)
WANTS_PROSE = True


def analyze(page: Page, text: str, data: dict[str, bytes], prose: list[tuple[int, str]] | None = None) -> None:
    style = data.get(STYLE_FILE) or b""
    if not style or not prose:
        return
    m = matcher_for(style)
    hits = []
    for line, s in prose:
        for off, variant, canonical in m.find(s):
            hits.append((line, off + 1, variant, canonical))
    if hits:
        page.extra[KEY] = hits
