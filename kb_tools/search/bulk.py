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
- each term's posting list is written at once by ``segment.write_term`` (Whoosh's block
  format, with the same block statistics — max weight, min/max field length — Whoosh computes
  per posting, and no per-block writer objects); blocks hold 1,024 postings instead of 128 (a
  reader takes the size from each block: any Whoosh reads it), because ``kb search`` reads
  whole posting lists and pays per block, not per posting;
- a merge (Whoosh's merge policy calls ``add_reader`` for each segment it merges) keeps
  Whoosh's copy of the per-document part and reads the postings of the merged segments term by
  term (``segment.read_segment``) into the same buffers, numbered after the added documents.

The segment it writes is read by stock Whoosh; tests check that every field's postings,
weights, values, lengths and stored fields equal those written by ``SegmentWriter``, for a
cold build and for updates with deletions and merges. Used for a build from scratch and for
``kb index`` updates (a one-page update of a page with thousands of distinct terms paid
Whoosh's per-term writer costs thousands of times).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from kb_tools.search import _whoosh  # noqa: F401 - first: Whoosh without urllib.request and asyncio
from whoosh.codec.whoosh3 import W3Codec, W3TermsReader
from whoosh.system import pack_uint, pack_ushort
from whoosh.writing import SegmentWriter

from kb_tools.search.analysis import FastFrequency, _tokenizer
from kb_tools.search.segment import read_segment, write_term

BLOCK = 1024  # postings per block (Whoosh's default 128): 1.7x faster to read whole lists
_FREQ_BYTES: list[bytes] = [pack_uint(i) for i in range(256)]


def _freq_bytes(f: int) -> bytes:
    return _FREQ_BYTES[f] if f < 256 else pack_uint(f)


def _reader_postings(reader: Any, schema: Any, live: dict[int, int] | None
                     ) -> Iterator[tuple[str, bytes, list[int], list[float], list[Any]]]:
    """The terms of ``reader`` in the schema with their whole posting lists, deleted documents
    included (``live``: the documents kept, or None; a hint: terms of none of them may be left
    out): a segment's term table read term by term (``segment.read_segment``), any other reader
    through Whoosh's ``iter_postings``."""
    terms = getattr(reader, "_terms", None)
    if isinstance(terms, W3TermsReader):
        yield from read_segment(terms, schema, live)
        return
    last, ids, weights, values = None, [], [], []
    for fieldname, tbytes, docnum, weight, value in reader.iter_postings():
        if (fieldname, tbytes) != last:
            if last is not None and last[0] in schema:
                yield (*last, ids, weights, values)
            last, ids, weights, values = (fieldname, tbytes), [], [], []
        ids.append(docnum)
        weights.append(weight)
        values.append(value)
    if last is not None and last[0] in schema:
        yield (*last, ids, weights, values)


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` that writes postings block by block (see the module docstring)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", W3Codec(blocklimit=BLOCK))
        super().__init__(ix, **kwargs)
        # fieldname -> term (str) -> (docnums, weights, values or None: frequency bytes)
        self._terms: dict[str, dict[str, tuple[array, array, list[bytes] | None]]] = {}
        self._freqs: dict[str, dict[str, tuple[array, array]]] = {}
        self._lengths: dict[str, dict[int, int]] = {}
        self._merged: dict[str, dict[bytes, tuple[array, array, list[Any]]]] = {}  # segments merged in
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

    # -- merging: Whoosh's merge policy hands each segment to merge to ``add_reader``, which
    # copies the per-document part (``write_per_doc``: stored fields, lengths, columns, the
    # map of the surviving documents) and then this, instead of Whoosh's sorting pool.

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        schema = self.schema
        lengths = self._lengths
        for fieldname in reader.indexed_field_names():
            if fieldname in schema and schema[fieldname].scorable:
                seen = lengths.setdefault(fieldname, {})
                for old in (docmap if docmap is not None else range(reader.doc_count_all())):
                    n = reader.doc_field_length(old, fieldname)
                    if n:
                        seen[docmap[old] if docmap is not None else startdoc + old] = n
        if docmap is not None and not docmap:
            return  # every document of the segment is deleted (an earlier version of a page)
        for fieldname, tbytes, ids, weights, values in _reader_postings(reader, schema, docmap):
            if docmap is None:
                ids = [startdoc + d for d in ids]
            else:
                keep = [i for i, d in enumerate(ids) if d in docmap]
                if not keep:
                    continue
                if len(keep) < len(ids):
                    weights = [weights[i] for i in keep]
                    values = [values[i] for i in keep] if values else values
                ids = [docmap[ids[i]] for i in keep]
            g = self._merged.setdefault(fieldname, {}).get(tbytes)
            if g is None:
                g = self._merged[fieldname][tbytes] = (array("I"), array("f"), [])
            g[0].extend(ids)
            g[1].extend(weights)
            g[2].extend(values)

    # -- writing

    def _rows(self, name: str, fb: float) -> list[tuple[bytes, tuple[array, array, list[bytes]]]]:
        """The field's terms, sorted, each with (docnums, weights, values): the added documents'
        then the merged segments' (numbered after them)."""
        rows: dict[bytes, list[tuple[array, array, list[bytes]]]] = {}
        for t, (ids, freqs) in self._freqs.get(name, {}).items():
            weights = array("f", (f * fb for f in freqs)) if fb != 1.0 else array("f", freqs)
            rows[t.encode("utf-8")] = [(ids, weights, [_freq_bytes(f) for f in freqs])]
        for source in (self._terms, self._merged):
            for t, v in source.get(name, {}).items():
                rows.setdefault(t, []).append(v)
        out = []
        for t in sorted(rows):
            parts = rows[t]
            if len(parts) > 1:
                parts.sort(key=lambda part: part[0][0])
                ids, weights, values = array("I"), array("f"), []
                for i, w, v in parts:
                    ids.extend(i)
                    weights.extend(w)
                    values.extend(v)
                parts = [(ids, weights, values)]
            out.append((t, parts[0]))
        return out

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        limit = self.codec._blocklimit
        for name in sorted(set(self._terms) | set(self._freqs) | set(self._merged)):
            field = self.schema[name]
            fw.start_field(name, field)
            lengths = self._lengths.get(name, {})
            fixedsize = field.format.fixed_value_size()
            prefix = pack_ushort(fw._fieldid)
            for tbytes, (ids, weights, values) in self._rows(name, field.format.field_boost):
                write_term(fw._postfile, fw._tindex, prefix + tbytes, ids, weights, values, lengths, limit, fixedsize)
            fw.finish_field()
        self._terms.clear()
        self._freqs.clear()
        self._merged.clear()
        fw.close()
