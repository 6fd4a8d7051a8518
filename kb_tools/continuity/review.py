"""The review dashboard: which pages are due or overdue, by owner role ("Review status", レビュー状況)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from kb_tools.checks.systemlinks import page_due
from kb_tools.i18n import N_, _
from kb_tools.schedule import DUE_SOON_DAYS
from kb_tools import mdtext as _md

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

PAGE_PATH = "kb/review.md"  # where the site generates the dashboard (links are relative to it)

REASONS = {"interval": N_("periodic review"), "review_by": N_("due date (review_by)"),
           "fiscal_year": N_("new fiscal year"), "contract": N_("contract renewal")}


def reason_label(reason: str, system: str | None = None) -> str:
    """Why the page is due, in the current language (the system id for a contract renewal)."""
    label = _(REASONS[reason]) if reason in REASONS else reason
    return _("{name} ({id})").format(name=label, id=system) if reason == "contract" and system else label


def not_set() -> str:
    return _("(not set)")


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
            path=page.path, title=page.title, owner=own, owner_name=role.name if role else (own or not_set()),
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


def days_state(days_left: int) -> str:
    """"3 days overdue", "due today", "5 days left" (plain text)."""
    if days_left < 0:
        return _("1 day overdue") if days_left == -1 else _("{days} days overdue").format(days=-days_left)
    if days_left == 0:
        return _("due today")
    return _("1 day left") if days_left == 1 else _("{days} days left").format(days=days_left)


def days_label(days_left: int) -> str:
    """:func:`days_state` in Markdown, bold when due today or overdue."""
    state = days_state(days_left)
    return f"**{state}**" if days_left <= 0 else state


def review_markdown(corpus: Corpus, today: _dt.date, due_within: int = DUE_SOON_DAYS) -> str:
    """Body of the site page "Review status" (generated at kb/review.md), in Markdown."""
    items = review_items(corpus, today, due_within)
    overdue = sum(1 for i in items if i.overdue)
    todo_lines = _todo_counts(corpus)
    lines = [
        _("As of {today}, **{overdue}** page(s) are past their review date and **{soon}** page(s) fall due "
          "within {days} days.").format(today=today.isoformat(), overdue=overdue, soon=len(items) - overdue,
                                         days=due_within),
        "",
        _("After a review, update the last review date with `kb review mark PAGE_PATH` (the rest of the page "
          "is left as it is)."),
        "",
    ]
    if not items:
        lines += ["!!! success \"" + _("No pages are waiting for review") + "\"", "",
                  "    " + _("No page falls due within {days} days.").format(days=due_within), ""]
        return "\n".join(lines + todo_lines)
    for owner, group in group_by_owner(items):
        first = group[0]
        name = _md.text(first.owner_name)
        head = _("{name} ({id})").format(name=name, id=_md.text(owner)) if owner and owner != first.owner_name else name
        lines.append(f"## {head}")
        lines.append("")
        holders = (_(", ").join(_md.text(h) for h in first.holders) if first.holders
                   else "**" + _("no current holder (check the roster)") + "**")
        lines.append(_("Current holders: {names}").format(names=holders))
        lines.append("")
        rows = []
        for it in group:
            rows.append([
                _md.link(PAGE_PATH, it.path, it.title), days_label(it.days_left), it.due.isoformat(),
                reason_label(it.reason, it.system), it.last_reviewed.isoformat() if it.last_reviewed else "—",
                _md.text(it.deputy) if it.deputy else "—",
            ])
        lines += _md.table([_("Page"), _("Status"), _("Due"), _("Reason"), _("Last review"), _("Deputy")], rows)
        lines.append("")
    return "\n".join(lines + todo_lines)


def _todo_counts(corpus: Corpus) -> list[str]:
    """The dashboard's 要確認 (to be confirmed) section: open fill-in items per owner role (DESIGN §10)."""
    from kb_tools.continuity.todos import counts_by_role, todo_items

    counts = counts_by_role(todo_items(corpus))
    if not counts:
        return []
    reg = corpus.registry
    rows = [[_md.text(reg.roles[r].name if r in reg.roles else (r or not_set())), _md.text(r or "—"),
             _("{n} item(s)").format(n=n)] for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ["## " + _("Open items to confirm (by owner role)"), "",
            _("**{n}** \"要確認\" (to be confirmed) box(es) remain. List them with `kb todo --owner ROLE_ID`, write in "
              "what you know and remove the box.").format(n=sum(counts.values())),
            "", *_md.table([_("Owner"), _("Role ID"), _("Items")], rows), ""]


def review_text(items: list[ReviewItem]) -> str:
    """Plain text for the terminal, grouped by owner role."""
    if not items:
        return _("No pages are waiting for review.") + "\n"
    out = []
    for owner, group in group_by_owner(items):
        first = group[0]
        holders = _(", ").join(first.holders) or _("no current holder")
        out.append(f"{first.owner_name} ({owner or '-'}) — {holders}")
        for it in group:
            state = days_state(it.days_left)
            out.append(f"  {it.due.isoformat()}  {state:<10} {it.path}  {it.title}  [{reason_label(it.reason, it.system)}]")
        out.append("")
    return "\n".join(out)
