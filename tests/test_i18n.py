"""Japanese first (DESIGN §12): one catalog, ja and en, language from theme.language / KB_LANG / --lang."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_tools import i18n
from kb_tools.cli import main

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _catalog(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with open(REPO / "kb_tools" / "locale" / lang / "LC_MESSAGES" / "kb.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def _msgids() -> dict[str, list[tuple[str, int]]]:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import update_catalogs
    finally:
        sys.path.pop(0)
    return update_catalogs.extract()


def test_every_msgid_in_the_code_is_translated_in_ja() -> None:
    ja = _catalog("ja")
    ids = _msgids()
    assert len(ids) > 200
    missing = [m for m in ids if not ja.get(m)]
    assert not missing, f"{len(missing)} msgid(s) missing from the ja catalog (python tools/update_catalogs.py): {missing[:5]}"


def test_translations_keep_the_placeholders() -> None:
    for lang in ("ja", "en"):
        for msgid, text in _catalog(lang).items():
            if text:
                assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), (lang, msgid, text)


def test_missing_mo_is_compiled_from_the_po(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    po = REPO / "kb_tools" / "locale" / "ja" / "LC_MESSAGES" / "kb.po"
    (tmp_path / "ja" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ja" / "LC_MESSAGES" / "kb.po").write_bytes(po.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    t = i18n._load("ja")
    assert t.gettext("split the page") == "ページを分割してください"
    assert (tmp_path / "ja" / "LC_MESSAGES" / "kb.mo").is_file()


def test_language_names_and_fallback() -> None:
    assert i18n.normalize("ja_JP.UTF-8") == "ja" and i18n.normalize("EN") == "en"
    assert i18n.normalize("fr") is None
    assert i18n.choose("ja", "en", "en") == "ja" and i18n.choose(None, "ja", "en") == "ja"
    assert i18n.choose(None, None, "ja") == "ja" and i18n.choose("xx", "ja", "ja") == "en"
    assert i18n.set_language("klingon") == "en" and i18n.current_language() == "en"


# ---------------------------------------------------------------------- end to end through kb check

MKDOCS = """\
site_name: t
theme:
  name: mkdocs
  language: {lang}
nav:
  - index.md
  - runbook.md
plugins:
  - kb
"""
ROSTER = "infra: {name: インフラ担当, holders: [{person: 担当者A, since: 2023-04-01}], past: []}\n"
TAXONOMY = "vpn: {label: VPN}\n"
INDEX = """\
---
title: トップ
owner: infra
description: 入口
last_reviewed: 2025-01-01
tags: [vpnn]
ower: x
---
# トップ

[a](missing.md) [b](#nowhere) [c](../../outside.md) [d](/runbook.md) ![e](img/none.png)
[f](runbook.md)
"""
RUNBOOK = """\
---
title: 手順
owner: nobody
type: runbook
description: 手順
last_reviewed: 2020-01-01
---
# 手順

初期パスワード：Abcd#1234
"""
ORPHAN = "---\ntitle: 孤立\nowner: infra\ndescription: x\nlast_reviewed: 2025-01-01\n---\n# 孤立\n"

# code -> (a Japanese fragment, the English fragment)
EXPECTED = {
    "KB201": ("リンク先 missing.md が見つかりません", "link target 'missing.md' does not exist"),
    "KB202": ("見出し ID「#nowhere」はこのページにありません", "anchor '#nowhere' does not exist in this page"),
    "KB203": ("docs フォルダの外を指しています", "points outside the docs folder"),
    "KB206": ("絶対パスのリンク /runbook.md", "absolute link '/runbook.md' is left as is by MkDocs"),
    "KB205": ("ファイル img/none.png が見つかりません", "file 'img/none.png' does not exist"),
    "KB103": ("タグ「vpnn」は _data/taxonomy.yml にありません", "tag 'vpnn' is not in _data/taxonomy.yml"),
    "KB105": ("フロントマターの項目「ower」は kb では使いません", "unknown front matter field 'ower'"),
    "KB104": ("担当（owner）「nobody」は _data/roster.yml のロールにありません",
              "owner 'nobody' is not a role in _data/roster.yml"),
    "KB101": ("必須項目「deputy」がありません", "required field 'deputy' is missing"),
    "KB301": ("見直し期限を", "review overdue by"),
    "KB401": ("たどり着けないページです", "page is reachable from neither the nav nor any other page"),
    "KB603": ("ページにパスワード「****」が書かれています", "password '****' is written in the page"),
}


@pytest.fixture()
def project(tmp_path: Path):
    def make(lang: str = "ja") -> Path:
        docs = tmp_path / "docs"
        (docs / "_data").mkdir(parents=True, exist_ok=True)
        (tmp_path / "mkdocs.yml").write_text(MKDOCS.format(lang=lang), encoding="utf-8")
        (docs / "_data" / "roster.yml").write_text(ROSTER, encoding="utf-8")
        (docs / "_data" / "taxonomy.yml").write_text(TAXONOMY, encoding="utf-8")
        (docs / "index.md").write_text(INDEX, encoding="utf-8")
        (docs / "runbook.md").write_text(RUNBOOK, encoding="utf-8")
        (docs / "orphan.md").write_text(ORPHAN, encoding="utf-8")
        return tmp_path
    return make


def _check(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), *args, "check", "--format", "json",
                                    "--today", "2026-01-01"], env=env)
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    by_code: dict[str, str] = {}
    for f in data["findings"]:
        by_code.setdefault(f["code"], "")
        by_code[f["code"]] += f["message"] + " | " + (f.get("hint") or "") + "\n"
    return by_code, res.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_sample_of_rules_in_both_languages(project, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.delenv("KB_LANG")
    by_code, _ = _check(project("ja"), "--lang", lang)
    for code, (ja, en) in EXPECTED.items():
        assert code in by_code, (code, sorted(by_code))
        assert (ja if lang == "ja" else en) in by_code[code], (code, by_code[code])


def test_default_language_follows_theme_language(project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_LANG")
    by_code, _ = _check(project("ja"))
    assert EXPECTED["KB201"][0] in by_code["KB201"]
    by_code, _ = _check(project("en"))
    assert EXPECTED["KB201"][1] in by_code["KB201"]


def test_kb_lang_overrides_theme_and_lang_overrides_kb_lang(project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_LANG")
    root = project("ja")
    by_code, _ = _check(root, env={"KB_LANG": "en"})
    assert EXPECTED["KB201"][1] in by_code["KB201"]
    by_code, _ = _check(root, "--lang", "ja", env={"KB_LANG": "en"})
    assert EXPECTED["KB201"][0] in by_code["KB201"]
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), "check", "--lang", "en", "-q"],
                             env={"KB_LANG": "ja"})
    assert EXPECTED["KB201"][1] in res.stdout


def test_unknown_language_falls_back_to_english(project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_LANG")
    by_code, _ = _check(project("ja"), "--lang", "xx")
    assert EXPECTED["KB201"][1] in by_code["KB201"]
    by_code, _ = _check(project("ja"), env={"KB_LANG": "de_DE.UTF-8"})
    assert EXPECTED["KB201"][1] in by_code["KB201"]


def test_summary_line_and_errors_are_translated(project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_LANG")
    root = project("ja")
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), "check"])
    assert "ページを" in res.stderr and "秒で確認しました" in res.stderr
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), "rules", "KB999"])
    assert res.exit_code == 2 and "ルール「KB999」はありません" in res.stderr
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), "rules", "KB201"])
    assert "docs フォルダにないページやファイルへの相対リンクです。" in res.stdout
    res = CliRunner().invoke(main, ["--lang", "en", "--config", str(root / "mkdocs.yml"), "rules", "KB201"])
    assert "Relative link to a page or file that does not exist" in res.stdout


def test_kb_check_on_the_repo_speaks_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_LANG")
    env = {k: v for k, v in __import__("os").environ.items() if k != "KB_LANG"}
    proc = subprocess.run([str(Path(sys.executable).parent / "kb"), "check", "--no-progress"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ページを" in proc.stderr and "確認しました" in proc.stderr


# ---------------------------------------------------------------------- reports and generated pages

REPORTS = [  # (args, Japanese headings, English headings)
    (["review"], ["インフラ担当 (infra) — 担当者A", "日超過", "[レビュー周期]"],
     ["インフラ担当 (infra) — 担当者A", "days overdue", "[periodic review]"]),
    (["review", "--format", "md"], ["時点で、レビュー期限を過ぎたページが", "| ページ | 状況 | 期限 | 理由 |"],
     ["page(s) are past their review date", "| Page | Status | Due | Reason |"]),
    (["handover", "担当者A", "--no-git"],
     ["# 引継ぎ書: 担当者A", "## 1. 担当しているロール", "## 2. 主担当のページ（", "## 9. 後任者へのチェックリスト"],
     ["# Handover report: 担当者A", "## 1. Roles held", "## 2. Pages owned (", "## 9. Checklist for the successor"]),
    (["report", "ownership", "--format", "md", "--no-git"],
     ["## 分野別の担当者数", "## ロール別の担当ページ", "## 副担当のいないページ", "## タグ別の担当者数"],
     ["## People per area", "## Pages by role", "## Pages without a deputy", "## People per tag"]),
]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("args, ja, en", REPORTS, ids=[" ".join(r[0][:2]) for r in REPORTS])
def test_report_headings_follow_the_cli_language(project, lang: str, args: list[str], ja: list[str],
                                                 en: list[str]) -> None:
    root = project("ja")
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), "--lang", lang, *args,
                                    "--today", "2026-01-01"])
    assert res.exit_code in (0, 1), res.output
    wanted, other = (ja, en) if lang == "ja" else (en, ja)
    for text in wanted:
        assert text in res.stdout, (text, res.stdout)
    for text in set(other) - set(wanted):  # role names and people are the same in both
        assert text not in res.stdout, (text, res.stdout)


@pytest.mark.parametrize("site_lang, shell_lang", [("ja", "en"), ("en", "ja")])
def test_generated_pages_are_in_the_sites_language(project, monkeypatch: pytest.MonkeyPatch, site_lang: str,
                                                   shell_lang: str) -> None:
    import datetime as dt

    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.site.pages import generate

    monkeypatch.setenv("KB_LANG", shell_lang)
    root = project(site_lang)
    i18n.set_language(shell_lang)
    review = generate(build_corpus(load_config(root / "mkdocs.yml"), use_cache=False), dt.date(2026, 1, 1))["kb/review.md"]
    assert i18n.current_language() == shell_lang  # the reader's language is back after the pages
    if site_lang == "ja":
        assert "時点で、レビュー期限を過ぎたページが **1件**" in review and "| ページ | 状況 |" in review
        assert "日超過**" in review and "days overdue" not in review
    else:
        assert "page(s) are past their review date" in review and "| Page | Status |" in review
        assert "日超過" not in review
    out = root / "out"
    res = CliRunner().invoke(main, ["--config", str(root / "mkdocs.yml"), "pages", "--out", str(out),
                                    "--today", "2026-01-01"])
    assert res.exit_code == 0, res.output
    assert (out / "kb/review.md").read_text(encoding="utf-8") == review


def test_language_block_restores_the_language_before_it() -> None:
    i18n.set_language("en")
    with i18n.language("ja") as code:
        assert code == "ja" and i18n._("{days} days overdue") == "{days}日超過"
        with i18n.language("xx"):
            assert i18n.current_language() == "en"
        assert i18n.current_language() == "ja"
    assert i18n.current_language() == "en"
    with pytest.raises(RuntimeError), i18n.language("ja"):
        raise RuntimeError
    assert i18n.current_language() == "en"
