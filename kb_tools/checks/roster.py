"""Roster history (KB111–KB112): a role's holders over time must make sense."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare
from kb_tools.datadir import ROSTER_FILE
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.datadir import Role

OVERLAP = declare("KB111", "roster.overlap", severity=Severity.WARNING, kb_metadata=True, doc="""
    A role's history in roster.yml overlaps or is out of order: a past holder's ``from`` is
    after their ``to``; two past periods overlap; past entries are not in date order; a past
    period overlaps the same person's current holding; the single current holder started
    before the previous holder left; or a holder's ``leaving`` is before their ``since``.

    **Why** the handover report and the ownership map read who held a role when; an overlap
    usually means a transfer was recorded twice or a date was mistyped.
    **Good** ``kb roster assign ROLE --to PERSON`` keeps the history consistent
    (``to`` = the day before the successor's ``since``).
""")
LEAVING = declare("KB112", "roster.leaving", severity=Severity.INFO, kb_metadata=True, doc="""
    A role holder has a ``leaving`` date within 60 days (or already past) and nobody else holds
    the role: write the handover report (``kb handover PERSON``) and assign a successor
    (``kb roster assign ROLE --to PERSON``).
""")

LEAVING_SOON_DAYS = 60


def _line_of(lines: list[str], start: int, person: str) -> int:
    for i in range(start, len(lines)):  # lines after the role's own line (1-based ``start``)
        if person in lines[i]:
            return i + 1
    return start or 1


def _check_role(role: Role, lines: list[str], path: str, today: _dt.date, emit: Emit) -> None:
    def at(person: str) -> int:
        return _line_of(lines, role.line, person)

    periods = []
    for p in role.past:
        if p.start and p.end and p.start > p.end:
            emit(OVERLAP, path, at(p.person), None,
                 _("role '{role}': past holder {person} has from {start} after to {end}").format(
                     role=role.id, person=p.person, start=p.start, end=p.end))
            continue
        if p.start and p.end:
            periods.append(p)
    for a, b in zip(periods, periods[1:]):
        if b.start < a.start:  # type: ignore[operator]
            emit(OVERLAP, path, at(b.person), None,
                 _("role '{role}': past entries are out of date order ({person} from {start} is listed after "
                   "{previous} from {previous_start})").format(role=role.id, person=b.person, start=b.start,
                                                              previous=a.person, previous_start=a.start),
                 hint=_("list past holders oldest first"))
    ordered = sorted(periods, key=lambda p: p.start)  # type: ignore[arg-type, return-value]
    for a, b in zip(ordered, ordered[1:]):
        if b.start <= a.end:  # type: ignore[operator]
            emit(OVERLAP, path, at(b.person), None,
                 _("role '{role}': past periods of {a} ({a_start}–{a_end}) and {b} ({b_start}–{b_end}) overlap").format(
                     role=role.id, a=a.person, a_start=a.start, a_end=a.end, b=b.person, b_start=b.start, b_end=b.end))
    for h in role.holders:
        if h.since and h.leaving and h.leaving < h.since:
            emit(OVERLAP, path, at(h.person), None,
                 _("role '{role}': {person} is leaving on {leaving}, before their start {since}").format(
                     role=role.id, person=h.person, leaving=h.leaving, since=h.since))
        for p in periods:
            if p.person == h.person and h.since and p.end >= h.since:  # type: ignore[operator]
                emit(OVERLAP, path, at(h.person), None,
                     _("role '{role}': {person}'s past period to {end} overlaps their current holding since "
                       "{since}").format(role=role.id, person=h.person, end=p.end, since=h.since))
    if len(role.holders) == 1 and role.holders[0].since and ordered:
        h, last = role.holders[0], ordered[-1]
        if last.end >= h.since and last.person != h.person:  # type: ignore[operator]
            emit(OVERLAP, path, at(h.person), None,
                 _("role '{role}': {person} holds it since {since}, but the previous holder {previous} is recorded "
                   "until {end}").format(role=role.id, person=h.person, since=h.since, previous=last.person, end=last.end),
                 hint=_("set {previous}'s 'to' to the day before {since}").format(previous=last.person, since=h.since))


@check_pass
def check_roster(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Overlapping or out-of-order role histories, and holders about to leave alone."""
    reg = corpus.registry
    if not reg.has_roster or not corpus.kb_metadata:
        return
    try:
        text = (corpus.config.data_path / ROSTER_FILE).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        text = ""
    lines = text.splitlines()
    for role in reg.roles.values():
        _check_role(role, lines, reg.roster_path, ctx.today, emit)
        for h in role.holders:
            if h.leaving is None:
                continue
            days = (h.leaving - ctx.today).days
            others = [o.person for o in role.holders if o.person != h.person]
            if days <= LEAVING_SOON_DAYS and not others:
                msg = (_("role '{role}': {person} left on {leaving} and nobody else holds it") if days < 0 else
                       _("role '{role}': {person} leaves on {leaving} (in {days} days) and nobody else holds it"))
                emit(LEAVING, reg.roster_path, _line_of(lines, role.line, h.person), None,
                     msg.format(role=role.id, person=h.person, leaving=h.leaving, days=days),
                     hint=f"kb handover {h.person}; kb roster assign {role.id} --to PERSON")
