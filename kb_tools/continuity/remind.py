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

from kb_tools.continuity.review import days_label, reason_ja, review_items
from kb_tools.continuity.systems import system_rows
from kb_tools.continuity.todos import todo_items

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
        return (f"[ナレッジベース] {self.role_name}: 期限の近いもの {len(self.reviews) + len(self.systems)}件・"
                f"要確認 {len(self.todos)}件")

    def body(self, today: _dt.date, window: int) -> str:
        lines = [f"{self.role_name}（{self.role}）のみなさんへ", "",
                 f"{today.isoformat()} から{window}日以内に期限が来るものと、未記入の要確認の一覧です（kb remind で自動作成）。", ""]
        for title, items in (("レビュー期限", self.reviews), ("システムの契約・サポート", self.systems),
                             ("未記入の要確認", self.todos)):
            lines += [f"■ {title}（{len(items)}件）"] + [f"- {i}" for i in items] + (["- なし"] if not items else []) + [""]
        lines += ["レビューしたら: kb review mark ページのパス", "要確認の一覧: kb todo --owner " + self.role, ""]
        return "\n".join(lines)


def digests(corpus: Corpus, today: _dt.date, window: int = WINDOW_DAYS) -> list[Digest]:
    """One digest per role of the roster (roles with nothing to report included, ``empty``)."""
    reg = corpus.registry
    out = []
    todos = todo_items(corpus)
    for rid, role in sorted(reg.roles.items()):
        d = Digest(rid, role.name, role.mail)
        for it in review_items(corpus, today, window, owner=rid):
            d.reviews.append(f"{it.due.isoformat()}（{days_label(it.days_left).strip('*')}） {it.title} — {it.path}"
                             f"［{reason_ja(it.reason, it.system)}］")
        for r in system_rows(corpus, today, window, owner=rid):
            s = r.system
            for label, date in (("契約更新の準備開始", r.review_by), ("契約満了", s.contract_end), ("サポート終了", s.support_end)):
                if date is not None and (date - today).days <= window:
                    d.systems.append(f"{date.isoformat()} {label}: {s.name}（{s.id}）")
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
