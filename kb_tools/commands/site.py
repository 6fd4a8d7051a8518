"""``kb build``, ``kb serve``, ``kb pages`` and ``kb stage``: check, then hand over to the engine.

The engine (MkDocs or ProperDocs) is chosen by ``kb_tools.site.engine`` before anything imports
``mkdocs``; the ``mkdocs.*`` imports below then resolve to it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import zipfile
from typing import IO
from collections.abc import Iterator
from pathlib import Path

import click

from kb_tools.commands._shared import State, config_option, fail, main, parse_date, pass_state
from kb_tools.i18n import _
from kb_tools._io import atomic_write_with


def _check_first(state: State, today: str | None) -> None:
    """Run ``kb check`` first, so errors stop us before a long build (exit 1).

    When mkdocs.yml lists the kb plugin, the build reports the same findings itself, so here
    they are printed only when they stop the build.
    """
    from kb_tools.checks.engine import run_checks
    from kb_tools.formats.text import render, summary

    corpus = state.corpus()
    result = run_checks(corpus, today=parse_date(today))
    if result.findings and state.quiet < 2 and (result.errors or not state.config().kb_plugin):
        click.echo(render(result), nl=False, err=True)
    if not state.quiet:
        click.echo(summary(result), err=True)
    if result.errors:
        fail(_("{n} errors found by kb check; fix them first (or use --no-check)").format(n=result.errors), code=1)


def engine_option(f):  # type: ignore[no-untyped-def]
    return click.option("--engine", metavar="mkdocs|properdocs", default=None,
                        help="Site generator (default: properdocs when installed, else mkdocs).")(f)


def _activate(name: str | None):  # type: ignore[no-untyped-def]
    from kb_tools.site.engine import EngineError, activate

    try:
        return activate(name)
    except EngineError as exc:
        fail(str(exc))


@contextlib.contextmanager
def _mkdocs_logging(state: State, logger_name: str = "mkdocs") -> Iterator[None]:
    """Show the engine's log (and the kb plugin's findings) on stderr, as its own command does."""
    logger = logging.getLogger(logger_name)
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    level = logger.level
    logger.addHandler(h)
    logger.setLevel(logging.ERROR if state.quiet else logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(h)
        logger.setLevel(level)


def _mkdocs_config(state: State, **overrides: object):  # type: ignore[no-untyped-def]
    from mkdocs.config import load_config as mkdocs_load_config
    from mkdocs.exceptions import ConfigurationError

    cfg = state.config()
    try:
        return mkdocs_load_config(str(cfg.config_file), **overrides)
    except ConfigurationError as exc:
        fail(f"{cfg.config_file}: {exc}")


def zip_site(site_dir: Path, dest: Path) -> int:
    """Zip ``site_dir`` (top folder named after dest) atomically; returns the number of files."""
    top = dest.stem
    count = [0]

    def write(f: IO[bytes]) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(site_dir.rglob("*")):
                if path.is_file():
                    zf.write(path, f"{top}/{path.relative_to(site_dir).as_posix()}")
                    count[0] += 1

    atomic_write_with(dest, write)
    return count[0]


@main.command()
@config_option
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on MkDocs warnings too.")
@click.option("--no-check", is_flag=True, help="Skip kb check before building.")
@click.option("--zip", "zip_path", metavar="FILE", is_flag=False, flag_value="", default=None,
              help="Also write a zip of the offline site (default name: <site_dir>.zip) for a file share.")
@click.option("--site-dir", type=click.Path(file_okay=False), help="Build into this folder.")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD) for review dates.")
@engine_option
@pass_state
def build(state: State, strict: bool, no_check: bool, zip_path: str | None, site_dir: str | None,
          today: str | None, engine: str | None) -> None:
    """Check, then build the site with MkDocs or ProperDocs (offline-ready: open site/index.html from disk)."""
    eng = _activate(engine)
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import Abort, MkDocsException

    if today:
        parse_date(today)
        os.environ["KB_TODAY"] = today
    if not no_check:
        _check_first(state, today)
    overrides: dict[str, object] = {"strict": strict}
    if site_dir:
        overrides["site_dir"] = str(Path(site_dir).resolve())
    with _mkdocs_logging(state, eng.logger):
        config = _mkdocs_config(state, **overrides)
        try:
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
        except (Abort, MkDocsException) as exc:
            fail(_("{engine} build failed: {error}").format(engine=eng.name, error=exc), code=1)
    out = Path(config.site_dir)
    click.echo(_("site built with {engine} {version}: {path}").format(engine=eng.name, version=eng.version, path=out),
               err=True)
    if zip_path is not None:
        dest = Path(zip_path) if zip_path else out.with_suffix(".zip")
        n = zip_site(out, dest.resolve())
        click.echo(_("zip written: {path} ({n} files; unzip and open index.html)").format(path=dest, n=n), err=True)


@main.command()
@config_option
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--no-check", is_flag=True, help="Skip kb check before serving.")
@engine_option
@pass_state
def serve(state: State, port: int, no_check: bool, engine: str | None) -> None:
    """Check, then serve a live preview on 127.0.0.1 (reloads on every change)."""
    eng = _activate(engine)
    from mkdocs.commands.serve import serve as mkdocs_serve

    if not no_check:
        _check_first(state, None)
    cfg = state.config()
    with _mkdocs_logging(state, eng.logger):
        try:
            mkdocs_serve(str(cfg.config_file), dev_addr=f"127.0.0.1:{port}", livereload=True)
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            fail(_("cannot serve on 127.0.0.1:{port}: {error}").format(port=port, error=exc))


@main.command()
@config_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the pages into.")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD) for review dates.")
@pass_state
def pages(state: State, out_dir: str, today: str | None) -> None:
    """Write the generated pages (review, ownership, tags, onboarding paths) without MkDocs."""
    import datetime as _dt

    from kb_tools.site.pages import write_pages

    corpus = state.corpus()
    day = parse_date(today) or _dt.date.today()
    out = Path(out_dir)
    try:
        written = write_pages(corpus, out, day)
    except OSError as exc:
        fail(_("cannot write to {path}: {error}").format(path=out, error=exc.strerror))
    for p in written:
        click.echo(p.relative_to(out).as_posix())
    if not state.quiet:
        click.echo(_("{n} pages written to {path}").format(n=len(written), path=out), err=True)


@main.command()
@config_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the tree into (a new folder, or one kb stage wrote before).")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD) for review dates.")
@pass_state
def stage(state: State, out_dir: str, today: str | None) -> None:
    """Write an engine-neutral tree: mkdocs.yml without the kb plugin, docs/, generated pages, and
    each page's metadata box in its front matter (kb_view), for engines that run no MkDocs plugins."""
    import datetime as _dt

    from kb_tools.site.stage import StageError, stage_tree

    corpus = state.corpus()
    day = parse_date(today or os.environ.get("KB_TODAY")) or _dt.date.today()  # KB_TODAY: as the plugin
    out = Path(out_dir)
    try:
        written = stage_tree(state.config(), corpus, out, day)
    except StageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(_("cannot write to {path}: {error}").format(path=out, error=exc.strerror or exc))
    for rel in written:
        click.echo(rel)
    if not state.quiet:
        click.echo(_("staged tree written to {path} ({n} files generated or annotated); build it with: "
                     "cd {path} && mkdocs build").format(path=out, n=len(written)), err=True)
