"""Review cycles (KB3xx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.checks.registry import Emit, RuleContext, declare, page_pass
from kb_tools.findings import Severity
from kb_tools.checks.systemlinks import page_due
from kb_tools.i18n import N_, _
from kb_tools.schedule import DUE_SOON_DAYS, Due

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

OVERDUE = declare("KB301", "review.overdue", severity=Severity.WARNING, kb_metadata=True, doc="""
    The page's review is overdue: the earliest of last_reviewed + review_every, review_by, and
    (with review_on_fiscal_year) the next April 1 is before today.

    **Why** a stale runbook is worse than none: people follow it.
    **Good** review the page, then ``kb review mark PATH``.
""")
DUE_SOON = declare("KB302", "review.due-soon", severity=Severity.INFO, kb_metadata=True, doc="""
    The page's review falls due within the next 30 days (``kb review --due-within 30`` lists them).
""")

_REASONS = {"interval": N_("review interval"), "review_by": N_("review_by date"),
            "fiscal_year": N_("new fiscal year (年度切替)")}


def _reason(due: Due) -> str:
    if due.reason == "contract":
        return _("contract renewal (契約更新) of system '{id}'").format(id=due.system)
    return _(_REASONS[due.reason])


@page_pass(dated=True)
def check_review(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """The page's review is overdue or due soon (cached per day: it reads ``ctx.today``, the page,
    and the ledger's contracts of the systems linked to the page)."""
    if not corpus.kb_metadata:
        return
    soon = int(ctx.options.get("due_soon_days", DUE_SOON_DAYS))
    due = page_due(corpus, page)
    if due is None:
        return
    line = page.meta_lines.get("last_reviewed", page.meta_lines.get("review_by", 1))
    days = (due.date - ctx.today).days
    if days < 0:
        emit(OVERDUE, page.path, line, None,
             _("review overdue by {days} days (due {due}, {reason})").format(
                 days=-days, due=due.date.isoformat(), reason=_reason(due)),
             hint=_("review the page, then run: kb review mark {path}").format(path=page.path),
             target=due.date.isoformat())
    elif days <= soon:
        emit(DUE_SOON, page.path, line, None,
             _("review due in {days} days ({due}, {reason})").format(
                 days=days, due=due.date.isoformat(), reason=_reason(due)),
             hint=_("review the page, then run: kb review mark {path}").format(path=page.path),
             target=due.date.isoformat())
