"""The search index's cold build: every page into an empty folder, one Whoosh segment per
process (forked workers, one per CPU up to MAX_PROCS, at least PAGES_PER_PROC pages each),
each written by ``bulk.BulkWriter``; one TOC then lists all segments. Also ``add_pages``, the
one loop that turns pages into index documents (the cold build's and an update's)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kb_tools.search import _whoosh  # noqa: F401 - first: Whoosh without urllib.request and asyncio
from whoosh import index as windex
from whoosh.index import TOC, clean_files

from kb_tools.search.bulk import BulkWriter
from kb_tools.search.document import page_document

MAX_PROCS = 4  # cold build: worker processes at most
PAGES_PER_PROC = 1000  # ... and at least this many pages each


def add_pages(writer: Any, corpus: Any, paths: list[str], progress: Any = None) -> list[str]:
    problems = []
    total = len(paths)
    for i, p in enumerate(sorted(paths), 1):
        page = corpus.pages[p]
        try:
            doc = page_document(corpus, page)
        except (OSError, UnicodeError) as exc:
            problems.append(f"{p}: cannot read ({exc}); not indexed")
            continue
        writer.add_document(**doc)  # (an update deletes the old documents first: _delete_paths)
        if progress:
            progress(i, total)
    return problems


def default_procs(pages: int) -> int:
    """Worker processes for a cold build of ``pages`` pages: one per usable CPU (at most
    MAX_PROCS, at least PAGES_PER_PROC pages each); 1 where ``fork`` is unavailable."""
    import multiprocessing  # (a cold build's; ~15 ms of an update's imports otherwise)

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCS, pages // PAGES_PER_PROC))


def _write_part(folder: Path, schema: Any, indexname: str, corpus: Any, paths: list[str],
                progress: Any = None) -> list[str]:
    ix = windex.create_in(str(folder), schema, indexname=indexname)
    try:
        w = BulkWriter(ix)
        problems = add_pages(w, corpus, paths, progress=progress)
        w.commit()
    finally:
        ix.close()
    return problems


def _part_child(folder: str, schema: Any, indexname: str, corpus: Any, paths: list[str]) -> None:
    problems = _write_part(Path(folder), schema, indexname, corpus, paths)
    (Path(folder) / "problems.json").write_text(json.dumps(problems, ensure_ascii=False), encoding="utf-8")


def cold_build(tmp: Path, schema: Any, indexname: str, corpus: Any, progress: Any, procs: int | None) -> list[str]:
    """Write every page into the empty folder ``tmp`` (index ``indexname`` of ``schema``): one
    Whoosh segment per process.

    Parts 1..k-1 are written by forked worker processes into folders of their own; their
    segment files are then moved next to part 0's and one TOC lists all segments (what Whoosh's
    own multi-process writer does with ``multisegment=True``)."""
    paths = sorted(corpus.pages)
    k = procs if procs is not None else default_procs(len(paths))
    k = max(1, min(k, len(paths)))
    if k == 1:
        return _write_part(tmp, schema, indexname, corpus, paths, progress)
    import multiprocessing

    size = -(-len(paths) // k)
    parts = [paths[i:i + size] for i in range(0, len(paths), size)]
    ctx = multiprocessing.get_context("fork")
    children = []
    try:
        for part in parts[1:]:
            folder = tempfile.mkdtemp(dir=tmp.parent, prefix="index.part-")
            proc = ctx.Process(target=_part_child, args=(folder, schema, indexname, corpus, part), daemon=True)
            proc.start()
            children.append((proc, Path(folder)))
        total = len(paths)
        problems = _write_part(tmp, schema, indexname, corpus, parts[0],  # progress: the workers run alongside
                               (lambda i, _n: progress(min(total, i * len(parts)), total)) if progress else None)
        segments = []
        for proc, folder in children:
            proc.join()
            if proc.exitcode != 0:
                raise OSError(f"an indexing worker process failed (exit code {proc.exitcode})")
            problems += json.loads((folder / "problems.json").read_text(encoding="utf-8"))
            part_ix = windex.open_dir(str(folder), indexname=indexname)
            for seg in part_ix._segments():
                prefix = seg.segment_id()
                for f in os.listdir(folder):
                    if f.startswith(prefix):
                        os.replace(folder / f, tmp / f)
                segments.append(seg)
            part_ix.close()
        ix = windex.open_dir(str(tmp), indexname=indexname)
        toc = ix._read_toc()
        new = TOC(toc.schema, toc.segments + segments, toc.generation + 1)
        new.write(ix.storage, indexname)
        clean_files(ix.storage, indexname, new.generation, new.segments)
        ix.close()
        if progress:
            progress(total, total)
        return problems
    finally:
        for proc, folder in children:
            if proc.is_alive():
                proc.terminate()
                proc.join()
            shutil.rmtree(folder, ignore_errors=True)
