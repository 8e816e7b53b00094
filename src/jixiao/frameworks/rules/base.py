"""What every rule kind receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.frameworks.model import FrameworkItem
from jixiao.frameworks.values import Resolved, points, rounded
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
    # generated nodes whose stated score differs from the computed one (so scoring explains just these
    # instead of walking every generated node); None: not tracked, scoring walks ``children``
    differing: list[ItemScore] | None = None
    finished: bool = False  # score and derivation already as the scorecard shows them (see ``finish``)


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


# rule kinds whose derivation never gets "（扣 x 分）" (targets sums its children; an adjustment is a net)
NO_DEDUCTION_NOTE = frozenset(("targets", "adjustment"))


def finish(got: Decimal | None, derivation: str, weight: Decimal, note: bool) -> tuple[Decimal | None, str]:
    """A leaf's score and derivation as the scorecard shows them: the score rounded half-up to 2 places and,
    with ``note`` (rule kinds whose derivation does not say it), "（扣 x 分）" where points were lost."""
    if got is None:
        return None, derivation
    if note:
        lost = weight - got
        if lost > 0 and "扣 " not in derivation:
            derivation += f"（扣 {points(rounded(lost))} 分）"
    return rounded(got), derivation
