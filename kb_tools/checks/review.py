"""Review cycles (KB3xx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare
from kb_tools.findings import Severity
from kb_tools.checks.systemlinks import page_due
from kb_tools.i18n import _
from kb_tools.schedule import Due

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

declare("KB301", "review.overdue", severity=Severity.WARNING, kb_metadata=True, doc="""
    The page's review is overdue: the earliest of last_reviewed + review_every, review_by, and
    (with review_on_fiscal_year) the next April 1 is before today.

    **Why** a stale runbook is worse than none: people follow it.
    **Good** review the page, then ``kb review mark PATH``.
""")
declare("KB302", "review.due-soon", severity=Severity.INFO, kb_metadata=True, doc="""
    The page's review falls due within the next 30 days (``kb review --due-within 30`` lists them).
""")

_REASONS = {"interval": "review interval", "review_by": "review_by date", "fiscal_year": "new fiscal year (年度切替)",
            "contract": "contract renewal (契約更新)"}


def _reason(due: Due) -> str:
    if due.reason == "contract":
        return _("contract renewal (契約更新) of system '{id}'").format(id=due.system)
    return _REASONS[due.reason]


@check_pass
def check_review(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Pages whose review is overdue or due soon."""
    if not corpus.kb_metadata:
        return
    soon = int(ctx.options.get("due_soon_days", 30))
    for page in corpus.pages.values():
        due = page_due(corpus, page)
        if due is None:
            continue
        line = page.meta_lines.get("last_reviewed", page.meta_lines.get("review_by", 1))
        days = (due.date - ctx.today).days
        if days < 0:
            emit("review.overdue", page.path, line, None,
                 f"review overdue by {-days} days (due {due.date.isoformat()}, {_reason(due)})",
                 hint="review the page, then run: kb review mark " + page.path, target=due.date.isoformat())
        elif days <= soon:
            emit("review.due-soon", page.path, line, None,
                 f"review due in {days} days ({due.date.isoformat()}, {_reason(due)})",
                 hint="review the page, then run: kb review mark " + page.path, target=due.date.isoformat())
