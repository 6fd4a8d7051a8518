"""A small knowledge base used by the site tests: every kind of page the site treats specially.

Shared by tests/test_site_pages.py (generated Markdown, golden files), tests/test_plugin_build.py
(real MkDocs builds) and tests/test_site_browser.py (headless Chromium).
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "site_pages"
TODAY = _dt.date(2026, 11, 26)
UPDATE_GOLDENS = os.environ.get("KB_UPDATE_GOLDENS") == "1"

ROSTER = """\
infra:
  name: インフラ担当
  holders:
    - {person: 担当者A, since: 2023-04-01, leaving: 2027-03-31}
  past:
    - {person: 担当者X, from: 2019-04-01, to: 2023-03-31}
network:
  name: ネットワーク担当
  holders:
    - {person: 担当者B, since: 2022-04-01}
"""

TAXONOMY = """\
バックアップ:
  label: バックアップ
  reading: ばっくあっぷ
  aliases: [backup]
LGWAN:
  label: LGWAN
  reading: えるじーわん
オンボーディング:
  label: オンボーディング
  reading: おんぼーでぃんぐ
"""

GLOSSARY = """\
- term: LGWAN
  reading: えるじーわん
  full: Local Government Wide Area Network
  definition: 自治体どうしを結ぶ行政専用の閉じたネットワーク。
- term: 無害化
  reading: むがいか
  definition: ファイルから危険な部分を取り除いて別のネットワークへ渡す処理。
"""

FILES: dict[str, str] = {
    "_data/roster.yml": ROSTER,
    "_data/taxonomy.yml": TAXONOMY,
    "_data/glossary.yml": GLOSSARY,
    "index.md": """\
        ---
        title: テスト用ナレッジベース
        description: サイトのテスト用のトップページです。
        type: guide
        owner: infra
        deputy: network
        last_reviewed: 2026-10-01
        tags: [オンボーディング]
        ---

        # テスト用ナレッジベース

        LGWANを使う手順は[バックアップ手順](ops/backup.md)を見てください。
        """,
    "ops/backup.md": """\
        ---
        title: 夜間バックアップの確認手順
        description: 夜間バックアップが成功したかを毎朝確認する手順です。
        type: runbook
        owner: infra
        deputy: network
        status: active
        last_reviewed: 2025-01-10
        review_every: 180
        tags: [backup, LGWAN]
        ---

        # 夜間バックアップの確認手順

        ## 目的

        毎朝、LGWAN接続系のサーバーのバックアップが成功したかを確かめます。無害化したファイルだけを渡します。

        ## 手順

        1. 管理画面を開く
        2. 結果を確かめる
        """,
    "ops/draft.md": """\
        ---
        title: 障害連絡の手順（下書き）
        description: 障害が起きたときの連絡先と順番をまとめる予定の下書きです。
        type: runbook
        owner: network
        deputy: infra
        status: draft
        last_reviewed: 2026-11-01
        tags: [LGWAN]
        ---

        # 障害連絡の手順（下書き）

        準備中です。
        """,
    "ops/old.md": """\
        ---
        title: 旧バックアップ手順
        description: 以前のテープ装置を使ったバックアップ手順です。
        type: runbook
        owner: infra
        deputy: network
        status: deprecated
        replaced_by: ops/backup.md
        last_reviewed: 2024-04-01
        tags: [バックアップ]
        ---

        # 旧バックアップ手順

        この手順は使いません。
        """,
    "xss.md": """\
        ---
        title: "<script>alert('kb')</script>危険なタイトル"
        description: タイトルに HTML を含むページ（エスケープの確認用）。
        type: reference
        owner: network
        deputy: infra
        last_reviewed: 2026-09-01
        ---

        本文です。
        """,
    "onboarding/paths/start.md": """\
        ---
        title: 新任者のはじめの一歩
        description: 着任した人が最初に読むページを順に並べた学習パスです。
        type: path
        owner: infra
        deputy: network
        last_reviewed: 2026-10-01
        tags: [オンボーディング]
        steps:
          - page: index.md
            minutes: 10
            goal: このナレッジベースの使い方が分かる。
            check: 分からない言葉はどこで調べますか？
          - page: ops/backup.md
            minutes: 20
            goal: バックアップの確認を一人でできる。
            check: バックアップが失敗していたら誰に連絡しますか？
        ---

        # 新任者のはじめの一歩

        順番に読んで、終わったらチェックを付けてください。

        <!-- kb:steps -->

        ## 終わったら

        担当者に報告してください。
        """,
}


def site_yml(docs_dir: str = "docs") -> str:
    """The repo's mkdocs.yml, pointed at a fixture docs tree and the repo's overrides."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("custom_dir: overrides", f"custom_dir: {REPO / 'overrides'}")
    text = text.replace("docs_dir: docs\n", f"docs_dir: {docs_dir}\n")
    # the fixture pages are about the site, not sources: the house policy source.missing is off
    text = text.replace("        source.missing: warning\n", "        source.missing: \"off\"\n")
    assert str(REPO / "overrides") in text and "source.missing: \"off\"" in text
    return text


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/golden/site/NAME; KB_UPDATE_GOLDENS=1 rewrites the file."""
    path = GOLDEN / name
    if UPDATE_GOLDENS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"missing golden {path}: run with KB_UPDATE_GOLDENS=1 and review the diff"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (KB_UPDATE_GOLDENS=1 rewrites it; review the diff)"
