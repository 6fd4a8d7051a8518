"""The ownership map's picture: an SVG bar chart of the bus factor per area (with the table as text)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from kb_tools.continuity.ownership import area_heading, ownership_report
from kb_tools.corpus import Corpus
from kb_tools.site.pages.charts import bar_chart_svg, figure


def bus_factor_chart(corpus: Corpus, today: _dt.date, git: Any) -> str:
    rep = ownership_report(corpus, today, git)
    if not rep.areas:
        return ""
    extra = corpus.config.raw.get("extra") if isinstance(corpus.config.raw.get("extra"), dict) else {}
    titles = extra.get("kb_section_titles") if isinstance(extra.get("kb_section_titles"), dict) else {}
    bars = [(str(titles.get(a.key, a.label)), a.bus_factor) for a in sorted(rep.areas, key=lambda a: (a.bus_factor, a.label))]
    ones = sum(1 for _, v in bars if v <= 1)
    svg = bar_chart_svg(bars, "kb-busfactor", "分野別の担当者数（バス係数）",
                        f"{len(bars)}分野それぞれを担当できる人数。1人以下の分野（斜線の赤い棒）が{ones}件。"
                        "同じ数字を下の表に載せています。")
    return figure(svg, "分野別の担当者数（1人以下は赤の斜線）") + "\n"


def ownership_with_charts(corpus: Corpus, today: _dt.date, git: Any, markdown: str) -> str:
    """The ownership map with the bus-factor chart placed above its area table."""
    chart = bus_factor_chart(corpus, today, git)
    marker = area_heading()  # in the language the page is rendered in
    if not chart or marker not in markdown:
        return markdown
    return markdown.replace(marker, marker + chart + "\n", 1)
