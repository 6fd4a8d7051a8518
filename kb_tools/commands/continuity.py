"""Knowledge continuity commands: review, review mark, handover, roster assign, report ownership, new.

Thin shells over kb_tools.continuity, kb_tools.edit.files, kb_tools.edit.roster and kb_tools.edit.new_page.
Exit codes: 0 ok; 1 only for ``kb review --fail-on-overdue`` when pages are overdue;
2 usage/configuration errors, unknown person/role (with "did you mean"), refused edits.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import click

from kb_tools.commands._shared import State, config_option, fail, main, parse_date, pass_state
from kb_tools.datadir import ROSTER_FILE
from kb_tools.fuzzy import did_you_mean
from kb_tools.i18n import _
from kb_tools.schedule import DUE_SOON_DAYS


def _today(value: str | None) -> _dt.date:
    return parse_date(value) or _dt.date.today()


def _git(state: State, enabled: bool = True) -> Any:
    from kb_tools.continuity import git_facts

    if not enabled:
        return None
    facts = git_facts.collect(state.config())
    if not facts.available and facts.note and state.quiet < 2:
        click.echo(f"kb: note: {facts.note}", err=True)
    return facts


def _check_role(corpus: Any, role: str) -> None:
    reg = corpus.registry
    if role in reg.roles:
        return
    if not reg.roles:
        fail(_("unknown role '{role}': no roles are defined ({roster} is missing or empty)").format(
            role=role, roster=reg.roster_path or "_data/roster.yml"))
    _unknown_role(reg, role)


def _unknown_role(reg: Any, role: str) -> None:
    hint = reg.suggest_role(role)
    fail(_("unknown role '{role}'; did you mean '{suggestion}'?").format(role=role, suggestion=hint) if hint else
         _("unknown role '{role}' (roles: {roles})").format(role=role, roles=", ".join(sorted(reg.roles))))


def _check_person(corpus: Any, person: str) -> None:
    from kb_tools.continuity.handover import suggest_person

    reg = corpus.registry
    if person in reg.people():
        return
    if not reg.has_roster:
        problems = [i for path, i in reg.issues if path == reg.roster_path]
        if not problems:  # a plain MkDocs project: no roles recorded, nothing to hand over
            click.echo(_("kb: no roster ({path}): this project records no roles, so there is nothing to hand over").format(
                path=reg.roster_path or "_data/roster.yml"), err=True)
            raise SystemExit(0)
        first = problems[0]
        where = f"{reg.roster_path}:{first.line}: {_(first.message).format(**(first.args or {}))}"
        fail(_("the roster cannot be read ({where}); fix it, then run kb handover again").format(where=where))
    hint = suggest_person(corpus, person)
    roster = corpus.registry.roster_path or ROSTER_FILE
    fail(_("unknown person '{person}' (not in {roster}); did you mean '{suggestion}'?").format(
        person=person, roster=roster, suggestion=hint) if hint else
         _("unknown person '{person}' (not in {roster})").format(person=person, roster=roster))


def _write(snap: Any, new: bytes) -> None:
    """The edit, written atomically unless the file changed since it was read (then exit 2)."""
    from kb_tools.edit.files import EditError, write_atomic

    try:
        write_atomic(snap, new)
    except EditError as exc:
        fail(str(exc))


def _emit(text: str) -> None:
    click.echo(text, nl=not text.endswith("\n"))


# ----------------------------------------------------------------------------- kb review


@main.group(invoke_without_command=True)
@config_option
@click.option("--due-within", type=click.IntRange(min=0), default=DUE_SOON_DAYS, show_default=True, metavar="DAYS",
              help="List pages due within DAYS days (overdue pages are always listed).")
@click.option("--owner", metavar="ROLE", help="Only pages owned by this role id.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when any page is overdue (for CI).")
@click.pass_context
def review(ctx: click.Context, due_within: int, owner: str | None, fmt: str, today: str | None,
           fail_on_overdue: bool) -> None:
    """What needs review, grouped by owner role (and `kb review mark PATH…` to record a review)."""
    if ctx.invoked_subcommand is not None:
        return
    from kb_tools.continuity.review import review_items, review_markdown, review_text

    state: State = ctx.find_object(State)  # type: ignore[assignment]
    day = _today(today)
    corpus = state.corpus()
    if owner is not None:
        _check_role(corpus, owner)
    items = review_items(corpus, day, due_within, owner)
    overdue = sum(1 for i in items if i.overdue)
    if fmt == "json":
        _emit(json.dumps({"today": day.isoformat(), "due_within": due_within, "owner": owner,
                          "items": [i.to_dict() for i in items],
                          "summary": {"overdue": overdue, "due": len(items) - overdue}}, ensure_ascii=False, indent=2))
    elif fmt == "md":
        if owner is not None:
            fail(_("--owner is not supported with --format md (the dashboard covers every role)"))
        _emit(review_markdown(corpus, day, due_within))
    else:
        _emit(review_text(items))
    if state.quiet == 0:
        click.echo(_("kb: {overdue} overdue, {soon} due within {days} days").format(
            overdue=overdue, soon=len(items) - overdue, days=due_within), err=True)
    raise SystemExit(1 if fail_on_overdue and overdue else 0)


def resolve_page(cfg: Any, p: str) -> Path:
    """A page path given relative to the current folder or to docs_dir."""
    docs = cfg.docs_dir
    cand = [Path(p).resolve(), (docs / p).resolve()]
    for c in cand:
        if c.is_file():
            try:
                c.relative_to(docs)
            except ValueError:
                continue
            if c.suffix.lower() not in (".md", ".markdown"):
                fail(_("{path}: not a Markdown page").format(path=p))
            return c
    fail(_("{path}: no such page inside docs_dir ({docs_dir})").format(path=p, docs_dir=docs))
    raise AssertionError


@review.command("mark")
@config_option
@click.argument("paths", nargs=-1, required=True)
@click.option("--date", "date_s", metavar="DATE", help="Review date (default: today).")
@click.option("--by", "by", metavar="PERSON", help="Also set reviewed_by to PERSON (a roster person).")
@click.option("--dry-run", is_flag=True, help="Show the diff; write nothing.")
@pass_state
def review_mark(state: State, paths: tuple[str, ...], date_s: str | None, by: str | None, dry_run: bool) -> None:
    """Set last_reviewed (and reviewed_by) in each page's front matter; no other byte changes.

    All pages are checked first: if one cannot be edited safely, none is written.
    """
    from kb_tools.edit.files import EditError, Snapshot, diff, mark_reviewed

    cfg = state.config()
    day = parse_date(date_s) or _dt.date.today()
    if by:
        from kb_tools.datadir import load_registry

        reg = load_registry(cfg.data_path, cfg.docs_dir)
        if reg.has_roster and by not in reg.people():
            people = sorted(reg.people())
            m = did_you_mean(by, people, cutoff=0.5)
            fail(_("unknown person '{person}' (not in {roster}); did you mean '{suggestion}'?").format(
                person=by, roster=reg.roster_path, suggestion=m) if m else
                 _("unknown person '{person}' (not in {roster})").format(person=by, roster=reg.roster_path))
    plans = []
    errors = []
    for p in paths:
        path = resolve_page(cfg, p)
        label = path.relative_to(cfg.docs_dir).as_posix()
        try:
            snap = Snapshot.read(path)
            new = mark_reviewed(snap.data, day, by, label)
        except EditError as exc:
            errors.append(str(exc))
            continue
        plans.append((snap, new, label))
    for e in errors:
        click.echo(_("kb: error: {message}").format(message=e), err=True)
    if errors:
        fail(_("{n} page(s) cannot be edited safely; nothing was written").format(n=len(errors)))
    for snap, new, label in plans:
        if dry_run:
            _emit(diff(snap.data, new, label) or f"# {label}: already up to date\n")
            continue
        if new == snap.data:
            continue
        _write(snap, new)
        if state.quiet == 0:
            click.echo(f"kb: {label}: last_reviewed = {day.isoformat()}" + (f", reviewed_by = {by}" if by else ""), err=True)


# ----------------------------------------------------------------------------- kb handover


@main.command()
@config_option
@click.argument("person")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@click.option("--no-git", is_flag=True, help="Do not read git history (no 'only recent author' section).")
@pass_state
def handover(state: State, person: str, fmt: str, today: str | None, no_git: bool) -> None:
    """Handover report (引継ぎ書) for PERSON: roles, pages, overdue reviews, successor checklist."""
    from kb_tools.continuity.handover import handover_markdown, handover_report

    corpus = state.corpus()
    _check_person(corpus, person)
    rep = handover_report(corpus, person, _today(today), _git(state, not no_git))
    if fmt == "json":
        _emit(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
    else:
        _emit(handover_markdown(rep, corpus))


# ----------------------------------------------------------------------------- kb report ownership


@main.group()
def report() -> None:
    """Reports on the knowledge base (ownership / bus factor)."""


@report.command("ownership")
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@click.option("--no-git", is_flag=True, help="Count role holders only (no recent git authors).")
@pass_state
def report_ownership(state: State, fmt: str, today: str | None, no_git: bool) -> None:
    """Bus-factor report by area (top folder) and tag; pages without a deputy; leaving holders."""
    from kb_tools.continuity.ownership import ownership_markdown, ownership_report

    corpus = state.corpus()
    day = _today(today)
    git = _git(state, not no_git)
    if fmt == "md":
        _emit(ownership_markdown(corpus, day, git))
        return
    rep = ownership_report(corpus, day, git)
    if fmt == "json":
        _emit(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
        return
    out = [_("area / tag                      pages  people  after-leaving  roles")]
    kinds = {"area": _("area"), "tag": _("tag")}
    for kind, items in (("area", rep.areas), ("tag", rep.tags)):
        for b in items:
            flag = _("  <- single transfer orphans it") if b.bus_factor <= 1 else ""
            out.append(f"{kinds[kind]}:{b.label:<25} {b.pages:>5}  {b.bus_factor:>6}  {b.after_leaving:>13}  "
                       f"{','.join(b.roles)}{flag}")
    runbooks = [p for p in rep.no_deputy if p.type == "runbook"]
    out.append("")
    out.append(_("runbooks without a deputy: {n}").format(n=len(runbooks)))
    out += [f"  {p.path}  {p.title}" for p in runbooks]
    out.append(_("pages without a deputy: {n}").format(n=len(rep.no_deputy)))
    for r in rep.leaving_roles:
        dates = ", ".join(_("{person} on {date}").format(person=p, date=d) for p, d in sorted(r.leaving.items()))
        out.append(_("leaving: {id} ({name}): {dates}").format(id=r.id, name=r.name, dates=dates))
    _emit("\n".join(out) + "\n")


# ----------------------------------------------------------------------------- kb roster assign


@main.group()
def roster() -> None:
    """Change the role roster (docs/_data/roster.yml), history kept."""


@roster.command("assign")
@config_option
@click.argument("role")
@click.option("--to", "to", required=True, metavar="PERSON", help="The new holder.")
@click.option("--from-date", "from_date", metavar="DATE", help="First day of the new holder (default: today).")
@click.option("--replace", "replace", metavar="PERSON",
              help="The holder who hands over (needed when the role has several holders).")
@click.option("--add", "add", is_flag=True, help="Add PERSON as an extra holder; nobody moves to past.")
@click.option("--dry-run", is_flag=True, help="Show the diff; write nothing.")
@pass_state
def roster_assign(state: State, role: str, to: str, from_date: str | None, replace: str | None, add: bool,
                  dry_run: bool) -> None:
    """Make PERSON the holder of ROLE; the previous holder moves to `past` (from/to dates)."""
    from kb_tools.edit.files import EditError, Snapshot, diff
    from kb_tools.datadir import load_registry
    from kb_tools.edit.roster import RosterError, assign

    cfg = state.config()
    path = cfg.data_path / ROSTER_FILE
    if not path.is_file():
        fail(_("{path}: no roster file").format(path=path))
    reg = load_registry(cfg.data_path, cfg.docs_dir)
    if role not in reg.roles:
        _unknown_role(reg, role)
    day = parse_date(from_date) or _dt.date.today()
    label = path.relative_to(cfg.docs_dir).as_posix() if path.is_relative_to(cfg.docs_dir) else str(path)
    try:
        snap = Snapshot.read(path)
        new, moved = assign(snap.data, role, to, day, replace=replace, add=add, label=label)
    except (EditError, RosterError) as exc:
        fail(str(exc))
    if dry_run:
        _emit(diff(snap.data, new, label))
        return
    _write(snap, new)
    if state.quiet == 0:
        msg = (_("kb: {role}: {to} holds the role from {day}; {moved} moved to past (to {end}). Page review dates "
                 "are unchanged.") if moved else
               _("kb: {role}: {to} holds the role from {day}. Page review dates are unchanged."))
        click.echo(msg.format(role=role, to=to, day=day.isoformat(), moved=moved,
                              end=(day - _dt.timedelta(days=1)).isoformat()), err=True)
        if moved:
            click.echo(_("kb: hint: kb handover {person}  prints the handover report").format(person=moved), err=True)


# ----------------------------------------------------------------------------- kb new


@main.command("new")
@config_option
@click.argument("page_type", metavar="TYPE")
@click.option("--title", required=True, help="Page title.")
@click.option("--area", required=True, help="Folder under docs_dir (e.g. cloud).")
@click.option("--owner", metavar="ROLE", help="Owner role (default: the role owning most pages in the area).")
@click.option("--deputy", metavar="ROLE", help="Deputy role (default: the area's most common deputy).")
@click.option("--tag", "tags", multiple=True, help="A tag from taxonomy.yml (repeatable).")
@click.option("--slug", help="File name without .md (default: from the title).")
@click.option("--description", default="", help="1–2 sentences for search results.")
@click.option("--today", metavar="DATE", help="Date to write as last_reviewed (default: today).")
@click.option("--dry-run", is_flag=True, help="Show the new file and the mkdocs.yml diff; write nothing.")
@pass_state
def new(state: State, page_type: str, title: str, area: str, owner: str | None, deputy: str | None,
        tags: tuple[str, ...], slug: str | None, description: str, today: str | None, dry_run: bool) -> None:
    """Create a page from the TYPE's template with valid front matter (and add it to an explicit nav)."""
    from kb_tools.edit.files import EditError, diff
    from kb_tools.edit.new_page import NewPageError, plan_new_page, write_new_page

    corpus = state.corpus()
    try:
        plan = plan_new_page(corpus, page_type, title=title, area=area, owner=owner, deputy=deputy, tags=list(tags),
                             slug=slug, description=description, today=_today(today))
    except NewPageError as exc:
        fail(str(exc))
    for note in plan.notes:
        click.echo(f"kb: note: {note}", err=True)
    if dry_run:
        _emit(diff(b"", plan.content, plan.rel_path, new_file=True))
        if plan.nav_new is not None and plan.nav_snapshot is not None:
            _emit(diff(plan.nav_snapshot.data, plan.nav_new, plan.config_label))
        return
    try:
        write_new_page(plan)
    except (EditError, NewPageError) as exc:
        fail(str(exc))
    click.echo(str(plan.abs_path))
    if state.quiet == 0:
        msg = (_("kb: created {path} (owner {owner}); added to nav in mkdocs.yml") if plan.nav_new is not None
               else _("kb: created {path} (owner {owner})"))
        click.echo(msg.format(path=plan.rel_path, owner=plan.owner), err=True)
