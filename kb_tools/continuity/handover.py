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
from kb_tools.fuzzy import did_you_mean

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
                         git_note=git.note if git is not None else "git の履歴は使っていません")
    from kb_tools.continuity.systems import handover_systems
    from kb_tools.continuity.todos import todo_items

    rep.systems = handover_systems(corpus, role_ids, today)
    rep.todos = [t.to_dict() for t in todo_items(corpus) if t.owner in role_ids]
    rep.checklist = checklist(rep, corpus)
    return rep


def checklist(rep: HandoverReport, corpus: Corpus) -> list[str]:
    """What the successor (and the leaving person) must do, in Japanese."""
    items: list[str] = []
    for r in rep.roles:
        if r.sole:
            items.append(f"{r.name}（{r.id}）の後任者を決め、ロール台帳を更新する: "
                         f"`kb roster assign {r.id} --to 後任者 --replace {rep.person}`")
        else:
            items.append(f"{r.name}（{r.id}）は {'、'.join(r.co_holders)} も担当している。"
                         f"{rep.person} が抜けた後の分担を決め、ロール台帳から外す: "
                         f"`kb roster assign {r.id} --to 後任者 --replace {rep.person}`")
    runbooks = [e for e in rep.owned if e.type == "runbook"]
    if rep.owned:
        items.append(f"主担当のページ {len(rep.owned)}件を後任者と読み合わせる"
                     + (f"（手順書 {len(runbooks)}件は実際に一度一緒に実施する）" if runbooks else ""))
    if rep.deputised:
        items.append(f"副担当のページ {len(rep.deputised)}件について、主担当ロールに引継ぎを連絡する")
    if rep.overdue:
        items.append(f"レビュー期限を過ぎたページ {len(rep.overdue)}件を異動前にレビューし、"
                     "`kb review mark パス --by 氏名` で最終レビュー日を更新する")
    if rep.sole_author:
        items.append(f"自分だけが最近更新しているページ {len(rep.sole_author)}件の背景・経緯・未記載の手順を書き足す")
    if rep.no_deputy:
        items.append(f"副担当のいない主担当ページ {len(rep.no_deputy)}件に副担当ロール（deputy）を設定する")
    for sy in rep.systems:
        gaps = f"（課題: {', '.join(sy['gaps'])}）" if sy["gaps"] else ""
        end = f"契約終了 {sy['contract_end']}、" if sy["contract_end"] else ""
        items.append(f"システム「{sy['name']}」（{sy['id']}、{'主担当' if sy['as'] == 'owner' else '副担当'}）: "
                     f"{end}事業者の窓口・管理者アカウント・復旧手順を後任者と確認する{gaps}")
    if rep.todos:
        items.append(f"担当ロールの要確認 {len(rep.todos)}件のうち、自分が分かるものを異動前に記入する（`kb todo --owner ロール`）")
    if rep.paths:
        items.append(f"管理しているオンボーディングパス {len(rep.paths)}件の内容と、受講者の進み具合の確認方法を引き継ぐ")
    if rep.roles:
        items += [
            "担当システムの管理者アカウント・権限・鍵を後任者へ移し、自分の権限を削除する（手順書に従う）",
            "関係する事業者・他課の窓口に後任者を紹介し、連絡先一覧を更新する",
            "進行中の案件・契約・更新期限の一覧を作り、後任者に渡す",
            "引継ぎ完了後、`kb check` でロール台帳とページの担当に問題がないことを確認する",
        ]
    return items


def _page_row(e: PageEntry, corpus: Corpus, show_role: bool) -> list[str]:
    if e.days_left is None:
        state = "—"
    elif e.days_left < 0:
        state = f"**{-e.days_left}日超過**"
    else:
        state = f"あと{e.days_left}日"
    row = [f"{_md.text(e.title)}<br>`{_md.text(e.path)}`", _md.text(e.type), e.due or "—", state]
    if show_role:
        role = corpus.registry.roles.get(e.role)
        row.insert(1, _md.text(role.name if role else (e.role or "—")))
    return row


def handover_markdown(rep: HandoverReport, corpus: Corpus) -> str:
    """The report as Japanese Markdown (引継ぎ書), ready to paste into a handover document."""
    L: list[str] = [f"# 引継ぎ書: {_md.text(rep.person)}", "", f"作成日: {rep.today.isoformat()}（`kb handover` で自動作成）", ""]
    if not rep.roles:
        L += [f"{_md.text(rep.person)} が現在担当しているロールはありません。", ""]
        if rep.past_roles:
            L += ["過去に担当したロール: " + "、".join(_md.text(r) for r in rep.past_roles), ""]
    L += ["## 1. 担当しているロール", ""]
    if rep.roles:
        rows = [[f"{_md.text(r.name)}（{_md.text(r.id)}）", r.since or "—", r.leaving or "—",
                 "、".join(_md.text(c) for c in r.co_holders) or "**なし（後任が必要）**"] for r in rep.roles]
        L += _md.table(["ロール", "着任日", "異動予定日", "ほかの担当者"], rows)
    else:
        L.append("なし")
    sections = [
        ("2. 主担当のページ", rep.owned, True, "担当ロールが主担当（owner）のページです。"),
        ("3. 副担当のページ", rep.deputised, True, "担当ロールが副担当（deputy）のページです。"),
        ("4. 自分だけが最近更新しているページ", rep.sole_author, False,
         f"過去{corpus.config.kb.recent_author_days}日間の更新者が {_md.text(rep.person)} だけのページです（git の履歴から）。"
         "書かれていない経緯や手順がないか確認してください。"),
        ("5. レビュー期限を過ぎているページ", rep.overdue, False, "異動前にレビューしてください。"),
        ("6. 管理しているオンボーディングパス", rep.paths, False, "新任者の受入れに使う学習パスです。"),
    ]
    for title, items, show_role, lead in sections:
        L += ["", f"## {title}（{len(items)}件）", ""]
        if title.startswith("4.") and not rep.git_used:
            L += [f"git の履歴が使えないため確認できません（{_md.text(rep.git_note)}）。"]
            continue
        if not items:
            L.append("なし")
            continue
        L += [lead, ""]
        header = ["ページ", "種類", "次回レビュー", "状況"]
        if show_role:
            header.insert(1, "ロール")
        L += _md.table(header, [_page_row(e, corpus, show_role) for e in items])
    L += _systems_section(rep)
    L += ["", "## 9. 後任者へのチェックリスト", ""]
    L += [f"- [ ] {item}" for item in rep.checklist] or ["なし"]
    L.append("")
    return "\n".join(L)


def _systems_section(rep: HandoverReport) -> list[str]:
    L = ["", f"## 7. 担当しているシステム（{len(rep.systems)}件）", ""]
    if rep.systems:
        L += _md.table(["システム", "ロール", "立場", "契約終了", "課題"], [
            [f"{_md.text(s['name'])}<br>`{s['id']}`", _md.text(s["role"]), "主担当" if s["as"] == "owner" else "副担当",
             s["contract_end"] or "—", ", ".join(f"`{g}`" for g in s["gaps"]) or "なし"] for s in rep.systems])
    else:
        L.append("なし")
    L += ["", f"## 8. 未記入の要確認（{len(rep.todos)}件）", ""]
    if rep.todos:
        L += _md.table(["ページ", "行", "担当", "内容"], [
            [f"`{_md.text(t['path'])}`", str(t["line"]), _md.text(t["owner"]), _md.text(t["text"][:120])] for t in rep.todos])
    else:
        L.append("なし")
    return L
