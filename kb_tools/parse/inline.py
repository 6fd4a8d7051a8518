"""The body scanner's patterns, result types and per-line helpers (``kb_tools.parse.markdown.scan``).

Apart from the scanner so that its module stays small; tests/test_scan.py holds them, through
the scanner, to Python-Markdown's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kb_tools.model import Link, LinkKind
from kb_tools.parse.magiclink import HINT_RE as _MAGIC_HINT, bare_urls, merge_spans

_LINK, _IMAGE, _HTML, _AUTOLINK, _BARE = (LinkKind.LINK.value, LinkKind.IMAGE.value, LinkKind.HTML.value,
                                          LinkKind.AUTOLINK.value, LinkKind.BARE.value)

_FOOTNOTE_DEF_RE = re.compile(r"^[ ]{0,3}\[\^([^\]\s]+)\]:")
_FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
_ATX_RE = re.compile(r"^(#{1,6})((?:\\.|[^\\])*?)#*[ \t]*$")
_SETEXT_RE = re.compile(r"^(=+|-+)[ ]*$")
_HR_RE = re.compile(r"^[ ]{0,3}((-[ ]{0,2}){3,}|(_[ ]{0,2}){3,}|(\*[ ]{0,2}){3,})[ ]*$")
_LIST_RE = re.compile(r"^([ ]*)([-*+]|\d+[.)])[ \t]+")
_CONTAINER_RE = re.compile(r"^([ ]*)(!!!|\?\?\?\+?|===\+?)[ \t]")
_ATTR_TAIL_RE = re.compile(r"[ \t]*\{:?[ ]*([^}\n ][^}\n]*?)[ ]*\}[ \t]*$")
_ATTR_ID_RE = re.compile(r"(?:^|\s)#([^\s}]+)")
_BLOCK_ATTR_RE = re.compile(r"^[ \t]*\{:[ ]*([^}\n]*?)[ ]*\}[ \t]*$")
_CODE_SPAN_RE = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)")
# The link text and destination loops are possessive (``++``, ``*+``): each of their alternatives
# starts with a different character and none can start with what must follow the loop (``]``;
# a blank or ``)``), so giving characters back never finds another match; they only cost time
# (half of a list page's scan). tests/test_scan.py holds them equal to the plain patterns.
_LINK_RE = re.compile(
    r"(?<!\\)(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]++|\\.|\[(?:[^\[\]\\]++|\\.)*+\])*+)\]"
    r"\([ \t]*(?P<dest><[^<>\n]*>|(?:[^()\s\\]++|\\.|\((?:[^()\s\\]++|\\.)*+\))*+)"
    r"(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*\)"
)
_REF_USE_RE = re.compile(r"(?<!\\)(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]++|\\.)*+)\](?:[ ]?\[(?P<ref>[^\[\]]*)\])?")
_REF_DEF_RE = re.compile(r"^[ ]{0,3}\[(?P<ref>[^\]\n]+)\]:[ \t]*(?P<dest><[^>\n]*>|\S+)")
_AUTOLINK_RE = re.compile(r"<(?P<url>(?:https?|ftp|mailto):[^<>\s]+)>")
_TAG_RE = re.compile(r"<(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>\s[^<>]*?)?/?>")
_COMMENT_OPEN = "<!--"
_COMMENT_CLOSE = "-->"
_BLOCK_HTML_RE = re.compile(
    r"^<(?:div|table|section|details|figure|p|pre|blockquote|ul|ol|dl|form|iframe|aside|nav|"
    r"header|footer|article|center|script|style|h[1-6])(?:[\s>/]|$)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class RawHeading:
    level: int
    markdown: str  # inline Markdown of the heading, attr_list removed
    explicit_id: str | None
    line: int


@dataclass(slots=True)
class ScanResult:
    headings: list[RawHeading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    explicit_ids: list[str] = field(default_factory=list)  # attr_list ids (reserved for toc)
    html_ids: list[str] = field(default_factory=list)  # raw HTML id= / <a name=>
    footnote_defs: list[tuple[str, int]] = field(default_factory=list)  # ([^label]:, line)
    footnote_refs: set[str] = field(default_factory=set)  # labels used as [^label]


class _TagAttrs(HTMLParser):
    """Reads one tag's attributes with the standard HTML parser (no regex over attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def _blank_out(line: str, spans: list[tuple[int, int]]) -> str:
    """Replace the given spans with spaces, keeping every other column where it was."""
    if not spans:
        return line
    parts = []
    pos = 0
    for a, b in spans:
        parts.append(line[pos:a])
        parts.append(" " * (b - a))
        pos = b
    parts.append(line[pos:])
    return "".join(parts)


def _indent_of(line: str) -> int:
    if "\t" not in line:
        return len(line) - len(line.lstrip(" "))
    n = 0
    for ch in line:
        if ch == " ":
            n += 1
        elif ch == "\t":
            n += 4 - (n % 4)
        else:
            break
    return n



def _links_in(line: str) -> list[re.Match[str]]:
    """``list(_LINK_RE.finditer(line))``, trying the pattern only where a match can start (a
    ``[``, or the ``!`` before one): the regex engine tries every position of the line otherwise
    (its leading look-behind leaves it no first-character skip), ~7 µs per Japanese line."""
    out = []
    pos = 0
    find, match = line.find, _LINK_RE.match
    while (q := find("[", pos)) >= 0:
        m = match(line, q - 1) if q > pos and line[q - 1] == "!" else None
        if m is None:
            m = match(line, q)
            if m is None:
                pos = q + 1
                continue
        out.append(m)
        pos = m.end()
    return out


def _split_attr_list(text: str, attr_list: bool) -> tuple[str, str | None]:
    """A heading's text without a trailing ``{#id .class}``, and the explicit id if any."""
    explicit = None
    if attr_list and "{" in text:
        am = _ATTR_TAIL_RE.search(text)
        if am:
            idm = _ATTR_ID_RE.search(am.group(1))
            if idm:
                explicit = idm.group(1)
            text = text[: am.start()]
    return text.strip(), explicit


def _text_line(line: str, covered: list[tuple[int, int]], text_span: tuple[int, int] | None, lineno: int,
               magiclink: bool, res: ScanResult, prose: list[tuple[int, str]] | None) -> None:
    """Bare URLs of a text line (magiclink), then its prose: the line with code, links and URLs blanked."""
    if magiclink and _MAGIC_HINT.search(line):
        for start, end, href in bare_urls(line, covered, text_span):
            res.links.append(Link(href, lineno, start + 1, _BARE))
            covered.append((start, end))
    if prose is not None:
        prose.append((lineno, _blank_out(line, merge_spans(covered)) if covered else line))
