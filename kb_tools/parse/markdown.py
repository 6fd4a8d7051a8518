"""One pass over a Markdown body: headings, links, images and ids, with file positions.

This is a line scanner that follows Python-Markdown's block rules (the renderer the site uses)
where they decide what a checker sees: fenced and indented code, ATX headings without a space,
setext headings on the first line of a block, attr_list ids, raw HTML ids. A full CommonMark
parse costs 10-20 s on 10,000 pages (research/perf-baseline.md) and follows different rules
from the site's renderer anyway; this scanner is about 10x cheaper and the property and
differential tests in tests/test_scan.py hold it to Python-Markdown's output.
"""

from __future__ import annotations

import operator
import re

from kb_tools.model import Link
from kb_tools.parse.inline import (  # noqa: F401 - (RawHeading, ScanResult: the scan's types, imported from here)
    _LINK, _IMAGE, _HTML, _AUTOLINK, _BARE, _FOOTNOTE_DEF_RE, _FOOTNOTE_REF_RE, _FENCE_RE, _ATX_RE,
    _SETEXT_RE, _HR_RE, _LIST_RE, _CONTAINER_RE, _ATTR_TAIL_RE, _ATTR_ID_RE, _BLOCK_ATTR_RE, _CODE_SPAN_RE,
    _LINK_RE, _REF_USE_RE, _REF_DEF_RE, _AUTOLINK_RE, _TAG_RE, _COMMENT_OPEN, _COMMENT_CLOSE, _BLOCK_HTML_RE,
    RawHeading, ScanResult, _TagAttrs, _blank_out, _indent_of, _links_in, _split_attr_list, _text_line,
)
from kb_tools.parse.magiclink import HINT_RE as _MAGIC_HINT, QUOTE_LEAD_RE as _QUOTE_LEAD_RE

_FENCE_START = ("`", "~")
_SPECIAL_FIRST = frozenset(" \t#!?=-*+0123456789~`<>|{[:")
# A line holding none of ``[ < ` {`` nor ``-->`` has nothing to extract (``in`` tests: a regex
# search for these costs ~10x more on Japanese text). False sends every line down the general
# path (tests/test_scan.py compares the two).
_PLAIN_FAST = True
_NO_LINKS: list[re.Match[str]] = []  # (a line the link search was not run on)
_CONTAINER_START = frozenset("!?=-*+0123456789")
_UNDERLINE = ("=", "-")  # first characters of a setext underline
_SIMPLE_ITEM_RE = re.compile(r"- (?:\[([^\[\]\\`<>{}^]*)\]\(([^()\s\\<>`{}]*)\)|[^\[\]\\`<>{}\s][^\[\]\\`<>{}]*)")
_LINE_COLUMN = operator.itemgetter(1, 2)  # a Link's (line, column)


def scan(lines: list[str], first_line: int, attr_list: bool = True, magiclink: bool = False,
         prose: list[tuple[int, str]] | None = None) -> ScanResult:
    """Scan body ``lines`` whose first element is file line ``first_line`` (1-based).

    One long function on purpose (the one exception to the 80-line limit): it is the per-line hot
    loop of every cold ``kb check`` (about 2 million lines at 10,000 pages), and the block state
    (fences, HTML blocks, comments, containers) lives in its locals; a helper per construct costs a
    call per line. ``tests/test_scan.py`` holds it to Python-Markdown's real output.

    ``magiclink``: the site uses ``pymdownx.magiclink``, so bare URLs in text are links too.
    ``prose``: when given, receives ``(line, text)`` for every line of running text, with code
    spans, links (target and text), autolinks, tags and bare URLs blanked out (columns kept);
    code blocks, raw HTML blocks, reference definitions and blockquotes are left out.
    """
    res = ScanResult()
    ref_defs: dict[str, tuple[str, int, int]] = {}
    ref_uses: list[tuple[str, str, int, int, bool]] = []  # (ref key, text, line, col, image)
    fence: tuple[str, int] | None = None
    in_comment = False
    in_html_block = False
    prev_blank = True
    prev_was_heading = False
    last_nonblank_container = False  # list item / admonition / tab opener, or content inside one
    container_depth_indent = -1  # indent of the innermost open container; -1 = none
    in_quote = False  # inside a blockquote paragraph (prose only)
    plain_fast = _PLAIN_FAST
    n = len(lines)
    i = 0
    while i < n:
        raw = lines[i]
        lineno = first_line + i
        i += 1
        # --- fenced code (superfences: may be indented inside lists/admonitions) ---
        if fence is not None:
            m = _FENCE_RE.match(raw) if fence[0] in raw else None
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= fence[1] and not m.group("rest").strip():
                fence = None
            prev_blank = False
            continue
        if in_comment:
            end = raw.find(_COMMENT_CLOSE)
            if end < 0:
                continue
            in_comment = False
            raw = " " * (end + 3) + raw[end + 3:]
        stripped = raw.strip()
        if not stripped:
            prev_blank = True
            prev_was_heading = False
            in_html_block = False
            in_quote = False
            continue
        # Fast path: a text line at column 0 (most lines; an image line too: ``![`` opens no block)
        # whose only markup is inline links (every "[" the start of one: no reference to look up,
        # no footnote). (A blank next line is no setext underline: its ``[:1]`` is "", which *is*
        # in the string "=-".)
        if (plain_fast and (raw[0] not in _SPECIAL_FIRST or raw[:2] == "![") and "`" not in raw and "<" not in raw
                and "{" not in raw and "-->" not in raw and (i >= n or lines[i][:1] not in _UNDERLINE)
                and not (magiclink and _MAGIC_HINT.search(raw))):
            if "[" not in raw or in_html_block:  # (the general path reads no link in an HTML block)
                found = _NO_LINKS
            else:
                found = None if "[^" in raw else _links_in(raw)
            if found is _NO_LINKS or (found is not None and raw.count("[") == len(found)):
                if prev_blank:
                    container_depth_indent = -1
                if found is not _NO_LINKS:
                    covered = []
                    for lm in found:
                        dest = lm.group("dest")
                        col = lm.start("dest")
                        if dest.startswith("<"):
                            dest, col = dest[1:-1], col + 1
                        res.links.append(Link(dest, lineno, col + 1, _IMAGE if lm.group("bang") else _LINK, lm.group("text")))
                        covered.append((lm.start(), lm.end()))
                    if prose is not None and not in_quote:
                        _text_line(raw, covered, None, lineno, magiclink, res, prose)
                elif prose is not None and not in_quote and not in_html_block:
                    prose.append((lineno, raw))
                last_nonblank_container = False
                prev_blank = False
                prev_was_heading = False
                continue
        # Fast path: an ATX heading at column 0 of plain text (no escapes, code, links, tags or
        # attr_list braces): what the general path does with it, without its regexes.
        if (raw[0] == "#" and plain_fast and not in_html_block and "\\" not in raw and "[" not in raw and "`" not in raw
                and "<" not in raw and "{" not in raw and not (magiclink and _MAGIC_HINT.search(raw))):
            level = len(raw) - len(raw.lstrip("#"))
            if level > 6:
                level = 6
            # _ATX_RE's closing sequence (``#*[ \t]*$``) off, then _split_attr_list's strip
            res.headings.append(RawHeading(level, raw[level:].rstrip(" \t").rstrip("#").strip(), None, lineno))
            if prose is not None and not in_quote:
                prose.append((lineno, raw))
            if prev_blank:
                container_depth_indent = -1
            last_nonblank_container = False
            prev_blank = False
            prev_was_heading = True
            continue
        # Fast path: a list item at column 0 holding plain text or one plain link, nothing else
        # (``- [title](page.md)``: a list page has thousands); what the general path does with it.
        if raw[0] == "-" and not in_html_block and (lm := _SIMPLE_ITEM_RE.fullmatch(raw)) is not None and not (
                (prev_blank or prev_was_heading) and i < n and lines[i][:1] in _UNDERLINE and _SETEXT_RE.match(lines[i])):
            if prev_blank:
                container_depth_indent = -1
            covered = []
            if lm.group(2) is not None:
                res.links.append(Link(lm.group(2), lineno, lm.start(2) + 1, _LINK, lm.group(1)))
                covered.append((2, len(raw)))
            if (prose is not None and not in_quote) or (magiclink and _MAGIC_HINT.search(raw)):
                _text_line(raw, covered, None, lineno, magiclink, res, None if in_quote else prose)
            last_nonblank_container = True
            container_depth_indent = 0
            prev_blank = False
            prev_was_heading = False
            continue
        indent = len(raw) - len(raw.lstrip(" ")) if "\t" not in raw else _indent_of(raw)
        first = stripped[0]
        m = _FENCE_RE.match(raw) if first in _FENCE_START else None
        if m and (m.group("fence")[0] != "`" or "`" not in m.group("rest")):
            if indent < 4 or (container_depth_indent >= 0 and indent <= container_depth_indent + 8):
                fence = (m.group("fence")[0], len(m.group("fence")))
                prev_blank = False
                continue
        # --- indented code: 4+ spaces after a blank line, not continuing a list/container ---
        if indent >= 4 and prev_blank and not last_nonblank_container and container_depth_indent < 0:
            prev_blank = False
            continue
        if indent < 4 and container_depth_indent >= 0 and indent <= container_depth_indent and prev_blank:
            container_depth_indent = -1
        # --- HTML comments (may span lines) ---
        line = raw
        if _COMMENT_OPEN in line:
            spans = []
            pos = 0
            while (a := line.find(_COMMENT_OPEN, pos)) >= 0:
                b = line.find(_COMMENT_CLOSE, a + 4)
                if b < 0:
                    spans.append((a, len(line)))
                    in_comment = True
                    break
                spans.append((a, b + 3))
                pos = b + 3
            line = _blank_out(line, spans)
            if not line.strip():
                prev_blank = False
                continue
        if prev_blank and indent == 0 and first == "<" and _BLOCK_HTML_RE.match(line):
            in_html_block = True
        body = line.lstrip(" \t")
        is_heading = False
        text_span: tuple[int, int] | None = None
        # --- headings ---
        if body.startswith("#") and not in_html_block and (indent == 0 or container_depth_indent >= 0):
            hm = _ATX_RE.match(body)
            if hm:
                text, explicit = _split_attr_list(hm.group(2), attr_list)
                res.headings.append(RawHeading(len(hm.group(1)), text, explicit, lineno))
                is_heading = True
                a = len(line) - len(body) + hm.start(2)
                lead = len(hm.group(2)) - len(hm.group(2).lstrip())
                text_span = (a + lead, a + lead + len(text))
        elif (
            (prev_blank or prev_was_heading) and i < n and lines[i][:1] in ("=", "-") and _SETEXT_RE.match(lines[i])
            and not in_html_block and indent < 4 and not _HR_RE.match(line)
        ):
            text, explicit = _split_attr_list(body.rstrip(), attr_list)
            level = 1 if lines[i].lstrip().startswith("=") else 2
            res.headings.append(RawHeading(level, text, explicit, lineno))
            i += 1  # the underline
            is_heading = True
        elif attr_list and "{" in line:
            bm = _BLOCK_ATTR_RE.match(line) or _ATTR_TAIL_RE.search(line)
            if bm:
                idm = _ATTR_ID_RE.search(bm.group(1))
                if idm:
                    res.explicit_ids.append(idm.group(1))
        # --- code spans: their content is text, never links ---
        if "`" in line:
            line = _blank_out(line, [(mm.start(), mm.end()) for mm in _CODE_SPAN_RE.finditer(line)])
        # --- links, images, reference definitions, autolinks ---
        if "[^" in line and not in_html_block:
            fd = _FOOTNOTE_DEF_RE.match(line)
            if fd:
                res.footnote_defs.append((fd.group(1), lineno))
            res.footnote_refs.update(m.group(1) for m in _FOOTNOTE_REF_RE.finditer(line, fd.end() if fd else 0))
        covered: list[tuple[int, int]] = []
        ref_def = False
        if "[" in line and not in_html_block:
            dm = _REF_DEF_RE.match(line)
            if dm:
                ref_def = True
                dest = dm.group("dest")
                col = dm.start("dest")
                if dest.startswith("<"):
                    dest, col = dest[1:-1], col + 1
                ref_defs.setdefault(dm.group("ref").strip().lower(), (dest, lineno, col + 1))
            else:
                for lm in _links_in(line):
                    dest = lm.group("dest")
                    col = lm.start("dest")
                    if dest.startswith("<"):
                        dest, col = dest[1:-1], col + 1
                    kind = _IMAGE if lm.group("bang") else _LINK
                    res.links.append(Link(dest, lineno, col + 1, kind, lm.group("text")))
                    covered.append((lm.start(), lm.end()))
                # every match holds a "[" of its own: as many "[" as matches leaves none outside them
                rest = _blank_out(line, covered) if line.count("[") > len(covered) else ""
                if "[" in rest:
                    for um in _REF_USE_RE.finditer(rest):
                        ref = um.group("ref")
                        key = (ref if ref else um.group("text")).strip().lower()
                        if key:
                            ref_uses.append((key, um.group("text"), lineno, um.start() + 1, bool(um.group("bang"))))
        if "<" in line:
            for am in _AUTOLINK_RE.finditer(line):
                res.links.append(Link(am.group("url"), lineno, am.start("url") + 1, _AUTOLINK))
                covered.append((am.start(), am.end()))
            for tm in _TAG_RE.finditer(line):
                covered.append((tm.start(), tm.end()))
                attrs_src = tm.group("attrs")
                if not attrs_src or "=" not in attrs_src:
                    continue
                p = _TagAttrs()
                try:
                    p.feed(tm.group(0))
                    p.close()
                except Exception:  # noqa: BLE001 - hostile HTML must not stop the scan
                    continue
                for tag, attrs in p.found:
                    for k, v in attrs:
                        if v is None:
                            continue
                        if k == "id" or (k == "name" and tag == "a"):
                            res.html_ids.append(v)
                        elif (k == "href" and tag == "a") or (k == "src" and tag in ("img", "source")):
                            col = line.find(v, tm.start())
                            res.links.append(Link(v, lineno, (col + 1) if col >= 0 else tm.start() + 1, _HTML))
        if not ref_def and not in_html_block:
            if not in_quote and ">" in line and _QUOTE_LEAD_RE.match(line):
                in_quote = True
            if (prose is not None and not in_quote) or (magiclink and _MAGIC_HINT.search(line)):
                _text_line(line, covered, text_span, lineno, magiclink, res, None if in_quote else prose)
        # --- block context bookkeeping ---
        if first in _CONTAINER_START and (_CONTAINER_RE.match(line) or _LIST_RE.match(line)):
            last_nonblank_container = True
            container_depth_indent = indent
        elif indent >= 4 and (last_nonblank_container or container_depth_indent >= 0):
            last_nonblank_container = True
        else:
            last_nonblank_container = False
            if indent <= max(container_depth_indent, 0) and prev_blank:
                container_depth_indent = -1
        prev_blank = False
        prev_was_heading = is_heading
    for key, text, lineno, col, image in ref_uses:
        d = ref_defs.get(key)
        if d is not None:
            res.links.append(Link(d[0], d[1], d[2], _IMAGE if image else _LINK, text))
    # one Link per definition line: several uses of one reference are one target to check
    seen: set[tuple[str, int, int]] = set()
    uniq: list[Link] = []
    for lk in res.links:
        k = (lk.target, lk.line, lk.column)
        if k in seen:
            continue
        seen.add(k)
        uniq.append(lk)
    uniq.sort(key=_LINE_COLUMN)
    res.links = uniq
    return res
