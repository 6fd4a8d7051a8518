"""Whoosh, imported without two packages it loads at import and kb never uses.

Every module of kb that imports Whoosh imports this one first (``tests/test_search_imports.py``
holds them to it). Importing Whoosh pulled in:

* ``urllib.request`` (with ``http.client``, ``email``, ``ssl``: ~40 ms) for ``whoosh.compat``'s
  ``urlretrieve``, which no code of Whoosh's or kb's calls;
* the ``cached_property`` backport, which imports ``asyncio`` (~25 ms), for one property of
  ``whoosh.reading.SegmentReader`` (``deleted_docs_set``): the standard library's
  ``functools.cached_property`` does the same for it (computed once, kept in the instance's
  ``__dict__``).

Both are put in ``sys.modules`` only while ``whoosh.compat`` and ``whoosh.reading`` are first
imported, and taken out right after: a later ``import urllib.request`` or ``import
cached_property`` anywhere in the process gets the real package, and ``whoosh.compat.urlretrieve``
imports the real function when called. When either package is already loaded, or Whoosh is,
nothing is replaced. ~70-90 ms of every ``kb index``, ``kb search`` and the plugin's start.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _import_whoosh() -> None:
    if "whoosh.reading" in sys.modules:
        return
    stand_ins: dict[str, types.ModuleType] = {}
    if "urllib.request" not in sys.modules and "whoosh.compat" not in sys.modules:
        request = types.ModuleType("urllib.request", "kb's stand-in while whoosh.compat is imported")
        request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
        stand_ins["urllib.request"] = request
    if "cached_property" not in sys.modules:
        backport = types.ModuleType("cached_property", "kb's stand-in while whoosh.reading is imported")
        backport.cached_property = functools.cached_property  # type: ignore[attr-defined]
        stand_ins["cached_property"] = backport
    sys.modules.update(stand_ins)
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


_import_whoosh()
