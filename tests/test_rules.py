"""Every rule with a failing and a passing case, on real temporary docs trees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import MKDOCS_YML
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.checks.engine import run_checks
from kb_tools.checks import all_rules

TODAY = dt.date(2026, 11, 26)

ROSTER = """\
infra:
  name: インフラ担当
  holders:
    - {person: 担当者A, since: 2023-04-01}
  past: []
network:
  name: ネットワーク担当
  holders:
    - {person: 担当者B, since: 2022-04-01}
  past: []
"""
TAXONOMY = """\
network:
  label: ネットワーク
  aliases: [NW]
ガバメントクラウド:
  label: ガバメントクラウド
  aliases: [ガバクラ]
"""


def fm(**kw: str) -> str:
    base = {"title": "ページ", "description": "説明。", "type": "guide", "owner": "infra", "deputy": "network",
            "status": "active", "last_reviewed": "2026-10-01", "review_every": "365", "tags": "[network]"}
    base.update(kw)
    body = "".join(f"{k}: {v}\n" for k, v in base.items() if v is not None and v != "DROP")
    return f"---\n{body}---\n"


def check(make_docs, files: dict[str, str], with_registry: bool = True, mkdocs_yml: str | None = None):
    if with_registry:
        files = {"_data/roster.yml": ROSTER, "_data/taxonomy.yml": TAXONOMY, **files}
    root = make_docs(files) if mkdocs_yml is None else make_docs(files, mkdocs_yml)
    cfg = load_config(root / "mkdocs.yml")
    result = run_checks(build_corpus(cfg, use_cache=False), today=TODAY)
    return [f"{f.path}:{f.line}:{f.rule}" for f in result.findings], result


# (id, files, expected findings "path:line:rule"). Every page links to the others so orphans stay quiet.
CASES = [
    ("link.ok", {"index.md": fm() + "[a](sub/a.md) [b](sub/a.md#手順)\n", "sub/a.md": fm(title="A") + "\n## 手順\n"}, []),
    ("link.missing-target", {"index.md": fm() + "\n[a](sub/b.md)\n", "sub/a.md": fm(title="A")}, ["index.md:13:link.missing-target"]),
    ("link.missing-anchor", {"index.md": fm() + "[a](a.md#無い見出し)\n", "a.md": fm(title="A") + "## 手順\n"}, ["index.md:12:link.missing-anchor"]),
    ("link.pct-anchor-ok", {"index.md": fm() + "[a](a.md#%E6%89%8B%E9%A0%86)\n", "a.md": fm(title="A") + "## 手順\n"}, []),
    ("link.self-anchor", {"index.md": fm() + "## 概要\n[x](#概要) [y](#なし)\n"}, ["index.md:13:link.missing-anchor"]),
    ("link.outside-docs", {"index.md": fm() + "[p](../../../etc/passwd)\n"}, ["index.md:12:link.outside-docs"]),
    ("link.directory", {"index.md": fm() + "[v](vpn/)\n", "vpn/index.md": fm(title="VPN")}, ["index.md:12:link.directory"]),
    ("link.directory-no-index", {"index.md": fm() + "[v](vpn/)\n", "vpn/a.md": fm(title="VPN")}, ["index.md:12:link.missing-target"]),
    ("asset.missing", {"index.md": fm() + "![図](img/x.png) ![ok](img/y.png)\n", "img/y.png": "png"}, ["index.md:12:asset.missing"]),
    ("link.absolute", {"index.md": fm() + "[a](/a.md)\n", "a.md": fm(title="A")}, ["index.md:12:link.absolute"]),
    ("link.japanese-file", {"index.md": fm() + "[a](%E6%89%8B%E9%A0%86.md?x=1) [b](手順.md)\n", "手順.md": fm(title="A")}, []),
    ("link.excluded-target", {"index.md": fm() + "[a](_data/roster.yml)\n"}, ["index.md:12:link.excluded-target"]),
    ("meta.required", {"index.md": fm(owner="DROP", description="DROP")}, ["index.md:1:meta.required", "index.md:1:meta.required"]),
    ("meta.required-deputy", {"index.md": fm(type="runbook", deputy="DROP")}, ["index.md:1:meta.required"]),
    ("meta.invalid", {"index.md": fm(last_reviewed="2024/03/01", status="final")}, ["index.md:7:meta.invalid", "index.md:8:meta.invalid"]),
    ("meta.invalid-quoted-date", {"index.md": fm(last_reviewed='"2026-10-01"')}, ["index.md:8:meta.invalid"]),
    ("meta.invalid-impossible-date", {"index.md": fm(last_reviewed="2025-02-29")}, ["index.md:8:meta.invalid"]),
    ("meta.unknown-tag", {"index.md": fm(tags="[ネットワーク管理, NW, ガバクラ]")}, ["index.md:10:meta.unknown-tag"]),
    ("meta.unknown-owner", {"index.md": fm(owner="担当者A")}, ["index.md:5:meta.unknown-owner"]),
    ("meta.unknown-field", {"index.md": fm() .replace("---\n", "---\nower: infra\n", 1)}, ["index.md:2:meta.unknown-field"]),
    ("meta.registry", {"index.md": fm(), "_data/taxonomy.yml": "network: [unclosed\n"}, ["_data/taxonomy.yml:2:meta.registry"]),
    ("review.overdue", {"index.md": fm(last_reviewed="2024-01-01")}, ["index.md:8:review.overdue"]),
    ("review.due-soon", {"index.md": fm(last_reviewed="2025-12-01")}, ["index.md:8:review.due-soon"]),
    ("review.fiscal-year", {"index.md": fm(last_reviewed="2026-03-01").replace("tags:", "review_on_fiscal_year: true\ntags:")}, ["index.md:8:review.overdue"]),
    ("page.duplicate-title", {"index.md": fm() + "[a](a.md)\n", "a.md": fm()}, ["a.md:2:page.duplicate-title", "index.md:2:page.duplicate-title"]),
    ("parse.front-matter", {"index.md": "---\ntitle: [\n---\n"}, ["index.md:3:parse.front-matter"]),
    ("parse.encoding", {"index.md": fm() + "ok\n"}, []),
    ("kb_ignore", {"index.md": fm(last_reviewed="2024-01-01").replace("tags:", "kb_ignore: [review.overdue]\ntags:")}, []),
]


@pytest.mark.parametrize("case_id,files,expected", CASES, ids=[c[0] for c in CASES])
def test_rule_cases(make_docs, case_id: str, files: dict[str, str], expected: list[str]) -> None:
    got, _ = check(make_docs, files)
    assert sorted(got) == sorted(expected)


NAV_YML = MKDOCS_YML + """\
nav:
  - index.md
  - 手順: a.md
  - missing.md
"""


def test_orphans_and_nav_with_explicit_nav(make_docs) -> None:
    files = {"index.md": fm() + "[b](b.md)\n", "a.md": fm(title="A"), "b.md": fm(title="B"), "lost.md": fm(title="迷子")}
    got, result = check(make_docs, files, mkdocs_yml=NAV_YML)
    assert "lost.md:1:page.orphan" in got and "a.md:1:page.orphan" not in got and "b.md:1:page.orphan" not in got
    nav = [f for f in result.findings if f.rule == "nav.missing-target"]
    assert len(nav) == 1 and nav[0].target == "missing.md"


def test_parse_encoding_finding_points_at_byte(make_docs) -> None:
    root = make_docs({"index.md": "---\ntitle: a\n---\n\n日本語\n".encode() + b"\x82\xa0 sjis\n"})
    result = run_checks(build_corpus(load_config(root / "mkdocs.yml"), use_cache=False), today=TODAY)
    enc = [f for f in result.findings if f.rule == "parse.encoding"]
    assert [(f.line, f.column) for f in enc] == [(6, 1)]


def test_positional_anchor_and_default_slugify(make_docs) -> None:
    yml = "site_name: t\n"  # toc default slugify
    files = {"index.md": "# はじめに\n\n## セットアップ手順\n\n[x](a.md#_2)\n", "a.md": "# A\n\n## 手順一\n\n## 手順二\n"}
    got, result = check(make_docs, files, with_registry=False, mkdocs_yml=yml)
    assert "index.md:5:link.positional-anchor" in got
    assert any(f.rule == "config.default-slugify" for f in result.findings)
    pos = next(f for f in result.findings if f.rule == "link.positional-anchor")
    assert "slugify" in (pos.hint or "")


def test_unicode_slug_anchor_resolves_exactly(make_docs) -> None:
    files = {"index.md": fm() + "[ok](a.md#セットアップ手順) [bad](a.md#_2)\n", "a.md": fm(title="A") + "## はじめに\n\n## セットアップ手順\n"}
    got, _ = check(make_docs, files)
    assert got == ["index.md:12:link.missing-anchor"]


def test_hint_did_you_mean(make_docs) -> None:
    files = {"index.md": fm() + "[a](vpn/vpn-setp.md)\n", "vpn/vpn-setup.md": fm(title="A") + "[i](../index.md)\n"}
    _, result = check(make_docs, files)
    f = next(f for f in result.findings if f.rule == "link.missing-target")
    assert f.hint == "did you mean 'vpn/vpn-setup.md'?"
    tag = check(make_docs, {"index.md": fm(tags="[netwrok]")})[1].findings[0]
    assert tag.rule == "meta.unknown-tag" and tag.hint == "did you mean 'network'?"
    owner = check(make_docs, {"index.md": fm(owner="担当者B")})[1].findings[0]
    assert owner.rule == "meta.unknown-owner" and "network" in (owner.hint or "")


def test_plain_mkdocs_project_gets_structural_rules_only(make_docs) -> None:
    files = {"index.md": "# Home\n\n[x](missing.md)\n", "other.md": "# Other\n\n[h](index.md)\n"}
    got, _ = check(make_docs, files, with_registry=False)
    assert got == ["index.md:3:link.missing-target"]


def test_every_rule_is_documented() -> None:
    # that every rule is tested is held by tests/test_rule_cases.py (a failing and a passing case each)
    for info in all_rules():
        assert info.doc, f"{info.code} has no documentation"


@pytest.mark.parametrize("directory_urls", ["true", "false"])
def test_use_directory_urls_both_ways(make_docs, directory_urls: str) -> None:
    files = {"index.md": fm() + "[a](sub/a.md) [b](sub/missing.md) [c](sub/)\n", "sub/a.md": fm(title="A"),
             "sub/index.md": fm(title="S")}
    got, _ = check(make_docs, files, mkdocs_yml=MKDOCS_YML + f"use_directory_urls: {directory_urls}\n")
    assert sorted(got) == ["index.md:12:link.directory", "index.md:12:link.missing-target"]


def test_absolute_links_relative_to_docs(make_docs) -> None:
    yml = MKDOCS_YML + "validation:\n  links:\n    absolute_links: relative_to_docs\n"
    files = {"index.md": fm() + "[a](/sub/a.md#手順) [b](/sub/none.md)\n", "sub/a.md": fm(title="A") + "## 手順\n"}
    got, _ = check(make_docs, files, mkdocs_yml=yml)
    assert got == ["index.md:12:link.missing-target"]


def test_template_placeholders_and_example_jwt_are_not_findings(make_docs) -> None:
    jwt = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
           ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    files = {"index.md": "# i\n\n<a href=\"{{ sponsor.url }}\"><img src=\"{{ sponsor.img }}\"></a>\n\n" + jwt + "\n"}
    got, _ = check(make_docs, files, with_registry=False)
    assert got == []
