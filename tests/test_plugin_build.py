"""The kb MkDocs plugin in small real builds: findings through the MkDocs logger exactly as
``kb check`` words them, strict failure on errors, plain projects untouched, option errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

PLAIN_YML = """\
site_name: plain
theme: mkdocs
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds: {case: lower}
plugins:
  - kb
"""


def _build(root: Path, strict: bool, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs")
    cfg = mkdocs_load_config(str(root / "mkdocs.yml"), strict=strict, site_dir=str(root / "site"))
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()


def _kb_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name.endswith("kb_tools.site.plugin")]


def test_errors_fail_strict_build_with_kb_check_text(make_docs, run_kb, caplog) -> None:
    root = make_docs({
        "index.md": "# ホーム\n\n[なし](missing.md) と [見出し](#ない見出し)\n",
    }, PLAIN_YML)
    with pytest.raises(Abort):
        _build(root, True, caplog)
    lines = _kb_lines(caplog)
    errors = [m for lvl, m in lines if lvl == logging.ERROR]
    check = run_kb(root, "check")
    assert check.exit_code == 1
    # `kb check` prints "path:line:col: CODE [severity] message (hint)"; the log line drops the
    # severity (it is the log level) and keeps the rest byte for byte.
    # (kb check also asks this plain project for front matter, as the plugin is listed; the
    # plugin itself never does when there is no roster or taxonomy.)
    expected = [line.replace(" [error]", "") for line in check.stdout.splitlines() if "[error]" in line and ": KB2" in line]
    assert errors == [f"kb_tools: {e}" for e in expected]
    assert len(errors) == 2 and errors[0].startswith("kb_tools: index.md:3:6: KB201 ")


def test_plain_project_without_kb_metadata_builds_strict(make_docs, caplog) -> None:
    root = make_docs({"index.md": "# ホーム\n\n[別のページ](other.md)\n", "other.md": "# 別のページ\n\n本文\n"}, PLAIN_YML)
    _build(root, True, caplog)
    assert [m for lvl, m in _kb_lines(caplog) if lvl >= logging.WARNING] == []
    assert (root / "site" / "index.html").is_file()
    # generated pages are there, and say little on a plain project
    assert (root / "site" / "kb" / "tags" / "index.html").is_file()


def test_bad_plugin_option_is_a_clear_error(make_docs, caplog) -> None:
    root = make_docs({"index.md": "# ホーム\n"}, PLAIN_YML.replace("  - kb\n", "  - kb:\n      review_default_days: -3\n"))
    with pytest.raises((PluginError, ConfigurationError, Abort)) as exc:
        _build(root, False, caplog)
    assert "review_default_days" in str(exc.value) + caplog.text


def test_generated_pages_can_be_switched_off_and_links_to_them_fail(make_docs, caplog) -> None:
    yml = PLAIN_YML.replace("  - kb\n", "  - kb:\n      generated_pages: false\n")
    root = make_docs({"index.md": "# ホーム\n\n[タグ](kb/tags.md)\n"}, yml)
    with pytest.raises(Abort):
        _build(root, True, caplog)
    assert any("KB201" in m and "kb/tags.md" in m for _, m in _kb_lines(caplog))
    # with the pages on, the same link resolves
    caplog.clear()
    (root / "mkdocs.yml").write_text(PLAIN_YML, encoding="utf-8")
    _build(root, True, caplog)
    assert not [m for lvl, m in _kb_lines(caplog) if lvl >= logging.WARNING]


def test_kb_build_zip_and_failure_on_errors(make_docs, run_kb) -> None:
    import zipfile

    root = make_docs({"index.md": "# ホーム\n\n[別のページ](other.md)\n", "other.md": "# 別のページ\n"}, PLAIN_YML)
    res = run_kb(root, "build", "--zip")
    assert res.exit_code == 0, res.stderr
    with zipfile.ZipFile(root / "site.zip") as zf:
        names = zf.namelist()
    assert "site/index.html" in names and "site/other/index.html" in names
    (root / "docs" / "other.md").unlink()
    res = run_kb(root, "build")
    assert res.exit_code == 1
    assert "index.md:3:9: KB201 [error] link target 'other.md' does not exist" in res.stderr
    assert "errors found by kb check" in res.stderr
