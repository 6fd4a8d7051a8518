"""Fails LOUDLY when a Material upgrade changes what kb's site-search glue relies on.

The glue (kb_tools/site/theme/assets/javascripts/kb-search/search.js, GLUE block, and
kb_tools/site/search_glue.py) keeps Material's search box and result list and switches off
Material's own search. If one of these tests fails after upgrading mkdocs-material: read the new
templates (partials/search.html, base.html) and bundle source (its .map), check each item of
``search_glue.GLUE``, run tests/test_search_site.py, then add the version to
``search_glue.MATERIAL_TESTED``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import material

from kb_tools.site import search_glue

MATERIAL = Path(material.__file__).resolve().parent / "templates"
RECHECK = ("mkdocs-material {v} is not what kb's site-search glue was checked against ({t}): re-check "
           "search.js's GLUE block against Material (see this file's docstring). ")


def _recheck() -> str:
    return RECHECK.format(v=material.__version__, t="/".join(search_glue.MATERIAL_TESTED))


def _bundle_sources() -> str:
    maps = list((MATERIAL / "assets" / "javascripts").glob("bundle.*.min.js.map"))
    assert len(maps) == 1, _recheck() + f"bundles: {maps}"
    return "\n".join(json.loads(maps[0].read_text(encoding="utf-8"))["sourcesContent"])


def test_material_version_is_the_one_checked() -> None:
    assert material.__version__ in search_glue.MATERIAL_TESTED, _recheck()


def test_search_markup_the_glue_reads() -> None:
    search = (MATERIAL / "partials" / "search.html").read_text(encoding="utf-8")
    base = (MATERIAL / "base.html").read_text(encoding="utf-8")
    g = search_glue.GLUE
    missing = [k for k in ("form", "input", "result", "meta", "list") if g[k] not in search]
    missing += [k for k in ("config", "head_end", "content") if g[k] not in base]
    assert not missing, _recheck() + f"partials/search.html or base.html changed: {missing}"
    # search_glue.CONTAIN goes at the end of the head, before the body holding the content column
    assert base.index(g["head_end"]) < base.index(g["content"]), _recheck() + "base.html's head no longer precedes .md-content"
    # the script is injected right before the bundle, after __config
    assert base.index(g["config"]) < base.index(g["bundle"]), _recheck() + "__config no longer precedes the bundle"
    m = re.search(r"<script src=\"\{\{ '(assets/javascripts/bundle\.[0-9a-f]+\.min\.js)' \| url \}\}\"></script>", base)
    assert m, _recheck() + "base.html no longer loads the bundle as <script src=\"{{ 'assets/...bundle.*.min.js' | url }}\">"
    assert search_glue.BUNDLE_RX.search(f'<script src="../{m.group(1)}"></script>'), _recheck()


def test_bundle_behaviour_the_glue_switches_off() -> None:
    src = _bundle_sources()
    g = search_glue.GLUE
    needed = {
        "the index is downloaded only when a form named 'search' exists": g["index_only_with_form"] in src,
        "the worker comes from __config.search": g["worker_from_config"] in src,
        "__config is read from the #__config element": 'getElement("#__config")' in src,
        "results render only after the worker's READY": "skipUntil(worker$.pipe(first(isSearchReadyMessage)))" in src,
        "Enter picks the highest data-md-score": 'article.getAttribute("data-md-score")' in src,
        "the ?h= highlighter needs the index": "mountSearchHiglight(el, { index$, location$ })" in src,
    }
    broken = [k for k, ok in needed.items() if not ok]
    assert not broken, _recheck() + f"changed: {broken}"


def test_result_markup_we_copy() -> None:
    src = _bundle_sources()
    for cls in search_glue.GLUE["result_markup"]:
        assert cls.split("=")[-1].strip('"') in src, _recheck() + f"result markup changed: {cls}"
    for key in ("search.result.placeholder", "search.result.none", "search.result.one", "search.result.other",
                "search.result.more.one", "search.result.more.other"):
        assert key in (MATERIAL / "base.html").read_text(encoding="utf-8"), _recheck() + f"translation {key} gone"
    ja = (MATERIAL / "partials" / "languages" / "ja.html").read_text(encoding="utf-8")
    assert '"search.result.other": "#件見つかりました"' in ja


def test_inject_puts_the_script_before_the_bundle() -> None:
    html = ('<script id="__config" type="application/json">{}</script>\n'
            '<script src="../../assets/javascripts/bundle.a5f9d56c.min.js"></script>')
    out = search_glue.inject(html, "cloud/aws/")
    assert out.index("kb-search.js") < out.index("bundle.")
    assert '<script src="../../assets/kb-search/kb-search.js" data-kb-search>' in out
    assert search_glue.inject(out, "cloud/aws/") == out  # idempotent
    assert 'src="assets/kb-search/kb-search.js"' in search_glue.inject(html, "")
    assert 'src="../assets/kb-search/kb-search.js"' in search_glue.inject(html, "cloud/aws.html")
    assert search_glue.inject("<p>no bundle</p>", "") == "<p>no bundle</p>"


def test_inject_puts_the_containment_at_the_end_of_the_head_once() -> None:
    bundle = '<script src="../../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
    html = f'<html><head><title>t</title></head><body><div class="md-content">x</div>{bundle}</body></html>'
    out = search_glue.inject(html, "cloud/aws/")
    assert out.index("<title>") < out.index(search_glue.CONTAIN) < out.index("</head>") < out.index('class="md-content"')
    assert out.count(search_glue.CONTAIN_MARKER) == 1 and search_glue.inject(out, "cloud/aws/") == out
    assert "@media screen" in search_glue.CONTAIN  # the printed page is not clipped
    # a page written before the head style (the benchmark's --reuse) gets it, and only it
    old = html.replace(bundle, search_glue.script_tag("cloud/aws/") + bundle)
    assert search_glue.inject(old, "cloud/aws/") == out


def test_inject_site_rewrites_pages_built_earlier(tmp_path: Path) -> None:
    bundle = '<script src="{up}assets/javascripts/bundle.a5f9d56c.min.js"></script>'
    pages = {"index.html": "", "cloud/aws/index.html": "../../", "a.html": "", "404.html": None}
    for rel, up in pages.items():
        body = "<p>no bundle</p>" if up is None else bundle.format(up=up)
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"<html><head></head><body>{body}</body></html>", encoding="utf-8")
    assert search_glue.inject_site(tmp_path) == 3
    aws = (tmp_path / "cloud/aws/index.html").read_text(encoding="utf-8")
    assert '<script src="../../assets/kb-search/kb-search.js" data-kb-search>' in aws and search_glue.CONTAIN in aws
    assert 'src="assets/kb-search/kb-search.js"' in (tmp_path / "a.html").read_text(encoding="utf-8")
    assert search_glue.inject_site(tmp_path) == 0


def test_ellipsis_patch_the_glue_sidesteps() -> None:
    """search.js gives a large navigation's titles its own class with Material's `.md-ellipsis`
    rules: the patch it sidesteps must still select by that class, and the rules it copies must
    be all of Material's `.md-ellipsis` rules, as they are."""
    g = search_glue.GLUE
    assert g["ellipsis_patch"] in _bundle_sources(), _recheck() + "patchEllipsis no longer selects .md-ellipsis"
    css = "\n".join(p.read_text(encoding="utf-8") for p in (MATERIAL / "assets" / "stylesheets").glob("main.*.min.css"))
    rules = re.findall(r"[^{}]*\.md-ellipsis[^{]*\{[^}]*\}", css)
    assert sorted(r.strip() for r in rules) == sorted(g["ellipsis_css"]), _recheck() + f".md-ellipsis rules changed: {rules}"
    client = search_glue.client_source({})
    for rule in g["ellipsis_css"]:  # the client's rules (its settings), with its class
        assert rule.replace("md-ellipsis", "kb-ellipsis") in client
