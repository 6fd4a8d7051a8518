"""Front matter splitting and loading, with MkDocs 1.6's exact rules and file line numbers.

Why not python-frontmatter for parsing: it discards where the body starts (so every finding in
the body would need a second search for its line), and its delimiter regex accepts cases that
MkDocs rejects (a closing ``---`` at end of file without a newline, ``---`` with trailing text),
so pages it reads as having metadata render without it. We mirror ``mkdocs.utils.meta`` instead.
Editing does not fit it either (see ``kb_tools.edit.files``), so the project does not depend on it.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kb_tools.i18n import N_, _

try:  # the C loader is about 10x faster on 10,000 pages
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# Copied semantics of mkdocs.utils.meta (MkDocs 1.6.1): the opening line is exactly ---,
# the closing line --- or ..., both followed by a newline.
YAML_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^([ ]{4}|\t)(\s*)(?P<value>.*)")
_KEY_LINE_RE = re.compile(r"^([^\s#\-][^:\n]*?)[ \t]*:(?:[ \t]|$)", re.MULTILINE)
_OPEN_RE = re.compile(r"^-{3}[ \t]*(\n|$)")


class InvalidDate(str):
    """A YAML timestamp that is not a real date (``2025-02-29``).

    PyYAML raises a plain ValueError for it, and MkDocs then drops the *whole* front matter of
    the page without a word. We keep the text so the check can point at it.
    """


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


def _timestamp(loader: yaml.BaseLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        return InvalidDate(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass(slots=True)
class FrontMatter:
    """Result of splitting one document."""

    meta: dict[str, Any] = field(default_factory=dict)
    meta_lines: dict[str, int] = field(default_factory=dict)
    present: bool = False  # a front matter block was found (valid or not)
    end_line: int = 0  # file line of the closing delimiter
    body_offset: int = 0  # lines before the body, as MkDocs renders it
    error: tuple[int, int, str, dict[str, Any]] | None = None  # (line, column, msgid, its values)
    invalid_dates: list[str] = field(default_factory=list)  # keys whose value is InvalidDate
    mkdocs_drops_meta: bool = False  # MkDocs would silently render this page without meta

    def error_message(self) -> str:
        """The error in the reader's language (``error`` holds the msgid and its values)."""
        return _(self.error[2]).format(**self.error[3]) if self.error else ""


_SIMPLE_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_UNSAFE_START = frozenset("'\"{|>&*!%@#`-?:,[]")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_NO_VALUE = object()
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCT = {
    "tag:yaml.org,2002:int": "construct_yaml_int", "tag:yaml.org,2002:float": "construct_yaml_float",
    "tag:yaml.org,2002:bool": "construct_yaml_bool", "tag:yaml.org,2002:null": "construct_yaml_null",
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def plain_value(v: str, tags: dict[str, str] | None = None) -> Any:
    """The one plain-scalar resolver of the fast readers (front matter here, ``_data`` files in
    ``parse/blockyaml.py``): ``v`` resolved and constructed as SafeLoader does (YAML 1.1
    implicit tags), an impossible date as ``InvalidDate``, or ``_NO_VALUE`` when the full loader
    must decide (a datetime, a merge key, ``=``). The caller has ruled out what its context makes
    unplain (quotes, flow indicators, ``: ``, comments). ``tags``: the caller's memo of resolved
    tags (a ``_data`` file repeats its keys and values)."""
    tag = tags.get(v) if tags is not None else None
    if tag is None:
        tag = _STR
        for t, rx in yaml.resolver.Resolver.yaml_implicit_resolvers.get(v[:1], ()):
            if rx.match(v):
                tag = t
                break
        if tags is not None:
            tags[v] = tag
    if tag == _STR:
        return v
    if tag == _TIMESTAMP:
        m = _ISO_DATE_RE.fullmatch(v)
        if m is None:
            return _NO_VALUE
        try:
            return _dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return InvalidDate(v)
    method = _CONSTRUCT.get(tag)
    if method is None:
        return _NO_VALUE
    return getattr(_CONSTRUCTOR, method)(yaml.ScalarNode(tag, v))


_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_FM_TAGS: dict[str, str] = {}  # memo of resolved tags for values that start like a non-string (dates, numbers)


def _plain_scalar(v: str) -> Any:
    """A plain YAML 1.1 scalar of a front matter line as SafeLoader would construct it, or
    _NO_VALUE when unsure."""
    if not v or v[0] in _UNSAFE_START or ": " in v or " #" in v or v.endswith(":") or "\t" in v:
        return _NO_VALUE
    if v[0] not in _RESOLVERS:
        return v  # no implicit resolver starts with this character: a string
    if len(_FM_TAGS) > 4096:
        _FM_TAGS.clear()
    return plain_value(v, _FM_TAGS)


def fast_load(raw: str) -> dict[str, Any] | None:
    """Load the simple front matter most pages have (``key: scalar``, ``key: [a, b]``) without
    the YAML machinery, which costs a quarter of a 10,000-page check. Returns None for anything
    it is not sure about; the caller then uses the real YAML loader. Tested for agreement with
    PyYAML in tests/test_frontmatter.py.
    """
    got = _fast_load(raw)
    return None if got is None else got[0]


def _fast_load(raw: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """``fast_load``'s mapping and each key's file line (its line in ``raw`` + 2)."""
    out: dict[str, Any] = {}
    lines: dict[str, int] = {}
    memo = _FM_LINES
    if len(memo) > 20_000:
        memo.clear()
    for n, line in enumerate(raw.split("\n"), 2):
        if not line:
            continue
        got = memo.get(line)
        if got is None:
            got = _fast_line(line)
            if len(line) < 256:
                memo[line] = got
        if got is _NO_VALUE:
            return None
        key, value, is_list = got
        if key in out:
            return None
        lines[key] = n
        out[key] = list(value) if is_list else value  # a fresh list per page: the memo keeps a tuple
    return out, lines


# Front matter lines repeat from page to page (``status: active``, ``review_every: 365``, tags):
# each line's (key, value, is a list) is memoised per process, or _NO_VALUE when the line is not
# for the fast path. Only immutable values are stored (a list as a tuple of its items; every
# item the fast path gives is a str, int, float, bool, None, date or InvalidDate, a str).
_FM_LINES: dict[str, Any] = {}


def _fast_line(line: str) -> Any:
    """One front matter line's (key, value, is_list) for ``_fast_load``, or _NO_VALUE."""
    m = _SIMPLE_KEY_RE.fullmatch(line.rstrip(" "))
    if m is None:
        return _NO_VALUE
    key, v = m.group(1, 2)
    v = v.strip() if v else ""
    if not v:
        return _NO_VALUE
    if v[0] == "[":
        if not v.endswith("]") or v.count("[") != 1 or v.count("]") != 1 or "{" in v or "#" in v:
            return _NO_VALUE
        inner = v[1:-1].strip()
        items: list[Any] = []
        if inner:
            for part in inner.split(","):
                item = _plain_scalar(part.strip())
                if item is _NO_VALUE:
                    return _NO_VALUE
                items.append(item)
        return key, tuple(items), True
    value = _plain_scalar(v)
    if value is _NO_VALUE:
        return _NO_VALUE
    return key, value, False


def split(text: str) -> FrontMatter:
    """Split ``text`` (already decoded, newlines normalised to ``\\n``) like MkDocs does.

    Never raises. Any YAML problem becomes ``error`` with a file line.
    """
    fm = FrontMatter()
    m = YAML_RE.match(text)
    if m:
        fm.present = True
        raw = m.group(1)
        fm.end_line = 1 + raw.count("\n") + 1
        fast = _fast_load(raw)
        if fast is not None:  # str keys, one line each: the key lines are known
            fm.meta, fm.meta_lines = fast
        elif not _load_slow(fm, raw):
            return fm
        fm.invalid_dates = [k for k, v in fm.meta.items() if isinstance(v, InvalidDate)]
        if fm.invalid_dates:
            fm.mkdocs_drops_meta = True
        _body_offset(fm, text, m.end())
        return fm
    if _OPEN_RE.match(text):
        # Looks like front matter but MkDocs will not read it as such.
        fm.present = True
        fm.error = (1, 1, N_("front matter opened with '---' on line 1 is never closed with '---' or '...'"
                             " (MkDocs renders it as text)"), {})
        return fm
    # MultiMarkdown-style meta-data, which MkDocs also accepts: "key: value" lines at the top.
    lines = text.split("\n")
    if lines and META_RE.match(lines[0]):
        key = None
        n = 0
        for line in lines:
            n += 1
            if line.strip() == "":
                break
            if m1 := META_RE.match(line):
                key = m1.group("key").lower().strip()
                value = m1.group("value").strip()
                fm.meta[key] = f"{fm.meta[key]} {value}" if key in fm.meta else value
                fm.meta_lines.setdefault(key, n)
            else:
                m2 = META_MORE_RE.match(line)
                if m2 and key:
                    fm.meta[key] += " " + m2.group("value").strip()
                else:
                    n -= 1  # this line starts the body
                    break
        while n < len(lines) and lines[n] == "":
            n += 1  # MkDocs strips the blank lines after the meta block
        fm.body_offset = n
    return fm



def _load_slow(fm: FrontMatter, raw: str) -> bool:
    """The real YAML loader for front matter the fast path declined: ``fm.meta`` and its key
    lines, or ``fm.error`` (False)."""
    try:
        data = yaml.load(raw, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark is not None else 1
        col = (mark.column + 1) if mark is not None else 1
        problem = exc.problem or str(exc)
        fm.error = (line, col, N_("front matter is not valid YAML: {problem}"), {"problem": problem})
        fm.mkdocs_drops_meta = True
        return False
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        fm.error = (1, 1, N_("front matter could not be read: {error}"), {"error": str(exc)})
        fm.mkdocs_drops_meta = True
        return False
    if data is None:
        data = {}
    if not isinstance(data, dict):
        fm.error = (2, 1, N_("front matter must be a mapping of keys to values, not a {type}"),
                    {"type": type(data).__name__})
        fm.mkdocs_drops_meta = True
        return False
    fm.meta = {str(k): v for k, v in data.items()}
    for km in _KEY_LINE_RE.finditer(raw):
        key = km.group(1).strip().strip("'\"")
        if key in fm.meta and key not in fm.meta_lines:
            fm.meta_lines[key] = 2 + raw.count("\n", 0, km.start())
    return True

def _body_offset(fm: FrontMatter, text: str, end: int) -> None:
    """The body starts after the blank lines that follow the closing delimiter (MkDocs strips them)."""
    n = end
    size = len(text)
    while n < size and text[n] == "\n":
        n += 1
    fm.body_offset = fm.end_line + (n - end)


def load_date(value: Any, *, allow_text: bool = False) -> _dt.date | None:
    """The one date coercer: a date from a YAML value, or None when it is not one.

    ``InvalidDate`` (``2025-02-29``) is never a date; with ``allow_text`` a quoted
    ``"2025-04-01"`` is accepted too (data files written by hand), in front matter it is not.
    """
    if isinstance(value, InvalidDate):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if allow_text and isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
