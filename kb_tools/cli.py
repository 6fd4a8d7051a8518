"""The ``kb`` command: a thin shell over the core. No business logic lives here.

Commands of other areas live in ``kb_tools/commands/`` and attach themselves to ``main``.
stdout carries the payload; logs, progress and summaries go to stderr.
Exit codes: 0 no errors, 1 errors found, 2 usage or configuration error.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click

from . import __version__
from .config import ConfigError, SiteConfig, load_config

log = logging.getLogger("kb_tools")


def color_enabled(mode: str, stream: TextIO) -> bool:
    if mode != "auto":
        return mode == "always"
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _setup_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    if quiet:
        level = logging.ERROR
    logger = logging.getLogger("kb_tools")
    logger.handlers[:] = []
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(logging.Formatter("kb: %(message)s"))
    logger.addHandler(h)
    logger.setLevel(level)
    logger.propagate = False


class State:
    """Options shared by every command."""

    def __init__(self, config: str | None, quiet: int, color: str, progress: bool) -> None:
        self.config_path = config
        self.quiet = quiet
        self.color = color
        self.progress_enabled = progress
        self._cfg: SiteConfig | None = None

    def config(self) -> SiteConfig:
        if self._cfg is None:
            try:
                self._cfg = load_config(self.config_path)
            except ConfigError as exc:
                fail(str(exc))
        return self._cfg

    def progress(self, label: str) -> Callable[[int, int], None] | None:
        if self.quiet or not self.progress_enabled or not sys.stderr.isatty():
            return None
        last = [-1]

        def report(done: int, total: int) -> None:
            if total < 200:
                return
            pct = done * 100 // max(total, 1)
            if pct != last[0]:
                last[0] = pct
                sys.stderr.write(f"\r{label}: {done}/{total} ({pct}%)")
                if done >= total:
                    sys.stderr.write("\n")
                sys.stderr.flush()

        return report

    def corpus(self, use_cache: bool = True) -> Any:
        from .corpus import build_corpus

        cfg = self.config()
        try:
            return build_corpus(cfg, use_cache=use_cache, progress=self.progress("parsing"))
        except FileNotFoundError as exc:
            fail(str(exc))


def fail(message: str, code: int = 2) -> None:
    """Print a clear error to stderr and exit (2 = usage/configuration)."""
    click.echo(f"kb: error: {message}", err=True)
    raise SystemExit(code)


pass_state = click.make_pass_decorator(State)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kb")
@click.option("--config", "-c", "config", metavar="PATH", help="mkdocs.yml to use (default: ./mkdocs.yml).")
@click.option("-q", "--quiet", count=True, help="-q: findings only; -qq: nothing, exit code only.")
@click.option("-v", "--verbose", count=True, help="-v info, -vv debug logs on stderr.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--no-progress", is_flag=True, help="Never show progress on stderr.")
@click.pass_context
def main(ctx: click.Context, config: str | None, quiet: int, verbose: int, color: str, no_progress: bool) -> None:
    """kb: keep a docs-as-code knowledge base healthy (checks, reviews, search, handover)."""
    _setup_logging(verbose, quiet)
    ctx.obj = State(config, quiet, color, not no_progress)


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options every subcommand accepts after its name too: ``kb check --config F -q``."""

    def _set_config(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            ctx.find_object(State).config_path = value  # type: ignore[union-attr]

    def _set_quiet(ctx: click.Context, _p: click.Parameter, value: int) -> None:
        if value:
            state = ctx.find_object(State)
            assert state is not None
            state.quiet += value
            _setup_logging(0, state.quiet)

    def _set_no_progress(ctx: click.Context, _p: click.Parameter, value: bool) -> None:
        if value:
            ctx.find_object(State).progress_enabled = False  # type: ignore[union-attr]

    f = click.option("--no-progress", is_flag=True, expose_value=False, callback=_set_no_progress,
                     help="Never show progress on stderr.")(f)
    f = click.option("-q", "--quiet", count=True, expose_value=False, callback=_set_quiet,
                     help="-q: findings only; -qq: nothing, exit code only.")(f)
    return click.option("--config", "-c", metavar="PATH", expose_value=False, callback=_set_config,
                        is_eager=True, help="mkdocs.yml to use (default: ./mkdocs.yml).")(f)


def parse_date(value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        fail(f"'{value}' is not a date in YYYY-MM-DD form")
    return None


@main.command()
@config_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD), for review checks.")
@click.option("--no-cache", is_flag=True, help="Parse every file again (ignore .kb/cache).")
@click.option("--external", is_flag=True, help="Also check http(s) links (slow; uses the network and a cache).")
@pass_state
def check(state: State, paths: tuple[str, ...], fmt: str, output: str | None, fail_on: str, exit_zero: bool,
          today: str | None, no_cache: bool, external: bool) -> None:
    """Validate front matter, links, anchors, assets and review dates.

    PATHS (files or folders, relative to docs_dir or to the current folder) limit the report.
    """
    from .engine import run_checks
    from .findings import Severity
    from .report import FORMATS
    from .report.text import summary

    cfg = state.config()
    corpus = state.corpus(use_cache=not no_cache)
    rel_paths = _docs_relative(cfg, paths) if paths else None
    options: dict[str, Any] = {"external": external}
    if external:
        options["external_progress"] = state.progress("external links")
    from .config import ConfigError

    try:
        result = run_checks(corpus, today=parse_date(today), paths=rel_paths, options=options)
    except ConfigError as exc:
        fail(str(exc))
    prefix = os.path.relpath(cfg.docs_dir, Path.cwd()).replace(os.sep, "/") + "/"
    stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "text":
            if state.quiet < 2:
                stream.write(FORMATS["text"](result, color=color_enabled(state.color, stream)))
        else:
            stream.write(FORMATS[fmt](result, docs_prefix=prefix))
    finally:
        if output:
            stream.close()
    if not state.quiet:
        click.echo(summary(result), err=True)
    threshold = Severity[fail_on.upper()]
    failed = any(f.severity >= threshold for f in result.findings)
    raise SystemExit(0 if exit_zero or not failed else 1)


def _docs_relative(cfg: SiteConfig, paths: tuple[str, ...]) -> list[str]:
    out = []
    for p in paths:
        ap = Path(p).resolve()
        try:
            out.append(ap.relative_to(cfg.docs_dir).as_posix())
            continue
        except ValueError:
            pass
        if (cfg.docs_dir / p).exists():
            out.append(Path(p).as_posix())
        else:
            fail(f"{p}: not a file or folder inside docs_dir ({cfg.docs_dir})")
    return out


@main.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(code: str | None, fmt: str) -> None:
    """List the rules, or explain one (by code KB201 or name link.missing-target)."""
    import json

    from .findings import all_rules, lookup

    if code:
        info = lookup(code)
        if info is None:
            import difflib

            names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            m = difflib.get_close_matches(code, names, n=1, cutoff=0.5)
            fail(f"no rule '{code}'" + (f"; did you mean '{m[0]}'?" if m else " (kb rules lists them)"))
        infos = [info]
    else:
        infos = all_rules()
    if fmt == "json":
        click.echo(json.dumps([{"code": i.code, "name": i.name, "severity": i.default_severity.label,
                                "summary": i.summary, "doc": i.doc} for i in infos], ensure_ascii=False, indent=2))
        return
    for i in infos:
        if code or fmt == "markdown":
            click.echo(f"{i.code} {i.name} [{i.default_severity.label}]\n\n{i.doc}\n")
        else:
            click.echo(f"{i.code}  {i.name:<26} {i.default_severity.label:<8} {i.summary}")


@main.command()
def schema() -> None:
    """Print the front matter JSON Schema (for editors' YAML language servers)."""
    import json

    from .meta import json_schema

    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


# Commands of other areas attach themselves to `main` when imported.
from . import commands as _commands  # noqa: E402,F401
