"""Shared fixtures: temporary docs trees, the kb CLI, and a real headless Chromium."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")



def _bench_module(name: str):  # bench/ holds the project's generator: tests and benchmarks share it
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"kb_bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


BENCH_CORPUS = _bench_module("corpus")
MKDOCS_YML = """\
site_name: テスト
docs_dir: docs
exclude_docs: |
  _data/
""" + BENCH_CORPUS.MARKDOWN_YML


def make_docs(root: Path, files: dict[str, str | bytes], mkdocs_yml: str | None = MKDOCS_YML) -> Path:
    """Write a docs tree: keys are paths relative to docs/ (``_data/roster.yml`` too).

    str values are dedented and written as UTF-8; bytes are written as they are.
    Returns the folder holding mkdocs.yml.
    """
    if mkdocs_yml is not None:
        (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        p = docs / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(name="make_docs")
def fixture_make_docs(tmp_path: Path):
    def _make(files: dict[str, str | bytes], mkdocs_yml: str | None = MKDOCS_YML) -> Path:
        return make_docs(tmp_path, files, mkdocs_yml)

    return _make


@pytest.fixture(name="run_kb")
def fixture_run_kb(monkeypatch: pytest.MonkeyPatch):
    """Run ``kb ARGS`` in folder ``cwd``; returns click's Result (exit_code, stdout, stderr)."""
    from kb_tools.cli import main

    def _run(cwd: Path, *args: str, input: str | None = None):
        monkeypatch.chdir(cwd)
        runner = CliRunner()
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return _run


@pytest.fixture(scope="session", name="browser")
def fixture_browser() -> Iterator[object]:
    """A real headless Debian Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("KB_SKIP_BROWSER") == "1":
            pytest.skip("chromium not installed and KB_SKIP_BROWSER=1")
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (.ci/run does) or set KB_SKIP_BROWSER=1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session", name="gen_corpus")
def fixture_gen_corpus(tmp_path_factory: pytest.TempPathFactory):
    """Generate a corpus with the project's bench/corpus.py (deterministic); returns its folder."""
    gen = BENCH_CORPUS
    made: dict[tuple[int, int], Path] = {}

    def _gen(pages: int = 120, seed: int = 7) -> Path:
        key = (pages, seed)
        if key not in made:
            out = tmp_path_factory.mktemp(f"corpus{pages}_{seed}")
            gen.generate(out, pages, seed)
            made[key] = out
        return made[key]

    return _gen


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests that assert English messages run in English (KB_LANG=en, like a user's override).

    tests/test_i18n.py removes KB_LANG to test the default language and both catalogs.
    """
    from kb_tools import i18n

    monkeypatch.setenv("KB_LANG", "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@contextmanager
def serve_http(handler: type, url_suffix: str = "") -> Iterator[str]:
    """Serve ``handler`` (a BaseHTTPRequestHandler class or partial) on 127.0.0.1; yields the base URL."""
    import http.server
    import threading

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}{url_suffix}"
    finally:
        srv.shutdown()
        srv.server_close()
