"""Generated Markdown tables as raw HTML tables, for the system ledger's big pages.

A 2,000-system ledger gives three pages of 2,000-row tables (ledger, coverage, timeline). For
those, Python-Markdown's table and inline processing of every cell (and MkDocs rewriting every
link) is most of the cost of the build; the same table as a raw HTML block is passed through
about three times faster. The cells are our own generated Markdown (``mdtext``: entities, HTML
spans and ``<code>``, ``**strong**`` and ``[label](relative .md path)``), so the conversion is
exact: links become the URLs MkDocs would write (``use_directory_urls`` either way).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote

from kb_tools.parse.links import page_url

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_STRONG = re.compile(r"\*\*(.+?)\*\*")


def relative_url(target: str, base: str) -> str:
    """``target`` URL relative to the page at URL ``base`` (both site-relative)."""
    base_dir = base.split("/")[:-1]  # "a/b/" -> [a, b]; "a/b.html" -> [a]
    parts = target.split("/")
    i = 0
    while i < len(base_dir) and i < len(parts) - 1 and base_dir[i] == parts[i]:
        i += 1
    rel = "/".join([".."] * (len(base_dir) - i) + parts[i:])
    return rel or "./"


class Linker:
    """Turns the docs-relative link targets of one generated page into site URLs."""

    def __init__(self, page: str, use_directory_urls: bool) -> None:
        self.page, self.dir, self.use_dir = page, posixpath.dirname(page), use_directory_urls
        self.base = page_url(page, use_directory_urls)

    def href(self, target: str) -> str:
        path, _, frag = unquote(target).partition("#")
        if not path:
            return quote("#" + frag, safe="/#%") if frag else "./"
        docs_path = posixpath.normpath(posixpath.join(self.dir, path))
        url = relative_url(page_url(docs_path, self.use_dir), self.base)
        return quote(url, safe="/.%~-_") + (f"#{quote(frag, safe='%')}" if frag else "")

    def cell(self, md: str) -> str:
        out = _LINK.sub(lambda m: f'<a href="{self.href(m[2])}">{m[1]}</a>', md.strip())
        return _STRONG.sub(r"<strong>\1</strong>", out)


def tables_as_html(markdown: str, page: str, use_directory_urls: bool) -> str:
    """Every ``| a | b |`` table of the generated ``markdown`` of ``page`` as a raw HTML table."""
    if "\n|" not in "\n" + markdown:
        return markdown
    linker = Linker(page, use_directory_urls)
    out: list[str] = []
    rows: list[str] = []
    for line in markdown.split("\n") + [""]:
        if line.startswith("|") and line.endswith("|"):
            rows.append(line)
            continue
        if rows:
            out += _table(rows, linker)
            rows = []
        out.append(line)
    return "\n".join(out[:-1])


def _cells(row: str) -> list[str]:
    return row[1:-1].split("|")  # cells never hold a bare "|" (mdtext writes it as an entity)


def _table(rows: list[str], linker: Linker) -> list[str]:
    if len(rows) < 2 or not set(rows[1]) <= set("|- :"):
        return rows  # not a table after all: leave the lines to Markdown
    head = "".join(f"<th>{linker.cell(c)}</th>" for c in _cells(rows[0]))
    body = ["<tr>" + "".join(f"<td>{linker.cell(c)}</td>" for c in _cells(r)) + "</tr>" for r in rows[2:]]
    return ["", "<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *body, "</tbody>", "</table>", ""]
