"""Names a flattened scoring table lost, recovered from the frameworks' own descriptions.

An Excel 自评表 flattened to text (or a PDF table with merged cells) often keeps a row's 二级 label,
weight, 指标解释, 评分标准 and score but not the cell with the 三级 indicator's name. Without a name the
row's stated score cannot be compared with the framework's item. The frameworks (built-in and the
user's, all data) describe each item by its 二级 parent, weight, 指标解释 and 评分标准, so a nameless
row is given the name of the one item that has the same parent and weight, is not already named by
another row, and whose description shares clearly the most wording with the row's. Anything less
certain stays nameless.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from .model import IndicatorRow

# How much of the shorter description an item must share (and at least how many character pairs), and
# by how much it must beat the runner-up. Measured on real tables: the right item shares 0.5–0.75 of the
# wording (30–60 pairs), the next best under 0.35; a two-line fixture row shares 0.27 (4 pairs).
_MIN_SHARE = 0.4
_MIN_PAIRS = 10
_MARGIN = 1.5


@dataclass(frozen=True)
class KnownItem:
    name: str
    parent: str
    weight: Decimal
    framework: str
    words: frozenset[str]


_NOT_HAN_RE = re.compile(r"[^\u4e00-\u9fff]")


def _bigrams(text: str) -> frozenset[str]:
    han = _NOT_HAN_RE.sub("", text)
    return frozenset(han[i : i + 2] for i in range(len(han) - 1))


@functools.lru_cache(maxsize=1)
def known_items() -> tuple[KnownItem, ...]:
    """Scored leaf items of every framework that loads (a broken user file is skipped, not fatal)."""
    from jixiao.errors import JixiaoError
    from jixiao.frameworks.registry import framework_ids, load_framework

    out: dict[tuple[str, str, Decimal], KnownItem] = {}
    try:
        ids = framework_ids()
    except JixiaoError:
        return ()
    for fid in ids:
        try:
            fw = load_framework(fid)
        except JixiaoError:
            continue
        stack = [(item, "") for item in fw.items]
        while stack:
            item, parent = stack.pop()
            for child in item.children:
                stack.append((child, item.name))
            if item.children or item.rule is None or item.rule.kind == "targets":
                continue
            words = _bigrams(f"{item.explanation or ''}{item.criteria_text or ''}")
            key = (item.name, parent, item.weight)
            if key in out:  # the same item in a derived framework: pool the wording
                words |= out[key].words
            out[key] = KnownItem(item.name, parent, item.weight, fid, words)
    return tuple(out.values())


def recover_names(rows: list[IndicatorRow], items: tuple[KnownItem, ...] | None = None) -> None:
    """Give nameless "rule" rows the name of the one framework item they clearly describe (in place).

    The frameworks are loaded only when some row needs a name: most reports print every name."""
    nameless = [
        (row, words)
        for row in rows
        if row.layout == "rule" and not row.name and row.weight is not None
        if (words := _bigrams(f"{row.explanation or ''}{row.rule or ''}"))
    ]
    if not nameless:
        return
    items = known_items() if items is None else items
    taken = {r.name for r in rows if r.layout == "rule" and r.name}
    for row, words in nameless:
        scored: dict[str, float] = {}
        for it in items:
            if it.weight != row.weight or it.name in taken or (row.level2 and it.parent != row.level2):
                continue
            pairs = len(words & it.words)
            share = pairs / min(len(words), len(it.words) or 1) if pairs >= _MIN_PAIRS else 0.0
            scored[it.name] = max(scored.get(it.name, 0.0), share)
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < _MIN_SHARE:
            continue
        if len(ranked) > 1 and ranked[0][1] < _MARGIN * ranked[1][1]:
            continue
        row.name = ranked[0][0]
        row.name_inferred = True
        taken.add(row.name)


def item_for_label(label: str, parent: str, items: tuple[KnownItem, ...] | None = None) -> KnownItem | None:
    """The framework item a deduction names ("财政拨款收入预决算差异率" under 资金管理 → 收入预决算差异率):
    an item of that parent whose name ends the label; only when every framework gives it the same weight."""
    items = known_items() if items is None else items
    label = re.sub(r"\s", "", label)
    found = [it for it in items if it.parent == parent and len(it.name) >= 3 and label.endswith(it.name)]
    if not found:
        return None
    longest = max(len(it.name) for it in found)
    found = [it for it in found if len(it.name) == longest]
    if len({(it.name, it.weight) for it in found}) != 1:
        return None
    return found[0]
