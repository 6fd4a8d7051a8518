"""Renderers: each turns the same sorted list of findings into one output format."""

from __future__ import annotations

from collections.abc import Callable

from ..engine import CheckResult
from . import github, json_format, sarif, text

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}

__all__ = ["FORMATS", "CheckResult"]
