"""What kb's site search puts in every page, in a real headless Chromium.

On a large navigation (over 300 titles; forced lower here) the client gives the titles its own
class before Material's bundle runs (Material's ellipsis patch is quadratic in their number):
the tests hold that the page looks the same, a truncated title still gets its tooltip, and search
answers. The head carries ``search_glue.CONTAIN`` (the content column contained on screen from the
first style on, so neither opening the search nor an answer's frame restyles or repaints a long
page behind it). These tests hold that it changes nothing a reader sees (screenshots with and
without it, desktop and phone widths, and the printed page), that it is there before the search
opens and independent of Material's search toggle, and that the page still scrolls and links.
"""

from __future__ import annotations

import base64
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb_tools.site import search_glue

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from site_search import Session, build_site, serve  # noqa: E402

pytestmark = pytest.mark.browser

RICH = """\
    # 庁内ネットワークの構成

    庁内ネットワークの構成と、[サーバー一覧](server-{n}.md)への案内。

    !!! warning "注意"
        変更の前に必ず申請すること。

    | 機器 | 設置場所 | 管理者 | 更新日 | 備考 | とても長い列の見出しがここに続く | もう一つ長い列 |
    | --- | --- | --- | --- | --- | --- | --- |
    | ルーター | 本庁舎 3 階サーバー室 | 情報政策課 | 2024-04-01 | 冗長構成 | 長い長い長い長い長い長い長い説明文 | さらに長い説明 |

    ```python
    def configure(router: str, vlan: int) -> None:  # a long line that overflows the column on a phone screen for sure
        print(router, vlan)
    ```

    ??? note "詳細"
        折りたたまれた本文。

    ## 経路の設定

    経路表の更新手順。
    """
PAGES = 60  # the primary nav then overflows its sidebar at 720 px
LONG = "VeryLongIdentifierWithoutAnyBreakOpportunity_0123456789ABCDEFGHIJKLMNOP"  # truncated in the nav


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("page-glue")
    docs = root / "docs" / "network"
    docs.mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# ホーム\n\n情報政策課のナレッジベース。\n", encoding="utf-8")
    for i in range(PAGES):
        body = textwrap.dedent(RICH).replace("{n}", str((i + 1) % PAGES))
        (docs / f"server-{i}.md").write_text(f"---\ntitle: 庁内サーバー {i}\n---\n{body}", encoding="utf-8")
    (docs / "zz-long.md").write_text(f"---\ntitle: {LONG}\n---\n# {LONG}\n\n長い題名の頁。\n", encoding="utf-8")
    out = root / "build"
    build_site(root, out, True)
    return out / "site"


@pytest.fixture()
def page(browser, site: Path) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with serve(site) as base:
        s = Session(browser, base, base + "network/server-3.html")
        try:
            s.page.goto(s.start, wait_until="load")
            yield s
        finally:
            s.close()


CONTAIN_JS = "() => getComputedStyle(document.querySelector('.md-content')).contain"
DROP_JS = "() => document.querySelector('style[data-kb-contain]').remove()"


# Pixels of two PNG screenshots compared in the browser: sizes, differing pixels, the largest
# difference of one pixel (sum over R, G, B). Containment puts the content in a paint chunk of its
# own, so text may be rasterised a shade apart (a difference of 1-2 of 765): nothing a reader sees.
DIFF_JS = """async ([a, b]) => {
  const load = (s) => new Promise(r => { const i = new Image(); i.onload = () => r(i); i.src = 'data:image/png;base64,' + s });
  const A = await load(a), B = await load(b);
  const px = (img) => { const cv = document.createElement('canvas'); cv.width = img.width; cv.height = img.height;
    const x = cv.getContext('2d'); x.drawImage(img, 0, 0); return x.getImageData(0, 0, img.width, img.height).data };
  if (A.width !== B.width || A.height !== B.height) return {size: false, n: -1, max: -1};
  const da = px(A), db = px(B); let n = 0, max = 0;
  for (let i = 0; i < da.length; i += 4) {
    const d = Math.abs(da[i] - db[i]) + Math.abs(da[i + 1] - db[i + 1]) + Math.abs(da[i + 2] - db[i + 2]);
    if (d) { n++; max = Math.max(max, d) }
  }
  return {size: true, n: n, max: max};
}"""
INVISIBLE = 12  # of 765


def _shots(s: Session, width: int, height: int) -> tuple[bytes, bytes]:
    s.page.set_viewport_size({"width": width, "height": height})
    s.page.evaluate("() => document.fonts.ready")
    s.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return s.page.screenshot(full_page=True), s.page.screenshot()


def _diff(browser, a: bytes, b: bytes) -> dict:  # type: ignore[no-untyped-def]
    p = browser.new_page()
    try:
        return p.evaluate(DIFF_JS, [base64.b64encode(a).decode(), base64.b64encode(b).decode()])
    finally:
        p.close()


def test_content_is_contained_from_the_start_not_by_the_search_toggle(page: Session) -> None:
    s = page
    assert s.page.evaluate("() => document.querySelectorAll('style[data-kb-contain]').length") == 1
    assert s.page.evaluate("() => !!document.head.querySelector('style[data-kb-contain]')")
    assert s.page.evaluate(CONTAIN_JS) == "layout paint"
    # no style of kb's depends on Material's search toggle (a change of it would restyle the page)
    rules = s.page.evaluate("""() => Array.from(document.styleSheets).filter(sh => sh.ownerNode &&
      sh.ownerNode.matches('style')).flatMap(sh => Array.from(sh.cssRules).map(r => r.cssText))""")
    assert not [r for r in rules if "md-toggle" in r and "md-content" in r], rules
    s.page.click(search_glue.GLUE["input"].replace('class="', "input.").rstrip('"'))
    assert s.page.evaluate("() => document.querySelector('[data-md-toggle=search]').checked")
    assert s.page.evaluate(CONTAIN_JS) == "layout paint"
    s.page.emulate_media(media="print")
    assert s.page.evaluate(CONTAIN_JS) == "none"
    assert s.outside == []


@pytest.mark.parametrize("width,height", [(1280, 720), (390, 844)])
def test_containment_changes_nothing_a_reader_sees(browser, page: Session, width: int, height: int) -> None:
    s = page
    with_full, with_view = _shots(s, width, height)
    s.page.evaluate(DROP_JS)
    assert s.page.evaluate(CONTAIN_JS) == "none"
    without_full, without_view = _shots(s, width, height)
    for a, b in ((with_view, without_view), (with_full, without_full)):
        d = _diff(browser, a, b)
        assert d["size"] and d["max"] <= INVISIBLE, d


def test_page_still_scrolls_and_its_links_and_nav_answer(page: Session) -> None:
    s = page
    s.page.set_viewport_size({"width": 1280, "height": 720})
    nav = ".md-sidebar--primary .md-sidebar__scrollwrap"
    assert s.page.evaluate(f"() => {{ const w = document.querySelector('{nav}'); return w.scrollHeight > w.clientHeight }}")
    s.page.evaluate(f"() => {{ document.querySelector('{nav}').scrollTop = 400 }}")
    assert s.page.evaluate(f"() => document.querySelector('{nav}').scrollTop") > 0
    # a link of the scrolled nav in view is the element hit at its centre
    assert s.page.evaluate(f"""() => {{ const w = document.querySelector('{nav}').getBoundingClientRect();
      const a = Array.from(document.querySelectorAll('{nav} a.md-nav__link')).find(a => {{
        const r = a.getBoundingClientRect(); return r.height && r.top > w.top + 200 && r.bottom < w.bottom }});
      if (!a) return false;
      const r = a.getBoundingClientRect(), el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!el && el.closest('a') === a }}""")
    s.page.mouse.wheel(0, 600)
    s.page.wait_for_function("() => scrollY > 0")
    # a link of the scrolled content is the element hit at its centre, and leads to its page
    hit = s.page.evaluate("""() => { const a = document.querySelector(".md-content a[href*='server-4']");
      a.scrollIntoView({block: 'center'});
      const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
      const el = document.elementFromPoint(x, y);
      return el && el.closest('a') === a ? [a.href, x, y] : null }""")
    assert hit and hit[0].endswith("/network/server-4.html")
    s.page.mouse.click(hit[1], hit[2])
    s.page.wait_for_url(hit[0], wait_until="load")
    assert s.page.evaluate(CONTAIN_JS) == "layout paint"


NAV_MD = "() => document.querySelectorAll('.md-nav--primary .md-nav__link .md-ellipsis').length"
NAV_KB = "() => document.querySelectorAll('.md-nav--primary .kb-ellipsis').length"
LONG_SPAN = f"Array.from(document.querySelectorAll('.md-nav--primary .md-nav__link span')).find(e => e.textContent.trim() === {LONG!r})"


def test_a_large_navigation_takes_kb_class_and_looks_and_works_the_same(browser, site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(site) as base:
        url = base + "network/zz-long.html"
        plain = Session(browser, base, url)
        big = Session(browser, base, url)
        big.ctx.add_init_script("self.__kbEllipsisAt = 10")  # as if the navigation had over 300 titles
        errors: list[str] = []
        for s in (plain, big):
            s.page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            for s in (plain, big):
                s.page.set_viewport_size({"width": 1280, "height": 720})
                s.page.goto(url, wait_until="load")
            n = plain.page.evaluate(NAV_MD)
            assert n > 10 and plain.page.evaluate(NAV_KB) == 0  # a small navigation: Material's as it is
            assert big.page.evaluate(NAV_MD) == 0 and big.page.evaluate(NAV_KB) == n
            style = f"() => {{ const e = {LONG_SPAN}; const c = getComputedStyle(e); return [c.overflow, c.textOverflow, c.position, e.offsetWidth < e.scrollWidth] }}"
            assert big.page.evaluate(style) == plain.page.evaluate(style) == ["hidden", "ellipsis", "relative", True]
            shots = [_shots(s, 1280, 720)[1] for s in (plain, big)]
            d = _diff(browser, *shots)
            assert d["size"] and d["max"] <= INVISIBLE, d
            # the truncated title gets its tooltip when pointed at (Material's does when it is visible)
            host = f"() => {{ const a = ({LONG_SPAN}).closest('a'); return a.title }}"
            assert big.page.evaluate(host) == ""
            box = big.page.evaluate(f"() => {{ const r = ({LONG_SPAN}).getBoundingClientRect(); return [r.left + 5, r.top + r.height / 2] }}")
            big.page.mouse.move(box[0], box[1])
            big.page.wait_for_function(host)
            assert big.page.evaluate(host) == LONG
            plain.page.wait_for_function(host)  # Material's own patch, for comparison
            assert plain.page.evaluate(host) == LONG
            # and search answers as before
            big.page.click(search_glue.GLUE["input"].replace('class="', "input.").rstrip('"'))
            big.page.fill("input.md-search__input", "サーバー")
            big.page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0")
            assert big.outside == [] and plain.outside == []
            assert errors == []  # the client's scripts ran through (no error in either page)
        finally:
            plain.close()
            big.close()
