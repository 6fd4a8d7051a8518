"""``path:line:col: KB201 [error] message (hint)``: the shape editors and grep understand."""

from __future__ import annotations

from kb_tools.checks.engine import CheckResult
from kb_tools.findings import Finding, Severity
from kb_tools.i18n import _

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def line(f: Finding, color: bool = False) -> str:
    loc = f"{f.path}:{f.line}:{f.column}" if f.column else f"{f.path}:{f.line}"
    sev = f"[{f.severity.label}]"
    if color:
        sev = f"{_COLORS[f.severity]}{sev}\033[0m"
    out = f"{loc}: {f.code} {sev} {f.message}"
    if f.hint:
        out += f" ({f.hint})"
    return out


def render(result: CheckResult, color: bool = False, docs_prefix: str = "") -> str:
    return "".join(line(f, color) + "\n" for f in result.findings)


def summary(result: CheckResult) -> str:
    s = result.summary()
    return _("{pages} pages checked in {seconds} s: {errors} errors, {warnings} warnings, {infos} info").format(
        pages=s["pages"], seconds=f"{s['seconds']:.2f}", errors=s["errors"], warnings=s["warnings"], infos=s["infos"])
