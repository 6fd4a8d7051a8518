"""A small knowledge base in a real git repository, shared by the continuity tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROSTER = """\
# 役割台帳（コメントは保たれること）
infra:
  name: インフラ担当
  holders:
    - {person: 担当者A, since: 2023-04-01}
  past:
    - {person: 担当者X, from: 2019-04-01, to: 2023-03-31}

network:
  name: ネットワーク担当
  holders:
    - person: 担当者B
      since: 2022-04-01
    - person: 担当者A
      since: 2024-04-01

procurement:
  name: 調達担当
  holders:
    - {person: 担当者C, since: 2024-04-01, leaving: 2027-03-31}
  past: []
"""

TAXONOMY = """\
クラウド:
  label: クラウド
  reading: くらうど
  aliases: [AWS]
ネットワーク:
  label: ネットワーク
  reading: ねっとわーく
"""


def page(title: str, owner: str, *, deputy: str | None = None, type_: str = "guide", last: str = "2026-06-01",
         extra: str = "", tags: str = "[]") -> str:
    dep = f"deputy: {deputy}\n" if deputy else ""
    return (f"---\ntitle: {title}\ndescription: 説明です。\ntype: {type_}\nowner: {owner}\n{dep}status: active\n"
            f"last_reviewed: {last}\ntags: {tags}\n{extra}---\n\n# 見出し\n\n本文です。\n")


FILES = {
    "_data/roster.yml": ROSTER,
    "_data/taxonomy.yml": TAXONOMY,
    "index.md": page("ホーム", "infra", deputy="network"),
    # runbook, 180 days: due 2026-06-28 → overdue on 2026-11-26
    "cloud/a.md": page("クラウド手順", "infra", deputy="network", type_="runbook", last="2025-12-30", tags="[AWS]"),
    "cloud/b.md": page("サーバ手順", "infra", type_="runbook", last="2026-11-01", tags="[クラウド]"),
    "network/n.md": page("'<script>alert(1)</script> | [x](y) \\'", "network", deputy="infra", tags="[ネットワーク]"),
    "procurement/p.md": page("契約更新", "procurement", deputy="infra", extra="review_by: 2026-12-10\n"),
    "procurement/fy.md": page("年度切替ページ", "procurement", last="2026-03-01", extra="review_on_fiscal_year: true\n"),
    "onboarding/path.md": page("新任者パス", "infra", deputy="network", type_="path",
                               extra="steps:\n  - {page: cloud/a.md, minutes: 10, goal: 読む, check: 読めたか}\n"),
}


def git(root: Path, *args: str, author: str = "bot", date: str = "2024-01-01T09:00:00+09:00") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="kb@example.invalid", GIT_AUTHOR_DATE=date,
               GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL="kb@example.invalid", GIT_COMMITTER_DATE=date,
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=root,
                   env=env, check=True, capture_output=True)


def make_repo(root: Path) -> None:
    """History: a bot wrote everything in 2024; 担当者A alone changed cloud/b.md recently; 担当者B network/n.md."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    with open(root / "docs/cloud/b.md", "a", encoding="utf-8") as f:
        f.write("\n追記。\n")
    git(root, "commit", "-qam", "b", author="担当者A", date="2026-10-01T10:00:00+09:00")
    with open(root / "docs/network/n.md", "a", encoding="utf-8") as f:
        f.write("\n追記。\n")
    git(root, "commit", "-qam", "n", author="担当者B", date="2026-09-01T10:00:00+09:00")
    with open(root / "docs/network/n.md", "a", encoding="utf-8") as f:
        f.write("\n追記2。\n")
    git(root, "commit", "-qam", "n2", author="担当者A", date="2026-09-02T10:00:00+09:00")
