"""Hostile and broken input: a finding with path and line, the run goes on, never a crash."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.checks.engine import run_checks

GOOD = "---\ntitle: 良いページ\n---\n\n[壊れ](nowhere.md)\n"


def run_json(run_kb, root: Path, *args: str) -> tuple[int, dict]:
    res = run_kb(root, "check", "--format", "json", *args)
    return res.exit_code, json.loads(res.stdout)


BAD_FILES = [
    ("broken-yaml", "---\ntitle: [unclosed\nowner: infra\n---\n# x\n", "parse.front-matter", 3),
    ("list-front-matter", "---\n- a\n- b\n---\n", "parse.front-matter", 2),
    ("month-13", "---\ntitle: t\nlast_reviewed: 2024-13-01\n---\n", None, None),
    ("non-utf8", b"---\ntitle: t\n---\n\x93\xfa\x96\x7b\n", "parse.encoding", 4),
    ("bom", "\ufeff---\ntitle: BOM\n---\n[x](missing-bom.md)\n".encode("utf-8"), "link.missing-target", 4),
    ("crlf", b"---\r\ntitle: CRLF\r\n---\r\n\r\n[x](missing-crlf.md)\r\n", "link.missing-target", 5),
    ("empty", b"", None, None),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "parse.file", 1),
    ("passwd", "# t\n\n[p](../../../etc/passwd)\n", "link.outside-docs", 3),
    ("script-title", "---\ntitle: <script>alert(1)</script>\n---\n# <script>alert(2)</script>\n", None, None),
]


@pytest.mark.parametrize("name,content,rule,line", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gives_finding_and_run_goes_on(make_docs, run_kb, name, content, rule, line) -> None:
    root = make_docs({"bad.md": content, "index.md": GOOD})
    code, out = run_json(run_kb, root)
    assert code == 1  # the good page's broken link is still found: the run went on
    assert any(f["path"] == "index.md" and f["rule"] == "link.missing-target" for f in out["findings"])
    bad = [f for f in out["findings"] if f["path"] == "bad.md"]
    if rule is not None:
        assert any(f["rule"] == rule and f["line"] == line for f in bad), bad


def test_month_13_is_reported_with_kb_metadata(make_docs, run_kb) -> None:
    root = make_docs({"_data/roster.yml": "infra: {name: インフラ担当, holders: [], past: []}\n",
                      "index.md": "---\ntitle: t\nowner: infra\ndescription: d\nlast_reviewed: 2024-13-01\n---\n"})
    code, out = run_json(run_kb, root)
    inv = [f for f in out["findings"] if f["rule"] == "meta.invalid"]
    assert code == 1 and [f["line"] for f in inv] == [5] and "2024-13-01" in inv[0]["message"]


def test_ten_megabyte_page(make_docs, run_kb) -> None:
    big = "---\ntitle: 大きい\n---\n" + ("長い段落のテキスト。" * 40 + "\n\n") * 9000 + "[x](missing-big.md)\n"
    assert len(big.encode()) > 10_000_000
    root = make_docs({"big.md": big, "index.md": "# i\n"})
    code, out = run_json(run_kb, root)
    rules = {(f["rule"], f["path"]) for f in out["findings"]}
    assert ("parse.file", "big.md") in rules  # warned as too large for a good site
    missing = [f for f in out["findings"] if f["rule"] == "link.missing-target"]
    assert missing and missing[0]["line"] == big.count("\n")


def test_symlink_loop(make_docs, run_kb) -> None:
    root = make_docs({"index.md": "# i\n", "sub/a.md": "# a\n"})
    os.symlink("..", root / "docs" / "sub" / "loop")
    os.symlink("nowhere", root / "docs" / "dangling.md")
    code, out = run_json(run_kb, root)
    msgs = {(f["path"], f["rule"]) for f in out["findings"]}
    assert ("sub/loop", "parse.file") in msgs
    assert ("dangling.md", "parse.file") in msgs
    assert out["summary"]["pages"] == 2


def test_unusable_configuration_exits_2(tmp_path, run_kb) -> None:
    res = run_kb(tmp_path, "check")
    assert res.exit_code == 2 and "mkdocs.yml" in res.stderr
    (tmp_path / "mkdocs.yml").write_text("site_name: [x\n", encoding="utf-8")
    res = run_kb(tmp_path, "check")
    assert res.exit_code == 2 and "mkdocs.yml:2" in res.stderr and "Traceback" not in res.stderr
    (tmp_path / "mkdocs.yml").write_text("site_name: x\ndocs_dir: nope\n", encoding="utf-8")
    res = run_kb(tmp_path, "check")
    assert res.exit_code == 2 and "docs_dir" in res.stderr
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - kb:\n      review_default_days: -3\n", encoding="utf-8")
    res = run_kb(tmp_path, "check")
    assert res.exit_code == 2 and "review_default_days" in res.stderr


def test_corrupt_cache_is_rebuilt(make_docs) -> None:
    root = make_docs({"index.md": "# i\n[x](y.md)\n"})
    cfg = load_config(root / "mkdocs.yml")
    build_corpus(cfg)
    for p in (root / ".kb" / "cache").glob("pages-*"):
        p.write_bytes(b"not a pickle")
    corpus = build_corpus(cfg)
    assert [f.rule for f in run_checks(corpus).findings] == ["link.missing-target"]


def test_warm_run_reparses_only_changed_file(make_docs) -> None:
    root = make_docs({f"p{i}.md": f"# ページ{i}\n\n[next](p{i + 1}.md)\n" for i in range(30)})
    cfg = load_config(root / "mkdocs.yml")
    assert build_corpus(cfg).stats["parsed"] == 30
    assert build_corpus(cfg).stats["parsed"] == 0
    p = root / "docs" / "p3.md"
    p.write_text("# 変更\n\n[x](gone.md)\n", encoding="utf-8")
    os.utime(p, ns=(1, 1))
    corpus = build_corpus(cfg)
    assert corpus.stats["parsed"] == 1
    assert {(f.path, f.rule) for f in run_checks(corpus).findings} == {("p29.md", "link.missing-target"), ("p3.md", "link.missing-target")}
