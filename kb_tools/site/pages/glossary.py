"""Glossary terms (docs/_data/glossary.yml) as abbreviation tooltips on every page.

Python-Markdown's ``abbr`` matches ``\\bTERM\\b``; Python's ``\\b`` sees no boundary between
"LGWAN" and a following "を" (both are word characters), so in Japanese text almost no term
gets its tooltip. ``KbAbbrExtension`` is ``abbr`` with a boundary that only refuses a match
inside a longer ASCII word ("LGWAN" in "LGWANs" or "XLGWAN"), longest term first. It also keeps
``*[TERM]: text`` definitions written in pages working.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from kb_tools.datadir import read_yaml
from markdown import Markdown
from markdown.extensions.abbr import AbbrBlockprocessor, AbbrExtension, AbbrTreeprocessor

log = logging.getLogger(__name__)

GLOSSARY_FILE = "glossary.yml"


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    reading: str
    definition: str
    full: str = ""
    see: str = ""

    @property
    def tooltip(self) -> str:
        head = f"{self.full}（{self.reading}）" if self.full else (f"（{self.reading}）" if self.reading else "")
        return f"{head} {self.definition}".strip()


def load_glossary(data_path: Path) -> tuple[list[Term], list[str]]:
    """Terms of ``data_path/glossary.yml`` and problems found (``path:line: message``)."""
    path = data_path / GLOSSARY_FILE
    if not path.is_file():
        return [], []
    raw, issues = read_yaml(path, path.name)
    if raw is None and issues:
        return [], [f"{path}:{issues[0].line}: {issues[0].message}"]
    if isinstance(raw, dict) and isinstance(raw.get("terms"), list):
        raw = raw["terms"]
    if not isinstance(raw, list):
        return [], [f"{path}: must be a list of {{term, reading, definition}}"]
    terms, problems = [], []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not str(item.get("term") or "").strip() or not item.get("definition"):
            problems.append(f"{path}: entry {n} needs 'term' and 'definition'")
            continue
        terms.append(Term(str(item["term"]).strip(), str(item.get("reading") or ""), " ".join(str(item["definition"]).split()),
                          str(item.get("full") or ""), str(item.get("see") or "")))
    return terms, problems


def abbreviations(terms: list[Term]) -> dict[str, str]:
    return {t.term: t.tooltip for t in terms}


def abbreviations_markdown(terms: list[Term]) -> str:
    """``*[TERM]: tooltip`` lines, for renderers that use the stock abbr extension."""
    return "".join(f"*[{t.term}]: {t.tooltip}\n" for t in sorted(terms, key=lambda t: t.term))


def _edge(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def term_pattern(terms: list[str]) -> re.Pattern[str]:
    """One regex for all terms, longest first; ASCII edges must not touch ASCII word characters."""
    parts = []
    for t in sorted(set(terms), key=lambda s: (-len(s), s)):
        p = re.escape(t)
        if _edge(t[0]):
            p = r"(?<![A-Za-z0-9_])" + p
        if _edge(t[-1]):
            p += r"(?![A-Za-z0-9_])"
        parts.append(p)
    return re.compile("|".join(parts))


class _Treeprocessor(AbbrTreeprocessor):
    def run(self, root):  # type: ignore[no-untyped-def]
        if not self.abbrs:
            return None
        self.RE = term_pattern(list(self.abbrs))
        self.iter_element(root)
        return None


class KbAbbrExtension(AbbrExtension):
    """``abbr`` with glossary terms and matching that works next to Japanese text."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown API
        if self.config["glossary"][0]:
            self.load_glossary(self.config["glossary"][0])
        self.abbrs.update(self.glossary)
        md.registerExtension(self)
        md.treeprocessors.register(_Treeprocessor(md, self.abbrs), "abbr", 7)
        md.parser.blockprocessors.register(AbbrBlockprocessor(md.parser, self.abbrs), "abbr", 16)
