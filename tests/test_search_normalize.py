"""The shared normaliser: the case table (also run in the browser by the site tests), the
offset map used for highlighting, and the house dictionary loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb_tools.search.normalize import export_data, normalize, normalize_map

CASES = json.loads((Path(__file__).parent / "data" / "normalize_cases.json").read_text(encoding="utf-8"))


def test_case_file_data_is_what_export_data_produces() -> None:
    syn = [(k, v) for k, v in CASES["synonyms"]]
    fresh = export_data(None, synonyms=syn)
    assert fresh == CASES["data"], "regenerate tests/data/normalize_cases.json: the normaliser changed"


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_shared_cases(case: dict) -> None:
    assert normalize(case["input"], CASES["data"]) == case["expected"]
    out, starts = normalize_map(case["input"], CASES["data"])
    assert out == case["expected"]
    assert len(starts) == len(out) + 1
    assert all(0 <= s <= len(case["input"]) for s in starts)


def test_table_is_sorted_longest_first_and_normalised() -> None:
    table = CASES["data"]["table"]
    keys = [k for k, _ in table]
    assert keys == sorted(keys, key=lambda k: (-len(k), k))
    assert all(normalize(v) == v or v in keys for _, v in table)


def test_offset_map_points_at_original_characters() -> None:
    text = "ｻｰﾊﾞｰの設定とＡＷＳ"
    out, starts = normalize_map(text)
    assert out == "サーバの設定とaws"
    # 'の' in the output comes from 'の' in the input; 'a' from 'Ａ'.
    assert text[starts[out.index("の")]] == "の"
    assert text[starts[out.index("a")]] == "Ａ"
    assert text[starts[0]:starts[3]] == "ｻｰﾊﾞｰ"  # the folded ー stays inside the span


def test_dictionary_from_docs_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "docs" / "_data"
    data_dir.mkdir(parents=True)
    (data_dir / "synonyms.yml").write_text("ガバメントクラウド: [ガバクラ]\n引継ぎ: [引き継ぎ, 引継]\n", encoding="utf-8")
    (data_dir / "taxonomy.yml").write_text("ネットワーク:\n  label: ネットワーク\n  aliases: [LAN]\n", encoding="utf-8")
    data = export_data(tmp_path / "docs")
    assert normalize("ガバクラの引継", data) == "ガバメントクラウドの引継ぎ"
    assert data["tag_aliases"]["lan"] == "ネットワーク"
    # tag aliases are not text synonyms
    assert normalize("LAN", data) == "lan"
    json.dumps(data)  # serialisable for the site


def test_missing_and_broken_dictionary(tmp_path: Path) -> None:
    assert export_data(tmp_path / "docs")["table"] == []
    data_dir = tmp_path / "docs" / "_data"
    data_dir.mkdir(parents=True)
    (data_dir / "synonyms.yml").write_text("a: [b\nc: d: e\n", encoding="utf-8")
    issues: list[str] = []
    data = export_data(tmp_path / "docs", issues=issues)
    assert data["table"] == []
    assert issues and "synonyms.yml:" in issues[0] and "not valid YAML" in issues[0]
    (data_dir / "synonyms.yml").write_text("- just\n- a list\n", encoding="utf-8")
    issues = []
    export_data(tmp_path / "docs", issues=issues)
    assert "expected a mapping" in issues[0]


def test_version_changes_with_the_dictionary() -> None:
    a = export_data(None, synonyms=[("サーバー", ["サーバ"])])
    b = export_data(None, synonyms=[("引継ぎ", ["引継"])])
    assert a["version"] != b["version"]
    assert export_data(None, synonyms=[("サーバー", ["サーバ"])])["version"] == a["version"]


def test_repo_dictionary_loads_cleanly() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs"
    issues: list[str] = []
    data = export_data(docs, issues=issues)
    assert not issues
    assert normalize("ガバクラ", data) == normalize("ガバメントクラウド", data)
