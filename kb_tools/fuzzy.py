"""Cheap "did you mean" for names: edit distance ≤ 2 through delete-neighbourhoods.

``difflib.get_close_matches`` against every file of a 10,000-page tree costs seconds per broken
link; this index answers in microseconds and catches the typos that matter (a dropped, added,
swapped or changed character or two).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class NameIndex:
    """``suggest`` over a fixed set of names. The delete-neighbourhood index is built once a pool
    was asked often enough to pay for it (``_SCAN_BUDGET``); until then each question scans the
    names of a fitting length, which finds the same candidates: ``n`` is one when ``n == word``,
    ``word`` is ``n`` less one character (or the other way round), or both less one character
    are equal. Answers are memoised per word."""

    _SCAN_BUDGET = 4  # direct scans of the pool before the index is built

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        self._index: dict[str, list[str]] | None = None
        self._by_len: dict[int, list[str]] | None = None
        self._scans = 0
        self._memo: dict[tuple[str, float], str | None] = {}
        self.answers: dict[tuple[str, float], str | None] = {}  # did_you_mean's, for this pool
        self._lower: bool | None = None

    def lowercase(self) -> bool:
        """Every name is text in lower case already (``did_you_mean``'s second look is then the
        first one again)."""
        if self._lower is None:
            self._lower = all(type(n) is str and n.lower() == n for n in self.names)
        return self._lower

    def _build(self) -> dict[str, list[str]]:
        idx: dict[str, list[str]] = {}
        for n in self.names:
            idx.setdefault(n, []).append(n)
            for d in _deletes(n):
                idx.setdefault(d, []).append(n)
        return idx

    def _candidates(self, word: str) -> set[str]:
        dels = _deletes(word)
        if self._index is None and self._scans < self._SCAN_BUDGET:
            self._scans += 1
            if self._by_len is None:
                self._by_len = {}
                for n in self.names:
                    self._by_len.setdefault(len(n), []).append(n)
            by_len, k = self._by_len, len(word)
            cands = {n for n in by_len.get(k - 1, ()) if n in dels}
            cands.update(n for n in by_len.get(k + 1, ()) if word in _deletes(n))
            cands.update(n for n in by_len.get(k, ()) if n != word and not dels.isdisjoint(_deletes(n)))
            return cands
        if self._index is None:
            self._index = self._build()
        idx = self._index
        cands = set(idx.get(word, ()))
        for d in dels:
            cands.update(idx.get(d, ()))
        cands.discard(word)
        return cands

    def suggest(self, word: str, cutoff: float = 0.6) -> str | None:
        """The closest name within edit distance about 2, best difflib ratio first, or None."""
        key = (word, cutoff)
        if key in self._memo:
            return self._memo[key]
        cands = self._candidates(word)
        found = None
        if cands:
            scored = sorted(((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in cands), key=lambda t: (-t[0], t[1]))
            found = scored[0][1] if scored[0][0] >= cutoff else None
        self._memo[key] = found
        return found


_INDEXES: dict[tuple[str, ...], NameIndex] = {}  # the last few pools asked about (a check asks one pool many times)


def _index_of(pool: Iterable[str]) -> NameIndex:
    key = tuple(pool)
    idx = _INDEXES.get(key)
    if idx is None:
        if len(_INDEXES) >= 16:
            _INDEXES.pop(next(iter(_INDEXES)))
        idx = _INDEXES[key] = NameIndex(key)
    return idx


def did_you_mean(word: str, names: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one "did you mean": the closest of ``names`` to ``word``, or None.

    Typos within edit distance 2 come from the delete-neighbourhood index (cheap on any number of
    names); for short lists (ids, roles, tags, rule codes) a wider ``difflib`` look also catches
    changed case, a swapped word order or a longer slip.
    """
    pool = names if isinstance(names, (list, tuple, set, frozenset)) else list(names)
    idx = _index_of(pool)
    key = (word, cutoff)
    if key in idx.answers:
        return idx.answers[key]
    near = idx.suggest(word, cutoff)
    if near is None and len(pool) <= 2000:
        found = close_matches(word, list(pool), 1, cutoff)
        if found:
            near = found[0]
        elif word.lower() == word and idx.lowercase():
            near = None  # (the lower-case look would ask the same question of the same names)
        else:
            low = {str(n).lower(): n for n in pool}
            found = close_matches(word.lower(), list(low), 1, cutoff)
            near = low[found[0]] if found else None
    idx.answers[key] = near
    return near


def close_matches(word: str, names: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The ``n`` closest names by similarity ratio (search suggestions; short lists only)."""
    return difflib.get_close_matches(word, names, n=n, cutoff=cutoff)
