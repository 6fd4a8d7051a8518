"""Pages generated from the corpus: review dashboard, ownership map, tag index, onboarding paths.

Everything here works without MkDocs: the ``kb`` plugin adds these pages to the site with
``File.generated`` and ``kb pages --out DIR`` writes the very same Markdown to disk. The pages are
in the site's language (``theme.language``), whatever KB_LANG or ``--lang`` say: they are the
site's content, not messages to whoever runs the build.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Any

from kb_tools import i18n
from kb_tools.analyzers.todos import KEY as TODOS_KEY
from kb_tools.corpus import Corpus
from kb_tools.model import Page
from kb_tools.site.pages import _md, onboarding, tags
from kb_tools.site.pages.cache import LEDGER_FILES, REGISTRY_FILES, Part
from kb_tools._io import atomic_write

log = logging.getLogger(__name__)

SECTION = "kb"
SECTION_TITLE = "ナレッジベースの状況"
INDEX_PATH = "kb/index.md"
REVIEW_PATH = "kb/review.md"
OWNERSHIP_PATH = "kb/ownership.md"
TAGS_PATH = tags.PATH
ABBREVIATIONS_FILE = "_abbreviations.md"

__all__ = ["GENERATED_PATHS", "generate", "path_pages", "write_pages"]

SYSTEMS_FOLDER = "kb/systems"  # site/pages/systems.FOLDER
GENERATED_PATHS = (INDEX_PATH, REVIEW_PATH, OWNERSHIP_PATH, TAGS_PATH)  # besides the ledger's (kb/systems/)
# Titles of generated folders in the nav (MkDocs would name them after the folder).
SECTION_TITLES = {"kb/systems": "システム台帳"}


def _index_markdown() -> str:
    return (_md.front_matter(SECTION_TITLE, "レビュー状況・担当マップ・タグ一覧（自動生成）")
            + f"# {SECTION_TITLE}\n\n"
            "このフォルダのページはナレッジベースの内容から自動で作られます（編集しないでください）。\n\n"
            f"- [レビュー状況]({_md.rel_link(INDEX_PATH, REVIEW_PATH)}): レビュー期限を過ぎたページと、30日以内に期限が来るページ（担当ロール別）\n"
            f"- [担当マップ]({_md.rel_link(INDEX_PATH, OWNERSHIP_PATH)}): ロールごとの担当ページ、副担当のいないページ、1ロールだけが担当する分野、異動予定\n"
            f"- [タグ一覧]({_md.rel_link(INDEX_PATH, TAGS_PATH)}): タグごとのページ\n")


def _ledger_links() -> str:
    from kb_tools.site.pages import systems

    return (f"- [システム台帳]({_md.rel_link(INDEX_PATH, systems.INDEX)}): システムごとの担当・事業者・契約・手順書、"
            f"[手順書の整備状況]({_md.rel_link(INDEX_PATH, systems.COVERAGE)})、"
            f"[契約満了・サポート終了の年表]({_md.rel_link(INDEX_PATH, systems.TIMELINE)})\n")


def _report(title: str, description: str, body: str) -> str:
    return _md.front_matter(title, description) + f"# {title}\n\n" + body.rstrip("\n") + "\n"


def generate(corpus: Corpus, today: _dt.date, use_cache: bool = True) -> dict[str, str]:
    """``docs path -> Markdown`` of the pages under ``kb/`` (sorted, deterministic for a given today),
    in the site's language.

    Each part is cached by its inputs (``site/pages/cache.py``): a ``kb serve`` rebuild after one
    page edit re-renders only the parts that read what changed; ``corpus.stats["generated_rendered"]``
    names them."""
    from kb_tools.continuity.git_facts import collect
    from kb_tools.site.pages.cache import render_parts

    with i18n.language(corpus.config.theme_language):
        git = collect(corpus.config)  # never raises; cached by HEAD under .kb/cache
        out, rendered = render_parts(corpus, today, git, _parts(), use_cache)
    corpus.stats["generated_rendered"] = rendered
    ledger = any(p.startswith(f"{SYSTEMS_FOLDER}/") for p in out)
    out[INDEX_PATH] = _index_markdown() + (_ledger_links() if ledger else "")
    return dict(sorted(out.items()))


def _tagged(value: Any) -> Any:
    """A value with the type of each leaf (a front matter's InvalidDate is a str with the same text)."""
    if isinstance(value, dict):
        return tuple((k, _tagged(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_tagged(v) for v in value)
    return (type(value).__name__, value)


def _meta(page: Page, *keys: str) -> Any:
    meta = page.meta if isinstance(page.meta, dict) else {}
    return _tagged({k: meta[k] for k in keys if k in meta} if keys else meta)


def _render_review(corpus: Corpus, today: _dt.date, git: Any) -> dict[str, str]:
    from kb_tools.continuity.review import review_markdown

    return {REVIEW_PATH: _report("レビュー状況", "レビュー期限を過ぎたページと期限が近いページ（自動生成）",
                                 review_markdown(corpus, today))}


def _render_ownership(corpus: Corpus, today: _dt.date, git: Any) -> dict[str, str]:
    from kb_tools.continuity.ownership import ownership_markdown
    from kb_tools.site.pages.ownership_chart import ownership_with_charts

    return {OWNERSHIP_PATH: _report("担当マップ", "ロールごとの担当ページと引継ぎのリスク（自動生成）",
                                    ownership_with_charts(corpus, today, git, ownership_markdown(corpus, today, git)))}


def _render_tags(corpus: Corpus, today: _dt.date, git: Any) -> dict[str, str]:
    return {TAGS_PATH: tags.tags_markdown(corpus)}


def _render_ledger(corpus: Corpus, today: _dt.date, git: Any) -> dict[str, str]:
    from kb_tools.site.pages.systems import ledger_pages

    return ledger_pages(corpus, today)


def _role_holders(ledger: Any) -> Any:
    """What the ownership map reads of the ledger: each system's id, status, owner and deputy."""
    return [(s.id, s.status, s.owner, s.deputy) for s in ledger.systems]


def _parts() -> list[Part]:
    """The generated pages in parts, each with what it reads (a stale page is a defect: keep these
    in step with the renderers; tests/test_site_pages_cache.py edits each input)."""
    todos = TODOS_KEY
    reg, led = REGISTRY_FILES, LEDGER_FILES
    return [
        # review dates: front matter, contract renewals of the page's systems (systems.yml), 要確認 counts
        Part("review", _render_review, lambda p: (p.title, _meta(p), _tagged(p.extra.get(todos))), reg + led,
             dated=True),
        Part("ownership", _render_ownership, lambda p: (p.title, _meta(p)), reg, ledger=_role_holders, dated=True,
             git=True),
        Part("tags", _render_tags, lambda p: (p.title, _meta(p, "tags", "status")), reg),
        Part("ledger", _render_ledger, lambda p: (p.title, _meta(p, "status", "type", "systems", "replaced_by")),
             reg + led, dated=True),
    ]


def path_pages(corpus: Corpus) -> dict[str, str]:
    """``docs path -> full page text`` of every onboarding path page, with its steps rendered
    (in the site's language)."""
    out = {}
    with i18n.language(corpus.config.theme_language):
        for path, page in sorted(corpus.pages.items()):
            if onboarding.is_path_page(page):
                out[path] = onboarding.render_into(corpus.read_text(page), onboarding.steps_markdown(corpus, page))
    return out


def _write(path: Path, text: str) -> None:
    atomic_write(path, text)


def write_pages(corpus: Corpus, out_dir: Path, today: _dt.date) -> list[Path]:
    """Write every generated page under ``out_dir`` (same relative paths as in the site)."""
    from kb_tools.site.pages.glossary import abbreviations_markdown, load_glossary

    written = []
    pages = generate(corpus, today) | path_pages(corpus)
    terms, _problems = load_glossary(corpus.config.data_path)
    if terms:
        pages[ABBREVIATIONS_FILE] = abbreviations_markdown(terms)
    for rel, text in sorted(pages.items()):
        dest = out_dir / rel
        _write(dest, text)
        written.append(dest)
    return written
