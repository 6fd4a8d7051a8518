"""Review dashboard, ownership map, handover report and git facts on a real git repository."""

from __future__ import annotations

import datetime as dt
import json

import markdown
import pytest
from continuity_site import FILES, git, make_repo

from kb_tools import i18n
from kb_tools.continuity import git_facts
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.continuity.handover import handover_markdown, handover_report
from kb_tools.continuity.ownership import ownership_markdown, ownership_report
from kb_tools.continuity.review import review_items, review_markdown

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(name="site")
def fixture_site(make_docs):
    root = make_docs(FILES)
    make_repo(root)
    cfg = load_config(root / "mkdocs.yml")
    return root, cfg, build_corpus(cfg, use_cache=False)


@pytest.fixture(name="ja")
def fixture_ja():
    """Render the reports in Japanese (the suite runs in English)."""
    with i18n.language("ja"):
        yield


def test_review_items_triggers_and_order(site) -> None:
    _, _, corpus = site
    items = review_items(corpus, TODAY, due_within=30)
    got = [(i.path, i.days_left, i.reason) for i in items]
    assert got == [
        ("procurement/fy.md", -239, "fiscal_year"),  # reviewed 2026-03-01, a new fiscal year began 2026-04-01
        ("cloud/a.md", -151, "interval"),  # runbook: 2025-12-30 + 180 days = 2026-06-28
        ("procurement/p.md", 14, "review_by"),
    ]
    a = items[1]
    assert (a.owner, a.owner_name, a.holders, a.deputy, a.last_reviewed) == (
        "infra", "インフラ担当", ["担当者A"], "network", dt.date(2025, 12, 30))
    before_april = [i.path for i in review_items(corpus, dt.date(2026, 3, 2), due_within=0)]
    assert "procurement/fy.md" not in before_april
    assert [i.path for i in review_items(corpus, TODAY, due_within=30, owner="procurement")] == [
        "procurement/fy.md", "procurement/p.md"]
    assert len(review_items(corpus, TODAY, due_within=None)) == len(corpus.pages)


def test_review_markdown_links_and_hostile_titles(site, ja) -> None:
    _, _, corpus = site
    md = review_markdown(corpus, dt.date(2027, 6, 1), due_within=30)
    assert "](../cloud/a.md)" in md and "](../network/n.md)" in md
    assert "## インフラ担当（infra）" in md and "現任者: 担当者A" in md
    assert "**" in md and "日超過" in md
    html = markdown.markdown(md, extensions=["tables"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the hostile title stays inside one link and one table cell
    row = next(line for line in md.splitlines() if "network/n.md" in line)
    assert row.count(" | ") == 5 and row.count("](") == 1


def test_ownership_report_bus_factor(site, ja) -> None:
    root, cfg, corpus = site
    facts = git_facts.collect(cfg)
    rep = ownership_report(corpus, TODAY, facts)
    json.dumps(rep.to_dict(), ensure_ascii=False)
    areas = {a.key: a for a in rep.areas}
    assert areas["cloud"].people == ["担当者A", "担当者B"] and areas["cloud"].bus_factor == 2  # deputy network
    assert areas["network"].people == ["担当者A", "担当者B"]
    assert areas["procurement"].holders == ["担当者A", "担当者C"] and areas["procurement"].leaving == ["担当者C"]
    assert areas["procurement"].after_leaving == 1
    assert [a.key for a in rep.single_role_areas] == ["cloud", "network", "onboarding", "procurement", "（トップ）"]
    assert [p.path for p in rep.no_deputy] == ["cloud/b.md", "procurement/fy.md"]
    assert [r.id for r in rep.leaving_roles] == ["procurement"]
    tags = {t.key: t for t in rep.tags}
    assert tags["クラウド"].pages == 2  # "AWS" is an alias of クラウド
    md = ownership_markdown(corpus, TODAY, facts)
    assert "| cloud | 2 | infra | 担当者A、担当者B | 2 |  |" in md
    assert "<script>" not in markdown.markdown(md, extensions=["tables"])
    assert "`kb handover 担当者C`" in md
    # an area whose only page has no deputy and no other recent author is orphaned by one transfer
    (root / "docs/solo").mkdir()
    (root / "docs/solo/s.md").write_text(FILES["cloud/b.md"], encoding="utf-8")
    corpus = build_corpus(cfg, use_cache=False)
    solo = {a.key: a for a in ownership_report(corpus, TODAY, facts).areas}["solo"]
    assert (solo.people, solo.bus_factor) == (["担当者A"], 1)
    assert "| solo | 1 | infra | 担当者A | 1 | **要対応** |" in ownership_markdown(corpus, TODAY, facts)


def test_recent_author_counts_only_current_holders(site) -> None:
    root, cfg, corpus = site
    (root / "docs/procurement/p.md").write_text(FILES["procurement/p.md"] + "\n変更\n", encoding="utf-8")
    git(root, "commit", "-qam", "p", author="担当者B", date="2026-11-01T10:00:00+09:00")
    (root / "docs/procurement/fy.md").write_text(FILES["procurement/fy.md"] + "\n変更\n", encoding="utf-8")
    git(root, "commit", "-qam", "fy", author="業者", date="2026-11-02T10:00:00+09:00")
    facts = git_facts.collect(cfg)
    areas = {a.key: a for a in ownership_report(corpus, TODAY, facts).areas}
    assert areas["procurement"].authors == ["担当者B"]  # the vendor identity does not count
    assert areas["procurement"].people == ["担当者A", "担当者B", "担当者C"]


def test_handover_report(site, ja) -> None:
    root, cfg, corpus = site
    facts = git_facts.collect(cfg)
    rep = handover_report(corpus, "担当者A", TODAY, facts)
    assert [(r.id, r.sole) for r in rep.roles] == [("infra", True), ("network", False)]
    assert [e.path for e in rep.owned] == ["cloud/a.md", "cloud/b.md", "index.md", "network/n.md", "onboarding/path.md"]
    assert [e.path for e in rep.deputised] == ["procurement/p.md"]
    assert [e.path for e in rep.sole_author] == ["cloud/b.md"]  # network/n.md also has 担当者B
    assert [(e.path, e.days_left) for e in rep.overdue] == [("cloud/a.md", -151)]
    assert [e.path for e in rep.paths] == ["onboarding/path.md"]
    assert [e.path for e in rep.no_deputy] == ["cloud/b.md"]
    assert any("kb roster assign infra --to 後任者 --replace 担当者A" in c for c in rep.checklist)
    md = handover_markdown(rep, corpus)
    for heading in ("# 引継ぎ書: 担当者A", "## 2. 主担当のページ（5件）", "## 4. 自分だけが最近更新しているページ（1件）",
                    "## 5. レビュー期限を過ぎているページ（1件）", "## 6. 管理しているオンボーディングパス（1件）",
                    "## 9. 後任者へのチェックリスト"):
        assert heading in md
    assert "<script>" not in md
    data = rep.to_dict()
    assert data["overdue"][0]["overdue"] is True and json.dumps(data, ensure_ascii=False)
    nobody = handover_report(corpus, "担当者X", TODAY, facts)
    assert nobody.roles == [] and nobody.past_roles == ["infra"] and nobody.owned == []


def test_git_facts_one_pass_cached_by_head(site) -> None:
    root, cfg, _ = site
    facts = git_facts.collect(cfg)
    assert facts.available and not facts.cached and facts.commits == 4
    b = facts.get("cloud/b.md")
    assert b.last_commit == dt.date(2026, 10, 1) and b.authors == {"担当者A": dt.date(2026, 10, 1), "bot": dt.date(2024, 1, 1)}
    assert facts.recent_authors("network/n.md", TODAY, 365) == ["担当者A", "担当者B"]
    cache = list((root / ".kb/cache").glob("git-*.json"))
    assert len(cache) == 1 and facts.head in cache[0].name
    again = git_facts.collect(cfg)
    assert again.cached and again.get("cloud/b.md") == b
    (root / "docs/cloud/a.md").write_text("x", encoding="utf-8")
    git(root, "commit", "-qam", "a", author="担当者C", date="2026-11-20T10:00:00+09:00")
    third = git_facts.collect(cfg)
    assert not third.cached and third.get("cloud/a.md").last_commit == dt.date(2026, 11, 20)
    assert len(list((root / ".kb/cache").glob("git-*.json"))) == 1


def test_git_facts_outside_git_and_empty_repo(make_docs, tmp_path) -> None:
    root = make_docs(FILES)
    cfg = load_config(root / "mkdocs.yml")
    facts = git_facts.collect(cfg)
    assert not facts.available and "not in a git checkout" in facts.note and facts.pages == {}
    git(root, "init", "-q")
    facts = git_facts.collect(cfg)
    assert not facts.available and "no commits" in facts.note


def test_git_log_parser_unquotes_odd_names() -> None:
    out = "\x1e2026-01-02\t担当者A\n\ndocs/a b.md\n\"docs/tab\\there.md\"\ndocs/日本.md\nother/x.md\n".encode()
    pages, commits = git_facts.parse_log(out, "docs/")
    assert commits == 1 and sorted(pages) == ["a b.md", "tab\there.md", "日本.md"]
