"""The ledger's pages in a real MkDocs build (Material theme and overrides of this repository)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

from mkdocs.commands.build import build
from mkdocs.config import load_config as mkdocs_load_config

from test_systems import BASE

REPO = Path(__file__).resolve().parent.parent
YML = """\
site_name: テスト
theme:
  name: material
  language: ja
  custom_dir: overrides
use_directory_urls: false
exclude_docs: |
  _data/
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds: {case: lower}
  - admonition
  - attr_list
  - md_in_html
  - tables
plugins:
  - kb
"""


def _site(make_docs) -> Path:
    page = BASE["index.md"] + '\n!!! warning "要確認"\n    本市の窓口は未確認。\n'
    ledger = BASE["_data/systems.yml"].replace("end: 2030-03-31}", "end: 2027-12-31}\n    support_end: 2028-06-30")
    return build_site(make_docs({**BASE, "index.md": page, "_data/systems.yml": ledger}, YML))


def build_site(root: Path, strict: bool = False) -> Path:
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    cfg = mkdocs_load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=strict)
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return root / "site"


def test_ledger_pages_in_a_real_build(make_docs) -> None:
    site = _site(make_docs)
    ledger = (site / "kb/systems/index.html").read_text(encoding="utf-8")
    assert "システム台帳" in ledger and 'href="juki.html"' in ledger
    system = (site / "kb/systems/juki.html").read_text(encoding="utf-8")
    assert "事業者" in system and 'href="../../ops/r.html"' in system and "担当者A" in system
    coverage = (site / "kb/systems/coverage.html").read_text(encoding="utf-8")
    assert coverage.count("kb-cov kb-cov--ok") == 3 and "あり" in coverage

    timeline = (site / "kb/systems/timeline.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg[^>]*class="kb-chart__svg".*?</svg>', timeline, re.S).group(0)
    root = ElementTree.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "契約満了とサポート終了の年表" and root.find(f"{ns}desc").text
    assert root.get("role") == "img"
    assert "今日" in svg and "<script" not in timeline.split("<article")[1].split("</article>")[0]
    table = timeline.rsplit("表（図と同じ内容）", 1)[1]
    assert "2027-12-31" in table and "2028-06-30" in table and "2027-07-04" in table  # end − 180 days

    ownership = (site / "kb/ownership.html").read_text(encoding="utf-8")
    assert 'aria-labelledby="kb-busfactor-t kb-busfactor-d"' in ownership and "ロール別の担当システム" in ownership

    home = (site / "index.html").read_text(encoding="utf-8")
    assert "要確認" in home and "1件" in home and "関係システム" in home and "住民記録" in home
    assert "契約更新（juki）" in home  # the review is due before the contract renewal


def test_timeline_dates_are_placed_by_day() -> None:
    from kb_tools.site.pages.charts import Row, timeline_svg

    today = dt.date(2026, 12, 1)
    svg = timeline_svg([Row("A", (("contract", dt.date(2027, 12, 1)),))], today, 36)
    xs = [float(x) for x, y in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="10"', svg) if float(y) > 40]
    line = float(re.search(r'<line x1="([\d.]+)"[^>]*stroke="#c62828"', svg).group(1))
    assert len(xs) == 1 and xs[0] + 5 > line  # the contract end lies right of today's line


def test_no_per_system_pages_past_the_limit() -> None:
    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.site.pages.systems import ledger_pages

    corpus = build_corpus(load_config(REPO / "mkdocs.yml"), use_cache=False)
    today = dt.date(2026, 12, 1)
    assert "kb/systems/juki.md" in ledger_pages(corpus, today)
    corpus.config.kb.systems.max_system_pages = 10
    corpus._derived.clear()
    pages = ledger_pages(corpus, today)
    assert sorted(pages) == ["kb/systems/coverage.md", "kb/systems/index.md", "kb/systems/timeline.md"]
    assert "juki.md" not in "".join(pages.values())


def test_ledger_tables_are_html_whose_links_reach_built_pages(make_docs) -> None:
    """The ledger's tables are written as raw HTML (cheap for MkDocs); their links are the URLs
    MkDocs gives the pages, with directory URLs as well as without."""
    from urllib.parse import unquote

    for yml in (YML, YML.replace("use_directory_urls: false\n", "")):
        site = build_site(make_docs(dict(BASE), yml))
        hrefs = 0
        for page in sorted((site / "kb" / "systems").rglob("*.html")):
            article = page.read_text(encoding="utf-8").split("<article", 1)[1].split("</article>", 1)[0]
            assert "<table>" in article and "| --- |" not in article
            for href in re.findall(r'<a href="([^"#]+)', article):
                if href.startswith(("http:", "https:", "mailto:")):
                    continue
                target = (page.parent / unquote(href)).resolve()
                target = target / "index.html" if target.is_dir() else target
                assert target.is_file(), f"{page.relative_to(site)}: {href}"
                hrefs += 1
        assert hrefs >= 3
