"""``kb remind``: one digest e-mail per role, sent to the role's mailbox in roster.yml.

What falls due within the window (page reviews, contract notices and ends, support ends) and the
role's open 要確認 items. Composing is pure; sending happens only when the caller passes an SMTP
host (``kb remind --smtp HOST[:PORT]``), never by default.
"""

from __future__ import annotations

import datetime as _dt
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING

from kb_tools.continuity.review import days_state, reason_label, review_items
from kb_tools.continuity.systems import EVENT_LABELS, system_rows
from kb_tools.continuity.todos import todo_items
from kb_tools.i18n import N_, _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

WINDOW_DAYS = 30


@dataclass
class Digest:
    role: str
    role_name: str
    mail: str
    reviews: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.systems or self.todos)

    def subject(self) -> str:
        return _("[Knowledge base] {role}: {due} due soon, {todos} to confirm").format(
            role=self.role_name, due=len(self.reviews) + len(self.systems), todos=len(self.todos))

    def body(self, today: _dt.date, window: int) -> str:
        lines = [_("To everyone in {name} ({id})").format(name=self.role_name, id=self.role), "",
                 _("What falls due within {days} days from {today}, and the open items to confirm (made by kb "
                   "remind).").format(days=window, today=today.isoformat()), ""]
        for title, items in ((N_("Review due dates"), self.reviews), (N_("System contracts and support"), self.systems),
                             (N_("Open items to confirm"), self.todos)):
            lines += ["■ " + _("{title} ({n})").format(title=_(title), n=len(items))] + [f"- {i}" for i in items]
            lines += (["- " + _("none")] if not items else []) + [""]
        lines += [_("After a review: kb review mark PAGE_PATH"),
                  _("Items to confirm: kb todo --owner {role}").format(role=self.role), ""]
        return "\n".join(lines)


def digests(corpus: Corpus, today: _dt.date, window: int = WINDOW_DAYS) -> list[Digest]:
    """One digest per role of the roster (roles with nothing to report included, ``empty``)."""
    reg = corpus.registry
    out = []
    todos = todo_items(corpus)
    for rid, role in sorted(reg.roles.items()):
        d = Digest(rid, role.name, role.mail)
        for it in review_items(corpus, today, window, owner=rid):
            d.reviews.append(_("{date} ({state}) {title} — {path} [{reason}]").format(
                date=it.due.isoformat(), state=days_state(it.days_left), title=it.title, path=it.path,
                reason=reason_label(it.reason, it.system)))
        for r in system_rows(corpus, today, window, owner=rid):
            s = r.system
            for kind, date in (("notice", r.review_by), ("contract", s.contract_end), ("support", s.support_end)):
                if date is not None and (date - today).days <= window:
                    d.systems.append(f"{date.isoformat()} " + _("{event}: {name}").format(
                        event=_(EVENT_LABELS[kind]), name=_("{name} ({id})").format(name=s.name, id=s.id)))
        d.todos = [f"{t.path}:{t.line} {t.text[:80]}" for t in todos if t.owner == rid]
        out.append(d)
    return out


def message(d: Digest, today: _dt.date, sender: str, window: int = WINDOW_DAYS) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = d.mail
    msg["Subject"] = d.subject()
    msg["Date"] = formatdate(localtime=False)
    msg.set_content(d.body(today, window))
    return msg


def send(messages: list[EmailMessage], host: str, port: int, timeout: float = 30.0) -> None:
    """Send over one SMTP connection (plain SMTP, as an intranet relay expects). Raises OSError/SMTPException."""
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        for m in messages:
            smtp.send_message(m)
