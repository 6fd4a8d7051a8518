"""The ``kb`` command: the click group and its subcommands, one module per area.

No business logic lives here or in ``kb_tools.commands``: they are thin shells over the core.
stdout carries the payload; logs, progress and summaries go to stderr.
Exit codes: 0 no errors, 1 errors found, 2 usage or configuration error.

The ``kb`` script calls :func:`run`, which first asks ``kb_tools.replay`` whether a
``kb check`` with nothing changed can replay its stored report (standard library only: no
click, no configuration, no corpus); ``main``, the click group, is imported on first use.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["main", "run"]


def run(argv: list[str] | None = None) -> Any:
    """The ``kb`` entry point: a replayed ``kb check`` or the click group."""
    from kb_tools import replay

    args = sys.argv[1:] if argv is None else list(argv)
    code = replay.replay(args)
    if code is not None:
        return code
    replay.arm(args)
    return _group(only_check=replay.armed())(args=args, prog_name="kb")


def _group(only_check: bool = False) -> Any:
    """The click group (a subcommand's module is imported when it is asked for:
    ``commands._shared.LazyGroup``); ``only_check``: the run is a ``kb check``."""
    from kb_tools.commands._shared import main

    if only_check:
        from kb_tools.commands import check  # noqa: F401 - attach the checker's commands
    return main


def __getattr__(name: str) -> Any:
    if name == "main":
        return _group()
    raise AttributeError(name)
