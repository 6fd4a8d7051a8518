"""The ``kb`` command: the click group and its subcommands, one module per area.

No business logic lives here or in ``kb_tools.commands``: they are thin shells over the core.
stdout carries the payload; logs, progress and summaries go to stderr.
Exit codes: 0 no errors, 1 errors found, 2 usage or configuration error.
"""

from __future__ import annotations

from kb_tools.commands import check, continuity, search, site, systems  # noqa: F401 - attach the subcommands
from kb_tools.commands._shared import main

__all__ = ["main"]
