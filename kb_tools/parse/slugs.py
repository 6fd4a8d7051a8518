"""Heading ids computed exactly as the site computes them.

The site renders with Python-Markdown's ``toc`` extension: the id is ``slugify(text, sep)``
of the heading's rendered text with tags stripped, made unique with ``_1``, ``_2``… in document
order (ids written explicitly with attr_list count as taken first). We call the very slugify
callable configured in ``mkdocs.yml`` and mirror the rest; a differential test against
Python-Markdown keeps the two in step.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, MutableSet
from typing import Any

Slugify = Callable[[str, str], str]


def _default_slugify(value: str, separator: str) -> str:
    """Python-Markdown's ``toc.slugify``, the site's when mkdocs.yml names none. Imported on first
    call: Python-Markdown costs ~45 ms to import, and a re-check whose site names its own slugify
    (pymdownx's) never needs it."""
    global _toc_slugify
    if _toc_slugify is None:
        from markdown.extensions.toc import slugify as _toc_slugify
    return _toc_slugify(value, separator)


_toc_slugify: Slugify | None = None
DEFAULT_SLUGIFY: Slugify = _default_slugify

_CODE_RE = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)")
_IMAGE_RE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\((?:[^()]|\([^()]*\))*\)")
_IMAGE_REF_RE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\[[^\]]*\]")
_LINK_RE = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK_REF_RE = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\[[^\]]*\]")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^>\s]*)>")
# "*" emphasis may sit inside a word; "_" may not (Python-Markdown's smart emphasis), which
# matters in Japanese: "と_強調_と" keeps its underscores.
_STRONG_EM_RE = re.compile(r"(\*{1,3}|~~|==|\^\^)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\3(?!\w)")
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*?>|<[A-Za-z][^<>]*?/>")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!:|<>~=^\"'])")
_KEYS_RE = re.compile(r"\+\+([\w+-]+)\+\+")
_WS_RE = re.compile(r"\s+")
_SPECIAL_RE = re.compile(r"[`*_\[\]<>\\&~=^!+]")


def heading_text(md: str) -> str:
    """Plain text of a heading's inline Markdown, as ``toc`` sees it before slugifying.

    Code spans keep their content verbatim, links keep their text, images vanish (their alt
    text sits in an attribute that ``strip_tags`` removes), emphasis markers go, raw tags go,
    backslash escapes and entities resolve.
    """
    if not _SPECIAL_RE.search(md):
        return " ".join(md.split())
    stash: list[str] = []

    def _keep(text: str) -> str:
        stash.append(text)
        return f"\x00{len(stash) - 1}\x00"

    s = _CODE_RE.sub(lambda m: _keep(html.escape(m.group(2).strip(), quote=False)), md)
    s = _HTML_COMMENT_RE.sub("", s)
    s = _IMAGE_RE.sub("", s)
    s = _IMAGE_REF_RE.sub("", s)
    prev = None
    while prev != s:  # nested links / emphasis
        prev = s
        s = _LINK_RE.sub(lambda m: m.group(1), s)
        s = _LINK_REF_RE.sub(lambda m: m.group(1), s)
        s = _STRONG_EM_RE.sub(lambda m: m.group(2) if m.group(1) else m.group(4), s)
    s = _AUTOLINK_RE.sub(lambda m: m.group(1), s)
    s = _TAG_RE.sub("", s)
    s = _ESCAPE_RE.sub(lambda m: _keep(html.escape(m.group(1), quote=False)), s)
    s = re.sub(r"\x00(\d+)\x00", lambda m: stash[int(m.group(1))], s)
    s = _WS_RE.sub(" ", s).strip()
    return html.unescape(s)


_IDCOUNT_RE = re.compile(r"^(.*)_([0-9]+)$")


def unique(base: str, used: MutableSet[str], counters: dict[str, int] | None = None) -> str:
    """What Python-Markdown's ``toc.unique`` gives (``x``, ``x_1``, ``x_2``…; an id already ending
    in ``_n`` counts on from n), held equal to it by a differential test, and here so that
    computing ids imports no Python-Markdown. ``counters`` (one dict per page) remembers per stem
    the n for which ``stem_1``…``stem_n`` are all taken, so a heading repeated k times costs k
    probes in all, not k²/2; it never changes an id."""
    if base and base not in used:
        used.add(base)
        return base
    m = _IDCOUNT_RE.match(base)
    stem, n = (m.group(1), int(m.group(2))) if m else (base, 0)
    contiguous = False
    if counters is not None:
        run = counters.get(stem, 0)
        contiguous = n <= run or base == f"{stem}_{run + 1}"  # every suffix up to the one found is taken
        n = max(n, run) if contiguous else n
    n += 1
    while f"{stem}_{n}" in used:
        n += 1
    if contiguous:
        counters[stem] = n  # type: ignore[index]
    found = f"{stem}_{n}"
    used.add(found)
    return found


def assign_ids(
    headings: Iterable[tuple[str, str | None]], slugify: Slugify, separator: str = "-",
    reserved: Iterable[str] = (),
) -> list[str]:
    """Ids for ``(plain_text, explicit_id)`` pairs in document order.

    ``reserved`` are ids written explicitly anywhere in the page: ``toc`` collects them before
    it numbers headings, so a heading whose slug equals one of them gets ``_1``.
    """
    items = list(headings)
    used: set[str] = set(reserved)
    used.update(e for _, e in items if e)
    counters: dict[str, int] = {}
    out: list[str] = []
    memo = _slug_memo(slugify, separator)
    for text, explicit in items:
        if explicit:
            out.append(explicit)
            continue
        slug = memo.get(text) if memo is not None else None
        if slug is None:
            slug = slugify(text, separator)
            if memo is not None and isinstance(slug, str):
                memo[text] = slug
        out.append(unique(slug, used, counters))
    return out


_SLUGS: dict[tuple[Any, str], dict[str, str]] = {}  # (slugify, separator) -> heading text -> slug


def _slug_memo(slugify: Slugify, separator: str) -> dict[str, str] | None:
    """This process' slugs of one slugify callable: pages repeat their headings (手順, 概要…), and a
    slugify is a function of the text (the parse cache keys pages on its identity already).
    None for a callable that cannot be a dict key."""
    try:
        memo = _SLUGS.get((slugify, separator))
    except TypeError:
        return None
    if memo is None or len(memo) > 50_000:
        if len(_SLUGS) > 8:
            _SLUGS.clear()
        memo = _SLUGS[(slugify, separator)] = {}
    return memo


def is_default_slugify(fn: Any) -> bool:
    """None, ours, or Python-Markdown's own ``toc.slugify`` named in mkdocs.yml."""
    return fn is None or fn is _default_slugify or (
        getattr(fn, "__module__", None) == "markdown.extensions.toc" and getattr(fn, "__name__", None) == "slugify")


def positional_id(anchor: str) -> bool:
    """True for ids like ``_2`` that the default slugify gives all-Japanese headings."""
    return bool(re.fullmatch(r"_\d+", anchor))
