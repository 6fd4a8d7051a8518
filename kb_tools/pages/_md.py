"""Small helpers to write Markdown that renders exactly the text given (no HTML, no markup)."""

from __future__ import annotations

import html
import posixpath
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~=^])")


def text(value: object) -> str:
    """``value`` as inline Markdown that renders as that literal text, HTML-escaped."""
    s = " ".join(str(value).split())
    s = html.escape(s, quote=False)  # quotes are plain text outside attributes
    # Backslash-escape Markdown punctuation; entities (&lt; …) stay intact.
    return _MD_SPECIAL.sub(r"\\\1", s)


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return html.escape(" ".join(str(value).split()), quote=True)


def rel_link(from_page: str, to_page: str) -> str:
    """Relative link from one docs path to another, as MkDocs resolves Markdown links."""
    base = posixpath.dirname(from_page) or "."
    out = posixpath.relpath(to_page, base)
    return out.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def link(from_page: str, to_page: str, label: object) -> str:
    return f"[{text(label)}]({rel_link(from_page, to_page)})"


def front_matter(title: str, description: str = "") -> str:
    """Front matter of a generated page (JSON-quoted strings are valid YAML)."""
    import json

    out = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
    if description:
        out += f"description: {json.dumps(description, ensure_ascii=False)}\n"
    out += "kb_generated: true\nsearch:\n  boost: 0.5\n---\n\n"
    return out
