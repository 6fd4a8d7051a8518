"""SVG charts drawn in Python at build time (no JavaScript): readable in print, with a text alternative.

Every chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>``; the pages that show one
also print the same data as a table. Shapes differ per kind as well as colours, so a black and
white print still tells them apart. All text is XML-escaped.
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass

FONT = "font-family=\"'Hiragino Sans','Noto Sans CJK JP','Yu Gothic',Meiryo,sans-serif\""
KIND_STYLE = {  # kind -> (label, colour, shape)
    "review": ("見直し開始（契約満了の通知日数前）", "#1a73e8", "circle"),
    "contract": ("契約満了", "#3949ab", "square"),
    "support": ("サポート終了", "#e65100", "diamond"),
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _svg_open(width: int, height: int, ident: str, title: str, desc: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="kb-chart__svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} font-size="13">',
            f'<title id="{ident}-t">{_e(title)}</title>', f'<desc id="{ident}-d">{_e(desc)}</desc>',
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']


def _marker(kind: str, x: float, y: float) -> str:
    _label, colour, shape = KIND_STYLE[kind]
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>'
    return (f'<path d="M{x:.1f} {y - 7:.1f} L{x + 7:.1f} {y:.1f} L{x:.1f} {y + 7:.1f} L{x - 7:.1f} {y:.1f} Z" '
            f'fill="{colour}"/>')


def add_months(d: _dt.date, months: int) -> _dt.date:
    m = d.month - 1 + months
    return _dt.date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Row:
    label: str
    events: tuple[tuple[str, _dt.date], ...]  # (kind, date)


def timeline_svg(rows: list[Row], today: _dt.date, months: int = 36, ident: str = "kb-timeline",
                 title: str = "契約満了とサポート終了の年表") -> str:
    """One line per row, markers for each event within ``months`` from today, a line for today."""
    start, end = add_months(today, 0), add_months(today, months + 1)
    left, right, top, row_h = 270, 20, 58, 26
    width = 960
    height = top + row_h * max(len(rows), 1) + 30
    span = (end - start).days
    plot_w = width - left - right

    def x_of(d: _dt.date) -> float:
        return left + plot_w * (d - start).days / span

    n_events = sum(len(r.events) for r in rows)
    desc = (f"{today.isoformat()} から {months}か月の間に来る、{len(rows)}システムの見直し開始・契約満了・"
            f"サポート終了（計{n_events}件）。同じ内容を下の表でも示しています。")
    out = _svg_open(width, height, ident, title, desc)
    lx = left
    for kind, (label, _c, _s) in KIND_STYLE.items():  # legend
        out.append(_marker(kind, lx + 6, 18))
        out.append(f'<text x="{lx + 18}" y="22" fill="#000000">{_e(label)}</text>')
        lx += 30 + 13 * len(label)
    month = start
    while month <= end:
        x = x_of(month)
        if month.month in (1, 4, 7, 10):
            strong = month.month == 4  # 年度の始まり
            out.append(f'<line x1="{x:.1f}" y1="{top - 12}" x2="{x:.1f}" y2="{height - 26}" '
                       f'stroke="{"#757575" if strong else "#cfcfcf"}" stroke-width="1"/>')
            if strong:
                out.append(f'<text x="{x + 3:.1f}" y="{top - 16}" fill="#000000">{month.year}年4月</text>')
        month = add_months(month, 1)
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        if i % 2 == 0:
            out.append(f'<rect x="0" y="{y - row_h / 2:.1f}" width="{width}" height="{row_h}" fill="#f4f5f8"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#000000">{_e(row.label)}</text>')
        for kind, d in row.events:
            if start <= d < end:
                out.append(_marker(kind, x_of(d), y))
    tx = x_of(today)
    out.append(f'<line x1="{tx:.1f}" y1="{top - 12}" x2="{tx:.1f}" y2="{height - 20}" stroke="#c62828" '
               f'stroke-width="2" stroke-dasharray="6 3"/>')
    out.append(f'<text x="{tx + 4:.1f}" y="{height - 8}" fill="#c62828" font-weight="bold">今日 {today.isoformat()}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart_svg(bars: list[tuple[str, int]], ident: str, title: str, desc: str, unit: str = "人",
                  danger_at: int = 1) -> str:
    """Horizontal bars with the value written at each bar's end; bars at or below ``danger_at`` hatched red."""
    left, top, bar_h, gap = 220, 14, 18, 8
    width = 720
    height = top + (bar_h + gap) * max(len(bars), 1) + 10
    top_value = max([v for _, v in bars] + [1])
    scale = (width - left - 60) / top_value
    out = _svg_open(width, height, ident, title, desc)
    out.append('<defs><pattern id="' + ident + '-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
               'patternTransform="rotate(45)"><rect width="6" height="6" fill="#c62828"/>'
               '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>')
    for i, (label, value) in enumerate(bars):
        y = top + (bar_h + gap) * i
        fill = f"url(#{ident}-hatch)" if value <= danger_at else "#3949ab"
        out.append(f'<text x="{left - 8}" y="{y + bar_h - 4}" text-anchor="end" fill="#000000">{_e(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{max(value * scale, 2):.1f}" height="{bar_h}" fill="{fill}"/>')
        out.append(f'<text x="{left + value * scale + 6:.1f}" y="{y + bar_h - 4}" fill="#000000">{value}{_e(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def figure(svg: str, caption: str) -> str:
    """A chart as a raw HTML block (no blank line inside, so Python-Markdown leaves it as it is)."""
    return f'<figure class="kb-chart">\n{svg}\n<figcaption>{_e(caption)}</figcaption>\n</figure>\n'
