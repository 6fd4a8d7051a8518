"""What every ``kb`` subcommand shares: the click group, state, options, errors.

Subcommands live beside this module, one module per area, and attach to ``main``.
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

from kb_tools import __version__
from kb_tools import i18n
from kb_tools.config import ConfigError, SiteConfig, load_config
from kb_tools.i18n import _

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

    def __init__(self, config: str | None, quiet: int, color: str, progress: bool, lang: str | None = None) -> None:
        self.config_path = config
        self.quiet = quiet
        self.color = color
        self.progress_enabled = progress
        self._cfg: SiteConfig | None = None
        self.set_lang(lang)

    def set_lang(self, lang: str | None) -> None:
        """``--lang``, else ``KB_LANG``; without either, theme.language once mkdocs.yml is read."""
        self.lang = lang or i18n.env_language()
        theme = self._cfg.theme_language if self._cfg else None
        i18n.set_language(i18n.choose(self.lang, None, theme))

    def config(self) -> SiteConfig:
        if self._cfg is None:
            try:
                self._cfg = load_config(self.config_path)
            except ConfigError as exc:
                fail(str(exc))
            if not self.lang:
                i18n.set_language(self._cfg.theme_language)  # type: ignore[union-attr]
        return self._cfg  # type: ignore[return-value]

    def language_from_config(self) -> None:
        """For commands that need no mkdocs.yml: still follow its theme.language when there is one."""
        if self.lang or self._cfg is not None:
            return
        try:
            self._cfg = load_config(self.config_path)
        except ConfigError:
            return
        i18n.set_language(self._cfg.theme_language)

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

    def corpus(self, use_cache: bool = True, walked: Any = None, page_job: Any = None) -> Any:
        """The corpus; ``walked``: a walk of docs_dir this run took already (``kb_tools._walk``);
        ``page_job``: run on each page in the parse workers (``kb_tools.corpus.build_corpus``)."""
        from kb_tools.corpus import build_corpus

        cfg = self.config()
        try:
            return build_corpus(cfg, use_cache=use_cache, progress=self.progress(_("parsing")), walked=walked,
                                page_job=page_job)
        except FileNotFoundError as exc:
            fail(str(exc))


def fail(message: str, code: int = 2) -> None:
    """Print a clear error to stderr and exit (2 = usage/configuration)."""
    click.echo(_("kb: error: {message}").format(message=message), err=True)
    raise SystemExit(code)


pass_state = click.make_pass_decorator(State)

# The module of each subcommand: ``kb index`` imports kb_tools.commands.search and no other
# command module (tests/test_cli_check.py holds this table equal to the commands they define).
COMMAND_MODULES = {
    "check": "check", "rules": "check", "schema": "check", "index": "search", "search": "search",
    "handover": "continuity", "new": "continuity", "report": "continuity", "review": "continuity",
    "roster": "continuity", "build": "site", "pages": "site", "serve": "site", "stage": "site",
    "calendar": "systems", "remind": "systems", "systems": "systems", "todo": "systems",
}


class LazyGroup(click.Group):
    """The ``kb`` group: a subcommand's module is imported when that subcommand is asked for."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            importlib.import_module(f"kb_tools.commands.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        import importlib

        for module in sorted(set(COMMAND_MODULES.values())):
            importlib.import_module(f"kb_tools.commands.{module}")
        return super().list_commands(ctx)
_LANG_HELP = "Language of messages (default: KB_LANG, else theme.language in mkdocs.yml; unknown: en)."


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kb")
@click.option("--config", "-c", "config", metavar="PATH", help="mkdocs.yml to use (default: ./mkdocs.yml).")
@click.option("-q", "--quiet", count=True, help="-q: findings only; -qq: nothing, exit code only.")
@click.option("-v", "--verbose", count=True, help="-v info, -vv debug logs on stderr.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--no-progress", is_flag=True, help="Never show progress on stderr.")
@click.option("--lang", metavar="ja|en", help=_LANG_HELP)
@click.pass_context
def main(ctx: click.Context, config: str | None, quiet: int, verbose: int, color: str, no_progress: bool,
         lang: str | None) -> None:
    """kb: keep a docs-as-code knowledge base healthy (checks, reviews, search, handover)."""
    _setup_logging(verbose, quiet)
    ctx.obj = State(config, quiet, color, not no_progress, lang)


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

    def _set_lang(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            ctx.find_object(State).set_lang(value)  # type: ignore[union-attr]

    f = click.option("--lang", metavar="ja|en", expose_value=False, callback=_set_lang, is_eager=True,
                     help=_LANG_HELP)(f)
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
        fail(_("'{value}' is not a date in YYYY-MM-DD form").format(value=value))
    return None
