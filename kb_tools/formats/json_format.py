"""``{"findings": [...], "summary": {...}}`` (DESIGN.md §4 contract).

The text is exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``, written without Python's
indenting encoder (pure Python: a quarter of a warm 10,000-page check went into it).
"""

from __future__ import annotations

import json
from typing import Any

from kb_tools.checks.engine import CheckResult
from kb_tools.findings import Finding

_STR = json.encoder.encode_basestring  # the C function when available, as json.dumps uses
_FLOAT = float.__repr__


def _scalar(v: Any) -> str:
    if isinstance(v, str):
        return _STR(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
        return _FLOAT(v)
    return json.dumps(v, ensure_ascii=False)


_BY_TYPE: dict[type, Any] = {str: _STR, int: int.__repr__, bool: lambda v: "true" if v else "false",
                             type(None): lambda _v: "null"}
_NESTED = (dict, list, tuple)


def _dump(v: Any, level: int, out: list[str]) -> None:
    if isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        pad = "  " * (level + 1)
        if not any(isinstance(x, _NESTED) for x in v.values()):  # a flat object (a finding): one join
            by_type = _BY_TYPE
            out.append("{\n" + pad + (",\n" + pad).join(
                _STR(str(k)) + ": " + (by_type.get(type(x)) or _scalar)(x) for k, x in v.items()) + "\n" + "  " * level + "}")
            return
        inner = "\n" + pad
        out.append("{")
        first = True
        for k, x in v.items():
            out.append(inner if first else "," + inner)
            first = False
            out.append(_STR(str(k)) + ": ")
            _dump(x, level + 1, out)
        out.append("\n" + "  " * level + "}")
    elif isinstance(v, (list, tuple)):
        if not v:
            out.append("[]")
            return
        inner = "\n" + "  " * (level + 1)
        out.append("[")
        for i, x in enumerate(v):
            out.append(inner if i == 0 else "," + inner)
            _dump(x, level + 1, out)
        out.append("\n" + "  " * level + "]")
    else:
        out.append(_scalar(v))


def dumps(doc: Any) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2)`` for plain data (str keys, scalars, lists, dicts)."""
    out: list[str] = []
    _dump(doc, 0, out)
    return "".join(out)


def _finding(f: Finding) -> str:
    """One finding as ``dumps`` writes it inside the findings list (``Finding.to_dict``'s keys)."""
    s = _STR
    text = (f'    {{\n      "path": {s(f.path)},\n      "line": {int(f.line)},\n      "column": '
            f'{"null" if f.column is None else int(f.column)},\n      "rule": {s(f.rule)},\n      "code": {s(f.code)},\n'
            f'      "severity": {s(f.severity.label)},\n      "message": {s(f.message)}')
    if f.hint is not None:
        text += f',\n      "hint": {s(f.hint)}'
    if f.target is not None:
        text += f',\n      "target": {s(f.target)}'
    return text + "\n    }"


def render(result: CheckResult, **_: object) -> str:
    """``dumps({"version": 1, "findings": [...], "summary": {...}})``, the findings written directly."""
    if not result.findings:
        body = "[]"
    else:
        body = "[\n" + ",\n".join(_finding(f) for f in result.findings) + "\n  ]"
    summary = dumps(result.summary()).replace("\n", "\n  ")
    return f'{{\n  "version": 1,\n  "findings": {body},\n  "summary": {summary}\n}}\n'
