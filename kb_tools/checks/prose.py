"""House style (KB71x, family ``prose``): one way of writing, kept as data in ``_data/style.yml``.

The matching runs while parsing (``kb_tools.analyzers.prose.scan``, cached with each page and
keyed by the style file's content); this pass reports the hits and the style file's problems.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.analyzers.prose.scan import KEY
from kb_tools.analyzers.prose.style import STYLE_FILE, parse_style
from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare, page_pass
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

VARIANT = declare("KB711", "prose.variant", severity=Severity.WARNING, doc="""
    A form the house style does not use, in running text (like textlint's prh): サーバ for
    サーバー, 問い合わせ (noun) for 問合せ, ベンダー for 事業者, 情報政策課 for デジタル戦略課 …

    **Why** one way of writing makes pages read as one body of work and search find everything
    (docs/_data/synonyms.yml uses the same canonical forms). The forms are data:
    ``docs/_data/style.yml`` (``canonical: [variant, {pattern: REGEX}]``), after 文化庁
    「公用文作成の考え方」 (2022). Not checked: front matter, code, link targets and texts
    (titles of cited documents are quoted as published), 「…」/『…』 quotes and blockquotes.
""")
CONFIG = declare("KB719", "prose.config", severity=Severity.ERROR, doc="""
    ``_data/style.yml`` cannot be used: not valid YAML, not a mapping, a variant that is neither a
    string nor ``{pattern: REGEX}``, or a pattern that is not a valid regular expression.
""")


class _StyleFile(str):
    """Whether ``_data/style.yml`` exists ("1") or not (""), once per corpus."""


def _has_style(corpus: Corpus) -> bool:
    return bool(corpus.derived(_StyleFile, lambda c: _StyleFile("1" if (c.config.data_path / STYLE_FILE).is_file() else "")))


@check_pass
def check_prose(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Problems of the style file (the variants are found page by page: ``check_prose_page``)."""
    if not _has_style(corpus):
        return
    path = corpus.config.data_path / STYLE_FILE
    rel = f"{corpus.config.kb.data_dir.strip('/')}/{STYLE_FILE}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        emit(CONFIG, rel, 1, None, _("cannot be read: {error}").format(error=exc.strerror))
        return
    for line, msg in parse_style(data).problems:
        emit(CONFIG, rel, line, None, msg)


@page_pass
def check_prose_page(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """Variants the prose analyzer found in the page (its cache key holds style.yml's bytes)."""
    if not _has_style(corpus):
        return
    for line, col, variant, canonical in page.extra.get(KEY, ()):
        emit(VARIANT, page.path, line, col, _("'{variant}': the house style writes '{canonical}'").format(
            variant=variant, canonical=canonical), hint=_("write '{canonical}'").format(canonical=canonical),
            target=variant)
