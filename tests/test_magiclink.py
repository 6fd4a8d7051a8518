"""Bare URLs: the scanner links exactly what pymdownx.magiclink links on the site."""

from __future__ import annotations

import html
import re

import markdown
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kb_tools.model import LinkKind
from kb_tools.parse.markdown import scan


def site_hrefs(md: str) -> list[str]:
    out = markdown.Markdown(extensions=["pymdownx.magiclink", "tables", "fenced_code"]).convert(md)
    return sorted(html.unescape(h) for h in re.findall(r'<(?:a href|img[^>]*? src)="([^"]*)"', out))


def our_hrefs(md: str) -> list[str]:
    return sorted(lk.target for lk in scan(md.split("\n"), 1, True, True).links)


def bare(md: str) -> list[tuple[str, int, int]]:
    return [(lk.target, lk.line, lk.column) for lk in scan(md.split("\n"), 1, True, True).links
            if lk.kind == LinkKind.BARE]


TABLE = [
    # (text, URLs magiclink links): the end rules, including Japanese punctuation, which does
    # NOT end a URL (pymdownx 10: a URL runs to whitespace or '<').
    ("出典 https://www.soumu.go.jp/a.html 参照", ["https://www.soumu.go.jp/a.html"]),
    ("出典 https://www.soumu.go.jp/a.html、次の", ["https://www.soumu.go.jp/a.html、次の"]),
    ("https://a.example.jp/x。", ["https://a.example.jp/x。"]),
    ("出典：https://a.example.jp/x", []),  # full-width colon before: not linked
    ("「https://a.example.jp/x」", []),
    ("（https://a.example.jp/x）", []),
    ("(https://a.example.jp/x).", ["https://a.example.jp/x"]),
    ("(https://a.example.jp/x_(y)).", ["https://a.example.jp/x_(y)"]),
    ("www.digital.go.jp/policy.", ["http://www.digital.go.jp/policy"]),
    ("WWW.Digital.go.jp/a", ["http://WWW.Digital.go.jp/a"]),
    ("a https://a.example.jp/x?, b", ["https://a.example.jp/x"]),
    ("a https://a.example.jp/x&amp; b", ["https://a.example.jp/x"]),
    ("a https://a.example.jp/x; b", ["https://a.example.jp/x"]),
    ("*https://a.example.jp/x*", ["https://a.example.jp/x"]),
    ("[https://a.example.jp/x]", ["https://a.example.jp/x"]),
    ("https://a_b.example_jp", []),
    ("ftp://files.example.jp/a", ["ftp://files.example.jp/a"]),
    ("`https://a.example.jp/code`", []),
    ("[本文 https://a.example.jp/t](https://b.example.jp/d)", ["https://b.example.jp/d"]),
    ("<https://a.example.jp/auto>", ["https://a.example.jp/auto"]),
    ("<b>https://a.example.jp/x</b>", ["https://a.example.jp/x"]),
    ("> https://a.example.jp/q", ["https://a.example.jp/q"]),
    (">https://a.example.jp/q", ["https://a.example.jp/q"]),
    ("## 見出し https://a.example.jp/h", ["https://a.example.jp/h"]),
    ("- https://a.example.jp/li", ["https://a.example.jp/li"]),
    ("a https://a.example.jp/x\\_y", ["https://a.example.jp/x"]),
    ("```\nhttps://a.example.jp/fence\n```", []),
    ("para\n\n    https://a.example.jp/indented", []),
    ("| a | https://a.example.jp/cell |\n| --- | --- |\n| b | c |", ["https://a.example.jp/cell"]),
    ("[r]: https://a.example.jp/def\n\n[r]", ["https://a.example.jp/def"]),
]


@pytest.mark.parametrize(("text", "urls"), TABLE)
def test_table_agrees_with_magiclink(text: str, urls: list[str]) -> None:
    assert site_hrefs(text) == sorted(urls)
    assert our_hrefs(text) == sorted(urls)


def test_bare_url_positions() -> None:
    md = "前文\n出典 https://www.ppc.go.jp/a/ と www.ipa.go.jp/b。\n"
    assert bare(md) == [("https://www.ppc.go.jp/a/", 2, 4), ("http://www.ipa.go.jp/b。", 2, 31)]


def test_off_without_magiclink() -> None:
    assert scan(["https://a.example.jp/x"], 1, True, False).links == []


PART = st.sampled_from([
    "https://", "http://", "www.", "ftp://", "a.example.jp", "x_y", "/path", "/", ".", ",", "、", "。", "）",
    "(", ")", "[", "]", "*", "_", "~", "^", "'", "\"", "?", "!", ";", "&amp;", " ", "：", "「", "」",
    "日本語", "`code`", "[t](https://l.example.jp/d)", "<https://auto.example.jp>", "\\_", "#",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(PART, min_size=1, max_size=10).map("".join), min_size=1, max_size=3))
def test_property_scanner_links_what_magiclink_links(lines: list[str]) -> None:
    # an unclosed fence is a scanner approximation of its own (tests/test_scan.py), not magiclink's
    assume(not any(ln.lstrip().startswith(("~~~", "```")) for ln in lines))
    md = "\n\n".join(lines)
    assert our_hrefs(md) == site_hrefs(md)
