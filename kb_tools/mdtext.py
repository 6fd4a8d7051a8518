"""Writing Markdown that renders exactly the text given: the one helper for generated pages
and reports (review dashboard, ownership map, handover report, tag index, onboarding steps)."""

from __future__ import annotations

import html

# Entities, not backslashes: Python-Markdown leaves "\\<", "\\|" or "\\=" as they are (backslash
# shown), and a "<" would reach the page as raw HTML (titles may contain <script>).
_ESCAPES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]#|~=^"}
_ESCAPES.update({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# ASCII characters with a meaning in a Markdown link target; MkDocs unquotes them again.
_URL_SPECIAL = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "|": "%7C", "%": "%25",
                "#": "%23", "?": "%3F", "[": "%5B", "]": "%5D", "\\": "%5C", '"': "%22", "`": "%60"}


def text(value: object) -> str:
    """``value`` as inline Markdown that renders as that literal text (no HTML, no markup)."""
    s = " ".join(str(value).split())
    return "".join(_ESCAPES.get(c, c) for c in s)


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return html.escape(" ".join(str(value).split()), quote=True)


def url(path: str) -> str:
    """A docs path as a link target, Markdown specials percent-encoded."""
    return "".join(_URL_SPECIAL.get(c, c) for c in path)


def rel_link(from_page: str, to_page: str) -> str:
    """Relative link target between two normalised docs paths, as MkDocs resolves it.

    (Not ``posixpath.relpath``: it calls ``os.getcwd()`` twice per call, which shows on a
    tag index or an ownership map of thousands of links.)
    """
    base = from_page.split("/")[:-1]
    target = to_page.split("/")
    i = 0
    while i < len(base) and i < len(target) - 1 and base[i] == target[i]:
        i += 1
    return url("/".join([".."] * (len(base) - i) + target[i:]))


def link(from_page: str, to_page: str, label: object) -> str:
    """``[label](relative path)`` from the page ``from_page`` to ``to_page`` (docs-relative)."""
    return f"[{text(label)}]({rel_link(from_page, to_page)})"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def code(value: object) -> str:
    """``value`` as inline code that shows exactly that text (a backtick span would show entities)."""
    return "<code>" + "".join(_ESCAPES.get(c, c) for c in " ".join(str(value).split())) + "</code>"
