"""``kb systems`` and ``kb todo``: the system ledger and the open 要確認 items in the terminal.

Thin shells over kb_tools.continuity.systems and kb_tools.continuity.todos. Exit codes: 0 ok,
2 usage or configuration errors (unknown role, with "did you mean").
"""

from __future__ import annotations

import json

import click

from kb_tools.commands._shared import State, config_option, main, pass_state
from kb_tools.commands.continuity import _check_role, _emit, _today
from kb_tools.i18n import _


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


@main.command("calendar")
@config_option
@click.option("--out", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the .ics file here (default: stdout).")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@pass_state
def calendar_cmd(state: State, out: str | None, today: str | None) -> None:
    """Review due dates, contract notices and ends, support ends and leaving dates as iCalendar."""
    from pathlib import Path

    from kb_tools.continuity.calendar import calendar_events, calendar_ics

    corpus = state.corpus()
    data = calendar_ics(corpus, _today(today))
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    Path(out).write_bytes(data)
    if state.quiet < 1:
        click.echo("kb: " + _("{n} event(s) written to {path}").format(n=len(calendar_events(corpus)), path=out), err=True)


def _smtp_target(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    if not port.isdigit():
        return value, 25
    return host, int(port)


@main.command("remind")
@config_option
@click.option("--smtp", metavar="HOST[:PORT]", help="Send through this SMTP relay. Without it nothing is sent.")
@click.option("--from", "sender", metavar="ADDRESS", default="kb@localhost", show_default=True, help="Sender address.")
@click.option("--dry-run", is_flag=True, help="Print the e-mails instead of sending them.")
@click.option("--within", type=int, default=30, show_default=True, metavar="DAYS", help="What falls due within DAYS days.")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@pass_state
def remind_cmd(state: State, smtp: str | None, sender: str, dry_run: bool, within: int, today: str | None) -> None:
    """One digest e-mail per role (due soon, open 要確認) to the role's mail: in roster.yml."""
    from kb_tools.commands._shared import fail
    from kb_tools.continuity.remind import digests, message, send

    corpus = state.corpus()
    day = _today(today)
    msgs = []
    for d in digests(corpus, day, within):
        if d.empty:
            continue
        if not d.mail:
            click.echo("kb: " + _("role '{role}' has no mail: in roster.yml; its digest is not sent").format(role=d.role),
                       err=True)
            continue
        msgs.append(message(d, day, sender, within))
    if smtp is None or dry_run:
        for m in msgs:  # readable, not the encoded wire form
            click.echo(f"To: {m['To']}\nFrom: {m['From']}\nSubject: {m['Subject']}\n\n{m.get_content()}\n" + "-" * 40)
        if smtp is None and state.quiet < 1:
            click.echo("kb: " + _("{n} digest(s) printed; nothing sent (pass --smtp HOST[:PORT] to send)").format(
                n=len(msgs)), err=True)
        return
    host, port = _smtp_target(smtp)
    import smtplib

    try:
        send(msgs, host, port)
    except (OSError, smtplib.SMTPException) as exc:
        fail(_("cannot send through {host}:{port}: {error}").format(host=host, port=port, error=exc), code=1)
    if state.quiet < 1:
        click.echo("kb: " + _("{n} digest(s) sent through {host}:{port}").format(n=len(msgs), host=host, port=port),
                   err=True)
