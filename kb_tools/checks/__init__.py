"""Rule families. Importing this package registers every rule (explicit imports, no magic).

Callers import the registry's read functions from here, so that every family is loaded first.
"""

from __future__ import annotations

from kb_tools.checks import (  # noqa: F401
    external,
    links,
    metadata,
    parse,
    prose,
    review,
    roster,
    secrets,
    site,
    sources,
    systems,
    todos,
)
from kb_tools.checks.registry import RuleInfo, all_rules, by_name, lookup, registered_passes


def passes() -> list[tuple[str, object]]:
    """Every registered check function, in registration order."""
    return registered_passes()  # type: ignore[return-value]


def info_for(name: str) -> RuleInfo:
    info = by_name(name)
    if info is None:
        raise KeyError(name)
    return info


__all__ = ["all_rules", "info_for", "lookup", "passes"]
