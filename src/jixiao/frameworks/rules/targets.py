"""Targets rule: each project indicator's attainment (年度指标值 vs 实际完成值), scored by
``jixiao.targets.score_attainment``; one child per project, one grandchild per indicator."""

from __future__ import annotations

from decimal import Decimal

from jixiao.frameworks.model import FrameworkItem, TargetsRule
from jixiao.frameworks.rules.base import Compiled, Outcome, RuleContext
from jixiao.frameworks.values import points, rounded
from jixiao.model import (
    TRUSTED_ITEM_STEPS,
    Dossier,
    Indicator,
    ItemScore,
    ItemStatus,
    Project,
    trusted_item,
)

_INCOMPLETE = ("missing", "partial", "invalid")
_ONE = Decimal(1)
_ZERO = Decimal(0)
_CACHE_LIMIT = 16384  # indicator results remembered per compiled rule

# model_fields_set of each kind of node, as the keyword construction they replace would leave it
_ABSENT_FIELDS = frozenset(
    ("id", "name", "level", "max", "stated", "rule", "status", "missing", "derivation")
)
_INVALID_FIELDS = frozenset(("id", "name", "level", "max", "stated", "rule", "flags", "derivation", "status"))
_SCORED_FIELDS = _INVALID_FIELDS | {"score"}
_MISSING_FIELDS = _INVALID_FIELDS | {"missing"}
_PROJECT_FIELDS = frozenset(
    ("id", "name", "level", "max", "score", "status", "derivation", "missing", "rule", "children")
)


class _Result:
    """What an indicator's node holds apart from its id, name and stated score: a pure function of the
    indicator's texts and its (rescaled) weight, so it is worked out once per distinct input. ``values`` is
    the node's field dict in declaration order, copied and completed for each node."""

    __slots__ = ("fields", "fields_difference", "flags", "incomplete", "max", "missing", "score", "values")

    def __init__(
        self,
        level: int,
        max_: Decimal,
        score: Decimal | None,
        status: ItemStatus,
        derivation: str,
        missing: tuple[str, ...],
        flags: tuple[str, ...],
        fields: frozenset[str],
    ) -> None:
        self.max, self.score, self.missing, self.flags, self.fields = max_, score, missing, flags, fields
        self.fields_difference = fields | {"difference"}
        self.incomplete = status in _INCOMPLETE
        # fmt: off
        self.values = {
            "id": "", "name": "", "level": level, "max": max_, "score": score, "status": status,
            "derivation": derivation, "missing": None, "flags": None, "stated": None, "difference": None,
            "difference_note": None, "rule": "targets", "children": None,
        }
        # fmt: on


def _selected(rule: TargetsRule, indicator: Indicator) -> bool:
    if rule.level1 and (indicator.level1 or "") not in rule.level1:
        return False
    return not (rule.level2 and (indicator.level2 or "") not in rule.level2)


def _indicator_result(indicator: Indicator, weight: Decimal, rule: TargetsRule, level: int) -> _Result:
    max_ = rounded(weight)
    absent = [
        label
        for label, value in (("年度指标值 target", indicator.target), ("实际完成值 actual", indicator.actual))
        if value is None or not str(value).strip()
    ]
    if absent and indicator.achievement is None and indicator.achievement_ratio is None:
        return _Result(
            level,
            max_,
            None,
            "missing",
            f"缺少{'、'.join(absent)}，无法判断完成情况",
            (f"指标“{indicator.name}”的{'、'.join(absent)}",),
            (),
            _ABSENT_FIELDS,
        )
    from jixiao.targets import score_attainment

    # score_attainment parses the text itself and reports unreadable targets as "invalid", never raises.
    result = score_attainment(
        indicator.target or "",
        indicator.actual or "",
        weight,
        direction=indicator.direction,
        achievement=indicator.achievement,
        achievement_ratio=indicator.achievement_ratio,
        reason=indicator.deviation_reason,
        overachieve_factor=rule.overachieve_factor,
    )
    derivation = result.derivation
    reason = (indicator.deviation_reason or "").strip()
    if reason and reason not in ("无", "/") and reason not in result.derivation:
        derivation += f"（偏差原因：{reason}）"
    flags = tuple(result.flags)
    if result.score is None:
        if str(result.status) == "invalid":
            return _Result(level, max_, None, "invalid", derivation, (), flags, _INVALID_FIELDS)
        missing = (f"指标“{indicator.name}”的完成情况（{result.derivation}）",)
        return _Result(level, max_, None, "missing", derivation, missing, flags, _MISSING_FIELDS)
    return _Result(level, max_, rounded(result.score), "scored", derivation, (), flags, _SCORED_FIELDS)


def _key(indicator: Indicator, weight: Decimal) -> tuple[object, ...]:
    # Decimals by their text too: 2 and 2.0 are equal but print differently
    ratio = indicator.achievement_ratio
    return (
        indicator.name,
        indicator.target,
        indicator.actual,
        str(weight),
        indicator.direction,
        indicator.achievement,
        None if ratio is None else str(ratio),
        indicator.deviation_reason,
    )


def _roll(children: list[ItemScore]) -> tuple[Decimal | None, ItemStatus]:
    scored = [c.score for c in children if c.score is not None]
    incomplete = any(c.status in _INCOMPLETE for c in children)
    total = sum(scored, Decimal(0)) if scored else None
    if not incomplete:
        return total, "scored"
    return total, "partial" if scored else "missing"


def compile_targets(
    rule: TargetsRule, item: FrameworkItem, level: int, differences: bool = False
) -> Compiled:
    """The rule for one item at depth ``level``; indicator results are remembered across dossiers.

    ``differences``: also fill each indicator's ``difference`` (stated − computed), as scoring does.
    """
    weight, item_id = item.weight, item.id
    scope = "、".join(rule.level1 + rule.level2) or "全部"
    selects = bool(rule.level1 or rule.level2)
    memo: dict[tuple[object, ...], _Result] = {}
    kid_level = level + 2
    new, set_dict, set_fields, set_extra, set_private = TRUSTED_ITEM_STEPS

    def project_node(
        name: str, indicators: list[Indicator], factor: Decimal, prefix: str, differing: list[ItemScore]
    ) -> ItemScore:
        """The project's node over its indicators' nodes (the hot loop: one pass, nothing recomputed)."""
        kids: list[ItemScore] = []
        missing: list[str] = []
        total, scored, incomplete, max_sum = _ZERO, False, False, _ZERO
        for n, indicator in enumerate(indicators, start=1):
            # fields read from the instance dict: a pydantic model's attribute access takes its slow path
            fields = indicator.__dict__
            weight = fields["weight"] * factor
            ratio = fields["achievement_ratio"]
            # Decimals by their text too: 2 and 2.0 are equal but print differently
            key = (
                fields["name"],
                fields["target"],
                fields["actual"],
                str(weight),
                fields["direction"],
                fields["achievement"],
                None if ratio is None else str(ratio),
                fields["deviation_reason"],
            )
            result = memo.get(key)
            if result is None:
                if len(memo) >= _CACHE_LIMIT:
                    memo.clear()
                result = memo[key] = _indicator_result(indicator, weight, rule, kid_level)
            got = result.score
            stated = fields["stated_score"]
            difference = None
            if differences and stated is not None and got is not None:
                difference = stated - got
            kid = new(ItemScore)
            # the node as ItemScore.trusted takes it (inlined: this runs once per indicator scored)
            values = result.values.copy()
            values["id"] = f"{prefix}.i{n}"
            values["name"] = fields["name"]
            values["missing"] = [*result.missing]
            values["flags"] = [*result.flags]
            values["children"] = []
            if stated is not None:
                values["stated"] = stated
                if difference is not None:
                    values["difference"] = difference
            set_dict(kid, values)
            set_fields(kid, set(result.fields if difference is None else result.fields_difference))
            set_extra(kid, None)
            set_private(kid, None)
            kids.append(kid)
            if difference:
                differing.append(kid)
            if got is not None:
                total += got
                scored = True
            if result.incomplete:
                incomplete = True
                missing.extend(result.missing)
            max_sum += result.max
        score = total if scored else None
        status: ItemStatus = "scored" if not incomplete else "partial" if scored else "missing"
        return trusted_item(
            {
                "id": prefix,
                "name": name,
                "level": level + 1,
                "max": max_sum,
                "score": score,
                "status": status,
                "derivation": f"{len(kids)} 项指标得分合计"
                + (f" {points(score)} 分" if score is not None else ""),
                "missing": missing,
                "flags": [],
                "stated": None,
                "difference": None,
                "difference_note": None,
                "rule": "targets",
                "children": kids,
            },
            set(_PROJECT_FIELDS),
        )

    def run(dossier: Dossier) -> Outcome:
        # the indicators in scope per project (numbered over all projects), and their declared weights
        scoped: list[tuple[int, Project, list[Indicator]]] = []
        declared, count = _ZERO, 0
        for p_index, project in enumerate(dossier.projects, start=1):
            indicators = project.indicators
            if selects:
                indicators = [i for i in indicators if _selected(rule, i)]
            if indicators:
                scoped.append((p_index, project, indicators))
                count += len(indicators)
                for indicator in indicators:
                    declared += indicator.weight
        if not count:
            return Outcome(
                None,
                "missing",
                f"档案中没有可用于本项的项目绩效指标（范围：{scope}）",
                missing=[f"projects[].indicators（{scope}项目绩效指标及完成值）"],
            )
        flags: list[str] = []
        factor = _ONE
        if declared != weight and declared > 0 and rule.rescale:
            factor = weight / declared
            flags.append(
                f"项目指标分值合计 {points(declared)} 与本项分值 {points(weight)} 不一致，已按比例折算"
            )
        differing: list[ItemScore] = []
        children = [
            project_node(project.name, indicators, factor, f"{item_id}.p{p_index}", differing)
            for p_index, project, indicators in scoped
        ]
        score, status = _roll(children)
        if score is not None:
            score = min(score, weight)
        missing = [m for c in children for m in c.missing]
        summary = f"{len(children)} 个项目、{count} 项指标的得分合计"
        derivation = f"{summary} {points(score)} 分" if score is not None else summary + "（数据不全）"
        return Outcome(
            score,
            status,
            derivation,
            missing=missing,
            flags=flags,
            children=children,
            differing=differing if differences else None,
        )

    return run


def score_targets(rule: TargetsRule, ctx: RuleContext, level: int) -> Outcome:
    return compile_targets(rule, ctx.item, level)(ctx.dossier)
