"""Fill-in items (要確認, DESIGN §10): every admonition titled 要確認, with its line and owner.

A page analyzer: runs in the parse workers and is cached with the page by content hash, so
``kb todo``, the dashboard and the handover report never re-read pages. ``page.extra["todos"]``
is a list of ``(line, owner, text)``: the file line of the ``!!!`` line, the role written on
the item's first line as ``担当: ROLE`` ("" = the page's owner), and the item's text (one line,
at most 200 characters). Admonitions inside fenced code blocks are examples, not items.
"""

from __future__ import annotations

import re

ANALYZER_VERSION = 2
KEY = "todos"
TITLE = "要確認"
MAX_TEXT = 200

_ADMONITION_RE = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+[\w-]*(?:[ \t]+[\w -]*?)?[ \t]*\"(?P<title>[^\"]*)\"")
_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_OWNER_RE = re.compile(r"^担当[:：][ \t]*(?P<role>[A-Za-z0-9_-]+)[ \t]*$")
_LIST_MARK_RE = re.compile(r"^([-*+]|\d+[.)])[ \t]+")
_LINK_RE = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_EMPHASIS_RE = re.compile(r"\*\*|__")

Todo = tuple[int, str, str]


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def _item(lines: list[str], start: int, indent: int) -> tuple[str, str]:
    owner, parts = "", []
    for raw in lines[start:]:
        if raw.strip() and _indent(raw) <= indent:
            break
        s = raw.strip()
        if not s:
            continue
        m = _OWNER_RE.match(s)
        if m and not owner and not parts:
            owner = m.group("role")
            continue
        parts.append(_EMPHASIS_RE.sub("", _LINK_RE.sub(r"\1", _LIST_MARK_RE.sub("", s))))  # plain text
        if sum(len(p) for p in parts) >= MAX_TEXT:
            break
    text = " ".join(parts)
    return owner, (text[: MAX_TEXT - 1] + "…") if len(text) > MAX_TEXT else text


def find_todos(text: str, body_offset: int = 0) -> list[Todo]:
    if TITLE not in text:  # most pages: no item can be found (each one's line holds the title)
        return []
    lines = text.split("\n")
    out: list[Todo] = []
    fence: str | None = None
    for i in range(body_offset, len(lines)):
        line = lines[i]
        f = _FENCE_RE.match(line)
        if f:
            mark = f.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip()[len(mark):].strip():
                fence = None
            continue
        if fence is not None or TITLE not in line:
            continue
        m = _ADMONITION_RE.match(line)
        if m and m.group("title").strip().startswith(TITLE):
            owner, body = _item(lines, i + 1, _indent(m.group("indent")))
            out.append((i + 1, owner, body))
    return out


def analyze(page: object, text: str) -> None:
    """Store the page's 要確認 items in ``page.extra["todos"]`` (nothing when none)."""
    found = find_todos(text, getattr(page, "body_offset", 0))
    if found:
        page.extra[KEY] = found  # type: ignore[attr-defined]
