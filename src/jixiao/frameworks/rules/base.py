"""What every rule kind receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.frameworks.model import FrameworkItem
from jixiao.frameworks.values import Resolved
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


@dataclass(slots=True)
class Outcome:
    score: Decimal | None  # rounded half-up to 2 places; None when it cannot be scored
    status: ItemStatus
    derivation: str
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    children: list[ItemScore] = field(default_factory=list)


# A rule compiled for one item of one framework (labels, thresholds and texts worked out once): scoring a
# dossier is then one call. `apply_rule` compiles and calls at once.
Compiled = Callable[[Dossier], Outcome]


def missing_outcome(label: str, resolved: Resolved) -> Outcome:
    return Outcome(
        None,
        "missing",
        f"缺少计算“{label}”所需的数据：{'、'.join(resolved.missing)}",
        missing=list(resolved.missing),
    )


def invalid_outcome(message: str) -> Outcome:
    return Outcome(None, "invalid", message, flags=[message])


def unusable(label: str, resolved: Resolved) -> Outcome:
    """The outcome (invalid / missing) that replaces scoring when a rule's value could not be resolved."""
    if resolved.error:
        return invalid_outcome(resolved.error)
    return missing_outcome(label, resolved)
