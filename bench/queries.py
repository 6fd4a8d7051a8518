"""Known-item query sets built mechanically from a docs tree (shared by the search benchmarks).

For each page with a unique title: the title (``exact``) and one H2 found on no other page (``h2``), plus the variants
users type: ``split`` (a space at a script boundary), ``word`` (the longest 4+ character
compound of the title alone), ``long-vowel`` (ー dropped or added on a katakana word),
``full-width`` (ASCII made full-width), ``half-width`` (katakana made half-width) and
``synonym`` (a canonical form in the title replaced by a variant from the house dictionary).
The target of every query is the page it was made from.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

KINDS = ("exact", "h2", "split", "word", "long-vowel", "full-width", "half-width", "synonym")

_KATA_RUN = re.compile(r"[ァ-ヺー]{3,}")
_COMPOUND = re.compile(r"[一-鿿々]{4,}|[ァ-ヺー]{4,}")
_SCRIPT = re.compile(r"[一-鿿々]+|[ぁ-ゖ]+|[ァ-ヺー]+|[A-Za-z0-9]+|.")


@dataclass(frozen=True)
class KnownItem:
    kind: str
    query: str
    target: str  # docs-relative .md path


def _half_width(s: str) -> str:
    # inverse of NFKC for katakana: build the table once from the half-width block
    out = []
    for ch in s:
        out.append(_HALF.get(ch, ch))
    return "".join(out)


_HALF: dict[str, str] = {}
for _cp in range(0xFF61, 0xFFA0):
    _c = chr(_cp)
    _HALF.setdefault(unicodedata.normalize("NFKC", _c), _c)
for _base in list(_HALF):
    for _mark, _hmark in (("\u3099", "\uff9e"), ("\u309a", "\uff9f")):
        _composed = unicodedata.normalize("NFC", _base + _mark)
        if len(_composed) == 1:
            _HALF[_composed] = _HALF[_base] + _hmark


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def clean_title(t: str) -> str:
    return re.sub(r"\s+", " ", t).strip()


def build_queries(pages: list[tuple[str, str, list[str]]], synonyms: list[tuple[str, list[str]]] | None = None,
                  seed: int = 1) -> tuple[list[KnownItem], dict[str, Any]]:
    """``pages``: (path, title, [H2 texts]). Returns the queries and stats (skipped pages)."""
    rnd = random.Random(seed)
    counts: dict[str, int] = {}
    for _, title, _ in pages:
        counts[clean_title(title)] = counts.get(clean_title(title), 0) + 1
    h2count: dict[str, int] = {}
    for _, _, h2s in pages:
        for h in set(map(clean_title, h2s)):
            h2count[h] = h2count.get(h, 0) + 1
    out: list[KnownItem] = []
    skipped = 0
    for path, title, h2s in sorted(pages):
        t = clean_title(title)
        if not t or counts[t] > 1:
            skipped += 1
            continue
        out.append(KnownItem("exact", t, path))
        h2 = [clean_title(h) for h in h2s if counts.get(clean_title(h), 0) == 0 and h2count[clean_title(h)] == 1
              and len(h) >= 3]
        if h2:
            out.append(KnownItem("h2", rnd.choice(h2), path))
        pieces = _SCRIPT.findall(t)
        bounds = [i for i in range(1, len(pieces)) if pieces[i].strip() and pieces[i - 1].strip()
                  and len("".join(pieces[:i])) >= 2 and len("".join(pieces[i:])) >= 2]
        if bounds:
            i = rnd.choice(bounds)
            out.append(KnownItem("split", "".join(pieces[:i]) + " " + "".join(pieces[i:]), path))
        comps = _COMPOUND.findall(t)
        if comps and max(comps, key=len) != t:
            out.append(KnownItem("word", max(comps, key=len), path))
        kata = [m for m in _KATA_RUN.finditer(t)]
        if kata:
            m = max(kata, key=lambda m: len(m.group()))
            w = m.group()
            nw = w[:-1] if w.endswith("ー") and len(w) >= 4 else w + "ー" if not w.endswith("ー") else None
            if nw:
                out.append(KnownItem("long-vowel", t[:m.start()] + nw + t[m.end():], path))
            out.append(KnownItem("half-width", _half_width(t), path))
        if re.search(r"[!-~]", t):
            out.append(KnownItem("full-width", _full_width(t), path))
        for canon, variants in synonyms or []:
            vs = [v for v in variants if v and v != canon]
            if canon and canon in t and vs:
                out.append(KnownItem("synonym", t.replace(canon, rnd.choice(vs), 1), path))
                break
    return out, {"pages": len(pages), "skipped_duplicate_titles": skipped}


def pages_of(corpus: Any) -> list[tuple[str, str, list[str]]]:
    return [(p.path, p.title, [h.text for h in p.headings if h.level == 2]) for p in corpus.sorted_pages()]


def score(kind_rows: list[tuple[str, str, list[str]]], kinds: tuple[str, ...] = KINDS) -> dict[str, tuple[float, float, float, int]]:
    """(kind, target, ranked paths) rows → kind → (recall@1, recall@5, MRR@5, n); 'all' too."""
    acc: dict[str, list[float]] = {}
    for kind, target, ranked in kind_rows:
        top = ranked[:5]
        rank = top.index(target) + 1 if target in top else 0
        for k in (kind, "all"):
            a = acc.setdefault(k, [0.0, 0.0, 0.0, 0])
            a[0] += rank == 1
            a[1] += rank > 0
            a[2] += 1 / rank if rank else 0.0
            a[3] += 1
    return {k: (a[0] / a[3], a[1] / a[3], a[2] / a[3], int(a[3])) for k, a in acc.items()}
