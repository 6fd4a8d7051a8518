"""The ``kb`` command: the click group and its subcommands, one module per area.

No business logic lives here or in ``kb_tools.commands``: they are thin shells over the core.
stdout carries the payload; logs, progress and summaries go to stderr.
Exit codes: 0 no errors, 1 errors found, 2 usage or configuration error.

The ``kb`` script calls :func:`run`, which first asks ``kb_tools.replay`` whether a
``kb check`` with nothing changed can replay its stored report (standard library only: no
click, no configuration, no corpus); ``main``, the click group, is imported on first use.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["main", "run"]


def run(argv: list[str] | None = None) -> Any:
    """The ``kb`` entry point: a replayed ``kb check`` or the click group.

    ``argv`` None is the ``kb`` script itself (its arguments are ``sys.argv``): after the click
    group's command that run leaves through ``_leave``. Given a list (tests, embedding), the
    group's ``SystemExit`` is raised as usual."""
    from kb_tools import replay

    args = sys.argv[1:] if argv is None else list(argv)
    code = replay.replay(args)
    if code is not None:
        return code
    replay.arm(args)
    try:
        return _group(only_check=replay.armed())(args=args, prog_name="kb")
    except SystemExit as exc:
        if argv is None:
            _leave(exc.code)
        raise


def _leave(code: Any) -> None:
    """Exit with ``code`` now, without the interpreter's teardown: a command that loaded the
    corpus holds millions of objects, and freeing them one by one took ~35-50 ms of a one-page
    ``kb index`` or ``kb check``. Output is flushed first; by then every file kb wrote is closed
    (atomic writes, Whoosh's commit) and no thread or worker process outlives its command (all
    are joined by ``with`` blocks). Should one still run (a thread, a child process: a future
    command's bug or a library's), or the code not be a number, or output not flush, this
    returns and the usual exit (which joins them) takes over; logging's handlers are flushed and
    closed as at exit."""
    if code is not None and not isinstance(code, int):
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.active_children():
        return
    logging = sys.modules.get("logging")
    try:
        if logging is not None:
            logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


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
