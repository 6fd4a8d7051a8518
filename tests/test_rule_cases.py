"""Rule cases as data: ``tests/rules/<CODE>.yml``, each run end to end through ``kb check``.

A file names one rule and holds cases::

    rule: link.missing-target
    cases:
      - name: a link to a page that does not exist
        files: {"a.md": "..."}            # docs/ paths; merged over the base tree below
        expect: ["a.md:3:link.missing-target"]

Optional per file: ``today`` (the date of the run, default 2026-12-01). Optional per case:
``config: {...}`` (mkdocs.yml keys; ``kb`` holds the plugin's options), ``base: false`` (start from an empty tree: a plain MkDocs project),
``mkdocs: "..."`` (extra mkdocs.yml text appended, e.g. plugin options), ``args: [...]``
(extra ``kb check`` arguments), ``mkdocs_override: "..."`` (instead of the
base mkdocs.yml), ``http: {"/path": [status, location?]}`` (a local server on
127.0.0.1 whose URL replaces ``{server}`` in the files), ``crash_check: true`` (a check that
raises, for internal.error). Only findings of the file's rule are compared. A meta-test fails
when a declared rule has no failing or no passing case.
"""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import MKDOCS_YML, make_docs, serve_http

RULES_DIR = Path(__file__).parent / "rules"
TODAY = "2026-12-01"
BASE: dict[str, str] = {
    "_data/roster.yml": """\
        infra:
          name: インフラ担当
          holders:
            - {person: 担当者A, since: 2024-04-01}
        network:
          name: ネットワーク担当
          holders:
            - {person: 担当者B, since: 2024-04-01}
        """,
    "_data/taxonomy.yml": """\
        クラウド:
          label: クラウド
          aliases: [cloud]
        """,
    "index.md": """\
        ---
        title: トップ
        description: 入口のページです。
        type: guide
        owner: infra
        deputy: network
        last_reviewed: 2026-11-01
        review_every: 365
        ---
        # トップ
        """,
}


def _load() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            out.append((path.stem, doc, case))
    return out


CASES = _load()


@contextmanager
def _server(routes: dict[str, list[Any]]) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, body: bool) -> None:
            status, *rest = routes.get(self.path, [404])
            self.send_response(status)
            if rest:
                self.send_header("Location", rest[0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(True)

        def log_message(self, *args: Any) -> None:
            pass

    with serve_http(Handler) as url:
        yield url


def _config_yml(config: dict[str, Any] | None) -> str:
    """``config:`` of a case as mkdocs.yml text: its ``kb`` key is the plugin's options."""
    config = dict(config or {})
    if "kb" in config:
        config["plugins"] = [{"kb": config.pop("kb")}]
    return yaml.safe_dump(config, allow_unicode=True) if config else ""


def _run_case(tmp_path: Path, run_kb, monkeypatch: pytest.MonkeyPatch, doc: dict[str, Any],
              case: dict[str, Any], server: str | None) -> list[str]:
    files = dict(BASE) if case.get("base", True) else {}
    for k, v in (case.get("files") or {}).items():
        files[k] = v.replace("{server}", server) if server and isinstance(v, str) else v
    base_yml = case.get("mkdocs_override", MKDOCS_YML)  # e.g. a plain project with the default slugify
    root = make_docs(tmp_path, files, base_yml + _config_yml(case.get("config"))
                     + (case.get("mkdocs") or "").replace("{server}", server or ""))
    if case.get("crash_check"):
        from kb_tools.checks import registry

        def boom(corpus: Any, ctx: Any, emit: Any) -> None:
            raise RuntimeError("kaboom")

        monkeypatch.setattr(registry, "_PASSES", [("test.boom", boom), *registry._PASSES])
    res = run_kb(root, "check", "--format", "json", "--no-cache", "--today", str(doc.get("today", TODAY)),
                 *case.get("args", []))
    assert res.exit_code in (0, 1), res.output
    findings = json.loads(res.stdout)["findings"]
    rule = doc["rule"]
    return sorted(f"{f['path']}:{f['line']}:{f['rule']}" for f in findings if f["rule"] == rule)


@pytest.mark.parametrize(("code", "doc", "case"), CASES, ids=[f"{c}-{k['name']}" for c, _, k in CASES])
def test_rule_case(code: str, doc: dict[str, Any], case: dict[str, Any], tmp_path: Path, run_kb,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    if case.get("http"):
        with _server(case["http"]) as url:
            got = _run_case(tmp_path, run_kb, monkeypatch, doc, case, url)
    else:
        got = _run_case(tmp_path, run_kb, monkeypatch, doc, case, None)
    assert got == sorted(case["expect"])


def test_every_declared_rule_has_a_failing_and_a_passing_case() -> None:
    from kb_tools.checks import all_rules

    by_code = {}
    for code, doc, case in CASES:
        by_code.setdefault(code, {"rule": doc["rule"], "fail": 0, "pass": 0})
        by_code[code]["fail" if case["expect"] else "pass"] += 1
    missing = []
    for info in all_rules():
        got = by_code.get(info.code)
        if got is None or got["rule"] != info.name or not got["fail"] or not got["pass"]:
            missing.append(f"{info.code} {info.name}: {got}")
    assert missing == []
