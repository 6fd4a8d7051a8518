"""The system ledger (DESIGN §9) and fill-in items (§10): loader, review dates, commands, reports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from conftest import MKDOCS_YML
from kb_tools.checks.engine import run_checks
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus

TODAY = dt.date(2026, 11, 26)
CASES = yaml.safe_load((Path(__file__).parent / "rules" / "KB504.yml").read_text(encoding="utf-8"))
BASE = CASES["cases"][-1]["files"]  # a valid ledger, roster, a page naming juki and its runbook
RULES = {  # every ledger rule and its default severity (the data cases are in tests/rules/)
    "system.invalid": "error", "system.duplicate-id": "error", "system.unknown-role": "error",
    "system.no-deputy": "warning", "system.missing-runbook": "warning", "system.runbook-target": "error",
    "system.contract-due": "warning", "system.support-ended": "error", "system.unknown": "error",
    "system.unreferenced": "info", "content.todo": "info",
}


def _corpus(make_docs, files: dict[str, str], mkdocs_yml: str = MKDOCS_YML):
    root = make_docs(files, mkdocs_yml)
    return root, build_corpus(load_config(root / "mkdocs.yml"), use_cache=False)


def _ledger(**contract: str) -> str:
    text = BASE["_data/systems.yml"]
    for k, v in contract.items():
        text = text.replace(f"{k}: {'2030-03-31' if k == 'end' else '2025-04-01'}", f"{k}: {v}")
    return text


def test_rules_are_declared_with_their_severity() -> None:
    from kb_tools.checks import lookup

    for name, sev in RULES.items():
        info = lookup(name)
        assert info is not None and info.default_severity.label == sev, name
        assert (Path(__file__).parent / "rules" / f"{info.code}.yml").is_file(), name


def test_valid_ledger_gives_no_findings(make_docs) -> None:
    _, corpus = _corpus(make_docs, BASE)
    assert [f for f in run_checks(corpus, today=TODAY).findings if f.severity.label != "info"] == []


def test_contract_due_is_an_error_once_the_contract_has_ended(make_docs) -> None:
    _, corpus = _corpus(make_docs, {**BASE, "_data/systems.yml": _ledger(start="2021-04-01", end="2026-03-31")})
    f = next(f for f in run_checks(corpus, today=TODAY).findings if f.rule == "system.contract-due")
    assert f.severity.label == "error" and "juki" in f.message and f.target == "juki"


def test_five_megabyte_ledger_is_one_finding_and_the_check_goes_on(make_docs) -> None:
    big = "systems:\n" + "".join(f"  - {{id: s{i}, name: '{'x' * 60}', category: infra, owner: infra, "
                                 f"deputy: network, status: planned}}\n" for i in range(60000))
    assert len(big.encode()) > 5 * 1024 * 1024
    files = {**BASE, "_data/systems.yml": big, "index.md": BASE["index.md"] + "\n[x](missing.md)\n"}
    _, corpus = _corpus(make_docs, files)
    got = [(f.path, f.line, f.rule) for f in run_checks(corpus, today=TODAY).findings if f.severity.label != "info"]
    assert ("_data/systems.yml", 1, "system.invalid") in got
    assert any(r == "link.missing-target" for _, _, r in got)
    assert not any(r == "system.unknown" for _, _, r in got)  # an unread ledger does not make every id unknown


def test_unknown_role_did_you_mean(make_docs) -> None:
    files = {**BASE, "_data/systems.yml": BASE["_data/systems.yml"].replace("owner: infra", "owner: infar")}
    _, corpus = _corpus(make_docs, files)
    f = next(f for f in run_checks(corpus, today=TODAY).findings if f.rule == "system.unknown-role")
    assert f.hint == "did you mean 'infra'?" and f.line == 5


def test_unknown_system_did_you_mean(make_docs) -> None:
    files = {**BASE, "index.md": BASE["index.md"].replace("systems: [juki]", "systems: [jukii]")}
    _, corpus = _corpus(make_docs, files)
    f = next(f for f in run_checks(corpus, today=TODAY).findings if f.rule == "system.unknown")
    assert f.hint == "did you mean 'juki'?" and f.path == "index.md"


def test_severity_set_in_mkdocs_yml_wins_over_the_two_levels(make_docs) -> None:
    yml = MKDOCS_YML + "plugins:\n  - kb:\n      severity: {system.contract-due: info}\n"
    _, corpus = _corpus(make_docs, {**BASE, "_data/systems.yml": _ledger(start="2021-04-01", end="2026-03-31")}, yml)
    f = next(f for f in run_checks(corpus, today=TODAY).findings if f.rule == "system.contract-due")
    assert f.severity.label == "info"


def test_linked_pages_fall_due_before_the_contract_ends(make_docs) -> None:
    from kb_tools.checks.systemlinks import page_due
    from kb_tools.continuity.review import review_items

    _, corpus = _corpus(make_docs, {**BASE, "_data/systems.yml": _ledger(start="2024-04-01", end="2027-03-31")})
    due = page_due(corpus, corpus.pages["ops/r.md"])  # listed as the system's runbook
    assert due is not None and due.reason == "contract" and due.system == "juki"
    assert due.date == dt.date(2027, 3, 31) - dt.timedelta(days=180)
    assert page_due(corpus, corpus.pages["index.md"]).reason == "contract"  # names it in systems:
    items = {i.path: i for i in review_items(corpus, TODAY, None)}
    assert items["index.md"].reason == "contract" and items["index.md"].system == "juki"
    f = next(f for f in run_checks(corpus, today=TODAY).findings if f.rule == "review.overdue")
    assert "契約更新" in f.message and f.hint == "review the page, then run: kb review mark " + f.path


def test_a_page_reviewed_in_the_renewal_window_is_not_due_again(make_docs) -> None:
    from kb_tools.checks.systemlinks import page_due

    rb = BASE["ops/r.md"].replace("last_reviewed: 2026-10-01", "last_reviewed: 2026-11-01")
    _, corpus = _corpus(make_docs, {**BASE, "ops/r.md": rb, "_data/systems.yml": _ledger(start="2024-04-01", end="2027-03-31")})
    assert page_due(corpus, corpus.pages["ops/r.md"]).reason == "interval"


def test_notice_days_from_the_plugin_option(make_docs) -> None:
    from kb_tools.checks.systemlinks import ledger_of

    yml = MKDOCS_YML + "plugins:\n  - kb:\n      systems: {notice_days: 90}\n"
    _, corpus = _corpus(make_docs, BASE, yml)
    assert ledger_of(corpus).by_id["juki"].review_by == dt.date(2030, 3, 31) - dt.timedelta(days=90)


def test_kb_systems_json_follows_the_contract(make_docs, run_kb) -> None:
    root, _ = _corpus(make_docs, BASE)
    out = json.loads(run_kb(root, "systems", "--format", "json", "--today", "2026-11-26").stdout)
    assert out["today"] == "2026-11-26"
    s = out["systems"][0]
    assert list(s) == ["id", "name", "category", "tier", "hosting", "owner", "deputy", "status", "contract_end",
                       "support_end", "review_by", "runbooks", "gaps"]
    assert s["id"] == "juki" and s["contract_end"] == "2030-03-31" and s["review_by"] == "2029-10-02"
    assert s["runbooks"] == {"restore": "ops/r.md", "account": "ops/r.md", "incident": "ops/r.md"} and s["gaps"] == []
    assert json.loads(run_kb(root, "systems", "--format", "json", "--due-within", "30").stdout)["systems"] == []
    assert json.loads(run_kb(root, "systems", "--format", "json", "--owner", "network").stdout)["systems"][0]["id"] == "juki"
    assert "住民記録" in run_kb(root, "systems", "--format", "md").stdout
    bad = run_kb(root, "systems", "--owner", "netwrk")
    assert bad.exit_code == 2 and "did you mean 'network'" in bad.stderr


def test_gaps_name_the_failing_rules(make_docs, run_kb) -> None:
    files = {**BASE, "_data/systems.yml": BASE["_data/systems.yml"].replace("deputy: network", "deputy: infra")}
    root, _ = _corpus(make_docs, files)
    out = json.loads(run_kb(root, "systems", "--format", "json").stdout)
    assert out["systems"][0]["gaps"] == ["system.no-deputy"]


def test_plain_project_without_ledger_says_so(make_docs, run_kb) -> None:
    root = make_docs({"index.md": "# Home\n"})
    assert "システム台帳" in run_kb(root, "--lang", "ja", "systems").stdout
    assert "There is no system ledger" in run_kb(root, "systems").stdout
    assert json.loads(run_kb(root, "systems", "--format", "json").stdout)["systems"] == []
    assert json.loads(run_kb(root, "todo", "--format", "json").stdout) == {"todos": [], "total": 0}
    assert "要確認の項目はありません" in run_kb(root, "--lang", "ja", "todo").stdout
    assert "No items to confirm" in run_kb(root, "todo").stdout


def test_kb_todo_owner_from_the_first_line(make_docs, run_kb) -> None:
    page = BASE["index.md"] + ('\n!!! warning "要確認"\n    担当: network\n    窓口が未確認。\n'
                               '\n??? note "要確認：保守契約"\n    契約番号が未確認。\n')
    root, _ = _corpus(make_docs, {**BASE, "index.md": page})
    out = json.loads(run_kb(root, "todo", "--format", "json").stdout)
    assert out == {"todos": [{"path": "index.md", "line": 17, "owner": "network", "text": "窓口が未確認。"},
                             {"path": "index.md", "line": 21, "owner": "infra", "text": "契約番号が未確認。"}],
                   "total": 2}
    assert json.loads(run_kb(root, "todo", "--owner", "network", "--format", "json").stdout)["total"] == 1
    assert "index.md:17: [network]" in run_kb(root, "todo").stdout


def test_handover_json_gains_systems(make_docs, run_kb) -> None:
    root, _ = _corpus(make_docs, BASE)
    out = json.loads(run_kb(root, "handover", "担当者B", "--format", "json", "--no-git").stdout)
    assert out["systems"] == [{"id": "juki", "name": "住民記録", "role": "network", "as": "deputy",
                               "contract_end": "2030-03-31", "gaps": []}]
    md = run_kb(root, "--lang", "ja", "handover", "担当者A", "--no-git").stdout
    assert "担当しているシステム（1件）" in md and "システム「住民記録」（juki、主担当）" in md
    md = run_kb(root, "--lang", "en", "handover", "担当者A", "--no-git").stdout
    assert "## 7. Systems held (1)" in md and 'System "住民記録" (juki, as owner)' in md


def test_schema_exports_the_ledger(run_kb, tmp_path: Path) -> None:
    schema = json.loads(run_kb(tmp_path, "schema", "--ledger").stdout)
    entry = schema["$defs"]["SystemModel"]
    assert {"id", "name", "category", "owner", "deputy", "status"} <= set(entry["required"])
    assert entry["properties"]["category"]["enum"] == ["standard", "internal", "network", "saas", "infra"]
    assert json.loads(run_kb(tmp_path, "schema").stdout)["properties"]["systems"]["type"] == "array"


def test_the_repository_ledger() -> None:
    from kb_tools.checks.systemlinks import ledger_of

    corpus = build_corpus(load_config(Path(__file__).parent.parent / "mkdocs.yml"), use_cache=False)
    ledger = ledger_of(corpus)
    assert ledger.issues == [] and len(ledger.systems) >= 25
    assert {s.category for s in ledger.systems} == {"standard", "internal", "network", "saas", "infra"}
    for s in ledger.systems:
        if s.status == "active":
            assert set(s.runbooks) >= {"restore", "account", "incident"}, s.id
            assert s.owner in corpus.registry.roles and s.deputy in corpus.registry.roles, s.id


def test_ledger_is_cached_by_content(tmp_path: Path) -> None:
    from kb_tools.ledger import load_ledger

    data = tmp_path / "docs" / "_data"
    data.mkdir(parents=True)
    (data / "systems.yml").write_text(BASE["_data/systems.yml"], encoding="utf-8")
    cache = tmp_path / ".kb" / "cache"
    first = load_ledger(data, tmp_path / "docs", 180, cache)
    assert (cache / "ledger.pickle").is_file() and first.by_id["juki"].name == "住民記録"
    (data / "systems.yml").write_text(BASE["_data/systems.yml"].replace("住民記録", "住民記録システム"), encoding="utf-8")
    assert load_ledger(data, tmp_path / "docs", 180, cache).by_id["juki"].name == "住民記録システム"
    (cache / "ledger.pickle").write_bytes(b"not a pickle")
    assert load_ledger(data, tmp_path / "docs", 180, cache).by_id["juki"].name == "住民記録システム"


def test_ownership_json_lists_systems_per_role(make_docs, run_kb) -> None:
    root, _ = _corpus(make_docs, BASE)
    out = json.loads(run_kb(root, "report", "ownership", "--format", "json", "--no-git").stdout)
    assert out["systems"] == [{"role": "infra", "owner": ["juki"], "deputy": []},
                              {"role": "network", "owner": [], "deputy": ["juki"]}]


def test_todo_text_is_plain_and_fences_are_skipped() -> None:
    from kb_tools.analyzers.todos import find_todos

    text = ('---\ntitle: t\n---\n\n- 手順\n\n    !!! note "要確認"\n        - **本市の**窓口は[一覧](a.md)で確認。\n\n'
            '```markdown\n!!! warning "要確認"\n    例です\n```\n\n!!! warning "確認済み"\n    対象外\n')
    assert find_todos(text, 3) == [(7, "", "本市の窓口は一覧で確認。")]


def test_missing_runbook_page_did_you_mean(make_docs) -> None:
    files = {**BASE, "_data/systems.yml": BASE["_data/systems.yml"].replace("restore: ops/r.md", "restore: ops/rr.md")}
    _, corpus = _corpus(make_docs, files)
    f = next(f for f in run_checks(corpus, today=TODAY).findings if f.rule == "system.runbook-target")
    assert f.hint == "did you mean 'ops/r.md'?" and f.target == "ops/rr.md"


def test_an_ended_contract_does_not_fail_a_strict_build(make_docs, caplog) -> None:
    import logging

    from test_systems_site import YML, build_site

    files = {**BASE, "_data/systems.yml": _ledger(start="2021-04-01", end="2026-03-31")}
    caplog.set_level(logging.INFO, logger="mkdocs")
    build_site(make_docs(files, YML), strict=True)  # raises Abort on an error-level log
    assert any("KB507" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)


def test_a_shared_runbook_falls_due_again_for_the_next_renewal(make_docs) -> None:
    from kb_tools.checks.systemlinks import page_due

    second = ("  - id: kintone\n    name: kintone\n    category: saas\n    owner: infra\n    deputy: network\n"
              "    status: active\n    contract: {number: B-1, start: 2025-04-01, end: 2028-03-31}\n"
              "    runbooks: {restore: ops/r.md, account: ops/r.md, incident: ops/r.md}\n")
    ledger = _ledger(start="2024-04-01", end="2027-03-31") + second
    rb = BASE["ops/r.md"].replace("last_reviewed: 2026-10-01", "last_reviewed: 2026-11-01").replace(
        "review_every: 365", "review_every: 3000")
    _, corpus = _corpus(make_docs, {**BASE, "ops/r.md": rb, "_data/systems.yml": ledger})
    due = page_due(corpus, corpus.pages["ops/r.md"])  # juki's renewal (2026-10-02) is settled by the review
    assert (due.date, due.reason, due.system) == (dt.date(2028, 3, 31) - dt.timedelta(days=180), "contract", "kintone")
