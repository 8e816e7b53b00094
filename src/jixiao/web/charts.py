"""A server-rendered SVG bar chart (no JavaScript, no CDN): one bar per unit, coloured by grade."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from markupsafe import Markup

GRADE_COLOURS = {"优": "#2e7d32", "良": "#1565c0", "中": "#ef6c00", "差": "#c62828"}


def bar_chart_svg(
    bars: list[tuple[str, Decimal | None, str | None]], *, maximum: Decimal = Decimal(100), title: str = ""
) -> Markup:
    """Horizontal bars: (label, value, grade). Values are drawn to scale of ``maximum``."""
    row_h, label_w, bar_w, pad = 24, 220, 360, 8
    height = pad * 2 + row_h * max(len(bars), 1) + (20 if title else 0)
    top = pad + (20 if title else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {label_w + bar_w + 70} '
        f'{height}" width="100%" aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f'<text x="{pad}" y="{pad + 12}" class="chart-title">{escape(title)}</text>')
    if not bars:
        parts.append(f'<text x="{pad}" y="{top + 16}">暂无数据</text>')
    for i, (label, value, grade) in enumerate(bars):
        y = top + i * row_h
        short = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 16}" class="muted">未评分</text>')
            continue
        ratio = max(Decimal(0), min(value / maximum, Decimal(1))) if maximum else Decimal(0)
        width = int(ratio * bar_w)
        colour = GRADE_COLOURS.get(grade or "", "#607d8b")
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{width}" height="{row_h - 8}" fill="{colour}" rx="2"/>'
        )
        parts.append(
            f'<text x="{label_w + width + 4}" y="{y + 16}">{value}{escape(" " + grade if grade else "")}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
