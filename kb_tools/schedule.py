"""When is a page due for review? One function used by checks, reports and the site."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from kb_tools.config import KbOptions
from kb_tools.parse.frontmatter import load_date
from kb_tools.model import Page

# Defaults per page type when neither the page nor the plugin options say otherwise.
DUE_SOON_DAYS = 30  # "due soon": the one window of the check, kb review, the dashboard and the banner
TYPE_DEFAULT_DAYS = {"runbook": 180, "checklist": 365, "guide": 365, "reference": 365, "decision": 730}
REVIEWED_STATUSES = ("active", "draft")


@dataclass(frozen=True, slots=True)
class Due:
    date: _dt.date
    reason: str  # interval | review_by | fiscal_year | contract
    last_reviewed: _dt.date | None
    interval_days: int
    system: str | None = None  # the system whose contract renewal sets the date (reason "contract")


def review_interval(page: Page, opts: KbOptions) -> int:
    v = page.meta.get("review_every")
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return v
    t = page.meta.get("type", "guide")
    if isinstance(t, str) and t in opts.review_days_by_type:
        return opts.review_days_by_type[t]
    if isinstance(t, str) and t in TYPE_DEFAULT_DAYS and "review_default_days" not in opts.model_fields_set:
        return TYPE_DEFAULT_DAYS[t]
    return opts.review_default_days


def next_april_first(d: _dt.date) -> _dt.date:
    """The first April 1 strictly after ``d`` (the start of the next fiscal year)."""
    year = d.year + (1 if (d.month, d.day) >= (4, 1) else 0)
    return _dt.date(year, 4, 1)


def due_date(page: Page, opts: KbOptions, contracts: Sequence[tuple[_dt.date, str]] | None = None) -> Due | None:
    """The earliest of: last_reviewed + interval, review_by, the next April 1 (年度切替), and
    the first of ``contracts`` — (contract end − notice days, system id) of the systems the page
    is linked to, sorted — that falls after the last review (契約更新前の見直し: a review on or
    after a renewal's date settles that renewal, and the next system's renewal comes next).

    None for pages that are not reviewed (deprecated, archived) or carry no review data.
    """
    status = page.meta.get("status", "active")
    if status not in REVIEWED_STATUSES:
        return None
    last = load_date(page.meta.get("last_reviewed"))
    interval = review_interval(page, opts)
    candidates: list[tuple[_dt.date, str]] = []
    if last is not None:
        candidates.append((last + _dt.timedelta(days=interval), "interval"))
        if page.meta.get("review_on_fiscal_year") is True:
            candidates.append((next_april_first(last), "fiscal_year"))
    by = load_date(page.meta.get("review_by"))
    if by is not None:
        candidates.append((by, "review_by"))
    system = None
    contract = next((c for c in contracts or () if last is None or last < c[0]), None)
    if contract is not None:
        candidates.append((contract[0], "contract"))
    if not candidates:
        return None
    d, reason = min(candidates)
    if reason == "contract" and contract is not None:
        system = contract[1]
    return Due(d, reason, last, interval, system)
