"""Generated pages of the system ledger: システム台帳, one page per system, the runbook coverage
matrix and the timeline of contract and support ends (SVG drawn here, with a table alternative)."""

from __future__ import annotations

import datetime as _dt

from kb_tools import i18n
from kb_tools.checks.systemlinks import ledger_of
from kb_tools.site.pages.htmltable import tables_as_html
from kb_tools.continuity.systems import (
    CATEGORIES, HOSTINGS, KINDS, STATUSES, TIERS, SystemRow, label, role_label, system_rows, systems_markdown,
)
from kb_tools.corpus import Corpus
from kb_tools.ledger import normalise
from kb_tools.site.pages import _md
from kb_tools.site.pages.charts import Row, add_months, figure, timeline_svg

FOLDER = "kb/systems"
INDEX = f"{FOLDER}/index.md"
COVERAGE = f"{FOLDER}/coverage.md"
TIMELINE = f"{FOLDER}/timeline.md"
TITLE = "システム台帳"
TIMELINE_MONTHS = 36
GAP_JA = {
    "system.no-deputy": "副担当がいない（または担当と同じ）", "system.unknown-role": "担当ロールが役割台帳にない",
    "system.missing-runbook": "必要な手順書が登録されていない", "system.runbook-target": "手順書のページがない・廃止予定・種類が違う",
    "system.contract-due": "契約満了が近い、または満了済み", "system.support-ended": "サポート終了が近い、または終了済み",
    "system.unreferenced": "このシステムについて書いたページがない",
}


def system_page_path(sid: str) -> str:
    return f"{FOLDER}/{sid}.md"


def in_nav(path: str) -> bool:
    """The per-system pages are reached from the ledger table, not listed in the nav."""
    return not path.startswith(f"{FOLDER}/") or path in (INDEX, COVERAGE, TIMELINE)


def _holders(corpus: Corpus, role: str | None) -> str:
    r = corpus.registry.roles.get(role or "")
    if r is None:
        return role_label(corpus, role)
    people = "、".join(_md.text(h.person) for h in r.holders) or "**現任者なし**"
    return f"{_md.text(r.name)}（{_md.text(r.id)}）: {people}"


def _date(d: _dt.date | None) -> str:
    return d.isoformat() if d else "—"


def _cell(corpus: Corpus, row: SystemRow, kind: str, from_page: str) -> str:
    s = row.system
    required = kind in corpus.config.kb.systems.required_for(s.category) and s.status == "active"
    if kind not in s.runbooks:
        return '<span class="kb-cov kb-cov--missing">✕ なし</span>' if required else '<span class="kb-cov kb-cov--na">－ 不要</span>'
    path = normalise(s.runbooks[kind])
    page = corpus.pages.get(path) if path else None
    if page is None or page.meta.get("status") in ("deprecated", "archived") or page.meta.get("type") not in ("runbook", "checklist"):
        return '<span class="kb-cov kb-cov--broken">△ 要修正</span>'
    return f'<span class="kb-cov kb-cov--ok">○ {_md.link(from_page, path, "あり")}</span>'


def coverage_markdown(corpus: Corpus, rows: list[SystemRow]) -> str:
    kinds = list(KINDS) + sorted({k for r in rows for k in r.system.runbooks} - set(KINDS))
    linked = _per_system(corpus, rows)
    body = [[_md.link(COVERAGE, system_page_path(r.system.id), r.system.name) if linked else _md.text(r.system.name),
             label(STATUSES, r.system.status)]
            + [_cell(corpus, r, k, COVERAGE) for k in kinds] for r in rows]
    legend = ("記号と色: ○（緑）登録あり、✕（赤）必要なのに登録なし、△（橙）登録されたページがない・廃止予定・"
              "手順書でない、－（灰）このシステムには不要。")
    return _page("手順書の整備状況", "システムごとの復旧・アカウント・障害対応の手順書の有無（自動生成）",
                 legend + "\n\n" + "\n".join(_md.table(["システム", "状態"] + [label(KINDS, k) for k in kinds], body)))


def _timeline_rows(rows: list[SystemRow], today: _dt.date) -> list[tuple[SystemRow, list[tuple[str, _dt.date]]]]:
    end = add_months(today, TIMELINE_MONTHS + 1)
    out = []
    for r in rows:
        s = r.system
        if not s.live:
            continue
        ev = [(k, d) for k, d in (("review", r.review_by), ("contract", s.contract_end), ("support", s.support_end))
              if d is not None and today <= d < end]
        if ev:
            out.append((r, ev))
    return sorted(out, key=lambda t: (min(d for _, d in t[1]), t[0].system.id))


def short_name(name: str, limit: int = 16) -> str:
    """A system name for a chart label: the part before a parenthesis, cut to ``limit``."""
    base = name.split("（")[0] if len(name) > limit else name
    return base if len(base) <= limit else base[: limit - 1] + "…"


def timeline_markdown(corpus: Corpus, rows: list[SystemRow], today: _dt.date) -> str:
    data = _timeline_rows(rows, today)
    intro = (f"{today.isoformat()} から{TIMELINE_MONTHS}か月の間に、見直し開始・契約満了・サポート終了が来るシステムです"
             "（廃止したシステムは除く）。赤い破線が今日、濃い縦線が年度の始まり（4月1日）です。"
             "同じ内容を図の下の表にも載せています。")
    if not data:
        return _page("契約満了・サポート終了の年表", "今後36か月の契約満了とサポート終了（自動生成）",
                     intro + "\n\n該当するシステムはありません。")
    svg = timeline_svg([Row(short_name(r.system.name), tuple(ev)) for r, ev in data], today, TIMELINE_MONTHS)
    events = sorted(((d, k, r) for r, ev in data for k, d in ev), key=lambda t: (t[0], t[2].system.id, t[1]))
    label = {"review": "見直し開始", "contract": "契約満了", "support": "サポート終了"}
    table = _md.table(["日付", "できごと", "システム", "担当"], [
        [d.isoformat(), label[k], _md.link(TIMELINE, system_page_path(r.system.id), r.system.name)
         if _per_system(corpus, rows) else _md.text(r.system.name),
         role_label(corpus, r.system.owner)] for d, k, r in events])
    body = intro + "\n\n" + figure(svg, "契約満了とサポート終了の年表（表は下）") + "\n## 表（図と同じ内容）\n\n" + "\n".join(table)
    return _page("契約満了・サポート終了の年表", "今後36か月の契約満了とサポート終了（自動生成）", body)


def system_markdown(corpus: Corpus, row: SystemRow, today: _dt.date) -> str:
    s, here = row.system, system_page_path(row.system.id)
    contract = "—"
    if s.contract_number or s.contract_end:
        contract = f"{_md.text(s.contract_number or '番号なし')}（{_date(s.contract_start)} 〜 {_date(s.contract_end)}）"
    facts = [["ID", f"{_md.code(s.id)}"], ["分類", label(CATEGORIES, s.category)],
             ["ネットワークの系", label(TIERS, s.tier, "—")], ["設置場所", label(HOSTINGS, s.hosting, "—")],
             ["状態", label(STATUSES, s.status)], ["担当", _holders(corpus, s.owner)],
             ["副担当", _holders(corpus, s.deputy) if s.deputy else "**なし**"], ["事業者", _md.text(s.vendor or "—")],
             ["契約", contract], ["見直し開始", f"{_date(row.review_by)}（契約満了の{s.notice_days}日前）" if row.review_by else "—"],
             ["サポート終了", _date(s.support_end)], ["補足", _md.text(s.notes or "—")]]
    lines = ["\n".join(_md.table(["項目", "内容"], facts)), "", "## 手順書", ""]
    required = corpus.config.kb.systems.required_for(s.category) if s.status == "active" else []
    kinds = list(dict.fromkeys([*required, *s.runbooks]))
    rb_rows = []
    for k in kinds:
        path = normalise(s.runbooks.get(k, ""))
        page = corpus.pages.get(path) if path else None
        where = _md.link(here, path, page.title) if page else (f"{_md.code(s.runbooks[k])}（**ページがない**）" if k in s.runbooks else "**なし**")
        rb_rows.append([label(KINDS, k, _md.text(k)), where])
    lines += _md.table(["種類", "ページ"], rb_rows) if rb_rows else ["登録なし（稼働中のシステムではないため不要）"]
    lines += ["", "## 課題", ""]
    lines += [f"- {GAP_JA.get(g, g)}（`{g}`）" for g in row.gaps] or ["なし"]
    lines += ["", "## 関係するページ", ""]
    lines += [f"- {_md.link(here, p, corpus.pages[p].title)}" for p in row.pages if p in corpus.pages] or ["なし"]
    return _page(s.name, f"{s.name}の担当・契約・手順書（システム台帳から自動生成）", "\n".join(lines))


def _page(title: str, description: str, body: str) -> str:
    return _md.front_matter(title, description) + f"# {_md.text(title)}\n\n" + body.rstrip("\n") + "\n"


def index_markdown(corpus: Corpus, rows: list[SystemRow], today: _dt.date) -> str:
    ledger = ledger_of(corpus)
    live = [r for r in rows if r.system.live]
    with_gaps = [r for r in live if r.gaps]
    lines = [f"{today.isoformat()} 時点で、台帳（{_md.code(ledger.path)}）に **{len(rows)}システム**"
             f"（稼働中・導入予定・移行中 {len(live)}）があり、課題のあるシステムが **{len(with_gaps)}件** あります。",
             "", f"- [手順書の整備状況]({_md.rel_link(INDEX, COVERAGE)}): システムごとの復旧・アカウント・障害対応の手順書",
             f"- [契約満了・サポート終了の年表]({_md.rel_link(INDEX, TIMELINE)}): 今後{TIMELINE_MONTHS}か月",
             "", "台帳の直し方は「システム台帳・契約台帳の維持」の手順書を見てください。", ""]
    if _per_system(corpus, rows):
        lines.append(systems_markdown(corpus, rows, INDEX, {r.system.id: system_page_path(r.system.id) for r in rows}))
    else:
        lines += [f"（システムが{len(rows)}件あるため、システムごとのページは作っていません。"
                  "`kb systems --format md` でも同じ表が出ます。）", "", systems_markdown(corpus, rows, INDEX)]
    return _page(TITLE, "システムごとの担当・事業者・契約・手順書の一覧（自動生成）", "\n".join(lines))


def ledger_pages(corpus: Corpus, today: _dt.date) -> dict[str, str]:
    """``docs path -> Markdown`` of the ledger's pages (in the site's language); nothing when the
    project has no ledger."""
    if not ledger_of(corpus).present:
        return {}
    with i18n.language(corpus.config.theme_language):
        rows = system_rows(corpus, today)
        out = {INDEX: index_markdown(corpus, rows, today), COVERAGE: coverage_markdown(corpus, rows),
               TIMELINE: timeline_markdown(corpus, rows, today)}
        if _per_system(corpus, rows):
            for r in rows:
                out[system_page_path(r.system.id)] = system_markdown(corpus, r, today)
    # raw HTML tables: a 2,000-row Markdown table is most of the build's cost of these pages
    return {p: tables_as_html(t, p, corpus.config.use_directory_urls) for p, t in out.items()}


def _per_system(corpus: Corpus, rows: list[SystemRow]) -> bool:
    return len(rows) <= corpus.config.kb.systems.max_system_pages
