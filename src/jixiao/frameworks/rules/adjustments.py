"""Bonus/penalty (加减分) and hand-given scores (人工评分)."""

from __future__ import annotations

from decimal import Decimal

from jixiao.frameworks.model import AdjustmentRule, FrameworkItem, ManualRule
from jixiao.frameworks.rules.base import Compiled, Outcome, RuleContext
from jixiao.frameworks.values import points
from jixiao.model import Adjustment, Dossier


def score_adjustment(rule: AdjustmentRule, ctx: RuleContext) -> Outcome:
    return compile_adjustment(rule, ctx.item, ctx.ancestors)(ctx.dossier)


def compile_adjustment(rule: AdjustmentRule, item: FrameworkItem, ancestors: tuple[str, ...]) -> Compiled:
    """The rule for one item (cap and the ids an event may name worked out once)."""
    cap = rule.cap if rule.cap is not None else item.weight
    # An event may name this item or any of its parents (加减分项 → 工作表现加减分 → 工作受表彰或批评).
    own = {None, item.id, *ancestors}

    def run(dossier: Dossier) -> Outcome:
        adjustments = dossier.adjustments
        if not adjustments:
            return Outcome(Decimal(0), "scored", "档案未登记加分或减分事项，计 0 分")
        return _adjusted([a for a in adjustments if a.item in own], cap)

    return run


def _adjusted(events: list[Adjustment], cap: Decimal) -> Outcome:
    if not events:
        return Outcome(Decimal(0), "scored", "档案未登记加分或减分事项，计 0 分")
    bonus = sum((a.points for a in events if a.kind == "加分"), Decimal(0))
    penalty = sum((a.points for a in events if a.kind == "减分"), Decimal(0))
    listed = "；".join(f"{a.kind} {points(a.points)} 分：{a.reason}" for a in events)
    capped_bonus, capped_penalty = min(bonus, cap), min(penalty, cap)
    flags = []
    if bonus > cap:
        flags.append(f"加分合计 {points(bonus)} 超过上限 {points(cap)}，按上限计")
    if penalty > cap:
        flags.append(f"减分合计 {points(penalty)} 超过上限 {points(cap)}，按上限计")
    net = capped_bonus - capped_penalty
    return Outcome(
        net,
        "scored",
        f"{listed}。加分 {points(capped_bonus)} 分，减分 {points(capped_penalty)} 分（各不超过 {points(cap)} 分），"
        f"净 {points(net)} 分",
        flags=flags,
    )


def score_manual(rule: ManualRule, ctx: RuleContext) -> Outcome:
    return compile_manual(rule, ctx.item)(ctx.dossier)


def compile_manual(rule: ManualRule, item: FrameworkItem) -> Compiled:
    item_id = item.id
    guidance = f"（{rule.guidance}）" if rule.guidance else ""

    def run(dossier: Dossier) -> Outcome:
        entry = dossier.manual_scores.get(item_id)
        if entry is None:
            return Outcome(
                None,
                "missing",
                f"本项需人工评分{guidance}，档案 manual_scores 中尚无“{item_id}”",
                missing=[f"manual_scores.{item_id}（人工评分及理由）"],
                flags=["待人工评分"],
            )
        return manual_item_outcome(entry.score, entry.reason, item)

    return run


def manual_outcome(score: Decimal, reason: str, ctx: RuleContext) -> Outcome:
    return manual_item_outcome(score, reason, ctx.item)


def manual_item_outcome(score: Decimal, reason: str, item: FrameworkItem) -> Outcome:
    """A hand-given score for ``item``, checked against its range (negative allowed for 加减分 items)."""
    weight = item.weight
    low = min(Decimal(0), -weight) if item.bonus else Decimal(0)
    if score < low or score > weight:
        message = f"人工评分 {points(score)} 分超出本项分值范围（{points(low)}～{points(weight)}）"
        return Outcome(None, "invalid", message, flags=[message])
    return Outcome(score, "manual", f"人工评分 {points(score)} 分，理由：{reason}")
