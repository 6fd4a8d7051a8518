"""The findings cache: each page's findings keyed by what they depend on.

A page's record is reused when all of these are unchanged:

* the run key: kb's version and source files, the rule set, the configuration (mkdocs.yml as
  loaded, severities, options), the registries (every file of ``docs/_data``), the message
  language, the world key (every path of the tree), the generated pages;
* the page's content hash;
* for every page whose anchors it checked (``emit.uses_anchors``), that page's anchor hash;
* for ``dated`` passes (review), the day.

Whole-site passes get each page's cached summary and run again when a page was re-derived or
the day changed. The records are one marshal blob (``findings.marshal``) plus a delta file of
the pages re-derived since (``findings.delta.marshal``), each replaced atomically.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_tools.findings import Finding, Severity
from kb_tools.replay import source_fingerprint
from kb_tools._io import atomic_write

if TYPE_CHECKING:
    from kb_tools.checks.registry import RuleContext
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

log = logging.getLogger(__name__)
FORMAT = 5
_SEV = {int(s): s for s in Severity}

# (hash, anchors_hash, deps, findings, day, dated_findings, summaries (plain data), ignores)
Record = tuple[str, str, tuple[tuple[str, str], ...], tuple[Any, ...], str, tuple[Any, ...], tuple[Any, ...], tuple[str, ...]]


def make_record(page_hash: str, anchors: str, deps: tuple[tuple[str, str], ...], findings: Any, day: str,
                dated: Any, summaries: Any, ignores: Any) -> Record:
    """A page's record (``Record``): made by ``PageRunner._derive``, or by the page job as a parse
    worker's result arrives (``checks/early.py``), from the same rows."""
    return (page_hash, anchors, deps, tuple(findings), day, tuple(dated), tuple(summaries), tuple(ignores))


def anchors_hash(page: Page) -> str:
    return sorted_anchors_hash(sorted(page.anchors))


def sorted_anchors_hash(anchors: list[str] | tuple[str, ...]) -> str:
    """``anchors_hash`` of a page whose anchors are given sorted."""
    return hashlib.blake2b("\n".join(anchors).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def pack(findings: list[Finding]) -> tuple[Any, ...]:
    return tuple((f.path, f.line, f.column, f.rule, f.code, int(f.severity), f.message, f.hint, f.target) for f in findings)


def unpack(rows: tuple[Any, ...]) -> list[Finding]:
    return [Finding(r[0], r[1], r[2], r[3], r[4], _SEV[r[5]], r[6], r[7], r[8]) for r in rows]


def data_fingerprint(data_dir: Path) -> str:
    h = hashlib.blake2b(digest_size=12)
    if data_dir.is_dir():
        for dirpath, dirnames, filenames in os.walk(data_dir):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                try:
                    with open(p, "rb") as f:
                        h.update(f"{p}\0".encode("utf-8", "surrogateescape") + f.read() + b"\0")
                except OSError:
                    h.update(f"{p}\0unreadable\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def run_key(corpus: Corpus, ctx: RuleContext, world_key: str, parse_key: str) -> str:
    """Everything besides the page itself that a page pass may read (see the module docstring)."""
    from kb_tools.checks.registry import page_passes, registered, site_passes
    from kb_tools.i18n import current_language

    cfg = corpus.config
    parts: list[Any] = [
        FORMAT, source_fingerprint(), parse_key, world_key, sorted(corpus.generated), sorted(corpus.shadowed),
        current_language(), corpus.kb_metadata, data_fingerprint(cfg.data_path),
        str(cfg.docs_dir), str(cfg.config_file), cfg.nav, cfg.exclude_docs, cfg.not_in_nav, cfg.use_directory_urls,
        cfg.slug_separator, cfg.slugify_configured, cfg.attr_list, cfg.absolute_links, cfg.kb.model_dump(mode="json"),
        cfg.kb_plugin, cfg.theme_name, cfg.theme_language, cfg.site_name, cfg.magiclink, str(cfg.site_dir),
        sorted((k, None if v is None else int(v)) for k, v in ctx.severities.items()),
        sorted((k, v) for k, v in ctx.options.items() if isinstance(v, (str, int, float, bool, type(None)))),
        sorted(registered()), [n for n, _f, _d in page_passes()], [n for n, _s, _f in site_passes()],
    ]
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass
class FindingsCache:
    """The records in ``findings.marshal`` plus the pages re-derived since, in a small delta file
    (``findings.delta.marshal``, naming the main file it extends): saving after one edit writes
    the delta, not 10,000 records; past a tenth of the pages (at least DELTA_MIN) the main file
    is rewritten with every record (compacted) and the delta emptied."""

    path: Path | None
    key: str
    records: dict[str, Record]
    fresh: dict[str, Record]
    site: tuple[Any, ...] | None = None  # findings of the site passes when the records were saved
    base: str = ""  # the main file's id (a delta extends only the main file it names)
    delta: dict[str, Record] = field(default_factory=dict)  # the records the delta file holds

    DELTA_MIN = 200

    @property
    def delta_path(self) -> Path | None:
        return self.path.with_name("findings.delta.marshal") if self.path else None

    @classmethod
    def open(cls, cache_dir: Path | None, key: str) -> FindingsCache:
        path = cache_dir / "findings.marshal" if cache_dir else None
        store = cls(path, key, {}, {})
        if path is None or not path.is_file():
            return store
        try:
            data = marshal.loads(path.read_bytes())
            if isinstance(data, tuple) and len(data) == 5 and data[0] == FORMAT and data[1] == key:
                store.records, store.site, store.base = data[2], data[3], data[4]
        except Exception as exc:  # noqa: BLE001 - a corrupt cache is rebuilt, never fatal
            log.warning("findings cache %s unreadable (%s); rebuilding", path, exc)
            return store
        try:
            data = marshal.loads(store.delta_path.read_bytes()) if store.delta_path.is_file() else None  # type: ignore[union-attr]
            if isinstance(data, tuple) and len(data) == 5 and data[0] == FORMAT and data[1] == key \
                    and data[2] == store.base and store.base and isinstance(data[3], dict):
                store.delta = data[3]
                store.records.update(data[3])
                store.site = data[4]
        except Exception as exc:  # noqa: BLE001 - the main file alone is still consistent
            log.warning("findings cache %s unreadable (%s); its pages are checked again", store.delta_path, exc)
        return store

    def valid(self, corpus: Corpus, path: str, anchor_hash: Any) -> Record | None:
        """The page's record if its hash and every dependency are unchanged."""
        rec = self.records.get(path)
        if rec is None or rec[0] != corpus.pages.hash_of(path):
            return None
        for dep, h in rec[2]:
            if dep not in corpus.pages or anchor_hash(dep) != h:
                return None
        return rec

    def current(self, corpus: Corpus, path: str) -> Record | None:
        """The stored record when it belongs to the page's current content (no dependency check)."""
        rec = self.fresh.get(path) or self.records.get(path)
        return rec if rec is not None and rec[0] == corpus.pages.hash_of(path) else None

    def save(self, live: set[str], site: tuple[Any, ...] | None) -> None:
        if self.path is None or self.delta_path is None:
            return
        if not self.fresh and set(self.records) == live and site == self.site:
            return
        delta = {k: v for k, v in self.delta.items() if k in live}
        delta.update(self.fresh)
        try:
            if self.base and set(self.records) == live and len(delta) <= max(self.DELTA_MIN, len(live) // 10):
                atomic_write(self.delta_path, marshal.dumps((FORMAT, self.key, self.base, delta, site)))
                return
            records = {k: v for k, v in self.records.items() if k in live}
            records.update(self.fresh)
            base = os.urandom(8).hex()
            atomic_write(self.path, marshal.dumps((FORMAT, self.key, records, site, base)))  # first: the old
            atomic_write(self.delta_path, marshal.dumps((FORMAT, self.key, base, {}, site)))  # delta names the old id
        except (OSError, ValueError) as exc:
            log.warning("cannot write findings cache %s: %s", self.path, exc)
