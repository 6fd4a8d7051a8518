"""Generated pages cached by their inputs: after each kind of edit the cached pages equal an
uncached render, and exactly the parts that read what changed were rendered again."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from conftest import BENCH_CORPUS
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.site.pages import OWNERSHIP_PATH, REVIEW_PATH, TAGS_PATH, generate
from kb_tools.site.pages.cache import CACHE_FILE

TODAY = dt.date(2026, 11, 26)
ALL = {"review", "ownership", "tags", "ledger"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gencache")
    BENCH_CORPUS.generate(out, 60, 3, systems=5)
    return out


@pytest.fixture
def tree(base: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(base, root)
    return root


def render(root: Path, today: dt.date = TODAY) -> tuple[dict[str, str], set[str]]:
    """(cached render, parts rendered now), after asserting it equals an uncached render."""
    corpus = build_corpus(load_config(root / "mkdocs.yml"), workers=1)
    cached = generate(corpus, today)
    rendered = set(corpus.stats["generated_rendered"])
    fresh = generate(build_corpus(load_config(root / "mkdocs.yml"), use_cache=False, workers=1), today,
                     use_cache=False)
    assert cached == fresh  # never stale
    return cached, rendered


def pages(root: Path) -> list[Path]:
    return sorted(p for p in (root / "docs").rglob("*.md") if "_data" not in p.parts)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def page_with(root: Path, pattern: str) -> Path:
    return next(p for p in pages(root) if re.search(pattern, p.read_text(encoding="utf-8"), re.M))


def test_nothing_changed_replays_every_part(tree: Path) -> None:
    first, rendered = render(tree)
    assert rendered == ALL and (tree / ".kb" / "cache" / CACHE_FILE).is_file()
    assert any(p.startswith("kb/systems/") for p in first)
    again, rendered = render(tree)
    assert again == first and rendered == set()


def test_body_edit_renders_nothing(tree: Path) -> None:
    first, _ = render(tree)
    victim = pages(tree)[7]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n追記した段落。\n", encoding="utf-8")
    after, rendered = render(tree)
    assert rendered == set() and after == first


def test_owner_change_renders_review_and_ownership(tree: Path) -> None:
    first, _ = render(tree)
    victim = page_with(tree, r"^owner: infra$")
    edit(victim, "owner: infra\n", "owner: procurement\n")
    after, rendered = render(tree)
    assert rendered == {"review", "ownership"}
    assert after[OWNERSHIP_PATH] != first[OWNERSHIP_PATH] and after[TAGS_PATH] == first[TAGS_PATH]


def test_contract_change_renders_review_and_ledger(tree: Path) -> None:
    first, _ = render(tree)
    edit(tree / "docs" / "_data" / "systems.yml", "contract: {number: G-0000, start: 2022-04-01, end: ",
         "contract: {number: G-0000, start: 2022-04-01, end: 2027-01-15}\n    x_old_end: {end: ")
    after, rendered = render(tree)
    assert rendered == {"review", "ledger"}
    assert after["kb/systems/sys0000.md"] != first["kb/systems/sys0000.md"]
    assert after[OWNERSHIP_PATH] == first[OWNERSHIP_PATH]


def test_system_owner_change_renders_ownership_too(tree: Path) -> None:
    render(tree)
    ledger = tree / "docs" / "_data" / "systems.yml"
    owner = re.search(r"^    owner: (\w+)$", ledger.read_text(encoding="utf-8"), re.M).group(1)  # type: ignore[union-attr]
    edit(ledger, f"    owner: {owner}\n", f"    owner: {'dx' if owner != 'dx' else 'infra'}\n")
    _after, rendered = render(tree)
    assert rendered == {"review", "ownership", "ledger"}


def test_another_day_renders_the_dated_parts(tree: Path) -> None:
    first, _ = render(tree)
    later, rendered = render(tree, TODAY + dt.timedelta(days=400))
    assert rendered == {"review", "ownership", "ledger"}
    assert later[REVIEW_PATH] != first[REVIEW_PATH] and later[TAGS_PATH] == first[TAGS_PATH]


def test_tags_status_and_systems_fields(tree: Path) -> None:
    render(tree)
    victim = page_with(tree, r"^tags: \[")
    edit(victim, "tags: [", "tags: [クラウド, ")
    after, rendered = render(tree)
    assert rendered == {"review", "ownership", "tags"}
    edit(victim, "status: active", "status: deprecated")
    _after, rendered = render(tree)
    assert rendered == ALL
    victim = page_with(tree, r"^systems: \[")
    edit(victim, "systems: [", "systems: [sys0001, ")
    _after, rendered = render(tree)
    assert rendered == {"review", "ownership", "ledger"}


def test_title_and_todo_edits(tree: Path) -> None:
    first, _ = render(tree)
    victim = pages(tree)[3]
    text = victim.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M).group(1)  # type: ignore[union-attr]
    edit(victim, f"title: {title}\n", f"title: {title}（改訂）\n")
    _after, rendered = render(tree)
    assert rendered == ALL  # every part lists pages by title
    victim.write_text(victim.read_text(encoding="utf-8") + '\n!!! warning "要確認"\n    窓口の電話番号は未確認。\n',
                      encoding="utf-8")
    after, rendered = render(tree)
    assert rendered == {"review"} and "要確認" in after[REVIEW_PATH] and "要確認" not in first[REVIEW_PATH]


def test_roster_config_and_language_render_everything(tree: Path) -> None:
    render(tree)
    edit(tree / "docs" / "_data" / "roster.yml", "担当者A", "担当者Z")
    _after, rendered = render(tree)
    assert rendered == ALL
    cfg = tree / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "extra:\n  kb_section_titles: {cloud: クラウド基盤}\n",
                   encoding="utf-8")
    _after, rendered = render(tree)
    assert rendered == ALL
    edit(cfg, "language: ja", "language: en")
    after, rendered = render(tree)
    assert rendered == ALL


def test_new_page_and_corrupt_cache(tree: Path) -> None:
    render(tree)
    new = tree / "docs" / "cloud" / "new-page.md"
    new.write_text("---\ntitle: 新しいページ\nowner: infra\n---\n\n# 新しいページ\n", encoding="utf-8")
    _after, rendered = render(tree)
    assert rendered == ALL  # the set of paths changed
    (tree / ".kb" / "cache" / CACHE_FILE).write_bytes(b"\x00garbage")
    _after, rendered = render(tree)
    assert rendered == ALL


def test_directory_urls_as_the_build_sets_them(tree: Path) -> None:
    """The ledger's tables link with the build's effective ``use_directory_urls`` (Material's
    offline plugin turns it off in the build, mkdocs.yml unchanged): a render under the other
    value is never replayed."""
    def run(use_dir: bool, use_cache: bool = True) -> tuple[dict[str, str], set[str]]:
        corpus = build_corpus(load_config(tree / "mkdocs.yml"), workers=1)
        corpus.config.use_directory_urls = use_dir  # as the plugin's on_files sets it
        return generate(corpus, TODAY, use_cache=use_cache), set(corpus.stats["generated_rendered"])

    with_dirs, _ = run(True)
    without, rendered = run(False)
    assert "ledger" in rendered
    assert without == run(False, use_cache=False)[0]
    assert any(with_dirs[p] != without[p] for p in with_dirs if p.startswith("kb/systems/"))


def test_kb_sources_changed_render_everything(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade or edit of kb itself (``replay.source_fingerprint``) re-renders every part."""
    _before, first = render(tree)
    _again, rendered = render(tree)
    assert first == ALL and rendered == set()
    monkeypatch.setattr("kb_tools.site.pages.cache.source_fingerprint", lambda: "another kb")
    _after, rendered = render(tree)
    assert rendered == ALL
