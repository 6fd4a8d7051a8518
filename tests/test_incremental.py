"""The findings cache re-derives exactly what an edit can change, and a cached check always
equals a full one (``kb_tools.checks.incremental``): links and anchors, metadata, the roster,
review dates, the system ledger (pages naming systems, systems.yml, runbook pages), sources,
the house style, 要確認 items, kb_ignore, the language, the configuration, new paths."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import time
from pathlib import Path

import pytest

from conftest import BENCH_CORPUS
from kb_tools.checks.engine import run_checks
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus

TODAY = dt.date(2026, 11, 26)
_ANCHOR_LINK = re.compile(r"\]\(([^)#\s]+\.md)#([^)\s]+)\)")


@pytest.fixture(name="root", scope="module")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inc")
    BENCH_CORPUS.generate(root, 150, 3, systems=6)
    return root


@pytest.fixture(name="tree")
def fixture_tree(root: Path, tmp_path: Path) -> Path:
    import shutil

    dst = tmp_path / "corpus"
    shutil.copytree(root, dst)
    old = time.time() - 3600
    for p in dst.rglob("*"):
        os.utime(p, (old, old))  # older than the racy window, whenever the module's corpus was generated
    return dst


def check(root: Path, today: dt.date = TODAY, cache: bool = True) -> tuple[list[dict], list[str]]:
    corpus = build_corpus(load_config(root / "mkdocs.yml"), use_cache=cache, workers=1)
    res = run_checks(corpus, today=today)
    return [f.to_dict() for f in res.findings], list(res.stats["rederived"])


def assert_same_as_full(root: Path, today: dt.date = TODAY) -> tuple[list[dict], set[str]]:
    found, rederived = check(root, today)
    full, _all = check(root, today, cache=False)
    assert found == full
    return found, set(rederived)


def docs(root: Path) -> Path:
    return root / "docs"


def pages_of(root: Path) -> list[str]:
    return sorted(p.relative_to(docs(root)).as_posix() for p in docs(root).rglob("*.md") if "_data" not in p.parts)


def anchor_linkers(root: Path, target: str) -> set[str]:
    """Pages with a link to ``target#...`` (read from the files, not from kb)."""
    out = set()
    for rel in pages_of(root):
        text = (docs(root) / rel).read_text(encoding="utf-8")
        for path, _anchor in _ANCHOR_LINK.findall(text):
            if posixpath.normpath(posixpath.join(posixpath.dirname(rel), path)) == target:
                out.add(rel)
    return out


def edit(root: Path, rel: str, old: str, new: str) -> None:
    p = docs(root) / rel
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_cold_derives_every_page_warm_none(tree: Path) -> None:
    first, rederived = check(tree)
    assert set(rederived) == set(pages_of(tree))
    again, rederived = check(tree)
    assert again == first and rederived == []


def test_body_edit_rederives_that_page_only(tree: Path) -> None:
    check(tree)
    rel = pages_of(tree)[7]
    (docs(tree) / rel).write_text((docs(tree) / rel).read_text(encoding="utf-8") + "\n追記した段落です。\n", encoding="utf-8")
    _found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}


def test_heading_edit_rederives_the_pages_linking_to_its_anchors(tree: Path) -> None:
    check(tree)
    target = max(pages_of(tree), key=lambda r: len(anchor_linkers(tree, r)))
    linkers = anchor_linkers(tree, target)
    assert linkers, "the generated corpus links to headings"
    text = (docs(tree) / target).read_text(encoding="utf-8")
    heading = re.search(r"^## (.+)$", text, re.M)
    assert heading
    edit(tree, target, heading.group(0), "## 改名した見出し")
    before = {f["path"] for f in check(tree, cache=False)[0] if f["rule"] == "link.missing-anchor"}
    _found, rederived = assert_same_as_full(tree)
    assert rederived == {target} | linkers
    assert before  # the renamed heading breaks some links (the check above sees them)


def test_body_edit_of_a_linked_page_keeps_its_linkers(tree: Path) -> None:
    check(tree)
    target = max(pages_of(tree), key=lambda r: len(anchor_linkers(tree, r)))
    (docs(tree) / target).write_text((docs(tree) / target).read_text(encoding="utf-8") + "\n段落だけ。\n", encoding="utf-8")
    _found, rederived = assert_same_as_full(tree)
    assert rederived == {target}  # its anchors did not change


def test_roster_change_rederives_and_reports(tree: Path) -> None:
    first, _ = check(tree)
    roster = docs(tree) / "_data" / "roster.yml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(re.sub(r"^procurement:\n(  .*\n)+", "", text, flags=re.M), encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == set(pages_of(tree))
    assert sum(f["rule"] == "meta.unknown-owner" for f in found) > sum(f["rule"] == "meta.unknown-owner" for f in first)


def test_date_change_reruns_review_only_and_matches(tree: Path) -> None:
    check(tree)
    later = TODAY + dt.timedelta(days=4000)
    found, rederived = assert_same_as_full(tree, later)
    assert rederived == set()  # findings of the undated passes are reused
    assert any(f["rule"] == "review.overdue" for f in found)
    back, rederived = assert_same_as_full(tree, TODAY)
    assert rederived == set()
    assert sum(f["rule"] == "review.overdue" for f in back) < sum(f["rule"] == "review.overdue" for f in found)


def test_config_change_invalidates(tree: Path) -> None:
    check(tree)
    cfg = tree / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nplugins:\n  - kb:\n      severity:\n        link.missing-anchor: warning\n",
                   encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == set(pages_of(tree))
    assert {f["severity"] for f in found if f["rule"] == "link.missing-anchor"} == {"warning"}


def test_new_file_and_retitle_update_cross_page_rules(tree: Path) -> None:
    check(tree)
    other = pages_of(tree)[3]
    title = re.search(r"^title: (.+)$", (docs(tree) / other).read_text(encoding="utf-8"), re.M).group(1)
    (docs(tree) / "new-page.md").write_text(f"---\ntitle: {title}\nowner: kb\n---\n\n# 新しいページ\n", encoding="utf-8")
    found, rederived = assert_same_as_full(tree)  # a new path: the world key changes
    assert rederived == set(pages_of(tree))
    assert {f["path"] for f in found if f["rule"] == "page.duplicate-title"} >= {other, "new-page.md"}
    edit(tree, "new-page.md", f"title: {title}", "title: 他にない題名")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {"new-page.md"}  # the whole-site rule ran again on the cached summaries
    assert other not in {f["path"] for f in found if f["rule"] == "page.duplicate-title"}


def test_kb_ignore_and_language_are_honoured(tree: Path) -> None:
    from kb_tools import i18n

    check(tree)
    rel = next(f["path"] for f in check(tree)[0] if f["rule"] == "link.missing-anchor")
    edit(tree, rel, "---\n", "---\nkb_ignore: [link.missing-anchor]\n")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel} and not any(f["path"] == rel and f["rule"] == "link.missing-anchor" for f in found)
    i18n.set_language("ja")
    try:
        ja, rederived = assert_same_as_full(tree)
        assert rederived == set(pages_of(tree)) and ja != found
    finally:
        i18n.set_language("en")


def test_corrupt_findings_cache_is_rebuilt(tree: Path) -> None:
    first, _ = check(tree)
    (tree / ".kb" / "cache" / "findings.marshal").write_bytes(b"\x00garbage")
    found, rederived = check(tree)
    assert found == first and set(rederived) == set(pages_of(tree))


def test_parse_cache_saves_a_delta_and_compacts(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from kb_tools.parse.cache import ParseCache

    first, _ = check(tree)
    cache = tree / ".kb" / "cache"
    main = next(cache.glob("pages-*.pickle"))
    delta = main.with_suffix(".delta")
    before = main.stat().st_mtime_ns
    rel = pages_of(tree)[9]
    (docs(tree) / rel).write_text((docs(tree) / rel).read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    assert_same_as_full(tree)
    assert main.stat().st_mtime_ns == before  # one edit: the main file is not rewritten
    assert set(pickle.loads(delta.read_bytes())) == {rel}
    for r in pages_of(tree)[:60]:
        (docs(tree) / r).write_text((docs(tree) / r).read_text(encoding="utf-8") + "\n追記2。\n", encoding="utf-8")
    assert_same_as_full(tree)
    assert len(pickle.loads(delta.read_bytes())) == 60 + (rel not in pages_of(tree)[:60])
    monkeypatch.setattr(ParseCache, "DELTA_MIN", 10)  # now past the limit: the next save compacts
    (docs(tree) / rel).write_text((docs(tree) / rel).read_text(encoding="utf-8") + "\n追記3。\n", encoding="utf-8")
    assert_same_as_full(tree)
    assert main.stat().st_mtime_ns != before and pickle.loads(delta.read_bytes()) == {}
    assert len(pickle.loads(main.read_bytes())) == len(pages_of(tree))
    delta.write_bytes(b"garbage")  # a lost delta: its pages are parsed again, results unchanged
    found, _ = check(tree)
    assert found == check(tree, cache=False)[0]


def test_findings_cache_saves_a_delta_and_compacts(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One edit writes the findings delta, not the main file; past the limit the main file is
    rewritten with every record and the delta emptied; a corrupt delta, or one naming another
    main file, is ignored (its pages are checked again). Every run equals a run without cache."""
    import marshal

    from kb_tools.checks.incremental import FindingsCache

    check(tree)
    cache = tree / ".kb" / "cache"
    main, delta = cache / "findings.marshal", cache / "findings.delta.marshal"
    before = main.read_bytes()
    rel = pages_of(tree)[9]
    edit = docs(tree) / rel
    edit.write_text(edit.read_text(encoding="utf-8") + "\n追記。[新しい](nowhere-delta.md)\n", encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel} and any(f.get("target") == "nowhere-delta.md" for f in found)
    assert main.read_bytes() == before  # one edit: the main file is not rewritten
    assert set(marshal.loads(delta.read_bytes())[3]) == {rel}
    _found, rederived = assert_same_as_full(tree)
    assert rederived == set()  # the delta's record is used: nothing re-derived
    for r in pages_of(tree)[:20]:
        (docs(tree) / r).write_text((docs(tree) / r).read_text(encoding="utf-8") + "\n追記2。\n", encoding="utf-8")
    assert_same_as_full(tree)
    assert main.read_bytes() == before and len(marshal.loads(delta.read_bytes())[3]) == 20  # (the first edit's page is one of the 20)
    monkeypatch.setattr(FindingsCache, "DELTA_MIN", 5)  # now past the limit: the next save compacts
    edit.write_text(edit.read_text(encoding="utf-8") + "\n追記3。\n", encoding="utf-8")
    assert_same_as_full(tree)
    compacted = marshal.loads(main.read_bytes())
    assert main.read_bytes() != before and len(compacted[2]) == len(pages_of(tree))
    assert marshal.loads(delta.read_bytes())[2:4] == (compacted[4], {})
    monkeypatch.setattr(FindingsCache, "DELTA_MIN", 200)
    edit.write_text(edit.read_text(encoding="utf-8") + "\n追記4。\n", encoding="utf-8")
    assert_same_as_full(tree)
    delta.write_bytes(b"\x00garbage")  # a lost delta: its page is checked again, results unchanged
    _found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}
    edit.write_text(edit.read_text(encoding="utf-8") + "\n追記5。\n", encoding="utf-8")
    check(tree)
    stale = marshal.loads(delta.read_bytes())
    delta.write_bytes(marshal.dumps((*stale[:2], "another-main", *stale[3:])))  # extends another main file
    _found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}


def test_json_report_is_exactly_json_dumps() -> None:
    import json

    from kb_tools.formats.json_format import dumps

    doc = {"version": 1, "findings": [{"path": "a/手順.md", "line": 3, "column": None, "message": 'q"uote\\ \n\t\x01 é',
                                       "hint": "", "ok": True, "no": False, "f": 0.125, "big": 10**20}],
           "empty": [], "nothing": {}, "nested": [[1, [2, {}]], {"k": []}], "summary": {"seconds": 1.5, "n": -2}}
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2)
    assert dumps({"findings": []}) == json.dumps({"findings": []}, ensure_ascii=False, indent=2)


def systems_of(root: Path) -> dict[str, list[str]]:
    out = {}
    for rel in pages_of(root):
        m = re.search(r"^systems: \[(.*)\]$", (docs(root) / rel).read_text(encoding="utf-8"), re.M)
        if m:
            out[rel] = [s.strip() for s in m.group(1).split(",")]
    return out


def test_page_naming_a_system_rederives_that_page(tree: Path) -> None:
    first, _ = check(tree)
    rel, ids = sorted(systems_of(tree).items())[0]
    edit(tree, rel, f"systems: [{', '.join(ids)}]", "systems: [sys9999]")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}
    assert any(f["path"] == rel and f["rule"] == "system.unknown" for f in found)
    assert not any(f["rule"] == "system.unknown" for f in first)


def test_unnamed_system_is_reported_from_cached_summaries(tree: Path) -> None:
    """KB510 needs every page's systems: ids; after one edit they come from the cache."""
    ledger = docs(tree) / "_data" / "systems.yml"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(re.sub(r"runbooks: \{[^}]*\}", "runbooks: {restore: nowhere/a.md, account: nowhere/a.md, "
                             "incident: nowhere/a.md}", text, count=1), encoding="utf-8")
    check(tree)
    named = [(rel, ids) for rel, ids in sorted(systems_of(tree).items()) if "sys0000" in ids]
    assert named
    for rel, ids in named:
        rest = [i for i in ids if i != "sys0000"]
        edit(tree, rel, f"systems: [{', '.join(ids)}]", f"systems: [{', '.join(rest)}]" if rest else "x_systems: []")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel for rel, _ids in named}
    assert any(f["rule"] == "system.unreferenced" and f["target"] == "sys0000" for f in found)


def test_systems_yml_change_rederives_and_reports(tree: Path) -> None:
    first, _ = check(tree)
    ledger = docs(tree) / "_data" / "systems.yml"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(re.sub(r"end: \d{4}-\d\d-\d\d\}", "end: 2026-12-20}", text, count=1), encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == set(pages_of(tree))  # every _data file is in the run key
    assert found != first and any(f["rule"] == "system.contract-due" for f in found)


def test_runbook_page_edit_updates_the_ledger_rule(tree: Path) -> None:
    """KB506 reads the runbook pages' front matter: editing one re-runs the ledger pass."""
    check(tree)
    m = re.search(r"restore: ([^,}]+)", (docs(tree) / "_data" / "systems.yml").read_text(encoding="utf-8"))
    assert m
    rel = m.group(1).strip()
    text = (docs(tree) / rel).read_text(encoding="utf-8")
    kind = re.search(r"^type: (\w+)$", text, re.M)
    assert kind
    edit(tree, rel, kind.group(0), "type: reference")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}
    assert any(f["rule"] == "system.runbook-target" and f["target"] == rel for f in found)


def test_date_change_reruns_the_ledger_dates(tree: Path) -> None:
    first, _ = check(tree)
    later = TODAY + dt.timedelta(days=4000)
    found, rederived = assert_same_as_full(tree, later)
    assert rederived == set()
    assert any(f["rule"] == "system.contract-due" for f in found) and found != first
    back, _ = assert_same_as_full(tree, TODAY)
    assert back == first


def test_source_edit_rederives_that_page(tree: Path) -> None:
    check(tree)
    rel = pages_of(tree)[11]
    p = docs(tree) / rel
    p.write_text(p.read_text(encoding="utf-8") + "\n詳しくは [短縮](https://bit.ly/abc) を参照。\n", encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}
    assert any(f["path"] == rel and f["rule"] == "source.denied-host" for f in found)


def test_todo_added_rederives_that_page(tree: Path) -> None:
    check(tree)
    rel = pages_of(tree)[13]
    p = docs(tree) / rel
    p.write_text(p.read_text(encoding="utf-8") + '\n!!! warning "要確認"\n    担当: infra\n    保守契約の番号\n',
                 encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel}
    assert any(f["path"] == rel and f["rule"] == "content.todo" for f in found)


def test_style_file_rederives_every_page(tree: Path) -> None:
    check(tree)
    (docs(tree) / "_data" / "style.yml").write_text("サーバー: [サーバ]\n問合せ:\n  - pattern: \"問い合わせ(?!\"\n", encoding="utf-8")
    rel = pages_of(tree)[17]
    p = docs(tree) / rel
    p.write_text(p.read_text(encoding="utf-8") + "\nサーバを再起動する。\n", encoding="utf-8")
    found, rederived = assert_same_as_full(tree)
    assert rederived == set(pages_of(tree))
    assert any(f["path"] == rel and f["rule"] == "prose.variant" for f in found)
    assert any(f["rule"] == "prose.config" for f in found)
    edit(tree, rel, "サーバを再起動する。", "サーバーを再起動する。")
    found, rederived = assert_same_as_full(tree)
    assert rederived == {rel} and not any(f["path"] == rel and f["rule"] == "prose.variant" for f in found)


def test_json_report_of_findings_is_exactly_json_dumps() -> None:
    import json

    from kb_tools.checks.engine import CheckResult
    from kb_tools.findings import Finding, Severity
    from kb_tools.formats.json_format import render

    findings = [Finding("a/手順.md", 3, None, "link.missing-target", "KB201", Severity.ERROR, 'q"uote\\ \n\t\x01 é', None, None),
                Finding("b.md", 1, 7, "meta.required", "KB101", Severity.WARNING, "m", "hint", "target")]
    for found in (findings, []):
        res = CheckResult(found, 2, 0.125)
        doc = {"version": 1, "findings": [f.to_dict() for f in found], "summary": res.summary()}
        assert render(res) == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
