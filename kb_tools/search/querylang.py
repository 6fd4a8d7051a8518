"""The query language of ``kb search`` (words, "phrases", ``key:value`` filters) and highlighting.

Pure text functions, shared by the CLI and anything that displays search results.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from kb_tools.search.normalize import normalize, normalize_map

MAX_QUERY_CHARS = 200
_SENTENCE = re.compile(r"[^。\n！？!?]*[。！？!?\n]?")
FILTER_KEYS = ("tag", "owner", "type", "status")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


class QueryError(ValueError):
    """The query cannot be searched (message for staff, in Japanese)."""


@dataclass
class ParsedQuery:
    text: str  # free text (words joined by spaces)
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_query(raw: str) -> ParsedQuery:
    """Split ``raw`` into words, "quoted phrases" and ``key:value`` filters. Never raises on
    syntax: stray quotes, ``*``, ``(``, ``\\`` and ``:`` are just text."""
    notes = []
    q = _CONTROL.sub(" ", raw or "")
    if len(q) > MAX_QUERY_CHARS:
        notes.append(f"検索語が長すぎるため、先頭 {MAX_QUERY_CHARS} 文字で検索します")
        q = q[:MAX_QUERY_CHARS]
    q = unicodedata.normalize("NFKC", q)
    pq = ParsedQuery(text="", notes=notes)
    if q.count('"') % 2:
        notes.append("閉じていない引用符（\"）は無視しました")
        idx = q.rfind('"')
        q = q[:idx] + " " + q[idx + 1:]
    parts = re.split(r'("[^"]*")', q)
    words: list[str] = []
    for part in parts:
        if part.startswith('"') and part.endswith('"') and len(part) >= 2:
            inner = part[1:-1].strip()
            if inner:
                pq.phrases.append(inner)
            continue
        for w in part.split():
            key, sep, value = w.partition(":")
            if sep and key.lower() in FILTER_KEYS and value:
                pq.filters.setdefault(key.lower(), []).append(value)
            else:
                words.append(w)
    pq.words = words
    pq.text = " ".join(words)
    return pq


def highlight(snippet: str, marks: list[tuple[int, int]], open_: str = "【", close: str = "】") -> str:
    out, pos = [], 0
    for a, b in marks:
        out += [snippet[pos:a], open_, snippet[a:b], close]
        pos = b
    out.append(snippet[pos:])
    return "".join(out)


def snippet(text: str, terms: list[str], words: list[str], data: Any, width: int = 110) -> tuple[str, list[tuple[int, int]]]:
    """A sentence of ``text`` with the best match, and the spans to highlight in it."""
    if not text:
        return "", []
    needles = sorted({w for w in words if w} | set(terms), key=len, reverse=True)
    best, best_score = None, 0
    ms = list(islice(_SENTENCE.finditer(text), 61))
    # one normaliser call for all sentences: no step of the SPEC crosses U+001F
    normed = normalize("\x1f".join(m.group() for m in ms), data).split("\x1f")
    if len(normed) != len(ms):
        normed = [normalize(m.group(), data) for m in ms]
    for m, n in zip(ms, normed):
        if not m.group().strip():
            continue
        sc = sum(len(x) for x in needles if x in n)
        if sc > best_score:
            best, best_score = m, sc
            if any(w and w in n for w in words):
                break
    if best is None:
        first = text.strip().split("\n", 1)[0]
        return first[:width], []
    start, end = best.start(), best.end()
    if end - start > width:
        end = start + width
    s = text[start:end].strip()
    norm, starts = normalize_map(s, data)
    spans: list[tuple[int, int]] = []
    for x in needles:
        for mm in re.finditer(re.escape(x), norm):
            spans.append((starts[mm.start()], starts[mm.end()]))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return s.replace("\n", " "), merged
