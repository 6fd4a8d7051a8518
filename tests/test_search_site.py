"""Site search in a real headless Chromium: kb's prebuilt sharded index in Material's search UI.

Sites are built once (module/session fixtures) with the real ``kb`` plugin and the offline
plugin, so the same build serves http:// and file://: a small Japanese site (kb beside stock
Material), a generated 1,000-page site (bench/corpus.py) and this repository's own site. Every
request that is not to the local server or a file is aborted, and the tests assert there was none.
"""

from __future__ import annotations

import contextlib

import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb_tools.search.normalize import export_data, normalize
from kb_tools.site import search_glue

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from site_search import BOX, RESULTS_JS, Session, build_site, query_page, ranked_paths, serve, titles_of  # noqa: E402

pytestmark = pytest.mark.browser

PAGES = {
    "index.md": "# ホーム\n\n情報政策課のナレッジベースです。\n",
    "cloud/aws-account.md": """\
        ---
        title: AWSアカウントの発行手順
        ---
        # AWSアカウントの発行手順

        ガバメントクラウドで使う AWS アカウントを発行する手順。

        ## 追加のステータスコード

        申請が戻されたときに付くコードの一覧。
        """,
    "network/server-list.md": """\
        # 庁内サーバー一覧

        庁内ネットワークに置いたサーバーの台帳と、その更新手順。

        ## 台帳の更新

        四半期ごとに見直す。
        """,
    "handover/meeting.md": """\
        # 引継ぎ打合せの進め方

        異動の前に行う打ち合わせの議題と記録の残し方。
        """,
    "security/policy.md": """\
        # 情報セキュリティポリシーの改定

        ポリシーの改定手順と、職員への周知。
        """,
}
SYNONYMS = """\
ガバメントクラウド: [ガバクラ, ガバメント・クラウド]
サーバー: [サーバ]
打合せ: [打ち合わせ, 打ち合せ]
引継ぎ: [引き継ぎ, 引継]
"""

# query, kind, expected page
QUERIES = [
    ("追加のステータスコード", "h2 typed without spaces", "cloud/aws-account.md"),
    ("AWSアカウントの発行手順", "exact title", "cloud/aws-account.md"),
    ("ＡＷＳアカウント", "full-width ASCII", "cloud/aws-account.md"),
    ("ｻｰﾊﾞｰ一覧", "half-width katakana", "network/server-list.md"),
    ("サーバ一覧", "long vowel dropped", "network/server-list.md"),
    ("ガバクラ", "house dictionary synonym", "cloud/aws-account.md"),
    ("引き継ぎ打ち合わせ", "orthographic variants", "handover/meeting.md"),
    ("セキュリティポリシ", "long vowel dropped (2)", "security/policy.md"),
]
NOT_INITIALISED = "検索を初期化"


def _project(root: Path) -> Path:
    docs = root / "docs"
    for rel, text in PAGES.items():
        p = docs / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    (docs / "_data").mkdir(exist_ok=True)
    (docs / "_data" / "synonyms.yml").write_text(SYNONYMS, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, str]]]:
    proj = _project(tmp_path_factory.mktemp("small"))
    out = {}
    for name in ("kb", "stock"):
        b = tmp_path_factory.mktemp(f"small-{name}")
        urls = build_site(proj, b, name == "kb")[0]
        out[name] = (b / "site", urls)
    return out


@pytest.fixture(scope="session")
def generated(gen_corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """A 1,000-page generated corpus built once with kb (about a minute)."""
    corpus = gen_corpus(1000, 3)
    b = tmp_path_factory.mktemp("gen-kb")
    urls = build_site(corpus, b, True)[0]
    return b / "site", urls, corpus


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    b = tmp_path_factory.mktemp("repo-kb")
    urls = build_site(REPO, b, True)[0]
    return b / "site", urls


def _ranked(browser, site: Path, urls: dict[str, str], queries: list[str]) -> list[list[str]]:
    with serve(site) as base:
        return query_page(browser, base, urls, queries, 5)[0]


def test_kb_finds_every_kind_and_stock_does_not(browser, small) -> None:
    ours = _ranked(browser, *small["kb"], [q for q, _, _ in QUERIES])
    stock = _ranked(browser, *small["stock"], [q for q, _, _ in QUERIES])
    for (q, kind, want), got in zip(QUERIES, ours):
        assert got and got[0] == want, f"kb, {kind}: {q!r} → {got}, want {want} first"
    stock_misses = [kind for (q, kind, want), got in zip(QUERIES, stock) if want not in got[:5]]
    # Stock Material has no NFKC, no dictionary and does not segment queries.
    assert {"full-width ASCII", "half-width katakana", "house dictionary synonym"} <= set(stock_misses), stock


@contextlib.contextmanager
def _asked(browser, site: Path, query: str) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A browser session on ``site`` (served on 127.0.0.1) that has asked ``query`` and whose
    answer is complete (titles may render from the heads first; snippets fill in after)."""
    with serve(site) as base:
        s = Session(browser, base)
        try:
            s.open()
            s.ask(query)
            s.page.wait_for_function("() => (window.__kbSearchDone || 0) >= 1")
            yield s
        finally:
            s.close()


def test_material_index_and_worker_are_not_loaded(browser, small) -> None:
    with _asked(browser, small["kb"][0], "ガバクラ") as s:
        assert s.meta() == "1件見つかりました"
        markup = s.page.evaluate("document.querySelector('.md-search-result__item').outerHTML")
    assert not [u for u in s.requests if "search_index" in u or "workers/search" in u or "/lunr/" in u]
    assert s.outside == []
    for cls in ("md-search-result__link", "md-search-result__article md-typeset", "md-search-result__icon md-icon"):
        assert cls in markup
    assert "data-md-score" in markup and "<mark data-md-highlight" in markup


def test_small_site_loads_its_whole_index_after_the_first_answer(browser, small) -> None:
    site = small["kb"][0]
    index = site / search_glue.INDEX
    files = {p.relative_to(index).as_posix() for p in index.rglob("*.js")}
    with _asked(browser, site, "サーバ一覧") as s:
        def loaded() -> set[str]:
            return {u.split("/kb-search/index/", 1)[1] for u in s.requests if "/kb-search/index/" in u}
        s.page.wait_for_function("n => performance.getEntriesByType('resource')"
                                 ".filter(r => r.name.includes('/kb-search/index/')).length >= n", arg=len(files))
        assert loaded() == files
        n = len(s.requests)
        assert s.ask("引き継ぎ打ち合わせ")[:1] and s.meta() == "1件見つかりました"
        assert s.requests[n:] == []  # answered from what is loaded


def test_hostile_queries(browser, small) -> None:
    site, urls = small["kb"]
    hostile = ["", "<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>", ".*(a+)+$[",
               'a:b *("', "\\", "の", "、。！？", "x" * 10000, "あ" * 10000, "\x00\x07"]
    with serve(site) as base:
        s = Session(browser, base)
        try:
            s.open()
            for q in hostile:
                s.ask(q)
                meta = s.meta()
                assert meta and NOT_INITIALISED not in meta, (q[:20], meta)
                if len(q) >= 10000:
                    assert "200" in meta, meta  # searched its first 200 characters, and says so
            assert s.page.evaluate("window.__pwned") is None
            assert s.page.evaluate("document.querySelectorAll('.md-search-result__list script, "
                                   ".md-search-result__list img').length") == 0
            assert ranked_paths(s.ask("ガバクラ"), base, urls, 5)[:1] == ["cloud/aws-account.md"]
        finally:
            s.close()
    assert s.outside == []


def _broken_copy(site: Path, tmp: Path, what: str) -> Path:
    copy = tmp / f"site-{what}"
    shutil.copytree(site, copy)
    idx = copy / search_glue.INDEX
    shards = sorted((idx / "s").glob("*.js")) + sorted((idx / "t").glob("*.js"))
    for f in shards:
        if what == "missing":
            f.unlink()
        else:
            data = f.read_bytes()
            f.write_bytes(data[: len(data) // 2])
    return copy


@pytest.mark.parametrize("what", ["missing", "truncated"])
def test_broken_shard_shows_a_message(browser, small, tmp_path: Path, what: str) -> None:
    site = _broken_copy(small["kb"][0], tmp_path, what)
    for start in ("http", (site / "index.html").as_uri()):
        with serve(site) as base:
            s = Session(browser, base if start == "http" else start, "" if start == "http" else start)
            try:
                s.open()
                s.ask("ガバクラ", timeout_ms=30000)
                meta = s.meta()
            finally:
                s.close()
        assert "assets/kb-search/index/s/" in meta or "assets/kb-search/index/t/" in meta, meta  # names the file
        # the site's language (ja): module fixtures build before the KB_LANG=en test fixture applies
        assert ("見つかりません" if what == "missing" else "壊れています") in meta, meta


def test_missing_manifest_shows_a_message(browser, small, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(small["kb"][0], site)
    (site / search_glue.INDEX / "manifest.js").unlink()
    with serve(site) as base:
        s = Session(browser, base)
        try:
            s.open()
            s.ask("ガバクラ", timeout_ms=30000)
            assert "manifest.js" in s.meta()
        finally:
            s.close()


def test_sub_path_and_moved_folder(browser, small, tmp_path: Path) -> None:
    site, urls = small["kb"]
    with serve(site, prefix="city/kb/") as base:
        # the offline plugin turns directory URLs off: pages are .html files
        got = query_page(browser, base, urls, ["ガバクラ"], 5, start=base + "network/server-list.html")[0]
    assert got[0][:1] == ["cloud/aws-account.md"], got
    moved = tmp_path / "elsewhere" / "copy of site"
    shutil.copytree(site, moved)
    start = (moved / "network" / "server-list.html").as_uri()
    s = Session(browser, start, start)
    try:
        s.open()
        hrefs = s.ask("ガバクラ")
    finally:
        s.close()
    assert hrefs and hrefs[0].startswith(moved.as_uri()) and "/cloud/aws-account.html" in hrefs[0]
    assert s.outside == []


def test_highlight_uses_whole_words(browser, small) -> None:
    with _asked(browser, small["kb"][0], "ガバクラ") as s:
        marks = s.page.evaluate("Array.from(document.querySelectorAll('.md-search-result__list mark'))"
                                ".map(m => m.textContent)")
        href = s.page.evaluate("document.querySelector('.md-search-result__list a').href")
        s.page.goto(href)
        page_marks = s.page.evaluate("Array.from(document.querySelectorAll('article mark'))"
                                     ".map(m => m.textContent)")
    assert "h=%E3%82%AC%E3%83%90%E3%82%AF%E3%83%A9" in href  # ?h=ガバクラ, the word typed
    assert set(marks) == {"ガバメントクラウド"}, marks
    assert page_marks and set(page_marks) == {"ガバメントクラウド"}, page_marks


def test_generated_site_exact_titles_http_and_file(browser, generated) -> None:
    site, urls, corpus = generated
    items = titles_of(corpus, 40)
    counts: dict[str, int] = {}
    for t, _ in items:
        counts[t] = counts.get(t, 0) + 1
    items = [(t, p) for t, p in items if counts[t] == 1]
    got = _ranked(browser, site, urls, [t for t, _ in items])
    first = sum(1 for (t, p), r in zip(items, got) if r[:1] == [p])
    assert first >= 0.98 * len(items), [(t, p, r[:2]) for (t, p), r in zip(items, got) if r[:1] != [p]]
    start = (site / "index.html").as_uri()
    got_file = query_page(browser, start, urls, [t for t, _ in items[:5]], 5, start=start)[0]
    assert [r[:1] for r in got_file] == [[p] for _, p in items[:5]]


HEADS_LOADED = ("n => performance.getEntriesByType('resource')"
                ".filter(r => r.name.includes('/kb-search/index/h/')).length >= n")
ARTICLES = """() => Array.from(document.querySelectorAll('.md-search-result__list > li'))
  .map(li => Array.from(li.querySelectorAll('article')).map(a => a.textContent.trim()))"""


def test_later_answers_show_titles_before_their_store_chunks(browser, generated) -> None:
    """After a first answer the heads load in the background; a later answer is then rendered
    from them (titles, same order and links) while its store chunks are held back, and each
    result's intro and sections fill in when the chunks arrive."""
    site, urls, corpus = generated
    heads = len(list((site / search_glue.INDEX / "h").glob("*.js")))
    items = titles_of(corpus, 40)
    assert heads >= 2
    with serve(site) as base:
        s = Session(browser, base)
        try:
            s.open()
            s.ask(items[0][0])
            s.page.wait_for_function(HEADS_LOADED, arg=heads)
            s.page.wait_for_function("() => window.__kbSearchDone >= 1")  # the first answer complete
            done = s.page.evaluate("() => window.__kbSearchDone")
            held: list = []
            s.ctx.route(re.compile(r"/kb-search/index/d/"), lambda route: held.append(route))
            first = ranked_paths(s.ask(items[1][0]), base, urls, 5)
            before = s.page.evaluate(ARTICLES)
            assert held, "the store chunks of the answer were not requested"
            for route in held:
                route.continue_()
            s.page.wait_for_function("n => window.__kbSearchDone > n", arg=done)  # filled in
            after = s.page.evaluate(ARTICLES)
            assert ranked_paths(s.page.evaluate(RESULTS_JS), base, urls, 5) == first
        finally:
            s.close()
    assert first[:1] == [items[1][1]]
    # titles only (one article, no text) where the chunk was not here yet; then filled in
    titles_only = [i for i, b in enumerate(before) if len(b) == 1 and len(b[0]) < 40]
    assert titles_only and all(len(after[i]) > 1 or len(after[i][0]) > len(before[i][0]) for i in titles_only), \
        (before, after)
    assert [a[0][:len(b[0])] for a, b in zip(after, before)] == [b[0][:len(a[0])] for a, b in zip(after, before)]
    assert s.outside == []


TERM_FILES = "() => performance.getEntriesByType('resource').filter(r => /\\/kb-search\\/index\\/[st]\\//.test(r.name)).length"


@pytest.mark.parametrize("budget", [None, 0])
def test_term_files_load_after_the_first_answer_when_small(browser, generated, budget) -> None:
    """A site whose term files total at most the client's budget (the generated 1,000-page site:
    about 0.5 MB) loads them all in the background after the first answer; a later query then
    asks for no term file and is answered. Over the budget (forced: 0), only a query's own
    shards are loaded."""
    site, urls, corpus = generated
    index = site / search_glue.INDEX
    m = json.loads(re.search(r"kbSearchManifest\((.*)\);", (index / "manifest.js").read_text(encoding="utf-8"), re.S)[1])
    files = len(list((index / "s").glob("*.js"))) + len(list((index / "t").glob("*.js")))
    assert 0 < m["termBytes"] <= 1_000_000 and files == m["shards"] + len(m["big"]) and files > 8
    items = titles_of(corpus, 40)
    with serve(site) as base:
        s = Session(browser, base)
        if budget is not None:
            s.ctx.add_init_script(f"self.__kbTermsAll = {budget}")
        try:
            s.open()
            s.ask(items[0][0])
            s.page.wait_for_function("() => window.__kbSearchDone >= 1")
            if budget is None:
                s.page.wait_for_function(f"() => ({TERM_FILES})() >= {files}", timeout=30000)
                n = s.page.evaluate(TERM_FILES)
                assert n == files  # each once
                got = ranked_paths(s.ask(items[1][0]), base, urls, 5)
                assert s.page.evaluate(TERM_FILES) == n  # the later query asked for no term file
            else:
                s.page.wait_for_timeout(1500)
                assert s.page.evaluate(TERM_FILES) < files / 2
                got = ranked_paths(s.ask(items[1][0]), base, urls, 5)
        finally:
            s.close()
    assert got[:1] == [items[1][1]]
    assert s.outside == []


def test_background_files_wait_for_a_pause_in_typing(browser, generated) -> None:
    """Background files (here the term files) start only once no query has been typed or
    answered for a while (forced to 2 s): a query typed in that time resets the wait and
    loads only its own shards."""
    site, urls, corpus = generated
    items = titles_of(corpus, 40)
    with serve(site) as base:
        s = Session(browser, base)
        s.ctx.add_init_script("self.__kbBgQuiet = 2000")
        try:
            s.open()
            s.ask(items[0][0])
            s.page.wait_for_function("() => window.__kbSearchDone >= 1")
            first = s.page.evaluate(TERM_FILES)
            s.page.wait_for_timeout(1000)
            assert s.page.evaluate(TERM_FILES) == first  # nothing in the background yet
            s.ask(items[1][0])  # typed within the wait: it starts again
            s.page.wait_for_function("() => window.__kbSearchDone >= 2")
            second = s.page.evaluate(TERM_FILES)
            s.page.wait_for_timeout(1200)
            assert s.page.evaluate(TERM_FILES) == second  # 1.2 s after the second answer: still waiting
            s.page.wait_for_function(f"() => ({TERM_FILES})() > {second}", timeout=30000)  # then they come
        finally:
            s.close()
    assert s.outside == []


def test_repo_site_http_and_file(browser, repo_site) -> None:
    site, urls = repo_site
    want = "cloud/01-gov-cloud-overview.md"
    for start in ("http", (site / "index.html").as_uri()):
        with serve(site) as base:
            s = Session(browser, base if start == "http" else start, "" if start == "http" else start)
            try:
                s.open()
                got = ranked_paths(s.ask("ガバクラ"), s.start if start != "http" else base, urls, 5)
            finally:
                s.close()
        assert want in got, got
        assert s.outside == []
        assert not [u for u in s.requests if "search_index" in u]


def test_normaliser_port_matches_python(browser) -> None:
    cases = json.loads((REPO / "tests" / "data" / "normalize_cases.json").read_text(encoding="utf-8"))
    data = cases["data"]
    house = export_data(REPO / "docs")
    extra = ["ｻｰﾊﾞｰの設定", "ＡＷＳ", "ガバクラ移行", "サーバーコンピューター", "打合せ・引継ぎ", "😀ﾃｽﾄ", "Ⅻ㍻"]
    page = browser.new_page()
    try:
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(search_glue.ASSETS / "normalize.js"))
        got = page.evaluate(
            """([data, inputs, house, extra]) => {
                 const n = kbNormalizer.create(data), h = kbNormalizer.create(house);
                 const check = (m, s) => { const r = m.normalizeMap(s); return [m.normalize(s), r.out === m.normalize(s),
                   r.starts.length === r.out.length + 1 && r.starts.every((v, i, a) => i === 0 || a[i - 1] <= v)]; };
                 return [inputs.map(s => check(n, s)), extra.map(s => check(h, s))];
               }""",
            [data, [c["input"] for c in cases["cases"]], house, extra])
    finally:
        page.close()
    for case, (js, map_ok, starts_ok) in zip(cases["cases"], got[0]):
        assert js == case["expected"] == normalize(case["input"], data), case["name"]
        assert map_ok and starts_ok, case["name"]
    for s, (js, map_ok, starts_ok) in zip(extra, got[1]):
        assert js == normalize(s, house), s
        assert map_ok and starts_ok, s


def test_build_runs_without_mkdocs_too(tmp_path: Path) -> None:
    """The index is core logic: ``kb_tools.search.shards`` builds it from a Corpus alone."""
    code = ("import sys; from pathlib import Path; from kb_tools.config import load_config; "
            "from kb_tools.corpus import build_corpus; from kb_tools.search.shards import build_site_index; "
            "c = build_corpus(load_config(Path(sys.argv[1]))); print(build_site_index(c, Path(sys.argv[2])).pages); "
            "print('mkdocs' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code, str(REPO / "mkdocs.yml"), str(tmp_path / "idx")],
                         capture_output=True, text=True, check=True)
    pages, mk = res.stdout.split()
    assert int(pages) > 10 and mk == "False"


def test_background_heads_wait_while_a_query_is_answered(browser, generated, tmp_path, monkeypatch) -> None:
    """Loaded in the background (a site whose heads are too big to come with the first query:
    forced here), the heads files in flight finish, but no new one starts while a later query's
    shards are still loading; they go on once it is answered. (The generated site's index is
    written again with small heads files, to have more of them than are asked at once.)"""
    from kb_tools.search import shards
    from site_search import rewrite_search

    built, urls, corpus = generated
    site = tmp_path / "site"
    shutil.copytree(built, site)
    monkeypatch.setattr(shards, "HEADS_TARGET", 3000)
    rewrite_search(corpus, site, urls)
    heads = len(list((site / search_glue.INDEX / "h").glob("*.js")))
    assert heads >= 5
    items = titles_of(corpus, 40)
    asked = "() => performance.getEntriesByType('resource').filter(r => r.name.includes('/kb-search/index/h/')).length"
    heads_rx, shards_rx = re.compile(r"/kb-search/index/h/"), re.compile(r"/kb-search/index/[st]/")
    with serve(site) as base:
        s = Session(browser, base)
        s.ctx.add_init_script("self.__kbHeadsEarly = 0")
        held_heads: list = []
        s.ctx.route(heads_rx, lambda route: held_heads.append(route))
        try:
            s.open()
            s.ask(items[0][0])  # answered from the store; then three heads files are asked, and held
            s.page.wait_for_function("() => window.__kbSearchDone >= 1")
            s.page.wait_for_timeout(100)
            deadline = time.monotonic() + 10
            while len(held_heads) < 3 and time.monotonic() < deadline:
                s.page.wait_for_timeout(50)
            assert len(held_heads) == 3
            held_shards: list = []
            s.ctx.route(shards_rx, lambda route: held_shards.append(route))
            s.page.fill(BOX, items[1][0])
            s.page.dispatch_event(BOX, "keyup")
            while not held_shards and time.monotonic() < deadline:
                s.page.wait_for_timeout(50)
            assert held_shards, "the later query's shards were not asked"
            s.ctx.unroute(heads_rx)
            for route in held_heads:
                route.continue_()
            s.page.wait_for_function(f"() => ({asked})() >= 3")
            s.page.wait_for_timeout(400)  # idle callbacks have had their time: nothing new was asked
            assert s.page.evaluate(asked) == 3
            s.ctx.unroute(shards_rx)
            for route in held_shards:
                route.continue_()
            s.page.wait_for_function("() => window.__kbSearchDone >= 2", timeout=30000)
            s.page.wait_for_function(f"() => ({asked})() >= {heads}", timeout=30000)  # and the rest follow
        finally:
            s.close()
