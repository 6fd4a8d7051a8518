"""Link resolution, done once per corpus and shared by every check that follows links.

Mirrors MkDocs 1.6 ``_RelativePathTreeprocessor``: relative to the linking page, URL-decoded,
``?query`` ignored, ``/abs`` left alone unless ``absolute_links: relative_to_docs``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .model import Link, Page

if TYPE_CHECKING:
    from .corpus import Corpus

# outcome kinds
EXTERNAL = "external"
ABSOLUTE = "absolute"  # left as is by MkDocs (reported per validation.links.absolute_links)
SELF = "self"  # fragment-only link to the same page
PAGE = "page"
FILE = "file"
GENERATED = "generated"
EXCLUDED = "excluded"
OUTSIDE = "outside"
DIRECTORY = "directory"  # a folder (with or without index page)
MISSING = "missing"
INVALID = "invalid"


@dataclass(slots=True)
class Resolved:
    link: Link
    outcome: str
    path: str  # docs-relative resolved path ("" for external/self)
    url_path: str  # the path part, URL-decoded, as written
    anchor: str  # fragment as written (not decoded)


def split_target(target: str) -> tuple[str, str, str] | None:
    """(scheme_or_netloc_flag, path, fragment); None when the URL cannot be parsed.

    A fast path for the common case (no ``:``): most links are plain relative paths and
    ``urlsplit`` is the hottest call of a 10,000-page check otherwise.
    """
    if target.startswith(("https://", "http://", "mailto:")) or "{{" in target or "{%" in target:
        return "x", "", ""  # external, or a template placeholder (mkdocs-macros) resolved at build time
    if ":" not in target and not target.startswith("//"):
        path, _, frag = target.partition("#")
        path = path.partition("?")[0]
        return "", path, frag
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    return ("x" if (parts.scheme or parts.netloc) else ""), parts.path, parts.fragment


def join_norm(base: str, rel: str) -> str:
    """``posixpath.normpath(posixpath.join(base, rel))`` for relative paths; "" for the root.

    Leading ``..`` that climb above the root are kept (``../x``), as normpath keeps them. The
    common shapes (``x.md``, ``../../a/b.md``) take a fast path without a per-segment loop.
    """
    ups = 0
    while rel.startswith("../"):
        rel = rel[3:]
        ups += 1
    if rel and rel[0] != "/" and "./" not in rel and "//" not in rel and rel not in ("..", ".") \
            and not rel.endswith(("/..", "/.")):
        if ups == 0:
            return f"{base}/{rel}".rstrip("/") if base else rel.rstrip("/")
        parts = base.split("/") if base else []
        if ups <= len(parts):
            head = "/".join(parts[: len(parts) - ups])
            return f"{head}/{rel}".rstrip("/") if head else rel.rstrip("/")
    rel = "../" * ups + rel
    parts = base.split("/") if base else []
    for seg in rel.split("/"):
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append("..")
        elif seg and seg != ".":
            parts.append(seg)
    return "/".join(parts)


class Resolver:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.relative_to_docs = corpus.config.absolute_links == "relative_to_docs"
        dirs: set[str] = set()
        for p in [*corpus.pages, *corpus.files, *corpus.excluded_pages, *corpus.excluded_files]:
            d = posixpath.dirname(p)
            while d and d not in dirs:
                dirs.add(d)
                d = posixpath.dirname(d)
        self.dirs = dirs

    def resolve(self, src: str, link: Link, src_dir: str | None = None) -> Resolved:
        target = link.target.strip()
        sp = split_target(target)
        if sp is None:
            return Resolved(link, INVALID, "", "", "")
        ext, path, anchor = sp
        if ext:
            return Resolved(link, EXTERNAL, "", path, anchor)
        if not path:
            return Resolved(link, SELF if anchor else EXTERNAL, src if anchor else "", "", anchor)
        upath = unquote(path) if "%" in path else path
        absolute = target.startswith(("/", "\\"))
        if absolute and not self.relative_to_docs:
            return Resolved(link, ABSOLUTE, posixpath.normpath(upath.lstrip("/\\")), upath, anchor)
        if absolute:
            src_dir = ""
        elif src_dir is None:
            src_dir = src.rpartition("/")[0]
        resolved = join_norm(src_dir, upath.lstrip("/"))
        c = self.corpus
        if resolved == "" and not upath.endswith("/"):
            resolved = src
        if resolved == ".." or resolved.startswith("../"):
            return Resolved(link, OUTSIDE, resolved, upath, anchor)
        if resolved in c.pages:
            return Resolved(link, PAGE, resolved, upath, anchor)
        if resolved in c.files:
            return Resolved(link, FILE, resolved, upath, anchor)
        if resolved in c.generated:
            return Resolved(link, GENERATED, resolved, upath, anchor)
        if resolved in c.excluded_pages or resolved in c.excluded_files:
            return Resolved(link, EXCLUDED, resolved, upath, anchor)
        last = upath.rstrip("/").rpartition("/")[2]
        if (upath.endswith("/") or "." not in last) and (resolved in self.dirs or resolved == ""):
            return Resolved(link, DIRECTORY, resolved, upath, anchor)
        return Resolved(link, MISSING, resolved, upath, anchor)

    def index_of(self, folder: str) -> str | None:
        for name in ("index.md", "README.md"):
            cand = f"{folder}/{name}" if folder else name
            if cand in self.corpus.pages or cand in self.corpus.generated:
                return cand
        return None


def resolved_links(corpus: Corpus) -> dict[str, list[Resolved]]:
    """Every link of every included page, resolved; computed once and kept on the corpus."""
    cached = corpus.memo.get("_resolved")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    r = Resolver(corpus)
    out = {}
    for src, page in corpus.pages.items():
        src_dir = src.rpartition("/")[0]
        out[src] = [r.resolve(src, lk, src_dir) for lk in page.links]
    corpus.memo["_resolved"] = out
    corpus.memo["_resolver"] = r
    return out


def resolver(corpus: Corpus) -> Resolver:
    resolved_links(corpus)
    return corpus.memo["_resolver"]  # type: ignore[return-value]


def iter_page_links(corpus: Corpus, page: Page) -> Iterator[Resolved]:
    yield from resolved_links(corpus).get(page.path, [])
