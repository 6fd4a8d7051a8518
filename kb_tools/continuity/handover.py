"""The handover report (引継ぎ書) for a person leaving: ``kb handover PERSON``.

What the person holds (roles), every page those roles own or deputise, pages only they have
recently changed (git), what of it is overdue, the onboarding paths they maintain, and a
checklist for the successor. Markdown ready to paste into a handover document, or JSON.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kb_tools.checks.systemlinks import page_due
from kb_tools import mdtext as _md
from kb_tools.continuity.ownership import live_pages
from kb_tools.continuity.review import days_state
from kb_tools.fuzzy import did_you_mean
from kb_tools.i18n import N_, _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.continuity.git_facts import GitFacts
    from kb_tools.model import Page


@dataclass
class HeldRole:
    id: str
    name: str
    since: str | None
    leaving: str | None
    co_holders: list[str]

    @property
    def sole(self) -> bool:
        return not self.co_holders


@dataclass
class PageEntry:
    path: str
    title: str
    type: str
    status: str
    owner: str
    deputy: str
    relation: str  # owner | deputy | author (only recent author, role not theirs)
    role: str  # the role through which the person is responsible ("" for author-only pages)
    due: str | None
    days_left: int | None
    last_commit: str | None
    recent_authors: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


@dataclass
class HandoverReport:
    person: str
    today: _dt.date
    roles: list[HeldRole]
    past_roles: list[str]
    owned: list[PageEntry]
    deputised: list[PageEntry]
    sole_author: list[PageEntry]  # pages where the person is the only recent author
    overdue: list[PageEntry]
    paths: list[PageEntry]  # onboarding paths (type: path) owned by their roles
    no_deputy: list[PageEntry]  # owned pages without a deputy
    checklist: list[str]
    git_used: bool
    git_note: str = ""
    systems: list[dict[str, Any]] = field(default_factory=list)  # DESIGN §9: id, name, role, as, contract_end, gaps
    todos: list[dict[str, Any]] = field(default_factory=list)  # open 要確認 items of their roles

    def to_dict(self) -> dict[str, Any]:
        def pages(items: list[PageEntry]) -> list[dict[str, Any]]:
            return [dict(asdict(p), overdue=p.overdue) for p in items]

        return {
            "person": self.person, "today": self.today.isoformat(),
            "roles": [dict(asdict(r), sole=r.sole) for r in self.roles], "past_roles": self.past_roles,
            "owned": pages(self.owned), "deputised": pages(self.deputised),
            "sole_author": pages(self.sole_author), "overdue": pages(self.overdue),
            "paths": pages(self.paths), "no_deputy": pages(self.no_deputy),
            "checklist": self.checklist, "git": {"used": self.git_used, "note": self.git_note},
            "systems": self.systems, "todos": self.todos,
        }


def known_people(corpus: Corpus) -> set[str]:
    return corpus.registry.people()


def suggest_person(corpus: Corpus, name: str) -> str | None:
    people = sorted(known_people(corpus))
    folded = [p for p in people if p.casefold() == name.casefold()]
    if folded:
        return folded[0]
    return did_you_mean(name, people, cutoff=0.5)


def _entry(corpus: Corpus, page: Page, relation: str, role: str, today: _dt.date,
           git: GitFacts | None, days: int) -> PageEntry:
    due = page_due(corpus, page)
    pg = git.get(page.path) if git is not None else None
    return PageEntry(
        path=page.path, title=page.title, type=str(page.meta.get("type") or "guide"),
        status=str(page.meta.get("status", "active")), owner=str(page.meta.get("owner") or ""),
        deputy=str(page.meta.get("deputy") or ""), relation=relation, role=role,
        due=due.date.isoformat() if due else None, days_left=(due.date - today).days if due else None,
        last_commit=pg.last_commit.isoformat() if pg and pg.last_commit else None,
        recent_authors=pg.recent_authors(today, days) if pg else [],
    )


def handover_report(corpus: Corpus, person: str, today: _dt.date, git: GitFacts | None = None) -> HandoverReport:
    reg = corpus.registry
    days = corpus.config.kb.recent_author_days
    roles: list[HeldRole] = []
    for r in reg.roles.values():
        for h in r.holders:
            if h.person == person:
                roles.append(HeldRole(r.id, r.name, h.since.isoformat() if h.since else None,
                                      h.leaving.isoformat() if h.leaving else None,
                                      [o.person for o in r.holders if o.person != person]))
    role_ids = {r.id for r in roles}
    past_roles = sorted({r.id for r in reg.roles.values() for p in r.past if p.person == person} - role_ids)
    owned: list[PageEntry] = []
    deputised: list[PageEntry] = []
    sole: list[PageEntry] = []
    for page in live_pages(corpus):
        owner = str(page.meta.get("owner") or "")
        deputy = str(page.meta.get("deputy") or "")
        entry = None
        if owner in role_ids:
            entry = _entry(corpus, page, "owner", owner, today, git, days)
            owned.append(entry)
        elif deputy in role_ids or deputy == person:
            entry = _entry(corpus, page, "deputy", deputy, today, git, days)
            deputised.append(entry)
        if git is not None and git.recent_authors(page.path, today, days) == [person]:
            sole.append(entry or _entry(corpus, page, "author", "", today, git, days))
    mine = owned + deputised + [e for e in sole if e.relation == "author"]
    overdue = sorted((e for e in mine if e.overdue), key=lambda e: (e.days_left, e.path))
    paths = [e for e in owned if e.type == "path"]
    no_deputy = [e for e in owned if not e.deputy]
    rep = HandoverReport(person, today, roles, past_roles, owned, deputised, sole, overdue, paths, no_deputy, [],
                         git_used=git is not None and git.available,
                         git_note=git.note if git is not None else _("the git history is not used"))
    from kb_tools.continuity.systems import handover_systems
    from kb_tools.continuity.todos import todo_items

    rep.systems = handover_systems(corpus, role_ids, today)
    rep.todos = [t.to_dict() for t in todo_items(corpus) if t.owner in role_ids]
    rep.checklist = checklist(rep, corpus)
    return rep


AS_LABELS = {"owner": N_("as owner"), "deputy": N_("as deputy")}
FINAL_STEPS = (
    N_("Move the administrator accounts, permissions and keys of your systems to your successor and remove your own "
       "access (follow the runbooks)"),
    N_("Introduce your successor to the vendors' and other divisions' contacts and update the contact list"),
    N_("List the ongoing projects, contracts and renewal deadlines and give the list to your successor"),
    N_("When the handover is done, run `kb check` to confirm the roster and the pages' owners are in order"),
)


def _as(value: str) -> str:
    return _(AS_LABELS["owner" if value == "owner" else "deputy"])


def _role_items(rep: HandoverReport) -> list[str]:
    items = []
    for r in rep.roles:
        command = f"`kb roster assign {r.id} --to {_('SUCCESSOR')} --replace {rep.person}`"
        if r.sole:
            items.append(_("Choose a successor for {name} ({id}) and update the roster: {command}").format(
                name=r.name, id=r.id, command=command))
        else:
            items.append(_("{name} ({id}) is also held by {others}. Decide how the work is shared once {person} "
                           "leaves, and take {person} off the roster: {command}").format(
                name=r.name, id=r.id, others=_(", ").join(r.co_holders), person=rep.person, command=command))
    return items



# (report attribute, checklist step): one step per kind of page the person leaves behind
_PAGE_STEPS = (
    ("deputised", N_("Tell the owner roles of the {n} page(s) you deputise for about the handover")),
    ("overdue", N_("Review the {n} overdue page(s) before you leave and update their last review date with "
                   "`kb review mark PATH --by NAME`")),
    ("sole_author", N_("Write down the background, history and unwritten steps of the {n} page(s) only you have "
                       "recently changed")),
    ("no_deputy", N_("Set a deputy role (deputy) on the {n} page(s) you own that have none")),
)

def checklist(rep: HandoverReport, corpus: Corpus) -> list[str]:
    """What the successor (and the leaving person) must do, in the current language."""
    items = _role_items(rep)
    runbooks = [e for e in rep.owned if e.type == "runbook"]
    if rep.owned:
        items.append(_("Read through the {n} page(s) you own with your successor (carry out the {runbooks} runbook(s) "
                       "together once)").format(n=len(rep.owned), runbooks=len(runbooks)) if runbooks else
                     _("Read through the {n} page(s) you own with your successor").format(n=len(rep.owned)))
    for attr, msg in _PAGE_STEPS:
        if getattr(rep, attr):
            items.append(_(msg).format(n=len(getattr(rep, attr))))
    for sy in rep.systems:
        gaps = _(" (gaps: {gaps})").format(gaps=", ".join(sy["gaps"])) if sy["gaps"] else ""
        end = _("contract ends {date}, ").format(date=sy["contract_end"]) if sy["contract_end"] else ""
        items.append(_("System \"{name}\" ({id}, {role_as}): {end}go through the vendor's contacts, the administrator "
                       "accounts and the restore procedures with your successor{gaps}").format(
            name=sy["name"], id=sy["id"], role_as=_as(sy["as"]), end=end, gaps=gaps))
    if rep.todos:
        items.append(_("Before you leave, fill in what you know of your roles' {n} open item(s) to confirm "
                       "(`kb todo --owner ROLE`)").format(n=len(rep.todos)))
    if rep.paths:
        items.append(_("Hand over the {n} onboarding path(s) you maintain: their content and how to check the "
                       "learners' progress").format(n=len(rep.paths)))
    if rep.roles:
        items += [_(step) for step in FINAL_STEPS]
    return items


def _page_row(e: PageEntry, corpus: Corpus, show_role: bool) -> list[str]:
    if e.days_left is None:
        state = "—"
    elif e.days_left < 0:
        state = f"**{days_state(e.days_left)}**"
    else:
        state = days_state(e.days_left) if e.days_left else _("{days} days left").format(days=0)
    row = [f"{_md.text(e.title)}<br>`{_md.text(e.path)}`", _md.text(e.type), e.due or "—", state]
    if show_role:
        role = corpus.registry.roles.get(e.role)
        row.insert(1, _md.text(role.name if role else (e.role or "—")))
    return row


def _heading(title: str, n: int) -> str:
    return "## " + _("{title} ({n})").format(title=title, n=n)


def handover_markdown(rep: HandoverReport, corpus: Corpus) -> str:
    """The report as Markdown (引継ぎ書, handover report), ready to paste into a handover document."""
    person = _md.text(rep.person)
    L: list[str] = ["# " + _("Handover report: {person}").format(person=person), "",
                    _("Created: {date} (made by `kb handover`)").format(date=rep.today.isoformat()), ""]
    if not rep.roles:
        L += [_("{person} holds no role at present.").format(person=person), ""]
        if rep.past_roles:
            L += [_("Roles held in the past: {roles}").format(roles=_(", ").join(_md.text(r) for r in rep.past_roles)), ""]
    L += ["## " + _("1. Roles held"), ""]
    if rep.roles:
        rows = [[_("{name} ({id})").format(name=_md.text(r.name), id=_md.text(r.id)), r.since or "—", r.leaving or "—",
                 _(", ").join(_md.text(c) for c in r.co_holders) or "**" + _("none (a successor is needed)") + "**"]
                for r in rep.roles]
        L += _md.table([_("Role"), _("Since"), _("Leaving on"), _("Other holders")], rows)
    else:
        L.append(_("none"))
    sections = [
        (_("2. Pages owned"), rep.owned, True, _("Pages your roles own (owner).")),
        (_("3. Pages deputised"), rep.deputised, True, _("Pages your roles deputise for (deputy).")),
        (_("4. Pages only you have recently changed"), rep.sole_author, False,
         _("Pages changed in the last {days} days by {person} alone (from the git history). Check for history or "
           "steps that are not written down.").format(days=corpus.config.kb.recent_author_days, person=person)),
        (_("5. Pages past their review date"), rep.overdue, False, _("Review them before you leave.")),
        (_("6. Onboarding paths maintained"), rep.paths, False, _("Learning paths used to welcome newcomers.")),
    ]
    for number, (title, items, show_role, lead) in enumerate(sections, 2):
        L += ["", _heading(title, len(items)), ""]
        if number == 4 and not rep.git_used:
            L += [_("Cannot be checked without the git history ({note}).").format(note=_md.text(rep.git_note))]
            continue
        if not items:
            L.append(_("none"))
            continue
        L += [lead, ""]
        header = [_("Page"), _("Type"), _("Next review"), _("Status")]
        if show_role:
            header.insert(1, _("Role"))
        L += _md.table(header, [_page_row(e, corpus, show_role) for e in items])
    L += _systems_section(rep)
    L += ["", "## " + _("9. Checklist for the successor"), ""]
    L += [f"- [ ] {item}" for item in rep.checklist] or [_("none")]
    L.append("")
    return "\n".join(L)


def _systems_section(rep: HandoverReport) -> list[str]:
    L = ["", _heading(_("7. Systems held"), len(rep.systems)), ""]
    if rep.systems:
        L += _md.table([_("System"), _("Role"), _("As"), _("Contract end"), _("Gaps")], [
            [f"{_md.text(s['name'])}<br>`{s['id']}`", _md.text(s["role"]), _as(s["as"]),
             s["contract_end"] or "—", ", ".join(f"`{g}`" for g in s["gaps"]) or _("none")] for s in rep.systems])
    else:
        L.append(_("none"))
    L += ["", _heading(_("8. Open items to confirm"), len(rep.todos)), ""]
    if rep.todos:
        L += _md.table([_("Page"), _("Line"), _("Owner"), _("What to confirm")], [
            [f"`{_md.text(t['path'])}`", str(t["line"]), _md.text(t["owner"]), _md.text(t["text"][:120])] for t in rep.todos])
    else:
        L.append(_("none"))
    return L
