"""The front matter schema, declared once as pydantic models.

``kb schema`` exports the JSON Schema for editors, and the metadata checks validate every page
with the same model. The registries (roster, taxonomy, …) are read by ``kb_tools.datadir``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from kb_tools.i18n import _
from kb_tools.parse.frontmatter import InvalidDate

from kb_tools.schema_fast import AUDIENCES, FOREIGN_KEYS, PAGE_TYPES, STATUSES  # noqa: F401 - pydantic-free names


def _iso_date(value: Any) -> Any:
    if isinstance(value, InvalidDate):
        raise ValueError(_("'{value}' is not a real calendar date").format(value=value))
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        # A quoted date is text to YAML (and to every other tool reading the front matter).
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(_("'{value}' is not a real calendar date").format(value=value)) from None
            raise ValueError(_("'{value}' is quoted text, not a date: write it without quotes").format(value=value))
        raise ValueError(_("'{value}' is not a date in YYYY-MM-DD form").format(value=value))
    raise ValueError(_("expected a date in YYYY-MM-DD form, got {type}").format(type=type(value).__name__))


IsoDate = Annotated[_dt.date, BeforeValidator(_iso_date)]


def _str_list(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    return value


class PathStep(BaseModel):
    """One step of an onboarding path."""

    model_config = ConfigDict(extra="forbid")
    page: str = Field(description="page path relative to docs_dir")
    minutes: int = Field(ge=1, le=24 * 60, description="estimated minutes for the step")
    goal: str = Field(min_length=1, description="what the reader can do after this step")
    check: str = Field(min_length=1, description="a self-check question")
    answer: str | None = Field(None, min_length=1, description="the model answer, shown folded under the question")


class FrontMatterModel(BaseModel):
    """Front matter of a knowledge base page (schema version 1)."""

    model_config = ConfigDict(extra="allow", title="kb-tools page front matter")
    title: str = Field(min_length=1, description="page title (required)")
    description: str | None = Field(None, description="1-2 sentences for search results; required for active pages")
    type: Literal[PAGE_TYPES] = Field("guide", description="page type")  # type: ignore[valid-type]
    owner: str = Field(min_length=1, description="owner ROLE id from roster.yml (required)")
    deputy: str | None = Field(None, description="deputy role id; required for runbooks")
    status: Literal[STATUSES] = "active"  # type: ignore[valid-type]
    last_reviewed: IsoDate | None = Field(None, description="date of the last review, YYYY-MM-DD")
    review_every: int | None = Field(None, ge=1, le=3650, description="review interval in days")
    review_by: IsoDate | None = Field(None, description="hard review date (contract end, end of support)")
    review_on_fiscal_year: bool = Field(False, description="due again after each April 1 (年度切替)")
    reviewed_by: str | None = Field(None, description="person who did the last review")
    tags: Annotated[list[str], BeforeValidator(_str_list)] = Field(default_factory=list)
    audience: Annotated[list[Literal[AUDIENCES]], BeforeValidator(_str_list)] = Field(default_factory=list)  # type: ignore[valid-type]
    replaced_by: str | None = Field(None, description="successor page; required when deprecated")
    kb_ignore: Annotated[list[str], BeforeValidator(_str_list)] = Field(default_factory=list, description="rule codes or names not to report on this page")
    steps: list[PathStep] | None = Field(None, description="onboarding path steps (type: path)")
    # Checked by system.unknown (also when it is not a list), so the model lets any value through.
    systems: Any = Field(None, description="ids of the systems (docs/_data/systems.yml) this page is about",
                         json_schema_extra={"type": "array", "items": {"type": "string"}})


OUR_KEYS = frozenset(FrontMatterModel.model_fields)  # == schema_fast.OUR_KEYS (tests/test_options.py)


def json_schema() -> dict[str, Any]:
    schema = FrontMatterModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "kb-tools/front-matter/v1"
    return schema


# --- the system ledger (docs/_data/systems.yml, DESIGN §9) ---

SYSTEM_CATEGORIES = ("standard", "internal", "network", "saas", "infra")
SYSTEM_TIERS = ("my-number", "lgwan", "internet")
SYSTEM_HOSTINGS = ("gov-cloud", "on-premises", "data-center", "saas", "lgwan-asp")
SYSTEM_STATUSES = ("planned", "active", "migrating", "retired")
RUNBOOK_KINDS = ("restore", "account", "incident")
SYSTEM_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def _ledger_date(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, InvalidDate):
        try:  # the ledger is read only by kb: a quoted ISO date is accepted
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date in YYYY-MM-DD form") from None
    return _iso_date(value)


LedgerDate = Annotated[_dt.date, BeforeValidator(_ledger_date)]


class ContractModel(BaseModel):
    """The contract behind a system."""

    model_config = ConfigDict(extra="forbid")
    number: str | None = Field(None, description="contract number (契約番号)")
    start: LedgerDate | None = Field(None, description="contract start, YYYY-MM-DD")
    end: LedgerDate | None = Field(None, description="contract end, YYYY-MM-DD")
    notice_days: int | None = Field(None, ge=0, le=3650, description="days before end to start the renewal "
                                                                       "(default: plugin option systems.notice_days)")


class SystemModel(BaseModel):
    """One entry of the system ledger (情報資産台帳)."""

    model_config = ConfigDict(extra="forbid", title="kb-tools system ledger entry")
    id: str = Field(pattern=SYSTEM_ID_PATTERN, description="stable ASCII id; pages name it in front matter: systems: [id]")
    name: str = Field(min_length=1, description="system name")
    category: Literal[SYSTEM_CATEGORIES] = Field(description="standard | internal | network | saas | infra")  # type: ignore[valid-type]
    tier: Literal[SYSTEM_TIERS] | None = Field(None, description="network tier (三層の対策)")  # type: ignore[valid-type]
    hosting: Literal[SYSTEM_HOSTINGS] | None = None  # type: ignore[valid-type]
    owner: str = Field(min_length=1, description="owner role id from roster.yml")
    deputy: str | None = Field(None, description="deputy role id (required: system.no-deputy)")
    vendor: str | None = Field(None, description="vendor (placeholder names only)")
    contract: ContractModel | None = None
    support_end: LedgerDate | None = Field(None, description="vendor support / end of life")
    status: Literal[SYSTEM_STATUSES] = Field(description="planned | active | migrating | retired")  # type: ignore[valid-type]
    runbooks: dict[str, str] = Field(default_factory=dict, description="runbook kind -> page path relative to docs_dir")
    notes: str | None = None


class LedgerModel(BaseModel):
    """docs/_data/systems.yml."""

    model_config = ConfigDict(extra="forbid", title="kb-tools system ledger")
    systems: list[SystemModel] = Field(default_factory=list)


def ledger_json_schema() -> dict[str, Any]:
    schema = LedgerModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "kb-tools/systems/v1"
    entry = schema.get("$defs", {}).get("SystemModel", {})
    if "deputy" not in entry.get("required", ["deputy"]):
        entry["required"].append("deputy")
    return schema
