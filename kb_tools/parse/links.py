"""Link resolution, pure: a link target against the set of paths of the tree (a ``World``).

Runs in the parse workers; the per-corpus view lives in ``kb_tools.checks.linkgraph``.

Mirrors MkDocs 1.6 ``_RelativePathTreeprocessor``: relative to the linking page, URL-decoded,
``?query`` ignored, ``/abs`` left alone unless ``absolute_links: relative_to_docs``.
"""

from __future__ import annotations

import hashlib
import marshal
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from kb_tools.model import Link

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
SHADOWED = "shadowed"  # a README.md hidden by the folder's index.md (MkDocs uses index.md)
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


@dataclass(frozen=True)
class World:
    """Every path of the docs tree: all that link resolution depends on (besides the link)."""

    pages: frozenset[str]
    files: frozenset[str]
    excluded: frozenset[str]
    dirs: frozenset[str]
    relative_to_docs: bool
    key: str
    shadowed: frozenset[str] = frozenset()

    @classmethod
    def build(cls, pages: Iterable[str], files: Iterable[str], excluded: Iterable[str], relative_to_docs: bool,
              shadowed: Iterable[str] = ()) -> World:
        pages, files, excluded, hidden = frozenset(pages), frozenset(files), frozenset(excluded), frozenset(shadowed)
        dirs: set[str] = set()
        for p in (*pages, *files, *excluded):
            d = p.rpartition("/")[0]
            while d and d not in dirs:
                dirs.add(d)
                d = d.rpartition("/")[0]
        h = hashlib.blake2b(digest_size=12)
        for group in (pages, files, excluded, hidden):
            h.update("\n".join(sorted(group)).encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        h.update(b"1" if relative_to_docs else b"0")
        return cls(pages, files, excluded, frozenset(dirs), relative_to_docs, h.hexdigest(), hidden)


# One resolved link that needs a look at check time (a problem, or an anchor to verify), kept
# self-contained so checks need not decode the page's links:
# (outcome, path, url_path, anchor, target, line, column, kind)
Entry = tuple[str, str, str, str, str, int, int, str]


def resolve_target(world: World, src: str, src_dir: str, target: str) -> tuple[str, str, str, str]:
    """(outcome, resolved path, URL-decoded path, fragment) of one link target."""
    target = target.strip()
    sp = split_target(target)
    if sp is None:
        return INVALID, "", "", ""
    ext, path, anchor = sp
    if ext:
        return EXTERNAL, "", path, anchor
    if not path:
        return (SELF, src, "", anchor) if anchor else (EXTERNAL, "", "", "")
    upath = unquote(path) if "%" in path else path
    absolute = target.startswith(("/", "\\"))
    if absolute:
        if not world.relative_to_docs:
            return ABSOLUTE, posixpath.normpath(upath.lstrip("/\\")), upath, anchor
        if not upath.strip("/\\"):
            return MISSING, "", upath, anchor  # MkDocs: '/' names no file, even relative to docs
        src_dir = ""
    resolved = join_norm(src_dir, upath.lstrip("/"))
    if resolved == "" and not upath.endswith("/"):
        resolved = src
    if resolved == ".." or resolved.startswith("../"):
        return OUTSIDE, resolved, upath, anchor
    if resolved in world.pages:
        return PAGE, resolved, upath, anchor
    if resolved in world.files:
        return FILE, resolved, upath, anchor
    if resolved in world.shadowed:
        return SHADOWED, resolved, upath, anchor
    if resolved in world.excluded:
        return EXCLUDED, resolved, upath, anchor
    last = upath.rstrip("/").rpartition("/")[2]
    if (upath.endswith("/") or "." not in last) and (resolved in world.dirs or resolved == ""):
        return DIRECTORY, resolved, upath, anchor
    return MISSING, resolved, upath, anchor


def page_url(path: str, use_directory_urls: bool = True) -> str:
    """MkDocs' URL of a docs file from the site root, as ``File.url`` computes it (``a/b.md`` →
    ``a/b/`` or ``a/b.html``; ``a/index.md``, ``a/README.md`` → ``a/`` or ``a/index.html``); a
    file that is not a page keeps its path. The one copy: site search, generated tables, kb stage."""
    stem, dot, ext = path.rpartition(".")
    if not dot or ext.lower() not in ("md", "markdown"):
        return path
    folder, _, name = stem.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if name in ("index", "README"):
        return prefix if use_directory_urls else f"{prefix}index.html"
    return f"{prefix}{name}/" if use_directory_urls else f"{prefix}{name}.html"


def _plain(target: str) -> bool:
    """A relative path with nothing to decode or normalise (no scheme, ``%``, fragment, query,
    template, backslash, ``.`` segment, leading or trailing ``/`` or ``.``, surrounding space):
    ``resolve_target`` joins it to the page's folder as it is."""
    # (``in`` tests, not a regex search: with its anchors the regex tries every position; the
    # pattern it is held to is in tests/test_scan.py)
    return (bool(target) and target[0] not in "/." and target[-1] not in "/." and ":" not in target
            and "%" not in target and "#" not in target and "?" not in target and "{" not in target
            and "\\" not in target and "./" not in target and "//" not in target and len(target.strip()) == len(target))


def _plain_up(target: str, src_parts: list[str]) -> tuple[str, str, str] | None:
    """(joined path, path as written, fragment) of a target whose path is ``../`` steps that stay
    inside the docs folder followed by a ``_plain`` path, with an optional ``#fragment``; None
    for any other target (then ``resolve_target`` decides)."""
    if len(target.strip()) != len(target):
        return None
    head, _sep, anchor = target.partition("#")
    rest = head
    ups = 0
    while rest.startswith("../"):
        rest = rest[3:]
        ups += 1
    if ups > len(src_parts) or not _plain(rest):
        return None
    base = "/".join(src_parts[: len(src_parts) - ups])
    return (f"{base}/{rest}" if base else rest), head, anchor


_MEMO: dict[str, dict[tuple[str, str], tuple[str, str, str, str]]] = {}  # world key -> (folder, target) -> result


def _memo(world: World) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    """Resolutions of this process for one world: pages of one folder often link to the same
    targets (a third of a generated corpus' links), and a result depends on the folder alone
    unless it names the linking page itself (``SELF``, or ``.`` from a root page)."""
    memo = _MEMO.get(world.key)
    if memo is None or len(memo) > 200_000:
        _MEMO.clear()
        memo = _MEMO[world.key] = {}
    return memo


def resolve_page(world: World, src: str, links: Iterable[Link]) -> tuple[str, str, list[Entry], list[str]]:
    """(world key, src, entries to check, linked page paths) for one page's links.

    Runs in the parse workers and is cached with the page: valid while the set of paths in
    the tree (the world key) and the page's own path are unchanged.
    """
    src_dir = src.rpartition("/")[0]
    src_parts = src_dir.split("/") if src_dir else []
    memo = _memo(world)
    entries: list[Entry] = []
    linked: set[str] = set()
    pages = world.pages
    for lk in links:
        t = lk.target
        key = (src_dir, t)
        got = memo.get(key)
        if got is None:
            # the common shapes (``p.md``, ``../x/p.md``, ``p.md#id``) naming a page: what
            # resolve_target gives, without its steps
            plain = _plain_up(t, src_parts)
            if plain is not None and plain[0] in pages:
                got = (PAGE, *plain)
            else:
                got = resolve_target(world, src, src_dir, t)
            if got[1] != src and got[0] != SELF:  # then src played no part: the folder and target decide
                memo[key] = got
        outcome, path, upath, anchor = got
        if outcome == PAGE:
            if path != src:
                linked.add(path)
            if not anchor:
                continue
        elif outcome in (EXTERNAL, FILE):
            continue
        elif outcome == DIRECTORY:
            linked.add(path)
        kind = lk.kind  # a str (LinkKind's value); getattr of a missing attribute raises inside, which costs
        entries.append((outcome, path, upath, anchor, lk.target, lk.line, lk.column,
                        kind if type(kind) is str else str(getattr(kind, "value", kind))))
    return world.key, src, entries, sorted(linked)


def pack_resolution(res: tuple[str, str, list[Entry], list[str]]) -> tuple[str, str, bytes]:
    """The cached form: entries and linked paths in one marshal blob (fast to load)."""
    return res[0], res[1], marshal.dumps((res[2], res[3]))
