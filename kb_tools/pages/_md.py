"""Small helpers to write Markdown that renders exactly the text given (no HTML, no markup)."""

from __future__ import annotations

import html

# Entities, not backslashes: Python-Markdown leaves "\\<", "\\|" or "\\=" as they are (backslash
# shown), and a "<" would reach the page as raw HTML.
_ESCAPES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]#|~=^"}
_ESCAPES.update({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def text(value: object) -> str:
    """``value`` as inline Markdown that renders as that literal text (no HTML, no markup)."""
    s = " ".join(str(value).split())
    return "".join(_ESCAPES.get(c, c) for c in s)


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return html.escape(" ".join(str(value).split()), quote=True)


def rel_link(from_page: str, to_page: str) -> str:
    """Relative link between two normalised docs paths, as MkDocs resolves Markdown links.

    (Not ``posixpath.relpath``: it calls ``os.getcwd()`` twice per call, which shows on a
    tag index of thousands of links.)
    """
    base = from_page.split("/")[:-1]
    target = to_page.split("/")
    i = 0
    while i < len(base) and i < len(target) - 1 and base[i] == target[i]:
        i += 1
    out = "/".join([".."] * (len(base) - i) + target[i:])
    return out.replace("%", "%25").replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def link(from_page: str, to_page: str, label: object) -> str:
    return f"[{text(label)}]({rel_link(from_page, to_page)})"


def front_matter(title: str, description: str = "") -> str:
    """Front matter of a generated page (JSON-quoted strings are valid YAML)."""
    import json

    out = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
    if description:
        out += f"description: {json.dumps(description, ensure_ascii=False)}\n"
    # Dashboards and lists repeat every page title: kept out of the site search.
    out += "kb_generated: true\nsearch:\n  exclude: true\n---\n\n"
    return out
