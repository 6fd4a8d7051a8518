"""Typed option blocks of the ``kb`` plugin (``plugins: - kb: {secrets: …, external: …}``).

Each block is a pydantic model with ``extra="forbid"``: an unknown option or a bad value is a
configuration error (exit 2 from ``kb``, a failed ``mkdocs build``) that names the option, like
MkDocs' own config validation — never a finding hidden among page findings.
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

    @property
    def infrastructure_severity(self) -> Severity | None:
        return Severity.parse(self.infrastructure)


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
