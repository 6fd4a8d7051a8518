"""The site's prebuilt search index (kb_tools/search/shards.py, sitedocs.py), without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.search import shards
from kb_tools.search.analysis import JapaneseTokenizer
from kb_tools.search.document import page_document
from kb_tools.search.normalize import export_data
from kb_tools.search.sitedocs import page_url, site_docs


@given(st.lists(st.tuples(st.integers(0, 499), st.integers(4, 5000)), max_size=300))
@settings(max_examples=60, deadline=None)
def test_postings_round_trip(pairs: list[tuple[int, int]]) -> None:
    by_id = dict(pairs)
    ids = sorted(by_id)
    vals = [by_id[i] for i in ids]
    got = shards.decode_postings(shards.encode_postings(ids, vals, 500), 500)
    dense = len(ids) * 2 >= 500
    want = {i: (min(v >> 2, shards.DENSE_TF_MAX) << 2 | v & 3) if dense else v for i, v in zip(ids, vals)}
    assert got == want


def test_fnv1a_matches_the_reference_values() -> None:
    assert shards.fnv1a("") == 0x811C9DC5
    assert shards.fnv1a("a") == 0xE40C292C  # FNV-1a 32 of one 16-bit unit 0x0061 (low byte first)
    assert shards.fnv1a("設定") != shards.fnv1a("定設")


def test_page_url_follows_mkdocs() -> None:
    assert page_url("index.md") == ""
    assert page_url("a/index.md") == "a/"
    assert page_url("a/README.md") == "a/"
    assert page_url("a/b.md") == "a/b/"
    assert page_url("a/b.md", use_directory_urls=False) == "a/b.html"


PAGES = {
    "index.md": "# ホーム\n\n情報政策課のナレッジベース。\n",
    "cloud/aws.md": "---\ntitle: AWSアカウントの発行手順\n---\n# AWSアカウントの発行手順\n\nガバクラで使う。\n\n"
                    "## 追加のステータスコード\n\n戻されたときのコード。\n\n### 詳細 {#detail}\n\n細かい話。\n\n#### 深い\n\n深い。\n",
    "net/server.md": "# 庁内サーバー一覧\n\nサーバーの台帳。\n",
}


def _corpus(make_docs):
    root = make_docs({**PAGES, "_data/synonyms.yml": "ガバメントクラウド: [ガバクラ]\n"})
    cfg = load_config(root / "mkdocs.yml")
    return cfg, build_corpus(cfg, use_cache=False)


def test_sections_have_the_site_anchor_ids(make_docs) -> None:
    _, corpus = _corpus(make_docs)
    docs = {d.path: d for part in site_docs(corpus) for d in part}
    aws = docs["cloud/aws.md"]
    assert aws.url == "cloud/aws/"
    assert [(s[0], s[1]) for s in aws.sections] == [("追加のステータスコード", "追加のステータスコード"), ("detail", "詳細")]
    assert aws.sections[0][2] == "戻されたときのコード。"
    assert aws.intro == "ガバクラで使う。"


def _load(path: Path, call: str) -> object:
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(rf"{call}\((.*)\);\n", text, re.S)
    assert m, text[:200]
    body = m.group(1)
    if call != "kbSearchManifest":
        body = body.split(",", 1)[1]
    return json.loads(body)


def test_index_holds_the_whoosh_tokens_of_every_page(make_docs, tmp_path: Path) -> None:
    cfg, corpus = _corpus(make_docs)
    data = export_data(cfg)
    rep = shards.build_site_index(corpus, tmp_path / "idx", data=data, messages={"missing": "x"})
    assert rep.pages == 3 and rep.sections == 2
    assert rep.files == rep.shards + rep.big_terms + rep.chunks + rep.heads + 1
    m = _load(tmp_path / "idx" / "manifest.js", "kbSearchManifest")
    assert m["pages"] == 3 and m["data"]["version"] == data["version"] and m["messages"] == {"missing": "x"}
    heads_bytes = sum(f.stat().st_size for f in (tmp_path / "idx" / "h").glob("*.js"))
    assert m["bytes"] == rep.bytes_total - rep.bytes_manifest - heads_bytes  # shards, term files, store
    terms: dict[str, str] = {}
    for f in (tmp_path / "idx" / "s").glob("*.js"):
        sid = int(f.stem)
        shard = _load(f, "kbSearchShard")
        assert all(shards.fnv1a(t) % m["shards"] == sid for t in shard)
        terms.update(shard)
    tok = JapaneseTokenizer(data)
    pages = corpus.sorted_pages()
    for pid, page in enumerate(pages):
        counts = tok.counts(page_document(corpus, page)["body"])  # what kb index puts in Whoosh
        for t, tf in counts.items():
            if len(t) == 1:
                continue  # one-character terms hold their prefix merge
            v = shards.decode_postings(terms[t], len(pages))[pid]
            assert v >> 2 == tf, (page.path, t)
    aws = pages.index(corpus.pages["cloud/aws.md"])
    post = shards.decode_postings(terms["ガバ"], len(pages))  # the house dictionary applied
    assert aws in post and "ガバ" in terms and "メン" in terms
    assert post[aws] & 1 == 0  # not in the title
    assert shards.decode_postings(terms["発行"], len(pages))[aws] & 1 == 1  # in the title
    assert shards.decode_postings(terms["追加"], len(pages))[aws] & 2 == 2  # in a heading
    store = _load(tmp_path / "idx" / "d" / "0.js", "kbSearchDocs")
    assert store[aws][:2] == ["cloud/aws/", "AWSアカウントの発行手順"]
    heads = _load(tmp_path / "idx" / "h" / "0.js", "kbSearchHeads")  # url, title of each page
    assert m["heads"] == 1 and m["head"] >= 3 and heads[2 * aws:2 * aws + 2] == store[aws][:2]
    assert m["headBytes"] == heads_bytes
    term_bytes = sum(f.stat().st_size for d in ("s", "t") for f in (tmp_path / "idx" / d).glob("*.js"))
    assert m["termBytes"] == term_bytes > 0  # shards and term files: what a small site loads after a first answer
    assert heads == [x for e in store for x in e[:2]]


def test_rebuild_replaces_the_folder(make_docs, tmp_path: Path) -> None:
    _, corpus = _corpus(make_docs)
    out = tmp_path / "idx"
    shards.build_site_index(corpus, out)
    (out / "stale.js").write_text("x")
    shards.build_site_index(corpus, out)
    assert not (out / "stale.js").exists() and (out / "manifest.js").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
