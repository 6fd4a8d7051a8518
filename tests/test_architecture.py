"""The package's shape, held by tests: layered imports (import-linter), no cycles, small modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
from importlinter import api as importlinter_api  # noqa: F401 - the package must be installed

from conftest import REPO

PKG = REPO / "kb_tools"


def test_import_contract_holds() -> None:
    """`lint-imports` with the contract in pyproject.toml: higher layers import lower ones only."""
    import subprocess

    exe = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(exe), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 kept, 0 broken" in proc.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return out


def test_no_import_cycles_even_inside_functions() -> None:
    graph = grimp.build_graph("kb_tools", include_external_packages=False)
    assert graph.find_modules_directly_imported_by("kb_tools.checks.links"), "the graph has no edges"
    assert _cycles(graph) == []


# The scanner's line loop mirrors Python-Markdown's block parser in one function on purpose:
# splitting it costs a call per line on the hottest path of `kb check` (see its comment).
LONG_FUNCTION_ALLOWED = {("kb_tools/parse/markdown.py", "scan")}


def test_no_module_over_400_lines_and_no_function_over_80() -> None:
    long_modules, long_functions = [], []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        src = path.read_text(encoding="utf-8")
        n = src.count("\n")
        if n > 400:
            long_modules.append((rel, n))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80 and (rel, node.name) not in LONG_FUNCTION_ALLOWED:
                    long_functions.append((rel, node.name, length))
    assert long_modules == []
    assert long_functions == []
