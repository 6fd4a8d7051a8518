"""kb index / kb search on real Whoosh indexes built from real docs trees."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from kb_tools.search.analysis import JapaneseTokenizer, japanese_analyzer
from kb_tools.search.normalize import export_data

PAGES = {
    "_data/synonyms.yml": "ガバメントクラウド: [ガバクラ]\n引継ぎ: [引き継ぎ, 引継]\nサーバー: [サーバ]\n",
    "_data/taxonomy.yml": "ネットワーク:\n  label: ネットワーク\n  aliases: [LAN]\nクラウド:\n  label: クラウド\n",
    "cloud/gov.md": """\
        ---
        title: ガバメントクラウドへの移行手順
        owner: cloud
        type: runbook
        tags: [クラウド]
        ---
        # ガバメントクラウドへの移行手順

        ## AWS アカウントの準備

        標準準拠システムをガバメントクラウドへ移すときの作業です。
        """,
    "network/server.md": """\
        ---
        title: サーバー室の入退室管理
        owner: network
        type: guide
        tags: [LAN]
        ---
        # サーバー室の入退室管理

        ## 入室の申請

        サーバー室に入るときは申請書を出します。引継ぎの際は鍵も渡します。
        """,
    "other.md": "# 議事録の書き方\n\n会議の記録を残す方法です。\n",
}


@pytest.fixture()
def site(make_docs) -> Path:
    return make_docs(PAGES)


def search_json(run_kb, root: Path, *args: str) -> dict:
    r = run_kb(root, "search", *args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("query,target", [
    ("ガバクラ", "cloud/gov.md"),  # house dictionary
    ("ｻｰﾊﾞ", "network/server.md"),  # half-width, long vowel
    ("サーバ室", "network/server.md"),
    ("ＡＷＳ", "cloud/gov.md"),  # full-width ASCII
    ("移行 手順", "cloud/gov.md"),  # split
    ("引き継ぎ", "network/server.md"),  # okurigana variant of the canonical 引継ぎ
    ("議事録", "other.md"),  # a page without front matter
])
def test_finds_the_page(run_kb, site, query, target) -> None:
    out = search_json(run_kb, site, query)
    assert out["query"] == query
    assert out["results"] and out["results"][0]["path"] == target
    assert set(out["results"][0]) == {"path", "title", "score", "snippet"}
    assert out["total"] >= 1


def test_index_is_built_then_incremental(run_kb, site) -> None:
    r = run_kb(site, "index")
    assert r.exit_code == 0 and "3 pages" in r.stderr and "MB" in r.stderr
    r = run_kb(site, "index")
    assert "3 unchanged" in r.stderr
    (site / "docs" / "other.md").write_text("# 議事録の書き方\n\n会議の記録と録音データの扱い。\n", encoding="utf-8")
    (site / "docs" / "cloud" / "gov.md").unlink()
    r = run_kb(site, "index")
    assert "1 updated" in r.stderr and "1 removed" in r.stderr
    assert search_json(run_kb, site, "録音データ")["results"][0]["path"] == "other.md"
    assert search_json(run_kb, site, "ガバメントクラウド")["results"] == []


def test_dictionary_change_rebuilds(run_kb, site) -> None:
    run_kb(site, "index")
    (site / "docs" / "_data" / "synonyms.yml").write_text("議事録: [会議録]\n", encoding="utf-8")
    r = run_kb(site, "index")
    assert "rebuilding" in r.stderr and "another version" in r.stderr
    assert search_json(run_kb, site, "会議録")["results"][0]["path"] == "other.md"


def test_corrupt_index_is_rebuilt(run_kb, site) -> None:
    run_kb(site, "index")
    ix = site / ".kb" / "index"
    for f in ix.glob("*.seg"):
        f.write_bytes(b"garbage")
    for f in ix.glob("_kbpages_*.toc"):
        f.write_bytes(b"\x00\x01garbage")
    r = run_kb(site, "search", "議事録", "--format", "json")
    assert r.exit_code == 0
    assert "rebuilding the search index" in r.stderr
    assert json.loads(r.stdout)["results"][0]["path"] == "other.md"


def test_second_writer_gets_a_clear_message(run_kb, site, monkeypatch) -> None:
    from whoosh.util.filelock import FileLock

    import kb_tools.search.index as idx

    (site / ".kb").mkdir(exist_ok=True)
    lock = FileLock(str(site / ".kb" / "index.lock"))
    assert lock.acquire(blocking=False)
    monkeypatch.setattr(idx, "LOCK_WAIT", 0.3)
    try:
        r = run_kb(site, "index")
    finally:
        lock.release()
    assert r.exit_code == 2 and "another kb index is writing" in r.stderr
    assert str(site / ".kb" / "index.lock") in r.stderr


def test_filters_and_query_syntax(run_kb, site) -> None:
    assert [h["path"] for h in search_json(run_kb, site, "tag:ネットワーク")["results"]] == ["network/server.md"]
    assert [h["path"] for h in search_json(run_kb, site, "室", "--tag", "LAN")["results"]] == ["network/server.md"]
    assert search_json(run_kb, site, "サーバー", "--owner", "cloud")["results"] == []
    assert [h["path"] for h in search_json(run_kb, site, "手順", "--type", "runbook")["results"]] == ["cloud/gov.md"]
    assert [h["path"] for h in search_json(run_kb, site, '"鍵も渡します"')["results"]] == ["network/server.md"]
    assert search_json(run_kb, site, '"鍵を渡します"')["results"] == []


@pytest.mark.parametrize("query", ["の", "、。！", "*", ":", "(", '"', "\\", '"サーバ', "a\x00b\x07", "x" * 10000,
                                   "サーバ" * 3000, "title:(* OR", "tag:"])
def test_hostile_queries_never_traceback(run_kb, site, query) -> None:
    r = run_kb(site, "search", query, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["query"] == query and isinstance(out["results"], list)


def test_empty_query_and_text_output(run_kb, site) -> None:
    r = run_kb(site, "--lang", "ja", "search", "  ")
    assert r.exit_code == 2 and "検索語が空" in r.stderr
    r = run_kb(site, "search", "  ")
    assert r.exit_code == 2 and "the search query is empty" in r.stderr
    r = run_kb(site, "--color", "never", "search", "ガバクラ")
    assert "ガバメントクラウドへの移行手順" in r.stdout and "(cloud/gov.md)" in r.stdout and "【" in r.stdout
    r = run_kb(site, "search", "ガバメントクラウドの移行手帳")
    assert r.exit_code == 0
    r = run_kb(site, "--lang", "ja", "search", "owner:cloud サーバー室")
    assert "一致するページはありません" in r.stdout and "もしかして" in r.stdout
    assert "サーバー室の入退室管理" in r.stdout and "owner:cloud" in r.stdout


def test_batch_json_lines(run_kb, site, tmp_path) -> None:
    f = tmp_path / "q.txt"
    f.write_text("ガバクラ\n\nサーバー室\n", encoding="utf-8")
    r = run_kb(site, "search", "--batch", str(f), "--limit", "2")
    assert r.exit_code == 0
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["query"] for x in lines] == ["ガバクラ", "", "サーバー室"]
    assert lines[0]["results"][0]["path"] == "cloud/gov.md" and lines[1]["results"] == []
    assert lines[2]["results"][0]["path"] == "network/server.md"


def test_analyzer_pickles_and_fast_path_agrees() -> None:
    data = export_data(None, synonyms=[("サーバー", ["サーバ"])])
    ana = japanese_analyzer(data)
    again = pickle.loads(pickle.dumps(ana))
    text = "ｻｰﾊﾞｰの設定、AWS EC2 と 課 の 引継ぎ。"
    slow = [(t.text, t.pos) for t in again(text, positions=True, mode="index")]
    tok = again.items[0]
    assert isinstance(tok, JapaneseTokenizer)
    assert slow == tok.terms(text)
    assert ("課", 9) in slow or any(t == "課" for t, _ in slow)  # one-kanji words are kept (minsize=1)
    spans = [(t.text, text[t.startchar:t.endchar]) for t in again(text, chars=True, mode="query")]
    assert ("サー", "ｻｰ") in spans and ("ec2", "EC2") in spans


def test_bulk_writer_writes_what_whoosh_writes(tmp_path, gen_corpus) -> None:
    """The cold-build writer produces the same segment contents as Whoosh's SegmentWriter."""
    from collections import Counter

    from whoosh import index as windex

    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from whoosh.codec.whoosh3 import W3Codec

    from kb_tools.search.bulk import BulkWriter
    from kb_tools.search.document import page_document
    from kb_tools.search.index import make_schema

    root = gen_corpus(40, 3)
    cfg = load_config(root / "mkdocs.yml")
    corpus = build_corpus(cfg, use_cache=False)
    data = export_data(cfg)
    docs = [page_document(corpus, corpus.pages[p]) for p in sorted(corpus.pages)]
    docs[3]["body"] += " ｻｰﾊﾞｰ" * 300  # a frequency above 255

    def build(name: str, bulk: bool):
        (tmp_path / name).mkdir()
        ix = windex.create_in(str(tmp_path / name), make_schema(data))
        codec = W3Codec(blocklimit=16)  # small blocks: many terms span several
        w = BulkWriter(ix, codec=codec) if bulk else ix.writer(codec=codec)
        for doc in docs:
            w.add_document(**doc)
        w.commit()
        return windex.open_dir(str(tmp_path / name)).reader()

    ra, rb = build("whoosh", False), build("bulk", True)
    terms = list(ra.all_terms())
    assert terms == list(rb.all_terms()) and len(terms) > 1000

    def postings(r, f, t):
        m, out = r.postings(f, t), []
        while m.is_active():
            out.append((m.id(), m.weight(), m.value(), m.block_min_length(), m.block_max_length(), m.block_max_weight()))
            m.next()
        return out

    for f, t in terms:
        assert postings(ra, f, t) == postings(rb, f, t), (f, t)
        ia, ib = vars(ra.term_info(f, t)), vars(rb.term_info(f, t))
        assert {k: v for k, v in ia.items() if k not in ("_offset", "_length")} == \
            {k: v for k, v in ib.items() if k not in ("_offset", "_length")}  # (small blocks: not compressed)
    for d in range(len(docs)):
        assert ra.stored_fields(d) == rb.stored_fields(d)
        assert all(ra.doc_field_length(d, f) == rb.doc_field_length(d, f) for f in ("title", "headings", "body"))
    assert Counter(f for f, _ in terms)["body"] > 500


def test_counts_fast_path_agrees_with_terms() -> None:
    from collections import Counter

    tok = JapaneseTokenizer(export_data(None, synonyms=[("サーバー", ["サーバ"])]))
    for text in ["", "の", "ｻｰﾊﾞｰの設定、AWS EC2 と 課 の 引継ぎ。", "a_b c-d 日本 語ですね x", "ガバメント・クラウド―へ"]:
        assert tok.counts(text) == Counter(t for t, _ in tok.terms(text))


def test_query_terms_of_normalised_text() -> None:
    from kb_tools.search.normalize import normalize

    data = export_data(None, synonyms=[("サーバー", ["サーバ"])])
    tok = JapaneseTokenizer(data)
    for text in ["ｻｰﾊﾞｰの設定、AWS EC2 と 課 の 引継ぎ。", "見出し一\n見出し二 ガバメントクラウド", ""]:
        assert tok.query_terms(normalize(text, data)) == {t for t, _ in tok.terms(text, index=False)}


def test_parallel_cold_build_is_one_index_of_several_segments(run_kb, site) -> None:
    """Worker processes write segments that one TOC lists; searching and updating see one index."""
    from whoosh import index as windex

    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.search.index import INDEX_NAME, build_index, index_dir
    from kb_tools.search.query import Searcher

    cfg = load_config(site / "mkdocs.yml")
    corpus = build_corpus(cfg, use_cache=False)
    rep = build_index(cfg, corpus, force=True, procs=1)
    with Searcher(cfg) as s:
        single = {q: [(h.path, round(h.score, 6)) for h in s.search(q).hits] for q in ("ガバクラ", "サーバ室", "議事録", "室 手順")}
    rep = build_index(cfg, corpus, force=True, procs=3)
    assert rep.rebuilt and rep.pages == 3
    ix = windex.open_dir(str(index_dir(cfg)), indexname=INDEX_NAME)
    assert len(ix._segments()) == 3 and ix.doc_count() == 3
    ix.close()
    assert not [p for p in index_dir(cfg).parent.iterdir() if p.name.startswith("index.part-")]
    with Searcher(cfg) as s:
        multi = {q: [(h.path, round(h.score, 6)) for h in s.search(q).hits] for q in single}
    assert multi == single and multi["ガバクラ"][0][0] == "cloud/gov.md"
    (site / "docs" / "cloud" / "gov.md").write_text("# 移転の記録\n\n録音データの扱い。\n", encoding="utf-8")
    r = run_kb(site, "index")
    assert "1 updated" in r.stderr
    assert [h["path"] for h in search_json(run_kb, site, "録音データ")["results"]] == ["cloud/gov.md"]
    assert search_json(run_kb, site, "ガバクラ")["results"] == []


def test_length_norms_read_in_bulk_match_whoosh(run_kb, site) -> None:
    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.search.index import build_index
    from kb_tools.search.query import B, K1, Searcher

    cfg = load_config(site / "mkdocs.yml")
    build_index(cfg, build_corpus(cfg, use_cache=False), force=True, procs=2)
    (site / "docs" / "other.md").write_text("# 議事録の書き方\n\n会議の記録と録音データの扱い。" * 20, encoding="utf-8")
    build_index(cfg, build_corpus(cfg, use_cache=False))  # a third segment, a deleted document
    with Searcher(cfg) as s:
        r = s.searcher.reader()
        assert len(r.leaf_readers()) >= 2 and r.doc_count_all() > r.doc_count()
        want = [K1 * ((1 - B) + B * (r.doc_field_length(d, "body") or 0) / s._avgdl) for d in range(r.doc_count_all())]
        assert s._normlist == pytest.approx(want)
        assert s.search("録音データ").hits[0].path == "other.md"


def test_one_page_updates_add_a_segment_and_merge_past_the_limit(gen_corpus, monkeypatch) -> None:
    """An update commits without Whoosh's merge until MERGE_AT_SEGMENTS segments (then Whoosh's
    own policy decides); results stay right."""
    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.search import index as kbindex
    from kb_tools.search.query import Searcher

    monkeypatch.setattr(kbindex, "MERGE_AT_SEGMENTS", 3)
    root = gen_corpus(30, 4)
    cfg = load_config(root / "mkdocs.yml")
    kbindex.build_index(cfg, build_corpus(cfg), procs=1)
    victim = sorted(p for p in (root / "docs").rglob("*.md") if "_data" not in p.parts)[4]
    counts = []
    for i in range(5):
        victim.write_text(victim.read_text(encoding="utf-8") + f"\n合言葉{'イロハニホ'[i]}ヘト\n", encoding="utf-8")
        rep = kbindex.build_index(cfg, build_corpus(cfg))
        assert rep.updated == 1
        ix = kbindex.open_index(cfg)
        counts.append(len(ix._segments()))
        ix.close()
    assert counts[:3] == [2, 3, 4] and counts[-1] < max(counts)  # one segment per update, then Whoosh merges
    rel = victim.relative_to(root / "docs").as_posix()
    with Searcher(cfg) as s:
        assert [h.path for h in s.search("合言葉ホヘト", limit=3).hits][:1] == [rel]


def test_updates_merge_past_the_cold_builds_own_segments(gen_corpus, monkeypatch, tmp_path) -> None:
    """A cold build of several segments (one per process) is the base: the first updates of such
    an index add their own segment instead of merging every time (kb_meta.marshal base_segments)."""
    import shutil

    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.search import index as kbindex

    monkeypatch.setattr(kbindex, "MERGE_AT_SEGMENTS", 2)
    root = tmp_path / "site"
    shutil.copytree(gen_corpus(30, 4), root, ignore=shutil.ignore_patterns(".kb"))  # the corpus is shared
    cfg = load_config(root / "mkdocs.yml")
    kbindex.build_index(cfg, build_corpus(cfg), force=True, procs=3)
    assert kbindex.read_meta(kbindex.index_dir(cfg))["base_segments"] == 3
    victim = sorted(p for p in (root / "docs").rglob("*.md") if "_data" not in p.parts)[2]
    counts = []
    for i in range(3):
        victim.write_text(victim.read_text(encoding="utf-8") + f"\n追記{i}\n", encoding="utf-8")
        assert kbindex.build_index(cfg, build_corpus(cfg)).updated == 1
        ix = kbindex.open_index(cfg)
        counts.append(len(ix._segments()))
        ix.close()
    assert counts[:2] == [4, 5] and counts[2] < 6
