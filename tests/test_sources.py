"""Source rules (source.denied-host KB701, source.bare-domain KB702, source.missing KB703,
the deny list and its typed options (a bad block exits 2: tests/test_options.py); end-to-end cases are tests/rules/KB70*.yml."""

from __future__ import annotations

import pytest

from kb_tools.checks.sources import DEFAULT_DENIED, host_matches, options
from kb_tools.options import SourcesOptions


def test_subdomains_match_but_look_alikes_do_not() -> None:
    assert host_matches("jp.fdocument.pub", DEFAULT_DENIED) == "fdocument.pub"
    assert host_matches("x.gd", DEFAULT_DENIED) == "x.gd"
    assert host_matches("notbit.ly", DEFAULT_DENIED) is None
    assert host_matches("www.soumu.go.jp", DEFAULT_DENIED) is None


def test_options_extend_and_allow() -> None:
    denied, allowed = options(SourcesOptions.model_validate({"denied_hosts": ["Mirror.Example.JP."], "allowed_hosts": "slideshare.net"}))
    assert "mirror.example.jp" in denied and "bit.ly" in denied
    assert allowed == ("slideshare.net",)


@pytest.mark.parametrize("raw", [{"deny": []}, {"denied_hosts": ["bit.ly/x"]}, {"allowed_hosts": [1]}, {"denied_hosts": [" "]}])
def test_bad_options(raw: dict) -> None:
    with pytest.raises(ValueError):
        SourcesOptions.model_validate(raw)
