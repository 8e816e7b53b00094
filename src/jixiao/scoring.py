"""Scoring: ``score(dossier, framework) -> Scorecard``, a pure function.

Each leaf is scored by its rule kind with a Chinese derivation; subtotals roll up; a missing figure
makes its item ``missing`` (never a silent 0) and the total incomplete. Where the dossier states its own
scores, each item shows stated vs computed, the difference and why (another reading of the printed
rule, full marks given despite a shortfall, a total that leaves an item out).

A framework is compiled once into a plan (rules with their texts worked out, the tree indexed and laid out
children-first so one loop scores it, notes and grade bands ready), kept while the Framework object lives. ``load_framework`` builds a new object on every
call, so an edited file is planned afresh; a Framework changed in place after it was scored needs
``forget_plans()``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from jixiao.frameworks.model import RULE_KIND_NAMES, Framework, FrameworkItem
from jixiao.frameworks.rules import NO_DEDUCTION_NOTE, Compiled, compile_rule, manual_item_outcome
from jixiao.frameworks.values import points, rounded
from jixiao.model import (
    SCORECARD_SCHEMA,
    TRUSTED_ITEM_STEPS,
    Dossier,
    ItemScore,
    ItemStatus,
    Scorecard,
    trusted_item,
)

INCOMPLETE: frozenset[str] = frozenset({"missing", "partial", "invalid"})

# model_fields_set of each node and of the scorecard, as the keyword construction they replace leaves it
# fmt: off
_LEAF_FIELDS = frozenset((
    "id", "name", "level", "max", "score", "status", "derivation", "missing", "flags", "rule", "children",
))
_PARENT_FIELDS = frozenset(("id", "name", "level", "max", "score", "status", "derivation", "children"))
_LEAF_STATED, _PARENT_STATED = _LEAF_FIELDS | {"stated"}, _PARENT_FIELDS | {"stated"}
_LEAF_DIFFERENCE, _PARENT_DIFFERENCE = _LEAF_STATED | {"difference"}, _PARENT_STATED | {"difference"}
_CARD_FIELDS = frozenset((
    "unit", "year", "framework", "framework_name", "items", "total", "max", "complete", "missing", "grade",
    "stated_total", "stated_grade", "notes",
))
# fmt: on
_ZERO = Decimal(0)


def score(dossier: Dossier, framework: Framework) -> Scorecard:
    plan = plan_for(framework)
    run = _Run(dossier, plan)
    items = _score_items(run)
    notes = list(plan.item_notes)
    if dossier.kind != plan.kind:
        notes.append(f"档案类型为“{dossier.kind}”，而指标体系“{plan.name}”适用于“{plan.kind}”评价，请确认")
    notes.extend(_unmatched_notes(dossier, plan, run.unmatched_stated))
    scored = [i.score for i in items if i.score is not None]
    total = rounded(sum(scored, Decimal(0))) if scored else None
    complete = all(i.status not in INCOMPLETE for i in items)
    missing = [m for i in items for m in _missing_of(i, [])]
    grade = plan.grade_for(total) if complete and total is not None else None
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
    return Scorecard.trusted(
        {
            "schema_": SCORECARD_SCHEMA,
            "unit": dossier.unit.name,
            "year": dossier.year,
            "framework": plan.id,
            "framework_name": plan.name,
            "items": items,
            "total": total,
            "max": plan.max_total,
            "complete": complete,
            "missing": missing,
            "grade": grade,
            "stated_total": stated_total,
            "stated_grade": dossier.stated.grade,
            "notes": notes,
        },
        set(_CARD_FIELDS),
    )


def _assign(node: ItemScore, name: str, value: Any) -> None:
    """``setattr`` as pydantic does it for these models (no validation on assignment), minus its overhead."""
    node.__dict__[name] = value
    node.__pydantic_fields_set__.add(name)


# ------------------------------------------------------------------ the plan


class _Node:
    """One framework item ready to score: its rule compiled (a leaf) or its children planned."""

    __slots__ = ("children", "deduction_note", "id", "item", "kind", "level", "name", "run", "weight")

    def __init__(self, item: FrameworkItem, level: int, plan: Plan) -> None:
        self.item, self.id, self.name, self.weight, self.level = item, item.id, item.name, item.weight, level
        self.children = [_Node(c, level + 1, plan) for c in item.children]
        self.run: Compiled | None = None
        self.kind: str | None = None
        self.deduction_note = False
        if not item.children:
            assert item.rule is not None
            self.kind = item.rule.kind
            self.run = compile_rule(
                item.rule, item, plan.labels, plan.ancestors(item), level, differences=True, finished=True
            )
            self.deduction_note = self.kind not in NO_DEDUCTION_NOTE


class Plan:
    """A framework compiled for scoring; ``plan_for`` keeps one per Framework object."""

    def __init__(self, framework: Framework) -> None:
        self.id, self.name, self.kind = framework.id, framework.name, framework.kind
        self.labels = dict(framework.figure_keys)
        self.max_total = framework.max_total
        self.bands = [
            (b.min, b.grade) for b in sorted(framework.grade_bands, key=lambda b: b.min, reverse=True)
        ]
        self._ancestors: dict[str, tuple[str, ...]] = {}

        def note(items: list[FrameworkItem], path: tuple[str, ...]) -> None:
            for child in items:
                self._ancestors[child.id] = path
                note(child.children, (*path, child.id))

        note(framework.items, ())
        self.items = framework.walk()
        self.by_id: dict[str, FrameworkItem] = {}
        names: dict[str, list[FrameworkItem]] = {}
        for item in self.items:
            self.by_id.setdefault(item.id, item)
            names.setdefault(item.name, []).append(item)
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}
        self.item_notes = [f"{item.name}：{item.note}" for item in self.items if item.note]
        self.roots = [_Node(i, 1, self) for i in framework.items]
        # every node after its children, with how many children it takes off the stack: scoring is one loop
        # (node, id, name, level, weight, rule, kind, deduction note, number of children)
        self.steps: list[tuple[Any, ...]] = []

        def order(nodes: list[_Node]) -> None:
            for n in nodes:
                order(n.children)
                self.steps.append(
                    (n, n.id, n.name, n.level, n.weight, n.run, n.kind, n.deduction_note, len(n.children))
                )

        order(self.roots)
        # ids cannot hold dots, so a generated node ("x.p1.i1") never has a stated score of its own; a
        # framework built without validation might: its generated nodes are then looked up one by one
        self.dotted = any("." in key for key in self.by_id)
        self._alternatives: dict[tuple[int, int], list[Compiled]] = {}

    def ancestors(self, item: FrameworkItem) -> tuple[str, ...]:
        return self._ancestors.get(item.id, ())

    def find(self, id_or_name: str) -> FrameworkItem | None:
        """As ``Framework.find`` (by id, else a unique name), from the index."""
        return self.by_id.get(id_or_name) or self.by_name.get(id_or_name)

    def grade_for(self, total: Decimal) -> str | None:
        for low, grade in self.bands:
            if total >= low:
                return grade
        return None

    def alternatives(self, item: FrameworkItem, level: int) -> list[Compiled]:
        """The item's other readings, compiled on first use (only to explain a differing stated score)."""
        key = (id(item), level)
        found = self._alternatives.get(key)
        if found is None:
            ancestors = self.ancestors(item)
            found = [compile_rule(a, item, self.labels, ancestors, level) for a in item.alternatives]
            self._alternatives[key] = found
        return found


# Plans by id(framework), each with a weak reference that drops it when the framework is freed (so an id
# reused by a later object never finds a stale plan).
_PLANS: dict[int, tuple[weakref.ref[Framework], Plan]] = {}
_PLANS_LOCK = threading.RLock()  # re-entrant: a collection inside the lock may run `drop`


def plan_for(framework: Framework) -> Plan:
    key = id(framework)
    found = _PLANS.get(key)
    if found is not None and found[0]() is framework:
        return found[1]
    plan = Plan(framework)

    def drop(ref: weakref.ref[Framework], key: int = key) -> None:
        with _PLANS_LOCK:
            if key in _PLANS and _PLANS[key][0] is ref:
                del _PLANS[key]

    with _PLANS_LOCK:
        _PLANS[key] = (weakref.ref(framework, drop), plan)
    return plan


def forget_plans() -> None:
    """Drop every plan (after changing a Framework object in place)."""
    with _PLANS_LOCK:
        _PLANS.clear()


# ------------------------------------------------------------------ scoring one dossier


class _Run:
    """Scoring one dossier against a plan."""

    __slots__ = ("dossier", "manual", "plan", "stated", "unmatched_stated")

    def __init__(self, dossier: Dossier, plan: Plan) -> None:
        self.dossier, self.plan = dossier, plan
        self.manual = dossier.manual_scores
        self.stated, self.unmatched_stated = _stated_lookup(dossier, plan)

    def _manual_override(self, node: _Node, out: ItemScore) -> None:
        """A manual score stands in for an item the rule cannot score from the dossier's data."""
        entry = self.manual.get(node.id)
        values = out.__dict__  # read and assigned directly, as ``_assign`` does
        if entry is None or values["rule"] == "manual":
            return
        if values["status"] not in INCOMPLETE:
            values["flags"].append(
                f"档案另给出人工评分 {points(entry.score)} 分，已按评分规则计算，未采用人工评分"
            )
            return
        outcome = manual_item_outcome(entry.score, entry.reason, node.item)
        if outcome.score is None:
            values["flags"].extend(outcome.flags)
            return
        if values["children"]:
            count = len(_missing_of(out, []))
            lacking = f"下级指标共 {count} 处缺少按评分规则计分所需的数据，见各下级指标"
        else:
            missing = values["missing"]
            shown = missing[:2] or [values["derivation"]]
            more = f" 等 {len(missing)} 项" if len(missing) > 2 else ""
            lacking = f"档案缺少按评分规则计分所需的数据：{'、'.join(shown)}{more}"
        values["score"] = rounded(outcome.score)
        values["status"] = "manual"
        values["derivation"] = f"{outcome.derivation}（{lacking}）"
        out.__pydantic_fields_set__.update(("score", "status", "derivation"))

    def _attach_stated(self, out: ItemScore) -> None:
        """Stated score and difference set after the node was built (assigned as pydantic would)."""
        values, fields = out.__dict__, out.__pydantic_fields_set__
        if out.id in self.stated:
            values["stated"] = self.stated[out.id]
            fields.add("stated")
        stated, computed = values["stated"], values["score"]
        if stated is not None and computed is not None:
            values["difference"] = stated - computed
            fields.add("difference")
            self._explain_difference(out)

    def _explain_difference(self, out: ItemScore) -> None:
        values = out.__dict__
        difference = values["difference"]
        if difference is not None and difference != 0:
            values["difference_note"] = self._explain(out, self.plan.find(values["id"]))
            out.__pydantic_fields_set__.add("difference_note")

    def _attach_generated(self, nodes: list[ItemScore]) -> None:
        """The same for a leaf's generated children: their own stated scores (an indicator's) came with them
        and their differences too (the plan compiles targets so); an explanation is added where needed."""
        lookup = self.stated
        for node in nodes:
            if node.id in lookup:  # a generated id is never a framework item's (ids have no dots): kept exact
                self._attach_stated(node)
            elif node.difference:  # None or 0: nothing to explain
                self._explain_difference(node)
            if node.children:
                self._attach_generated(node.children)

    def _explain(self, node: ItemScore, item: FrameworkItem | None) -> str:
        values = node.__dict__  # a pydantic model's attribute access is slow; this reads several fields
        stated, computed, status = values["stated"], values["score"], values["status"]
        assert stated is not None and computed is not None
        if status in ("partial", "missing"):
            # A subtotal whose parts are not all scored: the gap is the unscored parts, not a different rule.
            unscored = [c.name for c in node.children if c.status in ("missing", "partial", "invalid")]
            which = f"（{'、'.join(unscored)}）" if unscored else ""
            return (
                f"自评分 {points(stated)}；已计算部分合计 {points(computed)} 分，尚有下级指标{which}缺少数据未能评分，"
                "补全数据后再比较"
            )
        if item is not None:
            for alternative in self.plan.alternatives(item, values["level"]):
                outcome = alternative(self.dossier)
                if outcome.score is not None and rounded(outcome.score) == stated:
                    kind = values["rule"] or ""
                    chosen = RULE_KIND_NAMES.get(kind, kind)
                    note = f"（{item.note}）" if item.note else ""
                    return (
                        f"自评分 {points(stated)} 采用了评分标准中的另一种算法：{outcome.derivation}；"
                        f"本指标体系按“{chosen}”规则计算，得 {points(computed)} 分{note}"
                    )
        full = values["max"]
        if stated == full and computed < full:
            return f"自评给满分 {points(stated)} 分，但按评分规则只得 {points(computed)} 分：{values['derivation']}"
        if stated > full:
            return f"自评分 {points(stated)} 超过本项分值 {points(full)}"
        return (
            f"自评分 {points(stated)} 与按评分规则计算的 {points(computed)} 分相差 "
            f"{points(stated - computed)} 分，未能识别自评所用的算法，请核对"
        )


def _score_items(run: _Run) -> list[ItemScore]:
    """Every node of the plan, children before their parent (one loop over ``plan.steps``, the hot path).

    A leaf is its rule's outcome, rounded, with "（扣 x 分）" where points were lost; a parent rolls up its
    children (the sum of what is scored, how complete they are). A manual score or a stated score sends
    the node through ``_Run``'s slower steps.
    """
    dossier, plan, stated_scores, manual = run.dossier, run.plan, run.stated, run.manual
    new, set_dict, set_fields, set_extra, set_private = TRUSTED_ITEM_STEPS
    stack: list[ItemScore] = []
    for node, nid, name, level, weight, rule, kind, note, count in plan.steps:
        stated = stated_scores.get(nid) if stated_scores else None
        overridden = nid in manual if manual else False
        # the manual score may replace the computed one: the stated score is compared after
        stated_here = None if overridden else stated
        out = new(ItemScore)
        if rule is None:
            children = stack[-count:]
            del stack[-count:]
            total, scored, complete, all_invalid = _ZERO, False, True, True
            shown: list[str] = []
            for child in children:
                values = child.__dict__
                got = values["score"]
                if got is None:
                    shown.append("？")
                else:
                    total += got
                    scored = True
                    shown.append(points(got))
                status = values["status"]
                if status in INCOMPLETE:
                    complete = False
                if status != "invalid":
                    all_invalid = False
            if scored:
                score = rounded(total)
                rolled: ItemStatus = "scored" if complete else "partial"
                derivation = f"下级指标得分合计：{'+'.join(shown)}={points(score)} 分"
            else:
                score = None
                rolled = "scored" if complete else "invalid" if all_invalid else "missing"
                derivation = "下级指标均未能计分"
            if stated_here is None:
                difference, fields = None, _PARENT_FIELDS
            elif score is None:
                difference, fields = None, _PARENT_STATED
            else:
                difference, fields = stated_here - score, _PARENT_DIFFERENCE
            # fmt: off
            set_dict(out, {
                "id": nid, "name": name, "level": level, "max": weight, "score": score, "status": rolled,
                "derivation": derivation, "missing": [], "flags": [], "stated": stated_here,
                "difference": difference, "difference_note": None, "rule": None, "children": children,
            })
            # fmt: on
            set_fields(out, set(fields))
            set_extra(out, None)
            set_private(out, None)
            if overridden:
                run._manual_override(node, out)
                if stated is not None:
                    run._attach_stated(out)
            elif difference:  # None or 0: nothing to explain
                run._explain_difference(out)
            stack.append(out)
            continue
        outcome = rule(dossier)
        derivation = outcome.derivation
        got = score = outcome.score
        if got is not None and not outcome.finished:  # as ``finish`` does it, inlined
            score = rounded(got)
            if note:
                lost = weight - got
                if lost > 0 and "扣 " not in derivation:
                    derivation += f"（扣 {points(rounded(lost))} 分）"
        if stated_here is None:
            difference, fields = None, _LEAF_FIELDS
        elif score is None:
            difference, fields = None, _LEAF_STATED
        else:
            difference, fields = stated_here - score, _LEAF_DIFFERENCE
        # the outcome's lists are the node's own: every compiled rule builds them afresh per call
        # fmt: off
        set_dict(out, {
            "id": nid, "name": name, "level": level, "max": weight, "score": score,
            "status": outcome.status, "derivation": derivation, "missing": outcome.missing,
            "flags": outcome.flags, "stated": stated_here, "difference": difference, "difference_note": None,
            "rule": kind, "children": outcome.children,
        })
        # fmt: on
        set_fields(out, set(fields))
        set_extra(out, None)
        set_private(out, None)
        if overridden:
            run._manual_override(node, out)
            if stated is not None:
                run._attach_stated(out)
        elif difference:
            run._explain_difference(out)
        if outcome.children:  # a leaf's generated children (targets)
            differing = outcome.differing
            if differing is None or plan.dotted:
                run._attach_generated(outcome.children)
            else:
                for generated in differing:
                    run._explain_difference(generated)
        stack.append(out)
    return stack


def _missing_of(node: ItemScore, path: list[str]) -> list[str]:
    """What is missing under a node, each prefixed by the indicator path; nothing under a manual score."""
    values = node.__dict__  # read directly: a pydantic model's attribute access is slow
    if values["status"] not in INCOMPLETE:
        return []
    name, children = values["name"], values["children"]
    here = "/".join([*path, name])
    if not children:
        return [f"{here}：{m}" for m in values["missing"]] or [f"{here}：{values['derivation']}"]
    out: list[str] = []
    below = [*path, name]
    for child in children:
        out.extend(_missing_of(child, below))
    return out


# ------------------------------------------------------------------ stated scores


def _stated_lookup(dossier: Dossier, plan: Plan) -> tuple[dict[str, Decimal], list[str]]:
    """Item id → stated score (names resolve when unique in the framework), and the keys that match no item."""
    out: dict[str, Decimal] = {}
    unmatched: list[str] = []
    for key, value in dossier.stated.items.items():
        item = plan.find(key)
        if item is not None:
            out[item.id] = value
        else:
            unmatched.append(key)
    return out, unmatched


def _stated_sum(node: ItemScore) -> Decimal | None:
    """A node's stated score, or the sum of its children's when all of them state one."""
    values = node.__dict__  # read directly: this walks every node of a card that states a total
    stated = values["stated"]
    if stated is not None:
        return stated
    children = values["children"]
    if not children:
        return None
    total = _ZERO
    for child in children:
        part = _stated_sum(child)
        if part is None:
            return None
        total += part
    return total


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
    parts: list[Decimal] = []
    for item in items:  # stops at the first item that states nothing (the note needs them all)
        part = _stated_sum(item)
        if part is None:
            return notes
        parts.append(part)
    stated_sum = sum(parts, Decimal(0))
    if stated_sum == stated_total:
        return notes
    for item, part in zip(items, parts, strict=True):
        if part and stated_sum - part == stated_total:
            message = (
                f"“{item.name}”自评分 {points(part)} 未计入自评总分 {points(stated_total)}"
                f"（各一级指标自评分合计 {points(stated_sum)}，减去该项正好等于自评总分）"
            )
            notes.append(message)
            note = f"{item.difference_note}；{message}" if item.difference_note else message
            _assign(item, "difference_note", note)
            return notes
    notes.append(f"各一级指标自评分合计 {points(stated_sum)}，与自评总分 {points(stated_total)} 不一致")
    return notes


# ------------------------------------------------------------------ notes


def _unmatched_notes(dossier: Dossier, plan: Plan, unmatched_stated: list[str]) -> list[str]:
    notes = []
    for key in dossier.manual_scores:
        if plan.find(key) is None:
            notes.append(f"manual_scores 中的“{key}”不对应本指标体系的任何指标，未使用")
    for key in unmatched_stated:
        notes.append(f"stated.items 中的“{key}”不对应本指标体系的任何指标（或名称不唯一），未比较")
    return notes


# ------------------------------------------------------------------ many dossiers on several cores

_BATCH: (
    tuple[list[Dossier], Framework | Mapping[str, Framework], Callable[[Scorecard], Any] | None] | None
) = None
_CHUNK = 250  # dossiers per task: large enough that a task's overhead is small against its scoring
_ITEM_FIELDS = tuple(ItemScore.model_fields)
_CARD_FIELDS_ORDER = tuple(Scorecard.model_fields)


def score_many(
    dossiers: Sequence[Dossier],
    framework: Framework | Mapping[str, Framework],
    jobs: int | None = None,
    then: Callable[[Scorecard], Any] | None = None,
) -> list[Any]:
    """``score`` of every dossier, in order, on ``jobs`` processes (default: one per core).

    ``framework`` is one framework for all, or frameworks by id (each dossier's ``framework``). With ``then``
    the result is ``then(scorecard)`` per dossier, computed in the worker (a total, a JSON text, a file
    written): only that travels back. Without it the scorecards themselves come back, packed as plain tuples
    and rebuilt here; that costs about as much as scoring them (pydantic models are slow to unpickle), so
    several cores only pay off with ``then``. Workers are forked and read the dossiers, plans and ``then``
    without copying; where fork is not available, for few dossiers or with ``jobs`` ≤ 1 everything runs here.
    For batch runs (command line, benchmarks), not inside a threaded server.
    """
    global _BATCH
    batch = list(dossiers)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs <= 1 or len(batch) <= _CHUNK or "fork" not in multiprocessing.get_all_start_methods():
        cards = [score(d, _framework_of(d, framework)) for d in batch]
        return cards if then is None else [then(c) for c in cards]
    for fw in framework.values() if isinstance(framework, Mapping) else [framework]:
        plan_for(fw)  # planned once here, inherited by every worker
    _BATCH = (batch, framework, then)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            spans = [(start, min(start + _CHUNK, len(batch))) for start in range(0, len(batch), _CHUNK)]
            results = [r for chunk in pool.imap(_score_span, spans) for r in chunk]
    finally:
        _BATCH = None
    return [_unpack_card(r) for r in results] if then is None else results


def _framework_of(dossier: Dossier, framework: Framework | Mapping[str, Framework]) -> Framework:
    if not isinstance(framework, Mapping):
        return framework
    if dossier.framework is None or dossier.framework not in framework:
        raise KeyError(f"档案“{dossier.unit.name}”的指标体系“{dossier.framework}”不在所给的指标体系中")
    return framework[dossier.framework]


def _score_span(span: tuple[int, int]) -> list[Any]:
    assert _BATCH is not None
    batch, framework, then = _BATCH
    cards = (score(d, _framework_of(d, framework)) for d in batch[span[0] : span[1]])
    return [_pack_card(c) for c in cards] if then is None else [then(c) for c in cards]


def _mask(fields: set[str], names: tuple[str, ...]) -> int:
    return sum(1 << n for n, name in enumerate(names) if name in fields)


def _unmask(mask: int, names: tuple[str, ...]) -> set[str]:
    return {name for n, name in enumerate(names) if mask >> n & 1}


def _pack_item(node: ItemScore) -> tuple[Any, ...]:
    values = node.__dict__
    return (
        *(values[f] for f in _ITEM_FIELDS[:-1]),
        _mask(node.__pydantic_fields_set__, _ITEM_FIELDS),
        tuple(_pack_item(c) for c in node.children),
    )


def _unpack_item(packed: tuple[Any, ...]) -> ItemScore:
    *values, mask, children = packed
    fields = dict(zip(_ITEM_FIELDS[:-1], values, strict=True))  # lists arrive as fresh lists
    fields["children"] = [_unpack_item(c) for c in children]
    return trusted_item(fields, _unmask(mask, _ITEM_FIELDS))


def _pack_card(card: Scorecard) -> tuple[Any, ...]:
    values = {**card.__dict__, "items": tuple(_pack_item(i) for i in card.items)}
    return tuple(values[f] for f in _CARD_FIELDS_ORDER), _mask(
        card.__pydantic_fields_set__, _CARD_FIELDS_ORDER
    )


def _unpack_card(packed: tuple[Any, ...]) -> Scorecard:
    values, mask = packed
    fields = dict(zip(_CARD_FIELDS_ORDER, values, strict=True))
    fields["items"] = [_unpack_item(i) for i in fields["items"]]
    return Scorecard.trusted(fields, _unmask(mask, _CARD_FIELDS_ORDER))
