"""The Japanese analyzer of the search index (chosen by measurement, see bench/search_quality.py).

Text goes through the shared normaliser (``normalize.py``), then:

- runs of CJK characters (kanji, hiragana, katakana, ー, 々) become overlapping bigrams; a run of
  one character is that character; at index time the last character of every run is also
  emitted as a unigram, so a one-character query ``c`` matches every occurrence of ``c``
  (bigrams starting with ``c`` by prefix, plus that unigram);
- other letters and digits form words (``ec2``, ``lgwan``, ``kintone``);
- one-hiragana tokens (particles, verb endings) are stop words (``StopFilter(minsize=1)``).

``JapaneseTokenizer`` lives at a stable import path and pickles (Whoosh stores the analyzer in
the index); it holds only the normaliser data (a plain dict), so the index carries the exact
dictionary it was built with. It follows Whoosh's Token-reuse contract and sets
``startchar``/``endchar`` in the *original* text (through ``normalize_map``) for highlighting.

For indexing speed the Formats ``FastFrequency`` / ``FastPositions`` compute the same terms as
the tokenizer without Token objects (``JapaneseTokenizer.terms``); a test checks they agree.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import chain
from operator import add
from typing import Any

from kb_tools.search import _whoosh  # noqa: F401 - first: Whoosh without urllib.request and asyncio
from whoosh.analysis import StopFilter, Token, Tokenizer
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from kb_tools.search.normalize import normalize, normalize_map

ANALYZER_VERSION = 3  # bump when tokens change: the index is rebuilt

CJK = "\u3005\u3006\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RX = re.compile(f"([{CJK}]+)|([^\\W_{CJK}]+)")
CJK_RUN_RX = re.compile(f"[{CJK}]+")
WORD_RX = re.compile(f"[^\\W_{CJK}]+")
JA_STOPS = frozenset(chr(c) for c in range(0x3041, 0x3097))  # single hiragana


def cjk_char(ch: str) -> bool:
    return bool(re.match(f"[{CJK}]", ch))


class JapaneseTokenizer(Tokenizer):
    """Normalised CJK bigrams + words. ``data``: normaliser data from ``export_data``."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JapaneseTokenizer) and (self.data or {}).get("version") == (other.data or {}).get("version")

    def __hash__(self) -> int:
        return hash((self.data or {}).get("version"))

    def terms(self, value: str, index: bool = True) -> list[tuple[str, int]]:
        """(term, position) pairs in order: what ``__call__`` yields, without Token objects."""
        text = normalize(value, self.data)
        out: list[tuple[str, int]] = []
        pos = 0
        for m in TOKEN_RX.finditer(text):
            run = m.group(1)
            if run is None:
                out.append((m.group(2), pos))
                pos += 1
            elif len(run) == 1:
                out.append((run, pos))
                pos += 1
            else:
                n = len(run) - 1
                out.extend((run[i:i + 2], pos + i) for i in range(n))
                pos += n
                if index:
                    out.append((run[-1], pos - 1))
        return [(t, p) for t, p in out if t not in JA_STOPS]

    def query_terms(self, normalized: str) -> set[str]:
        """The set of query-mode terms of text that is *already* normalised (the reranker keeps
        normalised titles and headings; normalising twice is not always the identity)."""
        out = set(WORD_RX.findall(normalized))
        for run in CJK_RUN_RX.findall(normalized):
            if len(run) == 1:
                out.add(run)
            else:
                out.update(map(add, run[:-1], run[1:]))
        return out - JA_STOPS

    def counts(self, value: str) -> Counter[str]:
        """Index-time term frequencies: ``Counter(t for t, _ in self.terms(value))``, computed
        without a per-token Python loop (bigrams by ``map``; the two character classes never
        overlap, so CJK runs and words can be found by two separate scans)."""
        text = normalize(value, self.data)
        runs = CJK_RUN_RX.findall(text)
        c: Counter[str] = Counter(WORD_RX.findall(text))
        long_runs = [r for r in runs if len(r) > 1]
        c.update(r for r in runs if len(r) == 1)
        c.update(r[-1] for r in long_runs)
        c.update(chain.from_iterable(map(add, r[:-1], r[1:]) for r in long_runs))
        for stop in JA_STOPS.intersection(c):
            del c[stop]
        return c

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        if chars:
            text, starts = normalize_map(value, self.data)
        else:
            text, starts = normalize(value, self.data), []
        index = mode == "index"
        pos = start_pos
        for m in TOKEN_RX.finditer(text):
            run = m.group(1)
            if run is None or len(run) == 1:
                pieces = [(m.group(), m.start(), m.end(), pos)]
                pos += 1
            else:
                b = m.start()
                pieces = [(run[i:i + 2], b + i, b + i + 2, pos + i) for i in range(len(run) - 1)]
                pos += len(run) - 1
                if index:
                    pieces.append((run[-1], m.end() - 1, m.end(), pos - 1))
            for text_, s, e, p in pieces:
                t.text = text_
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text_
                if positions:
                    t.pos = p
                if chars:
                    t.startchar = start_char + starts[s]
                    t.endchar = start_char + starts[e]
                yield t


def japanese_analyzer(data: dict[str, Any] | None = None) -> Any:
    """The analyzer of every text field: tokenizer | StopFilter(minsize=1)."""
    return JapaneseTokenizer(data) | StopFilter(stoplist=JA_STOPS, minsize=1, renumber=False)


def _tokenizer(analyzer: Any) -> JapaneseTokenizer | None:
    first = getattr(analyzer, "items", [analyzer])[0]
    return first if isinstance(first, JapaneseTokenizer) else None


class FastFrequency(Frequency):
    """Frequency format that counts terms with ``JapaneseTokenizer.terms`` (same terms, faster)."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        tok = _tokenizer(analyzer)
        if tok is None or not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        fb = self.field_boost
        counts = tok.counts(value)
        return ((w, f, f * fb, pack_uint(f)) for w, f in counts.items())


class FastPositions(Positions):
    """Positions format fed by ``JapaneseTokenizer.terms`` (same terms and positions, faster)."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        tok = _tokenizer(analyzer)
        if tok is None or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        poses: dict[str, list[int]] = defaultdict(list)
        for t, p in tok.terms(value):
            poses[t].append(p)
        for w, poslist in poses.items():
            yield (w, len(poslist), len(poslist) * fb, self.encode(poslist))
