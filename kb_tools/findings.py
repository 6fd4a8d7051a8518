"""Findings are data: the one type every check produces and every formatter renders.

The rule registry (codes, names, documentation) lives in ``kb_tools.checks.registry``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class Severity(enum.IntEnum):
    INFO = 10
    WARNING = 20
    ERROR = 30

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity | None:
        """``error|warning|warn|info`` → Severity; ``off|ignore|none`` → None."""
        v = value.strip().lower()
        if v in ("off", "ignore", "none", "false"):
            return None
        if v == "warn":
            v = "warning"
        try:
            return cls[v.upper()]
        except KeyError:
            raise ValueError(f"unknown severity '{value}' (use error, warning, info or off)") from None


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: str  # POSIX, relative to docs_dir
    line: int  # 1-based; 0 = whole file
    column: int | None  # 1-based or None
    rule: str  # dotted name
    code: str  # KB + 3 digits
    severity: Severity
    message: str
    hint: str | None = None
    target: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column or 0, self.code)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path, "line": self.line, "column": self.column, "rule": self.rule,
            "code": self.code, "severity": self.severity.label, "message": self.message,
        }
        if self.hint is not None:
            d["hint"] = self.hint
        if self.target is not None:
            d["target"] = self.target
        return d


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
