"""What every rule kind receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.frameworks.model import FrameworkItem
from jixiao.frameworks.values import Resolved, resolve
from jixiao.model import Dossier, ItemScore, ItemStatus


@dataclass(frozen=True)
class RuleContext:
    item: FrameworkItem
    dossier: Dossier
    labels: dict[str, str]  # the framework's extra figure-key labels
    ancestors: tuple[str, ...] = ()  # ids of the item's parents, top first

    @property
    def weight(self) -> Decimal:
        return self.item.weight


@dataclass
class Outcome:
    score: Decimal | None  # rounded half-up to 2 places; None when it cannot be scored
    status: ItemStatus
    derivation: str
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    children: list[ItemScore] = field(default_factory=list)


def missing_outcome(label: str, resolved: Resolved) -> Outcome:
    return Outcome(
        None,
        "missing",
        f"缺少计算“{label}”所需的数据：{'、'.join(resolved.missing)}",
        missing=list(resolved.missing),
    )


def invalid_outcome(message: str) -> Outcome:
    return Outcome(None, "invalid", message, flags=[message])


def resolve_value(value_ref: object, ctx: RuleContext, label: str) -> Resolved | Outcome:
    """The rule's value, or the outcome (missing / invalid) that replaces scoring."""
    resolved = resolve(value_ref, ctx.dossier.figures, ctx.labels)  # type: ignore[arg-type]
    if resolved.error:
        return invalid_outcome(resolved.error)
    if resolved.value is None:
        return missing_outcome(label, resolved)
    return resolved
