"""Generated-page helpers: the shared Markdown writers (kb_tools.mdtext) and front matter."""

from __future__ import annotations

from kb_tools.mdtext import attr, code, link, rel_link, table, text  # noqa: F401 - the helpers pages use


def front_matter(title: str, description: str = "") -> str:
    """Front matter of a generated page (JSON-quoted strings are valid YAML)."""
    import json

    out = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
    if description:
        out += f"description: {json.dumps(description, ensure_ascii=False)}\n"
    # Dashboards and lists repeat every page title: kept out of the site search.
    out += "kb_generated: true\nsearch:\n  exclude: true\n---\n\n"
    return out
