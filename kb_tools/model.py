"""The document model: what one parse of a Markdown file yields.

Nothing here imports from the rest of kb_tools. Line numbers are 1-based and count lines of
the *file* (front matter included); columns are 1-based character offsets.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class LinkKind(str, enum.Enum):
    LINK = "link"  # [text](target) or a reference definition
    IMAGE = "image"  # ![alt](src)
    HTML = "html"  # <a href>, <img src> in raw HTML
    AUTOLINK = "autolink"  # <https://...>




class Heading(NamedTuple):
    level: int
    text: str  # plain text as the site's toc sees it
    id: str  # the id the site gives it (slugify + _N de-duplication, or {#explicit})
    line: int


class Link(NamedTuple):
    """A link as written. NamedTuples: 10,000 pages hold ~200,000 of them, loaded from cache."""

    target: str  # raw href as written
    line: int
    column: int
    kind: str  # a LinkKind value (LinkKind is a str enum, so LinkKind.IMAGE == "image")
    text: str = ""  # link text or image alt text


@dataclass(slots=True)
class ParseIssue:
    """A problem found while parsing one file; turned into a Finding by the checks."""

    rule: str
    line: int
    column: int
    message: str
    hint: str | None = None
    target: str | None = None


@dataclass(slots=True)
class Page:
    path: str  # relative to docs_dir, POSIX
    hash: str  # content hash of the raw bytes
    size: int
    meta: dict[str, Any] = field(default_factory=dict)  # raw YAML mapping ({} if none / broken)
    meta_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> file line
    has_front_matter: bool = False
    front_matter_end: int = 0  # file line of the closing delimiter (0 when none)
    body_offset: int = 0  # file line of the first body line, minus 1
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)  # every id a link may point at
    issues: list[ParseIssue] = field(default_factory=list)
    text_ok: bool = True  # False when the bytes could not be decoded
    extra: dict[str, Any] = field(default_factory=dict)  # results of page analyzers (see corpus.py)

    def to_state(self) -> tuple[Any, ...]:
        """Plain tuples for the on-disk cache: unpickling these is ~5x faster than dataclasses."""
        return (
            self.path, self.hash, self.size, self.meta, self.meta_lines, self.has_front_matter,
            self.front_matter_end, self.body_offset,
            [tuple(h) for h in self.headings],
            [(lk.target, lk.line, lk.column, str(getattr(lk.kind, "value", lk.kind)), lk.text) for lk in self.links],
            list(self.anchors),
            [(i.rule, i.line, i.column, i.message, i.hint, i.target) for i in self.issues],
            self.text_ok, self.extra,
        )

    @classmethod
    def from_state(cls, st: tuple[Any, ...]) -> Page:
        return cls(
            st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7],
            list(map(_mk_heading, st[8])),
            list(map(_mk_link, st[9])),
            set(st[10]),
            [ParseIssue(*i) for i in st[11]],
            st[12], st[13],
        )

    @property
    def title(self) -> str:
        """The title the site shows: front matter title, else the first H1, else the file name."""
        t = self.meta.get("title")
        if isinstance(t, str) and t.strip():
            return t.strip()
        for h in self.headings:
            if h.level == 1:
                return h.text
        stem = self.path.rsplit("/", 1)[-1]
        return stem[:-3] if stem.endswith(".md") else stem

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""


_mk_link = Link._make
_mk_heading = Heading._make
