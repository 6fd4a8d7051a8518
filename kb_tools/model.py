"""The document model: what one parse of a Markdown file yields.

Nothing here imports from the rest of kb_tools. Line numbers are 1-based and count lines of
the *file* (front matter included); columns are 1-based character offsets.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class LinkKind(str, enum.Enum):
    LINK = "link"  # [text](target) or a reference definition
    IMAGE = "image"  # ![alt](src)
    HTML = "html"  # <a href>, <img src> in raw HTML
    AUTOLINK = "autolink"  # <https://...>


@dataclass(slots=True)
class Heading:
    level: int
    text: str  # plain text as the site's toc sees it
    id: str  # the id the site gives it (slugify + _N de-duplication, or {#explicit})
    line: int


@dataclass(slots=True)
class Link:
    target: str  # raw href as written
    line: int
    column: int
    kind: LinkKind
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
