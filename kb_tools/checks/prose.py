"""House style (KB71x, family ``prose``): one way of writing, kept as data in ``_data/style.yml``.

The matching runs while parsing (``kb_tools.analyzers.prose.scan``, cached with each page and
keyed by the style file's content); this pass reports the hits and the style file's problems.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.analyzers.prose.scan import KEY
from kb_tools.analyzers.prose.style import STYLE_FILE, parse_style
from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

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


@check_pass
def check_prose(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Variants found by the prose analyzer; problems of the style file."""
    path = corpus.config.data_path / STYLE_FILE
    if not path.is_file():
        return
    rel = f"{corpus.config.kb.data_dir.strip('/')}/{STYLE_FILE}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        emit(CONFIG, rel, 1, None, _("cannot be read: {error}").format(error=exc.strerror))
        return
    for line, msg in parse_style(data).problems:
        emit(CONFIG, rel, line, None, msg)
    for name in sorted(corpus.pages):
        for line, col, variant, canonical in corpus.pages[name].extra.get(KEY, ()):
            emit(VARIANT, name, line, col, _("'{variant}': the house style writes '{canonical}'").format(
                variant=variant, canonical=canonical), hint=_("write '{canonical}'").format(canonical=canonical),
                target=variant)
