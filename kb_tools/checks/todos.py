"""Fill-in items (KB7xx): the 要確認 admonitions still waiting for a local fact (DESIGN §10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb_tools.analyzers.todos import KEY
from kb_tools.checks.registry import Emit, RuleContext, declare, page_pass
from kb_tools.findings import Severity
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

TODO = declare("KB801", "content.todo", severity=Severity.INFO, kb_metadata=True, doc="""
    An admonition titled 要確認 (``!!! warning "要確認"``): a fact still to be filled in. Its
    owner is the page's owner unless its first line says ``担当: ROLE``. ``kb todo`` lists them
    by owner; the review dashboard counts them per role.
""")


def todo_owner(page_owner: object, owner: str) -> str:
    return owner or (page_owner if isinstance(page_owner, str) else "")


@page_pass
def check_todos(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """One info finding per open 要確認 item of the page."""
    if not corpus.kb_metadata:
        return
    for line, owner, text in page.extra.get(KEY, ()):
        who = todo_owner(page.meta.get("owner"), owner)
        emit(TODO, page.path, line, None, _("open fill-in item (要確認) for {owner}: {text}").format(
            owner=who or "?", text=text[:80]), target=who or None)
