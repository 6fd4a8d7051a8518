"""SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import hashlib
import json

from kb_tools import __version__
from kb_tools.checks.engine import CheckResult
from kb_tools.findings import Severity
from kb_tools.checks import all_rules
from kb_tools.checks.registry import doc_text, summary_text

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(result: CheckResult, docs_prefix: str = "", **_: object) -> str:
    rules = all_rules()
    index = {r.code: n for n, r in enumerate(rules)}
    results = []
    for f in result.findings:
        region: dict[str, int] = {"startLine": max(f.line, 1)}
        if f.column:
            region["startColumn"] = f.column
        res: dict[str, object] = {
            "ruleId": f.code, "ruleIndex": index.get(f.code, 0), "level": _LEVEL[f.severity],
            "message": {"text": f.message + (f" ({f.hint})" if f.hint else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": docs_prefix + f.path}, "region": region}}],
        }
        if f.target is not None and f.rule.startswith("secret."):
            res["properties"] = {"maskedSnippet": f.target}
        # lets code-scanning dashboards follow a finding across runs when lines move
        key = f"{f.code}|{f.path}|{f.target or f.message}"
        res["partialFingerprints"] = {"kbFinding/v1": hashlib.sha256(key.encode()).hexdigest()[:32]}
        results.append(res)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kb-tools", "version": __version__,
                "rules": [{"id": r.code, "name": r.name, "shortDescription": {"text": summary_text(r)},
                           "fullDescription": {"text": doc_text(r)},
                           "defaultConfiguration": {"level": _LEVEL[r.default_severity]}} for r in rules],
            }},
            "results": results,
        }],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
