"""``{"findings": [...], "summary": {...}}`` (DESIGN.md §4 contract).

The text is exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``, written without Python's
indenting encoder (pure Python: a quarter of a warm 10,000-page check went into it).
"""

from __future__ import annotations

import json
from typing import Any

from kb_tools.checks.engine import CheckResult

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


def _dump(v: Any, level: int, out: list[str]) -> None:
    if isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        inner = "\n" + "  " * (level + 1)
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


def render(result: CheckResult, **_: object) -> str:
    doc = {"version": 1, "findings": [f.to_dict() for f in result.findings], "summary": result.summary()}
    return dumps(doc) + "\n"
