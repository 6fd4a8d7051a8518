"""Git facts per page: last commit date and authors, from ONE ``git log`` pass, cached by HEAD.

``collect(cfg)`` runs ``git rev-parse`` (where is the repository, what is HEAD) and then a
single ``git log --name-only`` over docs_dir; the result is cached in
``.kb/cache/git-<HEAD>-<key>.json``, so a second run at the same HEAD costs a file read.
Outside a git checkout, without git, or with ``kb: {git: false}``, the facts are empty and
``note`` says why; nothing here ever raises for that.

Authors are git author *names*; the roster's person ids (担当者A …) are matched against them
as they are, so commits should be made under the person id (or a mailmap mapping to it).
Renames are not followed (``--no-renames``, for speed): after a move the mover is the only author.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb_tools.config import SiteConfig
from kb_tools._io import atomic_write

log = logging.getLogger(__name__)

CACHE_VERSION = 1
_SEP = "\x1e"  # record separator: starts each commit header in our --format


@dataclass(slots=True)
class PageGit:
    last_commit: _dt.date | None = None
    authors: dict[str, _dt.date] = field(default_factory=dict)  # author name -> last commit date

    def recent_authors(self, today: _dt.date, days: int) -> list[str]:
        since = today - _dt.timedelta(days=days)
        return sorted(a for a, d in self.authors.items() if d >= since)


@dataclass
class GitFacts:
    pages: dict[str, PageGit] = field(default_factory=dict)  # docs-relative POSIX path -> facts
    available: bool = False
    note: str = ""  # why facts are missing (printed on stderr by the CLI)
    head: str = ""
    commits: int = 0
    cached: bool = False

    def get(self, path: str) -> PageGit:
        return self.pages.get(path) or PageGit()

    def recent_authors(self, path: str, today: _dt.date, days: int) -> list[str]:
        pg = self.pages.get(path)
        return pg.recent_authors(today, days) if pg else []

    def to_dict(self) -> dict[str, Any]:
        return {"version": CACHE_VERSION, "head": self.head, "commits": self.commits,
                "pages": {p: [g.last_commit.isoformat() if g.last_commit else None,
                              {a: d.isoformat() for a, d in g.authors.items()}] for p, g in self.pages.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GitFacts:
        pages = {}
        for p, (last, authors) in data["pages"].items():
            pages[p] = PageGit(_dt.date.fromisoformat(last) if last else None,
                               {a: _dt.date.fromisoformat(d) for a, d in authors.items()})
        return cls(pages, True, "", data.get("head", ""), int(data.get("commits", 0)), True)


def _git(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
    return subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd, capture_output=True,
                          timeout=timeout, env=env, check=False)


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of unusual file names ("a\\tb", octal escapes)."""
    if not (len(name) >= 2 and name[0] == '"' and name[-1] == '"'):
        return name
    raw = name[1:-1].encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    simple = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8,
              ord("f"): 12, ord("r"): 13, ord("v"): 11}
    while i < len(raw):
        c = raw[i]
        if c == 92 and i + 1 < len(raw):
            n = raw[i + 1]
            if 48 <= n <= 55 and i + 4 <= len(raw):
                out.append(int(raw[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(simple.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return out.decode("utf-8", "replace")


def parse_log(output: bytes, prefix: str) -> tuple[dict[str, PageGit], int]:
    """Parse ``git log --name-only --format=<SEP>%as%x09%an`` (newest first)."""
    pages: dict[str, PageGit] = {}
    commits = 0
    text = output.decode("utf-8", "replace")
    for chunk in text.split(_SEP):
        if not chunk:
            continue
        header, _, names = chunk.partition("\n")
        date_s, _, author = header.partition("\t")
        try:
            date = _dt.date.fromisoformat(date_s.strip())
        except ValueError:
            continue
        commits += 1
        for name in names.split("\n"):
            if not name:
                continue
            name = _unquote(name)
            if not name.startswith(prefix):
                continue
            rel = name[len(prefix):]
            pg = pages.get(rel)
            if pg is None:
                pg = pages[rel] = PageGit(date)  # newest first: the first date seen is the last commit
            if author not in pg.authors:
                pg.authors[author] = date
    return pages, commits


def collect(cfg: SiteConfig, use_cache: bool = True) -> GitFacts:
    """Git facts for every file under docs_dir. Never raises for a missing git or repository."""
    if not cfg.kb.git:
        return GitFacts(note="git facts are switched off (plugins.kb.git: false)")
    docs = cfg.docs_dir
    try:
        rp = _git(["rev-parse", "--show-toplevel", "--show-prefix", "HEAD"], docs, timeout=30)
    except FileNotFoundError:
        return GitFacts(note="git is not installed: no author or commit facts")
    except (OSError, subprocess.SubprocessError) as exc:
        return GitFacts(note=f"git could not run ({exc}): no author or commit facts")
    lines = rp.stdout.decode("utf-8", "replace").splitlines()
    if rp.returncode != 0 or len(lines) < 3:
        err = rp.stderr.decode("utf-8", "replace").strip().splitlines()
        if len(lines) >= 2 and any("HEAD" in e for e in err):
            return GitFacts(note="the git repository has no commits yet: no author or commit facts")
        return GitFacts(note=f"{docs} is not in a git checkout: no author or commit facts")
    top, prefix, head = Path(lines[0]), lines[1], lines[2].strip()
    key = hashlib.blake2b(f"{CACHE_VERSION}|{prefix}".encode(), digest_size=6).hexdigest()
    cache = cfg.cache_dir / f"git-{head}-{key}.json"
    if use_cache and cache.is_file():
        try:
            return GitFacts.from_dict(json.loads(cache.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("git cache %s unreadable (%s); collecting again", cache, exc)
    try:
        res = _git(["log", "--no-renames", "--name-only", f"--format={_SEP}%as%x09%an", "HEAD", "--",
                    prefix or "."], top)
    except (OSError, subprocess.SubprocessError) as exc:
        return GitFacts(note=f"git log failed ({exc}): no author or commit facts")
    if res.returncode != 0:
        msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
        return GitFacts(note=f"git log failed: {msg[0] if msg else res.returncode}")
    pages, commits = parse_log(res.stdout, prefix)
    facts = GitFacts(pages, True, "", head, commits)
    if use_cache:
        _save(cache, facts)
    return facts


def _save(path: Path, facts: GitFacts) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("git-*.json"):  # one HEAD's facts are enough
            if old.name != path.name:
                old.unlink(missing_ok=True)
        atomic_write(path, json.dumps(facts.to_dict(), ensure_ascii=False))
    except OSError as exc:
        log.info("cannot write git cache %s: %s", path, exc)
