"""The system ledger as reports: ``kb systems``, the handover's systems, the ownership map's.

Pure functions of the Corpus (and today); the CLI and the site's generated pages render the
same rows. Gaps are the ledger rules a system fails (``system.*`` names, DESIGN §9).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb_tools import mdtext as _md
from kb_tools.checks.registry import Emit, RuleContext
from kb_tools.checks.systemlinks import ledger_of, system_pages
from kb_tools.checks.systems import system_findings
from kb_tools.i18n import N_, _
from kb_tools.ledger import System

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

# Labels of the ledger's values (msgids; translate with label()).
CATEGORIES = {"standard": N_("20 standardised operations"), "internal": N_("internal information systems"),
              "network": N_("network"), "saas": "SaaS", "infra": N_("infrastructure")}
TIERS = {"my-number": N_("My Number segment"), "lgwan": N_("LGWAN segment"), "internet": N_("internet segment")}
HOSTINGS = {"gov-cloud": N_("Government Cloud"), "on-premises": N_("on premises"), "data-center": N_("data centre"),
            "saas": "SaaS", "lgwan-asp": "LGWAN-ASP"}
STATUSES = {"planned": N_("planned"), "active": N_("in service"), "migrating": N_("migrating"), "retired": N_("retired")}
KINDS = {"restore": N_("restore"), "account": N_("accounts"), "incident": N_("incident response")}
# What a dated ledger entry means (kb calendar, kb remind).
EVENT_LABELS = {"notice": N_("Contract renewal preparation starts"), "contract": N_("Contract ends"),
                "support": N_("Support ends")}


def label(table: dict[str, str], key: str | None, default: str | None = None) -> str:
    """``table[key]`` in the current language; ``default`` (else the key) when the table lacks it."""
    if key is not None and key in table:
        return _(table[key])  # "SaaS", "LGWAN-ASP": not in the catalog, the same in every language
    return default if default is not None else str(key)


@dataclass
class SystemRow:
    system: System
    review_by: _dt.date | None
    gaps: list[str]
    pages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        s = self.system
        return {
            "id": s.id, "name": s.name, "category": s.category, "tier": s.tier, "hosting": s.hosting,
            "owner": s.owner, "deputy": s.deputy, "status": s.status,
            "contract_end": s.contract_end.isoformat() if s.contract_end else None,
            "support_end": s.support_end.isoformat() if s.support_end else None,
            "review_by": self.review_by.isoformat() if self.review_by else None,
            "runbooks": dict(s.runbooks), "gaps": self.gaps,
        }

    def next_date(self) -> _dt.date | None:
        dates = [d for d in (self.review_by, self.system.contract_end, self.system.support_end) if d]
        return min(dates) if dates else None


def system_gaps(corpus: Corpus, today: _dt.date) -> dict[str, list[str]]:
    """System id -> sorted names of the ledger rules it fails (default severities)."""
    emit = Emit(RuleContext(today=today))
    out: dict[str, list[str]] = {}
    for s, findings in system_findings(corpus, today, emit):
        out[s.id] = sorted({f.rule for f in findings})
    return out


def system_rows(corpus: Corpus, today: _dt.date, due_within: int | None = None,
                owner: str | None = None) -> list[SystemRow]:
    """Every ledger system (sorted by id); ``due_within``: only those with a date (review_by,
    contract end, support end) within that many days; ``owner``: held by the role as owner or deputy."""
    ledger = ledger_of(corpus)
    gaps = system_gaps(corpus, today)
    linked = system_pages(corpus)
    rows = []
    for s in sorted(ledger.systems, key=lambda s: s.id):
        if owner is not None and owner not in (s.owner, s.deputy):
            continue
        row = SystemRow(s, s.review_by, gaps.get(s.id, []), linked.get(s.id, []))
        nxt = row.next_date()
        if due_within is not None and (nxt is None or (nxt - today).days > due_within or not s.live):
            continue
        rows.append(row)
    return rows


def systems_json(corpus: Corpus, today: _dt.date, rows: list[SystemRow]) -> dict[str, Any]:
    return {"today": today.isoformat(), "systems": [r.to_dict() for r in rows]}


def _date(d: _dt.date | None) -> str:
    return d.isoformat() if d else "—"


def systems_text(corpus: Corpus, rows: list[SystemRow]) -> str:
    ledger = ledger_of(corpus)
    if not ledger.present:
        return _("There is no system ledger ({path}).").format(path=ledger.path) + "\n"
    if not rows:
        return _no_systems()
    out = []
    for r in rows:
        s = r.system
        out.append(f"{s.id:<14} {s.name}  [{label(STATUSES, s.status)}]")
        out.append("    " + _("owner {owner} / deputy {deputy}  contract end {contract}  review {review}  support end "
                              "{support}").format(owner=s.owner, deputy=s.deputy or _("none"),
                                                  contract=_date(s.contract_end), review=_date(r.review_by),
                                                  support=_date(s.support_end)))
        if r.gaps:
            out.append("    " + _("Gaps: {gaps}").format(gaps=", ".join(r.gaps)))
    return "\n".join(out) + "\n"


def _no_systems() -> str:
    return _("No systems match.") + "\n"


def role_label(corpus: Corpus, role: str | None) -> str:
    if not role:
        return "**" + _("none") + "**"
    r = corpus.registry.roles.get(role)
    return _md.text(r.name if r else role)


def systems_markdown(corpus: Corpus, rows: list[SystemRow], from_page: str = "",
                     page_of: dict[str, str] | None = None) -> str:
    """The ledger as a Markdown table; ``page_of`` (id -> docs path) links each system's page."""
    ledger = ledger_of(corpus)
    if not ledger.present:
        return _("There is no system ledger ({path}) yet.").format(path=_md.code(ledger.path)) + "\n"
    if not rows:
        return _no_systems()
    body = []
    for r in rows:
        s = r.system
        name = _md.link(from_page, page_of[s.id], s.name) if page_of and s.id in page_of else _md.text(s.name)
        body.append([f"{name}<br>{_md.code(s.id)}", label(CATEGORIES, s.category),
                     label(STATUSES, s.status), role_label(corpus, s.owner), role_label(corpus, s.deputy),
                     _md.text(s.vendor or "—"), _date(s.contract_end), _date(r.review_by), _date(s.support_end),
                     ", ".join(f"`{g}`" for g in r.gaps) or _("none")])
    header = [_("System"), _("Category"), _("State"), _("Owner"), _("Deputy"), _("Vendor"), _("Contract end"),
              _("Review start"), _("Support end"), _("Gaps")]
    return "\n".join(_md.table(header, body)) + "\n"


def handover_systems(corpus: Corpus, role_ids: set[str], today: _dt.date) -> list[dict[str, Any]]:
    """The systems the roles hold: ``[{"id", "name", "role", "as", "contract_end", "gaps"}]`` (DESIGN §9)."""
    out = []
    for r in system_rows(corpus, today):
        s = r.system
        for as_, role in (("owner", s.owner), ("deputy", s.deputy)):
            if role in role_ids and s.status != "retired":
                out.append({"id": s.id, "name": s.name, "role": role, "as": as_,
                            "contract_end": s.contract_end.isoformat() if s.contract_end else None, "gaps": r.gaps})
    return out
