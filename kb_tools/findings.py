"""Findings are data: the one type every check produces and every formatter renders."""

from __future__ import annotations

import datetime as _dt
import enum
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .corpus import Corpus


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


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    default_severity: Severity
    doc: str
    family: str
    needs_kb_metadata: bool = False  # only for projects that use kb front matter
    default_enabled: bool = True


@dataclass
class RuleContext:
    """What a rule may know besides the corpus: injected, never read from globals."""

    today: _dt.date
    severities: dict[str, Severity | None] = field(default_factory=dict)  # code -> override
    options: dict[str, Any] = field(default_factory=dict)

    def severity(self, info: RuleInfo) -> Severity | None:
        return self.severities.get(info.code, info.default_severity)


RuleFn = Callable[["Corpus", RuleContext, "Emit"], None]
_REGISTRY: dict[str, RuleInfo] = {}
_BY_NAME: dict[str, str] = {}
_PASSES: list[tuple[str, RuleFn]] = []  # (name, fn): functions that emit findings of declared rules


def check_pass(fn: RuleFn) -> RuleFn:
    """Register a function that emits findings for one or more declared rules."""
    _PASSES.append((f"{fn.__module__}.{fn.__qualname__}", fn))
    return fn


def declare(
    code: str, name: str, *, severity: Severity, doc: str, kb_metadata: bool = False, enabled: bool = True,
) -> RuleInfo:
    """Register a rule (code, dotted name, default severity, documentation).

    Findings are emitted by ``@check_pass`` functions, which may serve several rules at once.
    """
    if code in _REGISTRY:
        raise RuntimeError(f"duplicate rule code {code}")
    if name in _BY_NAME:
        raise RuntimeError(f"duplicate rule name {name}")
    doc = inspect.cleandoc(doc)
    summary = doc.splitlines()[0] if doc else name
    info = RuleInfo(code, name, summary, severity, doc, name.split(".")[0], kb_metadata, enabled)
    _REGISTRY[code] = info
    _BY_NAME[name] = code
    return info


def all_rules() -> list[RuleInfo]:
    _load_rules()
    return sorted(_REGISTRY.values(), key=lambda i: i.code)


def passes() -> list[tuple[str, RuleFn]]:
    """Every registered check function, in registration order."""
    _load_rules()
    return list(_PASSES)


def lookup(key: str) -> RuleInfo | None:
    """A rule by code (``KB201``, case-insensitive) or dotted name."""
    _load_rules()
    k = key.strip()
    if k.upper() in _REGISTRY:
        return _REGISTRY[k.upper()]
    code = _BY_NAME.get(k)
    return _REGISTRY[code] if code else None


def info_for(name: str) -> RuleInfo:
    _load_rules()
    return _REGISTRY[_BY_NAME[name]]


def _load_rules() -> None:
    from . import checks  # noqa: F401 - importing registers the rules


class Emit:
    """Collects findings for one run, applying per-rule severity and per-page ignores."""

    def __init__(self, ctx: RuleContext, ignores: dict[str, frozenset[str]] | None = None) -> None:
        self.ctx = ctx
        self.findings: list[Finding] = []
        self._ignores = ignores or {}
        self._infos: dict[str, RuleInfo] = {}

    def __call__(
        self, name: str, path: str, line: int, column: int | None, message: str,
        hint: str | None = None, target: str | None = None,
    ) -> None:
        info = self._infos.get(name)
        if info is None:
            info = self._infos[name] = info_for(name)
        sev = self.ctx.severity(info)
        if sev is None:
            return
        ign = self._ignores.get(path)
        if ign and (info.code in ign or info.name in ign or info.family in ign):
            return
        self.findings.append(Finding(path, line, column, info.name, info.code, sev, message, hint, target))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
