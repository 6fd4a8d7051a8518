"""Front matter against the schema, the roster and the taxonomy (KB1xx)."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from kb_tools.checks.early import NotLocal, in_worker
from kb_tools.checks.registry import Emit, RuleContext, RuleInfo, declare, families, lookup, page_pass
from kb_tools.findings import Severity
from kb_tools.i18n import N_, _
from kb_tools.parse.frontmatter import InvalidDate
from kb_tools.schema_fast import FOREIGN_KEYS, OUR_KEYS, valid
from kb_tools.model import Page
from kb_tools.fuzzy import did_you_mean

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

REQUIRED = declare("KB101", "meta.required", severity=Severity.ERROR, kb_metadata=True, doc="""
    A required front matter field is missing.

    Always: ``title``, ``owner``. Active pages: ``description``, ``last_reviewed``. Runbooks:
    ``deputy`` (a second role, so a transfer never leaves a runbook without an owner).
    Deprecated pages: ``replaced_by``.
""")
INVALID = declare("KB102", "meta.invalid", severity=Severity.ERROR, kb_metadata=True, doc="""
    A front matter value has the wrong type or format: a date that is not ``YYYY-MM-DD`` or not
    a real date, an unknown ``type`` or ``status``, ``replaced_by`` or a path step that names no
    page, ``kb_ignore`` naming no rule.

    An unquoted impossible date (``last_reviewed: 2025-02-29``) makes MkDocs drop the whole
    front matter of the page without a word; kb reports it here.
""")
UNKNOWN_TAG = declare("KB103", "meta.unknown-tag", severity=Severity.ERROR, kb_metadata=True, doc="""
    A tag that is neither a tag id nor an alias in ``_data/taxonomy.yml`` (with a "did you mean").
""")
UNKNOWN_OWNER = declare("KB104", "meta.unknown-owner", severity=Severity.ERROR, kb_metadata=True, doc="""
    ``owner`` (or ``deputy``) is not a role id in ``_data/roster.yml``.

    Owners are roles, not people: when someone is transferred the roster changes in one place
    and every page keeps a valid owner. The hint names the role a person holds.
""")
UNKNOWN_FIELD = declare("KB105", "meta.unknown-field", severity=Severity.WARNING, kb_metadata=True, doc="""
    A front matter key kb does not know, and neither MkDocs nor Material uses (often a typo:
    ``ower``, ``last_review``).
""")

_KNOWN = sorted(OUR_KEYS | FOREIGN_KEYS)


def _line(page: Page, key: Any) -> int:
    return page.meta_lines.get(str(key), 1) if page.has_front_matter else 1


_PYDANTIC = {  # pydantic's own messages for the errors front matter meets, in the catalog's words
    "literal_error": N_("must be one of {expected}"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must not be empty"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "bool_parsing": N_("must be true or false"),
    "bool_type": N_("must be true or false"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be a mapping"),
    "model_type": N_("must be a mapping"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than_equal": N_("must be at most {le}"),
    "extra_forbidden": N_("is not a known key here"),
}


def _pydantic_message(err: Any) -> str:
    if err["type"] == "value_error":  # our own validators: already in the catalog's words
        return str(err["msg"]).removeprefix("Value error, ")
    template = _PYDANTIC.get(err["type"])
    if template is None:
        return str(err["msg"])
    ctx = err.get("ctx") or {}
    return _(template).format(**{k: ctx.get(k, "") for k in ("expected", "ge", "le")})


def _validate(page: Page, defer: bool = False) -> list[tuple[RuleInfo, str, str]]:
    """(rule, field, message) for every schema problem of one page; ``defer``: in a parse worker
    (``kb_tools.checks.early``), leave a page that needs pydantic's errors to the main process,
    which imports pydantic once, instead of each worker."""
    out: list[tuple[RuleInfo, str, str]] = []
    meta = page.meta
    ok = valid(meta)  # the usual front matter needs no pydantic
    if not ok and defer:
        raise NotLocal(page.path)
    errors = [] if ok else _schema_errors(meta)
    if errors:
        for err in errors:
            loc = err["loc"]
            fld = str(loc[0]) if loc else "?"
            if err["type"] == "missing":
                out.append((REQUIRED, fld, _("required field '{field}' is missing").format(field=fld)))
                continue
            value = meta.get(fld)
            where = ".".join(str(x) for x in loc)
            msg = _pydantic_message(err)
            if isinstance(value, InvalidDate):
                msg = _("{error}; MkDocs drops the whole front matter of this page because of it").format(error=msg)
            out.append((INVALID, fld, f"'{where}': {msg}"))
    status = meta.get("status", "active")
    if status == "active":
        for fld in ("description", "last_reviewed"):
            if meta.get(fld) in (None, ""):
                out.append((REQUIRED, fld, _("required field '{field}' is missing (active page)").format(field=fld)))
    if meta.get("type") == "runbook" and not meta.get("deputy"):
        out.append((REQUIRED, "deputy", _("required field 'deputy' is missing (runbooks need a second role)")))
    if status == "deprecated" and not meta.get("replaced_by"):
        out.append((REQUIRED, "replaced_by", _("required field 'replaced_by' is missing (deprecated page)")))
    if meta.get("type") == "path" and not meta.get("steps"):
        out.append((REQUIRED, "steps", _("required field 'steps' is missing (onboarding path)")))
    return out


def _schema_errors(meta: Any) -> list[Any]:
    """pydantic's errors of ``meta`` against the front matter model (imported on first need)."""
    from pydantic import ValidationError

    from kb_tools.schema import FrontMatterModel

    try:
        FrontMatterModel.model_validate(meta)
    except ValidationError as exc:
        return exc.errors()  # type: ignore[return-value]
    return []


def _check_roles(page: Page, reg: Any, emit: Emit) -> None:
    """``owner`` must be a role id; ``deputy`` a role id or a person of the roster."""
    owner, deputy = page.meta.get("owner"), page.meta.get("deputy")
    if isinstance(owner, str) and owner and owner not in reg.roles:
        sug = reg.suggest_role(owner)
        emit(UNKNOWN_OWNER, page.path, _line(page, "owner"), None,
             _("owner '{owner}' is not a role in {roster}").format(owner=owner, roster=reg.roster_path),
             hint=_("did you mean '{suggestion}'? (owners are roles, not people)").format(suggestion=sug) if sug
             else _("owners are role ids from the roster"), target=owner)
    if isinstance(deputy, str) and deputy and deputy not in reg.roles and deputy not in reg.people():
        sug = reg.suggest_role(deputy)
        emit(UNKNOWN_OWNER, page.path, _line(page, "deputy"), None,
             _("deputy '{deputy}' is not a role in {roster}").format(deputy=deputy, roster=reg.roster_path),
             hint=_("did you mean '{suggestion}'?").format(suggestion=sug) if sug else None, target=deputy)


@page_pass
def check_metadata(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """Validate one page's front matter. In a parse worker, a page that needs pydantic's
    errors is left to the main process (``_validate``), which checks it as it arrives."""
    try:
        _metadata(corpus, page, emit, in_worker(corpus))
    except NotLocal as exc:
        raise NotLocal(page.path, resume=(metadata_resumed, (page,))) from exc


def metadata_resumed(corpus: Corpus, emit: Emit, _target_of: object, page: Page) -> None:
    """``check_metadata`` of a page a parse worker sent back (``kb_tools.checks.early``)."""
    _metadata(corpus, page, emit, False)


def _metadata(corpus: Corpus, page: Page, emit: Emit, defer: bool) -> None:
    if not corpus.kb_metadata:
        return
    reg = corpus.registry
    if not page.text_ok or any(i.rule == "parse.front-matter" for i in page.issues):
        return  # one finding per broken front matter is enough
    src = page.path
    if not page.has_front_matter and not page.meta:
        emit(REQUIRED, src, 1, None, _("page has no front matter (title and owner are required)"),
             hint=_("start the file with a '---' block; see kb new or the 書き方ガイド"), target="title")
        return
    for rule, fld, msg in _validate(page, defer):
        line = 1 if rule is REQUIRED else _line(page, fld)
        emit(rule, src, line, None, msg, target=fld if rule is REQUIRED else str(page.meta.get(fld)))
    for key in page.meta:
        if key not in OUR_KEYS and key not in FOREIGN_KEYS:
            m = did_you_mean(key, _KNOWN, cutoff=0.7)
            emit(UNKNOWN_FIELD, src, _line(page, key), None, _("unknown front matter field '{field}'").format(field=key),
                 hint=_("did you mean '{suggestion}'?").format(suggestion=m) if m else None, target=key)
    if reg.has_roster:
        _check_roles(page, reg, emit)
    tags = page.meta.get("tags")
    if reg.has_taxonomy and isinstance(tags, list):
        for t in tags:
            if not isinstance(t, str):
                continue
            if reg.resolve_tag(t) is None:
                sug = reg.suggest_tag(t)
                emit(UNKNOWN_TAG, src, _line(page, "tags"), None,
                     _("tag '{tag}' is not in {taxonomy}").format(tag=t, taxonomy=reg.taxonomy_path),
                     hint=_("did you mean '{suggestion}'?").format(suggestion=sug) if sug
                     else _("add it to the taxonomy or pick an existing tag"),
                     target=t)
    _check_paths(corpus, page, emit)


def _check_paths(corpus: Corpus, page: Page, emit: Emit) -> None:
    """replaced_by and onboarding steps name pages; kb_ignore names rules."""
    src = page.path
    rb = page.meta.get("replaced_by")
    if isinstance(rb, str) and rb:
        rb_path = posixpath.normpath(rb.lstrip("/"))
        if rb_path not in corpus.pages:
            emit(INVALID, src, _line(page, "replaced_by"), None,
                 _("replaced_by '{path}' is not a page (paths are relative to docs_dir)").format(path=rb), target=rb)
    steps = page.meta.get("steps")
    if isinstance(steps, list):
        for n, step in enumerate(steps, 1):
            if isinstance(step, dict) and isinstance(step.get("page"), str):
                sp = posixpath.normpath(step["page"].lstrip("/"))
                if sp not in corpus.pages and sp not in corpus.generated:
                    emit(INVALID, src, _line(page, "steps"), None,
                         _("step {n}: page '{path}' does not exist (paths are relative to docs_dir)").format(
                             n=n, path=step["page"]),
                         target=step["page"])
    ign = page.meta.get("kb_ignore")
    if isinstance(ign, list):
        for r in ign:
            if isinstance(r, str) and lookup(r) is None and r not in families():
                emit(INVALID, src, _line(page, "kb_ignore"), None, _("kb_ignore names no rule: '{rule}'").format(rule=r),
                     target=r)
