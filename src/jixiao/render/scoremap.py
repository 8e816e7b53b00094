"""Lookups over a scorecard that every writer needs: leaves, deductions, indicator rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from jixiao.model import Dossier, Indicator, ItemScore, Project, Scorecard

ADJUSTMENT_RULES = {"adjustment"}


def leaves(scorecard: Scorecard) -> list[ItemScore]:
    return [item for item in scorecard.walk() if not item.children]


def is_unit(item: ItemScore) -> bool:
    """Whether the item's score stands on its own: a leaf, or a parent scored by hand as a whole
    (its children then carry no scores of their own)."""
    return not item.children or item.status == "manual"


def scored_units(items: list[ItemScore]) -> list[ItemScore]:
    """The items whose scores add up to their ancestors' scores, in document order."""
    out: list[ItemScore] = []
    for item in items:
        if is_unit(item):
            out.append(item)
        else:
            out.extend(scored_units(item.children))
    return out


def lost_points(item: ItemScore) -> Decimal | None:
    if item.score is None:
        return None
    return item.max - item.score


def deductions(scorecard: Scorecard) -> list[ItemScore]:
    """Leaf items that scored below their maximum (bonus/penalty items are reported separately)."""
    out = []
    for item in scored_units(scorecard.items):
        lost = lost_points(item)
        if lost is not None and lost > 0 and item.rule not in ADJUSTMENT_RULES:
            out.append(item)
    return out


def unscored(scorecard: Scorecard) -> list[ItemScore]:
    return [item for item in scored_units(scorecard.items) if item.score is None]


@dataclass(frozen=True)
class IndicatorRow:
    project: Project
    indicator: Indicator
    item: ItemScore | None


def indicator_rows(dossier: Dossier, scorecard: Scorecard) -> list[IndicatorRow]:
    """Each project indicator with the scorecard item that scored it.

    Scoring generates one leaf per indicator; names repeat across projects (监管率 …), so leaves are
    matched by name in order, project by project, the order scoring walks them.
    """
    by_name: dict[str, list[ItemScore]] = defaultdict(list)
    for item in leaves(scorecard):
        by_name[item.name].append(item)
    rows = []
    for project in dossier.projects:
        for indicator in project.indicators:
            queue = by_name.get(indicator.name)
            rows.append(IndicatorRow(project, indicator, queue.pop(0) if queue else None))
    return rows


def find_item(scorecard: Scorecard, item_id: str) -> ItemScore | None:
    for item in scorecard.walk():
        if item.id == item_id:
            return item
    return None
