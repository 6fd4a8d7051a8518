"""The pydantic models of the ``kb`` plugin's options: the validators behind ``kb_tools.options``.

Each block is a pydantic model with ``extra="forbid"``: an unknown option or a bad value is a
configuration error (exit 2 from ``kb``, a failed ``mkdocs build``) that names the option, like
MkDocs' own config validation — never a finding hidden among page findings. Imported only when
the options are not plain (``kb_tools.options`` takes exactly-typed values without pydantic,
whose import alone costs ~0.2 s of every ``kb`` run) and for their JSON schema.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from kb_tools.findings import Severity


def _as_list(value: Any) -> Any:
    """A single string or number where a list is expected is a one-item list."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    return value


StrList = Annotated[list[str], BeforeValidator(_as_list)]


class SecretsOptions(BaseModel):
    """Options of the secret.* rules (documented exceptions and severities)."""

    model_config = ConfigDict(extra="forbid")
    allow: StrList = Field(default_factory=list, description="exact values that are not secrets (samples)")
    allow_patterns: StrList = Field(default_factory=list, description="regexes matched against the whole value")
    allow_emails: StrList = Field(default_factory=list, description="glob patterns of addresses allowed (role mailboxes)")
    infrastructure: str = Field("info", description="severity of private IPs and internal host names, or off")
    file_names: bool = Field(True, description="also scan page and attachment file names")

    @field_validator("allow_patterns")
    @classmethod
    def _regexes_compile(cls, value: list[str]) -> list[str]:
        for p in value:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"'{p}' is not a valid regular expression ({exc})") from None
        return value

    @field_validator("infrastructure")
    @classmethod
    def _severity(cls, value: str) -> str:
        Severity.parse(value)  # ValueError names the accepted values
        return value


class ExternalOptions(BaseModel):
    """Options of ``kb check --external`` (http(s) links)."""

    model_config = ConfigDict(extra="forbid")
    max_age_days: float = Field(7, ge=0, description="reuse a cached result this many days")
    timeout: float = Field(10.0, gt=0, description="seconds per request")
    workers: int = Field(8, ge=1, description="parallel requests")
    per_host_rps: float = Field(2.0, gt=0, description="requests per second to one host")
    max_retry_after: float = Field(30.0, ge=0, description="longest Retry-After wait honoured, seconds")
    max_redirects: int = Field(5, ge=0)
    skip: StrList = Field(default_factory=list, description="URL prefixes never checked (intranet hosts)")


def _hosts(value: list[str]) -> list[str]:
    out = []
    for h in value:
        host = h.strip().lower().strip(".")
        if not host or "/" in host or " " in host:
            raise ValueError(f"'{h}' is not a host name")
        out.append(host)
    return out


class SourcesOptions(BaseModel):
    """Options of the source.* rules: hosts that are never a source, and exceptions."""

    model_config = ConfigDict(extra="forbid")
    denied_hosts: StrList = Field(default_factory=list, description="added to the built-in deny list (subdomains match)")
    allowed_hosts: StrList = Field(default_factory=list, description="never denied (overrides the built-in list)")
    single_page_sites: StrList = Field(default_factory=list, description="hosts whose top page is the document itself")

    _normalise = field_validator("denied_hosts", "allowed_hosts", "single_page_sites")(classmethod(lambda cls, v: _hosts(v)))


class SystemsOptions(BaseModel):
    """``systems:`` options of the plugin: the ledger's defaults (DESIGN §9)."""

    model_config = ConfigDict(extra="forbid")
    notice_days: int = Field(180, ge=0, le=3650)  # days before contract end / support end to act
    # runbook kinds required for an active system, per category ("default" for the others)
    required_runbooks: dict[str, list[str]] = Field(default_factory=dict)
    # one generated page per system up to this many systems (each page costs MkDocs build time)
    max_system_pages: int = Field(500, ge=0)


class KbOptions(BaseModel):
    """Options of the ``kb`` plugin block in mkdocs.yml (also read by the CLI)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    data_dir: str = "_data"
    review_default_days: int = Field(365, ge=1)
    review_days_by_type: dict[str, int] = Field(default_factory=dict)
    strict: bool = True
    japanese_search: bool = False
    generated_pages: bool = True
    severity: dict[str, str] = Field(default_factory=dict)  # rule name/code -> error|warning|info|off
    ignore_paths: list[str] = Field(default_factory=list)  # gitignore-style patterns: pages not reported
    secrets: SecretsOptions = Field(default_factory=SecretsOptions)
    external: ExternalOptions = Field(default_factory=ExternalOptions)
    sources: SourcesOptions = Field(default_factory=SourcesOptions)
    recent_author_days: int = Field(365, ge=1)
    git: bool = True
    systems: SystemsOptions = Field(default_factory=SystemsOptions)
