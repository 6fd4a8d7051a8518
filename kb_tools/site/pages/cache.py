"""Generated pages cached by their inputs (``.kb/cache/generated.marshal``).

The pages under ``kb/`` are rendered in parts (review dashboard, ownership map, tag index, the
ledger's pages); each part declares what it reads:

- ``facet(page)``: what it reads of each page (the tag index: title, tags, status; the review
  dashboard: title, front matter and the page's 要確認 items; ...);
- ``data``: which ``_data`` files (by bytes) and, for the ownership map, which ledger fields;
- ``dated`` / ``git``: whether the day and the git facts (HEAD) matter.

Every part also depends on what every page depends on: kb's version and sources (an upgrade or
an edited generator re-renders), the site's language, mkdocs.yml's bytes, the plugin options
and the set of page paths. A part is re-rendered when its key changes and replayed otherwise.
Before any facet is computed, one key over all inputs at once (page content hashes instead of
facets, read without decoding a page where the corpus can) replays every part: a rebuild with
nothing changed reads no page for them. A facet is a function of the page's bytes (given the
common inputs), so each page's facet digests are stored with its content hash and computed again
only for the pages that changed: a one-page edit reads one page here.

A stale generated page is a defect: a part must read nothing of a page that its facet does not
name. ``tests/test_site_pages_cache.py`` edits each kind of input and compares with an uncached
render (and asserts which parts were re-rendered).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import marshal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb_tools import i18n
from kb_tools.corpus import Corpus
from kb_tools.datadir import ROSTER_FILE, TAXONOMY_FILE
from kb_tools.ledger import LEDGER_FILE
from kb_tools.i18n import _
from kb_tools.search.pageinfo import page_hashes
from kb_tools.model import Page
from kb_tools._io import atomic_write
from kb_tools.replay import source_fingerprint  # the one fingerprint of kb's sources (the checks' key too)

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the stored layout changes
CACHE_FILE = "generated.marshal"
REGISTRY_FILES = (ROSTER_FILE, TAXONOMY_FILE)
LEDGER_FILES = (LEDGER_FILE,)

Render = Callable[[Corpus, _dt.date, Any], dict[str, str]]


@dataclass(frozen=True)
class Part:
    """One group of generated pages and the inputs it reads."""

    name: str
    render: Render  # (corpus, today, git facts) -> {docs path: Markdown}
    facet: Callable[[Page], Any]  # what it reads of each page
    data: tuple[str, ...] = ()  # _data files it reads
    ledger: Callable[[Any], Any] | None = None  # what it reads of the ledger, when not all of systems.yml
    dated: bool = False
    git: bool = False


def _digest(parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return ""


class Inputs:
    """The inputs of one build, each computed at most once."""

    def __init__(self, corpus: Corpus, today: _dt.date, git: Any) -> None:
        self.corpus, self.today, self.git = corpus, today, git
        self._data: dict[str, str] = {}
        cfg = corpus.config
        self.common = _digest([FORMAT, source_fingerprint(), i18n.current_language(), _file_digest(cfg.config_file),
                               str(cfg.docs_dir), cfg.kb.model_dump(mode="json"),
                               repr(cfg.raw.get("extra")),  # !ENV values
                               cfg.use_directory_urls,  # the effective value (the ledger's tables link with it)
                               sorted(corpus.pages)])
        self.hashes = dict(sorted(page_hashes(corpus).items()))
        self.facets: dict[str, tuple[str, dict[str, str]]] = {}

    def data(self, name: str) -> str:
        if name not in self._data:
            self._data[name] = _file_digest(self.corpus.config.data_path / name)
        return self._data[name]

    def git_key(self) -> Any:
        g = self.git
        return (getattr(g, "available", False), getattr(g, "note", ""), getattr(g, "head", ""), getattr(g, "commits", 0))

    def whole(self, parts: list[Part]) -> str:
        """One key over every input (page content hashes, not facets): nothing changed, nothing read."""
        files = sorted({n for part in parts for n in part.data} | set(LEDGER_FILES))
        return _digest([self.common, list(self.hashes.values()), [self.data(n) for n in files], self.today.isoformat(),
                        self.git_key(), [p.name for p in parts]])

    def compute_facets(self, parts: list[Part], stored: Any) -> None:
        """Each page's facet digests per part. A facet is a function of the page's bytes (and of
        the common inputs): a page whose hash is unchanged keeps its stored digests undecoded."""
        names = sorted(p.name for p in parts)
        old = stored.get("pages", {}) if isinstance(stored, dict) and stored.get("common") == self.common else {}
        pages = self.corpus.pages
        for path, h in self.hashes.items():
            ent = old.get(path)
            if isinstance(ent, tuple) and len(ent) == 2 and ent[0] == h and sorted(ent[1]) == names:
                self.facets[path] = ent
            else:
                page = pages[path]
                self.facets[path] = (h, {part.name: _digest(part.facet(page)) for part in parts})

    def stored_facets(self) -> dict[str, Any]:
        return {"common": self.common, "pages": self.facets}

    def key(self, part: Part) -> str:
        name = part.name
        rows = "".join([f"{p!r}{f[1][name]}" for p, f in self.facets.items()])  # repr'd path + fixed-length digest
        facets = hashlib.blake2b(rows.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        parts: list[Any] = [self.common, name, facets, [(n, self.data(n)) for n in part.data]]
        if part.ledger is not None:
            from kb_tools.checks.systemlinks import ledger_of

            parts.append(part.ledger(ledger_of(self.corpus)))
        if part.dated:
            parts.append(self.today.isoformat())
        if part.git:
            parts.append(self.git_key())
        return _digest(parts)


def _load(path: Path) -> dict[str, Any]:
    try:
        stored = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    ok = isinstance(stored, dict) and stored.get("format") == FORMAT and isinstance(stored.get("parts"), dict)
    return stored if ok else {}


def render_parts(corpus: Corpus, today: _dt.date, git: Any, parts: list[Part], use_cache: bool = True
                 ) -> tuple[dict[str, str], list[str]]:
    """``({docs path: Markdown}, names of the parts rendered now)``; the others are replayed."""
    if not use_cache:
        out: dict[str, str] = {}
        for part in parts:
            out.update(part.render(corpus, today, git))
        return out, [p.name for p in parts]
    path = corpus.config.cache_dir / CACHE_FILE
    stored = _load(path)
    inputs = Inputs(corpus, today, git)
    whole = inputs.whole(parts)
    cached: dict[str, Any] = stored.get("parts", {})
    if stored.get("whole") == whole and all(p.name in cached for p in parts):
        out = {}
        for part in parts:
            out.update(cached[part.name][1])
        return out, []
    inputs.compute_facets(parts, stored.get("facets"))
    out, rendered, new_parts = {}, [], {}
    for part in parts:
        key = inputs.key(part)
        entry = cached.get(part.name)
        if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], dict)):
            entry = (key, part.render(corpus, today, git))
            rendered.append(part.name)
        new_parts[part.name] = entry
        out.update(entry[1])
    try:
        atomic_write(path, marshal.dumps({"format": FORMAT, "whole": whole, "parts": new_parts,
                                          "facets": inputs.stored_facets()}))
    except (OSError, ValueError) as exc:
        log.warning(_("cannot write the generated pages' cache {path}: {error}").format(path=path, error=exc))
    return out, rendered
