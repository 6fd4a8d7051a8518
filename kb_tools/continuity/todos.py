"""Fill-in items (要確認, DESIGN §10) as reports: ``kb todo``, dashboard counts, handover lists."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from kb_tools import mdtext as _md
from kb_tools.analyzers.todos import KEY
from kb_tools.checks.todos import todo_owner
from kb_tools.i18n import _

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page


@dataclass(frozen=True)
class TodoItem:
    path: str
    line: int
    owner: str  # role id ("" when neither the item nor the page names one)
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def page_todos(page: Page) -> list[TodoItem]:
    return [TodoItem(page.path, line, todo_owner(page.meta.get("owner"), owner), text)
            for line, owner, text in page.extra.get(KEY, ())]


def todo_items(corpus: Corpus, owner: str | None = None) -> list[TodoItem]:
    """Every open 要確認 item, by path and line; ``owner`` limits to one role."""
    out = []
    for page in corpus.sorted_pages():
        if page.meta.get("status") in ("deprecated", "archived"):
            continue
        out += [t for t in page_todos(page) if owner is None or t.owner == owner]
    return out


def counts_by_role(items: list[TodoItem]) -> Counter[str]:
    return Counter(t.owner for t in items)


def todos_json(items: list[TodoItem]) -> dict[str, Any]:
    return {"todos": [t.to_dict() for t in items], "total": len(items)}


def _none() -> str:
    return _("No items to confirm (要確認).") + "\n"


def _total(items: list[TodoItem]) -> str:
    return "\n\n" + _("Items to confirm: {n}").format(n=len(items)) + "\n"


def todos_text(items: list[TodoItem]) -> str:
    if not items:
        return _none()
    lines = [f"{t.path}:{t.line}: [{t.owner or '-'}] {t.text}" for t in items]
    return "\n".join(lines) + _total(items)


def todos_markdown(items: list[TodoItem], corpus: Corpus, from_page: str = "") -> str:
    if not items:
        return _none()
    rows = []
    for t in items:
        title = corpus.pages[t.path].title if t.path in corpus.pages else t.path
        role = corpus.registry.roles.get(t.owner)
        where = _md.link(from_page, t.path, title) if from_page else f"{_md.code(t.path)}"
        rows.append([_("{where} (line {line})").format(where=where, line=t.line),
                     _md.text(role.name if role else (t.owner or "—")), _md.text(t.text)])
    return "\n".join(_md.table([_("Page"), _("Owner"), _("What to confirm")], rows)) + _total(items)
