"""The ledger as the corpus sees it: loaded once per corpus, and the pages linked to each system.

``contract_dues`` feeds :func:`kb_tools.schedule.due_date` (契約更新前の見直し) so that the
check, the review dashboard, the banner and ``kb review`` compute the same date.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from kb_tools.corpus import Corpus
from kb_tools.ledger import Ledger, System, load_ledger, normalise, page_systems
from kb_tools.model import Page
from kb_tools.schedule import Due, due_date


class ContractDues(dict[str, list[tuple[_dt.date, str]]]):
    """Page path -> sorted (contract.end − notice_days, system id) of its linked systems."""


class SystemPages(dict[str, list[str]]):
    """System id -> pages linked to it (naming it in ``systems:`` or listed in its runbooks)."""


def ledger_of(corpus: Corpus) -> Ledger:
    opts = corpus.config.kb
    return corpus.derived(Ledger, lambda c: load_ledger(c.config.data_path, c.config.docs_dir, opts.systems.notice_days,
                                                        c.config.cache_dir if c.use_cache else None))


def _system_pages(corpus: Corpus) -> SystemPages:
    return system_pages_from(corpus, ((page.path, page_systems(page)) for page in corpus.pages.values()))


def system_pages_from(corpus: Corpus, named: Iterable[tuple[str, list[str] | None]]) -> SystemPages:
    """System id -> linked pages, from the ledger's runbooks and each page's ``systems:`` ids
    (``named``: (path, ids) per page, e.g. from the findings cache's per-page summaries)."""
    ledger = ledger_of(corpus)
    out = SystemPages()
    if not ledger.present:
        return out
    found: dict[str, set[str]] = {}
    for s in ledger.systems:
        for p in s.runbooks.values():
            n = normalise(p)
            if n in corpus.pages:
                found.setdefault(s.id, set()).add(n)
    for path, ids in named:
        for sid in ids or []:
            if sid in ledger.by_id:
                found.setdefault(sid, set()).add(path)
    out.update((sid, sorted(paths)) for sid, paths in found.items())
    return out


class RunbookSystems(dict[str, list[str]]):
    """Page path -> ids of the systems that list it as a runbook (the ledger alone)."""


def _runbook_systems(corpus: Corpus) -> RunbookSystems:
    ledger = ledger_of(corpus)
    out = RunbookSystems()
    if ledger.present:
        for s in ledger.systems:
            for p in s.runbooks.values():
                n = normalise(p)
                if n:
                    out.setdefault(n, []).append(s.id)
    return out


def page_contract_dues(corpus: Corpus, page: Page) -> list[tuple[_dt.date, str]] | None:
    """``contract_dues(corpus).get(page.path)`` from the page and the ledger alone (no other page
    is read: a cached check re-derives a page's review findings without decoding the others)."""
    ledger = ledger_of(corpus)
    if not ledger.present:
        return None
    runbook_of = corpus.derived(RunbookSystems, _runbook_systems).get(page.path)
    named = page_systems(page)
    if not runbook_of and not named:
        return None  # most pages: neither a runbook nor naming a system
    sids = set(runbook_of or ())
    sids.update(sid for sid in named or [] if sid in ledger.by_id)
    out = sorted((by, sid) for sid in sids if (by := ledger.by_id[sid].review_by) is not None)
    return out or None


def system_pages(corpus: Corpus) -> SystemPages:
    return corpus.derived(SystemPages, _system_pages)


def _contract_dues(corpus: Corpus) -> ContractDues:
    ledger = ledger_of(corpus)
    out = ContractDues()
    for sid, paths in system_pages(corpus).items():
        by = ledger.by_id[sid].review_by
        if by is None:
            continue
        for p in paths:
            out.setdefault(p, []).append((by, sid))
    for v in out.values():
        v.sort()
    return out


def contract_dues(corpus: Corpus) -> ContractDues:
    return corpus.derived(ContractDues, _contract_dues)


def page_due(corpus: Corpus, page: Page) -> Due | None:
    """The page's review due date, contract renewals of its systems included."""
    return due_date(page, corpus.config.kb, page_contract_dues(corpus, page))


class PageSystems(dict[str, list[str]]):
    """Page path -> ids of the systems linked to it (``SystemPages`` inverted, in its order)."""


def _page_systems(corpus: Corpus) -> PageSystems:
    out = PageSystems()
    for sid, paths in system_pages(corpus).items():
        for p in paths:
            out.setdefault(p, []).append(sid)
    return out


def systems_of_page(corpus: Corpus, path: str) -> list[System]:
    """The systems linked to a page (the site's per-page view asks this for every page)."""
    ledger = ledger_of(corpus)
    return [ledger.by_id[sid] for sid in corpus.derived(PageSystems, _page_systems).get(path, ())]
