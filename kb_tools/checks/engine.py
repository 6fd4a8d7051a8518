"""Run the checks over a corpus: the one entry point for the CLI and the MkDocs plugin."""

from __future__ import annotations

import datetime as _dt
import logging
import posixpath
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kb_tools.config import SiteConfig
from kb_tools.corpus import Corpus
from kb_tools.checks.registry import Emit, RuleContext, setup_passes
from kb_tools.findings import Finding, Severity, sort_findings
from kb_tools.checks import all_rules, info_for, passes
from kb_tools.checks.early import PageJob
from kb_tools.checks.pagerun import PageRunner
from kb_tools.checks.parse import INTERNAL_ERROR

log = logging.getLogger(__name__)

_ABS_LINKS = {"warn": Severity.WARNING, "info": Severity.INFO, "ignore": None}


@dataclass
class CheckResult:
    findings: list[Finding]
    pages: int
    seconds: float
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    def summary(self) -> dict[str, object]:
        return {"pages": self.pages, "errors": self.errors, "warnings": self.warnings,
                "infos": len(self.findings) - self.errors - self.warnings, "seconds": round(self.seconds, 3)}


def severities(cfg: SiteConfig) -> dict[str, Severity | None]:
    """Per-rule severity overrides from mkdocs.yml (plugin ``severity:`` block and validation)."""
    out: dict[str, Severity | None] = {}
    if cfg.absolute_links in _ABS_LINKS:
        out[info_for("link.absolute").code] = _ABS_LINKS[cfg.absolute_links]
    for key, value in cfg.kb.severity.items():
        sev = Severity.parse(str(value))
        matched = False
        for info in all_rules():
            if key in (info.code, info.name, info.family) or (key.upper().startswith("KB") and info.code.startswith(key.upper())):
                out[info.code] = sev
                matched = True
        if not matched:
            from kb_tools.config import ConfigError

            raise ConfigError(f"plugins.kb.severity: '{key}' names no rule (see kb rules)")
    for info in all_rules():
        if not info.default_enabled and info.code not in out:
            out[info.code] = None
    return out


def page_job(today: _dt.date | None = None, options: dict[str, object] | None = None) -> Callable[[Corpus], PageJob]:
    """For ``build_corpus(page_job=...)``: the page passes of ``run_checks(corpus, today=today,
    options=options)`` run in the parse workers, on each page as it is parsed
    (``kb_tools.checks.early``); ``run_checks`` then uses what they found."""
    def make(corpus: Corpus) -> PageJob:
        ctx = RuleContext(today=today or _dt.date.today(), severities=severities(corpus.config), options=dict(options or {}))
        emit = Emit(ctx)
        for name, fn in setup_passes():
            _guarded(name, fn, corpus, ctx, emit)
        return PageJob(corpus, ctx)
    return make


def run_checks(
    corpus: Corpus, *, today: _dt.date | None = None, paths: Iterable[str] | None = None,
    options: dict[str, object] | None = None, cache: bool | None = None,
) -> CheckResult:
    """Every rule over the corpus. With ``cache`` (default: when the corpus was loaded with its
    cache) each page's findings are reused while nothing they depend on changed
    (``kb_tools.checks.incremental``); the result is the same either way."""
    t0 = time.perf_counter()
    ctx = RuleContext(today=today or _dt.date.today(), severities=severities(corpus.config), options=dict(options or {}))
    use_cache = bool(corpus.stats.get("cache")) if cache is None else cache
    runner = PageRunner(corpus, ctx, use_cache)
    emit = Emit(ctx, runner.ignores)
    for name, fn in setup_passes():
        _guarded(name, fn, corpus, ctx, emit)
    runner.open_store()  # after setup: it may set severities, which are part of the key
    runner.run(emit)
    runner.run_site(emit, _guarded)
    for name, fn in passes():
        _guarded(name, fn, corpus, ctx, emit)
    runner.save()
    findings = emit.findings
    if not corpus.kb_metadata:
        meta_codes = {i.code for i in all_rules() if i.needs_kb_metadata}
        findings = [f for f in findings if f.code not in meta_codes]
    if corpus.config.kb.ignore_paths:  # gitignore-style patterns relative to docs_dir: never reported
        import pathspec  # (imported when ignore_paths is set)

        spec = pathspec.GitIgnoreSpec.from_lines(corpus.config.kb.ignore_paths)
        findings = [f for f in findings if f.path.startswith(".") or not spec.match_file(f.path)]
    if paths is not None:
        wanted = {posixpath.normpath(p) for p in paths}
        findings = [f for f in findings if f.path in wanted or any(f.path.startswith(w.rstrip("/") + "/") for w in wanted)]
    stats = dict(corpus.stats)
    stats["rederived"] = runner.rederived
    stats["check_seconds"] = time.perf_counter() - t0
    return CheckResult(sort_findings(findings), len(corpus.pages), time.perf_counter() - t0 + float(corpus.stats.get("seconds", 0.0)),
                       stats)


def _guarded(name: str, fn: object, *args: object) -> None:
    emit = args[2]
    try:
        fn(*args)  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
        log.debug("check %s failed:\n%s", name, traceback.format_exc())
        emit(INTERNAL_ERROR, ".", 0, None, f"internal error in {name}: {type(exc).__name__}: {exc}")  # type: ignore[operator]
