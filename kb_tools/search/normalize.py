"""The one Japanese text normaliser of kb-tools: used at index time and at query time, in the
CLI (Whoosh) and, exported as data, in the browser (the site search override).

SPEC (algorithm version 1). ``normalize(text, data)`` applies these steps in order; every step
works on the output of the previous one. "Katakana" below means the characters
U+30A1..U+30FA and U+30FC (ー), nothing else. Strings are sequences of Unicode code points.

1. NFKC: ``text.normalize("NFKC")`` (JS) / ``unicodedata.normalize("NFKC", text)`` (Python).
   Full-width ASCII becomes ASCII, half-width katakana becomes katakana (ｻｰﾊﾞｰ → サーバー).
2. Lower case: ``toLowerCase()`` / ``str.lower()`` (identical for the scripts we index).
3. Character map: each character found in ``data["char_map"]`` is replaced by its value
   (ヶ and ヵ → か, so 3ヶ月 / 3ヵ月 / 3か月 meet).
4. Dashes after katakana: scanning left to right, a character listed in ``data["dashes"]`` is
   replaced by ー when the character before it *in the output so far* is katakana
   (サーバ― → サーバー; a run of dashes after katakana all become ー).
5. Iteration marks: scanning left to right, ゝ (U+309D) becomes the previous output character
   when that is hiragana (U+3041..U+3096), and ヽ (U+30FD) becomes the previous output character
   when that is katakana; otherwise they stay.
6. Middle dots: a character listed in ``data["middle_dots"]`` (・ U+30FB, ゠ U+30A0) is deleted
   when the character before it and the character after it (in the input of this step) are both
   katakana (ガバメント・クラウド → ガバメントクラウド).
7. Long vowels: in every maximal run of katakana of length >= ``data["long_vowel_min_run"]``
   (4) that ends with ー, that one final ー is deleted (サーバー → サーバ, ユーザー → ユーザ,
   but キー, コピー stay; ー inside a word stays).
8. Dictionary: ``data["table"]`` is an ordered list of ``[key, value]`` pairs. Scan the string
   from position 0: at position i, the first entry in table order whose key occurs at i is
   applied — provided that, when the key starts with an ASCII letter or digit ([a-z0-9]), the
   character before i is not one, and when the key ends with one, the character after the match
   is not one. Output the entry's value and continue at i + len(key); when no entry applies,
   output the character at i and continue at i + 1. Values are not scanned again.
   The table is sorted by key length (code points) descending, then by key (code point order),
   so "first in table order" is "longest match". Keys and values are already normalised by
   steps 1-7; identity entries (key == value) protect canonical forms (仕様書 stays 仕様書
   although 仕様 → 仕様書).

The table comes from ``docs/_data/synonyms.yml`` (the house dictionary: a mapping canonical →
list of variants, e.g. ``引き継ぎ: [引継ぎ, 引継]``). For each canonical in file order: the
canonical maps to itself, then each variant maps to the canonical; a key already defined by an
earlier entry keeps its first definition. Tag aliases of taxonomy.yml are *not* applied to text
(``AWS`` → tag クラウド would make every クラウド page match ``AWS``); they resolve ``tag:``
filters and are exported as ``data["tag_aliases"]`` for the site.

``data["version"]`` changes whenever the algorithm, a parameter or the table changes: the
search index is rebuilt when it differs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from kb_tools.datadir import TAXONOMY_FILE, read_yaml

log = logging.getLogger(__name__)

ALGORITHM = 1
KATAKANA = "\u30a1-\u30fa\u30fc"
HIRAGANA = "\u3041-\u3096"
LONG_VOWEL = "\u30fc"
CHAR_MAP = {"\u30f6": "\u304b", "\u30f5": "\u304b"}  # ヶ ヵ → か
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # ‐ ‑ ‒ – — ― −
MIDDLE_DOTS = "\u30fb\u30a0"  # ・ ゠
LONG_VOWEL_MIN_RUN = 4
SYNONYMS_FILE = "synonyms.yml"

_ASCII_WORD = re.compile(r"[a-z0-9]")


def _pre(text: str) -> str:
    """Steps 1-7 of the SPEC (fast path: str methods and regular expressions)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if "\u30f6" in text or "\u30f5" in text:
        text = text.translate(_CHAR_TABLE)
    if _HAS_DASH.search(text):
        text = _DASH_AFTER_KATA.sub(lambda m: LONG_VOWEL * len(m.group()), text)
    if "\u309d" in text or "\u30fd" in text:
        text = _ITER_HIRA.sub(lambda m: m.group(1) * (1 + len(m.group(2))), text)
        text = _ITER_KATA.sub(lambda m: m.group(1) * (1 + len(m.group(2))), text)
    if "\u30fb" in text or "\u30a0" in text:
        text = _MIDDLE_DOT.sub("", text)
    if LONG_VOWEL in text:
        text = _KATA_RUN.sub(_fold, text)
    return text


def _fold(m: re.Match[str]) -> str:
    s = m.group()
    return s[:-1] if s[-1] == LONG_VOWEL else s


_CHAR_TABLE = str.maketrans(CHAR_MAP)
_HAS_DASH = re.compile(f"[{DASHES}]")
_DASH_AFTER_KATA = re.compile(f"(?<=[{KATAKANA}])[{DASHES}]+")
_ITER_HIRA = re.compile(f"([{HIRAGANA}])(\u309d+)")
_ITER_KATA = re.compile(f"([{KATAKANA}])(\u30fd+)")
_MIDDLE_DOT = re.compile(f"(?<=[{KATAKANA}])[{MIDDLE_DOTS}](?=[{KATAKANA}])")
_KATA_RUN = re.compile(f"[{KATAKANA}]{{{LONG_VOWEL_MIN_RUN},}}")


# ----------------------------------------------------------------------------- dictionary


def _as_str(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (str, int, float)):
        return str(v)
    return None


def read_synonyms(path: Path) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(canonical, variants) pairs of a synonyms.yml in file order, and problems found (messages)."""
    issues: list[str] = []
    if not path.is_file():
        return [], issues
    raw, problems = read_yaml(path, path.name)
    if raw is None and problems:
        return [], [f"{path}:{problems[0].line}: {problems[0].message}; search runs without the house dictionary"]
    issues.extend(f"{path}:{p.line}: {p.message}" for p in problems)
    if raw is None:
        return [], issues
    if not isinstance(raw, dict):
        return [], [f"{path}: expected a mapping 'canonical: [variants]'; search runs without the house dictionary"]
    out: list[tuple[str, list[str]]] = []
    for k, v in raw.items():
        canon = _as_str(k)
        if canon is None:
            issues.append(f"{path}: key {k!r} is not text; ignored")
            continue
        items = v if isinstance(v, list) else [v] if v is not None else []
        variants = []
        for item in items:
            s = _as_str(item)
            if s is None:
                issues.append(f"{path}: '{canon}': variant {item!r} is not text; ignored")
            else:
                variants.append(s)
        out.append((canon, variants))
    return out, issues


def build_table(pairs: list[tuple[str, list[str]]]) -> list[list[str]]:
    """The ordered replacement table of SPEC step 8 (keys/values normalised by steps 1-7)."""
    first: dict[str, str] = {}
    for canon, variants in pairs:
        value = _pre(canon).strip()
        if not value:
            continue
        for key in [canon, *variants]:
            k = _pre(key).strip()
            if k and k not in first:
                first[k] = value
    return [[k, first[k]] for k in sorted(first, key=lambda k: (-len(k), k))]


def _tag_aliases(data_dir: Path) -> dict[str, str]:
    path = data_dir / TAXONOMY_FILE
    raw = read_yaml(path, path.name)[0] if path.is_file() else None  # kb check reports its problems
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        for tid, spec in raw.items():
            tid_s = _as_str(tid)
            if tid_s is None:
                continue
            out.setdefault(_pre(tid_s), tid_s)
            aliases = spec.get("aliases") if isinstance(spec, dict) else None
            for a in aliases if isinstance(aliases, list) else []:
                s = _as_str(a)
                if s:
                    out.setdefault(_pre(s), tid_s)
    return out


def _data_dir(cfg_or_docs_dir: Any) -> Path | None:
    if cfg_or_docs_dir is None:
        return None
    if hasattr(cfg_or_docs_dir, "data_path"):
        return Path(cfg_or_docs_dir.data_path)
    p = Path(cfg_or_docs_dir)
    return p if p.name == "_data" else p / "_data"


def export_data(cfg_or_docs_dir: Any = None, synonyms: list[tuple[str, list[str]]] | None = None,
                issues: list[str] | None = None) -> dict[str, Any]:
    """Everything ``normalize`` needs, JSON-serialisable (the site reads the same dict).

    ``cfg_or_docs_dir``: a SiteConfig (its data_path), a docs_dir (reads ``_data/``) or None
    (no dictionary). ``synonyms`` overrides the file. Problems reading the dictionary are
    logged and appended to ``issues``; the normaliser then works without it.
    """
    data_dir = _data_dir(cfg_or_docs_dir)
    problems: list[str] = []
    if synonyms is None:
        synonyms, problems = read_synonyms(data_dir / SYNONYMS_FILE) if data_dir else ([], [])
    for p in problems:
        log.warning("%s", p)
    if issues is not None:
        issues.extend(problems)
    table = build_table(synonyms)
    params = {
        "algorithm": ALGORITHM,
        "katakana": [[0x30A1, 0x30FA], [0x30FC, 0x30FC]],
        "hiragana": [[0x3041, 0x3096]],
        "char_map": CHAR_MAP,
        "dashes": DASHES,
        "middle_dots": MIDDLE_DOTS,
        "iteration_marks": {"hiragana": "\u309d", "katakana": "\u30fd"},
        "long_vowel": LONG_VOWEL,
        "long_vowel_min_run": LONG_VOWEL_MIN_RUN,
        "ascii_word": "[a-z0-9]",
        "table": table,
    }
    digest = hashlib.blake2b(json.dumps(params, ensure_ascii=False, sort_keys=True).encode(), digest_size=8)
    data = {"version": f"{ALGORITHM}-{digest.hexdigest()}", **params}
    data["tag_aliases"] = _tag_aliases(data_dir) if data_dir else {}
    return data


# ----------------------------------------------------------------------------- normalise

_COMPILED: dict[str, tuple[re.Pattern[str] | None, dict[str, str]]] = {}


def _compiled(data: dict[str, Any]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    version = data.get("version", "")
    hit = _COMPILED.get(version)
    if hit is not None:
        return hit
    table = data.get("table") or []
    alts = []
    for key, _value in table:
        pat = re.escape(key)
        if _ASCII_WORD.match(key[0]):
            pat = "(?<![a-z0-9])" + pat
        if _ASCII_WORD.match(key[-1]):
            pat += "(?![a-z0-9])"
        alts.append(pat)
    rx = re.compile("|".join(alts)) if alts else None
    result = (rx, {k: v for k, v in table})
    if len(_COMPILED) > 16:
        _COMPILED.clear()
    _COMPILED[version] = result
    return result


_EMPTY: dict[str, Any] | None = None


def empty_data() -> dict[str, Any]:
    """Normaliser data without a house dictionary."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = export_data(None)
    return _EMPTY


def normalize(text: str, data: dict[str, Any] | None = None) -> str:
    """Normalise ``text`` (SPEC above). ``data`` from ``export_data``; None: no dictionary."""
    if data is None:
        data = empty_data()
    text = _pre(text)
    rx, mapping = _compiled(data)
    if rx is None or not text:
        return text
    return rx.sub(lambda m: mapping[m.group()], text)


def normalize_map(text: str, data: dict[str, Any] | None = None) -> tuple[str, list[int]]:
    """``normalize`` with an offset map: ``out[j]`` comes from ``text[starts[j]]``.

    ``starts`` has len(out) + 1 entries (the last is len(text)); used to highlight matches in
    the original text. The string is always exactly ``normalize(text, data)``.
    """
    expected = normalize(text, data)
    chars: list[str] = []
    origin: list[int] = []
    # Steps 1-2 per cluster (a base character with the marks that compose with it).
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in "\uff9e\uff9f\u3099\u309a"):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j]).lower()
        chars.extend(piece)
        origin.extend([i] * len(piece))
        i = j
    # Steps 3-7 one character at a time, carrying origins.
    s, o = chars, origin
    s = [CHAR_MAP.get(c, c) for c in s]
    kata = re.compile(f"[{KATAKANA}]")
    for k in range(1, len(s)):
        if s[k] in DASHES and kata.match(s[k - 1]):
            s[k] = LONG_VOWEL
    for k in range(1, len(s)):
        if s[k] == "\u309d" and "\u3041" <= s[k - 1] <= "\u3096":
            s[k] = s[k - 1]
        elif s[k] == "\u30fd" and kata.match(s[k - 1]):
            s[k] = s[k - 1]
    keep = [not (c in MIDDLE_DOTS and 0 < k < len(s) - 1 and kata.match(s[k - 1]) and kata.match(s[k + 1]))
            for k, c in enumerate(s)]
    s = [c for c, kp in zip(s, keep) if kp]
    o = [x for x, kp in zip(o, keep) if kp]
    pre = "".join(s)
    drop = {m.end() - 1 for m in _KATA_RUN.finditer(pre) if pre[m.end() - 1] == LONG_VOWEL}
    s = [c for k, c in enumerate(s) if k not in drop]
    o = [x for k, x in enumerate(o) if k not in drop]
    pre = "".join(s)
    rx, mapping = _compiled(data or empty_data())
    if rx is not None:
        out_c: list[str] = []
        out_o: list[int] = []
        pos = 0
        for m in rx.finditer(pre):
            out_c.extend(s[pos:m.start()])
            out_o.extend(o[pos:m.start()])
            val = mapping[m.group()]
            out_c.extend(val)
            last = m.end() - m.start() - 1
            out_o.extend(o[m.start() + min(k, last)] for k in range(len(val)))
            pos = m.end()
        out_c.extend(s[pos:])
        out_o.extend(o[pos:])
        s, o = out_c, out_o
    out = "".join(s)
    if out != expected:  # a composition our clustering did not foresee: coarse but safe map
        o = [min(len(text) - 1, k * len(text) // max(len(expected), 1)) for k in range(len(expected))] if text else []
        out = expected
    return out, [*o, len(text)]
