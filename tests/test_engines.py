"""The repo's site built by ``kb build`` with MkDocs and with ProperDocs (real builds, one
process each): the outputs agree file by file, byte for byte, apart from the generator meta tag,
which names the engine and its version. And ``--engine`` with an unknown or missing engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kb_tools.site import engine as engine_mod
from test_site_support import REPO, TODAY

KB = str(Path(sys.executable).with_name("kb"))
# Material's <meta name="generator">: "mkdocs-1.6.1, ..." or "mkdocs-ProperDocs 1.6.7, ...".
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(KB_TODAY=TODAY.isoformat(), KB_LANG="en", SOURCE_DATE_EPOCH="1764547200",
               NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    return env


@pytest.fixture(scope="module", name="sites")
def fixture_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """``engine -> (site folder, kb build's stderr)``; both builds run at once."""
    out = tmp_path_factory.mktemp("engines")
    procs = {}
    for name in engine_mod.ENGINES:
        site = out / name
        procs[name] = (site, subprocess.Popen(
            [KB, "-c", str(REPO / "mkdocs.yml"), "build", "--engine", name, "--site-dir", str(site)],
            cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    result = {}
    for name, (site, proc) in procs.items():
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"kb build --engine {name} failed:\n{err}"
        result[name] = (site, err)
    return result


def _files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}


def test_both_engines_build_the_same_site(sites) -> None:
    (m_site, _), (p_site, _) = sites["mkdocs"], sites["properdocs"]
    m_files, p_files = _files(m_site), _files(p_site)
    assert sorted(m_files) == sorted(p_files)
    assert len(m_files) > 100  # the whole site, not an empty folder
    identical, generator_only, different = [], [], []
    for rel in m_files:
        a, b = m_files[rel].read_bytes(), p_files[rel].read_bytes()
        if a == b:
            identical.append(rel)
            continue
        # Normalise exactly one thing: the generator tag (one per page), nothing else.
        na, ca = GENERATOR.subn(b"<meta name=generator>", a)
        nb, cb = GENERATOR.subn(b"<meta name=generator>", b)
        if ca == cb == 1 and na == nb:
            generator_only.append(rel)
        else:
            different.append(rel)
    assert different == [], f"files that differ beyond the generator tag: {different}"
    assert generator_only, "the generator tags should name the two engines"
    assert all(rel.endswith(".html") for rel in generator_only)
    # Every non-HTML file (assets, search index, sitemap, tags.json) is byte-identical.
    assert all(rel in identical for rel in m_files if not rel.endswith(".html"))


def test_generator_tag_names_the_engine(sites) -> None:
    m = (sites["mkdocs"][0] / "index.html").read_bytes()
    p = (sites["properdocs"][0] / "index.html").read_bytes()
    assert GENERATOR.search(m).group(0) == b'<meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.8.2">'
    assert GENERATOR.search(p).group(0) == (
        b'<meta name="generator" content="mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.2">')


def test_kb_build_with_properdocs_end_to_end(sites) -> None:
    site, err = sites["properdocs"]
    assert "site built with properdocs 1.6.7" in err
    assert "pages checked" in err  # the kb plugin ran (its summary, through ProperDocs' logger)
    review = (site / "kb/review.html").read_text(encoding="utf-8")
    assert "レビュー状況" in review
    page = (site / "network/01-three-layer-model.html")
    assert page.is_file()
    assert 'class="kb-meta"' in page.read_text(encoding="utf-8")  # the metadata box from the plugin's view
    assert "site built with mkdocs 1.6.1" in sites["mkdocs"][1]


def test_unknown_engine_exits_2(run_kb, tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    res = run_kb(tmp_path, "build", "--engine", "hugo")
    assert res.exit_code == 2
    assert "unknown engine 'hugo' (choose one of: mkdocs, properdocs)" in res.stderr


def test_missing_engine_exits_2(tmp_path: Path) -> None:
    # A Python without ProperDocs: the import system finds no 'properdocs' package.
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    code = ("import sys; sys.modules['properdocs'] = None\n"
            "from kb_tools.cli import main\n"
            "main(['build', '--engine', 'properdocs'])\n")
    for args in (["build"], ["serve"]):
        res = subprocess.run([sys.executable, "-c", code.replace("'build'", repr(args[0]))], cwd=tmp_path,
                             env=_env(), capture_output=True, text=True, timeout=60)
        assert res.returncode == 2, res.stderr
        assert "engine 'properdocs' is not installed (pip install properdocs)" in res.stderr


def test_default_engine_is_properdocs_when_installed() -> None:
    code = "from kb_tools.site.engine import default_name; print(default_name())"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "properdocs"
    code = "import sys; sys.modules['properdocs'] = None\n" + code
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "mkdocs"


def test_no_switching_engines_in_one_process(run_kb, tmp_path: Path) -> None:
    import mkdocs  # noqa: F401 - this process now holds the real MkDocs

    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    res = run_kb(tmp_path, "build", "--no-check", "--engine", "properdocs")
    assert res.exit_code == 2
    assert "this process already loaded mkdocs; run kb again to build with properdocs" in res.stderr
