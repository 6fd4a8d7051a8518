"""The fast block-YAML reader gives what the composing reader gives, or steps aside."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_tools import datadir
from kb_tools.parse import blockyaml
from kb_tools.parse.blockyaml import LineDict

REPO = Path(__file__).resolve().parents[1]


def full(text: str) -> tuple[Any, list, list] | None:
    """The composing reader (``datadir.compose_yaml``) without the fast path; None on a YAML error."""
    try:
        return datadir.compose_yaml(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, LineDict):
        return (a.line == b.line and a.key_lines == b.key_lines and list(a) == list(b)
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def agree(text: str) -> bool:
    """True when the fast reader read ``text``; fails when it read it differently."""
    fast = blockyaml.load(text)
    if fast is None:
        return False
    ref = full(text)
    assert ref is not None, f"the fast reader accepted YAML the C parser rejects:\n{text}"
    assert same(fast[0], ref[0]), f"values or lines differ:\n{text}\nfast={fast[0]!r}\nfull={ref[0]!r}"
    assert fast[1] == ref[1], f"impossible dates differ:\n{text}\n{fast[1]} != {ref[1]}"
    assert fast[2] == ref[2], f"duplicate keys differ:\n{text}\n{fast[2]} != {ref[2]}"
    return True


# --- documents shaped like hand-written data files, with tricky scalars ---

_WORDS = ["a", "id", "name", "yes", "No", "on", "null", "~", "true", "1", "0x1f", "0o7", "012", "1_000", "1:20",
          "-5", "+3", ".5", "1e3", ".inf", ".NaN", "2027-02-30", "2026-12-01", "2026-1-1", "2026-12-01 10:00:00",
          "G-0001", "a b", "a:b", "a: b", "a #b", "a#b", "#x", "-", "- x", "-x", "?x", "? x", ":x", "x:", "'q'",
          "\"d\"", "it's", "{a}", "[a]", "a,b", "a]", "a}", "&x", "*x", "!x", "|", ">", "%x", "@x", "`x", "<<", "=",
          "日本語", "事業者A", "procurement/1-p.md", "http://x.example/a", "", " ", "a ", "\\", "a\\b"]
_CLEAN = ["a", "id", "name", "yes", "No", "null", "~", "1", "012", "1:20", "2027-02-30", "2026-12-01", "G-0001",
          "a b", "日本語", "事業者A", "procurement/1-p.md", "http://x.example/a", "-x", "it's", ".5", "a#b"]
_clean = st.sampled_from(_CLEAN)
_scalar_text = (_clean | _clean | _clean | _clean | _clean | st.sampled_from(_WORDS)
                | st.text(alphabet=st.sampled_from(list("ab1-:# '\"{}[],.~日")), max_size=8))
_plain_key = st.sampled_from(["a", "id", "name", "yes", "1", "~", "日本", "a b", "2026-12-01", "2027-02-30", "x.y", "null"])
_key = _plain_key | _plain_key | _plain_key | _plain_key | _scalar_text


@st.composite
def scalar(draw: st.DrawFn, texts: st.SearchStrategy[str] = _scalar_text) -> str:
    s = draw(texts)
    style = draw(st.sampled_from(["plain", "plain", "plain", "single", "double"]))
    if style == "single":
        return "'" + s.replace("'", "''") + "'"
    if style == "double":
        return '"' + s.replace('"', "") + '"'
    return s


def flow(draw: st.DrawFn, keys: st.SearchStrategy[str], texts: st.SearchStrategy[str]) -> str:
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(keys, texts), max_size=4))
        sep = draw(st.sampled_from([", ", ",", " , "]))
        return "{" + sep.join(f"{k}: {v}" for k, v in pairs) + "}"
    items = draw(st.lists(texts, max_size=4))
    return "[" + ", ".join(items) + "]"


@st.composite
def block(draw: st.DrawFn, indent: int = 0, depth: int = 0, keys: st.SearchStrategy[str] = _key,
          texts: st.SearchStrategy[str] = _scalar_text) -> list[str]:
    """Lines of a block node at ``indent``."""
    pad = " " * indent
    step = draw(st.sampled_from([2, 2, 4, 1]))
    out: list[str] = []
    if draw(st.booleans()):  # a mapping
        names = draw(st.lists(keys, min_size=1, max_size=4))
        if draw(st.integers(0, 4)) == 0:
            names.append(names[0])  # a duplicate key
        for k in names:
            kind = draw(st.sampled_from(["scalar", "scalar", "flow", "empty", "nested", "comment"]))
            if kind == "nested" and depth < 3:
                out.append(f"{pad}{k}:")
                inner = indent + step if draw(st.integers(0, 3)) else indent  # key:\n- item at the key's indent
                out += draw(block(inner, depth + 1, keys, texts))
            elif kind == "flow":
                out.append(f"{pad}{k}: {flow(draw, keys, texts)}")
            elif kind == "empty":
                out.append(f"{pad}{k}:")
            elif kind == "comment":
                out.append(f"{pad}{k}: {draw(scalar(texts))}  # note")
                out.append(draw(st.sampled_from(["", "#", f"{pad}  # aside", "   "])))
            else:
                out.append(f"{pad}{k}: {draw(scalar(texts))}")
        return out
    for _ in range(draw(st.integers(1, 3))):  # a sequence
        kind = draw(st.sampled_from(["scalar", "flow", "compact", "compact", "compact", "nested"]))
        if kind == "compact" and depth < 3:
            lines = draw(block(indent + 2, depth + 1, keys, texts))
            first = lines[0][indent + 2:] if lines[0].startswith(" " * (indent + 2)) else lines[0].lstrip(" ")
            out.append(f"{pad}- {first}")
            out += lines[1:]
        elif kind == "nested" and depth < 3:
            out.append(f"{pad}-")
            out += draw(block(indent + step, depth + 1, keys, texts))
        elif kind == "flow":
            out.append(f"{pad}- {flow(draw, keys, texts)}")
        else:
            out.append(f"{pad}- {draw(scalar(texts))}")
    return out


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block())
def test_fast_reader_agrees_on_data_file_shapes(lines: list[str]) -> None:
    agree("\n".join(lines) + "\n")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block(keys=_plain_key, texts=_clean))
def test_fast_reader_agrees_on_clean_data_files(lines: list[str]) -> None:
    agree("\n".join(lines) + "\n")


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(list("-:ab #\n'\"[]{},.~1日") + ["  ", "\n  ", "\n- ", ": ", "2027-02-30"]),
                max_size=40).map("".join))
def test_fast_reader_agrees_on_any_text(text: str) -> None:
    agree(text)


def test_the_fast_reader_reads_the_data_files_people_write() -> None:
    for path in sorted((REPO / "docs" / "_data").glob("*.yml")):
        assert agree(path.read_text(encoding="utf-8-sig")), f"{path.name} fell back to the composing reader"


def test_generated_ledger_is_read_fast(tmp_path: Path) -> None:
    from conftest import BENCH_CORPUS  # the project's own generator, loaded once

    BENCH_CORPUS.generate(tmp_path, 60, 3, 40)
    assert agree((tmp_path / "docs" / "_data" / "systems.yml").read_text(encoding="utf-8"))


def test_lines_dates_and_duplicates() -> None:
    text = ("# 台帳\nsystems:\n  - id: a\n    contract: {number: G-1, end: 2027-02-30}\n"
            "    id: b\n    runbooks:\n      restore: x.md\n")
    data, bad, dup = blockyaml.load(text)  # type: ignore[misc]
    entry = data["systems"][0]
    assert entry.line == 3 and entry.key_lines == {"id": 5, "contract": 4, "runbooks": 6}
    assert entry["runbooks"].line == 7 and entry["contract"].line == 4
    assert bad == [(4, 34, "2027-02-30")] and dup == [(5, 5, "id", 3)]
    assert agree(text)


def test_outside_the_subset_steps_aside() -> None:
    for text in ["a: &x 1\nb: *x\n", "a: |\n  text\n", "a: !tag x\n", "--- \na: 1\n", "a: b\n  c\n",
                 "a:\tb\n", "a: \"x\\ty\"\n", "a: {b: {c: d}}\n", "a: [b,\n  c]\n", "<<: {a: 1}\n", "a: 2026-01-01 10:00:00\n",
                 "? a\n: b\n", "a: b: c\n", "- - a\n", "hello\n"]:
        assert blockyaml.load(text) is None, text
        data, issues = datadir.parse_yaml(text)  # the full reader answers (never raises)
        if data is None:
            assert issues, text  # not read: a problem with a line says why
        else:
            assert data == yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), text  # noqa: S506 - kb's parser
