"""The whole-run manifest (``kb_tools.replay``): ``kb check`` with nothing changed replays the
stored report, and any change to an input makes a normal run whose report is the same as a run
without any cache."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import BENCH_CORPUS
from kb_tools import cli, replay

ARGS = ["--no-progress", "check", "--format", "json", "--today", "2026-11-26"]


@pytest.fixture(name="base", scope="module")
def fixture_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("replay")
    BENCH_CORPUS.generate(root, 60, 5, systems=3)
    return root


@pytest.fixture(name="tree")
def fixture_tree(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(base, dst)
    old = (dt.datetime.now() - dt.timedelta(hours=1)).timestamp()
    for p in dst.rglob("*"):
        os.utime(p, (old, old))  # older than the racy window: the stat fields alone decide
    monkeypatch.chdir(dst)
    return dst


class Kb:
    """``kb`` as its script runs it (``cli.run``), noting whether the click group ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.full_runs = 0
        group = cli._group

        def counted(only_check: bool = False):  # type: ignore[no-untyped-def]
            self.full_runs += 1
            return group(only_check)

        monkeypatch.setattr(cli, "_group", counted)

    def __call__(self, *args: str) -> tuple[bool, int, list[dict], str]:
        """(replayed, exit code, findings, stderr)."""
        before = self.full_runs
        self.capsys.readouterr()
        try:
            code = cli.run(list(args or ARGS))
        except SystemExit as exc:
            code = exc.code
        out, err = self.capsys.readouterr()
        return self.full_runs == before, int(code or 0), json.loads(out)["findings"] if out.strip() else [], err


@pytest.fixture(name="kb")
def fixture_kb(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Kb:
    return Kb(monkeypatch, capsys)


def uncached(kb: Kb) -> list[dict]:
    replayed, _code, found, _err = kb("--no-progress", "check", "--no-cache", "--format", "json", "--today", "2026-11-26")
    assert not replayed
    return found


def test_nothing_changed_replays_the_report(tree: Path, kb: Kb) -> None:
    replayed, code, first, err = kb()
    assert not replayed and (tree / ".kb" / "cache" / replay.MANIFEST).is_file()
    again, code2, second, err2 = kb()
    assert again and code2 == code == 1 and second == first and second
    assert err2.split(" in ")[0] == err.split(" in ")[0]  # the summary, with the replay's own seconds


def test_touch_without_change_runs_again_with_the_same_report(tree: Path, kb: Kb) -> None:
    _r, _c, first, _e = kb()
    page = next((tree / "docs").rglob("*.md"))
    os.utime(page)
    replayed, _c, found, _e = kb()
    assert not replayed and found == first
    assert kb()[0]  # the new manifest replays


def test_same_size_and_restored_mtime_is_still_seen(tree: Path, kb: Kb) -> None:
    _r, _c, first, _e = kb()
    page = tree / "docs" / "index.md"
    st = page.stat()
    text = page.read_text(encoding="utf-8")
    assert ".md)" in text
    page.write_text(text.replace(".md)", ".mx)", 1), encoding="utf-8")  # same size, one link broken
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the mtime as before: the ctime differs
    assert page.stat().st_size == st.st_size and page.stat().st_mtime_ns == st.st_mtime_ns
    replayed, _c, found, _e = kb()
    assert not replayed and found != first and found == uncached(kb)


def test_new_and_deleted_files(tree: Path, kb: Kb) -> None:
    _r, _c, first, _e = kb()
    extra = tree / "docs" / "extra.md"
    extra.write_text("---\ntitle: 追加\nowner: kb\n---\n\n# 追加\n\n[壊れた](missing-new.md)\n", encoding="utf-8")
    replayed, _c, found, _e = kb()
    assert not replayed and found == uncached(kb) and any(f["target"] == "missing-new.md" for f in found)
    extra.unlink()
    replayed, _c, found, _e = kb()
    assert not replayed and found == first
    (tree / "docs" / "img" / "new.png").write_bytes(b"png")  # an asset: links may now resolve
    assert not kb()[0]


def test_data_file_change(tree: Path, kb: Kb) -> None:
    kb()
    roster = tree / "docs" / "_data" / "roster.yml"
    roster.write_text(roster.read_text(encoding="utf-8") + "\n# 変更\n", encoding="utf-8")
    replayed, _c, found, _e = kb()
    assert not replayed and found == uncached(kb)


def test_date_change(tree: Path, kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--no-progress", "check", "--format", "json"]  # today's date from the clock
    kb(*args)
    assert kb(*args)[0]
    monkeypatch.setattr(replay, "_today", lambda: dt.date.today() + dt.timedelta(days=1))
    assert not kb(*args)[0]


def test_config_and_arguments_change(tree: Path, kb: Kb) -> None:
    kb()
    cfg = tree / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n# 変更\n", encoding="utf-8")
    assert not kb()[0]
    assert kb()[0]
    replayed, _c, _f, err = kb("--no-progress", "-q", "check", "--format", "json", "--today", "2026-11-26")
    assert not replayed and err == ""
    replayed, code, _f, _e = kb("--no-progress", "check", "--format", "json", "--today", "2026-11-26", "--exit-zero")
    assert not replayed and code == 0
    replayed, code, _f, _e = kb("--no-progress", "check", "--format", "json", "--today", "2026-11-26", "--exit-zero")
    assert replayed and code == 0


def test_racy_file_is_hashed(tree: Path, kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file modified within the racy window of the snapshot gets its content hash stored."""
    page = tree / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    kb()
    import marshal

    files = marshal.loads((tree / ".kb" / "cache" / replay.MANIFEST).read_bytes())["files"]
    assert files["index.md"][4] is not None and files["_data/roster.yml"][4] is None
    assert kb()[0]
    monkeypatch.setattr(replay, "_digest", lambda path: b"changed")  # as if the bytes differed
    assert not kb()[0]


def test_options_it_does_not_know_run_normally(tree: Path, kb: Kb) -> None:
    kb()
    assert not kb("--no-progress", "check", "--format", "json", "--today", "2026-11-26", "--no-cache")[0]
    assert replay._parse_argv(["check", "--external"]) is None
    assert replay._parse_argv(["-v", "check"]) is None
    assert replay._parse_argv(["check", "-o", "x.json"]) is None
    assert replay._parse_argv(["review"]) is None
    assert replay._parse_argv(["-c", "site/mkdocs.yml", "check", "docs/a.md"]) == "site/mkdocs.yml"
    assert replay._parse_argv(["--config=x.yml", "check", "--format=json"]) == "x.yml"


def test_installed_package_change_runs_again(tree: Path, kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrading a distribution the checks follow (Markdown, pymdown-extensions, MkDocs) is in the key."""
    kb()
    assert kb()[0]
    real = replay.installed_fingerprint()
    assert any(n.lower().startswith("markdown-") for n in real)  # the real listing names the real packages
    monkeypatch.setattr(replay, "installed_fingerprint", lambda: sorted(real + ["markdown-99.0.dist-info"]))
    replayed, _c, found, _e = kb()
    assert not replayed and found == uncached(kb)


def test_kb_sources_change_runs_again(tree: Path, kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit or upgrade of kb itself (``source_fingerprint``) is in the key."""
    kb()
    assert kb()[0]
    monkeypatch.setattr(replay, "source_fingerprint", lambda: "another kb")
    replayed, _c, found, _e = kb()
    assert not replayed and found == uncached(kb)


def test_data_folder_outside_docs_never_replays(tree: Path, kb: Kb) -> None:
    """The snapshot covers docs_dir: a _data folder outside it (data_dir: ../data) stores no manifest."""
    shutil.move(str(tree / "docs" / "_data"), str(tree / "data"))
    cfg = tree / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "plugins:\n  - search:\n      lang: ja\n" in text
    cfg.write_text(text.replace("plugins:\n  - search:\n      lang: ja\n",
                                "plugins:\n  - search:\n      lang: ja\n  - kb:\n      data_dir: ../data\n"), encoding="utf-8")
    kb()
    assert not (tree / ".kb" / "cache" / replay.MANIFEST).exists()
    assert not kb()[0]


def test_one_walk_serves_the_manifest_and_the_corpus(tree: Path, kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus loader reuses the walk behind the manifest's snapshot (kb_tools._walk): the
    same files and tree issues as its own walk, loops and broken links included, and a report
    equal to a run without any cache."""
    from kb_tools import _walk
    from kb_tools.parse.tree import walk_docs

    docs = tree / "docs"
    os.symlink("..", docs / "apps" / "loop")
    os.symlink("nowhere.md", docs / "dangling.md")
    (docs / "again").symlink_to(docs / "apps", target_is_directory=True)
    w = _walk.walk(docs)
    files, issues = walk_docs(docs, w)
    # one of apps/ and again/ (the same folder) is entered, the other cut; the loop inside it and
    # the dangling link are the tree's issues (which of the two comes first is the file system's order)
    entered = "again" if any(f.startswith("again/") for f, _st in files) else "apps"
    in_apps = sorted(p.name for p in (docs / "apps").iterdir() if p.suffix == ".md")
    assert sorted(f.split("/", 1)[1] for f, _st in files if f.startswith(entered + "/")) == in_apps
    assert not any(f.startswith(("apps/", "again/")) and not f.startswith(entered + "/") for f, _st in files)
    assert [(p, i.message) for p, i in issues] == [
        ("dangling.md", "broken or looping symlink ({error})"),
        (f"{entered}/loop", "symlink loop: this folder link points back into the tree; skipped")]
    snap = replay.snapshot(docs, walked=w)
    assert snap["dangling.md"][0] == -1 and snap["apps/"][3] == snap["again/"][3]
    assert {f for f, _st in files} == {k for k, v in snap.items() if not k.endswith("/") and v[0] != -1}
    walks = []
    real = _walk.walk

    def counted(d):  # type: ignore[no-untyped-def]
        walks.append(str(d))
        return real(d)

    monkeypatch.setattr(replay, "walk", counted)
    monkeypatch.setattr("kb_tools.parse.tree.walk", counted)
    first = kb()
    assert not first[0] and len(walks) == 1  # no manifest yet: one walk for the snapshot and the corpus
    (docs / "apps" / "extra.md").write_text("# extra\n\n[x](missing-extra.md)\n", encoding="utf-8")
    walks.clear()
    replayed, _code, found, _err = kb()
    assert not replayed and len(walks) == 1  # the replay attempt's walk is the corpus' walk
    assert any(f.get("target") == "missing-extra.md" for f in found)
    assert found == uncached(kb)
