"""Which site generator builds the site: MkDocs 1.6 or ProperDocs, its maintained drop-in fork.

ProperDocs ships ``properdocs.replacement``: once imported, every ``mkdocs.*`` import in the
process (the kb plugin's, Material's, the pymdownx hooks') resolves to ``properdocs.*``. So the
engine is chosen once per process, before anything imports ``mkdocs``; the build and serve
commands then import ``mkdocs.*`` as before and get whichever engine was activated. A process
that already loaded the other engine cannot switch (the loaded modules would mix): that is an
:class:`EngineError`, never a half-switched build.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass

from kb_tools.i18n import _

ENGINES = ("mkdocs", "properdocs")


class EngineError(Exception):
    """The requested engine is unknown, not installed, or cannot be loaded in this process."""


@dataclass(frozen=True)
class Engine:
    name: str
    version: str
    logger: str  # the root logger name the engine's build log goes to


def installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def loaded() -> str | None:
    """Which engine the ``mkdocs`` modules already imported here belong to (None: none yet)."""
    mod = sys.modules.get("mkdocs")
    if mod is None:
        return None
    return "properdocs" if getattr(mod, "__name__", "") == "properdocs" else "mkdocs"


def default_name() -> str:
    """The engine this process already loaded; else ProperDocs when it is installed (MkDocs 1.x
    is unmaintained); else MkDocs."""
    return loaded() or ("properdocs" if installed("properdocs") else "mkdocs")


def activate(name: str | None = None) -> Engine:
    """Make ``import mkdocs.*`` resolve to engine ``name`` (default: :func:`default_name`)."""
    name = name or default_name()
    if name not in ENGINES:
        raise EngineError(_("unknown engine '{name}' (choose one of: {choices})").format(
            name=name, choices=", ".join(ENGINES)))
    if not installed(name):
        raise EngineError(_("engine '{name}' is not installed (pip install {name})").format(name=name))
    current = loaded()
    if current is not None and current != name:
        raise EngineError(_("this process already loaded {loaded}; run kb again to build with {name}").format(
            loaded=current, name=name))
    if name == "properdocs":
        importlib.import_module("properdocs.replacement")
    mod = importlib.import_module(name)
    return Engine(name, str(getattr(mod, "__version__", "")), name)
