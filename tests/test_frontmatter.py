"""Front matter splitting: MkDocs' exact rules, exact line numbers, never an exception."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import meta as mkdocs_meta

from kb_tools.parse.frontmatter import InvalidDate, split


def test_simple_front_matter_lines() -> None:
    text = "---\ntitle: 手順\nowner: infra\n---\n\n# 見出し\n"
    fm = split(text)
    assert fm.meta == {"title": "手順", "owner": "infra"}
    assert fm.meta_lines == {"title": 2, "owner": 3}
    assert fm.end_line == 4
    # MkDocs strips blank lines after the block: the body starts at "# 見出し" (line 6)
    assert text.split("\n")[fm.body_offset] == "# 見出し"


def test_dots_close_and_trailing_spaces() -> None:
    fm = split("---  \ntitle: a\n...\nbody\n")
    assert fm.meta == {"title": "a"} and fm.error is None and fm.body_offset == 3


def test_impossible_unquoted_date_is_kept_and_flagged() -> None:
    fm = split("---\ntitle: a\nlast_reviewed: 2025-02-29\n---\n")
    assert isinstance(fm.meta["last_reviewed"], InvalidDate)
    assert fm.invalid_dates == ["last_reviewed"]
    assert fm.mkdocs_drops_meta  # MkDocs itself drops the whole block
    assert mkdocs_meta.get_data("---\ntitle: a\nlast_reviewed: 2025-02-29\n---\n")[1] == {}


def test_month_13_is_not_a_crash() -> None:
    fm = split("---\nlast_reviewed: 2024-13-01\n---\n")
    assert fm.meta["last_reviewed"] == "2024-13-01" and fm.error is None


def test_valid_date_is_a_date() -> None:
    assert split("---\nd: 2026-11-26\n---\n").meta["d"] == dt.date(2026, 11, 26)


def test_broken_yaml_reports_line() -> None:
    fm = split("---\ntitle: a\nowner: [infra\n---\nbody\n")
    assert fm.error is not None
    line, col, msg, _args = fm.error
    assert line >= 3 and "YAML" in msg
    assert fm.meta == {} and fm.mkdocs_drops_meta


def test_list_front_matter_is_an_error() -> None:
    fm = split("---\n- a\n- b\n---\n")
    assert fm.error is not None and "mapping" in fm.error[2]


def test_unclosed_front_matter() -> None:
    fm = split("---\ntitle: a\n\n# body\n")
    assert fm.error is not None and "never closed" in fm.error[2]


def test_closing_delimiter_needs_newline_like_mkdocs() -> None:
    # MkDocs' regex needs a newline after the closing ---: this is not front matter for it.
    text = "---\ntitle: a\n---"
    assert mkdocs_meta.get_data(text)[1] == {}
    assert split(text).meta == {}


def test_multimarkdown_meta_like_mkdocs() -> None:
    text = "Title: 手順\nOwner: infra\n\n# body\n"
    doc, data = mkdocs_meta.get_data(text)
    fm = split(text)
    assert fm.meta == data
    assert "\n".join(text.split("\n")[fm.body_offset:]) == doc


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-.:ab #\n\t'\"[]{}日本0123456789")), max_size=120))
def test_split_never_raises_and_agrees_with_mkdocs(text: str) -> None:
    fm = split(text)
    doc, data = mkdocs_meta.get_data(text)
    if fm.error is None and not fm.invalid_dates:
        assert fm.meta == data
        if fm.present or fm.meta:
            # the body we scan starts exactly where MkDocs' rendered body starts
            assert "\n".join(text.split("\n")[fm.body_offset:]) == doc
    for key, line in fm.meta_lines.items():
        assert key in text.split("\n")[line - 1]


SCALARS = st.sampled_from(["手順", "infra", "365", "0", "012", "1.5", "true", "no", "null", "~", "2026-10-01", "2025-02-29",
                           "2024-13-01", "a b", "x:y", "a #b", "'q'", "\"d\"", "-1", "1_000", "0x1F", "[a, b]", "[]",
                           "[network, ガバクラ]", "[1, yes]", "{a: 1}", "a: b", "", "Yes", "OFF", "1e3", ".inf", "2026-1-1"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["title", "owner", "tags", "n", "last_reviewed", "x_y", "a-b"]), SCALARS),
                min_size=1, max_size=6))
def test_fast_yaml_path_agrees_with_pyyaml(pairs) -> None:
    import yaml as pyyaml

    from kb_tools.parse.frontmatter import _Loader, fast_load

    raw = "".join(f"{k}: {v}\n" for k, v in pairs)
    fast = fast_load(raw)
    if fast is None:
        return  # falls back to PyYAML itself
    assert fast == pyyaml.load(raw, Loader=_Loader)
    assert [type(v) for v in fast.values()] == [type(v) for v in pyyaml.load(raw, Loader=_Loader).values()]


def test_fast_yaml_path_takes_the_usual_front_matter() -> None:
    """The agreement test above skips what the fast path declines; here it must not decline the
    front matter pages have (so that test compares something), with every value kind it resolves."""
    import datetime as dt

    import yaml as pyyaml

    from kb_tools.parse.frontmatter import InvalidDate, _Loader, fast_load

    raw = ("title: 庁内LANの復旧手順\nowner: infra\ndeputy: network\nstatus: active\nlast_reviewed: 2026-10-01\n"
           "review_every: 365\ntags: [network, ガバクラ]\nsystems: [juki]\ndraft: no\nnotes: ~\nweight: 1.5\n"
           "code: 012\nbad: 2025-02-29\n")
    fast = fast_load(raw)
    assert fast is not None
    assert fast["last_reviewed"] == dt.date(2026, 10, 1) and fast["review_every"] == 365
    assert fast["draft"] is False and fast["notes"] is None and fast["tags"] == ["network", "ガバクラ"]
    assert isinstance(fast["bad"], InvalidDate) and fast["bad"] == "2025-02-29"
    full = pyyaml.load(raw, Loader=_Loader)
    assert fast == full and [type(v) for v in fast.values()] == [type(v) for v in full.values()]


_FM_LINES = st.sampled_from(["title: x", "tags: [a, b]", "tags: []", "owner: infra", "owner: infra ", "review_every: 365",
                             "last_reviewed: 2026-06-04", "bad: 2025-02-29", "draft: no", "notes: ~", "w: 1.5", "a: b: c",
                             "a: 'q'", "x: [a, [b]]", "x: #c", "", "- item", "  indented: 1", "title: y", "k:"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(_FM_LINES, max_size=6), min_size=1, max_size=4))
def test_front_matter_line_memo_gives_a_fresh_parse(pages) -> None:
    """The per-process memo of front matter lines gives what a parse with an empty memo gives,
    page after page, and each page its own lists (a consumer may change one page's tags)."""
    from kb_tools.parse import frontmatter as fm

    def state(text: str):
        got = split(text)
        return (sorted((k, type(v).__name__, repr(v)) for k, v in got.meta.items()), got.meta_lines, got.error,
                got.invalid_dates, got.mkdocs_drops_meta, got.body_offset)

    texts = ["---\n" + "\n".join(lines) + "\n---\n\nbody\n" for lines in pages]
    memoised = []
    for text in texts:
        memoised.append(state(text))
        for v in split(text).meta.values():
            if isinstance(v, list):
                v.append("changed")  # must not reach the next page through the memo
    fresh = []
    for text in texts:
        fm._FM_LINES.clear()
        fresh.append(state(text))
    assert memoised == fresh
