"""House style (prose.variant KB711, prose.config KB719): the variant matcher, what counts as running text, and the search dictionary."""

from __future__ import annotations

from pathlib import Path

import yaml

from kb_tools.analyzers.prose.style import Matcher, parse_style
from kb_tools.pageparse import ParseOptions, parse_page
from kb_tools.parse.slugs import DEFAULT_SLUGIFY

REPO = Path(__file__).resolve().parents[1]
STYLE = (REPO / "docs" / "_data" / "style.yml").read_bytes()


def hits(md: str, style: bytes = STYLE, magiclink: bool = True) -> list[tuple[int, int, str, str]]:
    opts = ParseOptions(DEFAULT_SLUGIFY, "-", True, magiclink, (("style.yml", style),))
    return parse_page("a.md", md.encode(), opts).extra.get("prose", [])


def test_variant_with_canonical_and_exact_column() -> None:
    assert hits("# 手順\n\nまずサーバの設定を確認する。\n") == [(3, 3, "サーバ", "サーバー")]


def test_canonical_protects_its_span_and_longest_wins() -> None:
    assert hits("サーバーとベンダーロックインとセキュリティ対策\n") == []
    assert hits("ベンダーに依頼し、セキュリティーを確認する\n") == [
        (1, 1, "ベンダー", "事業者"), (1, 10, "セキュリティー", "セキュリティ")]


def test_verb_forms_are_not_flagged() -> None:
    text = "窓口へ問い合わせる。事業者に問い合わせてください。引き継ぎます。取り扱います。\n"
    assert hits(text) == []
    assert [h[2] for h in hits("問い合わせ先と引き継ぎの日程\n")] == ["問い合わせ", "引き継ぎ"]


def test_division_names() -> None:
    assert [h[3] for h in hits("情報政策課と本課は同じ。基本課題と担当課は別。\n")] == ["デジタル戦略課"] * 2


def test_not_prose_front_matter_code_links_quotes_blockquotes() -> None:
    md = (
        "---\ntitle: サーバの手順\ndescription: ベンダー向け\n---\n"
        "`サーバ` と [サーバ構築の手引き](https://example.jp/サーバ) と <https://example.jp/ベンダー>\n"
        "https://example.jp/サーバ と「サーバ」と『ベンダー資料「サーバ」』\n\n"
        "```\nサーバ\n```\n\n"
        "    サーバ (indented code)\n\n"
        "> 引用のサーバ\n続きのベンダー\n\n"
        "<div>\nサーバ\n</div>\n\n"
        "[r]: https://example.jp/サーバ\n\n"
        "ここのサーバ\n"
    )
    assert hits(md) == [(len(md.split("\n")) - 1, 4, "サーバ", "サーバー")]


def test_headings_lists_tables_admonitions_are_prose() -> None:
    md = "## サーバ一覧\n\n- ユーザ登録\n\n| フォルダ |\n| --- |\n\n!!! note\n    ブラウザの設定\n"
    assert [(h[0], h[1]) for h in hits(md)] == [(1, 4), (3, 3), (5, 3), (9, 5)]


def test_no_style_file_no_hits() -> None:
    assert hits("サーバ\n", style=b"") == []


def test_style_problems_have_lines() -> None:
    st = parse_style("a: [b]\nc: x\nd:\n  - {pattern: '('}\ne: [{foo: 1}]\n".encode())
    assert [line for line, _ in st.problems] == [2, 3, 5]
    assert [e.canonical for e in st.entries] == ["a", "d", "e"]
    assert parse_style(b"a: [").problems[0][0] >= 1


def test_matcher_leftmost_then_longest() -> None:
    m = Matcher(parse_style("X1: [ab]\nX2: [abc]\nbcd: []\n".encode()))
    assert m.find("abcd") == [(0, "abc", "X2")]
    assert m.find("zbcd ab") == [(5, "ab", "X1")]


def test_synonyms_canonical_forms_are_the_style_forms() -> None:
    """Search (synonyms.yml) and the house style (style.yml) agree on every form both govern."""
    syn = yaml.safe_load((REPO / "docs" / "_data" / "synonyms.yml").read_text(encoding="utf-8"))
    style = parse_style(STYLE)
    canonical = {e.canonical for e in style.entries}
    variant_of = {lit: e.canonical for e in style.entries for lit in e.literals}
    import re

    patterns = [(re.compile(p), e.canonical) for e in style.entries for p in e.patterns]
    wrong = []
    for key in syn:
        if key in canonical:
            continue
        want = variant_of.get(key) or next((c for rx, c in patterns if rx.fullmatch(key)), None)
        if want is not None:
            wrong.append(f"{key} -> {want}")
    assert wrong == []
