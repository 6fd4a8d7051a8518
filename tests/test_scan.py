"""The body scanner: heading ids identical to the site's renderer, link positions exact."""

from __future__ import annotations

import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify as default_slugify
from pymdownx.slugs import slugify as pymdownx_slugify

from kb_tools.parse import slugs
from kb_tools.parse.markdown import scan

UNICODE_SLUG = pymdownx_slugify(case="lower")


def our_ids(md: str, slugify=UNICODE_SLUG, attr_list: bool = True) -> list[str]:
    res = scan(md.split("\n"), 1, attr_list)
    texts = [slugs.heading_text(h.markdown) for h in res.headings]
    return slugs.assign_ids(zip(texts, [h.explicit_id for h in res.headings]), slugify, "-", reserved=res.explicit_ids)


def site_ids(md: str, slugify=UNICODE_SLUG) -> list[str]:
    # MkDocs always adds toc, tables and fenced_code to the configured extensions.
    html = markdown.Markdown(extensions=["toc", "attr_list", "fenced_code", "tables"], extension_configs={"toc": {"slugify": slugify}}).convert(md)
    return re.findall(r'<h[1-6] id="([^"]*)"', html)


def test_japanese_heading_ids_and_dedup() -> None:
    md = "# はじめに\n\n## セットアップ手順\n\n## Setup Guide\n\n## セットアップ手順\n"
    assert our_ids(md) == ["はじめに", "セットアップ手順", "setup-guide", "セットアップ手順_1"]
    assert our_ids(md) == site_ids(md)


def test_default_slugify_gives_positional_ids() -> None:
    md = "# はじめに\n\n## セットアップ手順\n\n## Setup Guide\n\n## セットアップ手順\n"
    assert our_ids(md, default_slugify) == ["_1", "_2", "setup-guide", "_3"] == site_ids(md, default_slugify)


def test_inline_markup_explicit_ids_and_code() -> None:
    md = (
        "# `kb check` の**使い方** {#usage}\n\n"
        "## [リンク](a.md)と_強調_ と <span>HTML</span>\n\n"
        "```\n# not a heading\n```\n\n"
        "    # indented code, not a heading\n\n"
        "Setext 見出し\n---\n\n"
        "## usage\n\n"
        "#ハッシュのみ\n"
    )
    assert our_ids(md) == site_ids(md)


def test_links_positions_kinds() -> None:
    md = (
        "前文 [手順](../vpn/setup.md#手順) と ![図](img/a.png \"t\")\n"
        "`[code](x.md)` は無視\n"
        "<a href=\"other.md\" id=\"raw\">x</a> <https://example.jp/a>\n"
        "[ref]\n\n[ref]: refs/target.md\n"
    )
    res = scan(md.split("\n"), 10)
    got = [(lk.target, lk.line, lk.column, lk.kind) for lk in res.links]
    assert ("../vpn/setup.md#手順", 10, 9, "link") in got
    assert ("img/a.png", 10, 36, "image") in got
    assert ("other.md", 12, 10, "html") in got
    assert ("https://example.jp/a", 12, 36, "autolink") in got
    assert ("refs/target.md", 15, 8, "link") in got
    assert not any(t == "x.md" for t, *_ in got)
    assert "raw" in res.html_ids
    lines = md.split("\n")
    for t, line, col, _ in got:
        assert lines[line - 10][col - 1:].startswith(t)


def test_html_comments_and_fences_hide_links() -> None:
    md = "<!-- [a](hidden.md)\n[b](hidden2.md) -->\n~~~md\n[c](x.md)\n~~~\n[d](seen.md)\n"
    assert [lk.target for lk in scan(md.split("\n"), 1).links] == ["seen.md"]


HEADING_WORDS = st.sampled_from(["手順", "確認", "Setup", "切り戻し", "VPN 接続", "概要", "_1", "a-b", "日本語 見出し", "`code`", "**太字**"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.lists(HEADING_WORDS, min_size=1, max_size=3),
                          st.sampled_from(["", "", " {#x}", " {#手順}"])), min_size=1, max_size=8))
def test_heading_ids_match_python_markdown(heads) -> None:
    md = "\n\n".join("#" * lvl + " " + " ".join(words) + attr for lvl, words, attr in heads) + "\n"
    assert our_ids(md) == site_ids(md)


def test_indented_hash_line_at_top_level_is_no_heading() -> None:
    """Python-Markdown takes ``#`` as a heading only at the start of a line (inside a list item
    or an admonition, of its un-indented content): one to three spaces before it at the top level
    make a paragraph (found by the magiclink property test: `` #https://https://``)."""
    for md in (" # x\n", "  ## 手順\n", "   ### y {#z}\n", "text\n\n # x\n\n# real\n"):
        assert our_ids(md) == site_ids(md), md


LINE_PARTS = st.sampled_from(["text ", "日本語 ", "[a](b.md) ", "![画像](p/q.png) ", "`[x](y.md)` ", "[c](d.md#見出し) ",
                              "<a href=\"h.md\">h</a> ", "\\[no](link.md) ", "[t](<sp ace.md>) ", "**[bold](e.md)** "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(LINE_PARTS, max_size=5).map("".join), min_size=1, max_size=6))
def test_link_positions_point_at_target(lines) -> None:
    res = scan(lines, 1)
    for lk in res.links:
        assert lines[lk.line - 1][lk.column - 1:].startswith(lk.target)
        assert lk.target not in ("y.md", "link.md")  # code span and escaped bracket are not links


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=12), st.lists(st.text(min_size=1, max_size=5), max_size=3))
def test_assign_ids_never_raise_and_are_unique(texts, reserved) -> None:
    ids = slugs.assign_ids([(t, None) for t in texts], UNICODE_SLUG, "-", reserved=reserved)
    assert len(ids) == len(texts)
    assert len(set(ids)) == len(ids)
    assert not set(ids) & set(reserved)
    # slugify is idempotent on its own output
    for i in ids:
        assert UNICODE_SLUG(i, "-") == i or i.rsplit("_", 1)[0] != i


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
       st.lists(st.sampled_from(["a", "b", "..", ".", "", "c.md", "日本.md"]), min_size=1, max_size=5))
def test_join_norm_is_normpath(base_parts, rel_parts) -> None:
    import posixpath

    from kb_tools.parse.links import join_norm

    base, rel = "/".join(base_parts), "/".join(rel_parts)
    if rel.startswith("/"):
        return
    want = posixpath.normpath(posixpath.join(base, rel))
    assert join_norm(base, rel) == ("" if want == "." else want)


# The scanner's link patterns with their loops possessive (a speed-up) must match exactly what the
# plain patterns match, on text made of the characters that matter to them.
_PLAIN_LINK_RE = re.compile(
    r"(?<!\\)(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)\]"
    r"\([ \t]*(?P<dest><[^<>\n]*>|(?:[^()\s\\]|\\.|\((?:[^()\s\\]|\\.)*\))*)"
    r"(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*\)"
)
_PLAIN_REF_USE_RE = re.compile(r"(?<!\\)(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.)*)\](?:[ ]?\[(?P<ref>[^\[\]]*)\])?")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="[]()\\<>!\"' \tab見.#", max_size=40))
def test_possessive_link_patterns_match_the_plain_ones(line) -> None:
    from kb_tools.parse import markdown as m

    for fast, plain in ((m._LINK_RE, _PLAIN_LINK_RE), (m._REF_USE_RE, _PLAIN_REF_USE_RE)):
        assert [(x.span(), x.groupdict()) for x in fast.finditer(line)] == \
               [(x.span(), x.groupdict()) for x in plain.finditer(line)]
    # the scanner's search, trying the pattern only at a "[" or the "!" before one
    assert [(x.span(), x.groupdict()) for x in m._links_in(line)] == \
           [(x.span(), x.groupdict()) for x in _PLAIN_LINK_RE.finditer(line)]


_W_PAGES = {"a.md", "b/c.md", "b/d e.md", "x.md", "b/.md", "b/x.", "c", "b/c", "b/a.md"}


_TARGETS = st.one_of(st.sampled_from(sorted(_W_PAGES) + ["c.md", "a.md", " a.md", "a.md ", "./a.md", "a.md#x", "a%2emd",
                                                         "b/c.md#", "b/c.md#x y", "a.md#x ", "a.md?q#x", "b/c#%20", "a.md##"]),
                     st.text(alphabet="ab/.c:%#?{}\\ md\u3000x", max_size=10))


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["", "b", "b/c"]),
       st.one_of(_TARGETS, st.builds(lambda ups, t: "../" * ups + t, st.integers(1, 3), _TARGETS)))
def test_resolve_page_fast_path_agrees_with_resolve_target(src_dir, target) -> None:
    """The fast paths (a plain path; ``../`` steps, a fragment) give what resolve_target gives."""
    from kb_tools.model import Link
    from kb_tools.parse.links import World, resolve_page, resolve_target

    world = World.build(_W_PAGES, {"img/p.png"}, set(), False)
    src = f"{src_dir}/self.md" if src_dir else "self.md"
    from kb_tools.parse import links as lk

    page_links = [Link(target, 1, 1, "link"), Link("a.md", 2, 1, "link"), Link(target, 3, 5, "image")]
    fast = resolve_page(world, src, page_links)
    saved = lk._plain
    lk._plain = lambda _t: False  # every link through resolve_target
    try:
        general = resolve_page(world, src, page_links)
    finally:
        lk._plain = saved
    assert fast == general
    if lk._plain(target) and f"{src_dir}/{target}".lstrip("/") in _W_PAGES:  # the fast path was taken
        assert resolve_target(world, src, src_dir, target)[0] == "page"


_ITEM_LINES = st.sampled_from([
    "- [a](b.md)", "- [ページ](dir/p.md)", "- []()", "- [a](b.md) tail", "- text", "- - -", "- https://example.jp/x",
    "- [a](b.md#x)", "-  two spaces", "- [a] b", "---", "===", "-", "", "", "text", "# h", "<div>", "</div>", "> q",
    "> - [q](q.md)", "```", "    code", "    - [i](i.md)", "<!--", "-->", "[r]: r.md", "- [r]", "!!! note", "  - [n](n.md)",
    "- [x](<y.md>)", "- [a](b.md){: #id }", "- `c`", "- <b>x</b>", "- a\tb",
    "## 見出し", "### a ###", "####### x", "## a #b", "# h {#id}", "## `c`", "#", "##", "## \\#", "# a\t#", "#\tx",
    "## x ", "## a ## ", "# a #\t \t", "# [l](l.md)", "#x", "## a\u3000", "###### ####", "# > q", "# a --> b", "# https://x.jp",
])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_ITEM_LINES | st.sampled_from(["plain text", "見出し", "テキスト [a](b.md)", "a https://x.jp",
                                              "t [a](b.md) [c](d.md#e)", "t ![i](i.png)", "t [r] x", "t [a](b.md) [r]",
                                              "t [^1] x", "t [^x](y.md)", "![i](i.png)", "![i](i.png) t [a](b.md)", "![a]", "![r]", "!!! n", "![", "t \\[a](b.md)", "t [a] (b.md)", "t [[a](b.md)]", "[^1]: n"]),
                min_size=1, max_size=12), st.booleans(), st.booleans(), st.booleans())
def test_list_item_fast_path_is_the_general_path(lines, attr_list, magiclink, collect) -> None:
    """The scanner's fast paths — ``- text`` / ``- [text](target)`` lines, plain text lines, ATX headings —
    give what its general path gives (run with both fast paths' patterns replaced by ones that
    never / always match), collecting prose lines (``style.yml`` present) or not."""
    from kb_tools.parse import markdown as m

    def run() -> tuple:
        prose: list | None = [] if collect else None
        r = m.scan(lines, 1, attr_list, magiclink, prose)
        return (r.headings, r.links, r.explicit_ids, r.html_ids, r.footnote_defs, r.footnote_refs, prose)

    fast = run()
    saved = m._SIMPLE_ITEM_RE, m._PLAIN_FAST
    m._SIMPLE_ITEM_RE, m._PLAIN_FAST = re.compile(r"(?!)"), False
    try:
        general = run()
    finally:
        m._SIMPLE_ITEM_RE, m._PLAIN_FAST = saved
    assert fast == general


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["", "b", "b/c"]),
       st.lists(st.one_of(st.sampled_from(["", ".", "./", "#x", "self.md", "other.md#y", "../self.md", "b/", "..", "./#z",
                                           "other.md", "c", "c/"]),
                          st.text(alphabet="ab/.c:%#?\\ mdx", max_size=8)), min_size=1, max_size=6))
def test_resolve_page_memo_equals_a_fresh_resolution(src_dir, targets) -> None:
    """The per-process memo of (folder, target) never hands one page another page's result."""
    from kb_tools.model import Link
    from kb_tools.parse import links as lk

    world = lk.World.build(_W_PAGES | {"self.md", "other.md", "b/self.md", "b/other.md", "b/c/self.md"},
                             set(), set(), False)
    links = [Link(t, i + 1, 1, "link") for i, t in enumerate(targets)]
    srcs = [f"{src_dir}/self.md" if src_dir else "self.md", f"{src_dir}/other.md" if src_dir else "other.md"]
    lk._MEMO.clear()
    memoised = [lk.resolve_page(world, s, links) for s in srcs + srcs[::-1]]
    fresh = []
    for s in srcs + srcs[::-1]:
        lk._MEMO.clear()
        fresh.append(lk.resolve_page(world, s, links))
    assert memoised == fresh


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["概要", "手順", "手順", "A b", "a-b", "", " ", "x_1", "Ünï"]), max_size=8),
       st.lists(st.sampled_from(["手順", "x", "a-b"]), max_size=2))
def test_slug_memo_gives_what_slugify_gives(texts, reserved) -> None:
    """assign_ids' per-process memo of slugs: the ids of a slugify called afresh for every heading."""
    slugs._SLUGS.clear()
    first = slugs.assign_ids([(t, None) for t in texts], UNICODE_SLUG, "-", reserved=reserved)
    again = slugs.assign_ids([(t, None) for t in texts], UNICODE_SLUG, "-", reserved=reserved)
    calls: list[str] = []

    def counting(text: str, sep: str) -> str:
        calls.append(text)
        return UNICODE_SLUG(text, sep)

    fresh = slugs.assign_ids([(t, None) for t in texts], counting, "-", reserved=reserved)
    assert first == again == fresh
    assert len(calls) == len(set(texts))  # each text slugified once


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", "a_1", "a_2", "a_3", "a_0", "a_01", "_1", "", "b", "a_1_1", "x_9"]), max_size=14),
       st.lists(st.sampled_from(["a", "a_1", "a_2", "a_4", "_1", "b_1"]), max_size=3), st.booleans())
def test_unique_is_python_markdowns(ids, reserved, with_counters) -> None:
    """kb's own ``unique`` (no Python-Markdown import) numbers ids exactly as ``toc.unique`` does,
    with and without the per-page counters."""
    from markdown.extensions.toc import unique as toc_unique

    ours_used, theirs_used = set(reserved), set(reserved)
    ours_c, theirs_c = ({}, {}) if with_counters else (None, None)
    ours = [slugs.unique(i, ours_used, ours_c) for i in ids]
    theirs = [toc_unique(i, theirs_used, theirs_c) for i in ids]
    assert ours == theirs and ours_used == theirs_used


def test_default_slugify_is_python_markdowns_and_a_check_imports_no_markdown(tmp_path) -> None:
    """The default slugify gives toc.slugify's slugs; a page parsed under a site that names
    pymdownx's slugify imports no Python-Markdown (its import was ~45 ms of a one-page re-check)."""
    import subprocess
    import sys

    for text in ("Setup Guide", "手順 1", "Ünïcode ok", "a--b  c"):
        assert slugs.DEFAULT_SLUGIFY(text, "-") == default_slugify(text, "-")
    assert slugs.is_default_slugify(default_slugify) and slugs.is_default_slugify(slugs.DEFAULT_SLUGIFY)
    assert not slugs.is_default_slugify(UNICODE_SLUG)
    code = r"""
import sys
from pymdownx.slugs import slugify
from kb_tools.pageparse import ParseOptions, parse_page
page = parse_page("a.md", "# 手順\n\n## 手順\n".encode(), ParseOptions(slugify(case="lower"), "-", True, False, ()))
print(sorted(page.anchors), [m for m in sys.modules if m == "markdown" or m.startswith("markdown.")])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['手順',", "'手順_1']", "[]"], out


def test_slug_memo_skips_an_unhashable_slugify() -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self, text: str, sep: str) -> str:
            return text.lower()

    assert slugs.assign_ids([("A", None), ("A", None)], Unhashable(), "-") == ["a", "a_1"]


# what links._plain rules out (a scheme, %, fragment, query, template, backslash, a . segment, a
# leading or trailing / or .), as the pattern it replaced
NOT_PLAIN = re.compile(r"[:%#?{\\]|\./|//|^[/.]|[/.]$")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab/.:%#?{}\\ \n\t\u3000x", max_size=8))
def test_plain_target_test_is_its_pattern(target) -> None:
    """links._plain's character tests rule out exactly what its pattern (NOT_PLAIN) describes."""
    from kb_tools.parse import links as lk

    assert lk._plain(target) == (bool(target) and len(target.strip()) == len(target)
                                 and NOT_PLAIN.search(target) is None)
