"""``kb index`` and ``kb search``: thin shells over kb_tools.search."""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

import click

from kb_tools.commands._shared import State, color_enabled, config_option, fail, main, pass_state
from kb_tools.i18n import _


def _ensure_index(state: State, quiet_if_current: bool = True, force: bool = False) -> Any:
    """Build or update the index when missing or stale (``force``: from scratch); returns the
    report, or None when it was already current and ``quiet_if_current``."""
    from kb_tools.search.index import IndexBusy, build_index, is_current
    from kb_tools.search.normalize import export_data

    cfg = state.config()
    # Loading 10,000 pages makes millions of objects that live until the command ends: without
    # the cyclic collector walking them again and again (and never after: frozen) a one-page
    # update spends ~0.5 s less CPU.
    gc.disable()
    try:
        corpus = state.corpus()
    finally:
        gc.freeze()
        gc.enable()
    issues: list[str] = []
    data = export_data(cfg, issues=issues)
    for msg in issues:
        click.echo(f"kb: warning: {msg}", err=True)
    if quiet_if_current and is_current(cfg, corpus, data):
        return None
    try:
        rep = build_index(cfg, corpus, data, force=force, progress=state.progress(_("indexing")))
    except IndexBusy as exc:
        fail(_busy(exc))
    except OSError as exc:
        fail(_("cannot write the search index: {error}").format(error=exc))
    for msg in rep.messages:
        click.echo(f"kb: {msg}", err=True)
    return rep


@main.command("index")
@config_option
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from scratch.")
@pass_state
def index_cmd(state: State, rebuild: bool) -> None:
    """Build or update the search index (.kb/index): only changed pages are re-indexed."""
    rep = _ensure_index(state, quiet_if_current=False, force=rebuild)
    if state.quiet < 2:
        click.echo(rep.summary(), err=True)


@main.command("search")
@config_option
@click.argument("query", required=False)
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--tag", "tags", multiple=True, help="Only pages with this tag (id or alias).")
@click.option("--owner", "owners", multiple=True, help="Only pages owned by this role.")
@click.option("--type", "types", multiple=True, help="Only pages of this type.")
@click.option("--status", "statuses", multiple=True, help="Only pages with this status.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--batch", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read one query per line from FILE ('-' = stdin); print JSON Lines.")
@click.option("--no-update", is_flag=True, help="Search the index as it is (do not update it first).")
@pass_state
def search_cmd(state: State, query: str | None, limit: int, tags: tuple[str, ...], owners: tuple[str, ...],
               types: tuple[str, ...], statuses: tuple[str, ...], fmt: str, batch: str | None, no_update: bool) -> None:
    """Search the knowledge base (Japanese aware: サーバ/サーバー, ＡＷＳ/AWS, ｶﾅ, 表記ゆれ).

    QUERY syntax: words, "quoted phrases", tag:タグ owner:ROLE type:TYPE status:STATUS.
    """
    from kb_tools.search.index import index_dir
    from kb_tools.search.query import QueryError, Searcher, highlight

    if batch is None and query is None:
        fail(_("give a QUERY or --batch FILE (kb search --help)"))
    if batch is None and not query.strip():  # type: ignore[union-attr]
        fail(_("the search query is empty: type the words to look for"))
    cfg = state.config()
    if no_update:
        if not index_dir(cfg).exists():
            fail(_("no search index yet: run 'kb index' first"))
    else:
        _ensure_index(state)
    filters = {k: list(v) for k, v in (("tag", tags), ("owner", owners), ("type", types), ("status", statuses)) if v}
    searcher = _open(state, no_update)
    with searcher:
        if batch is not None:
            _run_batch(searcher, batch, limit, filters)
            return
        try:
            res = searcher.search(query or "", limit=limit, filters=filters)
        except QueryError as exc:
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - damaged index found while reading postings
            if no_update:
                fail(_("the search index is damaged ({error}); run 'kb index --rebuild'").format(error=type(exc).__name__))
            searcher.close()
            searcher = _open(state, no_update, damaged=f"{type(exc).__name__}: {exc}")
            res = searcher.search(query or "", limit=limit, filters=filters)
        for note in res.notes:
            click.echo(f"kb: {note}", err=True)
        if fmt == "json":
            click.echo(json.dumps(res.as_json(), ensure_ascii=False))
            return
        color = color_enabled(state.color, sys.stdout)
        if not res.hits:
            click.echo(_("No page matches \"{query}\".").format(query=query))
            if res.suggestions:
                click.echo(_("Did you mean: {words}").format(words=" / ".join(res.suggestions)))
            return
        for i, h in enumerate(res.hits, 1):
            title = click.style(h.title, bold=True) if color else h.title
            click.echo(f"{i}. {title}  ({h.path})")
            if h.snippet:
                snip = (highlight(h.snippet, h.marks, "\x1b[1;33m", "\x1b[0m") if color
                        else highlight(h.snippet, h.marks))
                click.echo(f"   {snip}")
        if not state.quiet:
            click.echo(_("{shown} / {total} page(s)").format(shown=len(res.hits), total=res.total), err=True)


def _open(state: State, no_update: bool, damaged: str | None = None) -> Any:
    """Open the index; a corrupt one is rebuilt (with a message) unless --no-update."""
    from kb_tools.search.index import IndexBusy, build_index
    from kb_tools.search.normalize import export_data
    from kb_tools.search.query import Searcher

    cfg = state.config()
    if damaged is None:
        try:
            return Searcher(cfg)
        except Exception as exc:  # noqa: BLE001 - any failure to open means: rebuild
            damaged = f"{type(exc).__name__}: {exc}"
    if no_update:
        fail(_("the search index cannot be opened ({error}); run 'kb index --rebuild'").format(error=damaged))
    click.echo(_("kb: rebuilding the search index: the index folder is corrupt ({error})").format(error=damaged), err=True)
    try:
        build_index(cfg, state.corpus(), export_data(cfg), force=True)
        return Searcher(cfg)
    except IndexBusy as exc:
        fail(_busy(exc))
    except Exception as exc:  # noqa: BLE001
        fail(_("the search index cannot be rebuilt ({error}); remove .kb/index and retry").format(
            error=f"{type(exc).__name__}: {exc}"))
    return None


def _run_batch(searcher: Any, batch: str, limit: int, filters: dict[str, list[str]]) -> None:
    from kb_tools.search.query import QueryError

    try:
        stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        fail(_("{path}: cannot read ({error})").format(path=batch, error=exc.strerror))
    with stream:
        for lineno, line in enumerate(stream, 1):
            q = line.rstrip("\n").rstrip("\r")
            try:
                res = searcher.search(q, limit=limit, filters=filters).as_json()
            except QueryError as exc:
                click.echo(f"kb: {batch}:{lineno}: {exc}", err=True)
                res = {"query": q, "results": [], "total": 0}
            click.echo(json.dumps(res, ensure_ascii=False))


def _busy(exc: Any) -> str:
    """The message for ``search.index.IndexBusy``: kb's own lock held, or Whoosh's."""
    if exc.lock is not None:
        return _("another kb index is writing {path} (lock {lock}); try again when it has finished").format(
            path=exc.path, lock=exc.lock)
    return _("another process is writing {path} (the search library's write lock); "
             "try again when it has finished").format(path=exc.path)
