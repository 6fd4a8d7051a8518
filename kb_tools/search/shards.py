"""The site's prebuilt search index: term shards and a document store, loaded by the browser
as scripts (``fetch`` of file:// URLs is blocked; ``<script src>`` works from a file share).

``build_site_index(corpus, out_dir, urls=...)`` writes, under ``out_dir``::

    manifest.js   kbSearchManifest({...})  page count, shard count, BM25 statistics, per-page
                  body length and title size (one character each), the normaliser data
                  (house dictionary) and the browser's messages
    s/<i>.js      kbSearchShard(i, {term: postings})   terms bucketed by FNV-1a hash
    t/<i>.js      kbSearchShard("t<i>", {term: postings})   one term whose postings are large
    d/<i>.js      kbSearchDocs(i, [[url, title, intro, [[anchor, heading, excerpt]...]]...])
    h/<i>.js      kbSearchHeads(i, [url, title, url, title, ...])   the heads of a run of pages
                  (~32 KB): loaded in the background after a first answer, so later answers
                  render their titles before their store chunks arrive

Postings are per page (page ids in path order); each holds the term frequency in the body and
two flags (term in the title, term in a heading), ``value = tf << 2 | heading << 1 | title``:
enough for the BM25 + title/heading re-ranking of ``kb search`` (query.py) in the browser.
Encodings (alphabet ``ALPHA``, 64 characters that need no escaping in JSON): sparse ``"s"`` +
varints (5 bits a character, low groups first, 32 added while more follow) of (gap to the
previous page id, value) pairs; dense ``"d"`` + one character per page (0: absent, else
``min(tf, 15) << 2 | flags``), chosen when shorter. A one-character CJK term holds the merged
postings of its unigram and every bigram that starts with it (``kb search``'s prefix match).

Terms are counted by the same ``JapaneseTokenizer.counts`` as the Whoosh index, on the same
fields (``document.page_document``): the site and ``kb search`` cannot tokenise differently.
"""

from __future__ import annotations

import json
import re
import math
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb_tools.i18n import _
from kb_tools.search.analysis import ANALYZER_VERSION, CJK, JapaneseTokenizer
from kb_tools.search.normalize import export_data, normalize
from kb_tools.search.sitedocs import SiteDoc, site_docs

FORMAT = 1
ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SHARD_TARGET = 24_000  # bytes of a term shard (about)
BIG_TERM = 8_000  # a term whose postings are larger gets a file of its own
CHUNK_TARGET = 4_000  # bytes of a document-store chunk (about: two or three pages)
HEADS_TARGET = 32_000  # bytes of a heads file (about)
LEN_BASE = 1.2  # body lengths are stored as round(log_base(1 + length)), one character
DENSE_TF_MAX = 15
K1, B = 1.2, 0.75


def fnv1a(term: str) -> int:
    """FNV-1a, 32 bits, over the UTF-16 code units of ``term`` (what JavaScript strings hold)."""
    h = 0x811C9DC5
    raw = term.encode("utf-16-le")
    for i in range(0, len(raw), 2):
        h ^= raw[i] | raw[i + 1] << 8
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def varints(values: Any) -> str:
    out = []
    for v in values:
        while v >= 32:
            out.append(ALPHA[32 + (v & 31)])
            v >>= 5
        out.append(ALPHA[v])
    return "".join(out)


def encode_postings(ids: Any, vals: Any, n_pages: int) -> str:
    """The shorter of the sparse and the dense encoding (module docstring); ``ids`` ascending."""
    if len(ids) * 2 < n_pages:
        flat = []
        prev = -1
        for d, v in zip(ids, vals):
            flat += (d - prev - 1, v)
            prev = d
        return "s" + varints(flat)
    buf = bytearray(b"A" * n_pages)
    codes = ALPHA.encode()
    for d, v in zip(ids, vals):
        buf[d] = codes[min(v >> 2, DENSE_TF_MAX) << 2 | (v & 3)]
    return "d" + buf.decode()


def decode_postings(enc: str, n_pages: int) -> dict[int, int]:
    """page id → value (tests; the browser has its own decoder)."""
    out: dict[int, int] = {}
    if enc[0] == "d":
        for d, ch in enumerate(enc[1:]):
            if ch != "A":
                out[d] = ALPHA.index(ch)
        return out
    nums, v, shift = [], 0, 0
    for ch in enc[1:]:
        x = ALPHA.index(ch)
        if x >= 32:
            v |= (x - 32) << shift
            shift += 5
        else:
            nums.append(v | x << shift)
            v, shift = 0, 0
    prev = -1
    for i in range(0, len(nums), 2):
        prev = prev + nums[i] + 1
        out[prev] = nums[i + 1]
    return out


_CJK_AT = re.compile(f"[{CJK}]").match
_PACK = 26  # a posting in the analysis: page << _PACK | value
_VMAX = (1 << _PACK) - 1


def _with_prefixes(terms: Any) -> set[str]:
    out = set(terms)
    out.update(t[0] for t in terms if len(t) == 2 and _CJK_AT(t))
    return out


def analyze(tok: JapaneseTokenizer, data: dict[str, Any], docs: list[SiteDoc]) -> tuple[dict[str, list[int]], list[Any]]:
    """Postings (local page ids, packed with their values) and per-page rows (body length,
    title size, store entry) of ``docs``."""
    post: dict[str, list[int]] = {}
    rows = []
    cjk_at = _CJK_AT
    for i, doc in enumerate(docs):
        counts = tok.counts(doc.body)
        length = sum(counts.values())
        prefix: Counter[str] = Counter()
        for t, tf in counts.items():
            if len(t) == 2 and cjk_at(t):
                prefix[t[0]] += tf
        for c, tf in prefix.items():
            counts[c] = counts.get(c, 0) + tf
        tset = _with_prefixes(tok.counts(doc.title))
        hset = _with_prefixes(tok.counts(doc.headings)) if doc.headings else set()
        base = i << _PACK
        for t, tf in counts.items():
            v = tf << 2
            if t in hset:
                v |= 2
            if t in tset:
                v |= 1
            pl = post.get(t)
            if pl is None:
                post[t] = [base | min(v, _VMAX)]
            else:
                pl.append(base | min(v, _VMAX))
        tcount = len(tok.query_terms(normalize(doc.title, data)))
        entry = [doc.url, doc.title, doc.intro, [list(s) for s in doc.sections]]
        rows.append((length, tcount, entry))
    return post, rows


@dataclass
class ShardReport:
    pages: int = 0
    sections: int = 0
    terms: int = 0
    shards: int = 0
    big_terms: int = 0
    chunks: int = 0
    heads: int = 0
    bytes_total: int = 0
    bytes_manifest: int = 0
    files: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return _("site search index: {pages} pages, {sections} sections, {terms} terms; {shards} shards, {big} term "
                 "files, {chunks} store chunks; {mb:.1f} MB ({kb:.0f} KB manifest) in {s:.1f} s").format(
            pages=self.pages, sections=self.sections, terms=self.terms, shards=self.shards, big=self.big_terms,
            chunks=self.chunks, mb=self.bytes_total / 1e6, kb=self.bytes_manifest / 1e3, s=self.seconds)


def _script(call: str, key: Any, payload: Any) -> str:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"{call}({json.dumps(key)},{body});\n" if key is not None else f"{call}({body});\n"


def _write(path: Path, text: str, rep: ShardReport) -> int:
    data = text.encode("utf-8")
    path.write_bytes(data)
    rep.files += 1
    rep.bytes_total += len(data)
    return len(data)


def _merge(parts: list[tuple[dict[str, list[int]], list[Any]]]) -> tuple[dict[str, list[int]], list[Any]]:
    post: dict[str, list[int]] = {}
    rows: list[Any] = []
    for part_post, part_rows in parts:
        shift = len(rows) << _PACK
        rows.extend(part_rows)
        for t, pl in part_post.items():
            have = post.get(t)
            if have is None:
                post[t] = pl if not shift else [x + shift for x in pl]
            else:
                have.extend(pl if not shift else [x + shift for x in pl])
    return post, rows


def _write_terms(tmp: Path, post: dict[str, list[int]], n: int, rep: ShardReport) -> tuple[int, dict[str, int]]:
    mask = _VMAX
    enc = {t: encode_postings([x >> _PACK for x in pl], [x & mask for x in pl], n) for t, pl in post.items()}
    big = sorted(t for t, e in enc.items() if len(e.encode("utf-8")) + len(t) * 3 > BIG_TERM)
    small_bytes = sum(len(e) + len(t) * 3 + 6 for t, e in enc.items() if len(e) + len(t) * 3 <= BIG_TERM)
    n_shards = max(1, math.ceil(small_bytes / SHARD_TARGET))
    bigset = set(big)
    shards: list[dict[str, str]] = [{} for _ in range(n_shards)]
    for t in sorted(enc):
        if t not in bigset:
            shards[fnv1a(t) % n_shards][t] = enc[t]
    (tmp / "s").mkdir()
    (tmp / "t").mkdir()
    for i, sh in enumerate(shards):
        _write(tmp / "s" / f"{i}.js", _script("kbSearchShard", i, sh), rep)
    big_ids = {}
    for i, t in enumerate(big):
        big_ids[t] = i
        _write(tmp / "t" / f"{i}.js", _script("kbSearchShard", f"t{i}", {t: enc[t]}), rep)
    rep.terms, rep.shards, rep.big_terms = len(enc), n_shards, len(big)
    return n_shards, big_ids


def _write_chunks(tmp: Path, folder: str, fn: str, items: list[Any], sizes: list[int], target: int,
                  rep: ShardReport, pack: Any = None, min_files: int = 0) -> tuple[int, int]:
    """``items`` in files ``folder/<i>.js`` of about ``target`` bytes (``sizes``: each item's
    estimate), each calling ``fn(i, items)`` (``pack`` reshapes a file's items): (items per
    file, files written)."""
    sizes = sizes or [1]
    per = max(1, int(target / (sum(sizes) / len(sizes))))
    (tmp / folder).mkdir()
    files = 0
    for c in range(0, max(len(items), min_files), per):
        part = items[c:c + per]
        _write(tmp / folder / f"{c // per}.js", _script(fn, c // per, pack(part) if pack else part), rep)
        files += 1
    return per, files


def _write_store(tmp: Path, rows: list[Any], rep: ShardReport) -> int:
    entries = [r[2] for r in rows]
    sizes = [len(json.dumps(e, ensure_ascii=False).encode("utf-8")) for e in entries]
    per, files = _write_chunks(tmp, "d", "kbSearchDocs", entries, sizes, CHUNK_TARGET, rep, min_files=1)
    rep.chunks += files
    return per


def _write_heads(tmp: Path, rows: list[Any], rep: ShardReport) -> tuple[int, int]:
    """Pages per heads file, bytes of all heads files."""
    before = rep.bytes_total
    heads = [(r[2][0], r[2][1]) for r in rows]
    sizes = [len(u.encode("utf-8")) + len(t.encode("utf-8")) + 6 for u, t in heads]
    per, files = _write_chunks(tmp, "h", "kbSearchHeads", heads, sizes, HEADS_TARGET, rep,
                               pack=lambda part: [x for head in part for x in head])
    rep.heads += files
    return per, rep.bytes_total - before


def _swap(tmp: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site_index(corpus: Any, out_dir: Path, urls: dict[str, str] | None = None,
                     use_directory_urls: bool = True, data: dict[str, Any] | None = None,
                     messages: dict[str, str] | None = None) -> ShardReport:
    """Write the site search index of ``corpus`` into ``out_dir`` (replaced as a whole)."""
    t0 = time.perf_counter()
    if data is None:
        data = export_data(corpus.config)
    tok = JapaneseTokenizer(data)
    parts = site_docs(corpus, urls, use_directory_urls, analyze=lambda docs: analyze(tok, data, docs))
    post, rows = _merge(parts)
    n = len(rows)
    rep = ShardReport(pages=n, sections=sum(len(r[2][3]) for r in rows))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.new-"))
    try:
        n_shards, big = _write_terms(tmp, post, n, rep)
        term_bytes = rep.bytes_total  # shards and term files: a site this small loads them after a first answer
        per = _write_store(tmp, rows, rep)
        loadable = rep.bytes_total  # shards, term files and store: a small site loads them all
        head, head_bytes = _write_heads(tmp, rows, rep)
        lengths = [r[0] for r in rows]
        manifest = {"bytes": loadable, "head": head, "heads": rep.heads, "headBytes": head_bytes, "termBytes": term_bytes,
            "format": FORMAT, "version": f"{FORMAT}-{ANALYZER_VERSION}-{data.get('version', '')}",
            "pages": n, "shards": n_shards, "big": big, "chunk": per,
            "avgdl": (sum(lengths) / n) if n else 1.0, "k1": K1, "b": B, "lenBase": LEN_BASE,
            "lens": "".join(ALPHA[min(63, round(math.log(1 + x, LEN_BASE)))] for x in lengths),
            "tcount": "".join(ALPHA[min(63, r[1])] for r in rows),
            "data": {k: v for k, v in data.items() if k != "tag_aliases"}, "cjk": CJK,
            "messages": messages or {},
        }
        rep.bytes_manifest = _write(tmp / "manifest.js", _script("kbSearchManifest", None, manifest), rep)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    rep.seconds = time.perf_counter() - t0
    return rep
