"""The document model: what one parse of a Markdown file yields.

Nothing here imports from the rest of kb_tools. Line numbers are 1-based and count lines of
the *file* (front matter included); columns are 1-based character offsets.
"""

from __future__ import annotations

import enum
import marshal
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class LinkKind(str, enum.Enum):
    LINK = "link"  # [text](target) or a reference definition
    IMAGE = "image"  # ![alt](src)
    HTML = "html"  # <a href>, <img src> in raw HTML
    AUTOLINK = "autolink"  # <https://...>
    BARE = "bare"  # a bare URL in text that pymdownx.magiclink turns into a link (target = its href)




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
    """A problem found while parsing one file; turned into a Finding by the checks.

    ``message`` and ``hint`` are catalog msgids (English, marked ``N_``), ``message`` with
    ``{name}`` placeholders filled from ``args`` when the finding is shown in the reader's
    language: issues are cached with the page, so they must not hold translated text.
    """

    rule: str
    line: int
    column: int
    message: str
    hint: str | None = None
    target: str | None = None
    args: dict[str, Any] | None = None


class Page:
    """One parsed Markdown file.

    ``headings``, ``links`` and ``anchors`` are decoded lazily from the parse cache: commands
    that read only front matter (review, handover, ownership) never pay for 200,000 links.
    """

    __slots__ = ("path", "hash", "size", "meta", "meta_lines", "has_front_matter", "front_matter_end",
                 "body_offset", "issues", "text_ok", "extra", "_headings", "_links", "_anchors", "_blob")

    def __init__(
        self, path: str, hash: str, size: int, meta: dict[str, Any] | None = None,
        meta_lines: dict[str, int] | None = None, has_front_matter: bool = False, front_matter_end: int = 0,
        body_offset: int = 0, headings: list[Heading] | None = None, links: list[Link] | None = None,
        anchors: set[str] | None = None, issues: list[ParseIssue] | None = None, text_ok: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.path = path  # relative to docs_dir, POSIX
        self.hash = hash  # content hash of the raw bytes
        self.size = size
        self.meta: dict[str, Any] = meta if meta is not None else {}  # raw YAML mapping ({} if none / broken)
        self.meta_lines: dict[str, int] = meta_lines if meta_lines is not None else {}  # key -> file line
        self.has_front_matter = has_front_matter
        self.front_matter_end = front_matter_end  # file line of the closing delimiter (0 when none)
        self.body_offset = body_offset  # file line of the first body line, minus 1
        self.issues: list[ParseIssue] = issues if issues is not None else []
        self.text_ok = text_ok  # False when the bytes could not be decoded
        self.extra: dict[str, Any] = extra if extra is not None else {}  # page analyzers' results (corpus.py)
        self._headings = headings if headings is not None else []
        self._links = links if links is not None else []
        self._anchors = anchors if anchors is not None else set()
        self._blob: bytes | None = None

    def _decode(self) -> None:
        blob, self._blob = self._blob, None
        if blob is not None:
            hs, ls = marshal.loads(blob)
            self._headings = list(map(_mk_heading, hs))
            self._links = list(map(_mk_link, ls))

    @property
    def headings(self) -> list[Heading]:
        if self._blob is not None:
            self._decode()
        return self._headings

    @headings.setter
    def headings(self, value: list[Heading]) -> None:
        self._decode()
        self._headings = value

    @property
    def links(self) -> list[Link]:
        if self._blob is not None:
            self._decode()
        return self._links

    @links.setter
    def links(self, value: list[Link]) -> None:
        self._decode()
        self._links = value

    @property
    def anchors(self) -> set[str]:
        """Every id a link may point at: heading ids, attr_list ids, raw HTML id/name."""
        if not isinstance(self._anchors, set):  # kept as a list in the cache, a set on first use
            self._anchors = set(self._anchors)
        return self._anchors

    @anchors.setter
    def anchors(self, value: set[str]) -> None:
        self._anchors = value

    def __repr__(self) -> str:
        return f"Page({self.path!r}, hash={self.hash[:8]!r})"

    def to_state(self) -> tuple[Any, ...]:
        """Plain values for the on-disk cache; the structure goes in one marshal blob."""
        if self._blob is not None:
            blob = self._blob
        else:
            blob = marshal.dumps((
                [tuple(h) for h in self._headings],
                [(lk.target, lk.line, lk.column, lk.kind if type(lk.kind) is str else str(getattr(lk.kind, "value", lk.kind)),
                  lk.text) for lk in self._links],  # (a kind is a str: getattr's miss raises and catches per link)
            ))
        return (
            self.path, self.hash, self.size, self.meta, self.meta_lines, self.has_front_matter,
            self.front_matter_end, self.body_offset, (blob, sorted(self._anchors)),
            [(i.rule, i.line, i.column, i.message, i.hint, i.target, i.args) for i in self.issues],
            self.text_ok, self.extra,
        )

    @classmethod
    def from_state(cls, st: tuple[Any, ...]) -> Page:
        p = cls(st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7],
                issues=[ParseIssue(*i) for i in st[9]], text_ok=st[10], extra=st[11])
        p._blob, p._anchors = st[8]
        return p

    def copy(self, path: str | None = None) -> Page:
        q = Page.from_state(self.to_state())
        if path is not None:
            q.path = path
        return q

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
