"""Onboarding paths: a page of ``type: path`` whose front matter lists ``steps``.

The steps are rendered as Markdown (with ``md_in_html`` blocks) and appended to the page, or
put where the page has a ``<!-- kb:steps -->`` line. Each step has a checkbox; the site's
script (overrides/assets/kb/kb.js) keeps its state in localStorage and shows the progress, so
it works offline and from file://.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from kb_tools.corpus import Corpus
from kb_tools.model import Page
from kb_tools.site.pages import _md

MARKER = "<!-- kb:steps -->"


@dataclass(frozen=True, slots=True)
class Step:
    page: str
    minutes: int | None
    goal: str
    check: str
    answer: str = ""


def is_path_page(page: Page) -> bool:
    return page.meta.get("type") == "path" and isinstance(page.meta.get("steps"), list)


def steps_of(page: Page) -> list[Step]:
    """The page's steps, tolerating bad entries (``kb check`` reports them; we show what we can)."""
    out = []
    for raw in page.meta.get("steps") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("page"), str):
            continue
        m = raw.get("minutes")
        minutes = m if isinstance(m, int) and not isinstance(m, bool) and m > 0 else None
        out.append(Step(raw["page"].strip().lstrip("/"), minutes, str(raw.get("goal") or ""), str(raw.get("check") or ""),
                        str(raw.get("answer") or "")))
    return out


def _hours(minutes: int) -> str:
    """'（約23時間）' for a total of 1,385 minutes: computed, never written by hand."""
    return f"、約{minutes / 60:.1f}時間".replace(".0時間", "時間") if minutes >= 60 else ""


def _field(label: str, value: Any) -> str:
    return f"- **{label}:** {_md.text(value)}"


def steps_markdown(corpus: Corpus, page: Page) -> str:
    """The rendered steps of one path page (Markdown + md_in_html)."""
    steps = steps_of(page)
    total = sum(s.minutes or 0 for s in steps)
    pid = _md.attr(page.path)
    out = [f'<div class="kb-path" data-kb-path="{pid}" markdown>', "",
           f'<p class="kb-path__progress" aria-live="polite"><progress class="kb-path__bar" max="{len(steps)}" value="0">'
           f'</progress> <span class="kb-path__count">0 / {len(steps)}</span> ステップ完了'
           f'（目安 合計 {total:,} 分{_hours(total)}）</p>', ""]
    if not steps:
        out += ["このパスにはまだステップがありません。", "", "</div>", ""]
        return "\n".join(out)
    for n, s in enumerate(steps, 1):
        target = corpus.pages.get(s.page)
        if target is not None:
            title = _md.link(page.path, s.page, target.title)
        else:
            title = f"{_md.text(s.page)}（ページが見つかりません）"
        out += [f'<div class="kb-step" data-kb-step="{_md.attr(s.page)}" markdown>', "",
                f"### ステップ {n}: {title}", "",
                f'<label class="kb-step__done"><input type="checkbox" class="kb-step__check" '
                f'data-kb-step="{_md.attr(s.page)}" data-kb-minutes="{s.minutes or 0}"> このステップを終えた</label>', ""]
        if s.minutes:
            out.append(_field("目安時間", f"{s.minutes} 分"))
        if s.goal:
            out.append(_field("ゴール", s.goal))
        if s.check:
            out.append(_field("確認問題", s.check))
        if s.answer:  # folded, so the reader answers first (a <details> prints open: kb.css)
            out += ["", f'<details class="kb-step__answer"><summary>解答例</summary><p>{html.escape(s.answer)}</p></details>']
        out += ["", "</div>", ""]
    out += ["</div>", ""]
    return "\n".join(out)


def render_into(markdown: str, steps_md: str) -> str:
    """Put the steps where the page has the marker line, else at the end of its body."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == MARKER:
            lines[i] = steps_md
            return "\n".join(lines)
    return markdown.rstrip("\n") + "\n\n" + steps_md
