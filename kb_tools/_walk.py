"""One walk of docs_dir, shared by the whole-run manifest (``replay.py``) and the corpus loader.

Standard library only and outside the layers (like ``_io.py``): ``replay.py`` must not import
the rest of kb. ``walk`` follows symlinks like MkDocs and cuts loops (a folder whose (device,
inode) was seen is listed, not entered). It records what each consumer needs as events in
traversal order, so ``replay.snapshot`` and ``parse.tree.walk_docs`` derive from the same
``stat`` calls what they used to get from two walks:

* ``("f", rel, stat)``: a non-folder entry;
* ``("d", rel, stat)``: a folder, entered;
* ``("D", rel, stat, is_symlink)``: a folder already seen (a loop, or the same folder twice);
* ``("x", rel, error, is_symlink)``: an entry that cannot be stat'ed (a broken link);
* ``("u", rel, error)``: a folder that cannot be listed (``rel`` "" for docs_dir itself);
* ``("r", "", error)``: docs_dir itself cannot be stat'ed (the only event then).
"""

from __future__ import annotations

import os
import stat
import time
from typing import Any


class Walk:
    """One walk's result (a plain class: the replay path imports no dataclasses)."""

    __slots__ = ("docs_dir", "events", "started_ns")

    def __init__(self, docs_dir: str, started_ns: int, events: list[tuple[Any, ...]]) -> None:
        self.docs_dir = docs_dir
        self.started_ns = started_ns  # time.time_ns() before the first stat
        self.events = events


def walk(docs_dir: str | os.PathLike[str]) -> Walk:
    root = str(docs_dir)
    started = time.time_ns()
    events: list[tuple[Any, ...]] = []
    try:
        st = os.stat(root)
    except OSError as exc:
        return Walk(root, started, [("r", "", exc)])
    seen = {(st.st_dev, st.st_ino)}
    stack = [("", root)]
    isdir = stat.S_ISDIR
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            entries = list(os.scandir(abs_dir))
        except OSError as exc:
            events.append(("u", rel_dir, exc))
            continue
        for e in entries:
            rel = f"{rel_dir}/{e.name}" if rel_dir else e.name
            try:
                est = e.stat(follow_symlinks=True)
            except OSError as exc:
                events.append(("x", rel, exc, e.is_symlink()))
                continue
            if isdir(est.st_mode):
                key = (est.st_dev, est.st_ino)
                if key in seen:
                    events.append(("D", rel, est, e.is_symlink()))
                    continue
                seen.add(key)
                events.append(("d", rel, est))
                stack.append((rel, e.path))
            else:
                events.append(("f", rel, est))
    return Walk(root, started, events)
