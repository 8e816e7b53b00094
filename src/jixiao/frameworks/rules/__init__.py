"""Rule kinds: one pure function per kind, dispatched on ``rule.kind``.

``compile_rule`` works out what depends on the framework alone (labels, thresholds, texts) once and returns
a function of the dossier; scoring keeps it in its per-framework plan. ``apply_rule`` does both at once.
"""

from __future__ import annotations

from jixiao.frameworks.model import (
    AdjustmentRule,
    ChecklistRule,
    ControlRule,
    DeductPerStepRule,
    FrameworkItem,
    LinearRule,
    ManualRule,
    RatioRule,
    TargetsRule,
    TiersRule,
)
from jixiao.frameworks.rules.adjustments import (
    compile_adjustment,
    compile_manual,
    manual_item_outcome,
    manual_outcome,
)
from jixiao.frameworks.rules.base import NO_DEDUCTION_NOTE, Compiled, Outcome, RuleContext, finish
from jixiao.frameworks.rules.checklist import compile_checklist
from jixiao.frameworks.rules.rates import (
    compile_control,
    compile_deduct_per_step,
    compile_linear,
    compile_ratio,
    compile_tiers,
)
from jixiao.frameworks.rules.targets import compile_targets


def compile_rule(
    rule: object,
    item: FrameworkItem,
    labels: dict[str, str],
    ancestors: tuple[str, ...],
    level: int,
    differences: bool = False,
    finished: bool = False,
) -> Compiled:
    """``rule`` of ``item`` (at depth ``level``, 1 = 一级, under ``ancestors``) as a function of the dossier.

    ``differences``: generated children (targets) carry stated − computed already, as scoring wants them.
    ``finished``: outcomes a rule remembers (checklist) come as the scorecard shows them (``finish``).
    """
    match rule:
        case RatioRule():
            return compile_ratio(rule, item, labels)
        case LinearRule():
            return compile_linear(rule, item, labels)
        case TiersRule():
            return compile_tiers(rule, item, labels)
        case DeductPerStepRule():
            return compile_deduct_per_step(rule, item, labels)
        case ControlRule():
            return compile_control(rule, item, labels)
        case ChecklistRule():
            return compile_checklist(rule, item, finished)
        case TargetsRule():
            return compile_targets(rule, item, level, differences)
        case AdjustmentRule():
            return compile_adjustment(rule, item, ancestors)
        case ManualRule():
            return compile_manual(rule, item)
    raise TypeError(f"unknown rule {rule!r}")


def apply_rule(rule: object, ctx: RuleContext, level: int) -> Outcome:
    """Score one leaf item by its rule; ``level`` is the item's depth (1 = 一级), for generated children."""
    return compile_rule(rule, ctx.item, ctx.labels, ctx.ancestors, level)(ctx.dossier)


__all__ = [
    "NO_DEDUCTION_NOTE",
    "Compiled",
    "Outcome",
    "RuleContext",
    "apply_rule",
    "compile_rule",
    "finish",
    "manual_item_outcome",
    "manual_outcome",
]
