"""Subcommands by area. Each module decorates functions with ``@main.command()``.

Add one import line per module; keep business logic in the core modules, not here.
"""

from __future__ import annotations

import importlib
import logging

_MODULES = ("site", "search", "continuity", "guard")

for _name in _MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # an area not built yet
        if _exc.name != f"{__name__}.{_name}":
            raise
        logging.getLogger(__name__).debug("no %s commands", _name)
