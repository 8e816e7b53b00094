"""Charts for the 自评报告 (matplotlib, Agg, a CJK font), returned as PNG bytes.

Values are Decimal everywhere else; here they become floats only to place bars on a canvas — no number
printed on a chart is computed from the float (labels are formatted from the Decimal).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from jixiao.model import Dossier, Scorecard
from jixiao.render.formatting import HUNDRED, half_up, in_yuan, percent_text, score_short, trim
from jixiao.render.narrative import BREAKDOWN, ChartKind
from jixiao.render.scoremap import indicator_rows

_BLUE, _GREY, _ORANGE = "#2f5597", "#c9d3e6", "#c55a11"


@dataclass(frozen=True)
class Bars:
    """Paired bars: ``actual`` against ``reference`` per label, with ready-made value labels."""

    title: str
    labels: list[str]
    actual: list[Decimal]
    reference: list[Decimal]
    actual_name: str
    reference_name: str
    value_labels: list[str]
    unit: str


def dimension_bars(scorecard: Scorecard) -> Bars | None:
    items = [i for i in scorecard.items if i.score is not None]
    if not items:
        return None
    return Bars("各维度得分", [i.name for i in items], [i.score or Decimal(0) for i in items],
                [i.max for i in items], "得分", "分值",
                [f"{score_short(i.score)}/{trim(i.max)}" for i in items], "分")


def budget_bars(dossier: Dossier) -> Bars | None:
    figs = dossier.figures
    entries = [("合计", figs.get("budget_total"), figs.get("executed_total"))]
    entries += [(name, figs.get(f"budget_{s}"), figs.get(f"executed_{s}")) for _, name, s in BREAKDOWN]
    labels, budgets, executed, texts = [], [], [], []
    for name, b, e in entries:
        by, ey = (in_yuan(b) if b else None), (in_yuan(e) if e else None)
        if by is None or ey is None or by == 0:
            continue
        labels.append(name)
        budgets.append(by / 10000)
        executed.append(ey / 10000)
        texts.append(percent_text(ey / by))
    if not labels:
        return None
    return Bars("预算数与执行数（万元）", labels, executed, budgets, "全年执行数", "全年预算数", texts, "万元")


MAX_INDICATOR_BARS = 15


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def attainment_bars(dossier: Dossier, scorecard: Scorecard) -> Bars | None:
    """Score ÷ weight per indicator; with many indicators, per project (a page-long chart helps nobody)."""
    scored = [(r, r.item.score, r.item.max) for r in indicator_rows(dossier, scorecard)
              if r.item is not None and r.item.score is not None and r.item.max > 0]
    if not scored:
        return None
    by_project = len(scored) > MAX_INDICATOR_BARS
    groups: dict[str, list[Decimal]] = {}
    for row, score, maximum in scored:
        label = _short(row.project.name if by_project else row.indicator.name)
        got = groups.setdefault(label, [Decimal(0), Decimal(0)])
        got[0] += score
        got[1] += maximum
    title = "各项目绩效指标得分率（%）" if by_project else "绩效指标得分率（%）"
    ratios = [half_up(score / maximum * HUNDRED, 1) for score, maximum in groups.values()]
    return Bars(title, list(groups), ratios, [HUNDRED] * len(ratios), "得分率", "满分",
                [f"{trim(v)}%" for v in ratios], "%")


def chart_bars(kind: ChartKind, dossier: Dossier, scorecard: Scorecard) -> Bars | None:
    if kind == "dimensions":
        return dimension_bars(scorecard)
    if kind == "budget":
        return budget_bars(dossier)
    return attainment_bars(dossier, scorecard)


def draw(bars: Bars, *, horizontal: bool = False) -> bytes:
    """PNG bytes of a paired bar chart with Chinese labels."""
    # The object API, not pyplot: pyplot keeps global state and the web app renders from threads.
    from matplotlib.figure import Figure

    from jixiao.render.fonts import chart_font_family

    family = chart_font_family()
    n = len(bars.labels)
    height = max(3.0, 0.32 * n + 1.2) if horizontal else 3.6
    fig = Figure(figsize=(7.5, height), dpi=150)
    ax = fig.subplots()
    positions = list(range(n))
    ref = [float(v) for v in bars.reference]
    act = [float(v) for v in bars.actual]
    if horizontal:
        ax.barh(positions, ref, color=_GREY, label=bars.reference_name, height=0.7)
        ax.barh(positions, act, color=_BLUE, label=bars.actual_name, height=0.45)
        ax.set_yticks(positions, bars.labels, fontfamily=family, fontsize=8)
        ax.invert_yaxis()
        for y, (value, text) in enumerate(zip(act, bars.value_labels, strict=True)):
            ax.text(value, y, f" {text}", va="center", fontsize=7, fontfamily=family,
                    color=_ORANGE if value < ref[y] else "black")
        ax.set_xlim(0, max(ref + act) * 1.15 or 1)
    else:
        width = 0.38
        ax.bar([p - width / 2 for p in positions], ref, width, color=_GREY, label=bars.reference_name)
        ax.bar([p + width / 2 for p in positions], act, width, color=_BLUE, label=bars.actual_name)
        ax.set_xticks(positions, bars.labels, fontfamily=family, fontsize=9)
        top = max(ref + act) or 1
        for x, (value, text) in enumerate(zip(act, bars.value_labels, strict=True)):
            ax.text(x + width / 2, value + top * 0.01, text, ha="center", va="bottom",
                    fontsize=8, fontfamily=family)
        ax.set_ylim(0, top * 1.15)
    ax.set_title(bars.title, fontfamily=family, fontsize=11)
    # Below the axes, so it never covers a bar or its label.
    ax.legend(prop={"family": family, "size": 8}, loc="upper center", bbox_to_anchor=(0.5, -0.1 if horizontal else -0.12),
              ncol=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def render_chart(kind: ChartKind, dossier: Dossier, scorecard: Scorecard) -> bytes | None:
    bars = chart_bars(kind, dossier, scorecard)
    if bars is None:
        return None
    return draw(bars, horizontal=kind == "attainment")
