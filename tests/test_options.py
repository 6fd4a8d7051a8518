"""Typed plugin options: an unknown option or a bad value exits 2 and names it (like MkDocs)."""

from __future__ import annotations

import pytest

from conftest import MKDOCS_YML

PAGE = "# A\n"


@pytest.mark.parametrize(("block", "named"), [
    ("secrets:\n        allow_patterns: ['(']\n", "secrets.allow_patterns"),
    ("secrets:\n        colour: 1\n", "secrets.colour"),
    ("secrets:\n        infrastructure: loud\n", "secrets.infrastructure"),
    ("external: {colour: 1}\n", "external.colour"),
    ("external: {timeout: -1}\n", "external.timeout"),
    ("external: {workers: 0}\n", "external.workers"),
    ("ignore_paths: 3\n", "ignore_paths"),
    ("sources: {deny: [x.gd]}\n", "sources.deny"),
    ("sources: {denied_hosts: ['bad host']}\n", "sources.denied_hosts"),
    ("no_such_option: true\n", "no_such_option"),
])
def test_bad_option_exits_2_naming_it(make_docs, run_kb, block: str, named: str) -> None:
    root = make_docs({"index.md": PAGE}, MKDOCS_YML + "plugins:\n  - kb:\n      " + block)
    res = run_kb(root, "--lang", "en", "check")
    assert res.exit_code == 2
    assert named in res.stderr and "mkdocs.yml" in res.stderr


def test_valid_options_are_used(make_docs, run_kb) -> None:
    yml = MKDOCS_YML + ("plugins:\n  - kb:\n      secrets: {allow: ['090-2345-6789'], infrastructure: warning}\n"
                        "      external: {timeout: 1, skip: 'https://intra.'}\n")
    root = make_docs({"index.md": "# A\n\n携帯 090-2345-6789、サーバー 10.20.30.40\n"}, yml)
    res = run_kb(root, "check", "--format", "json")
    import json

    rules = {f["rule"]: f["severity"] for f in json.loads(res.stdout)["findings"]}
    assert "secret.phone" not in rules  # allowed value
    assert rules["secret.private-ip"] == "warning"  # infrastructure severity raised


def test_a_bad_option_fails_the_mkdocs_build(make_docs, tmp_path) -> None:
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    root = make_docs({"index.md": PAGE}, MKDOCS_YML + "plugins:\n  - kb:\n      secrets: {colour: 1}\n")
    with pytest.raises((ConfigurationError, PluginError, Abort, SystemExit)) as exc:
        cfg = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
        cfg.plugins.on_startup(command="build", dirty=False)
        cfg.plugins.on_config(cfg)
    assert "colour" in str(exc.value)


# ---- the pydantic-free fast paths agree with the pydantic models (kb_tools.options, schema_fast)

import datetime as _dt  # noqa: E402

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from kb_tools import options, options_models, schema, schema_fast  # noqa: E402
from kb_tools.parse import frontmatter  # noqa: E402

_BLOCKS = [options.KbOptions, options.SecretsOptions, options.ExternalOptions, options.SourcesOptions,
           options.SystemsOptions]


@pytest.mark.parametrize("cls", _BLOCKS, ids=lambda c: c.__name__)
def test_plain_options_have_the_models_fields_and_defaults(cls) -> None:
    model = getattr(options_models, cls.MODEL)
    assert tuple(cls.FIELDS) == tuple(model.model_fields)
    assert cls().model_dump() == model().model_dump()
    assert cls().model_fields_set == model().model_fields_set == frozenset()


_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 4000), st.floats(-2, 50, allow_nan=False),
                    st.sampled_from(["", "info", "warn", "Off", "loud", "x.gd", "Mirror.Example.JP.", "bad host",
                                     "(", "a.*", "_data", "error"]))
_value = st.one_of(_scalar, st.lists(_scalar, max_size=3), st.dictionaries(st.sampled_from(["guide", "runbook", "default", 1]),
                                                                          st.one_of(_scalar, st.lists(_scalar, max_size=2)),
                                                                          max_size=2))


def _raw(cls) -> st.SearchStrategy:  # type: ignore[no-untyped-def]
    keys = list(cls.FIELDS) + ["colour"]
    nested = {k: check for k, (_d, check) in cls.FIELDS.items() if isinstance(check, type)}
    return st.dictionaries(st.sampled_from(keys), st.deferred(lambda: _value), max_size=4).flatmap(
        lambda d: st.fixed_dictionaries({k: _raw(nested[k]) if k in nested else st.just(v) for k, v in d.items()}))


def _like(v):  # type: ignore[no-untyped-def]
    """Values of the type of ``v`` (an option's default), in and out of its bounds."""
    if isinstance(v, bool):
        return st.booleans()
    if isinstance(v, (int, float)):
        edges = st.sampled_from([-1, 0, 1, 3650, 3651])  # the bounds options have
        return st.one_of(edges, st.integers(-1, 4000)) if isinstance(v, int) else \
            st.one_of(st.sampled_from([-1.0, 0.0, 0.5]), st.floats(-1, 100, allow_nan=False))
    if isinstance(v, str):
        return st.sampled_from(["info", "warning", "error", "off", "loud", "_data", " Info "])
    if isinstance(v, list):
        return st.lists(st.sampled_from(["a", "x.gd", "(", "a.*", "https://intra/", "Bad Host"]), max_size=3)
    return st.dictionaries(st.sampled_from(["guide", "default", "KB401"]), st.sampled_from(["off", 30, ["restore"], 0]),
                           max_size=2)


def _near(cls) -> st.SearchStrategy:  # type: ignore[no-untyped-def]
    """Options as people write them: some fields at their (valid) defaults, one drawn from values
    of its type — mostly valid, so the fast path is taken and compared, not just declined."""
    defaults = cls().model_dump()
    plain = [k for k, (_d, check) in cls.FIELDS.items() if not isinstance(check, type)]
    return st.tuples(st.lists(st.sampled_from(sorted(defaults)), max_size=4, unique=True),
                     st.sampled_from(plain).flatmap(lambda k: st.tuples(st.just(k), _like(defaults[k])))).map(
        lambda t: {**{k: defaults[k] for k in t[0]}, t[1][0]: t[1][1]})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_BLOCKS).flatmap(lambda c: st.tuples(st.just(c), st.one_of(_raw(c), _near(c)))))
def test_fast_options_equal_the_models(case) -> None:  # type: ignore[no-untyped-def]
    cls, raw = case
    model = getattr(options_models, cls.MODEL)
    fast = cls._fast(raw)
    try:
        want = model.model_validate(raw)
    except ValueError:
        assert fast is None
        with pytest.raises(ValueError):
            cls.model_validate(raw)
        return
    got = cls.model_validate(raw)
    assert got.model_dump() == want.model_dump() and got.model_fields_set == want.model_fields_set
    if fast is not None:
        assert fast.model_dump() == want.model_dump() and fast.model_fields_set == want.model_fields_set


def test_usual_options_take_the_fast_path() -> None:
    raw = {"review_default_days": 365, "secrets": {"allow": ["a"], "infrastructure": "warning"},
           "external": {"timeout": 5.0, "skip": ["https://intra/"]}, "sources": {"denied_hosts": ["x.gd"]},
           "systems": {"notice_days": 90, "required_runbooks": {"default": ["restore"]}}, "severity": {"KB401": "off"}}
    assert options.KbOptions._fast(raw) is not None


def test_front_matter_names_equal_the_model() -> None:
    assert schema_fast.OUR_KEYS == schema.OUR_KEYS


_fm_value = st.one_of(_scalar, st.sampled_from([0, -1, 1, 3650, 3651, True]), st.dates(_dt.date(2020, 1, 1), _dt.date(2030, 1, 1)),
                      st.just(frontmatter.InvalidDate("2025-02-29")), st.just(_dt.datetime(2025, 1, 2, 3, 4)),
                      st.sampled_from(schema_fast.PAGE_TYPES + schema_fast.STATUSES + schema_fast.AUDIENCES),
                      st.lists(st.sampled_from(schema_fast.AUDIENCES + ("x", 3)), max_size=3))
_step = st.dictionaries(st.sampled_from(["page", "minutes", "goal", "check", "answer", "extra"]),
                        st.one_of(st.text(max_size=3), st.integers(0, 2000), st.none()), max_size=6)
_meta = st.dictionaries(st.sampled_from(sorted(schema_fast.OUR_KEYS) + ["hide", "ower"]),
                        st.one_of(_fm_value, st.lists(_step, max_size=2)), max_size=9)
_USUAL = {"title": "t", "owner": "o", "description": "d", "last_reviewed": _dt.date(2025, 1, 1)}


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_meta, _meta.map(lambda m: {**_USUAL, **m}),
                 st.tuples(st.sampled_from(sorted(schema_fast.OUR_KEYS)), st.one_of(_fm_value, st.lists(_step, max_size=2)))
                 .map(lambda kv: {**_USUAL, kv[0]: kv[1]})))  # the usual front matter with one field drawn
def test_fast_front_matter_is_never_valid_where_the_model_fails(meta) -> None:  # type: ignore[no-untyped-def]
    if schema_fast.valid(meta):
        schema.FrontMatterModel.model_validate(meta)  # raises if the fast path was wrong


def _valid_field_by_field(meta) -> bool:  # type: ignore[no-untyped-def]
    """``schema_fast.valid`` as it was first written: every field tested with its default."""
    import datetime as dt

    from kb_tools.schema_fast import AUDIENCES, PAGE_TYPES, STATUSES, _step, _text, _words

    def _date(v) -> bool:  # type: ignore[no-untyped-def]
        return v is None or type(v) is dt.date or type(v) is dt.datetime

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


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_meta, _meta.map(lambda m: {**_USUAL, **m}),
                 st.tuples(st.sampled_from(sorted(schema_fast.OUR_KEYS)), st.one_of(_fm_value, st.lists(_step, max_size=2)))
                 .map(lambda kv: {**_USUAL, kv[0]: kv[1]}),
                 st.dictionaries(st.one_of(st.sampled_from(["title", "owner", "tags"]), st.integers(0, 2)),
                                 _fm_value, max_size=4).map(lambda m: {**_USUAL, **m})))
def test_fast_front_matter_decides_like_testing_every_field(meta) -> None:  # type: ignore[no-untyped-def]
    """``valid`` looks only at the keys a page has (one pass): the answer of testing every field
    with its default, on drawn front matter (non-text keys included)."""
    assert bool(schema_fast.valid(meta)) == bool(_valid_field_by_field(meta))


def test_generated_front_matter_agrees_with_the_model(gen_corpus) -> None:
    """On the project's generated pages the fast test decides like the model, page by page."""
    import pydantic

    docs = gen_corpus(150, 11) / "docs"
    seen = {True: 0, False: 0}
    for p in sorted(docs.rglob("*.md")):
        meta = frontmatter.split(p.read_text(encoding="utf-8")).meta
        try:
            schema.FrontMatterModel.model_validate(meta)
            ok = True
        except pydantic.ValidationError:
            ok = False
        assert schema_fast.valid(meta) == ok, p
        seen[ok] += 1
    assert seen[True] > 100 and seen[False] > 0
