"""Rule kinds: one pure function per kind, dispatched on ``rule.kind``."""

from __future__ import annotations

from jixiao.frameworks.model import (
    AdjustmentRule,
    ChecklistRule,
    ControlRule,
    DeductPerStepRule,
    LinearRule,
    ManualRule,
    RatioRule,
    TargetsRule,
    TiersRule,
)
from jixiao.frameworks.rules.adjustments import manual_outcome, score_adjustment, score_manual
from jixiao.frameworks.rules.base import Outcome, RuleContext
from jixiao.frameworks.rules.checklist import score_checklist
from jixiao.frameworks.rules.rates import (
    score_control,
    score_deduct_per_step,
    score_linear,
    score_ratio,
    score_tiers,
)
from jixiao.frameworks.rules.targets import score_targets


def apply_rule(rule: object, ctx: RuleContext, level: int) -> Outcome:
    """Score one leaf item by its rule; ``level`` is the item's depth (1 = 一级), for generated children."""
    match rule:
        case RatioRule():
            return score_ratio(rule, ctx)
        case LinearRule():
            return score_linear(rule, ctx)
        case TiersRule():
            return score_tiers(rule, ctx)
        case DeductPerStepRule():
            return score_deduct_per_step(rule, ctx)
        case ControlRule():
            return score_control(rule, ctx)
        case ChecklistRule():
            return score_checklist(rule, ctx)
        case TargetsRule():
            return score_targets(rule, ctx, level)
        case AdjustmentRule():
            return score_adjustment(rule, ctx)
        case ManualRule():
            return score_manual(rule, ctx)
    raise TypeError(f"unknown rule {rule!r}")


__all__ = ["Outcome", "RuleContext", "apply_rule", "manual_outcome"]
