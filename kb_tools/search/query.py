"""``kb search``: query parsing, retrieval on the Whoosh index, re-ranking, snippets, suggestions.

Retrieval: every query term (normalised CJK bigram or word; the 8 rarest at most) must occur in
the page (AND over the body field, which also holds title and headings); when that finds fewer
pages than asked for, the rarest terms are OR-ed instead (half weight). Posting lists are read
from the Whoosh segments a whole block at a time into dicts (Whoosh's matchers cost one Python
call per posting and per skip: 1.5 s p95 at 10,000 pages); AND / OR are set operations and
BM25 (Whoosh's formula and statistics: idf, stored byte lengths, K1/B) is computed for the
candidates, large candidate sets being cut first by the two rarest terms. The best candidates,
plus pages whose title holds every term, are then re-ranked with title and heading matches of
the whole query (what makes one-word queries land on the page *about* that word). Quoted
phrases are checked on the stored text. The normaliser data comes from the index itself, so
query and index always agree. A ``Searcher`` keeps the most recent decoded posting lists and
page features for the next queries (``--batch``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from kb_tools.search import _whoosh  # noqa: F401 - first: Whoosh without urllib.request and asyncio
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from kb_tools.search.analysis import JapaneseTokenizer, cjk_char
from kb_tools.search.document import stored_text
from kb_tools.search.index import HEADINGS_BOOST, TITLE_BOOST, index_dir, open_index, read_meta
from kb_tools.search.normalize import normalize
from kb_tools.fuzzy import close_matches
from kb_tools.search.querylang import (  # noqa: F401 - re-exported: kb_tools.search.query is the API
    FILTER_KEYS,
    MAX_QUERY_CHARS,
    ParsedQuery,
    QueryError,
    highlight,
    parse_query,
    snippet,
)

MAX_TERMS = 8  # the rarest terms drive the AND; more only cost time
CANDIDATES = 20  # pages reranked with title / heading evidence
TITLE_EXTRA = 10  # + pages whose title holds every term, whatever their body score
PRESCORE = 400  # larger candidate sets are first cut by the two rarest terms
PL_CACHE = 256  # decoded posting lists kept per Searcher (the most recent)
K1, B = 1.2, 0.75


@dataclass
class Hit:
    path: str
    title: str
    score: float
    snippet: str
    marks: list[tuple[int, int]] = field(default_factory=list)  # highlighted spans of snippet

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "score": round(self.score, 4), "snippet": self.snippet}


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    notes: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"query": self.query, "results": [h.as_json() for h in self.hits], "total": self.total}


class Searcher:
    """An open index: load once, run many queries (``kb search --batch``)."""

    def __init__(self, cfg: Any) -> None:
        self.ix = open_index(cfg)
        self.searcher = self.ix.searcher(weighting=BM25F(B=0.75, K1=1.2))
        ana = self.ix.schema["body"].analyzer
        self.tokenizer: JapaneseTokenizer = ana.items[0] if hasattr(ana, "items") else ana
        self.data = self.tokenizer.data or {}
        meta = read_meta(index_dir(cfg)) or {}
        self.titles: dict[str, str] = meta.get("titles", {})
        self._features: dict[int, tuple[str, list[str], set[str], set[str], str]] = {}
        self._reader = self.searcher.reader()
        self._leaves = self._reader.leaf_readers()
        self._n = self.searcher.doc_count_all()
        self._avgdl = self.searcher.avg_field_length("body") or 1.0
        self._plcache: dict[tuple[str, str], dict[int, float]] = {}
        self._normlist = self._norms()

    def clear_caches(self) -> None:
        """Forget decoded posting lists and page features (benchmarks)."""
        self._plcache.clear()
        self._features.clear()

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- building queries

    def _filter(self, filters: dict[str, list[str]]) -> tuple[Q.Query | None, list[str]]:
        notes, clauses = [], []
        aliases = self.data.get("tag_aliases", {})
        for key, values in filters.items():
            alts = []
            for v in values:
                if key == "tag":
                    tid = aliases.get(normalize(v)) or v
                    if tid != v:
                        notes.append(f"タグ「{v}」は「{tid}」として絞り込みました")
                    alts.append(Q.Term("tags", tid))
                else:
                    alts.append(Q.Term(key, v))
            clauses.append(Q.Or(alts) if len(alts) > 1 else alts[0])
        if not clauses:
            return None, notes
        return (Q.And(clauses) if len(clauses) > 1 else clauses[0]), notes

    def _df(self, term: str) -> int:
        return self.searcher.doc_frequency("body", term)

    # -- postings, read a block at a time

    def _postings(self, field: str, term: str) -> dict[int, float]:
        """docnum (global) -> weight of ``term`` in ``field``, deleted documents left out.

        Whoosh's matchers walk postings one Python call per posting (and per skip); reading
        whole blocks into a dict is 20-50x cheaper, and AND / OR then become set operations."""
        key = (field, term)
        hit = self._plcache.get(key)
        if hit is not None:
            return hit
        out: dict[int, float] = {}
        for reader, offset in self._leaves:
            try:
                m = reader.postings(field, term)
            except TermNotFound:
                continue
            deleted = ()
            if isinstance(m, FilterMatcher):
                deleted, m = m._ids, m.child
            _read_all(m, offset, out)
            for d in deleted:
                out.pop(d + offset, None)
        if len(self._plcache) >= PL_CACHE:
            self._plcache.pop(next(iter(self._plcache)))
        self._plcache[key] = out
        return out

    def _term_postings(self, term: str) -> tuple[dict[int, float], float]:
        """Body postings of a query term and its idf; a one-character CJK term also matches
        every bigram that starts with it (the query-side of the index-time unigrams)."""
        if len(term) == 1 and cjk_char(term):
            merged = dict(self._postings("body", term))
            for bt in self._reader.expand_prefix("body", term):
                t2 = bt.decode("utf-8") if isinstance(bt, bytes) else bt
                if t2 == term:
                    continue
                for d, w in self._postings("body", t2).items():
                    merged[d] = merged.get(d, 0.0) + w
            return merged, math.log(self._n / (len(merged) + 1)) + 1
        return self._postings("body", term), self.searcher.idf("body", term)

    def _norms(self) -> list[float]:
        """BM25's length normaliser of every document (global docnum), from the body lengths
        Whoosh stores as one byte per document: one read per segment, not one call per page."""
        table = [K1 * ((1 - B) + B * (byte_to_length(x) if x else 0) / self._avgdl) for x in range(256)]
        out: list[float] = []
        for reader, offset in self._leaves:
            n = reader.doc_count_all()
            raw = None
            perdoc = getattr(reader, "_perdoc", None)
            col = perdoc._cached_reader(_lenfield("body"), LENGTHS_COLUMN) if hasattr(perdoc, "_cached_reader") else None
            if col is not None and getattr(col, "_fixedlen", 0) == 1 and hasattr(col, "_dbfile"):
                have = min(col._count, n)
                raw = bytes(col._dbfile.get(col._basepos, have)) + bytes(n - have)
            if raw is None:  # any other codec: one lookup per document
                raw = bytes(length_to_byte(reader.doc_field_length(d, "body") or 0) for d in range(n))
            out.extend(map(table.__getitem__, raw))
        return out

    def _bm25(self, docs: Any, plists: list[tuple[dict[int, float], float]]) -> dict[int, float]:
        """BM25 of ``docs`` over the body (what Whoosh's BM25F computes for the same terms)."""
        norm = self._normlist
        scores = dict.fromkeys(docs, 0.0)
        for pl, idf in plists:
            c = idf * (K1 + 1)
            for d in docs & pl.keys() if isinstance(docs, set) else [d for d in docs if d in pl]:
                tf = pl[d]
                scores[d] += c * tf / (tf + norm[d])
        return scores

    def _retrieve(self, terms: list[str], allowed: set[int] | None,
                  or_fallback: bool, limit: int) -> tuple[list[tuple[int, float]], int]:
        """(docnum, body score) candidates for the reranker and the number of matching pages.

        AND over all terms (rarest first, as set intersections); when that finds fewer pages
        than ``limit``, the rarest terms are OR-ed instead (half weight). Large candidate sets
        are cut to the best PRESCORE by the rarest terms before full scoring; pages whose
        title holds every term always reach the reranker."""
        plists = sorted((self._term_postings(t) for t in terms), key=lambda x: len(x[0]))
        cand: set[int] = set(plists[0][0]) if plists else set()
        for pl, _ in plists[1:]:
            if not cand:
                break
            cand.intersection_update(pl)
        if allowed is not None:
            cand &= allowed
        rows: dict[int, float] = {}
        total = len(cand)
        if cand:
            rows = self._best(cand, plists, terms)
        if len(rows) < limit and len(terms) > 1 and or_fallback:
            rare = plists[:8]
            union: set[int] = set()
            for pl, _ in rare:
                union.update(pl)
            if allowed is not None:
                union &= allowed
            union -= rows.keys()
            if union:
                extra = self._best(union, rare, terms)
                for d, sc in extra.items():
                    rows[d] = sc * 0.5
                total = max(total, len(union) + len(cand))
        return sorted(rows.items(), key=lambda x: -x[1]), total

    def _best(self, docs: set[int], plists: list[tuple[dict[int, float], float]], terms: list[str]) -> dict[int, float]:
        pool = docs
        if len(docs) > PRESCORE:
            pre = self._bm25(docs, plists[:2])
            pool = set(sorted(pre, key=pre.__getitem__, reverse=True)[:PRESCORE])
        scores = self._bm25(pool, plists)
        top = dict(sorted(scores.items(), key=lambda x: -x[1])[:CANDIDATES])
        # pages whose title holds every query term (one-word queries: the page *about* it)
        tdocs: set[int] | None = None
        for t in terms:
            tp = self._postings("title", t)
            tdocs = set(tp) if tdocs is None else tdocs & tp.keys()
            if not tdocs:
                break
        if tdocs:
            extra = [d for d in tdocs if d in docs and d not in top]
            if extra:
                ex = self._bm25(extra[:TITLE_EXTRA * 4], plists)
                for d, sc in sorted(ex.items(), key=lambda x: -x[1])[:TITLE_EXTRA]:
                    top[d] = sc
        return top

    # -- searching

    def search(self, raw: str, limit: int = 10, filters: dict[str, list[str]] | None = None) -> SearchResult:
        if not raw or not raw.strip():
            raise QueryError("検索語が空です。調べたい言葉を入力してください")
        pq = parse_query(raw)
        merged = {k: list(v) for k, v in pq.filters.items()}
        for k, vs in (filters or {}).items():
            merged.setdefault(k, []).extend(vs)
        flt, notes = self._filter(merged)
        notes = pq.notes + notes
        free = " ".join([pq.text, *pq.phrases])
        terms = list(dict.fromkeys(t for t, _ in self.tokenizer.terms(free, index=False)))
        if not terms:
            if flt is None:
                notes.append("検索できる語がありません（助詞や記号だけの検索語です）。名詞などを入れてください")
                return SearchResult(raw, [], 0, notes)
            res = self.searcher.search(Q.Every(), filter=flt, limit=None, sortedby="path")
            hits = [self._hit(r, [], 0.0) for r in res[:limit]]
            return SearchResult(raw, hits, len(res), notes)
        if len(terms) > MAX_TERMS:
            terms = sorted(terms, key=self._df)[:MAX_TERMS]
        allowed = set(self.searcher.docs_for_query(flt)) if flt is not None else None
        rows, total = self._retrieve(terms, allowed, not pq.phrases, limit)
        words = [normalize(w, self.data) for w in pq.words + pq.phrases]
        qn = "".join(words)
        scored = []
        for docnum, s in rows:
            if pq.phrases and not self._phrases_ok(self.searcher.stored_fields(docnum), pq.phrases):
                continue
            scored.append((self._rerank(docnum, s, qn, words, terms), self._doc_features(docnum)[4], docnum))
        if pq.phrases:
            total = len(scored)
        scored.sort(key=lambda x: (-x[0], x[1]))
        hits = [self._hit(self.searcher.stored_fields(d), terms, s, words) for s, _, d in scored[:limit]]
        res_ = SearchResult(raw, hits, max(total, len(hits)), notes)
        if not hits:
            res_.suggestions = self.suggest(pq)
        return res_

    def _doc_features(self, docnum: int) -> tuple[str, list[str], set[str], set[str], str]:
        """(normalised title, normalised headings, title terms, heading terms, path), cached."""
        hit = self._features.get(docnum)
        if hit is None:
            fields = self.searcher.stored_fields(docnum)
            title = normalize(fields.get("title", ""), self.data)
            # one normaliser call for all headings: no step of the SPEC crosses a newline
            heads = normalize(fields.get("headings") or "", self.data)
            hit = (title.replace(" ", ""), [h.replace(" ", "") for h in heads.split("\n")],
                   self.tokenizer.query_terms(title), self.tokenizer.query_terms(heads), fields.get("path", ""))
            if len(self._features) > 50000:
                self._features.clear()
            self._features[docnum] = hit
        return hit

    def _rerank(self, docnum: int, score: float, qn: str, words: list[str], terms: list[str]) -> float:
        """BM25 on the body plus title and heading evidence (the field boosts, applied here)."""
        title, heads, tset, hset, _ = self._doc_features(docnum)
        bonus = 0.0
        if qn:
            if title == qn:
                bonus += 4.0
            elif qn in title:
                bonus += 2.5
            elif words and all(w in title for w in words):
                bonus += 1.5
            if any(qn == h for h in heads):
                bonus += 1.5
            elif any(qn in h for h in heads):
                bonus += 1.0
        if terms:
            bonus += TITLE_BOOST * 0.5 * sum(1 for t in terms if t in tset) / len(terms)
            bonus += HEADINGS_BOOST * 0.25 * sum(1 for t in terms if t in hset) / len(terms)
            if tset:
                bonus += 0.5 * sum(1 for t in tset if t in terms) / len(tset)
        return score / 10.0 + bonus

    def _phrases_ok(self, fields: dict[str, Any], phrases: list[str]) -> bool:
        hay = normalize(f"{fields.get('title', '')}\n{fields.get('headings', '')}\n{stored_text(fields)}", self.data)
        hay = re.sub(r"\s+", "", hay)
        return all(re.sub(r"\s+", "", normalize(p, self.data)) in hay for p in phrases)

    # -- output pieces

    def _hit(self, fields: Any, terms: list[str], score: float, words: list[str] | None = None) -> Hit:
        f = fields if isinstance(fields, dict) else fields.fields()
        snippet, marks = self.snippet(stored_text(f), terms, words or [])
        return Hit(f["path"], f.get("title", ""), score, snippet, marks)

    def snippet(self, text: str, terms: list[str], words: list[str], width: int = 110) -> tuple[str, list[tuple[int, int]]]:
        """A sentence of ``text`` with the best match, and the spans to highlight in it."""
        return snippet(text, terms, words, self.data, width)

    def suggest(self, pq: ParsedQuery) -> list[str]:
        """Nearest titles and dictionary spellings for a query that found nothing."""
        out: list[str] = []
        qn = normalize(pq.text or " ".join(pq.phrases), self.data)
        if qn.strip():
            by_norm = {normalize(t, self.data): t for t in self.titles.values()}
            for m in close_matches(qn, list(by_norm), n=3, cutoff=0.3):
                out.append(by_norm[m])
            keys = {k for k, _ in self.data.get("table", [])} | {v for _, v in self.data.get("table", [])}
            for w in pq.words:
                wn = normalize(w, self.data)
                for m in close_matches(wn, sorted(keys), n=2, cutoff=0.6):
                    if m != wn and m not in out:
                        out.append(m)
        if pq.filters:
            out.append("絞り込み条件（" + " ".join(f"{k}:{v}" for k, vs in pq.filters.items() for v in vs) + "）を外して検索")
        return out


def _read_all(m: Any, offset: int, out: dict[int, float]) -> None:
    """Every (docnum + offset, weight) of matcher ``m`` into ``out``: whole blocks at a time for
    Whoosh 3 codec matchers, one posting at a time for anything else."""
    if hasattr(m, "_next_block") and hasattr(m, "_read_ids") and hasattr(m, "_atend"):
        while not m._atend and m.is_active():
            if m._ids is None:
                if m._data is None:
                    m._read_data()
                raw = m._data[0]
                # Whoosh's delta_decode is a generator; accumulate is the same sum in C
                m._ids = ids = raw if m._byteids else tuple(accumulate(raw))
            else:
                ids = m._ids
            if m._weights is None:
                m._read_weights()
            out.update(zip(ids if not offset else [i + offset for i in ids], m._weights))
            m._next_block()
        return
    while m.is_active():
        out[m.id() + offset] = m.weight()
        m.next()
