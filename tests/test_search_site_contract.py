"""Fails LOUDLY when a Material upgrade changes what kb's Japanese site search relies on.

The override (kb_tools/theme/assets/javascripts/kb-search/worker.js) wraps Material's search
worker. If one of these tests fails after upgrading mkdocs-material: re-read the new worker
source (templates/assets/javascripts/workers/search.*.min.js and its .map), check every item of
the "Depends on Material internals" list at the top of worker.js, run
tests/test_search_site.py, then add the version to kb_tools.site.search_override.MATERIAL_TESTED.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import material
import pytest

from kb_tools.site import search_override as kb_site

MATERIAL = Path(material.__file__).resolve().parent / "templates"
RECHECK = ("mkdocs-material {v} is not a version kb's Japanese site search was checked against {t}: "
           "re-check worker.js against Material's new search worker (see this file's docstring). ")


def _worker() -> Path:
    found = [p for p in (MATERIAL / "assets" / "javascripts" / "workers").iterdir()
             if kb_site._WORKER_NAME.match(p.name)]
    assert len(found) == 1, RECHECK.format(v=material.__version__, t=kb_site.MATERIAL_TESTED) + f"workers: {found}"
    return found[0]


def test_material_version_is_the_one_checked() -> None:
    assert material.__version__ in kb_site.MATERIAL_TESTED, RECHECK.format(
        v=material.__version__, t=kb_site.MATERIAL_TESTED)


def test_config_points_at_the_worker_file_we_replace() -> None:
    base = (MATERIAL / "base.html").read_text(encoding="utf-8")
    m = re.search(r'"search":\s*"assets/javascripts/workers/(search\.[0-9a-f]+\.min\.js)"\s*\|\s*url', base)
    assert m, RECHECK.format(v=material.__version__, t=kb_site.MATERIAL_TESTED) + \
        "base.html's __config no longer names the worker as assets/javascripts/workers/search.<hash>.min.js"
    assert m.group(1) == _worker().name


def test_worker_internals_we_hook() -> None:
    src = _worker().read_text(encoding="utf-8")
    sources = json.loads(_worker().with_name(_worker().name + ".map").read_text(encoding="utf-8"))
    ts = "\n".join(sources["sourcesContent"])
    needed = {
        "lunr exposed as self.lunr": "self.lunr=" in src,
        "one message listener answering with a global postMessage":
            'addEventListener("message",' in src and "postMessage(yield" in src,
        "SETUP=0 / READY=1 / QUERY=2 / RESULT=3": re.search(r"case 0:.*\{type:1\}.*case 2:.*\{type:3,", src) is not None,
        "segmenter built from lunr.TinySegmenter": '"TinySegmenter"in lunr?new lunr.TinySegmenter' in src,
        "tokenizer calls segmenter.ctype_ and .segment": "lunr.segmenter.ctype_(" in ts and "lunr.segmenter.segment(" in ts,
        "segments used through .toLowerCase() and .length":
            "segments[s].toLowerCase()" in ts and "segments[s].length" in ts,
        "search goes through lunr.Index.search": "this.index.search(query)" in ts,
        "single language uses lunr[lang] as a plugin": "this.use(lunr[config.lang[0]])" in ts,
        "results grouped by location": "items.set(ref" in ts,
    }
    broken = [k for k, ok in needed.items() if not ok]
    assert not broken, RECHECK.format(v=material.__version__, t=kb_site.MATERIAL_TESTED) + f"changed: {broken}"


def test_post_build_warns_when_no_worker(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "site").mkdir()
    cfg = {"site_dir": str(tmp_path / "site"), "theme": SimpleNamespace(dirs=[str(MATERIAL)]),
           "docs_dir": str(tmp_path), "plugins": {}}
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.kb.search"):
        kb_site.post_build(cfg)
    assert "NOT active" in caplog.text


def test_post_build_is_idempotent(tmp_path: Path) -> None:
    site = tmp_path / "site"
    workers = site / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    original = _worker().read_bytes()
    (workers / _worker().name).write_bytes(original)
    cfg = {"site_dir": str(site), "theme": SimpleNamespace(dirs=[str(MATERIAL)]), "docs_dir": str(tmp_path),
           "plugins": {}}
    kb_site.post_build(cfg)
    first = (workers / _worker().name).read_bytes()
    kb_site.post_build(cfg)  # `mkdocs serve --dirty`: the wrapper is already there
    assert (workers / _worker().name).read_bytes() == first
    assert first.startswith(kb_site.MARKER.encode())
    kept = workers / _worker().name.replace(".min.js", ".material.min.js")
    assert kept.read_bytes() == original
