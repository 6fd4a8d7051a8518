"""The project's own corpus generator (bench/corpus.py): deterministic, every seeded rule present."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import BENCH_CORPUS


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    gen = BENCH_CORPUS
    gen.generate(tmp_path / "a", 60, 5)
    gen.generate(tmp_path / "b", 60, 5)
    gen.generate(tmp_path / "c", 60, 6)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_seeded_rule_is_planted(tmp_path: Path) -> None:
    gen = BENCH_CORPUS
    doc = gen.generate(tmp_path, 400, 2)
    assert set(doc["counts"]) == set(gen.SEEDED_RULES)
    for f in doc["faults"]:
        line = (tmp_path / "docs" / f["file"]).read_text(encoding="utf-8").splitlines()[f["line"] - 1]
        if f["rule"] != "meta.required":
            assert f["target"] in line, (f, line)


def test_a_ledger_changes_nothing_but_the_systems_lines(tmp_path: Path) -> None:
    gen = BENCH_CORPUS
    gen.generate(tmp_path / "a", 80, 4)
    gen.generate(tmp_path / "b", 80, 4, systems=15)
    ledger = (tmp_path / "b" / "docs" / "_data" / "systems.yml").read_text(encoding="utf-8")
    assert ledger.count("  - id: sys") == 15
    named = 0
    for page in sorted((tmp_path / "a" / "docs").rglob("*.md")):
        rel = page.relative_to(tmp_path / "a")
        a = page.read_text(encoding="utf-8").splitlines()
        b = [x for x in (tmp_path / "b" / rel).read_text(encoding="utf-8").splitlines() if not x.startswith("systems: [")]
        named += len(a) != len((tmp_path / "b" / rel).read_text(encoding="utf-8").splitlines())
        assert a == b, rel
    assert named > 0
