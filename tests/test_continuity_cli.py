"""The continuity commands end to end: kb review / review mark / handover / roster assign / report / new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from continuity_site import FILES, ROSTER, make_repo

from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.checks.engine import run_checks
from conftest import MKDOCS_YML
from kb_tools.datadir import load_registry

NAV_YML = MKDOCS_YML + """\
nav:
  - index.md
  - クラウド:
      - cloud/a.md
      - サーバ: cloud/b.md  # コメント
  - network/n.md
"""


@pytest.fixture(name="root")
def fixture_root(make_docs) -> Path:
    root = make_docs(FILES)
    make_repo(root)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "docs").rglob("*")) if p.is_file()}


def test_review_formats_and_exit_codes(root, run_kb) -> None:
    r = run_kb(root, "review", "--today", "2026-11-26", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert [i["path"] for i in data["items"]] == ["procurement/fy.md", "cloud/a.md", "procurement/p.md"]
    assert data["summary"] == {"overdue": 2, "due": 1}
    r = run_kb(root, "--lang", "ja", "review", "--today", "2026-11-26", "--fail-on-overdue")
    assert r.exit_code == 1 and "インフラ担当 (infra) — 担当者A" in r.stdout and "151日超過" in r.stdout
    r = run_kb(root, "--lang", "en", "review", "--today", "2026-11-26", "--fail-on-overdue")
    assert r.exit_code == 1 and "インフラ担当 (infra) — 担当者A" in r.stdout and "151 days overdue" in r.stdout
    r = run_kb(root, "review", "--today", "2026-11-26", "--due-within", "0", "--owner", "infra")
    assert r.exit_code == 0 and "cloud/a.md" in r.stdout and "procurement" not in r.stdout
    r = run_kb(root, "review", "--owner", "infr")
    assert r.exit_code == 2 and "did you mean 'infra'?" in r.stderr
    r = run_kb(root, "review", "--today", "2026-11-26", "--format", "md")
    assert r.exit_code == 0 and "](../cloud/a.md)" in r.stdout


def test_review_mark_dry_run_then_write(root, run_kb) -> None:
    before = _snapshot(root)
    r = run_kb(root, "review", "mark", "cloud/a.md", "--date", "2026-11-20", "--by", "担当者A", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert "-last_reviewed: 2025-12-30\n+last_reviewed: 2026-11-20\n+reviewed_by: 担当者A\n" in r.stdout
    assert _snapshot(root) == before
    r = run_kb(root / "docs", "review", "mark", "cloud/a.md", "--date", "2026-11-20", "--config", "../mkdocs.yml")
    assert r.exit_code == 0, r.stderr
    after = _snapshot(root)
    changed = [k for k in before if before[k] != after[k]]
    assert changed == ["docs/cloud/a.md"]
    assert after["docs/cloud/a.md"] == before["docs/cloud/a.md"].replace(b"last_reviewed: 2025-12-30", b"last_reviewed: 2026-11-20")
    r = run_kb(root, "review", "--today", "2026-11-26", "--format", "json")
    assert "cloud/a.md" not in [i["path"] for i in json.loads(r.stdout)["items"]]


def test_review_mark_refusals_write_nothing(root, run_kb) -> None:
    (root / "docs/cloud/c.md").write_text("---\ntitle: t\n---\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n", encoding="utf-8")
    before = _snapshot(root)
    r = run_kb(root, "review", "mark", "docs/cloud/a.md", "cloud/c.md")
    assert r.exit_code == 2 and "cloud/c.md:4: has unresolved merge conflict markers" in r.stderr
    assert "nothing was written" in r.stderr and _snapshot(root) == before
    r = run_kb(root, "review", "mark", "cloud/a.md", "--by", "担当者a")
    assert r.exit_code == 2 and "did you mean '担当者A'?" in r.stderr
    r = run_kb(root, "review", "mark", "cloud/nope.md")
    assert r.exit_code == 2 and "no such page" in r.stderr


def test_handover_cli(root, run_kb) -> None:
    r = run_kb(root, "--lang", "ja", "handover", "担当者A", "--today", "2026-11-26")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("# 引継ぎ書: 担当者A\n") and "`cloud/b.md`" in r.stdout
    r = run_kb(root, "handover", "担当者A", "--today", "2026-11-26", "--format", "json")
    data = json.loads(r.stdout)
    assert [e["path"] for e in data["sole_author"]] == ["cloud/b.md"] and data["git"]["used"] is True
    r = run_kb(root, "handover", "担当者Q")
    assert r.exit_code == 2 and "unknown person '担当者Q'" in r.stderr and "did you mean" in r.stderr


def test_handover_outside_git_notes_and_succeeds(make_docs, run_kb) -> None:
    root = make_docs(FILES)
    r = run_kb(root, "--lang", "ja", "handover", "担当者A", "--today", "2026-11-26")
    assert r.exit_code == 0 and "not in a git checkout" in r.stderr
    assert "git の履歴が使えないため確認できません" in r.stdout
    r = run_kb(root, "handover", "担当者A", "--today", "2026-11-26")
    assert "Cannot be checked without the git history" in r.stdout


def test_roster_assign_byte_minimal_and_history_kept(root, run_kb) -> None:
    before = _snapshot(root)
    r = run_kb(root, "roster", "assign", "network", "--to", "担当者H")
    assert r.exit_code == 2 and "--replace PERSON" in r.stderr
    r = run_kb(root, "roster", "assign", "network", "--to", "担当者H", "--replace", "担当者A", "--from-date", "2027-04-01")
    assert r.exit_code == 0, r.stderr
    after = _snapshot(root)
    assert [k for k in before if before[k] != after[k]] == ["docs/_data/roster.yml"]  # no page (review date) touched
    # the block-style network role had no past list: one is added after its holders, in the same style
    got = after["docs/_data/roster.yml"].decode()
    reg = load_registry(root / "docs/_data", root / "docs")
    net = reg.roles["network"]
    assert [h.person for h in net.holders] == ["担当者B", "担当者H"]
    assert [(p.person, str(p.start), str(p.end)) for p in net.past] == [("担当者A", "2024-04-01", "2027-03-31")]
    assert got.replace("  past:\n    - person: 担当者A\n      from: 2024-04-01\n      to: 2027-03-31\n", "") == \
        ROSTER.replace("担当者A\n      since: 2024-04-01", "担当者H\n      since: 2027-04-01")
    # flow style and an empty past list
    r = run_kb(root, "roster", "assign", "procurement", "--to", "担当者I", "--from-date", "2027-04-01")
    assert r.exit_code == 0, r.stderr
    reg = load_registry(root / "docs/_data", root / "docs")
    assert [(p.person, str(p.end)) for p in reg.roles["procurement"].past] == [("担当者C", "2027-03-31")]
    assert "    - {person: 担当者I, since: 2027-04-01}\n" in (root / "docs/_data/roster.yml").read_text(encoding="utf-8")
    cfg = load_config(root / "mkdocs.yml")
    res = run_checks(build_corpus(cfg, use_cache=False), today=__import__("datetime").date(2026, 11, 26))
    assert not [f for f in res.findings if f.rule.startswith("roster.")]
    r = run_kb(root, "roster", "assign", "infrax", "--to", "担当者H")
    assert r.exit_code == 2 and "did you mean 'infra'?" in r.stderr


def test_roster_overlap_finding(make_docs) -> None:
    bad = ROSTER.replace("- {person: 担当者X, from: 2019-04-01, to: 2023-03-31}",
                         "- {person: 担当者X, from: 2019-04-01, to: 2023-06-30}")
    root = make_docs({**FILES, "_data/roster.yml": bad})
    res = run_checks(build_corpus(load_config(root / "mkdocs.yml"), use_cache=False),
                     today=__import__("datetime").date(2027, 3, 1))
    got = [(f.code, f.line, f.message) for f in res.findings if f.rule.startswith("roster.")]
    assert got == [
        ("KB111", 5, "role 'infra': 担当者A holds it since 2023-04-01, but the previous holder 担当者X is recorded until 2023-06-30"),
        ("KB112", 20, "role 'procurement': 担当者C leaves on 2027-03-31 (in 30 days) and nobody else holds it"),
    ]


def test_new_page_with_explicit_nav(make_docs, run_kb) -> None:
    root = make_docs(FILES, mkdocs_yml=NAV_YML)
    r = run_kb(root, "new", "runbook", "--title", "VPN: 接続手順", "--area", "cloud", "--tag", "AWS", "--today", "2026-11-26")
    assert r.exit_code == 0, r.stderr
    page = root / "docs/cloud/vpn-接続手順.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "VPN: 接続手順"\ndescription: ""\ntype: runbook\nowner: infra\ndeputy: network\n')
    assert "last_reviewed: 2026-11-26\nreview_every: 180\ntags: [AWS]\n" in text and "\n# VPN: 接続手順\n" in text
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert yml == NAV_YML.replace("cloud/b.md  # コメント\n", 'cloud/b.md  # コメント\n      - "VPN: 接続手順": cloud/vpn-接続手順.md\n')
    cfg = load_config(root / "mkdocs.yml")
    res = run_checks(build_corpus(cfg, use_cache=False), paths=["cloud/vpn-接続手順.md"])
    assert [f for f in res.findings if f.severity.label == "error"] == []
    before = page.read_bytes()
    r = run_kb(root, "new", "runbook", "--title", "VPN: 接続手順", "--area", "cloud")
    assert r.exit_code == 2 and "already exists" in r.stderr and page.read_bytes() == before
    r = run_kb(root, "new", "path", "--title", "x", "--area", "cloud")
    assert r.exit_code == 2 and "no template for type 'path'" in r.stderr
    r = run_kb(root, "new", "guide", "--title", "x", "--area", "empty")
    assert r.exit_code == 2 and "give --owner ROLE" in r.stderr
    r = run_kb(root, "new", "guide", "--title", "下書き", "--area", "network", "--dry-run")
    assert r.exit_code == 0 and "+++ b/network/下書き.md" in r.stdout and "+  - network/下書き.md\n" in r.stdout
    assert not (root / "docs/network/下書き.md").exists()


def test_report_ownership_cli(root, run_kb) -> None:
    r = run_kb(root, "report", "ownership", "--today", "2026-11-26", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert {a["key"]: a["bus_factor"] for a in data["areas"]}["cloud"] == 2
    r = run_kb(root, "report", "ownership", "--today", "2026-11-26")
    assert r.exit_code == 0 and "runbooks without a deputy: 1" in r.stdout and "cloud/b.md" in r.stdout


def test_handover_with_an_unreadable_roster_says_so(make_docs, run_kb) -> None:
    files = dict(FILES)
    files["_data/roster.yml"] = "infra:\n  name: [インフラ担当\n"
    root = make_docs(files)
    r = run_kb(root, "handover", "担当者A", "--today", "2026-11-26")
    assert r.exit_code == 2
    assert "roster cannot be read" in r.stderr and "_data/roster.yml:" in r.stderr
    assert "unknown person" not in r.stderr


def test_plain_project_commands_say_they_have_nothing(make_docs, run_kb) -> None:
    root = make_docs({"index.md": "# Hello\n"}, mkdocs_yml="site_name: t\n")
    for args, said in ((["handover", "担当者A"], "no roster"), (["systems"], "systems.yml"), (["todo"], "要確認"),
                       (["remind", "--dry-run"], "0 digest(s) printed")):
        r = run_kb(root, "--lang", "en", *args)
        assert r.exit_code == 0, (args, r.output)
        assert said in r.stdout + r.stderr, (args, r.stdout, r.stderr)
