"""Small helpers for the Markdown the reports generate (safe text, links, tables)."""

from __future__ import annotations

import posixpath

_TEXT_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;", "|": "&#124;",
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;",
}
_URL_SPECIAL = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "|": "%7C", "%": "%25",
                "#": "%23", "?": "%3F", "[": "%5B", "]": "%5D", "\\": "%5C", '"': "%22", "`": "%60"}


def text(value: object) -> str:
    """Untrusted text (titles, names) made inert inside link text and table cells.

    Entities rather than backslashes: Python-Markdown does not treat ``\\<`` as an escape, so a
    title containing ``<script>`` would otherwise reach the page as raw HTML.
    """
    s = " ".join(str(value).split())
    return "".join(_TEXT_ESCAPES.get(c, c) for c in s)


def url(path: str) -> str:
    """A docs path as a link target: ASCII specials percent-encoded (MkDocs unquotes them)."""
    return "".join(_URL_SPECIAL.get(c, c) for c in path)


def link(title: str, path: str, from_page: str) -> str:
    """``[title](relative path)`` from the generated page ``from_page`` (docs-relative)."""
    base = posixpath.dirname(from_page) or "."
    rel = posixpath.relpath(path, base)
    return f"[{text(title)}]({url(rel)})"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out
