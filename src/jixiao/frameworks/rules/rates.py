"""Rules over one rate: ratio × weight, linear between a floor and full, tiers, deduction per step, control.

Each function is pure: (rule, context) → Outcome with the arithmetic spelled out the way 自评表 do.
"""

from __future__ import annotations

import math
from decimal import Decimal

from jixiao.frameworks.model import ControlRule, DeductPerStepRule, LinearRule, RatioRule, TiersRule
from jixiao.frameworks.rules.base import Outcome, RuleContext, invalid_outcome, resolve_value
from jixiao.frameworks.values import Resolved, pct_plain, points, rounded

ZERO = Decimal(0)
ONE = Decimal(1)


def _intro(label: str, resolved: Resolved) -> tuple[str, str]:
    """("政府采购执行率 (a/b)×100%=94.25%", "94.25%"): the value's introduction and its shown percentage."""
    shown = resolved.text.rsplit("=", 1)[-1] if "=" in resolved.text else resolved.text
    return f"{label} {resolved.text}", shown


def _negative(label: str, resolved: Resolved) -> Outcome | None:
    assert resolved.value is not None
    if resolved.value < 0:
        return invalid_outcome(f"{label} 为负数（{resolved.text}），无法按评分标准计分，请核对数据")
    return None


def _label(rule: object, ctx: RuleContext) -> str:
    return getattr(rule, "label", None) or ctx.item.name


def score_ratio(rule: RatioRule, ctx: RuleContext) -> Outcome:
    label = _label(rule, ctx)
    got = resolve_value(rule.value, ctx, label)
    if isinstance(got, Outcome):
        return got
    if bad := _negative(label, got):
        return bad
    value, w = got.value, ctx.weight
    assert value is not None
    intro, shown = _intro(label, got)
    if value > ONE:
        if rule.over_full == "zero":
            return Outcome(ZERO, "scored", f"{intro}，超过 100%，按评分标准本项不得分，得 0 分")
        return Outcome(w, "scored", f"{intro}，超过 100% 不加分，得满分 {points(w)} 分")
    exact = value * w
    score = rounded(exact)
    return Outcome(
        score,
        "scored",
        f"{intro}；{shown}×{points(w)}={points(rounded_for_text(exact))}，得 {points(score)} 分",
    )


def score_linear(rule: LinearRule, ctx: RuleContext) -> Outcome:
    label = _label(rule, ctx)
    got = resolve_value(rule.value, ctx, label)
    if isinstance(got, Outcome):
        return got
    value, w = got.value, ctx.weight
    assert value is not None
    intro, shown = _intro(label, got)
    floor, full = pct_plain(rule.floor), pct_plain(rule.full)
    if value < rule.floor:
        return Outcome(ZERO, "scored", f"{intro}，低于 {floor} 下限，按评分标准得 0 分")
    if value >= rule.full:
        return Outcome(w, "scored", f"{intro}，达到 {full}，得满分 {points(w)} 分")
    exact = (value - rule.floor) / (rule.full - rule.floor) * w
    score = rounded(exact)
    return Outcome(
        score,
        "scored",
        f"{intro}，在 {floor}～{full} 之间按比例计分：({shown}-{floor})÷({full}-{floor})×{points(w)}"
        f"={points(rounded_for_text(exact))}，得 {points(score)} 分",
    )


def rounded_for_text(value: Decimal) -> Decimal:
    """Long quotients are shown to 4 places, as 自评表 do ("3.5844")."""
    return value if value == value.quantize(Decimal("0.0001")) else value.quantize(Decimal("0.0001"))


_OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}
_OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def score_tiers(rule: TiersRule, ctx: RuleContext) -> Outcome:
    label = _label(rule, ctx)
    got = resolve_value(rule.value, ctx, label)
    if isinstance(got, Outcome):
        return got
    value = got.value
    assert value is not None
    intro, _ = _intro(label, got)
    for tier in rule.tiers:
        if _OPS[tier.op](value, tier.threshold):
            cond = f"{_OP_TEXT[tier.op]}{pct_plain(tier.threshold)}"
            return Outcome(tier.score, "scored", f"{intro}，{cond}，得 {points(tier.score)} 分")
    return Outcome(
        rule.otherwise, "scored", f"{intro}，不在评分标准列出的任何档次内，得 {points(rule.otherwise)} 分"
    )


_PARTIAL_TEXT = {
    "ceil": "不足一档按一档计",
    "floor": "不足一档不扣",
    "proportional": "按比例计",
}


def score_deduct_per_step(rule: DeductPerStepRule, ctx: RuleContext) -> Outcome:
    label = _label(rule, ctx)
    got = resolve_value(rule.value, ctx, label)
    if isinstance(got, Outcome):
        return got
    value, w = got.value, ctx.weight
    assert value is not None
    intro, shown = _intro(label, got)
    ref = rule.reference
    if rule.side == "above":
        deviation, expr = value - ref, f"({shown}-{pct_plain(ref)})" if ref else shown
    elif rule.side == "below":
        deviation, expr = ref - value, f"({pct_plain(ref)}-{shown})"
    else:
        deviation = abs(value - ref)
        expr = f"|{shown}-{pct_plain(ref)}|" if ref else (shown if value >= 0 else f"|{shown}|")
    if deviation <= 0:
        side = {"above": "未超过", "below": "不低于", "both": "等于"}[rule.side]
        return Outcome(w, "scored", f"{intro}，{side} {pct_plain(ref)}，不扣分，得满分 {points(w)} 分")
    raw_steps = deviation / rule.step
    if rule.partial == "ceil":
        steps = Decimal(math.ceil(raw_steps))
    elif rule.partial == "floor":
        steps = Decimal(math.floor(raw_steps))
    else:
        steps = raw_steps
    deduction = steps * rule.points
    step_text = pct_plain(rule.step)
    if rule.partial == "proportional":
        arithmetic = f"{expr}÷{step_text}×{points(rule.points)}={points(rounded_for_text(deduction))}"
    else:
        arithmetic = (
            f"{expr}÷{step_text}={points(rounded_for_text(raw_steps))}，计 {points(steps)} 档，"
            f"{points(steps)}×{points(rule.points)}={points(deduction)}"
        )
    head = (
        f"{intro}；每 {step_text} 扣 {points(rule.points)} 分（{_PARTIAL_TEXT[rule.partial]}）：{arithmetic}"
    )
    if deduction >= w:
        return Outcome(ZERO, "scored", f"{head}，扣分达到分值 {points(w)}，扣完为止，得 0 分")
    exact = w - deduction
    score = rounded(exact)
    return Outcome(
        score,
        "scored",
        f"{head}，扣 {points(rounded(deduction))} 分，得 {points(w)}-{points(rounded_for_text(deduction))}"
        f"={points(score)} 分",
    )


def score_control(rule: ControlRule, ctx: RuleContext) -> Outcome:
    label = _label(rule, ctx)
    got = resolve_value(rule.value, ctx, label)
    if isinstance(got, Outcome):
        return got
    if bad := _negative(label, got):
        return bad
    value, w = got.value, ctx.weight
    assert value is not None
    intro, shown = _intro(label, got)
    limit = pct_plain(rule.limit)
    if value <= rule.limit:
        return Outcome(w, "scored", f"{intro}，≤{limit}，得满分 {points(w)} 分")
    if rule.over == "zero" or rule.zero_at is None:
        return Outcome(ZERO, "scored", f"{intro}，超过 {limit}，按评分标准不得分，得 0 分")
    if value >= rule.zero_at:
        return Outcome(ZERO, "scored", f"{intro}，达到 {pct_plain(rule.zero_at)}，得 0 分")
    exact = (rule.zero_at - value) / (rule.zero_at - rule.limit) * w
    score = rounded(exact)
    return Outcome(
        score,
        "scored",
        f"{intro}，超过 {limit}，按比例扣分：({pct_plain(rule.zero_at)}-{shown})÷"
        f"({pct_plain(rule.zero_at)}-{limit})×{points(w)}={points(rounded_for_text(exact))}，"
        f"得 {points(score)} 分",
    )
