"""Rules are objects: checks emit the RuleInfo returned by declare(), never a string."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import kb_tools.checks  # noqa: F401 - registers every family
from kb_tools.checks.registry import Emit, RuleContext, RuleInfo, all_rules

CHECKS = Path(kb_tools.checks.__file__).parent


def test_no_emit_call_names_a_rule_by_string() -> None:
    bad = []
    for path in sorted(CHECKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "emit" and node.args:
                if isinstance(node.args[0], (ast.Constant, ast.JoinedStr)):
                    bad.append(f"{path.name}:{node.lineno}")
    assert not bad, bad


def test_every_declared_rule_is_bound_to_a_module_constant() -> None:
    import importlib

    bound = set()
    for path in CHECKS.glob("*.py"):
        mod = importlib.import_module(f"kb_tools.checks.{path.stem}")
        bound |= {v.code for v in vars(mod).values() if isinstance(v, RuleInfo)}
    assert {i.code for i in all_rules()} <= bound


def test_emit_refuses_a_string() -> None:
    emit = Emit(RuleContext(today=dt.date(2025, 1, 1)))
    with pytest.raises(TypeError):
        emit("link.missing-target", "a.md", 1, None, "x")  # type: ignore[arg-type]
