"""What the index keeps of each page besides its document: content hash and title."""

from __future__ import annotations

from typing import Any


def page_hashes(corpus: Any) -> dict[str, str]:
    """Every page's content hash, without decoding the pages (a PageMap knows them)."""
    hash_of = getattr(corpus.pages, "hash_of", None)
    if hash_of is not None:
        return {p: hash_of(p) for p in corpus.pages}
    return {p: pg.hash for p, pg in corpus.pages.items()}


def page_titles(corpus: Any, hashes: dict[str, str], meta: dict[str, Any] | None) -> dict[str, str]:
    """Titles, kept from the index's metadata for pages whose bytes did not change (the title is
    a function of the page's bytes and path), so an update decodes only the changed pages."""
    old_hashes = (meta or {}).get("pages", {})
    old_titles = (meta or {}).get("titles", {})
    return {p: old_titles[p] if p in old_titles and old_hashes.get(p) == h else corpus.pages[p].title
            for p, h in hashes.items()}
