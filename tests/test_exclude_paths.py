"""parse.tree.excluded_paths (a loop of regexes when no pattern is negated) equals pathspec's
GitIgnoreSpec, which MkDocs uses for exclude_docs."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kb_tools.parse.cache import ParseCache
from kb_tools.parse.tree import exclude_spec, excluded_paths

LINES = st.sampled_from(["*.tmp", "drafts/", "/drafts/", "a/**/b.md", "*.md", "!keep.md", "!a/", "b*", "# note",
                         "", "templates/x.md", "**/c/", "a/?.md", "\\!x.md", "/a.md", "x/*"])
PARTS = st.sampled_from(["a", "b", "c", "drafts", "keep.md", "x.md", "a.md", "b.md", ".hidden", "templates", "z.tmp"])
PATHS = st.lists(PARTS, min_size=1, max_size=4).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=6), st.lists(PATHS, max_size=30, unique=True))
def test_excluded_paths_equal_pathspec(lines: list[str], paths: list[str]) -> None:
    exclude_docs = "\n".join(lines)
    spec = exclude_spec(exclude_docs)
    files = [(p, None) for p in paths]
    got = excluded_paths(exclude_docs, files, ParseCache(None, "k"))  # type: ignore[arg-type]
    assert got == {p for p in paths if spec.match_file(p)}
