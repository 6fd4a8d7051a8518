"""Bare URLs the site links: the rules of ``pymdownx.magiclink`` (pymdown-extensions 10.x).

With ``pymdownx.magiclink`` in mkdocs.yml, ``https://…``, ``ftp://…`` and ``www.…`` written as
plain text become links. This module finds the same URLs in one line of text from which the
scanner has already blanked code spans, Markdown links, autolinks and HTML tags (Python-Markdown
stashes those as placeholders before magiclink runs, priority 85). The rules, from
``MagiclinkPattern.handleMatch``:

- a URL starts after whitespace, the start of the text, or one of ``* _ ~ ^ [ ( ' "``: so
  ``出典：https://…`` (a full-width colon before it) is *not* linked;
- it runs to the next whitespace or ``<``; full-width punctuation (、。）」) does **not** end it,
  so ``https://example.jp/a.html、`` links ``…/a.html、`` (tests/test_magiclink.py holds this
  against the real extension);
- trailing ``? ! . , : * _ ~ ^ ' "`` are dropped, ``;`` too (with an entity such as ``&amp;``),
  and ``)`` / ``]`` only when unbalanced;
- the last two labels of the host may not contain ``_``;
- ``www.…`` links to ``http://www.…``; character references (``&amp;``) are decoded as a browser does.
"""

from __future__ import annotations

import html
import re

_START_RE = re.compile(r"(?i)(?<![^\s*_~^\[('\"])(?:(?:ht|f)tps?://|(?P<www>w{3}\.))")
_DOMAIN_RE = re.compile(r"[^_\W][-\w.]*")
_PATH_RE = re.compile(r"[^\s<]*")
_TRAILING = frozenset("?!.,:*_~^'\"")
_CLOSERS = {")": "(", "]": "["}
HINT_RE = re.compile(r"(?i)://|www\.")  # cheap pre-test: a line that may hold a bare URL
_ESCAPE_RE = re.compile(r"\\[\\`*_{}\[\]()>#+\-.!|]")  # Python-Markdown's ESCAPED_CHARS (+ tables' |)
QUOTE_LEAD_RE = re.compile(r"^[ ]{0,3}(?:>[ ]?)+")  # blockquote markers, stripped before inline processing


def _end(data: str, start: int, floor: int) -> int:
    end = _PATH_RE.match(data, floor).end(0)  # type: ignore[union-attr]
    counts: dict[str, list[int]] | None = None
    while end > floor:
        c = data[end - 1]
        if c in _TRAILING:
            end -= 1
        elif c == ";":
            index = end - 2
            while index >= floor and data[index].isalnum():
                index -= 1
            end = index if end - 2 > index >= floor and data[index] == "&" else end - 1
        elif c in _CLOSERS:
            if counts is None:
                link = data[start:end]
                counts = {k: [link.count(k), link.count(v)] for k, v in _CLOSERS.items()}
            cc = counts[c]
            if cc[0] <= cc[1]:
                break
            cc[0] -= 1
            end -= 1
        else:
            break
    return end


def find_urls(data: str) -> list[tuple[int, str, str]]:
    """``(offset, text, href)`` of every URL magiclink links in ``data`` (0-based offsets)."""
    out: list[tuple[int, str, str]] = []
    pos = 0
    while True:
        m = _START_RE.search(data, pos)
        if m is None:
            return out
        start = m.start(0)
        domain = _DOMAIN_RE.match(data, m.end(0))
        if domain is None:
            pos = m.end(0)
            continue
        floor = domain.start(0)
        end = _end(data, start, floor)
        if any("_" in seg for seg in data[floor:min(end, domain.end(0))].split(".")[-2:]):
            pos = m.end(0)
            continue
        link = data[start:end]
        href = f"http://{link}" if m.group("www") else link
        out.append((start, link, html.unescape(href) if "&" in href else href))
        pos = max(end, m.end(0))


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping, non-empty spans covering the same characters."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        elif b > a:
            out.append((a, b))
    return out


def bare_urls(line: str, blank: list[tuple[int, int]], text_span: tuple[int, int] | None) -> list[tuple[int, int, str]]:
    """``(start, end, href)`` of the URLs magiclink links in one line of a page.

    ``blank``: spans Python-Markdown has stashed before magiclink runs (links, autolinks, tags,
    code spans already blanked by the caller); ``text_span``: for a heading, the part of the
    line that is its text.
    """
    spans = list(blank)
    if text_span is not None:
        spans += [(0, text_span[0]), (text_span[1], len(line))]
    qm = QUOTE_LEAD_RE.match(line)
    if qm:
        spans.append((0, qm.end()))
    if "\\" in line:
        spans += [(m.start(), m.end()) for m in _ESCAPE_RE.finditer(line)]
    data = line
    pos = 0
    parts = []
    for a, b in merge_spans(spans):
        parts += [line[pos:a], " " * (b - a)]
        pos = b
    data = "".join(parts) + line[pos:]
    if data.lstrip().startswith("|"):  # a table row: cells are split before inline processing
        data = data.replace("|", " ")
    return [(off, off + len(text), href) for off, text, href in find_urls(data)]
