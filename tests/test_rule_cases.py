"""Runs the data test cases in tests/rules/<CODE>.yml: each rule's failing and passing cases.

Format: ``rule``, optional ``today``, ``cases: [{name, files: {docs path: text}, config, expect}]``;
``config`` keys are added to mkdocs.yml, except ``kb`` (the plugin's options); ``expect`` lists
``path:line:rule`` of the findings of ``rule`` (other rules' findings are not compared).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from conftest import MKDOCS_YML, make_docs
from kb_tools.checks.engine import run_checks
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus

RULES = Path(__file__).parent / "rules"


def _cases() -> list[tuple[str, dict, str, dt.date]]:
    out = []
    for f in sorted(RULES.glob("*.yml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        today = dt.date.fromisoformat(str(doc.get("today", "2026-11-26")))
        for case in doc["cases"]:
            out.append(pytest.param(doc["rule"], case, f.stem, today, id=f"{f.stem}-{case['name']}"))
    return out


def _mkdocs_yml(config: dict | None) -> str:
    text = MKDOCS_YML
    config = dict(config or {})
    if "kb" in config:
        config["plugins"] = [{"kb": config.pop("kb")}]
    if config:
        text += yaml.safe_dump(config, allow_unicode=True)
    return text


@pytest.mark.parametrize(("rule", "case", "code", "today"), _cases())
def test_rule_case(tmp_path: Path, rule: str, case: dict, code: str, today: dt.date) -> None:
    root = make_docs(tmp_path, case["files"], _mkdocs_yml(case.get("config")))
    result = run_checks(build_corpus(load_config(root / "mkdocs.yml"), use_cache=False), today=today)
    got = sorted(f"{f.path}:{f.line}:{f.rule}" for f in result.findings if f.rule == rule)
    assert got == sorted(case["expect"]), [f"{f.path}:{f.line}: {f.rule} {f.message}" for f in result.findings]
    assert all(f.code == code for f in result.findings if f.rule == rule)


def test_every_new_rule_has_failing_and_passing_cases() -> None:
    for f in sorted(RULES.glob("*.yml")):
        cases = yaml.safe_load(f.read_text(encoding="utf-8"))["cases"]
        assert any(c["expect"] for c in cases) and any(not c["expect"] for c in cases), f.name
