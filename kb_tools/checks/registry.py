"""The rule registry: each rule is declared once and checks emit the returned object.

``declare()`` returns a :class:`RuleInfo`; a check emits ``emit(RULE, path, line, ...)`` with
that object, so a misspelt rule is a NameError at import, never a KB900 at run time.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb_tools.findings import Finding, Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page


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
PageFn = Callable[["Corpus", "Page", RuleContext, "Emit"], None]
SummaryFn = Callable[["Corpus", "Page"], Any]
SiteFn = Callable[["Corpus", RuleContext, "Emit", "dict[str, Any]"], None]
_REGISTRY: dict[str, RuleInfo] = {}
_BY_NAME: dict[str, str] = {}
_PASSES: list[tuple[str, RuleFn]] = []  # (name, fn): functions that emit findings of declared rules
_SETUP: list[tuple[str, RuleFn]] = []
_PAGE_PASSES: list[tuple[str, PageFn, bool]] = []  # (name, fn, dated)
_SITE_PASSES: list[tuple[str, SummaryFn, SiteFn]] = []


def _qual(fn: Any) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def check_pass(fn: RuleFn) -> RuleFn:
    """Register a function over the whole corpus, run on every check (never cached).

    Prefer ``page_pass`` or ``site_pass``: a ``check_pass`` that reads every page makes each
    warm check decode every page again.
    """
    _PASSES.append((_qual(fn), fn))
    return fn


def setup_pass(fn: RuleFn) -> RuleFn:
    """Run before any other pass, every time: configuration findings, ``ctx.severities`` tweaks."""
    _SETUP.append((_qual(fn), fn))
    return fn


def page_pass(fn: PageFn | None = None, *, dated: bool = False) -> Any:
    """Register ``fn(corpus, page, ctx, emit)``: the findings of one page, cached per page.

    A page pass may depend only on the page itself, the set of paths (``corpus.pages`` keys,
    ``corpus.files``, ``corpus.generated``), the configuration and registries, and the anchors
    of other pages it names through ``emit.uses_anchors(path)``; ``dated`` passes also on
    ``ctx.today`` (their findings are cached per day). Anything else belongs in a ``site_pass``.
    """
    def register(f: PageFn) -> PageFn:
        _PAGE_PASSES.append((_qual(f), f, dated))
        return f
    return register(fn) if fn is not None else register


def site_pass(summary: SummaryFn) -> Callable[[SiteFn], SiteFn]:
    """Register a cross-page pass ``fn(corpus, ctx, emit, summaries)``.

    ``summary(corpus, page)`` is the plain (marshal-able) data the pass needs from one page,
    cached with the page's findings under the same key; the pass itself runs on every check.
    """
    def register(f: SiteFn) -> SiteFn:
        _SITE_PASSES.append((_qual(f), summary, f))
        return f
    return register


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


def doc_text(info: RuleInfo) -> str:
    """The rule's documentation in the reader's language (the English doc is the msgid)."""
    return _(info.doc) if info.doc else ""


def summary_text(info: RuleInfo) -> str:
    doc = doc_text(info)
    return doc.splitlines()[0] if doc else info.name


def registered() -> dict[str, RuleInfo]:
    """Every declared rule by code (the families must be imported: see ``kb_tools.checks``)."""
    return _REGISTRY


def registered_passes() -> list[tuple[str, RuleFn]]:
    return list(_PASSES)


def setup_passes() -> list[tuple[str, RuleFn]]:
    return list(_SETUP)


def page_passes() -> list[tuple[str, PageFn, bool]]:
    """Page passes, undated first (the order findings are emitted in, cached or not)."""
    return [p for p in _PAGE_PASSES if not p[2]] + [p for p in _PAGE_PASSES if p[2]]


def site_passes() -> list[tuple[str, SummaryFn, SiteFn]]:
    return list(_SITE_PASSES)


def by_name(name: str) -> RuleInfo | None:
    code = _BY_NAME.get(name)
    return _REGISTRY[code] if code else None


def lookup(key: str) -> RuleInfo | None:
    """A declared rule by code (``KB201``, case-insensitive) or dotted name."""
    k = key.strip()
    return _REGISTRY.get(k.upper()) or by_name(k)


def all_rules() -> list[RuleInfo]:
    return sorted(_REGISTRY.values(), key=lambda i: i.code)


def families() -> set[str]:
    return {i.family for i in _REGISTRY.values()}


class Emit:
    """Collects findings for one run, applying per-rule severity and per-page ignores.

    ``ignores`` is a mapping or a function ``path -> frozenset`` of the page's ``kb_ignore``.
    ``deps`` collects the pages whose anchors a page pass looked at (``uses_anchors``).
    """

    def __init__(self, ctx: RuleContext, ignores: Any = None) -> None:
        self.ctx = ctx
        self.findings: list[Finding] = []
        self._ignores = ignores.get if isinstance(ignores, dict) else (ignores or {}.get)
        self.deps: set[str] = set()

    def uses_anchors(self, path: str) -> None:
        self.deps.add(path)

    def enabled(self, rule: RuleInfo) -> bool:
        """False when every finding of ``rule`` would be dropped (its severity is off): a check
        may then skip building the message."""
        return self.ctx.severity(rule) is not None

    def __call__(
        self, rule: RuleInfo, path: str, line: int, column: int | None, message: str,
        hint: str | None = None, target: str | None = None, severity: Severity | None = None,
    ) -> None:
        if not isinstance(rule, RuleInfo):
            raise TypeError(f"emit() takes the RuleInfo returned by declare(), not {rule!r}")
        info = rule
        # ``severity``: a rule with two levels (warning soon, error past) picks one per finding;
        # a severity set in mkdocs.yml still wins.
        sev = severity if severity is not None and info.code not in self.ctx.severities else self.ctx.severity(info)
        if sev is None:
            return
        ign = self._ignores(path)
        if ign and (info.code in ign or info.name in ign or info.family in ign):
            return
        self.findings.append(Finding(path, line, column, info.name, info.code, sev, message, hint, target))
