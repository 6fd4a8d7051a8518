"""Typed option blocks of the ``kb`` plugin (``plugins: - kb: {secrets: …, external: …}``), as
plain objects: reading them never imports pydantic (its import alone is ~0.2 s of every run).

``KbOptions.model_validate(raw)`` takes the options as they usually are — every value already
of its exact type, within its bounds, in normal form — without pydantic; anything else (a
value to coerce, an unknown key, a bad value) goes to the pydantic models in
``kb_tools.options_models``, which raise the ValidationError that names the option (a
configuration error: exit 2 from ``kb``, a failed ``mkdocs build``), or coerce, and their values
are copied here. Either way the objects hold what pydantic would: ``tests/test_options.py``
holds the fast path equal to the models (fields, defaults, values and ``model_fields_set``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from kb_tools.findings import Severity

_SEVERITY_WORDS = frozenset({"error", "warning", "info", "off"})


def _int(lo: int | None = None, hi: int | None = None) -> Any:
    return lambda v: type(v) is int and (lo is None or v >= lo) and (hi is None or v <= hi)


def _float(lo: float | None = None, strict_lo: bool = False) -> Any:
    return lambda v: type(v) is float and (lo is None or (v > lo if strict_lo else v >= lo))


def _bool(v: Any) -> bool:
    return type(v) is bool


def _str(v: Any) -> bool:
    return type(v) is str


def _strs(v: Any) -> bool:
    return type(v) is list and all(type(x) is str for x in v)


def _dict_of(check: Any) -> Any:
    return lambda v: type(v) is dict and all(type(k) is str and check(x) for k, x in v.items())


def _patterns(v: Any) -> bool:
    if not _strs(v):
        return False
    try:
        for p in v:
            re.compile(p)
    except re.error:
        return False
    return True


def _host_list(v: Any) -> bool:
    return _strs(v) and all(h and h == h.strip().lower().strip(".") and "/" not in h and " " not in h for h in v)


class _Options:
    """Fields: ``FIELDS = {name: (default factory, fast check)}``; a nested block's check is its class."""

    FIELDS: ClassVar[dict[str, tuple[Any, Any]]] = {}
    MODEL: ClassVar[str] = ""  # the pydantic model's name in kb_tools.options_models: the class's own
    __slots__ = ("_set",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.MODEL = cls.__name__

    def __init__(self, **values: Any) -> None:
        for name, (default, _check) in self.FIELDS.items():
            object.__setattr__(self, name, values[name] if name in values else default())
        object.__setattr__(self, "_set", frozenset(values))

    @property
    def model_fields_set(self) -> frozenset[str]:
        """The fields given in the options (not defaulted), as pydantic's ``model_fields_set``."""
        return self._set

    @classmethod
    def _fast(cls, raw: Any) -> _Options | None:
        if type(raw) is not dict:
            return None
        values: dict[str, Any] = {}
        for key, value in raw.items():
            spec = cls.FIELDS.get(key) if type(key) is str else None
            if spec is None:
                return None
            check = spec[1]
            if isinstance(check, type) and issubclass(check, _Options):
                value = check._fast(value)
                if value is None:
                    return None
            elif not check(value):
                return None
            else:
                value = _copy(value)  # new lists and dicts, as pydantic makes
            values[key] = value
        return cls(**values)

    @classmethod
    def from_model(cls, model: Any) -> _Options:
        values = {}
        for name, (_default, check) in cls.FIELDS.items():
            v = getattr(model, name)
            values[name] = check.from_model(v) if isinstance(check, type) and issubclass(check, _Options) else v
        out = cls(**values)
        object.__setattr__(out, "_set", frozenset(model.model_fields_set))
        return out

    @classmethod
    def model_validate(cls, raw: Any) -> Any:
        """The options from ``raw``; pydantic's ValidationError (a ValueError) names a bad one."""
        fast = cls._fast(raw)
        if fast is not None:
            return fast
        from kb_tools import options_models

        return cls.from_model(getattr(options_models, cls.MODEL).model_validate(raw))

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.FIELDS:
            v = getattr(self, name)
            out[name] = v.model_dump(mode) if isinstance(v, _Options) else _copy(v)
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.model_dump() == other.model_dump()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.FIELDS:
            raise AttributeError(f"{type(self).__name__} has no option {name!r}")
        object.__setattr__(self, name, value)
        object.__setattr__(self, "_set", self._set | {name})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.FIELDS)})"


def _copy(v: Any) -> Any:
    if type(v) is list:
        return [_copy(x) for x in v]
    if type(v) is dict:
        return {k: _copy(x) for k, x in v.items()}
    return v


class SecretsOptions(_Options):
    """Options of the secret.* rules (documented exceptions and severities)."""

    FIELDS = {"allow": (list, _strs), "allow_patterns": (list, _patterns), "allow_emails": (list, _strs),
              "infrastructure": (lambda: "info", lambda v: type(v) is str and v.strip().lower() in _SEVERITY_WORDS),
              "file_names": (lambda: True, _bool)}
    __slots__ = tuple(FIELDS)

    @property
    def infrastructure_severity(self) -> Severity | None:
        return Severity.parse(self.infrastructure)


class ExternalOptions(_Options):
    """Options of ``kb check --external`` (http(s) links)."""

    FIELDS = {"max_age_days": (lambda: 7, _float(0)), "timeout": (lambda: 10.0, _float(0, True)),
              "workers": (lambda: 8, _int(1)), "per_host_rps": (lambda: 2.0, _float(0, True)),
              "max_retry_after": (lambda: 30.0, _float(0)), "max_redirects": (lambda: 5, _int(0)),
              "skip": (list, _strs)}
    __slots__ = tuple(FIELDS)


class SourcesOptions(_Options):
    """Options of the source.* rules: hosts that are never a source, and exceptions."""

    FIELDS = {"denied_hosts": (list, _host_list), "allowed_hosts": (list, _host_list),
              "single_page_sites": (list, _host_list)}
    __slots__ = tuple(FIELDS)


class SystemsOptions(_Options):
    """``systems:`` options of the plugin: the ledger's defaults (DESIGN §9)."""

    FIELDS = {"notice_days": (lambda: 180, _int(0, 3650)), "required_runbooks": (dict, _dict_of(_strs)),
              "max_system_pages": (lambda: 500, _int(0))}
    __slots__ = tuple(FIELDS)

    def required_for(self, category: str) -> list[str]:
        if category in self.required_runbooks:
            return self.required_runbooks[category]  # type: ignore[no-any-return]
        return self.required_runbooks.get("default", ["restore", "account", "incident"])  # type: ignore[no-any-return]


class KbOptions(_Options):
    """Options of the ``kb`` plugin block in mkdocs.yml (also read by the CLI)."""

    FIELDS = {"enabled": (lambda: True, _bool), "data_dir": (lambda: "_data", _str),
              "review_default_days": (lambda: 365, _int(1)), "review_days_by_type": (dict, _dict_of(_int())),
              "strict": (lambda: True, _bool), "japanese_search": (lambda: False, _bool),
              "generated_pages": (lambda: True, _bool), "severity": (dict, _dict_of(_str)),
              "ignore_paths": (list, _strs), "secrets": (SecretsOptions, SecretsOptions),
              "external": (ExternalOptions, ExternalOptions), "sources": (SourcesOptions, SourcesOptions),
              "recent_author_days": (lambda: 365, _int(1)), "git": (lambda: True, _bool),
              "systems": (SystemsOptions, SystemsOptions)}
    __slots__ = tuple(FIELDS)
    model_fields: ClassVar[tuple[str, ...]] = tuple(FIELDS)  # the option names (as pydantic's model_fields keys)
