"""A page as the search index sees it: plain text of the Markdown body and the index document
(path, title, headings, body, filters, compressed stored text). Shared by ``kb index``, the site
search (``sitedocs``) and the benchmarks."""

from __future__ import annotations

import re
import zlib
from typing import Any


_FENCE = re.compile(r"^\s*(`{3,}|~{3,}).*$", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S.*$", re.M)
_HTML = re.compile(r"<!--.*?-->|<[^>\n]{1,200}>", re.S)
_ATTR = re.compile(r"\{\s*[#.][^}\n]*\}")
_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+|!!!\s*\w*|\?\?\?\+?\s*\w*)", re.M)
_INLINE = re.compile(r"[*_`|]{1,3}")
_URL = re.compile(r"https?://\S+")


def plain_text(markdown: str) -> str:
    """Markdown body as plain text, cheaply (code blocks keep their text: staff search for
    commands and error messages)."""
    t = _FENCE.sub("", markdown)
    t = _REFDEF.sub("", t)
    t = _IMAGE.sub(r"\1", t)
    t = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", t)
    t = _HTML.sub(" ", t)
    t = _ATTR.sub("", t)
    t = _URL.sub(" ", t)
    t = _MARKS.sub("", t)
    t = _INLINE.sub(" ", t)
    return re.sub(r"[ \t]+", " ", t).strip()


def page_document(corpus: Any, page: Any, text: str | None = None) -> dict[str, Any]:
    if text is None:
        text = corpus.read_text(page)
    lines = text.split("\n")
    body = plain_text("\n".join(lines[page.body_offset:]))
    meta = page.meta if isinstance(page.meta, dict) else {}
    tags_raw = meta.get("tags") or []
    if isinstance(tags_raw, str):
        tags_raw = [tags_raw]
    tags = []
    for t in tags_raw if isinstance(tags_raw, list) else []:
        if isinstance(t, (str, int)):
            tid = corpus.registry.resolve_tag(str(t)) or str(t)
            if tid not in tags:
                tags.append(tid.replace(",", " "))
    headings = "\n".join(h.text for h in page.headings if h.level >= 2)
    labels = " ".join(corpus.registry.tag_label(t) if t in corpus.registry.tags else t for t in tags)
    desc = meta.get("description") if isinstance(meta.get("description"), str) else ""
    return {
        "path": page.path, "title": page.title, "headings": headings,
        "body": f"{page.title}\n{desc}\n{body}\n{labels}",
        "tags": ",".join(tags), "owner": str(meta.get("owner") or ""), "type": str(meta.get("type") or ""),
        "status": str(meta.get("status") or ""),
        "text": zlib.compress(f"{desc}\n{body}".encode("utf-8"), 6),
    }


def stored_text(fields: dict[str, Any]) -> str:
    raw = fields.get("text")
    try:
        return zlib.decompress(raw).decode("utf-8") if raw else ""
    except (zlib.error, TypeError):
        return ""
