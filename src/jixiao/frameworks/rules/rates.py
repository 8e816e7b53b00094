"""Rules over one rate: ratio × weight, linear between a floor and full, tiers, deduction per step, control.

Each rule compiles once per framework item (label, thresholds as printed, the weight as printed) into a
pure function dossier → Outcome with the arithmetic spelled out the way 自评表 do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

from jixiao.frameworks.model import (
    ControlRule,
    DeductPerStepRule,
    FrameworkItem,
    LinearRule,
    RatioRule,
    TiersRule,
)
from jixiao.frameworks.rules.base import Compiled, Outcome, RuleContext, invalid_outcome, unusable
from jixiao.frameworks.values import Resolved, Resolver, compile_ref, pct_plain, points, rounded
from jixiao.model import Dossier

ZERO = Decimal(0)
ONE = Decimal(1)
_TEXT_QUANTUM = Decimal("0.0001")


def _intro(label: str, resolved: Resolved) -> tuple[str, str]:
    """("政府采购执行率 (a/b)×100%=94.25%", "94.25%"): the value's introduction and its shown percentage."""
    text = resolved.text
    shown = text.rsplit("=", 1)[-1] if "=" in text else text
    return f"{label} {text}", shown


def _on_rate(
    label: str,
    resolver: Resolver,
    body: Callable[[Decimal, str, str], Outcome],
    *,
    refuse_negative: bool = False,
) -> Compiled:
    """The compiled rule: resolve the rate, stop on missing data (and on a negative rate when the rule's
    arithmetic has no meaning for one), else ``body(value, intro, shown)`` (see ``_intro``)."""

    def run(dossier: Dossier) -> Outcome:
        got = resolver(dossier.figures)
        value = got.value
        if value is None:
            return unusable(label, got)
        if refuse_negative and value < 0:
            return invalid_outcome(f"{label} 为负数（{got.text}），无法按评分标准计分，请核对数据")
        intro, shown = _intro(label, got)
        return body(value, intro, shown)

    return run


def _label(rule: object, item: FrameworkItem) -> str:
    return getattr(rule, "label", None) or item.name


def rounded_for_text(value: Decimal) -> Decimal:
    """Long quotients are shown to 4 places, as 自评表 do ("3.5844")."""
    short = value.quantize(_TEXT_QUANTUM)
    return value if value == short else short


def compile_ratio(rule: RatioRule, item: FrameworkItem, labels: dict[str, str]) -> Compiled:
    label, resolver, w = _label(rule, item), compile_ref(rule.value, labels), item.weight
    pw = points(w)
    over_zero = rule.over_full == "zero"

    def body(value: Decimal, intro: str, shown: str) -> Outcome:
        if value > ONE:
            if over_zero:
                return Outcome(ZERO, "scored", f"{intro}，超过 100%，按评分标准本项不得分，得 0 分")
            return Outcome(w, "scored", f"{intro}，超过 100% 不加分，得满分 {pw} 分")
        exact = value * w
        score = rounded(exact)
        return Outcome(
            score, "scored", f"{intro}；{shown}×{pw}={points(rounded_for_text(exact))}，得 {points(score)} 分"
        )

    return _on_rate(label, resolver, body, refuse_negative=True)


def compile_linear(rule: LinearRule, item: FrameworkItem, labels: dict[str, str]) -> Compiled:
    label, resolver, w = _label(rule, item), compile_ref(rule.value, labels), item.weight
    pw = points(w)
    floor_value, full_value = rule.floor, rule.full
    floor, full = pct_plain(floor_value), pct_plain(full_value)

    def body(value: Decimal, intro: str, shown: str) -> Outcome:
        if value < floor_value:
            return Outcome(ZERO, "scored", f"{intro}，低于 {floor} 下限，按评分标准得 0 分")
        if value >= full_value:
            return Outcome(w, "scored", f"{intro}，达到 {full}，得满分 {pw} 分")
        exact = (value - floor_value) / (full_value - floor_value) * w
        score = rounded(exact)
        return Outcome(
            score,
            "scored",
            f"{intro}，在 {floor}～{full} 之间按比例计分：({shown}-{floor})÷({full}-{floor})×{pw}"
            f"={points(rounded_for_text(exact))}，得 {points(score)} 分",
        )

    return _on_rate(label, resolver, body)


_OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}
_OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def compile_tiers(rule: TiersRule, item: FrameworkItem, labels: dict[str, str]) -> Compiled:
    label, resolver = _label(rule, item), compile_ref(rule.value, labels)
    # (test, threshold, score, "，≥90%，得 5 分")
    tiers = [
        (
            _OPS[t.op],
            t.threshold,
            t.score,
            f"，{_OP_TEXT[t.op]}{pct_plain(t.threshold)}，得 {points(t.score)} 分",
        )
        for t in rule.tiers
    ]
    otherwise = rule.otherwise
    otherwise_text = f"，不在评分标准列出的任何档次内，得 {points(otherwise)} 分"

    def body(value: Decimal, intro: str, _shown: str) -> Outcome:
        for test, threshold, score, text in tiers:
            if test(value, threshold):
                return Outcome(score, "scored", intro + text)
        return Outcome(otherwise, "scored", intro + otherwise_text)

    return _on_rate(label, resolver, body)


_PARTIAL_TEXT = {
    "ceil": "不足一档按一档计",
    "floor": "不足一档不扣",
    "proportional": "按比例计",
}


def compile_deduct_per_step(rule: DeductPerStepRule, item: FrameworkItem, labels: dict[str, str]) -> Compiled:
    label, resolver, w = _label(rule, item), compile_ref(rule.value, labels), item.weight
    pw = points(w)
    ref, side, partial, step, per = rule.reference, rule.side, rule.partial, rule.step, rule.points
    ref_text, step_text, per_text = pct_plain(ref), pct_plain(step), points(per)
    within = {"above": "未超过", "below": "不低于", "both": "等于"}[side]
    rule_text = f"；每 {step_text} 扣 {per_text} 分（{_PARTIAL_TEXT[partial]}）："

    def body(value: Decimal, intro: str, shown: str) -> Outcome:
        if side == "above":
            deviation, expr = value - ref, f"({shown}-{ref_text})" if ref else shown
        elif side == "below":
            deviation, expr = ref - value, f"({ref_text}-{shown})"
        else:
            deviation = abs(value - ref)
            expr = f"|{shown}-{ref_text}|" if ref else (shown if value >= 0 else f"|{shown}|")
        if deviation <= 0:
            return Outcome(w, "scored", f"{intro}，{within} {ref_text}，不扣分，得满分 {pw} 分")
        raw_steps = deviation / step
        if partial == "ceil":
            steps = Decimal(math.ceil(raw_steps))
        elif partial == "floor":
            steps = Decimal(math.floor(raw_steps))
        else:
            steps = raw_steps
        deduction = steps * per
        if partial == "proportional":
            arithmetic = f"{expr}÷{step_text}×{per_text}={points(rounded_for_text(deduction))}"
        else:
            arithmetic = (
                f"{expr}÷{step_text}={points(rounded_for_text(raw_steps))}，计 {points(steps)} 档，"
                f"{points(steps)}×{per_text}={points(deduction)}"
            )
        head = f"{intro}{rule_text}{arithmetic}"
        if deduction >= w:
            return Outcome(ZERO, "scored", f"{head}，扣分达到分值 {pw}，扣完为止，得 0 分")
        score = rounded(w - deduction)
        return Outcome(
            score,
            "scored",
            f"{head}，扣 {points(rounded(deduction))} 分，得 {pw}-{points(rounded_for_text(deduction))}"
            f"={points(score)} 分",
        )

    return _on_rate(label, resolver, body)


def compile_control(rule: ControlRule, item: FrameworkItem, labels: dict[str, str]) -> Compiled:
    label, resolver, w = _label(rule, item), compile_ref(rule.value, labels), item.weight
    pw = points(w)
    limit_value, zero_at = rule.limit, rule.zero_at
    limit = pct_plain(limit_value)
    over_zero = rule.over == "zero" or zero_at is None
    zero_text = pct_plain(zero_at) if zero_at is not None else ""

    def body(value: Decimal, intro: str, shown: str) -> Outcome:
        if value <= limit_value:
            return Outcome(w, "scored", f"{intro}，≤{limit}，得满分 {pw} 分")
        if over_zero:
            return Outcome(ZERO, "scored", f"{intro}，超过 {limit}，按评分标准不得分，得 0 分")
        assert zero_at is not None
        if value >= zero_at:
            return Outcome(ZERO, "scored", f"{intro}，达到 {zero_text}，得 0 分")
        exact = (zero_at - value) / (zero_at - limit_value) * w
        score = rounded(exact)
        return Outcome(
            score,
            "scored",
            f"{intro}，超过 {limit}，按比例扣分：({zero_text}-{shown})÷"
            f"({zero_text}-{limit})×{pw}={points(rounded_for_text(exact))}，"
            f"得 {points(score)} 分",
        )

    return _on_rate(label, resolver, body, refuse_negative=True)


def score_ratio(rule: RatioRule, ctx: RuleContext) -> Outcome:
    return compile_ratio(rule, ctx.item, ctx.labels)(ctx.dossier)


def score_linear(rule: LinearRule, ctx: RuleContext) -> Outcome:
    return compile_linear(rule, ctx.item, ctx.labels)(ctx.dossier)


def score_tiers(rule: TiersRule, ctx: RuleContext) -> Outcome:
    return compile_tiers(rule, ctx.item, ctx.labels)(ctx.dossier)


def score_deduct_per_step(rule: DeductPerStepRule, ctx: RuleContext) -> Outcome:
    return compile_deduct_per_step(rule, ctx.item, ctx.labels)(ctx.dossier)


def score_control(rule: ControlRule, ctx: RuleContext) -> Outcome:
    return compile_control(rule, ctx.item, ctx.labels)(ctx.dossier)
