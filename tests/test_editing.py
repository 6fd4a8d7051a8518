"""Byte-exact front matter edits (kb review mark): property tests over hostile-but-valid files."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_tools.parse import frontmatter
from kb_tools.edit.files import (
    EditError,
    Snapshot,
    create_new,
    mark_reviewed,
    set_fields,
    split_lines,
    write_atomic,
)

D = dt.date(2026, 11, 26)

_plain_chars = st.sampled_from(list("abcxyzABC123あいう担当者手順クラウド_.") + ["-"])
plain_word = st.text(_plain_chars, min_size=1, max_size=8).filter(lambda s: s[0] not in "-." and s not in ("y", "n"))
_free = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
free_text = st.text(_free, max_size=20)


@st.composite
def value(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["plain", "int", "single", "double", "flow", "date"]))
    if kind == "plain":
        return "v" + draw(plain_word)
    if kind == "int":
        return str(draw(st.integers(0, 10**6)))
    if kind == "single":
        return "'" + draw(free_text).replace("'", "''") + "'"
    if kind == "double":
        s = draw(free_text).replace("\\", "\\\\").replace('"', '\\"')
        return '"' + s + '"'
    if kind == "flow":
        return "[" + ", ".join(draw(st.lists(plain_word.map(lambda w: "t" + w), max_size=3))) + "]"
    return f"20{draw(st.integers(10, 29))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}"


suffix = st.sampled_from(["", " ", "   ", " # comment", "  # コメント  ", "\t# x"])


@st.composite
def page(draw: st.DrawFn) -> dict:
    """A page as parts, with the expected result of marking it reviewed on D."""
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = draw(st.booleans())
    keys = draw(st.lists(plain_word.map(lambda w: "k" + w), min_size=1, max_size=6, unique=True))
    lines = []
    for k in keys:
        if draw(st.booleans()):
            lines.append("# " + draw(free_text).replace("\r", "").replace("\n", "") + draw(suffix.filter(lambda s: "#" not in s)))
        lines.append(f"{k}:{draw(st.sampled_from([' ', '  ']))}{draw(value())}{draw(suffix)}")
        if draw(st.integers(0, 5)) == 0:
            lines.append("")
    lr = draw(st.sampled_from(["absent", "plain", "single", "double", "empty"]))
    lr_index = None
    if lr != "absent":
        lr_index = draw(st.integers(0, len(lines)))
        ws = draw(st.sampled_from([" ", "   "]))
        old = {"plain": "2023-04-01", "single": "'2023-04-01'", "double": '"2023-04-01"', "empty": ""}[lr]
        suf = draw(suffix) if lr != "empty" else draw(st.sampled_from(["", " # todo"]))
        line = f"last_reviewed:{ws}{old}{suf}"
        if lr == "empty":  # the value is inserted where it belongs; every old byte stays
            head = line[: len(line) - len(line[len("last_reviewed:"):].lstrip(" \t"))]
            rest = line[len(head):]
            expected = head + D.isoformat() + (" " + rest if rest else "")
        else:
            expected = f"last_reviewed:{ws}{D.isoformat()}{suf}"
        lines.insert(lr_index, line)
    close = draw(st.sampled_from(["---", "...", "---  "]))
    body = draw(st.lists(st.one_of(free_text.filter(lambda s: "\r" not in s and "\n" not in s and not s.startswith(("<<<<<<<", ">>>>>>>"))),
                                   st.sampled_from(["---", "...", "last_reviewed: 1999-01-01", "# 見出し", "", "  trailing  "])),
                         max_size=8))
    end_eol = draw(st.booleans())
    fm_lines = ["---", *lines, close]
    text = eol.join(fm_lines) + eol + eol.join(body) + (eol if end_eol and body else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    return {"data": data, "eol": eol, "bom": bom, "lr": lr, "lr_line": (lr_index + 1) if lr_index is not None else None,
            "expected": expected if lr != "absent" else None, "n_fm": len(fm_lines)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page())
def test_mark_changes_only_the_value_bytes(p: dict) -> None:
    data: bytes = p["data"]
    new = mark_reviewed(data, D, label="p.md")
    assert new.startswith(b"\xef\xbb\xbf") == p["bom"]
    old_lines = split_lines(data.decode("utf-8-sig"))
    new_lines = split_lines(new.decode("utf-8-sig"))
    eol = p["eol"]
    if p["lr"] == "absent":
        assert len(new_lines) == len(old_lines) + 1
        idx = next(i for i, ln in enumerate(new_lines) if ln.startswith("last_reviewed:"))
        assert new_lines[idx] == f"last_reviewed: {D.isoformat()}{eol}"
        assert new_lines[:idx] + new_lines[idx + 1:] == old_lines
        assert idx < p["n_fm"]  # inside the front matter
    else:
        i = p["lr_line"]
        assert len(new_lines) == len(old_lines)
        assert new_lines[i] == p["expected"] + eol
        assert new_lines[:i] + new_lines[i + 1:] == old_lines[:i] + old_lines[i + 1:]
    # the edited file reads back with the new date and the rest of the metadata unchanged
    old_meta = frontmatter.split(data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")).meta
    new_meta = frontmatter.split(new.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")).meta
    assert new_meta == {**old_meta, "last_reviewed": D}
    # idempotent, and marking back to the original plain date restores every byte
    assert mark_reviewed(new, D) == new
    if p["lr"] == "plain":
        assert mark_reviewed(new, dt.date(2023, 4, 1)) == data


def test_reviewed_by_inserted_after_last_reviewed_and_quoted_when_needed() -> None:
    data = b"---\r\ntitle: t\r\nlast_reviewed: 2020-01-01 # c\r\nowner: x\r\n---\r\nbody\r\n"
    new = mark_reviewed(data, D, by="担当者A")
    assert new == b"---\r\ntitle: t\r\nlast_reviewed: 2026-11-26 # c\r\nreviewed_by: " + "担当者A".encode() + \
        b"\r\nowner: x\r\n---\r\nbody\r\n"
    new2 = set_fields(new, {"reviewed_by": "a: #b"})
    assert b'reviewed_by: "a: #b"\r\n' in new2


@pytest.mark.parametrize("data, message", [
    (b"no front matter\n", "has no front matter"),
    (b"---\ntitle: [unclosed\n---\n", "cannot be parsed"),
    (b"---\ntitle: t\n", "never closed"),
    (b"---\ntitle: t\n---\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> other\n", "merge conflict"),
    (b"---\ntitle: t\nlast_reviewed: |\n  2020-01-01\n---\n", "spans several lines"),
    (b"---\ntitle: t\nlast_reviewed: 2020-01-01\nlast_reviewed: 2021-01-01\n---\n", "more than once"),
    (b"---\ntitle: \xff\n---\n", "not valid UTF-8"),
    (b"---\ntitle: t\nlast_reviewed: 2025-02-29\n---\n", "not a real date"),
])
def test_refuses_unsafe_files(data: bytes, message: str) -> None:
    with pytest.raises(EditError, match=message):
        mark_reviewed(data, D, label="x.md")


def test_write_refuses_a_file_changed_since_read(tmp_path) -> None:
    p = tmp_path / "a.md"
    p.write_bytes(b"---\ntitle: t\n---\n")
    os.chmod(p, 0o640)
    snap = Snapshot.read(p)
    new = mark_reviewed(snap.data, D)
    p.write_bytes(b"---\ntitle: changed\n---\n")
    with pytest.raises(EditError, match="changed on disk"):
        write_atomic(snap, new)
    assert p.read_bytes() == b"---\ntitle: changed\n---\n"
    snap = Snapshot.read(p)
    write_atomic(snap, mark_reviewed(snap.data, D))
    assert p.read_bytes() == b"---\ntitle: changed\nlast_reviewed: 2026-11-26\n---\n"
    assert (os.stat(p).st_mode & 0o777) == 0o640
    assert [x.name for x in tmp_path.iterdir()] == ["a.md"]  # no temp file left behind


def test_create_new_never_overwrites(tmp_path) -> None:
    p = tmp_path / "sub" / "n.md"
    create_new(p, b"one")
    with pytest.raises(EditError, match="already exists"):
        create_new(p, b"two")
    assert p.read_bytes() == b"one"
    assert sorted(x.name for x in p.parent.iterdir()) == ["n.md"]
