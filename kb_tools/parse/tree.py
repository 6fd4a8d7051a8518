"""Walking the docs tree as MkDocs does: every file, symlinks followed, loops reported; exclude_docs."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from kb_tools._walk import Walk, walk
from kb_tools.i18n import N_, _
from kb_tools.model import ParseIssue

if TYPE_CHECKING:
    import pathspec

    from kb_tools.parse.cache import ParseCache

_DEFAULT_EXCLUDE = ".*\n/templates/\n"



def walk_docs(docs_dir: Path, walked: Walk | None = None) -> tuple[list[tuple[str, os.stat_result]], list[tuple[str, ParseIssue]]]:
    """Every file under docs_dir (following symlinks like MkDocs), with loops reported; from
    ``walked`` when given (the walk ``kb_tools.replay`` took for this run), else a new walk."""
    w = walked if walked is not None else walk(docs_dir)
    files: list[tuple[str, os.stat_result]] = []
    issues: list[tuple[str, ParseIssue]] = []
    isreg = stat.S_ISREG
    for ev in w.events:
        kind = ev[0]
        if kind == "f":
            if isreg(ev[2].st_mode):
                files.append((ev[1], ev[2]))
        elif kind == "d":
            continue
        elif kind == "D":
            if ev[3]:
                issues.append((ev[1], ParseIssue("parse.file", 1, 1, N_("symlink loop: this folder link points back into the tree; skipped"))))
        elif kind == "x":
            if ev[3]:
                issues.append((ev[1], ParseIssue("parse.file", 1, 1, N_("broken or looping symlink ({error})"),
                                                 args={"error": ev[2].strerror})))
        elif kind == "u":
            issues.append((ev[1] or ".", ParseIssue("parse.file", 1, 1, N_("folder cannot be read: {error}"),
                                                   args={"error": ev[2].strerror})))
        else:  # "r": docs_dir itself
            raise FileNotFoundError(_("docs_dir {path}: {error}").format(path=docs_dir, error=ev[2].strerror)) from ev[2]
    files.sort()
    return files, issues


def exclude_spec(exclude_docs: str) -> pathspec.PathSpec:
    """MkDocs' default exclusions (dot files, templates/) plus the site's gitignore-style exclude_docs."""
    import pathspec  # (imported when the loader's memo of the exclusions misses: parse.tree.excluded_paths)

    lines = (_DEFAULT_EXCLUDE + exclude_docs).splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


def excluded_paths(exclude_docs: str, files: list[tuple[str, os.stat_result]], cache: ParseCache) -> set[str]:
    """The paths exclude_docs matches, memoised in the parse cache for the same paths and patterns."""
    h = hashlib.blake2b(exclude_docs.encode("utf-8", "surrogatepass"), digest_size=16)
    h.update("\0".join(rel for rel, _st in files).encode("utf-8", "surrogatepass"))
    key = h.hexdigest()
    memo = cache.extra.get("excluded")
    if memo and memo[0] == key:
        return set(memo[1])
    spec = exclude_spec(exclude_docs)
    pats = [p for p in spec.patterns if p.include is not None]
    rxs = [p.regex for p in pats]
    if all(p.include for p in pats) and all(rx is not None for rx in rxs):
        # No negated pattern: gitignore's precedence cannot matter, a path is excluded when any
        # pattern matches it (pathspec's own test, without its per-path Python: 0.4 s at 10,000 files)
        from pathspec.util import normalize_file

        searches = [rx.search for rx in rxs]
        excluded = set()
        for rel, _st in files:
            norm = normalize_file(rel)  # once per path, not once per pattern
            for search in searches:
                if search(norm):
                    excluded.add(rel)
                    break
    else:
        excluded = {rel for rel, _st in files if spec.match_file(rel)}
    cache.extra["excluded"] = (key, sorted(excluded))
    cache.dirty = True
    return excluded
