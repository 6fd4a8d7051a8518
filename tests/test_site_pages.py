"""Generated pages without MkDocs: golden files on a small corpus, kb pages, glossary tooltips."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.site.pages import generate, onboarding, path_pages
from kb_tools.site.pages.glossary import KbAbbrExtension, abbreviations, load_glossary
from kb_tools.site.pages.tags import gojuon_key
from kb_tools.site.pages.view import page_view
from conftest import MKDOCS_YML
from test_site_support import FILES, TODAY, assert_golden

JA_SITE_YML = MKDOCS_YML + "theme:\n  name: mkdocs\n  language: ja\n"  # the goldens are a Japanese site's pages


@pytest.fixture(name="corpus")
def fixture_corpus(make_docs):
    root = make_docs(FILES, JA_SITE_YML)
    return build_corpus(load_config(root / "mkdocs.yml"), use_cache=False)


def test_generated_pages_match_goldens(corpus) -> None:
    pages = generate(corpus, TODAY)
    assert sorted(pages) == ["kb/index.md", "kb/ownership.md", "kb/review.md", "kb/tags.md"]
    for path, text in pages.items():
        assert_golden(path.replace("/", "__"), text)
    assert_golden("onboarding__paths__start.md", path_pages(corpus)["onboarding/paths/start.md"])


def test_tag_index_lists_the_right_pages(corpus) -> None:
    text = generate(corpus, TODAY)["kb/tags.md"]
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    # alias "backup" resolves to バックアップ; the deprecated page is marked
    assert "[夜間バックアップの確認手順](../ops/backup.md)" in sections["バックアップ"]
    assert "[旧バックアップ手順](../ops/old.md)（廃止予定）" in sections["バックアップ"]
    assert "読み: ばっくあっぷ ／ 別名: backup" in sections["バックアップ"]
    assert "ops/draft.md" in sections["LGWAN"] and "ops/backup.md" in sections["LGWAN"]
    assert "index.md" not in sections["LGWAN"]
    # 五十音: え(LGWAN) < お(オンボーディング) < は(バックアップ)
    order = [h for h in sections]
    assert order == ["LGWAN", "オンボーディング", "バックアップ"]


def test_review_dashboard_lists_overdue_page_under_its_owner(corpus) -> None:
    text = generate(corpus, TODAY)["kb/review.md"]
    owner_section = text.split("## インフラ担当")[1]
    assert "../ops/backup.md" in owner_section
    assert "../ops/old.md" not in text  # deprecated pages are not reviewed


def test_ownership_map_names_leaving_holder(corpus) -> None:
    text = generate(corpus, TODAY)["kb/ownership.md"]
    assert "担当者A" in text and "2027-03-31" in text


def test_path_steps_replace_marker_and_escape(corpus) -> None:
    page = corpus.pages["onboarding/paths/start.md"]
    out = path_pages(corpus)["onboarding/paths/start.md"]
    assert onboarding.MARKER not in out
    assert out.index("### ステップ 1") < out.index("## 終わったら")
    assert "（目安 合計 30 分）" in out
    assert 'data-kb-step="ops/backup.md"' in out
    assert "[夜間バックアップの確認手順](../../ops/backup.md)" in out
    assert [s.page for s in onboarding.steps_of(page)] == ["index.md", "ops/backup.md"]


def test_titles_with_html_are_escaped_in_generated_markdown(make_docs) -> None:
    files = dict(FILES)
    files["ops/backup.md"] = files["ops/backup.md"].replace("title: 夜間バックアップの確認手順", 'title: "<b>太字</b>[リンク](x)"')
    root = make_docs(files)
    corpus = build_corpus(load_config(root / "mkdocs.yml"), use_cache=False)
    text = generate(corpus, TODAY)["kb/tags.md"]
    html = markdown.markdown(text.split("---\n", 2)[2], extensions=["tables"])
    assert "<b>" not in html
    assert "&lt;b&gt;太字&lt;/b&gt;&#91;リンク&#93;(x)</a>" in html


def test_page_view_overdue_and_holders(corpus) -> None:
    view = page_view(corpus.pages["ops/backup.md"], corpus.registry, corpus.config.kb, TODAY)
    assert view.overdue and view.next_due == "2025-07-09" and view.days_left == -505
    assert view.owner.name == "インフラ担当" and view.owner.holders == ["担当者A"]
    assert view.owner.leaving == ["担当者A（2027-03-31 異動予定）"]
    assert view.deputy.holders == ["担当者B"]
    assert view.tags == ["バックアップ", "LGWAN"]
    old = page_view(corpus.pages["ops/old.md"], corpus.registry, corpus.config.kb, TODAY)
    assert old.status == "deprecated" and not old.overdue and old.replaced_by == "ops/backup.md"


def test_kb_pages_writes_the_same_pages(make_docs, run_kb, corpus, tmp_path: Path) -> None:
    root = Path(corpus.config.root)
    out = tmp_path / "out"
    res = run_kb(root, "pages", "--out", str(out), "--today", TODAY.isoformat())
    assert res.exit_code == 0, res.stderr
    listed = res.stdout.split()
    assert listed == ["_abbreviations.md", "kb/index.md", "kb/ownership.md", "kb/review.md", "kb/tags.md",
                      "onboarding/paths/start.md"]
    assert (out / "kb/tags.md").read_text(encoding="utf-8") == generate(corpus, TODAY)["kb/tags.md"]
    assert (out / "_abbreviations.md").read_text(encoding="utf-8").startswith("*[LGWAN]: Local Government")


def test_stock_abbr_misses_terms_next_to_japanese_and_ours_does_not(corpus) -> None:
    terms, problems = load_glossary(corpus.config.data_path)
    assert problems == []
    glossary = abbreviations(terms)
    src = "LGWANを使う。XLGWAN と LGWANs は別物。無害化したファイル。`LGWAN`\n\n*[API]: Application Programming Interface\n\nAPIを呼ぶ"
    stock = markdown.markdown(src, extensions=["abbr"], extension_configs={"abbr": {"glossary": glossary}})
    assert "<abbr" not in stock.split("。")[0]  # the reason KbAbbrExtension exists
    ours = markdown.markdown(src, extensions=[KbAbbrExtension(glossary=glossary)])
    assert ours.count('<abbr title="Local Government Wide Area Network（えるじーわん）') == 1
    assert "XLGWAN" in ours and "LGWANs" in ours  # no tooltip inside longer ASCII words
    assert '<abbr title="（むがいか） ファイルから' in ours
    assert "<code>LGWAN</code>" in ours
    assert '<abbr title="Application Programming Interface">API</abbr>を呼ぶ' in ours


def test_broken_glossary_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "glossary.yml").write_text("- term: [unclosed\n", encoding="utf-8")
    terms, problems = load_glossary(tmp_path)
    assert terms == [] and len(problems) == 1 and "glossary.yml:2: not valid YAML" in problems[0]


def test_gojuon_key_ignores_voicing_and_long_vowels() -> None:
    assert sorted(["ばっくあっぷ", "はんだん", "あーる", "あかうんと"], key=gojuon_key) == [
        "あかうんと", "あーる", "ばっくあっぷ", "はんだん"]


def test_path_answers_fold_under_the_question_and_totals_are_computed(make_docs) -> None:
    files = dict(FILES)
    files["onboarding/paths/start.md"] = files["onboarding/paths/start.md"].replace(
        "check: 分からない言葉はどこで調べますか？",
        "check: 分からない言葉はどこで調べますか？\n            answer: 用語集で調べ、<なければ>担当に聞く。").replace(
        "minutes: 20", "minutes: 80")
    root = make_docs(files)
    corpus = build_corpus(load_config(root / "mkdocs.yml"), use_cache=False)
    out = path_pages(corpus)["onboarding/paths/start.md"]
    assert ('<details class="kb-step__answer"><summary>解答例</summary><p>用語集で調べ、&lt;なければ&gt;担当に聞く。'
            '</p></details>') in out
    assert out.count("kb-step__answer") == 1  # only the step that has an answer
    total = sum(s.minutes or 0 for s in onboarding.steps_of(corpus.pages["onboarding/paths/start.md"]))
    assert total > 60 and f"（目安 合計 {total:,} 分、約" in out
