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
    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        self._index: dict[str, list[str]] | None = None

    def _build(self) -> dict[str, list[str]]:
        idx: dict[str, list[str]] = {}
        for n in self.names:
            idx.setdefault(n, []).append(n)
            for d in _deletes(n):
                idx.setdefault(d, []).append(n)
        return idx

    def suggest(self, word: str, cutoff: float = 0.6) -> str | None:
        """The closest name within edit distance about 2, best difflib ratio first, or None."""
        if self._index is None:
            self._index = self._build()
        idx = self._index
        cands: set[str] = set(idx.get(word, ()))
        for d in _deletes(word):
            cands.update(idx.get(d, ()))
        cands.discard(word)
        if not cands:
            return None
        scored = sorted(((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in cands), key=lambda t: (-t[0], t[1]))
        return scored[0][1] if scored[0][0] >= cutoff else None


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
    near = _index_of(pool).suggest(word, cutoff)
    if near is not None or len(pool) > 2000:
        return near
    found = close_matches(word, list(pool), 1, cutoff)
    if found:
        return found[0]
    low = {str(n).lower(): n for n in pool}
    found = close_matches(word.lower(), list(low), 1, cutoff)
    return low[found[0]] if found else None


def close_matches(word: str, names: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The ``n`` closest names by similarity ratio (search suggestions; short lists only)."""
    return difflib.get_close_matches(word, names, n=n, cutoff=cutoff)
