"""The system ledger (KB5xx): docs/_data/systems.yml against the roster, the pages and the calendar."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb_tools.checks.registry import Emit, RuleContext, declare, page_pass, site_pass
from kb_tools.checks.systemlinks import SystemPages, ledger_of, system_pages, system_pages_from
from kb_tools.findings import Finding, Severity
from kb_tools.fuzzy import NameIndex
from kb_tools.i18n import _
from kb_tools.ledger import Ledger, System, normalise, page_systems

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

INVALID = declare("KB501", "system.invalid", severity=Severity.ERROR, doc="""
    An entry of docs/_data/systems.yml is not valid: a required field (id, name, category,
    owner, status) is missing, a value is not one of the allowed ones (category, tier, hosting,
    status), a date is impossible (2027-02-30) or not YYYY-MM-DD, a key is repeated, or the file
    is not a mapping with one key ``systems:``. ``kb schema --ledger`` prints the JSON Schema.
""")
DUPLICATE = declare("KB502", "system.duplicate-id", severity=Severity.ERROR, doc="""
    Two ledger entries share an id; pages name systems by id, so the id must be unique.
""")
UNKNOWN_ROLE = declare("KB503", "system.unknown-role", severity=Severity.ERROR, doc="""
    A system's owner or deputy is not a role id of roster.yml (with a "did you mean").
    Write role ids, never people's names: a transfer then changes the roster only.
""")
NO_DEPUTY = declare("KB504", "system.no-deputy", severity=Severity.WARNING, doc="""
    A system has no deputy, or its deputy is the owner: one role alone knows it (bus factor 1).
""")
MISSING_RUNBOOK = declare("KB505", "system.missing-runbook", severity=Severity.WARNING, doc="""
    An active system does not list a required runbook kind (default: restore, account,
    incident; per category with the plugin option ``systems: {required_runbooks: {...}}``).
""")
RUNBOOK_TARGET = declare("KB506", "system.runbook-target", severity=Severity.ERROR, doc="""
    A runbook listed for a system is outside docs_dir, does not exist, is not of type runbook or
    checklist, or is deprecated/archived.
""")
CONTRACT_DUE = declare("KB507", "system.contract-due", severity=Severity.WARNING, doc="""
    The contract ends within notice_days (warning: start the renewal or the procurement), or it
    has ended while the system is still planned, active or migrating (error).
""")
SUPPORT_ENDED = declare("KB508", "system.support-ended", severity=Severity.ERROR, doc="""
    The vendor's support (support_end) has ended for an active system (error), or ends within
    notice_days (warning): plan the update or the migration.
""")
UNKNOWN = declare("KB509", "system.unknown", severity=Severity.ERROR, doc="""
    A page's ``systems:`` names an id that is not in the ledger (with a "did you mean"), or
    ``systems:`` is not a list of ids.
""")
UNREFERENCED = declare("KB510", "system.unreferenced", severity=Severity.INFO, doc="""
    An active system that no page names (``systems: [id]``) and whose listed runbooks do not
    exist: nothing in the knowledge base tells a successor about it.
""")
_BY_RULE = {INVALID.name: INVALID, DUPLICATE.name: DUPLICATE}
# Findings that only the calendar makes (a date passed): like review.*, the plugin logs them at
# INFO so that `mkdocs build --strict` never stops publishing because of a date.
CALENDAR_RULES = (CONTRACT_DUE.name, SUPPORT_ENDED.name)
RUNBOOK_TYPES = ("runbook", "checklist")


def _roles(corpus: Corpus, ledger: Ledger, s: System, emit: Emit, index: NameIndex) -> None:
    reg = corpus.registry
    for field in ("owner", "deputy"):
        value = getattr(s, field)
        if value is None or (reg.has_roster and value in reg.roles) or not reg.has_roster:
            continue
        guess = index.suggest(value) or reg.suggest_role(value)
        emit(UNKNOWN_ROLE, ledger.path, s.line_of(field), None,
             _("system '{id}': {field} '{role}' is not a role in roster.yml").format(id=s.id, field=field, role=value),
             hint=_("did you mean '{guess}'?").format(guess=guess) if guess else None, target=s.id)
    if s.deputy is None or s.deputy == s.owner:
        msg = (_("system '{id}' has no deputy") if s.deputy is None
               else _("system '{id}': the deputy is the owner '{role}'")).format(id=s.id, role=s.owner)
        emit(NO_DEPUTY, ledger.path, s.line_of("deputy"), None, msg,
             hint=_("add 'deputy: ROLE', a second role that can run the system"), target=s.id)


def _page_index(corpus: Corpus) -> NameIndex:
    return corpus.derived(NameIndex, lambda c: NameIndex(c.pages))


def _runbooks(corpus: Corpus, ledger: Ledger, s: System, emit: Emit) -> None:
    if s.status == "active":
        for kind in corpus.config.kb.systems.required_for(s.category):
            if kind not in s.runbooks:
                emit(MISSING_RUNBOOK, ledger.path, s.line_of("runbooks"), None,
                     _("system '{id}' lists no '{kind}' runbook").format(id=s.id, kind=kind),
                     hint=_("write the runbook and add 'runbooks: {{{kind}: PATH}}'").format(kind=kind), target=s.id)
    if not s.live:
        return
    for kind, raw in s.runbooks.items():
        line = s.line_of(f"runbooks.{kind}")
        path = normalise(raw)
        page = corpus.pages.get(path) if path else None
        if not path:
            msg = _("system '{id}': {kind} runbook '{path}' is outside docs_dir")
        elif page is None:
            msg = _("system '{id}': {kind} runbook '{path}' does not exist")
        elif page.meta.get("type") not in RUNBOOK_TYPES:
            msg = _("system '{id}': {kind} runbook '{path}' is not of type runbook or checklist")
        elif page.meta.get("status") in ("deprecated", "archived"):
            msg = _("system '{id}': {kind} runbook '{path}' is {status}")
        else:
            continue
        hint = None
        if page is not None and isinstance(page.meta.get("replaced_by"), str):
            hint = _("list its successor {path}").format(path=page.meta["replaced_by"])
        elif page is None and path:
            guess = _page_index(corpus).suggest(path)
            hint = _("did you mean '{guess}'?").format(guess=guess) if guess else None
        emit(RUNBOOK_TARGET, ledger.path, line, None,
             msg.format(id=s.id, kind=kind, path=raw, status=page.meta.get("status") if page else ""),
             hint=hint, target=raw)


def _dates(ledger: Ledger, s: System, today: _dt.date, emit: Emit) -> None:
    if s.live and s.contract_end is not None:
        days = (s.contract_end - today).days
        line = s.line_of("contract.end")
        if days < 0:
            emit(CONTRACT_DUE, ledger.path, line, None, _(
                "system '{id}': the contract ended on {date} and the system is still {status}").format(
                id=s.id, date=s.contract_end.isoformat(), status=s.status), target=s.id, severity=Severity.ERROR)
        elif days <= s.notice_days:
            emit(CONTRACT_DUE, ledger.path, line, None, _(
                "system '{id}': the contract ends on {date}, in {days} days (notice {notice} days)").format(
                id=s.id, date=s.contract_end.isoformat(), days=days, notice=s.notice_days),
                hint=_("start the renewal or the procurement (契約更新)"), target=s.id, severity=Severity.WARNING)
    if s.status == "active" and s.support_end is not None:
        days = (s.support_end - today).days
        line = s.line_of("support_end")
        if days < 0:
            emit(SUPPORT_ENDED, ledger.path, line, None, _(
                "system '{id}': vendor support ended on {date}").format(id=s.id, date=s.support_end.isoformat()),
                target=s.id, severity=Severity.ERROR)
        elif days <= s.notice_days:
            emit(SUPPORT_ENDED, ledger.path, line, None, _(
                "system '{id}': vendor support ends on {date}, in {days} days").format(
                id=s.id, date=s.support_end.isoformat(), days=days), target=s.id, severity=Severity.WARNING)


@page_pass
def check_page_systems(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """The page's ``systems:`` ids against the ledger (the page and the ledger only)."""
    if "systems" not in page.meta:
        return
    ledger = ledger_of(corpus)
    if not ledger.present:
        return
    line = page.meta_lines.get("systems", 1)
    ids = page_systems(page)
    if ids is None:
        emit(UNKNOWN, page.path, line, None, _("'systems:' must be a list of system ids"),
             hint=_("write systems: [id, …] with ids from {path}").format(path=ledger.path))
        return
    index = None
    for sid in ids if ledger.loaded else ():  # an unreadable ledger is one finding, not one per page
        if sid in ledger.known_ids:
            continue
        index = index or NameIndex(ledger.known_ids)
        guess = index.suggest(sid)
        emit(UNKNOWN, page.path, line, None, _("system '{id}' is not in the ledger").format(id=sid),
             hint=_("did you mean '{guess}'?").format(guess=guess) if guess else None, target=sid)


def system_findings(corpus: Corpus, today: _dt.date, emit: Emit,
                    linked: SystemPages | None = None) -> Iterator[tuple[System, list[Finding]]]:
    """Run the per-system rules, yielding each system with the findings about it."""
    ledger = ledger_of(corpus)
    roles = NameIndex(corpus.registry.roles)
    linked = system_pages(corpus) if linked is None else linked
    for s in ledger.systems:
        start = len(emit.findings)
        _roles(corpus, ledger, s, emit, roles)
        _runbooks(corpus, ledger, s, emit)
        _dates(ledger, s, today, emit)
        if s.status == "active" and not linked.get(s.id):
            emit(UNREFERENCED, ledger.path, s.line, None,
                 _("active system '{id}' ({name}) is named by no page and lists no existing runbook").format(
                     id=s.id, name=s.name), hint=_("name it in a page's front matter: systems: [{id}]").format(id=s.id),
                 target=s.id)
        yield s, emit.findings[start:]


def systems_summary(corpus: Corpus, page: Page) -> list[str] | None:
    """What the ledger pass needs of one page: the ids it names in ``systems:``."""
    return page_systems(page)


@site_pass(systems_summary)
def check_systems(corpus: Corpus, ctx: RuleContext, emit: Emit, summaries: dict[str, Any]) -> None:
    """The ledger's entries, their roles, runbooks (a few pages, read here) and dates; which
    systems no page names comes from the pages' cached ``systems:`` ids."""
    ledger = ledger_of(corpus)
    if not ledger.present:
        return
    for issue in ledger.issues:
        emit(_BY_RULE.get(issue.rule, INVALID), ledger.path, issue.line, issue.column, issue.message,
             hint=issue.hint, target=issue.target)
    linked = corpus.derived(SystemPages, lambda c: system_pages_from(c, summaries.items()))
    for _s, _found in system_findings(corpus, ctx.today, emit, linked):
        pass
