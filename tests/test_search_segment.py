"""kb's postings writer (``search/segment.py`` through ``bulk.BulkWriter``) against Whoosh's own
``SegmentWriter``: the same operations (adds, deletions, commits without and with merges) on
random documents give indexes whose every term, posting, block statistic, length and stored
field are equal; and a ``kb index`` updated page by page equals a rebuild."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import OPTIMIZE

from kb_tools.search.bulk import BulkWriter
from kb_tools.search.document import page_document
from kb_tools.search.index import make_schema
from kb_tools.search.normalize import export_data

CHARS = "あ日本語サーバー鍵室手順設定ガバメントクラウド移行課係の引継ぎ"
WORDS = ["aws", "ec2", "x", "lgwan", "1", "kintone", "z9"]


def random_text(rnd: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        if rnd.random() < 0.3:
            out.append(rnd.choice(WORDS))
        else:  # runs of 1-4 CJK characters: one-character tokens, bigrams, the unigram of a run's end
            out.append("".join(rnd.choice(CHARS) for _ in range(rnd.randint(1, 4))))
    return " ".join(out)


def random_doc(rnd: random.Random, i: int) -> dict:
    return {"path": f"p{i}.md", "title": random_text(rnd, rnd.randint(0, 3)),
            "headings": random_text(rnd, rnd.randint(0, 5)),
            "body": random_text(rnd, rnd.choice([0, 1, 5, 40, 300])),
            "tags": ",".join(rnd.sample(["鍵", "a", "クラウド"], rnd.randint(0, 2))),
            "owner": rnd.choice(["cloud", "net"]), "type": "guide", "status": "active",
            "text": random_text(rnd, 3).encode("utf-8")}


def _delete(w, paths: list[str]) -> None:
    r = w.reader()
    for p in paths:
        if ("path", p) in r:
            for d in r.postings("path", p).all_ids():
                w.delete_document(d)
    r.close()


def run_ops(folder: Path, data: dict, ops: list, bulk: bool) -> None:
    folder.mkdir()
    ix = windex.create_in(str(folder), make_schema(data))
    for deletes, docs, how in ops:
        codec = W3Codec(blocklimit=8)  # small blocks: many lists span several
        w = BulkWriter(ix, codec=codec) if bulk else ix.writer(codec=codec)
        _delete(w, deletes)
        for doc in docs:
            w.add_document(**doc)
        if how == "optimize":
            w.commit(mergetype=OPTIMIZE)
        else:
            w.commit(merge=how == "merge")
    ix.close()


def snapshot(folder: Path) -> dict:
    """Everything a reader can see, per segment: terms with postings and term statistics,
    stored fields and field lengths of every document, deletions."""
    ix = windex.open_dir(str(folder))
    out = {"segments": []}
    with ix.reader() as top:
        for r, _base in (top.leaf_readers() if hasattr(top, "leaf_readers") else [(top, 0)]):
            seg: dict = {"docs": r.doc_count_all(), "live": r.doc_count(), "terms": {}}
            for f, t in r.all_terms():
                m, posts = r.postings(f, t), []
                while m.is_active():
                    posts.append((m.id(), m.weight(), m.value(), m.block_min_length(), m.block_max_length(),
                                  m.block_max_weight()))
                    m.next()
                info = {k: v for k, v in vars(r.term_info(f, t)).items() if k not in ("_offset", "_length")}
                seg["terms"][(f, t)] = (posts, info)
            seg["stored"] = [r.stored_fields(d) if not r.is_deleted(d) else None for d in range(r.doc_count_all())]
            seg["lengths"] = [[r.doc_field_length(d, f) for f in ("title", "headings", "body")]
                              for d in range(r.doc_count_all())]
            seg["field_lengths"] = {f: r.field_length(f) for f in ("title", "headings", "body")}
            out["segments"].append(seg)
    ix.close()
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_updates_and_merges_write_what_whoosh_writes(tmp_path, seed) -> None:
    rnd = random.Random(seed)
    data = export_data(None, synonyms=[("サーバー", ["サーバ"])])
    live = list(range(25))
    ops = [([], [random_doc(rnd, i) for i in live], "nomerge")]
    nxt = 25
    for step in range(9):
        changed = rnd.sample(live, rnd.randint(0, 3))
        removed = [p for p in rnd.sample(live, rnd.randint(0, 2)) if p not in changed]
        live = [p for p in live if p not in removed]
        added = list(range(nxt, nxt + rnd.randint(0, 2)))
        nxt += len(added)
        live += added
        docs = [random_doc(rnd, i) for i in changed + added]
        how = "optimize" if step == 8 else ("merge" if step in (4, 6) else "nomerge")
        ops.append(([f"p{i}.md" for i in changed + removed], docs, how))
    run_ops(tmp_path / "whoosh", data, ops, bulk=False)
    run_ops(tmp_path / "kb", data, ops, bulk=True)
    a, b = snapshot(tmp_path / "whoosh"), snapshot(tmp_path / "kb")
    assert len(a["segments"]) == len(b["segments"])
    for sa, sb in zip(a["segments"], b["segments"]):
        assert sa["docs"] == sb["docs"] and sa["live"] == sb["live"]
        assert sa["terms"].keys() == sb["terms"].keys()
        for key in sa["terms"]:
            assert sa["terms"][key] == sb["terms"][key], key
        assert sa["stored"] == sb["stored"] and sa["lengths"] == sb["lengths"]
        assert sa["field_lengths"] == sb["field_lengths"]
    terms = {t for s in a["segments"] for f, t in s["terms"] if f == "body"}
    assert any(len(t.decode()) == 1 for t in terms)  # one-character tokens were written and merged
    assert len(a["segments"]) == 1 and a["segments"][0]["docs"] == len(live)  # the last commit optimised


def test_a_merge_of_segments_with_deletions_keeps_the_survivors(tmp_path) -> None:
    """Merging drops deleted documents' postings and renumbers the rest (a term left with no
    live posting disappears), like Whoosh."""
    rnd = random.Random(7)
    data = export_data(None)
    docs = [random_doc(rnd, i) for i in range(6)]
    docs[2]["body"] = "唯一無二"
    ops = [([], docs[:3], "nomerge"), ([], docs[3:], "nomerge"), (["p2.md", "p4.md"], [], "nomerge"),
           ([], [random_doc(rnd, 7)], "nomerge"), (["p7.md"], [], "nomerge"),  # a segment all deleted
           ([], [random_doc(rnd, 9)], "optimize")]
    run_ops(tmp_path / "whoosh", data, ops, bulk=False)
    run_ops(tmp_path / "kb", data, ops, bulk=True)
    a, b = snapshot(tmp_path / "whoosh"), snapshot(tmp_path / "kb")
    assert a == b
    (seg,) = b["segments"]
    assert seg["docs"] == seg["live"] == 5 and ("body", "唯一".encode()) not in seg["terms"]


def test_kb_index_updated_page_by_page_equals_a_rebuild(gen_corpus, monkeypatch, tmp_path) -> None:
    """One-page updates (body edits, a new page, a deleted page, merges past the limit) give
    the same search results, document count and stored fields as a rebuild of the same pages."""
    import shutil

    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.search import index as kbindex
    from kb_tools.search.query import Searcher

    monkeypatch.setattr(kbindex, "MERGE_AT_SEGMENTS", 3)
    root = tmp_path / "site"
    shutil.copytree(gen_corpus(40, 5), root, ignore=shutil.ignore_patterns(".kb"))
    cfg = load_config(root / "mkdocs.yml")
    kbindex.build_index(cfg, build_corpus(cfg), procs=1)
    pages = sorted(p for p in (root / "docs").rglob("*.md") if "_data" not in p.parts)
    start = root / "docs" / "index.md"
    assert start in pages
    edits = [(start, "\n索引頁の追記 一\n"), (pages[3], "\n合言葉イロハ\n"), (start, "\n索引頁の追記 二 鍵\n"),
             (pages[7], "\nガバクラ移行の補足\n"), (pages[3], "\n合言葉ニホヘ\n")]
    counts = []
    for i, (page, extra) in enumerate(edits):
        page.write_text(page.read_text(encoding="utf-8") + extra, encoding="utf-8")
        if i == 2:
            (root / "docs" / "new-page.md").write_text("# 新しい頁\n\n合言葉トチリ\n", encoding="utf-8")
            pages[9].unlink()
        rep = kbindex.build_index(cfg, build_corpus(cfg))
        assert not rep.rebuilt
        ix = kbindex.open_index(cfg)
        counts.append(len(ix._segments()))
        ix.close()
    assert max(counts) > counts[-1]  # segments were added, then merged
    queries = ["合言葉", "イロハ", "ニホヘ", "索引頁", "鍵", "ガバクラ", "移行", "手順", "サーバ", "トチリ", "の"]

    def state():
        with Searcher(cfg) as s:
            hits = {q: sorted(h.path for h in s.search(q, limit=1000).hits) for q in queries}
            r = s.searcher.reader()
            stored = sorted((f["path"], sorted(f.items())) for d, f in r.iter_docs())
            return hits, r.doc_count(), stored

    updated = state()
    kbindex.build_index(cfg, build_corpus(cfg), force=True, procs=1)
    assert updated == state()
    hits, count, stored = updated
    assert hits["トチリ"] == ["new-page.md"] and hits["イロハ"] == hits["ニホヘ"] == [pages[3].relative_to(root / "docs").as_posix()]
    assert "index.md" in hits["索引頁"] and count == len(pages)  # one page added, one deleted
    assert pages[9].relative_to(root / "docs").as_posix() not in {p for p, _ in stored}


@pytest.mark.parametrize("edit", [False, True])
def test_kb_index_rebuilds_an_index_whose_segments_do_not_open(run_kb, make_docs, edit) -> None:
    """The update's own opening of every segment is the check (no second opening before it):
    a damaged segment file makes ``kb index`` rebuild, with or without a page to update."""
    root = make_docs({"a.md": "# 議事録の書き方\n\n会議の記録です。\n", "b.md": "# 鍵の管理\n\n鍵を渡します。\n"})
    assert run_kb(root, "index").exit_code == 0
    for f in (root / ".kb" / "index").glob("*.seg"):
        f.write_bytes(b"garbage")
    if edit:
        (root / "docs" / "a.md").write_text("# 議事録の書き方\n\n録音データの扱い。\n", encoding="utf-8")
    r = run_kb(root, "index")
    assert r.exit_code == 0 and "rebuilding the search index: the index folder is corrupt" in r.stderr
    assert "2 added" in r.stderr
    r = run_kb(root, "search", "録音データ" if edit else "会議", "--format", "json", "--no-update")
    assert r.exit_code == 0 and '"a.md"' in r.stdout
    assert "2 unchanged" in run_kb(root, "index").stderr


def test_index_meta_written_as_json_before_is_read_then_replaced(run_kb, make_docs) -> None:
    """An index whose page hashes are in the older kb_meta.json is updated, not rebuilt; the
    update writes kb_meta.marshal and removes the JSON. A damaged meta file means a rebuild."""
    import json
    import marshal

    from kb_tools.search.index import LEGACY_META_FILE, META_FILE

    root = make_docs({"a.md": "# 議事録の書き方\n\n会議の記録です。\n", "b.md": "# 鍵の管理\n\n鍵を渡します。\n"})
    assert run_kb(root, "index").exit_code == 0
    folder = root / ".kb" / "index"
    meta = marshal.loads((folder / META_FILE).read_bytes())
    (folder / LEGACY_META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (folder / META_FILE).unlink()
    (root / "docs" / "a.md").write_text("# 議事録の書き方\n\n録音データの扱い。\n", encoding="utf-8")
    r = run_kb(root, "index")
    assert "1 updated" in r.stderr and "rebuilding" not in r.stderr
    assert (folder / META_FILE).exists() and not (folder / LEGACY_META_FILE).exists()
    assert marshal.loads((folder / META_FILE).read_bytes())["pages"].keys() == meta["pages"].keys()
    (folder / META_FILE).write_bytes(b"\x00garbage")
    r = run_kb(root, "index")
    assert "rebuilding the search index: the index folder is corrupt or incomplete" in r.stderr
    assert "2 added" in r.stderr


def _indexed_then_edited(gen_corpus, tmp_path, pages: int):  # type: ignore[no-untyped-def]
    """A generated site indexed, then one of its pages edited: (site folder, its config)."""
    import shutil

    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.search import index as kbindex

    root = tmp_path / "site"
    shutil.copytree(gen_corpus(pages, 4), root, ignore=shutil.ignore_patterns(".kb"))
    cfg = load_config(root / "mkdocs.yml")
    kbindex.build_index(cfg, build_corpus(cfg), procs=1)
    page = sorted(p for p in (root / "docs").rglob("*.md") if "_data" not in p.parts)[1]
    page.write_text(page.read_text(encoding="utf-8") + "\n追記\n", encoding="utf-8")
    return root, cfg


def test_whoosh_write_lock_held_elsewhere_is_busy_not_corrupt(gen_corpus, tmp_path) -> None:
    """A writer outside kb holding Whoosh's own lock makes an update stop with IndexBusy (the
    update's opening is the corruption check, but a held lock is no corruption)."""
    from kb_tools.corpus import build_corpus
    from kb_tools.search import index as kbindex

    _root, cfg = _indexed_then_edited(gen_corpus, tmp_path, 30)
    ix = kbindex.open_index(cfg)
    lock = ix.lock("WRITELOCK")
    assert lock.acquire()
    try:
        with pytest.raises(kbindex.IndexBusy):
            kbindex.build_index(cfg, build_corpus(cfg))
    finally:
        lock.release()
        ix.close()
    rep = kbindex.build_index(cfg, build_corpus(cfg))
    assert rep.updated == 1 and not rep.rebuilt


def test_kb_index_words_a_held_lock_for_staff(gen_corpus, tmp_path, run_kb) -> None:
    """`kb index` with Whoosh's lock held stops with exit 2 (as every `fail`) and the catalog's message naming the
    index folder (Japanese: the generated site's theme language), and writes nothing."""
    from kb_tools.search import index as kbindex

    root, cfg = _indexed_then_edited(gen_corpus, tmp_path, 20)
    before = sorted((p.name, p.stat().st_size) for p in kbindex.index_dir(cfg).iterdir())
    ix = kbindex.open_index(cfg)
    lock = ix.lock("WRITELOCK")
    assert lock.acquire()
    try:
        res = run_kb(root, "--lang", "ja", "--no-progress", "index")
    finally:
        lock.release()
        ix.close()
    assert res.exit_code == 2
    assert "別のプロセスが" in res.stderr and "検索ライブラリの書き込みロック" in res.stderr
    assert str(kbindex.index_dir(cfg)) in res.stderr
    assert sorted((p.name, p.stat().st_size) for p in kbindex.index_dir(cfg).iterdir()) == before
    res = run_kb(root, "--lang", "en", "--no-progress", "index")
    assert res.exit_code == 0, res.stderr
