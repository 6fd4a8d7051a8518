"""Real MkDocs builds of the site (one per session each): generated pages, metadata and banners,
escaping, glossary tooltips, no outside requests; and the same site in headless Chromium over
http://127.0.0.1 and file://."""

from __future__ import annotations

import functools
import http.server
import logging
import os
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config as mkdocs_load_config

from conftest import make_docs, serve_http
from kb_tools.commands.site import zip_site
from test_site_support import FILES, REPO, TODAY, site_yml

# Material's bundle names two CDN scripts it loads only on demand: a ResizeObserver polyfill
# (browsers without ResizeObserver; every supported browser has it) and Mermaid (pages with a
# mermaid fence, which this site does not configure: test_no_outside_asset_references checks
# that no page has one). The browser tests prove that neither is requested.
JS_ALLOWED = ("https://unpkg.com/resize-observer-polyfill", "https://unpkg.com/mermaid@")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _build(config_file: Path, site_dir: Path, strict: bool = True) -> list[logging.LogRecord]:
    cap = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(cap)
    level = logger.level
    logger.setLevel(logging.INFO)
    old = os.environ.get("KB_TODAY")
    old_lang = os.environ.get("KB_LANG")
    os.environ["KB_TODAY"] = TODAY.isoformat()
    os.environ["KB_LANG"] = "en"  # the assertions below read the English log lines
    try:
        cfg = mkdocs_load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    finally:
        logger.removeHandler(cap)
        logger.setLevel(level)
        if old is None:
            os.environ.pop("KB_TODAY", None)
        else:
            os.environ["KB_TODAY"] = old
        if old_lang is None:
            os.environ.pop("KB_LANG", None)
        else:
            os.environ["KB_LANG"] = old_lang
    return cap.records


@pytest.fixture(scope="session", name="fixture_site")
def fixture_fixture_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[logging.LogRecord]]:
    root = make_docs(tmp_path_factory.mktemp("kbsite"), FILES, site_yml())
    site = root / "site"
    # not strict: the fixture has an overdue page on purpose, and KB301 is a warning
    return site, _build(root / "mkdocs.yml", site, strict=False)


@pytest.fixture(scope="session", name="repo_site")
def fixture_repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("reposite") / "site"
    _build(REPO / "mkdocs.yml", site)
    return site


def _read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- built HTML


def test_generated_pages_exist_and_list_the_right_pages(fixture_site) -> None:
    site, _ = fixture_site
    tags = _read(site, "kb/tags.html")
    backup_section = tags.split('id="バックアップ"')[1]
    assert 'href="../ops/backup.html"' in backup_section and 'href="../ops/old.html"' in backup_section
    review = _read(site, "kb/review.html")
    assert 'href="../ops/backup.html"' in review and "505日超過" in review
    assert "担当者A" in _read(site, "kb/ownership.html")
    path = _read(site, "onboarding/paths/start.html")
    assert path.count('class="kb-step__check"') == 2
    assert 'href="../../ops/backup.html">夜間バックアップの確認手順</a>' in path
    assert path.index("ステップ 1") < path.index("終わったら")
    # the auto nav names the generated section in Japanese
    assert "ナレッジベースの状況" in _read(site, "index.html")


def test_page_metadata_and_banners(fixture_site) -> None:
    site, _ = fixture_site
    backup = _read(site, "ops/backup.html")
    assert "この手順書はレビュー期限を過ぎています" in backup
    assert re.search(r"<dt>担当</dt><dd>インフラ担当（担当者A）", backup)
    assert "担当者A（2027-03-31 異動予定）" in backup
    assert re.search(r"<dt>副担当</dt><dd>ネットワーク担当（担当者B）", backup)
    assert re.search(r"<dt>次回レビュー期限</dt><dd class=\"kb-meta__warn\">2025-07-09（505日超過）", backup)
    assert "<dt>最終レビュー</dt><dd>2025-01-10</dd>" in backup
    assert "<dt>タグ</dt><dd>バックアップ、LGWAN</dd>" in backup
    draft = _read(site, "ops/draft.html")
    assert "このページは下書きです" in draft and "レビュー期限を過ぎています" not in draft
    old = _read(site, "ops/old.html")
    assert "このページは廃止予定です" in old
    assert '<a href="backup.html">夜間バックアップの確認手順</a>' in old
    assert "レビュー期限を過ぎています" not in _read(site, "index.html")


def test_script_in_title_renders_escaped_everywhere(fixture_site) -> None:
    site, _ = fixture_site
    page = _read(site, "xss.html")
    assert "<title>&lt;script&gt;alert(&#39;kb&#39;)&lt;/script&gt;危険なタイトル - " in page
    for f in site.rglob("*.html"):
        assert "<script>alert(" not in f.read_text(encoding="utf-8"), f
    for f in (site / "search").glob("*"):
        assert "<script>alert(" not in f.read_text(encoding="utf-8"), f


def test_glossary_tooltips_next_to_japanese_text(fixture_site) -> None:
    site, _ = fixture_site
    backup = _read(site, "ops/backup.html")
    assert '<abbr title="Local Government Wide Area Network（えるじーわん） 自治体どうしを結ぶ行政専用の閉じたネットワーク。">LGWAN</abbr>接続系' in backup
    assert '<abbr title="（むがいか） ファイルから危険な部分を取り除いて別のネットワークへ渡す処理。">無害化</abbr>した' in backup


def test_build_reports_findings_once_like_kb_check(fixture_site) -> None:
    _, records = fixture_site
    # The overdue review is reported once, with kb check's text, at INFO: a stale page is still
    # published (banner + dashboard) and the calendar alone never fails `mkdocs build --strict`.
    warnings = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    assert warnings == []
    overdue = [r for r in records if "KB301" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in overdue] == [
        (logging.INFO, "kb_tools: ops/backup.md:8: KB301 review overdue by 505 days (due 2025-07-09, review interval) "
                       "(review the page, then run: kb review mark ops/backup.md)")]
    assert any("6 pages checked: 0 errors, 1 warnings" in r.getMessage() for r in records)


class _Assets(HTMLParser):
    """Collect every URL the browser would fetch by itself (not <a href> links)."""

    ATTRS = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("source", "src"),
             ("source", "srcset"), ("iframe", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"),
             ("embed", "src"), ("object", "data"), ("input", "src"), ("track", "src"), ("image", "href")}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for k, v in attrs:
            if v is None:
                continue
            if (tag, k) in self.ATTRS:
                self.urls.extend(u.strip().split(" ")[0] for u in v.split(",")) if k == "srcset" else self.urls.append(v)
            if k == "style":
                self.styles.append(v)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


_OUTSIDE = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""url\(\s*['"]?((?:https?:)?//[^'")\s]+)|@import\s+(?:url\()?\s*['"]?((?:https?:)?//[^'")\s;]+)""", re.I)
_JS_FETCH = re.compile(r"""(?:importScripts|fetch|import|Worker|_t)\s*\(\s*["'`]((?:https?:)?//[^"'`]+)|\.src\s*=\s*["'`]((?:https?:)?//[^"'`]+)""")


def outside_references(site: Path) -> list[str]:
    bad = []
    for f in sorted(site.rglob("*")):
        if f.suffix not in (".html", ".css", ".js"):
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        rel = f.relative_to(site).as_posix()
        if f.suffix == ".html":
            p = _Assets()
            p.feed(text)
            bad += [f"{rel}: {u}" for u in p.urls if _OUTSIDE.match(u)]
            bad += [f"{rel}: {m.group(1) or m.group(2)}" for s in p.styles for m in _CSS_URL.finditer(s)]
            if 'class="mermaid"' in text:
                bad.append(f"{rel}: a mermaid diagram makes Material load Mermaid from unpkg.com")
        elif f.suffix == ".css":
            bad += [f"{rel}: {m.group(1) or m.group(2)}" for m in _CSS_URL.finditer(text)
                    if not (m.group(1) or "").startswith("http://www.w3.org/")]
        else:
            bad += [f"{rel}: {m.group(1) or m.group(2)}" for m in _JS_FETCH.finditer(text)
                    if not (m.group(1) or m.group(2)).startswith(JS_ALLOWED)]
    return bad


def test_no_outside_asset_references(fixture_site, repo_site) -> None:
    for site in (fixture_site[0], repo_site):
        assert outside_references(site) == []
        index = _read(site, "index.html")
        assert "unpkg.com" not in index and "fonts.googleapis" not in index
        assert '<script src="assets/kb/iframe-worker-shim.js"></script>' in index


def test_scanner_catches_outside_references(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<link rel="stylesheet" href="https://cdn.example/x.css">'
                                     '<img srcset="//img.example/a.png 2x"><style>@import "https://f.example/a.css";</style>'
                                     '<a href="https://example.org/">a link is fine</a>', encoding="utf-8")
    (tmp_path / "b.css").write_text("body{background:url('https://x.example/bg.png')}", encoding="utf-8")
    (tmp_path / "c.js").write_text('importScripts("https://cdn.example/w.js")', encoding="utf-8")
    assert outside_references(tmp_path) == [
        "a.html: https://cdn.example/x.css", "a.html: //img.example/a.png", "a.html: https://f.example/a.css",
        "b.css: https://x.example/bg.png", "c.js: https://cdn.example/w.js"]


def test_repo_site_builds_with_generated_pages_and_japanese_nav(repo_site) -> None:
    for rel in ("kb/index.html", "kb/review.html", "kb/ownership.html", "kb/tags.html", "assets/kb/kb.css",
                "assets/kb/kb.js", "search/search_index.js"):
        assert (repo_site / rel).is_file(), rel
    index = _read(repo_site, "index.html")
    assert "<title>" in index and "デジタル戦略課 ナレッジベース" in index
    assert 'lang="ja"' in index
    for folder_title in ("ネットワーク", "情報セキュリティ", "ナレッジベースの状況"):
        assert f">{folder_title}" in index or folder_title in index


# ----------------------------------------------------------------------------- browser


@pytest.fixture(scope="module", name="served")
def fixture_served(fixture_site) -> Iterator[str]:
    site, _ = fixture_site
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))

    class Quiet(handler.func):  # type: ignore[name-defined,misc]
        def log_message(self, *args: object) -> None:
            pass

    with serve_http(functools.partial(Quiet, directory=str(site)), "/") as url:
        yield url


def _context(browser, allowed_prefix: str):  # type: ignore[no-untyped-def]
    """A fresh browser context that aborts and records every request outside the site."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    outside: list[str] = []

    def route(r) -> None:  # type: ignore[no-untyped-def]
        if r.request.url.startswith(allowed_prefix) or r.request.url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    seen: list[str] = []
    ctx.on("request", lambda req: seen.append(req.url))
    return ctx, outside, seen


def _search(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.click("input.md-search__input")
    page.fill("input.md-search__input", query)
    page.keyboard.press("End")  # Material searches on keyup
    page.wait_for_selector(".md-search-result__item a", timeout=15000)
    return page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")


def _check_site(browser, base: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
    ctx, outside, seen = _context(browser, prefix)
    try:
        page = ctx.new_page()
        page.goto(base + "ops/backup.html")
        banner = page.locator(".kb-banner--overdue")
        assert banner.is_visible()
        assert "この手順書はレビュー期限を過ぎています" in banner.inner_text()
        meta = page.locator(".kb-meta").inner_text()
        assert "インフラ担当（担当者A）" in meta and "ネットワーク担当（担当者B）" in meta
        assert page.locator(".md-search__input").is_visible()  # the box Material hides when search fails

        page.goto(base + "onboarding/paths/start.html")
        boxes = page.locator("input.kb-step__check")
        assert boxes.count() == 2
        boxes.nth(1).check()
        assert page.locator(".kb-path__count").inner_text() == "1 / 2"
        page.reload()
        boxes = page.locator("input.kb-step__check")
        assert not boxes.nth(0).is_checked() and boxes.nth(1).is_checked()
        assert page.locator(".kb-path__count").inner_text() == "1 / 2"
        assert page.locator(".kb-step--done").count() == 1

        hits = _search(page, "夜間バックアップの確認手順")  # the page's title
        assert urlsplit(hits[0]).path.endswith("/ops/backup.html"), hits
        page.wait_for_timeout(300)
        assert outside == [], outside
        assert [u for u in seen if not u.startswith((prefix, "data:", "blob:", "about:"))] == []
    finally:
        ctx.close()


@pytest.mark.browser
def test_site_in_browser_over_http(browser, served) -> None:
    _check_site(browser, served, served)


@pytest.mark.browser
def test_site_in_browser_from_file(browser, fixture_site, tmp_path: Path) -> None:
    # the zip `kb build --zip` writes, unpacked as staff would from a file share
    archive = tmp_path / "kb-site.zip"
    zip_site(fixture_site[0], archive)
    with zipfile.ZipFile(archive) as zf:
        assert all(n.startswith("kb-site/") for n in zf.namelist())
        zf.extractall(tmp_path / "unzipped")
    _check_site(browser, (tmp_path / "unzipped" / "kb-site").as_uri() + "/", "file://")
