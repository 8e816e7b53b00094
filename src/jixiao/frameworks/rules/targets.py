"""Targets rule: each project indicator's attainment (年度指标值 vs 实际完成值), scored by
``jixiao.targets.score_attainment``; one child per project, one grandchild per indicator."""

from __future__ import annotations

from decimal import Decimal

from jixiao.frameworks.model import TargetsRule
from jixiao.frameworks.rules.base import Outcome, RuleContext
from jixiao.frameworks.values import points, rounded
from jixiao.model import Indicator, ItemScore, ItemStatus, Project


def _selected(rule: TargetsRule, indicator: Indicator) -> bool:
    if rule.level1 and (indicator.level1 or "") not in rule.level1:
        return False
    return not (rule.level2 and (indicator.level2 or "") not in rule.level2)


def _score_indicator(
    indicator: Indicator, weight: Decimal, rule: TargetsRule, item_id: str, level: int
) -> ItemScore:
    # fields are computed first and the ItemScore built once: pydantic attribute assignment is slow,
    # and this runs for every indicator of every dossier
    fields: dict = {  # type: ignore[type-arg]
        "id": item_id,
        "name": indicator.name,
        "level": level,
        "max": rounded(weight),
        "stated": indicator.stated_score,
        "rule": "targets",
    }
    absent = [
        label
        for label, value in (("年度指标值 target", indicator.target), ("实际完成值 actual", indicator.actual))
        if value is None or not str(value).strip()
    ]
    if absent and indicator.achievement is None and indicator.achievement_ratio is None:
        return ItemScore(
            **fields,
            status="missing",
            missing=[f"指标“{indicator.name}”的{'、'.join(absent)}"],
            derivation=f"缺少{'、'.join(absent)}，无法判断完成情况",
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
    fields["flags"] = list(result.flags)
    derivation = result.derivation
    reason = (indicator.deviation_reason or "").strip()
    if reason and reason not in ("无", "/") and reason not in result.derivation:
        derivation += f"（偏差原因：{reason}）"
    fields["derivation"] = derivation
    if result.score is None:
        status: ItemStatus = "invalid" if str(result.status) == "invalid" else "missing"
        if status == "missing":
            fields["missing"] = [f"指标“{indicator.name}”的完成情况（{result.derivation}）"]
        return ItemScore(**fields, status=status)
    return ItemScore(**fields, score=rounded(result.score), status="scored")


def _roll(children: list[ItemScore]) -> tuple[Decimal | None, ItemStatus]:
    scored = [c.score for c in children if c.score is not None]
    incomplete = [c for c in children if c.status in ("missing", "partial", "invalid")]
    total = sum(scored, Decimal(0)) if scored else None
    if not incomplete:
        return total, "scored"
    return total, "partial" if scored else "missing"


def _project_children(
    rule: TargetsRule, projects: list[Project], factor: Decimal, item_id: str, level: int
) -> list[ItemScore]:
    out: list[ItemScore] = []
    for p_index, project in enumerate(projects, start=1):
        indicators = [i for i in project.indicators if _selected(rule, i)]
        if not indicators:
            continue
        kids = [
            _score_indicator(ind, ind.weight * factor, rule, f"{item_id}.p{p_index}.i{i_index}", level + 2)
            for i_index, ind in enumerate(indicators, start=1)
        ]
        score, status = _roll(kids)
        out.append(
            ItemScore(
                id=f"{item_id}.p{p_index}",
                name=project.name,
                level=level + 1,
                max=sum((k.max for k in kids), Decimal(0)),
                score=score,
                status=status,
                derivation=f"{len(kids)} 项指标得分合计"
                + (f" {points(score)} 分" if score is not None else ""),
                missing=[m for k in kids for m in k.missing],
                rule="targets",
                children=kids,
            )
        )
    return out


def score_targets(rule: TargetsRule, ctx: RuleContext, level: int) -> Outcome:
    projects = ctx.dossier.projects
    chosen = [i for p in projects for i in p.indicators if _selected(rule, i)]
    if not chosen:
        scope = "、".join(rule.level1 + rule.level2) or "全部"
        return Outcome(
            None,
            "missing",
            f"档案中没有可用于本项的项目绩效指标（范围：{scope}）",
            missing=[f"projects[].indicators（{scope}项目绩效指标及完成值）"],
        )
    declared = sum((i.weight for i in chosen), Decimal(0))
    flags: list[str] = []
    factor = Decimal(1)
    if declared != ctx.weight and declared > 0 and rule.rescale:
        factor = ctx.weight / declared
        flags.append(
            f"项目指标分值合计 {points(declared)} 与本项分值 {points(ctx.weight)} 不一致，已按比例折算"
        )
    children = _project_children(rule, projects, factor, ctx.item.id, level)
    score, status = _roll(children)
    if score is not None:
        score = min(score, ctx.weight)
    missing = [m for c in children for m in c.missing]
    summary = f"{len(children)} 个项目、{len(chosen)} 项指标的得分合计"
    derivation = f"{summary} {points(score)} 分" if score is not None else summary + "（数据不全）"
    return Outcome(score, status, derivation, missing=missing, flags=flags, children=children)
