"""Site search glue: the Japanese search override for Material for MkDocs.

The kb MkDocs plugin calls these two functions when ``kb: {japanese_search: true}``:

* ``configure(config)`` (on_config) puts ``kb_tools/theme/`` in the theme search path right
  after the site's ``custom_dir`` (the site's own overrides still win). It ships static assets
  only (no template): the normaliser port and the wrapper worker sources.
* ``post_build(config, corpus=None)`` (on_post_build) writes the wrapper worker over the file that
  Material's ``__config.search`` points at, and keeps Material's own worker next to it as
  ``search.<hash>.material.min.js``; the wrapper loads it and changes what it indexes and how it
  queries (see ``theme/assets/javascripts/kb-search/worker.js``). From file:// Material runs the
  worker in the iframe-worker shim; the kb plugin supplies a local shim (kb_tools/theme_site/). The normaliser data (house
  dictionary) is inlined, so nothing is fetched (file:// cannot fetch JSON).

Material's installed files are never edited; only the build output is. Written for
mkdocs-material 9.8.2 (``MATERIAL_TESTED``); ``check_material()`` lists what the override relies
on, and tests/test_search_site_contract.py fails when an upgrade changes it.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any
from kb_tools._io import atomic_write

log = logging.getLogger("mkdocs.plugins.kb.search")

THEME_DIR = Path(__file__).resolve().parent / "theme"
ASSETS = THEME_DIR / "assets" / "javascripts" / "kb-search"
MARKER = "/* kb-tools japanese search wrapper */"
MATERIAL_TESTED = ("9.8.2",)
WORKERS = ("assets", "javascripts", "workers")
_WORKER_NAME = re.compile(r"^search\.([0-9a-f]{6,})\.min\.js$")


def configure(config: Any) -> None:
    """Add kb_tools/theme/ to ``config.theme.dirs`` after any custom_dir (idempotent)."""
    theme = config["theme"]
    dirs = theme.dirs
    ours = str(THEME_DIR)
    if ours in dirs:
        return
    custom = theme.custom_dir if hasattr(theme, "custom_dir") else None
    pos = 0
    if custom:
        custom_abs = os.path.abspath(custom)
        for i, d in enumerate(dirs):
            if os.path.abspath(d) == custom_abs:
                pos = i + 1
                break
    dirs.insert(pos, ours)
    try:
        import material

        version = getattr(material, "__version__", "?")
    except ImportError:  # not a Material site: post_build will say so
        return
    if version not in MATERIAL_TESTED:
        log.warning("kb: japanese_search was written for mkdocs-material %s, this is %s: run "
                    "tests/test_search_site_contract.py before relying on it", "/".join(MATERIAL_TESTED), version)


def _data_for(config: Any, corpus: Any) -> dict[str, Any]:
    from kb_tools.search.normalize import export_data

    target: Any = None
    cfg = getattr(corpus, "config", None)
    if cfg is not None and hasattr(cfg, "data_path"):
        target = cfg
    else:
        data_dir = "_data"
        plugin = config["plugins"].get("kb") if hasattr(config["plugins"], "get") else None
        opts = getattr(plugin, "config", None)
        if opts is not None:
            data_dir = (opts.get("data_dir") if hasattr(opts, "get") else getattr(opts, "data_dir", None)) or data_dir
        target = _DataPath(Path(config["docs_dir"]) / data_dir)
    return export_data(target)


class _DataPath:
    def __init__(self, path: Path) -> None:
        self.data_path = path


def find_worker(site_dir: Path) -> Path | None:
    """Material's search worker in the built site (the file ``__config.search`` names)."""
    folder = site_dir.joinpath(*WORKERS)
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir() if _WORKER_NAME.match(p.name))
    return found[0] if len(found) == 1 else None


def _material_worker(config: Any, name: str) -> Path | None:
    for d in config["theme"].dirs:
        p = Path(d).joinpath(*WORKERS, name)
        if p.is_file() and not p.read_bytes().startswith(MARKER.encode()):
            return p
    return None


def _write_atomic(path: Path, data: bytes) -> None:
    atomic_write(path, data)


def wrapper_source(material_name: str, data: dict[str, Any]) -> str:
    """The wrapper worker: settings, the normaliser port, the wrapper logic (one file)."""
    settings = json.dumps({"material": material_name, "data": data}, ensure_ascii=False, separators=(",", ":"))
    settings = settings.replace("</", "<\\/")  # the iframe shim loads it through a <script>
    return "\n;\n".join([  # ";": the parts are IIFEs, keep them from calling each other
        MARKER,
        f"self.__kbSearch = {settings}",
        (ASSETS / "normalize.js").read_text(encoding="utf-8"),
        (ASSETS / "worker.js").read_text(encoding="utf-8"),
    ])


def post_build(config: Any, corpus: Any = None) -> None:
    """Install the wrapper worker into ``site_dir`` (idempotent: safe on every `mkdocs serve` rebuild)."""
    site_dir = Path(config["site_dir"])
    worker = find_worker(site_dir)
    if worker is None:
        log.warning("kb: japanese_search: Material's search worker (assets/javascripts/workers/"
                    "search.<hash>.min.js) not found in %s; the Japanese search override is NOT active "
                    "(is the theme Material 9.x with the search plugin?)", site_dir)
        return
    hexhash = _WORKER_NAME.match(worker.name).group(1)  # type: ignore[union-attr]
    original = worker.with_name(f"search.{hexhash}.material.min.js")
    current = worker.read_bytes()
    if not current.startswith(MARKER.encode()):
        _write_atomic(original, current)
    elif not original.is_file():
        src = _material_worker(config, worker.name)
        if src is None:
            log.warning("kb: japanese_search: Material's original worker %s is missing; override NOT active",
                        worker.name)
            return
        _write_atomic(original, src.read_bytes())
    try:
        data = _data_for(config, corpus)
    except Exception as exc:  # a broken dictionary must not break the site: search without it
        log.warning("kb: japanese_search: house dictionary not used (%s)", exc)
        from kb_tools.search.normalize import empty_data

        data = empty_data()
    _write_atomic(worker, wrapper_source(original.name, data).encode("utf-8"))
