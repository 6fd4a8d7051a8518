"""Renderers: each turns the same sorted list of findings into one output format."""

from __future__ import annotations

from collections.abc import Callable

from kb_tools.checks.engine import CheckResult
from kb_tools.formats import github, json_format, sarif, text

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}

__all__ = ["FORMATS", "CheckResult"]
