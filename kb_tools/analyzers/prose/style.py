"""The house style as data: ``docs/_data/style.yml``, one entry per decided form.

```yaml
サーバー: [サーバ]                    # canonical: [variants]; a variant is a literal ...
問合せ:
  - pattern: "問い合わせ(?![るれろまたてなさせずよ])"   # ... or a regular expression
```

A literal variant matches anywhere in running text; a ``pattern`` is a Python regular
expression (use lookarounds so that verb forms such as 問い合わせる are not flagged). Every
canonical form protects its own span: ベンダーロックイン (canonical) contains ベンダー (a
variant of 事業者) and is never flagged. Where two candidates overlap, the leftmost wins, then the
longest. ``parse_style`` never raises: problems are returned with their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb_tools.datadir import parse_yaml
from kb_tools.i18n import _

STYLE_FILE = "style.yml"
_QUOTES = {"「": "」", "『": "』"}


@dataclass(frozen=True, slots=True)
class Entry:
    canonical: str
    literals: tuple[str, ...]
    patterns: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Style:
    entries: tuple[Entry, ...]
    problems: tuple[tuple[int, str], ...]  # (line in style.yml, message)


def _entry(canonical: str, variants: object, line: int, problems: list[tuple[int, str]]) -> Entry | None:
    if not isinstance(variants, list):
        problems.append((line, _("'{canonical}': variants must be a list").format(canonical=canonical)))
        return None
    literals, patterns = [], []
    for v in variants:
        if isinstance(v, str) and v:
            literals.append(v)
        elif isinstance(v, dict) and isinstance(v.get("pattern"), str) and set(v) <= {"pattern", "canonical"}:
            try:
                re.compile(v["pattern"])
            except re.error as exc:
                problems.append((line, _("'{canonical}': bad pattern '{pattern}': {error}").format(
                    canonical=canonical, pattern=v["pattern"], error=exc)))
                continue
            patterns.append(v["pattern"])
        else:
            problems.append((line, _("'{canonical}': a variant is a string or {{pattern: REGEX}}, not {value!r}").format(
                canonical=canonical, value=v)))
    return Entry(canonical, tuple(literals), tuple(patterns), line)


def parse_style(data: bytes) -> Style:
    """The entries of a style.yml (empty when ``data`` is empty) and the problems found."""
    problems: list[tuple[int, str]] = []
    if not data.strip():
        return Style((), ())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Style((), ((1, _("not valid UTF-8: {error}").format(error=exc.reason)),))
    raw, issues = parse_yaml(text, "prose.config")  # the one _data reader's YAML rules
    if raw is None and issues:
        i = issues[0]
        return Style((), ((i.line, _(i.message).format(**(i.args or {}))),))
    if not isinstance(raw, dict):
        return Style((), ((1, _("style.yml must map canonical forms to lists of variants")),))
    lines = getattr(raw, "key_lines", {})  # the reader's LineDict knows each key's line
    entries = []
    for canonical, variants in raw.items():
        e = _entry(str(canonical), variants, lines.get(canonical, 1), problems)
        if e is not None:
            entries.append(e)
    return Style(tuple(entries), tuple(problems))


class Matcher:
    """Finds variants in lines of running text (columns kept)."""

    def __init__(self, style: Style) -> None:
        self._kind: dict[str, str | None] = {}  # literal -> canonical it is a variant of (None: protected)
        for e in style.entries:
            self._kind[e.canonical] = None
        for e in style.entries:
            for lit in e.literals:
                if lit not in self._kind:
                    self._kind[lit] = e.canonical
        lits = sorted(self._kind, key=lambda s: (-len(s), s))
        self._literal_re = re.compile("|".join(map(re.escape, lits))) if lits else None
        self._patterns = [(re.compile(p), e.canonical) for e in style.entries for p in e.patterns]

    def find(self, text: str) -> list[tuple[int, str, str]]:
        """``(offset, variant, canonical)`` of each variant in ``text`` outside 「…」 and 『…』."""
        cands: list[tuple[int, int, str | None]] = []  # (start, end, canonical or None = protected)
        if self._literal_re is not None:
            for m in self._literal_re.finditer(text):
                cands.append((m.start(), m.end(), self._kind[m.group()]))
        for rx, canonical in self._patterns:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    cands.append((m.start(), m.end(), canonical))
        if not cands:
            return []
        quoted = _quoted(text)
        cands.sort(key=lambda c: (c[0], c[0] - c[1]))
        out = []
        taken = -1
        for start, end, canonical in cands:
            if start < taken:
                continue
            taken = end
            if canonical is not None and not any(a <= start < b for a, b in quoted):
                out.append((start, text[start:end], canonical))
        return out


def _quoted(text: str) -> list[tuple[int, int]]:
    """Spans of 「…」 and 『…』 (outermost, on this line; an unclosed quote runs to the end)."""
    if "「" not in text and "『" not in text:
        return []
    spans = []
    stack: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _QUOTES:
            if not stack:
                start = i
            stack.append(_QUOTES[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                spans.append((start, i + 1))
    if stack:
        spans.append((start, len(text)))
    return spans


@lru_cache(maxsize=4)
def matcher_for(data: bytes) -> Matcher:
    """One compiled matcher per style file content (per worker process)."""
    return Matcher(parse_style(data))
