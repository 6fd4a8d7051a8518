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
from kb_tools.continuity.review import reason_ja

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
        out.append(CalEvent(f"review-{_h(page.path)}@{UID_DOMAIN}", due.date, f"レビュー期限: {page.title}",
                            f"{page.path}\n担当: {role.name if role else owner or '未設定'}\n理由: "
                            f"{reason_ja(due.reason, due.system)}\nレビュー後: kb review mark {page.path}", "review"))
    for s in ledger_of(corpus).systems:
        if not s.live:
            continue
        who = reg.roles[s.owner].name if s.owner in reg.roles else s.owner
        if s.review_by is not None:
            out.append(CalEvent(f"contract-notice-{s.id}@{UID_DOMAIN}", s.review_by, f"契約更新の準備開始: {s.name}",
                                f"{s.id}（契約 {s.contract_number or '番号なし'}、満了 {s.contract_end}）\n担当: {who}",
                                "contract-notice"))
        if s.contract_end is not None:
            out.append(CalEvent(f"contract-end-{s.id}@{UID_DOMAIN}", s.contract_end, f"契約満了: {s.name}",
                                f"{s.id}（契約 {s.contract_number or '番号なし'}）\n担当: {who}", "contract-end"))
        if s.support_end is not None:
            out.append(CalEvent(f"support-end-{s.id}@{UID_DOMAIN}", s.support_end, f"サポート終了: {s.name}",
                                f"{s.id}（事業者 {s.vendor or '未記入'}）\n担当: {who}", "support-end"))
    for r in reg.roles.values():
        for h in r.holders:
            if h.leaving is not None:
                out.append(CalEvent(f"leaving-{r.id}-{_h(h.person)}@{UID_DOMAIN}", h.leaving, f"異動予定: {h.person}（{r.name}）",
                                    f"引継ぎ書: kb handover {h.person}\n後任の登録: kb roster assign {r.id} --to 後任者",
                                    "leaving"))
    return sorted(out, key=lambda e: (e.date, e.uid))


def calendar_ics(corpus: Corpus, today: _dt.date) -> bytes:
    """The events as an iCalendar (RFC 5545) file; DTSTAMP is today (deterministic output)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kb-tools//kb calendar//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{corpus.config.site_name or 'ナレッジベース'} 期限")
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
