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


def _words(v: Any, allowed: tuple[str, ...] | None = None) -> bool:
    items = [v] if type(v) is str else v
    return type(items) is list and all(type(x) is str and (allowed is None or x in allowed) for x in items)


def _step(s: Any) -> bool:
    return (type(s) is dict and s.keys() <= _STEP_KEYS and _text(s.get("page"), True)
            and type(s.get("minutes")) is int and 1 <= s["minutes"] <= 24 * 60
            and _text(s.get("goal"), True) and _text(s.get("check"), True)
            and (s.get("answer") is None or _text(s["answer"], True)))


# How ``valid`` tests each field it knows (absent fields take the model's defaults, which pass):
# 0 required text, 1 optional text, 2 page type, 3 status, 4 date, 5 review_every, 6 a bool,
# 7 words, 8 audience, 9 steps. Any other key is not the fast test's concern.
_FIELD = {
    "title": 0, "owner": 0, "description": 1, "deputy": 1, "reviewed_by": 1, "replaced_by": 1, "type": 2,
    "status": 3, "last_reviewed": 4, "review_by": 4, "review_every": 5, "review_on_fiscal_year": 6, "tags": 7,
    "kb_ignore": 7, "audience": 8, "steps": 9,
}
_DATES = (_dt.date, _dt.datetime)


def valid(meta: Any) -> bool:
    """True when FrontMatterModel validates ``meta`` without an error (False: ask the model).

    One look per key of the page (most pages have a few of the fields), each test inline: the
    same answers as testing every field with its default (``tests/test_options.py``)."""
    if type(meta) is not dict or "title" not in meta or "owner" not in meta:
        return False
    field = _FIELD.get
    for k, v in meta.items():
        if type(k) is not str:
            return False
        f = field(k)
        if f is None:
            continue
        tv = type(v)
        if f == 0:
            if tv is not str or v == "":
                return False
        elif f == 1:
            if v is not None and tv is not str:
                return False
        elif f <= 3:  # page type, status: one of the model's literals
            if tv is not str or v not in (PAGE_TYPES if f == 2 else STATUSES):
                return False
        elif f == 4:
            if v is not None and tv not in _DATES:
                return False
        elif f == 5:
            if v is not None and (tv is not int or not 1 <= v <= 3650):
                return False
        elif f == 6:
            if tv is not bool:
                return False
        elif f == 7:
            if not _words(v):
                return False
        elif f == 8:
            if not _words(v, AUDIENCES):
                return False
        elif v is not None and (tv is not list or not all(_step(s) for s in v)):
            return False
    return True
