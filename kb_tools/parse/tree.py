"""Walking the docs tree as MkDocs does: every file, symlinks followed, loops reported; exclude_docs."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from kb_tools.i18n import N_, _
from kb_tools.model import ParseIssue

if TYPE_CHECKING:
    from kb_tools.parse.cache import ParseCache

_DEFAULT_EXCLUDE = ".*\n/templates/\n"



def walk_docs(docs_dir: Path) -> tuple[list[tuple[str, os.stat_result]], list[tuple[str, ParseIssue]]]:
    """Every file under docs_dir (following symlinks like MkDocs), with loops reported."""
    files: list[tuple[str, os.stat_result]] = []
    issues: list[tuple[str, ParseIssue]] = []
    seen_dirs: set[tuple[int, int]] = set()
    try:
        st = os.stat(docs_dir)
    except OSError as exc:
        raise FileNotFoundError(_("docs_dir {path}: {error}").format(path=docs_dir, error=exc.strerror)) from exc
    seen_dirs.add((st.st_dev, st.st_ino))
    stack = [("", str(docs_dir))]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            entries = list(os.scandir(abs_dir))
        except OSError as exc:
            issues.append((rel_dir or ".", ParseIssue("parse.file", 1, 1, N_("folder cannot be read: {error}"),
                                                     args={"error": exc.strerror})))
            continue
        for e in entries:
            rel = f"{rel_dir}/{e.name}" if rel_dir else e.name
            try:
                est = e.stat(follow_symlinks=True)
            except OSError as exc:
                if e.is_symlink():
                    issues.append((rel, ParseIssue("parse.file", 1, 1, N_("broken or looping symlink ({error})"),
                                                   args={"error": exc.strerror})))
                continue
            if stat.S_ISDIR(est.st_mode):
                key = (est.st_dev, est.st_ino)
                if key in seen_dirs:
                    if e.is_symlink():
                        issues.append((rel, ParseIssue("parse.file", 1, 1, N_("symlink loop: this folder link points back into the tree; skipped"))))
                    continue
                seen_dirs.add(key)
                stack.append((rel, e.path))
            elif stat.S_ISREG(est.st_mode):
                files.append((rel, est))
    files.sort()
    return files, issues


def exclude_spec(exclude_docs: str) -> pathspec.PathSpec:
    """MkDocs' default exclusions (dot files, templates/) plus the site's gitignore-style exclude_docs."""
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
    excluded = {rel for rel, _st in files if spec.match_file(rel)}
    cache.extra["excluded"] = (key, sorted(excluded))
    cache.dirty = True
    return excluded
