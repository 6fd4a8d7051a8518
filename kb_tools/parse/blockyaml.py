"""A fast reader for the plain block YAML that ``_data`` files are written in.

``datadir.parse_yaml`` composes nodes with the C parser and builds values from them, which keeps
every line but costs about 0.6 s of CPU for a 2,000-system ledger (the composer and the implicit
resolver are Python). Hand-written data files use a small subset of YAML: block mappings and
sequences indented with spaces, ``- key: value`` items, plain and simply quoted scalars, dates,
comments, and one-line flow collections of plain scalars (``{number: G-1, end: 2029-03-31}``,
``[a, b]``). :func:`load` reads that subset line by line and returns the same values, the same
``LineDict`` lines and key lines, the same impossible dates and duplicate keys (line and column)
as the composing reader; on anything outside the subset (anchors, tags, block scalars,
multi-line scalars, escapes, tabs, document markers, odd characters, any error) it returns None
and the caller uses the full reader. ``tests/test_blockyaml.py`` holds the two readers equal
with a property test.
"""

from __future__ import annotations

import re
from typing import Any


from kb_tools.parse.frontmatter import _NO_VALUE, _STR, InvalidDate, plain_value


class LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that knows its own line and the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[Any, int]


class _Unsure(Exception):
    """Outside the subset: the full reader decides."""


# libyaml's printable set, without tab, CR, NEL, LS, PS and BOM (the full reader handles those)
_ODD_CHAR = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?: |$)", re.MULTILINE)
# a plain key, then ':' and a space or the end of the line
_KEY = re.compile(r"([^\s'\"#&*!|>%@`{}\[\],?:<=-][^:#]*?):(?: +|$)")
_BLOCK_START = frozenset("&*!|>%@`,[]{}#'\"")
_FLOW_BAD = re.compile(r"[{}\[\]'\"#\\]")


class _Reader:
    def __init__(self, lines: list[tuple[int, int, str, bool]]) -> None:
        self.lines = lines  # (1-based line, indent, content without indent and trailing spaces, a "- " item)
        self.bad_dates: list[tuple[int, int, str]] = []
        self.duplicates: list[tuple[int, int, str, int]] = []
        self.tags: dict[str, str] = {}  # plain scalar -> its resolved tag (keys and values repeat)

    # --- scalars ---

    def plain(self, v: str, line: int, col: int) -> Any:
        """A plain scalar resolved and constructed like SafeLoader (``col`` 1-based): the front
        matter's resolver, with an impossible date noted where it stands."""
        value = plain_value(v, self.tags)
        if value is _NO_VALUE:
            raise _Unsure  # a datetime, a merge key, '=' and the like: the full reader
        if value.__class__ is InvalidDate:
            self.bad_dates.append((line, col, v))
        return value

    def block_plain(self, v: str, line: int, col: int) -> Any:
        """A plain scalar in block context: ``v`` starts at ``col``, comment already cut."""
        if v[0] in _BLOCK_START or (v[0] in "-?:" and (len(v) == 1 or v[1] == " ")):
            raise _Unsure
        if ": " in v or v.endswith(":"):
            raise _Unsure
        return self.plain(v, line, col)

    def value(self, rest: str, line: int, col: int) -> Any:
        """The one-line value after ``key:`` or ``-`` (``rest`` non-empty, starts at ``col``)."""
        c = rest[0]
        if c == "'" or c == '"':
            end = rest.find(c, 1)
            while c == "'" and end != -1 and rest[end + 1:end + 2] == "'":
                end = rest.find(c, end + 2)
            if end == -1:
                raise _Unsure
            inner, tail = rest[1:end], rest[end + 1:]
            if tail and not (tail.startswith(" ") and (tail.strip() == "" or tail.lstrip().startswith("#"))):
                raise _Unsure
            if c == '"':
                if "\\" in inner:
                    raise _Unsure
                return inner
            return inner.replace("''", "'")
        if c == "{" or c == "[":
            return self.flow(rest, line, col)
        cut = rest.find(" #")
        if cut != -1:
            rest = rest[:cut].rstrip(" ")
        return self.block_plain(rest, line, col)

    def flow(self, rest: str, line: int, col: int) -> Any:
        close = "}" if rest[0] == "{" else "]"
        end = rest.find(close)
        if end == -1:
            raise _Unsure
        tail = rest[end + 1:]
        if tail and not (tail.startswith(" ") and (tail.strip() == "" or tail.lstrip().startswith("#"))):
            raise _Unsure
        inner = rest[1:end]
        if _FLOW_BAD.search(inner):
            raise _Unsure
        if close == "}":
            out = LineDict()
            out.line, out.key_lines = line, {}
        else:
            items: list[Any] = []
        if inner.strip() == "":
            return out if close == "}" else items
        pos = col + 1  # column of inner[0]
        for part in inner.split(","):
            if close == "}":
                k, sep, v = part.partition(":")
                if not sep or ":" in v or not v.startswith(" "):
                    raise _Unsure
                key = self.flow_plain(k, line, pos)
                self.seen(out, key, line, pos + len(k) - len(k.lstrip(" ")))
                out[key] = self.flow_plain(v, line, pos + len(k) + 1)
                out.key_lines[key] = line
            else:
                if ":" in part:
                    raise _Unsure
                items.append(self.flow_plain(part, line, pos))
            pos += len(part) + 1
        return out if close == "}" else items

    def flow_plain(self, raw: str, line: int, col: int) -> Any:
        v = raw.strip(" ")
        if not v or v[0] in "-?:&*!|>%@`<=":
            raise _Unsure
        return self.plain(v, line, col + len(raw) - len(raw.lstrip(" ")))

    def seen(self, out: LineDict, key: Any, line: int, col: int) -> None:
        """Note a duplicate key (before its value is read, as the composing reader does)."""
        if key in out:
            self.duplicates.append((line, col, str(key), out.key_lines[key]))

    # --- blocks ---

    def block(self, i: int, virtual: tuple[int, int, str, bool] | None = None) -> tuple[Any, int]:
        """The block node at line ``i`` (or the rest of a ``- `` line); returns it and the next line."""
        tok = virtual or self.lines[i]
        if tok[3]:
            if virtual is not None:
                raise _Unsure  # - - nested compact sequences
            return self.sequence(i, tok[1])
        return self.mapping(i, tok)

    def sequence(self, i: int, indent: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        lines = self.lines
        while i < len(lines) and lines[i][1] == indent and lines[i][3]:
            line, _ind, content, _dash = lines[i]
            rest = content[1:].lstrip(" ")
            if not rest:
                raise _Unsure  # the item's node on the next lines
            col = indent + len(content) - len(rest)  # 0-based column of rest
            if rest[0] not in "'\"{[" and _KEY.match(rest):
                value, i = self.block(i, (line, col, rest, rest == "-" or rest.startswith("- ")))
            else:
                value = self.value(rest, line, col + 1)
                i += 1
            if i < len(lines) and lines[i][1] > indent:
                raise _Unsure
            items.append(value)
        return items, i

    def mapping(self, i: int, first: tuple[int, int, str, bool]) -> tuple[LineDict, int]:
        lines, tags, n = self.lines, self.tags, len(self.lines)
        indent = first[1]
        out = LineDict()
        key_lines: dict[Any, int] = {}
        out.line, out.key_lines = first[0], key_lines
        tok = first
        while True:
            line, _ind, content, _dash = tok
            m = _KEY.match(content)
            if m is None or m[1].endswith(" "):
                raise _Unsure
            k = m[1]
            key = k if tags.get(k) == _STR else self.plain(k, line, indent + 1)
            if key in out:
                self.seen(out, key, line, indent + 1)
            rest = content[m.end():]
            i += 1
            if rest and rest[0] not in _BLOCK_START and rest[0] not in "-?:" and tags.get(rest) == _STR \
                    and " #" not in rest and ": " not in rest and rest[-1] != ":":
                value: Any = rest  # a plain string seen before (the common case)
            elif rest and rest[0] != "#":
                value = self.value(rest, line, indent + m.end() + 1)
            elif i < n and lines[i][1] > indent:
                value, i = self.block(i)
            elif i < n and lines[i][1] == indent and lines[i][3]:
                value, i = self.sequence(i, indent)  # key:\n- item (a sequence at the key's indent)
            else:
                value = None
            if i < n and lines[i][1] > indent:
                raise _Unsure
            out[key] = value
            key_lines[key] = line
            if i >= n or lines[i][1] != indent or lines[i][3]:
                return out, i
            tok = lines[i]


def load(text: str) -> tuple[Any, list[tuple[int, int, str]], list[tuple[int, int, str, int]]] | None:
    """(data, impossible dates, duplicate keys) as ``datadir.parse_yaml`` builds them, or None
    when ``text`` is outside the subset (then the full reader decides, errors included)."""
    if _ODD_CHAR.search(text) or _DOC_MARKER.search(text):
        return None
    lines: list[tuple[int, int, str, bool]] = []
    for n, raw in enumerate(text.split("\n"), 1):
        content = raw.lstrip(" ")
        if not content or content[0] == "#":
            continue
        indent = len(raw) - len(content)
        content = content.rstrip(" ")
        lines.append((n, indent, content, content == "-" or content.startswith("- ")))
    reader = _Reader(lines)
    if not lines:
        return None, [], []
    try:
        data, i = reader.block(0)
    except (_Unsure, ValueError, TypeError, RecursionError):
        return None
    if i != len(lines):
        return None
    return data, reader.bad_dates, reader.duplicates
