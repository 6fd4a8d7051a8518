"""Problems found while reading files (KB9xx) and registries (KB110)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.checks.registry import Emit, RuleContext, RuleInfo, check_pass, declare, page_pass
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page, ParseIssue

ENCODING = declare("KB901", "parse.encoding", severity=Severity.ERROR, doc="""
    File is not valid UTF-8 (a BOM is accepted).

    **Why** MkDocs stops the build on such a file; Japanese text saved as Shift_JIS is the usual cause.
    **Good** save as UTF-8.
""")
FRONT_MATTER = declare("KB902", "parse.front-matter", severity=Severity.ERROR, doc="""
    Front matter is not valid YAML, not a mapping, or never closed.

    **Why** MkDocs then renders the page without any metadata and says nothing; owner, review
    dates and tags are silently lost.
    **Bad** ``title: 手順: VPN`` (an unquoted second colon).
    **Good** ``title: "手順: VPN"``.
""")
FILE = declare("KB903", "parse.file", severity=Severity.WARNING, doc="""
    A file in the docs tree cannot be used as a page: binary, unreadable, too large, a symlink
    loop, or shadowed (README.md next to index.md).
""")
REGISTRY = declare("KB110", "meta.registry", severity=Severity.ERROR, doc="""
    The roster or taxonomy file (``docs/_data/roster.yml``, ``taxonomy.yml``) cannot be read or
    has an entry of the wrong shape.

    **Good** ``infra: {name: インフラ担当, holders: [{person: 担当者A, since: 2023-04-01}], past: []}``
""", kb_metadata=True)

INTERNAL_ERROR = declare("KB900", "internal.error", severity=Severity.ERROR, doc="""
    A check failed inside kb itself; the other checks still ran. Please report it with the message.
""")


_BY_NAME = {i.name: i for i in (ENCODING, FRONT_MATTER, FILE, REGISTRY, INTERNAL_ERROR)}


def _rule(issue: ParseIssue) -> RuleInfo:
    """The declared rule of a parse issue (the loader names it by its dotted name)."""
    return _BY_NAME.get(issue.rule, INTERNAL_ERROR)


def _text(issue: ParseIssue) -> tuple[str, str | None]:
    """The issue's message and hint in the reader's language (issues hold msgids and values)."""
    msg = _(issue.message)
    if issue.args:
        msg = msg.format(**issue.args)
    return msg, _(issue.hint) if issue.hint else None


def _emit(emit: Emit, path: str, i: ParseIssue) -> None:
    msg, hint = _text(i)
    emit(_rule(i), path, i.line, i.column, msg, hint, i.target)


@page_pass
def page_parse_findings(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """What the loader found while reading one page."""
    for i in page.issues:
        _emit(emit, page.path, i)


@check_pass
def parse_findings(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """What the loader found in the tree (unreadable files, loops) and in the registries."""
    for path, i in corpus.file_issues:
        _emit(emit, path, i)
    if corpus.kb_metadata:
        for path, i in corpus.registry.issues:
            _emit(emit, path, i)
