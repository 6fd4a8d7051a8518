"""The review dashboard: which pages are due or overdue, by owner role (「レビュー状況」)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from kb_tools.checks.systemlinks import page_due
from kb_tools.schedule import DUE_SOON_DAYS
from kb_tools import mdtext as _md

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

PAGE_PATH = "kb/review.md"  # where the site generates the dashboard (links are relative to it)

REASON_JA = {"interval": "レビュー周期", "review_by": "期限日（review_by）", "fiscal_year": "年度切替",
             "contract": "契約更新"}


def reason_ja(reason: str, system: str | None = None) -> str:
    """Why the page is due, in Japanese (the system id for a contract renewal)."""
    label = REASON_JA.get(reason, reason)
    return f"{label}（{system}）" if reason == "contract" and system else label


@dataclass
class ReviewItem:
    """One page whose review is due (days_left >= 0) or overdue (days_left < 0)."""

    path: str
    title: str
    owner: str  # role id ("" when the page names none)
    owner_name: str  # role name from the roster (the id when unknown)
    holders: list[str]  # current holders of the owner role
    deputy: str | None
    due: _dt.date
    days_left: int  # negative = overdue
    reason: str  # interval | review_by | fiscal_year | contract
    last_reviewed: _dt.date | None
    status: str
    system: str | None = None  # reason "contract": the system whose contract renewal sets the date

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["due"] = self.due.isoformat()
        d["last_reviewed"] = self.last_reviewed.isoformat() if self.last_reviewed else None
        d["overdue"] = self.overdue
        return d


def review_items(corpus: Corpus, today: _dt.date, due_within: int | None = DUE_SOON_DAYS,
                 owner: str | None = None) -> list[ReviewItem]:
    """Pages overdue or due within ``due_within`` days (None: every page with a due date).

    Sorted by due date, then path. ``owner`` limits to pages owned by that role id.
    """
    reg = corpus.registry
    opts = corpus.config.kb
    out: list[ReviewItem] = []
    for page in corpus.pages.values():
        if page.path.startswith(f"{opts.data_dir}/"):
            continue
        due = page_due(corpus, page)
        if due is None:
            continue
        days = (due.date - today).days
        if due_within is not None and days > due_within:
            continue
        own = page.meta.get("owner")
        own = str(own) if isinstance(own, str | int) and not isinstance(own, bool) else ""
        if owner is not None and own != owner:
            continue
        role = reg.roles.get(own)
        dep = page.meta.get("deputy")
        out.append(ReviewItem(
            path=page.path, title=page.title, owner=own, owner_name=role.name if role else (own or "（未設定）"),
            holders=[h.person for h in role.holders] if role else [],
            deputy=str(dep) if dep not in (None, "") else None,
            due=due.date, days_left=days, reason=due.reason, last_reviewed=due.last_reviewed,
            status=str(page.meta.get("status", "active")), system=due.system,
        ))
    out.sort(key=lambda i: (i.due, i.path))
    return out


def group_by_owner(items: list[ReviewItem]) -> list[tuple[str, list[ReviewItem]]]:
    """Items grouped by owner role; groups with the most overdue page first."""
    groups: dict[str, list[ReviewItem]] = {}
    for it in items:
        groups.setdefault(it.owner, []).append(it)
    return sorted(groups.items(), key=lambda kv: (kv[1][0].due, kv[0]))


def days_label(days_left: int) -> str:
    if days_left < 0:
        return f"**{-days_left}日超過**"
    if days_left == 0:
        return "**本日期限**"
    return f"あと{days_left}日"


def review_markdown(corpus: Corpus, today: _dt.date, due_within: int = DUE_SOON_DAYS) -> str:
    """Body of the site page 「レビュー状況」 (generated at kb/review.md), in Japanese Markdown."""
    items = review_items(corpus, today, due_within)
    overdue = sum(1 for i in items if i.overdue)
    todo_lines = _todo_counts(corpus)
    lines = [
        f"{today.isoformat()} 時点で、レビュー期限を過ぎたページが **{overdue}件**、"
        f"{due_within}日以内に期限が来るページが **{len(items) - overdue}件** あります。",
        "",
        "レビューしたら `kb review mark ページのパス` で最終レビュー日を更新してください"
        "（ページの他の部分は変わりません）。",
        "",
    ]
    if not items:
        lines += ["!!! success \"レビュー待ちのページはありません\"", "",
                  f"    {due_within}日以内に期限が来るページはありません。", ""]
        return "\n".join(lines + todo_lines)
    for owner, group in group_by_owner(items):
        first = group[0]
        name = _md.text(first.owner_name)
        head = f"## {name}（{_md.text(owner)}）" if owner and owner != first.owner_name else f"## {name}"
        lines.append(head)
        lines.append("")
        holders = "、".join(_md.text(h) for h in first.holders) if first.holders else "**現任者なし（ロール台帳を確認）**"
        lines.append(f"現任者: {holders}")
        lines.append("")
        rows = []
        for it in group:
            rows.append([
                _md.link(PAGE_PATH, it.path, it.title), days_label(it.days_left), it.due.isoformat(),
                reason_ja(it.reason, it.system), it.last_reviewed.isoformat() if it.last_reviewed else "—",
                _md.text(it.deputy) if it.deputy else "—",
            ])
        lines += _md.table(["ページ", "状況", "期限", "理由", "最終レビュー", "副担当"], rows)
        lines.append("")
    return "\n".join(lines + todo_lines)


def _todo_counts(corpus: Corpus) -> list[str]:
    """The dashboard's 要確認 section: open fill-in items per owner role (DESIGN §10)."""
    from kb_tools.continuity.todos import counts_by_role, todo_items

    counts = counts_by_role(todo_items(corpus))
    if not counts:
        return []
    reg = corpus.registry
    rows = [[_md.text(reg.roles[r].name if r in reg.roles else (r or "（未設定）")), _md.text(r or "—"), f"{n}件"]
            for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ["## 未記入の要確認（担当ロール別）", "",
            f"「要確認」の囲みが **{sum(counts.values())}件** 残っています。`kb todo --owner ロールID` で一覧を出し、分かったことを記入して囲みを消してください。",
            "", *_md.table(["担当", "ロールID", "件数"], rows), ""]


def review_text(items: list[ReviewItem]) -> str:
    """Plain text for the terminal, grouped by owner role."""
    if not items:
        return "レビュー待ちのページはありません。\n"
    out = []
    for owner, group in group_by_owner(items):
        first = group[0]
        holders = "、".join(first.holders) or "現任者なし"
        out.append(f"{first.owner_name} ({owner or '-'}) — {holders}")
        for it in group:
            state = f"{-it.days_left}日超過" if it.overdue else ("本日期限" if it.days_left == 0 else f"あと{it.days_left}日")
            out.append(f"  {it.due.isoformat()}  {state:<10} {it.path}  {it.title}  [{reason_ja(it.reason, it.system)}]")
        out.append("")
    return "\n".join(out)
