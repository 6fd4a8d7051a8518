"""A faster Whoosh writer for the cold build of the search index (a real Whoosh segment).

Whoosh's ``SegmentWriter`` spends most of a cold build on per-posting Python calls: every
(field, term, doc) posting is a tuple pushed through a sorting pool (spilled to temp files and
merged back), then handed one by one to the codec, which looks up the document's field length
through a column reader for each of them. At ~650 distinct bigrams per page that was ~40 µs
of CPU per posting, 300+ s for 10,000 pages.

``BulkWriter`` is a ``SegmentWriter`` subclass that keeps the codec, the per-document writer
(stored fields, field lengths), the TOC, the lock and the commit of Whoosh, and only changes
how postings are gathered and written:

- postings are collected per field and term in ``array`` buffers (docnums are added in order,
  so no sort is needed besides sorting the terms once);
- Japanese fields are counted with ``JapaneseTokenizer.counts`` (the same terms as the
  analyzer; a test checks it) instead of one generator step per term;
- the codec's postings writer is fed one full block at a time, with the same block statistics
  (max weight, min/max field length) Whoosh computes per posting; blocks hold 1,024 postings
  instead of 128 (a reader takes the size from each block: any Whoosh reads it), because
  ``kb search`` reads whole posting lists and pays per block, not per posting.

The segment it writes is read by stock Whoosh; a test checks that every field's postings,
weights, values, lengths and stored fields equal those written by ``SegmentWriter``.
Used only for a build from scratch (one segment); updates go through the ordinary writer.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from kb_tools.search.analysis import FastFrequency, _tokenizer

BLOCK = 1024  # postings per block (Whoosh's default 128): 1.7x faster to read whole lists
_FREQ_BYTES: list[bytes] = [pack_uint(i) for i in range(256)]


def _freq_bytes(f: int) -> bytes:
    return _FREQ_BYTES[f] if f < 256 else pack_uint(f)


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` that writes postings block by block (see the module docstring)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", W3Codec(blocklimit=BLOCK))
        super().__init__(ix, **kwargs)
        # fieldname -> term (str) -> (docnums, weights, values or None: frequency bytes)
        self._terms: dict[str, dict[str, tuple[array, array, list[bytes] | None]]] = {}
        self._freqs: dict[str, dict[str, tuple[array, array]]] = {}
        self._lengths: dict[str, dict[int, int]] = {}
        self._fast: dict[str, Any] = {}
        for name, field in self.schema.items():
            tok = _tokenizer(field.analyzer) if getattr(field, "analyzer", None) else None
            if tok is not None and type(field.format) is FastFrequency:
                self._fast[name] = tok

    def add_document(self, **fields: Any) -> None:  # noqa: C901 - mirrors SegmentWriter.add_document
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields.get(name)
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    tok = self._fast.get(name)
                    if tok is not None and isinstance(value, str) and "_boost" not in fields \
                            and f"_{name}_boost" not in fields:
                        counts = tok.counts(value)
                        tmap = self._freqs.setdefault(name, {})
                        for term, f in counts.items():
                            e = tmap.get(term)
                            if e is None:
                                e = tmap[term] = (array("I"), array("I"))
                            e[0].append(docnum)
                            e[1].append(f)
                            length += f
                    else:
                        boost = self._field_boost(fields, name, self._doc_boost(fields))
                        gmap = self._terms.setdefault(name, {})
                        for tbytes, freq, weight, vbytes in field.index(value):
                            g = gmap.get(tbytes)
                            if g is None:
                                g = gmap[tbytes] = (array("I"), array("f"), [])
                            g[0].append(docnum)
                            g[1].append(weight * boost)
                            g[2].append(vbytes)  # type: ignore[union-attr]
                            length += freq
                    if not field.scorable:
                        length = 0
                    elif length:
                        self._lengths.setdefault(name, {})[docnum] = length
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError("BulkWriter: spelling fields and term vectors are not supported")
                custom = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, custom if field.stored else None, length)
                column = field.column_type
                if column and custom is not None:
                    perdoc.add_column_value(name, column, field.to_column_value(custom))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    # -- writing

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(set(self._terms) | set(self._freqs)):
            field = self.schema[name]
            fw.start_field(name, field)
            lengths = self._lengths.get(name, {})
            fb = field.format.field_boost
            rows: list[tuple[bytes, Any]] = [(t.encode("utf-8"), ("f", v)) for t, v in self._freqs.get(name, {}).items()]
            rows += [(t, ("g", v)) for t, v in self._terms.get(name, {}).items()]
            rows.sort(key=lambda r: r[0])
            for tbytes, (kind, entry) in rows:
                if kind == "f":
                    ids, freqs = entry
                    weights = array("f", (f * fb for f in freqs)) if fb != 1.0 else array("f", freqs)
                    values = [_freq_bytes(f) for f in freqs]
                else:
                    ids, weights, values = entry
                fw.start_term(tbytes)
                self._write_blocks(fw._postwriter, ids, weights, values, lengths)
                fw.finish_term()
            fw.finish_field()
        self._terms.clear()
        self._freqs.clear()
        fw.close()

    @staticmethod
    def _write_blocks(pw: Any, ids: array, weights: array, values: list[bytes], lengths: dict[int, int]) -> None:
        limit = pw._blocklimit
        n = len(ids)
        for start in range(0, n, limit):
            end = min(n, start + limit)
            bid = ids[start:end]
            bw = weights[start:end]
            lens = [x for x in map(lengths.get, bid) if x]
            pw._ids = bid
            pw._weights = bw
            pw._values = [v for v in values[start:end] if v]
            pw._minlength = min(lens) if lens else None
            pw._maxlength = max(lens) if lens else 0
            pw._maxweight = max(max(bw), 0)
            pw._write_block(last=end == n)
