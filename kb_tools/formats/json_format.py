"""``{"findings": [...], "summary": {...}}`` (DESIGN.md §4 contract)."""

from __future__ import annotations

import json

from kb_tools.checks.engine import CheckResult


def render(result: CheckResult, **_: object) -> str:
    doc = {"version": 1, "findings": [f.to_dict() for f in result.findings], "summary": result.summary()}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
