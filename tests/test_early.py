"""The page passes run in the parse workers (checks/early.py) give the findings, and the findings
cache records, of a run without workers; a page that raises, a worker that dies or another
context only make the main process do the work again."""

from __future__ import annotations

import datetime as dt
import marshal
import os
import shutil
from pathlib import Path

import pytest

from kb_tools.checks import early, registry
from kb_tools.checks.engine import page_job, run_checks
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus

DAY = dt.date(2026, 6, 1)
PAGES = 260  # past the loader's threshold for worker processes (200 files to parse)


@pytest.fixture(name="tree")
def fixture_tree(gen_corpus, tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(gen_corpus(PAGES, 5), root)
    docs = root / "docs"
    # a page ignoring a rule, a page linking to another page's missing anchor and to itself
    (docs / "early-ignore.md").write_text("---\ntitle: x\nkb_ignore: [meta.required]\n---\n# x\n\n[a](index.md#nope)\n"
                                          "[b](#x) [c](#zz)\n", encoding="utf-8")
    return root


def _rows(findings: list) -> list[tuple]:
    return [(f.path, f.line, f.column, f.code, f.severity, f.message, f.hint, f.target) for f in findings]


def _check(root: Path, *, workers: int | None, job_day: dt.date | None = DAY, cache: bool = False,
           day: dt.date = DAY) -> tuple[list[tuple], object]:
    cfg = load_config(root / "mkdocs.yml")
    corpus = build_corpus(cfg, use_cache=cache, workers=workers,
                          page_job=page_job(job_day) if job_day is not None else None)
    result = run_checks(corpus, today=day)
    return _rows(result.findings), corpus


def test_same_findings_as_without_workers(tree: Path) -> None:
    plain, _c = _check(tree, workers=1, job_day=None)
    with_job, corpus = _check(tree, workers=2)
    assert set(corpus.early) == set(corpus.pages)  # every page was checked in a worker
    # the anchors of links into other pages were checked here, from the anchors the workers sent
    # as each chunk arrived: no pass is left pending, and no linked page was decoded for them
    assert not any(said.resumes for said in corpus.early.values())
    finished = [p for p, said in corpus.early.items() if said.deps]
    assert len(finished) > PAGES // 10
    # and so were the link checks of pages with a missing target (one "did you mean" index per
    # folder) and the front matter needing pydantic's errors: no pass is left to run_checks
    left = [p for p, said in corpus.early.items() if None in said.undated]
    assert left == []
    assert all(said.record is not None for p, said in corpus.early.items() if p not in left)  # records made on arrival
    decoded = {p for p in corpus.pages if corpus.pages.is_decoded(p)}
    assert decoded == set(left)  # run_checks decoded only the pages it had passes left to run on
    assert with_job == plain
    assert any(r[3] == "KB202" for r in with_job)  # the seeded broken anchors are there
    assert not any(r[0] == "early-ignore.md" and r[3] == "KB101" for r in with_job)  # kb_ignore applied


def test_same_cache_records(tree: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(tree, other)
    plain, _c = _check(tree, workers=1, job_day=None, cache=True)
    with_job, corpus = _check(other, workers=2, cache=True)
    assert corpus.early and with_job == plain
    a = marshal.loads((tree / ".kb/cache/findings.marshal").read_bytes())
    b = marshal.loads((other / ".kb/cache/findings.marshal").read_bytes())
    assert a[2] == b[2] and a[3] == b[3]  # every page's record and the site passes' findings
    warm, corpus = _check(other, workers=2, cache=True)  # nothing parsed, nothing re-derived
    assert warm == plain and not corpus.early and corpus.stats["parsed"] == 0


def test_other_day_is_not_used(tree: Path) -> None:
    plain, _c = _check(tree, workers=1, job_day=None, day=DAY + dt.timedelta(days=400))
    late, corpus = _check(tree, workers=2, job_day=DAY, day=DAY + dt.timedelta(days=400))
    assert corpus.early and late == plain


def test_page_that_raises(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass that raises on one page in a worker: the main process derives that page again and
    reports the internal error as a run without workers does; every other page is checked."""
    passes = list(registry._PAGE_PASSES)
    name, fn, dated = next(p for p in passes if p[0].endswith("check_metadata"))

    def broken(corpus, page, ctx, emit):  # type: ignore[no-untyped-def]
        if page.path == "early-ignore.md":
            raise ValueError("boom")
        fn(corpus, page, ctx, emit)

    broken.__module__, broken.__qualname__ = fn.__module__, fn.__qualname__
    monkeypatch.setattr(registry, "_PAGE_PASSES", [(n, broken if f is fn else f, d) for n, f, d in passes])
    plain, _c = _check(tree, workers=1, job_day=None)
    with_job, corpus = _check(tree, workers=2)
    assert "early-ignore.md" not in corpus.early and len(corpus.early) > PAGES // 2
    assert with_job == plain
    assert any(r[3] == "KB900" for r in with_job) and any(r[3] == "KB202" for r in with_job)


def test_worker_that_dies(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse worker dying on a page: the loader parses in-process and the checks run here."""
    call = early.PageJob.__call__

    def dying(self, page):  # type: ignore[no-untyped-def]
        if page.path == "early-ignore.md":
            os._exit(3)
        return call(self, page)

    monkeypatch.setattr(early.PageJob, "__call__", dying)
    plain, _c = _check(tree, workers=1, job_day=None)
    with_job, corpus = _check(tree, workers=2)
    assert not corpus.early and with_job == plain and len(corpus.pages) > PAGES


def test_kb_check_json_as_without_workers(tree: Path, run_kb) -> None:
    """``kb check`` hands the loader its page job: its report is the one of a run without workers."""
    import json

    res = run_kb(tree, "check", "--format", "json", "--today", DAY.isoformat(), "--no-cache")
    plain, corpus = _check(tree, workers=1, job_day=None)
    got = [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(res.stdout)["findings"]]
    assert got == [(r[0], r[1], r[3], r[5]) for r in plain] and len(got) > 50


def test_not_local_outside_a_worker() -> None:
    pages = early.LocalPages({"a.md": 1, "b.md": 2})
    assert "a.md" in pages and list(pages) == ["a.md", "b.md"] and len(pages) == 2
    with pytest.raises(early.NotLocal):
        pages["a.md"]
    with pytest.raises(KeyError):
        pages["zz.md"]


def test_anchor_target_not_parsed_in_this_run(tree: Path, tmp_path: Path) -> None:
    """A page naming the anchor of a page reused from the parse cache (not sent by a worker):
    its anchor check waits, then runs on the decoded pages after the parse, as before."""
    other = tmp_path / "other"
    shutil.copytree(tree, other)
    docs = other / "docs"
    _check(other, workers=1, job_day=None, cache=True)  # every page in the parse cache
    names = sorted(p for p in docs.rglob("*.md") if p.name != "index.md" and p.name != "early-ignore.md")
    for p in names[:220]:  # enough to parse in workers again; the index.md (the anchors' target) is reused
        back = os.path.relpath(docs / "index.md", p.parent).replace(os.sep, "/")
        p.write_text(p.read_text(encoding="utf-8") + f"\n\n[back]({back}#nope-again)\n", encoding="utf-8")
    (other / ".kb/cache/findings.marshal").unlink()
    plain, _c = _check(other, workers=1, job_day=None, cache=False)
    with_job, corpus = _check(other, workers=2, cache=True)
    assert corpus.early and "index.md" not in corpus.early
    assert any(said.resumes for said in corpus.early.values())  # waiting for index.md's anchors, never sent
    assert with_job == plain
    assert sum(1 for r in with_job if r[3] == "KB202" and "nope-again" in r[5]) == 220


def test_chunks_largest_first() -> None:
    from kb_tools.pageparse import _chunks

    for n in (200, 201, 999, 1000, 10001, 50000):
        items = [(str(i), "") for i in range(n)]
        chunks = _chunks(items, 2)
        assert [x for c in chunks for x in c] == items
        sizes = [len(c) for c in chunks]
        assert all(50 <= s <= 500 for s in sizes) and sizes[-1] < 100
        assert all(a >= b for a, b in zip(sizes[:-2], sizes[1:-1]))  # largest first, the last ones small
