"""The `kb check`, `kb rules` and `kb schema` contracts: exit codes, JSON/SARIF/GitHub shapes."""

from __future__ import annotations

import json

import pytest

from conftest import MKDOCS_YML
from kb_tools.checks import registry as findings_mod
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.checks.engine import run_checks

DOCS = {"index.md": "# ホーム\n\n[壊れ](missing.md)\n\n[ok](a.md#手順)\n", "a.md": "# A\n\n## 手順\n"}


def test_exit_codes(make_docs, run_kb, tmp_path) -> None:
    root = make_docs(DOCS)
    assert run_kb(root, "check").exit_code == 1
    assert run_kb(root, "check", "--exit-zero").exit_code == 0
    assert run_kb(root, "check", "docs/a.md").exit_code == 0  # PATH limits the report
    assert run_kb(root, "check", "a.md").exit_code == 0  # relative to docs_dir works too
    assert run_kb(root, "check", "nope.md").exit_code == 2
    assert run_kb(root, "check", "--format", "yaml").exit_code == 2
    (root / "docs" / "index.md").write_text("# ホーム\n\n[ok](a.md)\n", encoding="utf-8")
    res = run_kb(root, "check")
    assert res.exit_code == 0 and res.stdout == ""
    assert "0 errors" in res.stderr


def test_text_format(make_docs, run_kb, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    root = make_docs(DOCS)
    res = run_kb(root, "check")
    assert res.stdout == "index.md:3:6: KB201 [error] link target 'missing.md' does not exist\n"
    assert "\033[" not in res.stdout
    res = run_kb(root, "--color", "always", "check")
    assert "\033[31m[error]" in res.stdout
    res = run_kb(root, "-qq", "check")
    assert res.stdout == "" and res.stderr == "" and res.exit_code == 1


def test_json_contract(make_docs, run_kb) -> None:
    root = make_docs(DOCS)
    res = run_kb(root, "check", "--format", "json")
    doc = json.loads(res.stdout)
    assert set(doc) >= {"findings", "summary"}
    assert set(doc["summary"]) >= {"pages", "errors", "warnings", "seconds"}
    assert doc["summary"]["pages"] == 2 and doc["summary"]["errors"] == 1
    (f,) = doc["findings"]
    assert f == {"path": "index.md", "line": 3, "column": 6, "rule": "link.missing-target", "code": "KB201",
                 "severity": "error", "message": "link target 'missing.md' does not exist", "target": "missing.md"}
    assert res.stderr.strip().endswith("info")  # the summary goes to stderr, never into the payload


def test_sarif_and_github(make_docs, run_kb, tmp_path) -> None:
    root = make_docs(DOCS)
    out = tmp_path / "r.sarif"
    assert run_kb(root, "check", "--format", "sarif", "-o", str(out)).exit_code == 1
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert "KB201" in rules
    (res,) = run["results"]
    assert res["ruleId"] == "KB201" and res["level"] == "error"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "docs/index.md" and loc["region"] == {"startLine": 3, "startColumn": 6}
    gh = run_kb(root, "check", "--format", "github").stdout
    assert gh == "::error file=docs/index.md,line=3,col=6,title=KB201 link.missing-target::link target 'missing.md' does not exist\n"


def test_rules_and_schema(run_kb, tmp_path) -> None:
    res = run_kb(tmp_path, "rules", "KB201")
    assert res.exit_code == 0 and "link.missing-target" in res.stdout and "MkDocs" in res.stdout
    assert run_kb(tmp_path, "rules", "link.missing-anchor").exit_code == 0
    res = run_kb(tmp_path, "rules", "link.mising-target")
    assert res.exit_code == 2 and "did you mean 'link.missing-target'" in res.stderr
    listing = json.loads(run_kb(tmp_path, "rules", "--format", "json").stdout)
    codes = [r["code"] for r in listing]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    schema = json.loads(run_kb(tmp_path, "schema").stdout)
    assert schema["required"] == ["title", "owner"]
    assert set(schema["properties"]) >= {"title", "description", "type", "owner", "deputy", "status", "last_reviewed",
                                         "review_every", "tags", "audience", "replaced_by", "steps"}


def test_severity_override_from_mkdocs_yml(make_docs, run_kb) -> None:
    yml = MKDOCS_YML + "plugins:\n  - kb:\n      severity:\n        link.missing-target: warning\n        meta: 'off'\n"
    root = make_docs(DOCS, yml)
    res = run_kb(root, "check", "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["findings"][0]["severity"] == "warning"
    assert run_kb(root, "check", "--fail-on", "warning").exit_code == 1
    root2 = make_docs(DOCS, "site_name: t\nplugins:\n  - kb:\n      severity: {no.such-rule: off}\n")
    res = run_kb(root2, "check")
    assert res.exit_code == 2 and "no.such-rule" in res.stderr


def test_a_crashing_check_is_a_finding_not_a_traceback(make_docs, monkeypatch) -> None:
    root = make_docs(DOCS)

    def boom(corpus, ctx, emit):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(findings_mod, "_PASSES", [("test.boom", boom), *findings_mod._PASSES])
    result = run_checks(build_corpus(load_config(root / "mkdocs.yml")))
    rules = [f.rule for f in result.findings]
    assert "internal.error" in rules and "link.missing-target" in rules
    assert "kaboom" in next(f.message for f in result.findings if f.rule == "internal.error")


@pytest.mark.parametrize("content", ["<script>alert(1)</script>", "title: \"<img src=x onerror=alert(1)>\""])
def test_hostile_titles_do_not_break_text_output(make_docs, run_kb, content) -> None:
    root = make_docs({"index.md": f"---\ntitle: x\n---\n# {content}\n[a](b.md)\n"})
    res = run_kb(root, "check")
    assert res.exit_code == 1 and "KB201" in res.stdout


def test_each_subcommand_is_in_the_lazy_table_and_loads_alone() -> None:
    """``commands._shared.COMMAND_MODULES`` names the module of every subcommand, and asking
    for one imports that module only (``kb index`` loads no checker or site command module)."""
    import subprocess
    import sys

    from kb_tools import cli
    from kb_tools.commands._shared import COMMAND_MODULES

    import importlib
    import pkgutil

    import kb_tools.commands

    for mod in pkgutil.iter_modules(kb_tools.commands.__path__):  # a module missing from the table too
        if not mod.name.startswith("_"):
            importlib.import_module(f"kb_tools.commands.{mod.name}")
    group = cli._group()
    names = group.list_commands(None)
    assert {n: group.commands[n].callback.__module__.rpartition(".")[2] for n in names} == COMMAND_MODULES
    code = ("import sys; from kb_tools.cli import _group; g = _group(); g.get_command(None, 'index'); "
            "print(sorted(m for m in sys.modules if m.startswith('kb_tools.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['kb_tools.commands._shared', 'kb_tools.commands.search']"
