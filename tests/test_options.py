"""Typed plugin options: an unknown option or a bad value exits 2 and names it (like MkDocs)."""

from __future__ import annotations

import pytest

from conftest import MKDOCS_YML

PAGE = "# A\n"


@pytest.mark.parametrize(("block", "named"), [
    ("secrets:\n        allow_patterns: ['(']\n", "secrets.allow_patterns"),
    ("secrets:\n        colour: 1\n", "secrets.colour"),
    ("secrets:\n        infrastructure: loud\n", "secrets.infrastructure"),
    ("external: {colour: 1}\n", "external.colour"),
    ("external: {timeout: -1}\n", "external.timeout"),
    ("external: {workers: 0}\n", "external.workers"),
    ("ignore_paths: 3\n", "ignore_paths"),
    ("sources: {deny: [x.gd]}\n", "sources.deny"),
    ("sources: {denied_hosts: ['bad host']}\n", "sources.denied_hosts"),
    ("no_such_option: true\n", "no_such_option"),
])
def test_bad_option_exits_2_naming_it(make_docs, run_kb, block: str, named: str) -> None:
    root = make_docs({"index.md": PAGE}, MKDOCS_YML + "plugins:\n  - kb:\n      " + block)
    res = run_kb(root, "--lang", "en", "check")
    assert res.exit_code == 2
    assert named in res.stderr and "mkdocs.yml" in res.stderr


def test_valid_options_are_used(make_docs, run_kb) -> None:
    yml = MKDOCS_YML + ("plugins:\n  - kb:\n      secrets: {allow: ['090-2345-6789'], infrastructure: warning}\n"
                        "      external: {timeout: 1, skip: 'https://intra.'}\n")
    root = make_docs({"index.md": "# A\n\n携帯 090-2345-6789、サーバー 10.20.30.40\n"}, yml)
    res = run_kb(root, "check", "--format", "json")
    import json

    rules = {f["rule"]: f["severity"] for f in json.loads(res.stdout)["findings"]}
    assert "secret.phone" not in rules  # allowed value
    assert rules["secret.private-ip"] == "warning"  # infrastructure severity raised


def test_a_bad_option_fails_the_mkdocs_build(make_docs, tmp_path) -> None:
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    root = make_docs({"index.md": PAGE}, MKDOCS_YML + "plugins:\n  - kb:\n      secrets: {colour: 1}\n")
    with pytest.raises((ConfigurationError, PluginError, Abort, SystemExit)) as exc:
        cfg = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
        cfg.plugins.on_startup(command="build", dirty=False)
        cfg.plugins.on_config(cfg)
    assert "colour" in str(exc.value)
