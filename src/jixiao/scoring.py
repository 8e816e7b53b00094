"""Scoring: ``score(dossier, framework) -> Scorecard``, a pure function.

Each leaf is scored by its rule kind with a Chinese derivation; subtotals roll up; a missing figure
makes its item ``missing`` (never a silent 0) and the total incomplete. Where the dossier states its own
scores, each item shows stated vs computed, the difference and why (another reading of the printed
rule, full marks given despite a shortfall, a total that leaves an item out).
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.frameworks.model import RULE_KIND_NAMES, Framework, FrameworkItem
from jixiao.frameworks.rules import Outcome, RuleContext, apply_rule, manual_outcome
from jixiao.frameworks.values import points, rounded
from jixiao.model import Dossier, ItemScore, ItemStatus, Scorecard

INCOMPLETE: frozenset[str] = frozenset({"missing", "partial", "invalid"})


def score(dossier: Dossier, framework: Framework) -> Scorecard:
    scorer = _Scorer(dossier, framework)
    items = [scorer.item(i, 1) for i in framework.items]
    index = _Index(framework)
    stated_lookup = _stated_lookup(dossier, index)
    for node in items:
        _attach_stated(node, index, stated_lookup, scorer)
    notes = _item_notes(index)
    if dossier.kind != framework.kind:
        notes.append(
            f"档案类型为“{dossier.kind}”，而指标体系“{framework.name}”适用于“{framework.kind}”评价，请确认"
        )
    notes.extend(_unmatched_notes(dossier, index))
    scored = [i.score for i in items if i.score is not None]
    total = rounded(sum(scored, Decimal(0))) if scored else None
    complete = all(i.status not in INCOMPLETE for i in items)
    missing = [m for i in items for m in _missing_of(i, [])]
    grade = framework.grade_for(total) if complete and total is not None else None
    if not complete:
        notes.append(
            f"评分不完整：{len(missing)} 处数据缺失或无法计分，总分 {points(total or Decimal(0))} 仅为已计分部分之和，不评定等级"
        )
    stated_total = dossier.stated.total
    notes.extend(_total_notes(items, stated_total, total, complete))
    if dossier.stated.grade and grade and dossier.stated.grade != grade:
        notes.append(
            f"自评等级为“{dossier.stated.grade}”，按计算总分 {points(total or Decimal(0))} 应为“{grade}”"
        )
    return Scorecard(
        unit=dossier.unit.name,
        year=dossier.year,
        framework=framework.id,
        framework_name=framework.name,
        items=items,
        total=total,
        max=framework.max_total,
        complete=complete,
        missing=missing,
        grade=grade,
        stated_total=stated_total,
        stated_grade=dossier.stated.grade,
        notes=notes,
    )


class _Scorer:
    def __init__(self, dossier: Dossier, framework: Framework) -> None:
        self.dossier = dossier
        self.framework = framework
        self._ancestors: dict[str, list[str]] = {}

        def note(items: list[FrameworkItem], path: list[str]) -> None:
            for child in items:
                self._ancestors[child.id] = path
                note(child.children, [*path, child.id])

        note(framework.items, [])

    def context(self, item: FrameworkItem) -> RuleContext:
        return RuleContext(
            item=item,
            dossier=self.dossier,
            labels=self.framework.figure_keys,
            ancestors=tuple(self._ancestors.get(item.id, ())),
        )

    def item(self, item: FrameworkItem, level: int) -> ItemScore:
        if item.children:
            node = self._parent(item, level)
        else:
            assert item.rule is not None
            outcome = apply_rule(item.rule, self.context(item), level)
            node = _node(item, level, outcome, item.rule.kind)
        return self._manual_override(item, node)

    def _parent(self, item: FrameworkItem, level: int) -> ItemScore:
        children = [self.item(c, level + 1) for c in item.children]
        total, status = rollup(children)
        shown = "+".join(points(c.score) if c.score is not None else "？" for c in children)
        derivation = (
            f"下级指标得分合计：{shown}={points(total)} 分" if total is not None else "下级指标均未能计分"
        )
        return ItemScore(
            id=item.id,
            name=item.name,
            level=level,
            max=item.weight,
            score=total,
            status=status,
            derivation=derivation,
            children=children,
        )

    def _manual_override(self, item: FrameworkItem, node: ItemScore) -> ItemScore:
        """A manual score stands in for an item the rule cannot score from the dossier's data."""
        entry = self.dossier.manual_scores.get(item.id)
        if entry is None or node.rule == "manual":
            return node
        if node.status not in INCOMPLETE:
            node.flags.append(
                f"档案另给出人工评分 {points(entry.score)} 分，已按评分规则计算，未采用人工评分"
            )
            return node
        outcome = manual_outcome(entry.score, entry.reason, self.context(item))
        if outcome.score is None:
            node.flags.extend(outcome.flags)
            return node
        if node.children:
            count = len(_missing_of(node, []))
            lacking = f"下级指标共 {count} 处缺少按评分规则计分所需的数据，见各下级指标"
        else:
            shown = node.missing[:2] or [node.derivation]
            more = f" 等 {len(node.missing)} 项" if len(node.missing) > 2 else ""
            lacking = f"档案缺少按评分规则计分所需的数据：{'、'.join(shown)}{more}"
        node.score = rounded(outcome.score) if outcome.score is not None else None
        node.status = "manual"
        node.derivation = f"{outcome.derivation}（{lacking}）"
        return node


def _node(item: FrameworkItem, level: int, outcome: Outcome, kind: str) -> ItemScore:
    derivation = outcome.derivation
    lost = item.weight - outcome.score if outcome.score is not None else None
    if lost and lost > 0 and kind not in ("targets", "adjustment") and "扣 " not in derivation:
        derivation += f"（扣 {points(rounded(lost))} 分）"
    return ItemScore(
        id=item.id,
        name=item.name,
        level=level,
        max=item.weight,
        score=rounded(outcome.score) if outcome.score is not None else None,
        status=outcome.status,
        derivation=derivation,
        missing=outcome.missing,
        flags=outcome.flags,
        rule=kind,
        children=outcome.children,
    )


def rollup(children: list[ItemScore]) -> tuple[Decimal | None, ItemStatus]:
    scored = [c.score for c in children if c.score is not None]
    total = rounded(sum(scored, Decimal(0))) if scored else None
    if all(c.status not in INCOMPLETE for c in children):
        return total, "scored"
    if scored:
        return total, "partial"
    return None, "invalid" if all(c.status == "invalid" for c in children) else "missing"


def _missing_of(node: ItemScore, path: list[str]) -> list[str]:
    """What is missing under a node, each prefixed by the indicator path; nothing under a manual score."""
    if node.status not in INCOMPLETE:
        return []
    here = "/".join([*path, node.name])
    if not node.children:
        return [f"{here}：{m}" for m in node.missing] or [f"{here}：{node.derivation}"]
    out: list[str] = []
    for child in node.children:
        out.extend(_missing_of(child, [*path, node.name]))
    return out


# ------------------------------------------------------------------ stated scores


class _Index:
    """The framework tree walked once: `find` as `Framework.find` (id, else a unique name) without a walk per call."""

    def __init__(self, framework: Framework) -> None:
        self.items = framework.walk()
        self.by_id: dict[str, FrameworkItem] = {}
        names: dict[str, list[FrameworkItem]] = {}
        for item in self.items:
            self.by_id.setdefault(item.id, item)
            names.setdefault(item.name, []).append(item)
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def find(self, id_or_name: str) -> FrameworkItem | None:
        return self.by_id.get(id_or_name) or self.by_name.get(id_or_name)


def _stated_lookup(dossier: Dossier, index: _Index) -> dict[str, Decimal]:
    """Item id → stated score; names resolve when unique in the framework."""
    out: dict[str, Decimal] = {}
    for key, value in dossier.stated.items.items():
        item = index.find(key)
        if item is not None:
            out[item.id] = value
    return out


def _attach_stated(node: ItemScore, index: _Index, lookup: dict[str, Decimal], scorer: _Scorer) -> None:
    if node.id in lookup:
        node.stated = lookup[node.id]
    if node.stated is not None and node.score is not None:
        node.difference = node.stated - node.score
        if node.difference != 0:
            item = index.find(node.id)
            node.difference_note = _explain(node, item, scorer)
    for child in node.children:
        _attach_stated(child, index, lookup, scorer)


def _explain(node: ItemScore, item: FrameworkItem | None, scorer: _Scorer) -> str:
    assert node.stated is not None and node.score is not None
    stated, computed = node.stated, node.score
    if node.status in ("partial", "missing"):
        # A subtotal whose parts are not all scored: the gap is the unscored parts, not a different rule.
        unscored = [c.name for c in node.children if c.status in ("missing", "partial", "invalid")]
        which = f"（{'、'.join(unscored)}）" if unscored else ""
        return (
            f"自评分 {points(stated)}；已计算部分合计 {points(computed)} 分，尚有下级指标{which}缺少数据未能评分，"
            "补全数据后再比较"
        )
    if item is not None:
        for alternative in item.alternatives:
            outcome = apply_rule(alternative, scorer.context(item), node.level)
            if outcome.score is not None and rounded(outcome.score) == stated:
                chosen = RULE_KIND_NAMES.get(node.rule or "", node.rule or "")
                note = f"（{item.note}）" if item.note else ""
                return (
                    f"自评分 {points(stated)} 采用了评分标准中的另一种算法：{outcome.derivation}；"
                    f"本指标体系按“{chosen}”规则计算，得 {points(computed)} 分{note}"
                )
    if stated == node.max and computed < node.max:
        return f"自评给满分 {points(stated)} 分，但按评分规则只得 {points(computed)} 分：{node.derivation}"
    if stated > node.max:
        return f"自评分 {points(stated)} 超过本项分值 {points(node.max)}"
    return (
        f"自评分 {points(stated)} 与按评分规则计算的 {points(computed)} 分相差 "
        f"{points(stated - computed)} 分，未能识别自评所用的算法，请核对"
    )


def _stated_sum(node: ItemScore) -> Decimal | None:
    """A node's stated score, or the sum of its children's when all of them state one."""
    if node.stated is not None:
        return node.stated
    if not node.children:
        return None
    parts = [_stated_sum(c) for c in node.children]
    if any(p is None for p in parts):
        return None
    return sum((p for p in parts if p is not None), Decimal(0))


def _total_notes(
    items: list[ItemScore], stated_total: Decimal | None, total: Decimal | None, complete: bool
) -> list[str]:
    notes: list[str] = []
    if stated_total is None:
        return notes
    if total is not None:
        word = "计算总分" if complete else "已计分部分合计"
        diff = stated_total - total
        if diff:
            notes.append(
                f"自评总分 {points(stated_total)}，按本指标体系{word} {points(total)}，相差 {points(diff)} 分"
            )
        else:
            notes.append(f"自评总分 {points(stated_total)} 与{word}一致")
    parts = [_stated_sum(i) for i in items]
    if any(p is None for p in parts):
        return notes
    stated_sum = sum((p for p in parts if p is not None), Decimal(0))
    if stated_sum == stated_total:
        return notes
    for item, part in zip(items, parts, strict=True):
        if part and stated_sum - part == stated_total:
            message = (
                f"“{item.name}”自评分 {points(part)} 未计入自评总分 {points(stated_total)}"
                f"（各一级指标自评分合计 {points(stated_sum)}，减去该项正好等于自评总分）"
            )
            notes.append(message)
            item.difference_note = f"{item.difference_note}；{message}" if item.difference_note else message
            return notes
    notes.append(f"各一级指标自评分合计 {points(stated_sum)}，与自评总分 {points(stated_total)} 不一致")
    return notes


# ------------------------------------------------------------------ notes


def _item_notes(index: _Index) -> list[str]:
    return [f"{item.name}：{item.note}" for item in index.items if item.note]


def _unmatched_notes(dossier: Dossier, index: _Index) -> list[str]:
    notes = []
    for key in dossier.manual_scores:
        if index.find(key) is None:
            notes.append(f"manual_scores 中的“{key}”不对应本指标体系的任何指标，未使用")
    for key in dossier.stated.items:
        if index.find(key) is None:
            notes.append(f"stated.items 中的“{key}”不对应本指标体系的任何指标（或名称不唯一），未比较")
    return notes
