"""GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=KB201::message``."""

from __future__ import annotations

from kb_tools.checks.engine import CheckResult
from kb_tools.findings import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _esc(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render(result: CheckResult, docs_prefix: str = "", **_: object) -> str:
    out = []
    for f in result.findings:
        props = [f"file={_esc(docs_prefix + f.path, True)}", f"line={max(f.line, 1)}"]
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_esc(f.code + ' ' + f.rule, True)}")
        msg = f.message + (f" ({f.hint})" if f.hint else "")
        out.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_esc(msg)}\n")
    return "".join(out)
