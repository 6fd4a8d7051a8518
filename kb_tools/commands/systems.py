"""``kb systems`` and ``kb todo``: the system ledger and the open 要確認 items in the terminal.

Thin shells over kb_tools.continuity.systems and kb_tools.continuity.todos. Exit codes: 0 ok,
2 usage or configuration errors (unknown role, with "did you mean").
"""

from __future__ import annotations

import json

import click

from kb_tools.commands._shared import State, config_option, main, pass_state
from kb_tools.commands.continuity import _check_role, _emit, _today


@main.command("systems")
@config_option
@click.option("--due-within", type=int, metavar="DAYS", help="Only systems with a review start, contract end or "
              "support end within DAYS days.")
@click.option("--owner", metavar="ROLE", help="Only systems this role holds (as owner or deputy).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@pass_state
def systems_cmd(state: State, due_within: int | None, owner: str | None, fmt: str, today: str | None) -> None:
    """The system ledger (docs/_data/systems.yml): owners, contracts, support ends, gaps."""
    from kb_tools.continuity.systems import system_rows, systems_json, systems_markdown, systems_text

    corpus = state.corpus()
    if owner is not None:
        _check_role(corpus, owner)
    day = _today(today)
    rows = system_rows(corpus, day, due_within, owner)
    if fmt == "json":
        click.echo(json.dumps(systems_json(corpus, day, rows), ensure_ascii=False, indent=2))
    elif fmt == "md":
        _emit(systems_markdown(corpus, rows))
    else:
        _emit(systems_text(corpus, rows))


@main.command("todo")
@config_option
@click.option("--owner", metavar="ROLE", help="Only the items of this role.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@pass_state
def todo_cmd(state: State, owner: str | None, fmt: str) -> None:
    """Open fill-in items: admonitions titled 要確認, with their owner role."""
    from kb_tools.continuity.todos import todo_items, todos_json, todos_markdown, todos_text

    corpus = state.corpus()
    if owner is not None:
        _check_role(corpus, owner)
    items = todo_items(corpus, owner)
    if fmt == "json":
        click.echo(json.dumps(todos_json(items), ensure_ascii=False, indent=2))
    elif fmt == "md":
        _emit(todos_markdown(items, corpus))
    else:
        _emit(todos_text(items))
