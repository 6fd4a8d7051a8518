"""Whoosh's W3 posting lists written and read a whole term at a time (``bulk.BulkWriter``).

Whoosh's codec writes a posting list through a ``W3PostingsWriter`` (per posting: type
asserts, a ``W3TermInfo`` updated block by block, a zlib-compressed pickle per block, even of
one posting) and reads one through a ``W3LeafMatcher`` (one object per term, posting by
posting). A one-page update of a page with thousands of distinct terms writes one posting per
term, and a merge of the small segments such updates leave reads them all back: both paid
those per-term costs thousands of times.

The bytes are Whoosh's own format, which stock Whoosh reads:

- per term: the 4-byte header ``W3Bl``, then blocks of ``int length`` (negative for the last
  block), the pickled info tuple ``(postings, last id, max weight, compression, min length
  byte, max length byte)`` and the pickled data tuple ``(delta-coded ids, weights, values)``,
  zlib-compressed when the info says so;
- the term table row: ``W3TermInfo``'s struct (flags, total weight, doc frequency, min/max
  length bytes, max weight, first and last id) then the extent (offset, length).

Two differences from Whoosh's writer, both read by any Whoosh on Python 3: the pickles are
protocol 3 (Whoosh's protocol 2 encodes bytes through a latin-1 string: a one-posting block's
data is 68 bytes instead of 28 and takes 9x the time), and a block's data is compressed only
from COMPRESS_AT bytes on (a zlib compressor's set-up cost ~15-70 µs, more than the rest of a
one-posting term, to save nothing on 30 bytes; Whoosh meant to skip blocks under 20 bytes, but
its test is overwritten on the next line). A reader takes the compression from each block's
info and unpickles any protocol.
"""

from __future__ import annotations

import io
import pickle
import zlib
from array import array
from collections.abc import Container, Iterator
from itertools import accumulate
from struct import Struct
from typing import Any

from kb_tools.search import _whoosh  # noqa: F401 - first: Whoosh without urllib.request and asyncio
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.util.numeric import length_to_byte

COMPRESS_AT = 64  # bytes of a block's pickled data from which it is zlib-compressed
COMPRESSION = 3  # Whoosh's default level
PROTOCOL = 3  # pickles: Python 3's bytes opcodes (Whoosh's protocol 2 pickles bytes as a latin-1 string: 2.4x the size, 9x the time)
_INT = Struct("!i")
_TERMINFO = W3TermInfo._struct  # "!BfIBBfII"
_EXTENT = Struct("!qi")  # whoosh.system pack_long + pack_int
_USHORT = Struct("!H")  # the field number before a term's bytes
_dumps = pickle.dumps


def _mini_weights(weights: Any) -> Any:
    first = weights[0]
    if all(w == first for w in weights):
        return None if first == 1.0 else first
    return tuple(weights)


def write_term(postfile: Any, tindex: Any, key: bytes, ids: array, weights: array, values: list[bytes],
               lengths: dict[int, int], limit: int, fixedsize: int | None) -> None:
    """Write one term's posting list (``ids`` ascending, their weights and value bytes: an
    empty ``values`` list when the format has none) and its term table row ``key``.
    ``lengths``: docnum -> field length (missing or 0: none), for the blocks' length bytes."""
    start = postfile.tell()
    n = len(ids)
    if n == 1:  # most terms of an update's segment: the same bytes as the general case below
        _write_one(postfile, tindex, key, start, ids[0], weights[0], values[0] if values else None,
                   lengths.get(ids[0]), fixedsize)
        return
    parts = [WHOOSH3_HEADER_MAGIC]
    total = 0.0
    tmin: int | None = None
    tmax = 0
    tmaxw: Any = 0
    for s in range(0, n, limit):
        e = min(n, s + limit)
        bid, bw = ids[s:e], weights[s:e]
        lens = [x for x in map(lengths.get, bid) if x]
        mn = min(lens) if lens else None
        mx = max(lens) if lens else 0
        mw = max(max(bw), 0)
        total += sum(bw)
        if mn is not None:
            tmin = mn if tmin is None else min(tmin, mn)
        tmax = max(tmax, mx)
        tmaxw = max(tmaxw, mw)
        deltas = tuple(b - a for a, b in zip((0, *bid), bid))
        data, comp = _block_data(deltas, _mini_weights(bw), values[s:e] if values else (), fixedsize)
        info = _dumps((e - s, bid[-1], mw, comp, length_to_byte(mn), length_to_byte(mx)), PROTOCOL)
        size = len(info) + len(data)
        parts += (_INT.pack(-size if e == n else size), info, data)
    blob = b"".join(parts)
    postfile.write(blob)
    row = _TERMINFO.pack(0, total, n, 0 if tmin is None else length_to_byte(tmin), length_to_byte(tmax), tmaxw,
                         ids[0], ids[-1]) + _EXTENT.pack(start, len(blob))
    tindex.add(key, row)


def _block_data(deltas: tuple[int, ...], weights: Any, values: Any, fixedsize: int | None) -> tuple[bytes, int]:
    """A block's pickled data tuple and its compression level (0: none, under COMPRESS_AT bytes).
    ``values``: the postings' value bytes (empty ones dropped, as Whoosh does)."""
    vs = [v for v in values if v]
    if fixedsize is None or fixedsize < 0:
        vals: Any = tuple(vs)
    elif fixedsize == 0:
        vals = None
    else:
        vals = b"".join(vs)
    data = _dumps((deltas, weights, vals), PROTOCOL)
    if len(data) < COMPRESS_AT:
        return data, 0
    return zlib.compress(data, COMPRESSION), COMPRESSION


def _write_one(postfile: Any, tindex: Any, key: bytes, start: int, docnum: int, weight: float, value: Any,
               length: int | None, fixedsize: int | None) -> None:
    """``write_term`` of a one-posting list."""
    data, comp = _block_data((docnum,), None if weight == 1.0 else weight, (value,) if value else (), fixedsize)
    lb = length_to_byte(length) if length else 0
    mw = max(weight, 0)
    info = _dumps((1, docnum, mw, comp, lb, lb), PROTOCOL)
    blob = b"".join((WHOOSH3_HEADER_MAGIC, _INT.pack(-len(info) - len(data)), info, data))
    postfile.write(blob)
    tindex.add(key, _TERMINFO.pack(0, weight, 1, lb, lb, mw, docnum, docnum) + _EXTENT.pack(start, len(blob)))


def _decode_values(vals: Any, count: int, fixedsize: int | None) -> list[Any]:
    if fixedsize is None or fixedsize < 0:
        return list(vals)
    if fixedsize == 0:
        return [None] * count
    return [vals[i:i + fixedsize] for i in range(0, len(vals), fixedsize)]


def read_term(postfile: Any, row: bytes, fixedsize: int | None) -> tuple[list[int], list[float], list[Any]]:
    """One term's whole posting list (ids, weights, values) as Whoosh's matcher yields them,
    from its term table row (deleted documents included: the caller filters)."""
    size = _TERMINFO.size
    if row[0]:  # inlined in the row (Whoosh's inlinelimit: not written by kb)
        ids, weights, values = pickle.loads(row[size:])
        return list(ids), list(weights), list(values)
    offset, length = _EXTENT.unpack_from(row, size)
    buf = io.BytesIO(postfile.get(offset, length))
    if buf.read(4) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"block tag error at {offset}")
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    while True:
        size = _INT.unpack(buf.read(4))[0]
        end = buf.tell() + abs(size)
        count, _last, _maxw, comp, _mn, _mx = pickle.load(buf)
        raw = buf.read(end - buf.tell())
        deltas, w, vals = pickle.loads(zlib.decompress(raw) if comp else raw)
        ids += accumulate(deltas)
        if w is None:
            weights += [1.0] * count
        elif isinstance(w, float):
            weights += [w] * count
        else:
            weights += w
        values += _decode_values(vals, count, fixedsize)
        if size < 0:
            return ids, weights, values


def read_segment(terms: Any, schema: Any, live: Container[int] | None = None
                 ) -> Iterator[tuple[str, bytes, list[int], list[float], list[Any]]]:
    """Every term of a segment's term table (``W3TermsReader``) whose field is in ``schema``,
    in the table's order, with its whole posting list (``read_term``). ``live``: the documents
    kept (None: all); a one-posting term of another document is skipped unread (the row says
    which document it is: updates of one page leave segments of thousands of such terms)."""
    names = {num: name for name, num in terms._fieldmap.items()}
    fixed = {name: schema[name].format.fixed_value_size() for name in names.values() if name in schema}
    postfile = terms._postfile
    for key, row in terms._tindex.items():
        name = names[_USHORT.unpack_from(key)[0]]
        if name not in fixed:
            continue
        if live is not None:
            _flags, _w, df, _mn, _mx, _mw, first, _last = _TERMINFO.unpack_from(row)
            if df == 1 and first not in live:
                continue
        yield (name, key[_USHORT.size:], *read_term(postfile, row, fixed[name]))
