"""One-line Chinese summaries of rules and value references, for listings and ``framework show``."""

from __future__ import annotations

from jixiao.frameworks.model import (
    AdjustmentRule,
    ChangeRef,
    ChecklistRule,
    ControlRule,
    DeductPerStepRule,
    LinearRule,
    ManualRule,
    RatioRef,
    RatioRule,
    TargetsRule,
    TiersRule,
    ValueRef,
)
from jixiao.frameworks.values import pct_plain, points

_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_PARTIAL = {"ceil": "不足一档按一档", "floor": "不足一档不扣", "proportional": "按比例"}


def describe_ref(ref: ValueRef) -> str:
    refs = ref if isinstance(ref, list) else [ref]
    parts = []
    for r in refs:
        if isinstance(r, str):
            parts.append(r)
        elif isinstance(r, RatioRef):
            parts.append(f"{r.ratio[0]}/{r.ratio[1]}")
        elif isinstance(r, ChangeRef):
            text = f"({r.change[0]}-{r.change[1]})/{r.change[1]}"
            parts.append(f"|{text}|" if r.absolute else text)
    return " 或 ".join(parts)


def describe_rule(rule: object) -> str:
    match rule:
        case RatioRule():
            over = "，超过 100% 得 0 分" if rule.over_full == "zero" else "，超过 100% 按 100% 计"
            return f"比率×分值（{describe_ref(rule.value)}）{over}"
        case LinearRule():
            return f"区间线性：{pct_plain(rule.floor)}→0 … {pct_plain(rule.full)}→满分（{describe_ref(rule.value)}）"
        case TiersRule():
            tiers = "；".join(f"{_OP[t.op]}{pct_plain(t.threshold)}→{points(t.score)}" for t in rule.tiers)
            return f"分档：{tiers}；其余→{points(rule.otherwise)}（{describe_ref(rule.value)}）"
        case DeductPerStepRule():
            side = {"above": "高于", "below": "低于", "both": "偏离"}[rule.side]
            return (
                f"按档扣分：{side} {pct_plain(rule.reference)} 每 {pct_plain(rule.step)} 扣 {points(rule.points)} 分"
                f"（{_PARTIAL[rule.partial]}）（{describe_ref(rule.value)}）"
            )
        case ControlRule():
            over = (
                f"超过后线性递减至 {pct_plain(rule.zero_at)} 得 0"
                if rule.over == "linear" and rule.zero_at is not None
                else "超过得 0"
            )
            return f"控制率：≤{pct_plain(rule.limit)} 满分，{over}（{describe_ref(rule.value)}）"
        case ChecklistRule():
            shown = "；".join(f"{c.fact} {points(c.points)}" for c in rule.criteria)
            return f"要点核对 {len(rule.criteria)} 项：{shown}"
        case TargetsRule():
            scope = "、".join(rule.level1 + rule.level2) or "全部指标"
            return f"绩效指标完成情况（{scope}）"
        case AdjustmentRule():
            cap = f"各不超过 {points(rule.cap)} 分" if rule.cap is not None else "各不超过分值"
            return f"加减分（{cap}）"
        case ManualRule():
            return "人工评分" + (f"：{rule.guidance}" if rule.guidance else "")
    return str(rule)
