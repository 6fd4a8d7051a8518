"""The front matter schema's names, and a pydantic-free test of the usual front matter.

``valid(meta)`` is True only for front matter that ``schema.FrontMatterModel`` accepts without
an error: every field of its exact type (no value pydantic would coerce), within its bounds.
Anything else returns False and the metadata check asks the model itself, which gives the
messages. So a ``kb check`` whose changed pages have ordinary front matter never imports
pydantic (~0.2 s). ``tests/test_options.py`` holds the names equal to the model's and ``valid``
never True where the model fails (generated front matter, hypothesis).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

PAGE_TYPES = ("runbook", "guide", "reference", "checklist", "decision", "path", "glossary")
STATUSES = ("draft", "active", "deprecated", "archived")
AUDIENCES = ("new-hire", "staff", "maintainer", "vendor", "manager")

# Keys that MkDocs or Material give a meaning to: allowed besides our own.
FOREIGN_KEYS = frozenset({
    "hide", "icon", "template", "search", "comments", "subtitle", "social", "robots", "nav_title",
    "kb_ignore", "authors", "date", "slug", "categories", "draft", "links", "readtime", "pin",
})
# The fields of schema.FrontMatterModel (held equal by a test).
OUR_KEYS = frozenset({
    "title", "description", "type", "owner", "deputy", "status", "last_reviewed", "review_every", "review_by",
    "review_on_fiscal_year", "reviewed_by", "tags", "audience", "replaced_by", "kb_ignore", "steps", "systems",
})
_STEP_KEYS = frozenset({"page", "minutes", "goal", "check", "answer"})


def _text(v: Any, required: bool = False) -> bool:
    return (type(v) is str and (not required or v != "")) if v is not None or required else True


def _date(v: Any) -> bool:
    return v is None or type(v) is _dt.date or type(v) is _dt.datetime


def _words(v: Any, allowed: tuple[str, ...] | None = None) -> bool:
    items = [v] if type(v) is str else v
    return type(items) is list and all(type(x) is str and (allowed is None or x in allowed) for x in items)


def _step(s: Any) -> bool:
    return (type(s) is dict and s.keys() <= _STEP_KEYS and _text(s.get("page"), True)
            and type(s.get("minutes")) is int and 1 <= s["minutes"] <= 24 * 60
            and _text(s.get("goal"), True) and _text(s.get("check"), True)
            and (s.get("answer") is None or _text(s["answer"], True)))


def valid(meta: Any) -> bool:
    """True when FrontMatterModel validates ``meta`` without an error (False: ask the model)."""
    if type(meta) is not dict or any(type(k) is not str for k in meta):
        return False
    g = meta.get
    every = g("review_every")
    steps = g("steps")
    return (_text(g("title"), True) and _text(g("owner"), True) and _text(g("description")) and _text(g("deputy"))
            and _text(g("reviewed_by")) and _text(g("replaced_by"))
            and g("type", "guide") in PAGE_TYPES and type(g("type", "guide")) is str
            and g("status", "active") in STATUSES and type(g("status", "active")) is str
            and _date(g("last_reviewed")) and _date(g("review_by"))
            and (every is None or (type(every) is int and 1 <= every <= 3650))
            and type(g("review_on_fiscal_year", False)) is bool
            and _words(g("tags", [])) and _words(g("kb_ignore", [])) and _words(g("audience", []), AUDIENCES)
            and (steps is None or (type(steps) is list and all(_step(s) for s in steps))))
