"""``kb check``, ``kb rules``, ``kb schema``: the checker's commands."""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import sys
from pathlib import Path
from typing import Any

import click

from kb_tools.commands._shared import State, color_enabled, config_option, fail, main, parse_date, pass_state
from kb_tools.config import SiteConfig
from kb_tools.fuzzy import did_you_mean
from kb_tools.i18n import _


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
    from kb_tools.checks.engine import page_job, run_checks
    from kb_tools.findings import Severity
    from kb_tools.formats import FORMATS
    from kb_tools.formats.text import summary
    from kb_tools import replay

    cfg = state.config()
    files = replay.snapshot_for_store(cfg.docs_dir, cfg.data_path)  # before any file is read
    rel_paths = _docs_relative(cfg, paths) if paths else None
    options: dict[str, Any] = {"external": external}
    if external:
        options["external_progress"] = state.progress(_("external links"))
    from kb_tools.config import ConfigError

    # As in kb index: the corpus and the cached findings are hundreds of thousands of objects
    # that live until the command ends; the cyclic collector walking them again and again cost a
    # one-page re-check ~0.15 s of CPU. Paused while they are made, then frozen (parse workers
    # collect as usual: pageparse._parse_all).
    gc.disable()
    try:
        # the page-local checks run in the parse workers (kb_tools.checks.early), one walk for both
        corpus = state.corpus(use_cache=not no_cache, walked=replay.take_walk(cfg.docs_dir),
                              page_job=page_job(parse_date(today), options))
        result = run_checks(corpus, today=parse_date(today), paths=rel_paths, options=options)
    except ConfigError as exc:
        fail(str(exc))
    finally:
        gc.freeze()
        gc.enable()
    prefix = os.path.relpath(cfg.docs_dir, Path.cwd()).replace(os.sep, "/") + "/"
    # Rendered with the sentinel's seconds when the run may store a manifest (kb_tools.replay),
    # then printed with the real ones.
    shown = dataclasses.replace(result, seconds=replay.SENTINEL) if files is not None else result
    if fmt == "text":
        payload = FORMATS["text"](shown, color=color_enabled(state.color, sys.stdout if not output else io.StringIO())) \
            if state.quiet < 2 else ""
    else:
        payload = FORMATS[fmt](shown, docs_prefix=prefix)
    note = summary(shown) + "\n" if not state.quiet else ""
    threshold = Severity[fail_on.upper()]
    code = 0 if exit_zero or not any(f.severity >= threshold for f in result.findings) else 1
    if files is not None and not any(f.code == "KB900" for f in result.findings):  # never replay an internal error
        replay.store(cfg.config_file, cfg.cache_dir, cfg.docs_dir, files, payload, note, code)
        payload, note = replay.fill(payload, result.seconds), replay.fill(note, result.seconds)
    if output:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(payload)
    else:
        sys.stdout.write(payload)
    if note:
        click.echo(note, err=True, nl=False)
    raise SystemExit(code)


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
            fail(_("{path}: not a file or folder inside docs_dir ({docs_dir})").format(path=p, docs_dir=cfg.docs_dir))
    return out


@main.command()
@config_option
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@pass_state
def rules(state: State, code: str | None, fmt: str) -> None:
    """List the rules, or explain one (by code KB201 or name link.missing-target)."""
    import json

    from kb_tools.checks import all_rules, lookup
    from kb_tools.checks.registry import doc_text, summary_text

    state.language_from_config()

    if code:
        info = lookup(code)
        if info is None:
            names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            m = did_you_mean(code.upper() if code[:2].lower() == "kb" else code, names, cutoff=0.5)
            fail(_("no rule '{rule}'; did you mean '{suggestion}'?").format(rule=code, suggestion=m) if m
                 else _("no rule '{rule}' (kb rules lists them)").format(rule=code))
        infos = [info]
    else:
        infos = all_rules()
    if fmt == "json":
        click.echo(json.dumps([{"code": i.code, "name": i.name, "severity": i.default_severity.label,
                                "summary": summary_text(i), "doc": doc_text(i)} for i in infos], ensure_ascii=False, indent=2))
        return
    for i in infos:
        if code or fmt == "markdown":
            click.echo(f"{i.code} {i.name} [{i.default_severity.label}]\n\n{doc_text(i)}\n")
        else:
            click.echo(f"{i.code}  {i.name:<26} {i.default_severity.label:<8} {summary_text(i)}")


@main.command()
@click.option("--ledger", is_flag=True, help="The schema of docs/_data/systems.yml (the system ledger) instead.")
def schema(ledger: bool) -> None:
    """Print the front matter JSON Schema (for editors' YAML language servers)."""
    import json

    from kb_tools.schema import json_schema, ledger_json_schema

    click.echo(json.dumps(ledger_json_schema() if ledger else json_schema(), ensure_ascii=False, indent=2))
