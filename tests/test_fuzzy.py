"""The "did you mean" index: the scan of small pools and the memo give the index's answers."""

from __future__ import annotations

import difflib

from hypothesis import example, given, settings, strategies as st

from kb_tools import fuzzy
from kb_tools.fuzzy import NameIndex, did_you_mean

NAMES = st.text(alphabet="abcdeé手順-_.", min_size=0, max_size=7)


def _reference(word: str, names: list[str], cutoff: float) -> str | None:
    """The delete-neighbourhood index as it was written first (built on the first question)."""
    idx: dict[str, list[str]] = {}
    for n in sorted(set(names)):
        idx.setdefault(n, []).append(n)
        for d in {n[:i] + n[i + 1:] for i in range(len(n))}:
            idx.setdefault(d, []).append(n)
    cands = set(idx.get(word, ()))
    for d in {word[:i] + word[i + 1:] for i in range(len(word))}:
        cands.update(idx.get(d, ()))
    cands.discard(word)
    if not cands:
        return None
    scored = sorted(((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in cands), key=lambda t: (-t[0], t[1]))
    return scored[0][1] if scored[0][0] >= cutoff else None


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMES, max_size=30), st.lists(NAMES, min_size=1, max_size=12), st.sampled_from([0.6, 0.7]))
def test_scan_then_index_equal_the_index(names: list[str], words: list[str], cutoff: float) -> None:
    idx = NameIndex(names)
    for word in words + words:  # past the scan budget the index answers; repeats come from the memo
        assert idx.suggest(word, cutoff) == _reference(word, names, cutoff)


@settings(max_examples=100, deadline=None)
@given(st.lists(NAMES, max_size=20), NAMES)
def test_did_you_mean_memo(names: list[str], word: str) -> None:
    fuzzy._INDEXES.clear()
    first = did_you_mean(word, sorted(names))
    assert did_you_mean(word, sorted(names)) == first
    fuzzy._INDEXES.clear()
    assert did_you_mean(word, sorted(names)) == first


def _did_you_mean_reference(word: str, names: list[str], cutoff: float) -> str | None:
    """``did_you_mean`` without its shortcuts: the index, then difflib as is, then in lower case."""
    near = _reference(word, names, cutoff)
    if near is None and len(names) <= 2000:
        found = difflib.get_close_matches(word, list(names), 1, cutoff)
        if found:
            return found[0]
        low = {str(n).lower(): n for n in names}
        found = difflib.get_close_matches(word.lower(), list(low), 1, cutoff)
        near = low[found[0]] if found else None
    return near


CASED = st.text(alphabet="abcABC手順-", min_size=0, max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(NAMES, max_size=20), st.lists(CASED, max_size=20)), st.one_of(NAMES, CASED),
       st.sampled_from([0.6, 0.7]))
@example(["abcd手順", "x"], "ABCD手順", 0.6)  # found by the lower-case look alone
def test_did_you_mean_equals_its_reference(names: list[str], word: str, cutoff: float) -> None:
    """The skipped lower-case look (word and names in lower case already) changes no answer."""
    fuzzy._INDEXES.clear()
    assert did_you_mean(word, sorted(names), cutoff) == _did_you_mean_reference(word, sorted(names), cutoff)


def test_typos_found() -> None:
    idx = NameIndex(["setup.md", "vpn-setup.md", "index.md"])
    assert idx.suggest("setpu.md") == "setup.md"
    assert idx.suggest("vpnsetup.md") == "vpn-setup.md"
    assert idx.suggest("zzz") is None
