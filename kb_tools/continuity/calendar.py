"""``kb calendar``: the knowledge base's dates as an iCalendar file (Outlook, Garoon, Google…).

One all-day event per date: page review due dates, contract notice dates (契約更新の準備開始) and
contract ends, vendor support ends, and roster leaving dates. Each event's UID is derived from
what it is about (page path, system id, role and person), never from the date, so importing the
file again updates the events instead of duplicating them. Output is deterministic for a day.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb_tools.checks.systemlinks import ledger_of, page_due
from kb_tools.continuity.review import reason_label
from kb_tools.continuity.systems import EVENT_LABELS
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

UID_DOMAIN = "kb-tools"


@dataclass(frozen=True)
class CalEvent:
    uid: str
    date: _dt.date
    summary: str
    description: str
    category: str  # review | contract-notice | contract-end | support-end | leaving


def _h(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:16]


def _owner(name: str) -> str:
    return _("Owner: {name}").format(name=name)


def _event(kind: str, name: str) -> str:
    return _("{event}: {name}").format(event=_(EVENT_LABELS[kind]), name=name)


def calendar_events(corpus: Corpus) -> list[CalEvent]:
    """Every dated event of the corpus, sorted by date then UID."""
    out: list[CalEvent] = []
    reg = corpus.registry
    for page in corpus.sorted_pages():
        due = page_due(corpus, page)
        if due is None:
            continue
        owner = page.meta.get("owner") if isinstance(page.meta.get("owner"), str) else ""
        role = reg.roles.get(owner)
        out.append(CalEvent(f"review-{_h(page.path)}@{UID_DOMAIN}", due.date, _("Review due: {title}").format(title=page.title),
                            "\n".join([page.path, _owner(role.name if role else owner or _("not set")),
                                       _("Reason: {reason}").format(reason=reason_label(due.reason, due.system)),
                                       _("After the review: {command}").format(command=f"kb review mark {page.path}")]),
                            "review"))
    for s in ledger_of(corpus).systems:
        if not s.live:
            continue
        who = reg.roles[s.owner].name if s.owner in reg.roles else s.owner
        if s.review_by is not None:
            out.append(CalEvent(f"contract-notice-{s.id}@{UID_DOMAIN}", s.review_by, _event("notice", s.name),
                                _("{id} (contract {number}, ends {end})").format(
                                    id=s.id, number=s.contract_number or _("no number"), end=s.contract_end)
                                + "\n" + _owner(who), "contract-notice"))
        if s.contract_end is not None:
            out.append(CalEvent(f"contract-end-{s.id}@{UID_DOMAIN}", s.contract_end, _event("contract", s.name),
                                _("{id} (contract {number})").format(id=s.id, number=s.contract_number or _("no number"))
                                + "\n" + _owner(who), "contract-end"))
        if s.support_end is not None:
            out.append(CalEvent(f"support-end-{s.id}@{UID_DOMAIN}", s.support_end, _event("support", s.name),
                                _("{id} (vendor {vendor})").format(id=s.id, vendor=s.vendor or _("not filled in"))
                                + "\n" + _owner(who), "support-end"))
    for r in reg.roles.values():
        for h in r.holders:
            if h.leaving is not None:
                out.append(CalEvent(f"leaving-{r.id}-{_h(h.person)}@{UID_DOMAIN}", h.leaving,
                                    _("Leaving: {person} ({role})").format(person=h.person, role=r.name),
                                    _("Handover report: {command}").format(command=f"kb handover {h.person}") + "\n"
                                    + _("Register the successor: {command}").format(
                                        command=f"kb roster assign {r.id} --to " + _("SUCCESSOR")),
                                    "leaving"))
    return sorted(out, key=lambda e: (e.date, e.uid))


def calendar_ics(corpus: Corpus, today: _dt.date) -> bytes:
    """The events as an iCalendar (RFC 5545) file; DTSTAMP is today (deterministic output)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kb-tools//kb calendar//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("{site} deadlines").format(site=corpus.config.site_name or _("Knowledge base")))
    stamp = _dt.datetime.combine(today, _dt.time(0, 0), tzinfo=_dt.timezone.utc)
    for e in calendar_events(corpus):
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.date)
        ev.add("dtend", e.date + _dt.timedelta(days=1))
        ev.add("summary", e.summary)
        ev.add("description", e.description)
        ev.add("categories", [e.category])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
