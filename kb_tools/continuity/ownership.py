"""The ownership map and bus-factor report ("Ownership map", 担当マップ, ``kb report ownership``).

Who can keep each area (top folder) and each tag alive: the current holders of the roles that
own or deputise its pages, plus the people who recently committed to them (git facts). An area
or tag whose count is 1 is orphaned by a single transfer.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kb_tools import mdtext as _md
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.continuity.git_facts import GitFacts
    from kb_tools.datadir import Registry
    from kb_tools.model import Page

PAGE_PATH = "kb/ownership.md"
ROOT_AREA = "（トップ）"  # the area key of pages at the top of docs/ (its label is translated)
LIVE_STATUSES = ("active", "draft")


@dataclass
class RoleInfo:
    id: str
    name: str
    holders: list[str]
    leaving: dict[str, str]  # person -> leaving date (ISO)
    owned: list[str] = field(default_factory=list)  # page paths
    deputised: list[str] = field(default_factory=list)


@dataclass
class PageRef:
    path: str
    title: str
    type: str
    owner: str


@dataclass
class BusFactor:
    key: str  # area folder or tag id
    label: str
    pages: int
    roles: list[str]  # owner roles
    holders: list[str]  # current holders of owner/deputy roles (and deputy persons)
    authors: list[str]  # recent git authors who currently hold some role (besides holders)
    people: list[str]  # holders ∪ authors
    leaving: list[str]  # people among them with a leaving date

    @property
    def bus_factor(self) -> int:
        return len(self.people)

    @property
    def after_leaving(self) -> int:
        return len(set(self.people) - set(self.leaving))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["bus_factor"] = self.bus_factor
        d["after_leaving"] = self.after_leaving
        return d


@dataclass
class OwnershipReport:
    today: _dt.date
    roles: list[RoleInfo]
    no_deputy: list[PageRef]  # live pages without a deputy (runbooks first)
    unknown_owner: list[PageRef]  # owner missing or not a roster role
    single_role_areas: list[BusFactor]
    leaving_roles: list[RoleInfo]
    areas: list[BusFactor]
    tags: list[BusFactor]
    git_used: bool
    git_note: str = ""
    systems: list[dict[str, Any]] = field(default_factory=list)  # per role: {"role", "owner": [id], "deputy": [id]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "roles": [asdict(r) for r in self.roles],
            "no_deputy": [asdict(p) for p in self.no_deputy],
            "unknown_owner": [asdict(p) for p in self.unknown_owner],
            "single_role_areas": [a.key for a in self.single_role_areas],
            "leaving_roles": [r.id for r in self.leaving_roles],
            "areas": [a.to_dict() for a in self.areas],
            "tags": [t.to_dict() for t in self.tags],
            "git": {"used": self.git_used, "note": self.git_note},
            "systems": self.systems,
        }


def area_of(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ROOT_AREA


def _str(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


def live_pages(corpus: Corpus) -> list[Page]:
    data = f"{corpus.config.kb.data_dir}/"
    return [p for p in corpus.sorted_pages()
            if p.meta.get("status", "active") in LIVE_STATUSES and not p.path.startswith(data)]


def departed(reg: Registry) -> set[str]:
    """People the roster knows only as past holders (transferred away)."""
    return {p.person for r in reg.roles.values() for p in r.past} - current_people(reg)


def current_people(reg: Registry) -> set[str]:
    return {h.person for r in reg.roles.values() for h in r.holders}


def page_people(page: Page, reg: Registry, git: GitFacts | None, today: _dt.date, days: int,
                gone: set[str], current: set[str]) -> tuple[set[str], set[str]]:
    """(current holders of the page's owner/deputy roles or deputy person, recent authors in post).

    Only authors who currently hold a role count: a git identity the roster does not know (a
    bot, a vendor, someone since transferred) cannot be relied on to keep the page alive.
    """
    holders: set[str] = set()
    for key in ("owner", "deputy"):
        v = _str(page.meta.get(key))
        if not v:
            continue
        role = reg.roles.get(v)
        if role is not None:
            holders.update(h.person for h in role.holders)
        elif key == "deputy" and v not in gone:
            holders.add(v)  # a deputy may name a person
    authors = set(git.recent_authors(page.path, today, days)) & current if git is not None else set()
    return holders, authors


def _leaving(reg: Registry) -> dict[str, _dt.date]:
    out: dict[str, _dt.date] = {}
    for r in reg.roles.values():
        for h in r.holders:
            if h.leaving is not None:
                out[h.person] = min(out.get(h.person, h.leaving), h.leaving)
    return out


def ownership_report(corpus: Corpus, today: _dt.date, git: GitFacts | None = None) -> OwnershipReport:
    reg = corpus.registry
    days = corpus.config.kb.recent_author_days
    gone = departed(reg)
    current = current_people(reg)
    leaving = _leaving(reg)
    roles = {rid: RoleInfo(rid, r.name, [h.person for h in r.holders],
                           {h.person: h.leaving.isoformat() for h in r.holders if h.leaving})
             for rid, r in reg.roles.items()}
    no_deputy: list[PageRef] = []
    unknown: list[PageRef] = []
    acc: dict[tuple[str, str], dict[str, Any]] = {}

    def add(kind: str, key: str, owner: str, holders: set[str], authors: set[str]) -> None:
        a = acc.setdefault((kind, key), {"pages": 0, "roles": set(), "holders": set(), "authors": set()})
        a["pages"] += 1
        if owner:
            a["roles"].add(owner)
        a["holders"] |= holders
        a["authors"] |= authors

    for page in live_pages(corpus):
        owner = _str(page.meta.get("owner"))
        deputy = _str(page.meta.get("deputy"))
        ptype = _str(page.meta.get("type")) or "guide"
        ref = PageRef(page.path, page.title, ptype, owner)
        if owner in roles:
            roles[owner].owned.append(page.path)
        else:
            unknown.append(ref)
        if deputy in roles:
            roles[deputy].deputised.append(page.path)
        if not deputy:
            no_deputy.append(ref)
        holders, authors = page_people(page, reg, git, today, days, gone, current)
        add("area", area_of(page.path), owner if owner in roles else "", holders, authors)
        tags = page.meta.get("tags")
        for t in tags if isinstance(tags, list) else []:
            tid = reg.resolve_tag(str(t)) or str(t)
            add("tag", tid, owner if owner in roles else "", holders, authors)

    def bus(kind: str, key: str, a: dict[str, Any]) -> BusFactor:
        people = sorted(a["holders"] | a["authors"])
        label = reg.tag_label(key) if kind == "tag" else (_("(top)") if key == ROOT_AREA else key)
        return BusFactor(key, label, a["pages"], sorted(a["roles"]), sorted(a["holders"]),
                         sorted(a["authors"] - a["holders"]), people, sorted(p for p in people if p in leaving))

    areas = sorted((bus(k, key, a) for (k, key), a in acc.items() if k == "area"), key=lambda b: (b.bus_factor, b.key))
    tags = sorted((bus(k, key, a) for (k, key), a in acc.items() if k == "tag"), key=lambda b: (b.bus_factor, b.key))
    no_deputy.sort(key=lambda r: (r.type != "runbook", r.path))
    role_list = sorted(roles.values(), key=lambda r: r.id)
    return OwnershipReport(
        today=today, roles=role_list, no_deputy=no_deputy, unknown_owner=unknown,
        single_role_areas=[a for a in areas if len(a.roles) == 1],
        leaving_roles=[r for r in role_list if r.leaving],
        areas=areas, tags=tags, git_used=git is not None and git.available,
        git_note=(git.note if git is not None else _("the git history is not used")),
        systems=_systems_by_role(corpus),
    )


def _systems_by_role(corpus: Corpus) -> list[dict[str, Any]]:
    """Which ledger systems (not retired) each role holds as owner or deputy."""
    from kb_tools.checks.systemlinks import ledger_of

    by: dict[str, dict[str, list[str]]] = {}
    for s in sorted(ledger_of(corpus).systems, key=lambda s: s.id):
        if s.status == "retired":
            continue
        by.setdefault(s.owner, {"owner": [], "deputy": []})["owner"].append(s.id)
        if s.deputy and s.deputy != s.owner:
            by.setdefault(s.deputy, {"owner": [], "deputy": []})["deputy"].append(s.id)
    return [{"role": r, **v} for r, v in sorted(by.items())]


def _systems_lines(rep: OwnershipReport, corpus: Corpus) -> list[str]:
    if not rep.systems:
        return []
    reg = corpus.registry
    rows = [[_md.text(reg.roles[e["role"]].name if e["role"] in reg.roles else e["role"]), str(len(e["owner"])),
             str(len(e["deputy"])), _md.text(_(", ").join(e["owner"] + e["deputy"]))] for e in rep.systems]
    return ["", "## " + _("Systems by role"), "",
            _("The systems the system ledger (`_data/systems.yml`) gives each role as owner or deputy."), "",
            *_md.table([_("Role"), _("Owner"), _("Deputy"), _("System IDs")], rows)]


def _none() -> str:
    return "**" + _("none") + "**"


def _people(names: list[str], leaving: list[str]) -> str:
    if not names:
        return _none()
    return _(", ").join(_md.text(n) + (_(" (leaving)") if n in leaving else "") for n in names)


def _bus_rows(items: list[BusFactor], link_area: bool) -> list[list[str]]:
    rows = []
    for b in items:
        risk = ("**" + _("action needed") + "**" if b.bus_factor <= 1
                else (_("caution (someone is leaving)") if b.after_leaving <= 1 else ""))
        rows.append([_md.text(b.label), str(b.pages), _(", ").join(_md.text(r) for r in b.roles) or "—",
                     _people(b.people, b.leaving), str(b.bus_factor), risk])
    return rows


def area_heading() -> str:
    """The heading of the per-area table (the site puts the bus-factor chart under it)."""
    return "## " + _("People per area") + "\n\n"


def _intro(rep: OwnershipReport, corpus: Corpus, today: _dt.date) -> list[str]:
    at_risk = [a for a in rep.areas if a.bus_factor <= 1]
    runbooks = [p for p in rep.no_deputy if p.type == "runbook"]
    return [
        _("Who looks after what, as of {today}. Pages are owned by roles, not by people: when staff move, change "
          "only the holders in the roster (`_data/roster.yml`).").format(today=today.isoformat()),
        "",
        "- " + _("Areas left without anyone by a single transfer: **{n}**").format(n=len(at_risk)),
        "- " + _("Runbooks without a deputy: **{n}**").format(n=len(runbooks)),
        "- " + _("Roles with a holder who is leaving: **{n}**").format(n=len(rep.leaving_roles)),
        "",
        _("\"People\" counts the current holders of the roles that own the area's pages and the current holders of "
          "any role who changed them in the last {days} days.").format(days=corpus.config.kb.recent_author_days)
        + ("" if rep.git_used else _(" (Without the git history, only the roles' current holders are counted.)")),
        "",
    ]


def _leaving_lines(rep: OwnershipReport) -> list[str]:
    if not rep.leaving_roles:
        return []
    rows = []
    for r in rep.leaving_roles:
        for person, date in sorted(r.leaving.items()):
            others = [h for h in r.holders if h != person]
            rows.append([_md.text(r.name), _md.text(person), date, _(", ").join(_md.text(o) for o in others) or _none(),
                         str(len(r.owned)), f"`kb handover {person}`"])
    return ["## " + _("Roles with a holder who is leaving"), "",
            *_md.table([_("Role"), _("Leaving"), _("Leaving date"), _("Remaining holders"), _("Pages owned"),
                        _("Handover report")], rows), ""]


def _role_lines(rep: OwnershipReport, corpus: Corpus) -> list[str]:
    lines = ["## " + _("Pages by role"), ""]
    rows = [[_("{name} ({id})").format(name=_md.text(r.name), id=_md.text(r.id)), _people(r.holders, list(r.leaving)),
             str(len(r.owned)), str(len(r.deputised))] for r in rep.roles]
    lines += _md.table([_("Role"), _("Current holders"), _("Owned"), _("Deputy")], rows)
    lines.append("")
    for r in rep.roles:
        if not r.owned and not r.deputised:
            continue
        lines += ["### " + _("{name} ({id})").format(name=_md.text(r.name), id=_md.text(r.id)), "",
                  _("Current holders: {names}").format(names=_people(r.holders, list(r.leaving))), ""]
        for path in r.owned:
            lines.append(f"- {_md.link(PAGE_PATH, path, corpus.pages[path].title)}")
        for path in r.deputised:
            lines.append(f"- {_md.link(PAGE_PATH, path, corpus.pages[path].title)}" + _(" (deputy)"))
        lines.append("")
    return lines


def _gap_lines(rep: OwnershipReport, corpus: Corpus) -> list[str]:
    reg = corpus.registry
    lines = ["## " + _("Pages without a deputy"), ""]
    if rep.no_deputy:
        rows = [[_md.link(PAGE_PATH, p.path, p.title),
                 _md.text(p.type) + (_(" (**required**)") if p.type == "runbook" else ""),
                 _md.text(reg.roles[p.owner].name if p.owner in reg.roles else p.owner or "—")] for p in rep.no_deputy]
        lines += _md.table([_("Page"), _("Type"), _("Owner role")], rows)
    else:
        lines.append(_("Every page has a deputy."))
    lines += ["", "## " + _("Areas owned by a single role"), ""]
    if rep.single_role_areas:
        for a in rep.single_role_areas:
            role = reg.roles.get(a.roles[0])
            lines.append(f"- {_md.text(a.label)}: {_md.text(role.name if role else a.roles[0])}"
                         + _(" ({pages} pages, people: {people})").format(pages=a.pages, people=_people(a.people, a.leaving)))
    else:
        lines.append(_("No such area."))
    if rep.unknown_owner:
        lines += ["", "## " + _("Pages whose owner role is not in the roster"), ""]
        for p in rep.unknown_owner:
            lines.append(f"- {_md.link(PAGE_PATH, p.path, p.title)}"
                         + _(" (owner: {owner})").format(owner=_md.text(p.owner or _("not set"))))
    return lines


def ownership_markdown(corpus: Corpus, today: _dt.date, git: GitFacts | None = None) -> str:
    """Body of "Ownership map" (担当マップ, generated at kb/ownership.md), in Markdown."""
    rep = ownership_report(corpus, today, git)
    lines = _intro(rep, corpus, today) + [area_heading().rstrip("\n"), ""]
    header = [_("Area (folder)"), _("Pages"), _("Owner roles"), _("People"), _("Count"), ""]
    lines += _md.table(header, _bus_rows(rep.areas, True))
    lines.append("")
    lines += _leaving_lines(rep)
    lines += _role_lines(rep, corpus)
    lines += _gap_lines(rep, corpus)
    lines += ["", "## " + _("People per tag"), ""]
    lines += _md.table([_("Tag")] + header[1:], _bus_rows(rep.tags, False))
    lines += _systems_lines(rep, corpus)
    lines.append("")
    return "\n".join(lines)
