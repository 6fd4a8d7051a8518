"""``kb stage --out DIR``: a tree that plain MkDocs (no kb plugin) builds into the complete site.

Real builds: the fixture knowledge base with the kb plugin (``kb build``) beside its staged tree
built by ``mkdocs build`` without the plugin; the generated pages, onboarding steps, metadata
boxes and banners must be there, the boxes identical to the plugin's. And the source tree is
never written, --out is refused where it would touch it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import make_docs
from test_site_support import FILES, REPO, TODAY, site_yml

BIN = Path(sys.executable).parent
# The banners and the metadata box that overrides/partials/kb-page-meta.html prints.
BOX = re.compile(r'(?:<div class="admonition [^"]*kb-banner.*?</div>\s*)*<aside class="kb-meta".*?</aside>', re.S)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(KB_TODAY=TODAY.isoformat(), KB_LANG="en", NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)


def _tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".kb" not in p.relative_to(root).parts}


@pytest.fixture(scope="module", name="staged")
def fixture_staged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = make_docs(tmp_path_factory.mktemp("stagesrc"), FILES, site_yml())
    before = _tree_digest(root)
    out = tmp_path_factory.mktemp("stageout") / "tree"
    res = _run([str(BIN / "kb"), "stage", "--out", str(out)], root)
    assert res.returncode == 0, res.stderr
    assert _tree_digest(root) == before, "kb stage wrote into the source tree"
    plugin_site = root.parent / "plugin-site"
    procs = [
        subprocess.Popen([str(BIN / "mkdocs"), "build", "-q"], cwd=out, env=_env(), stderr=subprocess.PIPE, text=True),
        subprocess.Popen([str(BIN / "kb"), "build", "--engine", "mkdocs", "--no-check", "--no-strict", "--site-dir",
                          str(plugin_site)], cwd=root, env=_env(), stderr=subprocess.PIPE, text=True),
    ]
    for p in procs:
        _o, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    return {"root": root, "out": out, "site": out / "site", "plugin_site": plugin_site, "stdout": res.stdout}


def test_staged_config_has_no_kb_plugin_and_keeps_the_rest(staged) -> None:
    staged_cfg = yaml.load((staged["out"] / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.UnsafeLoader)
    source_cfg = yaml.load((staged["root"] / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.UnsafeLoader)
    names = [p if isinstance(p, str) else next(iter(p)) for p in staged_cfg["plugins"]]
    assert names == ["search", "tags", "offline"]
    assert staged_cfg["theme"]["custom_dir"] == "overrides" and staged_cfg["docs_dir"] == "docs"
    assert staged_cfg["extra"]["polyfills"] == ["assets/kb/iframe-worker-shim.js"]
    snippets = next(e["pymdownx.snippets"] for e in staged_cfg["markdown_extensions"]
                    if isinstance(e, dict) and "pymdownx.snippets" in e)
    assert snippets["auto_append"] == ["includes/abbreviations.md"]
    # Everything else is the source's (tags such as the slugify callable included).
    for key in ("site_name", "validation", "exclude_docs"):
        assert staged_cfg[key] == source_cfg[key]
    assert "!!python/object/apply:pymdownx.slugs.slugify" in (staged["out"] / "mkdocs.yml").read_text(encoding="utf-8")


def test_docs_copied_byte_for_byte_except_the_kb_view_line(staged) -> None:
    src, dst = staged["root"] / "docs", staged["out"] / "docs"
    for p in sorted(src.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(src).as_posix()
        a, b = p.read_bytes(), (dst / rel).read_bytes()
        if rel == "onboarding/paths/start.md":  # the steps are rendered into the page
            assert b"kb-step__check" in b
            continue
        if a != b:
            lines = [ln for ln in b.split(b"\n") if not ln.startswith(b"kb_view: {")]
            if b'"title_escaped": true' in b:  # a title with HTML is stored escaped: that line differs too
                lines = [ln for ln in lines if not ln.startswith(b"title: ")]
                a = b"\n".join(ln for ln in a.split(b"\n") if not ln.startswith(b"title: "))
            assert b"\n".join(lines) == a, rel
            view = yaml.safe_load(b.decode("utf-8").split("\n---", 1)[0].lstrip("-\n"))["kb_view"]
            assert view["kb"] is True


def test_generated_pages_and_steps_present_without_the_plugin(staged) -> None:
    site = staged["site"]
    for rel in ("kb/index.html", "kb/review.html", "kb/ownership.html", "kb/tags.html"):
        assert (site / rel).is_file(), rel
    assert "レビュー状況" in (site / "kb/review.html").read_text(encoding="utf-8")
    assert "kb-step__check" in (site / "onboarding/paths/start.html").read_text(encoding="utf-8")
    for rel in ("kb/review.md", "kb/ownership.md", "kb/tags.md", "kb/index.md"):
        assert f"docs/{rel}" in staged["stdout"].split()


def test_metadata_boxes_match_the_plugin_build(staged) -> None:
    site, plugin_site = staged["site"], staged["plugin_site"]
    boxes = 0
    for p in sorted(plugin_site.rglob("*.html")):
        rel = p.relative_to(plugin_site)
        expected = BOX.search(p.read_text(encoding="utf-8"))
        got = BOX.search((site / rel).read_text(encoding="utf-8"))
        assert (got and got.group(0)) == (expected and expected.group(0)), rel
        boxes += expected is not None
    assert boxes >= 4
    backup = (site / "ops/backup.html").read_text(encoding="utf-8")
    assert "<dt>担当</dt><dd>インフラ担当（担当者A）" in backup
    assert "kb-banner--overdue" in (site / "ops/old.html").read_text(encoding="utf-8") or \
        "kb-banner--deprecated" in (site / "ops/old.html").read_text(encoding="utf-8")


def test_navigation_titles_match_the_plugin_build(staged) -> None:
    # The plugin names folders after their index page or extra.kb_section_titles; the staged
    # mkdocs.yml writes the automatic nav out with those titles.
    label = re.compile(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', re.S)
    site, plugin_site = staged["site"], staged["plugin_site"]
    for rel in ("index.html", "ops/backup.html", "onboarding/paths/start.html", "kb/review.html"):
        expected = label.findall((plugin_site / rel).read_text(encoding="utf-8"))
        assert label.findall((site / rel).read_text(encoding="utf-8")) == expected, rel
    assert "ナレッジベースの状況" in label.findall((site / "kb/review.html").read_text(encoding="utf-8"))


def test_no_cdn_shim_in_the_staged_site(staged) -> None:
    site = staged["site"]
    assert (site / "assets/kb/iframe-worker-shim.js").is_file()
    for p in site.rglob("*.html"):
        assert "unpkg.com/iframe-worker" not in p.read_text(encoding="utf-8"), p


def test_restage_replaces_an_earlier_tree(staged, tmp_path: Path) -> None:
    root, out = staged["root"], tmp_path / "again"
    for _ in range(2):
        res = _run([str(BIN / "kb"), "-q", "stage", "--out", str(out)], root)
        assert res.returncode == 0, res.stderr
    assert (out / ".kb-stage").is_file() and (out / "mkdocs.yml").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".again")]  # no temporary folders left


@pytest.mark.parametrize("where", ["root", "docs", "docs/sub", "foreign"])
def test_out_that_would_touch_the_source_or_other_files_exits_2(make_docs, run_kb, where: str) -> None:
    root = make_docs({"index.md": "# ホーム\n"})
    target = root if where == "root" else root / where
    if where == "foreign":
        target.mkdir()
        (target / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = _tree_digest(root)
    res = run_kb(root, "stage", "--out", str(target))
    assert res.exit_code == 2
    assert "--out" in res.stderr
    assert _tree_digest(root) == before


def test_kb_view_is_one_json_line_valid_as_yaml() -> None:
    from kb_tools.parse.frontmatter import split
    from kb_tools.site.stage import with_view

    def staged(text: str) -> str | None:  # the front matter facts come from the corpus' one parser
        fm = split(text.lstrip("\ufeff").replace("\r\n", "\n"))
        return with_view(text, view, fm.end_line if fm.present else 0, fm.meta_lines.get("title"), fm.meta.get("title"))

    view = {"kb": True, "title": 'a "quoted" <b>', "tags": ["LGWAN", "ネットワーク"], "days_left": -3}
    text = staged("---\r\ntitle: x\r\n---\r\nbody\r\n")
    assert text is not None and text.endswith("---\r\nbody\r\n")
    assert yaml.safe_load(text.split("---\r\n")[1])["kb_view"] == view
    assert json.loads(text.split("kb_view: ", 1)[1].split("\r\n")[0]) == view
    assert staged("no front matter\n") is None
    assert staged("\ufeff---\ntitle: x\n...\nbody").startswith("\ufeff---\ntitle: x\nkb_view: {")
    escaped = staged('---\ntitle: "<b>x</b>"\n---\nbody\n')
    assert escaped.startswith('---\ntitle: "&lt;b&gt;x&lt;/b&gt;"\nkb_view: {') and '"title_escaped": true' in escaped
    assert REPO.is_dir()


def test_a_title_with_html_stays_text_in_a_build_without_the_plugin(staged) -> None:
    page = next(p for p in staged["site"].rglob("*.html") if "危険なタイトル" in p.read_text(encoding="utf-8")
                and "xss" in p.as_posix())
    html = page.read_text(encoding="utf-8")
    assert "<script>alert(" not in html  # header, nav, title and box: never live HTML
    assert "&lt;script&gt;alert(&#39;kb&#39;)&lt;/script&gt;危険なタイトル - " in html.replace("&#x27;", "&#39;")
    assert "&amp;lt;" not in html  # escaped once, not twice
