"""What a page shows about itself: owner and holders, deputy, review dates, status, tags.

Computed from the Page and the roster here, in the core, so that the theme override only
prints values (and any other renderer can print the same ones).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from kb_tools.config import KbOptions
from kb_tools.parse.frontmatter import load_date
from kb_tools.datadir import Registry
from kb_tools.model import Page
from kb_tools.schedule import DUE_SOON_DAYS, due_date

STATUS_LABELS = {"draft": "下書き", "active": "有効", "deprecated": "廃止予定", "archived": "アーカイブ"}
TYPE_LABELS = {"runbook": "手順書", "guide": "解説", "reference": "リファレンス", "checklist": "チェックリスト",
               "decision": "意思決定記録", "path": "オンボーディング", "glossary": "用語集"}


@dataclass
class RoleView:
    id: str
    name: str
    holders: list[str] = field(default_factory=list)
    leaving: list[str] = field(default_factory=list)  # "担当者C（2027-03-31 異動予定）"
    known: bool = True


@dataclass
class PageView:
    """Everything the theme shows in a page's metadata box and banners (plain strings)."""

    kb: bool  # the page has kb front matter (owner or status or last_reviewed)
    status: str
    status_label: str
    type_label: str
    owner: RoleView | None
    deputy: RoleView | None
    last_reviewed: str
    next_due: str
    days_left: int | None
    overdue: bool
    due_soon: bool
    replaced_by: str  # docs path of the successor ("" when none)
    tags: list[str]
    due_reason: str = ""  # why the next review falls then, in Japanese ("契約更新（juki）")
    todos: int = 0  # open 要確認 items on the page
    systems: list[str] = field(default_factory=list)  # names of the ledger systems linked to the page

    def as_dict(self) -> dict[str, Any]:
        """A plain dict for templates (shallow: ``dataclasses.asdict`` deep-copies, slowly)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("owner", "deputy"):
            if out[k] is not None:
                out[k] = {f: getattr(out[k], f) for f in out[k].__dataclass_fields__}
        return out


def role_view(registry: Registry, role_id: Any) -> RoleView | None:
    if not isinstance(role_id, str) or not role_id.strip():
        return None
    role = registry.roles.get(role_id)
    if role is None:
        # A deputy may name a person instead of a role: show it as written.
        return RoleView(role_id, role_id, known=False)
    holders = [h.person for h in role.holders]
    leaving = [f"{h.person}（{h.leaving.isoformat()} 異動予定）" for h in role.holders if h.leaving]
    return RoleView(role.id, role.name, holders, leaving)


DUE_REASONS = {"interval": "レビュー周期", "review_by": "期限日", "fiscal_year": "年度切替", "contract": "契約更新"}


def page_view(page: Page, registry: Registry, opts: KbOptions, today: _dt.date,
              contracts: list[tuple[_dt.date, str]] | None = None, systems: list[str] | None = None) -> PageView:
    """``contracts``: sorted (contract end − notice days, system id) of the page's linked systems."""
    meta = page.meta
    status = meta.get("status") if isinstance(meta.get("status"), str) else "active"
    last = load_date(meta.get("last_reviewed"))
    due = due_date(page, opts, contracts)
    days_left = (due.date - today).days if due else None
    tags = []
    raw_tags = meta.get("tags")
    for t in raw_tags if isinstance(raw_tags, list) else ([raw_tags] if isinstance(raw_tags, str) else []):
        tid = registry.resolve_tag(str(t))
        tags.append(registry.tag_label(tid) if tid else str(t))
    replaced = meta.get("replaced_by")
    t = meta.get("type")
    return PageView(
        kb=any(k in meta for k in ("owner", "status", "last_reviewed", "deputy")),
        status=status, status_label=STATUS_LABELS.get(status, status),
        type_label=TYPE_LABELS.get(t, str(t)) if isinstance(t, str) else "",
        owner=role_view(registry, meta.get("owner")),
        deputy=role_view(registry, meta.get("deputy")),
        last_reviewed=last.isoformat() if last else "",
        next_due=due.date.isoformat() if due else "",
        days_left=days_left,
        overdue=days_left is not None and days_left < 0,
        due_soon=days_left is not None and 0 <= days_left <= DUE_SOON_DAYS,
        replaced_by=replaced.strip() if isinstance(replaced, str) else "",
        tags=tags,
        due_reason=(DUE_REASONS.get(due.reason, due.reason) + (f"（{due.system}）" if due.system else ""))
        if due and due.reason != "interval" else "",
        todos=len(page.extra.get("todos", ())),
        systems=_first(list(systems or []), 5),
    )


def _first(names: list[str], n: int) -> list[str]:
    """At most ``n`` names, then "ほかN件" (a shared runbook may serve thirty systems)."""
    return names if len(names) <= n else names[:n] + [f"ほか{len(names) - n}件"]
