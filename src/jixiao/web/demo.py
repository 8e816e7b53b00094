"""Demo data written for jixiao: fictional units and dossiers (no real unit's figures), to try the app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.model import Dossier, Figure, Indicator, Project

# Fictional units: names follow the usual pattern but no such bodies exist.
DEMO_UNITS = (
    (
        "青山区示范残疾人联合会",
        "青山区",
        Decimal("1"),
    ),
    ("清河区示范文化馆", "清河区", Decimal("0.93")),
    ("云岭县示范水务站", "云岭县", Decimal("0.81")),
)


def answer_checklists(dossier: Dossier, framework: Any, quality: Decimal) -> Dossier:
    """Answer every checklist question of the framework the way a unit of this ``quality`` would:
    a strong unit meets every point, a weaker one meets some only in part (部分) or not at all (否)."""
    answers: dict[str, str] = {}
    index = 0
    for item in framework.walk():
        rule = item.rule
        if rule is None or getattr(rule, "kind", "") != "checklist":
            continue
        for criterion in rule.criteria:
            index += 1
            shortfall = (Decimal(1) - quality) * 10  # 0 for the strongest demo unit, about 2 for the weakest
            if shortfall >= 1 and index % 3 == 0:
                answers[criterion.fact] = "否" if shortfall >= 1.5 else "部分"
            elif shortfall > 0 and index % 4 == 0:
                answers[criterion.fact] = "部分"
            else:
                answers[criterion.fact] = "是"
    return dossier.model_copy(update={"management": answers})


def _fig(value: str, unit: str) -> Figure:
    return Figure(value=Decimal(value), unit=unit)


def demo_dossier(unit_name: str, region: str, year: int, quality: Decimal) -> Dossier:
    """A plausible dossier whose numbers hang together; ``quality`` < 1 makes execution and results weaker."""
    budget = Decimal("1268.40") + Decimal(year - 2022) * Decimal("35.2")
    executed = (budget * (Decimal("0.88") + Decimal("0.115") * quality)).quantize(Decimal("0.01"))
    basic = (executed * Decimal("0.62")).quantize(Decimal("0.01"))
    project = executed - basic
    people = int(240 * quality) + (year - 2022) * 5
    return Dossier(
        unit={"name": unit_name, "region": region},
        year=year,
        figures={
            "budget_initial": _fig(str(budget - Decimal("80")), "万元"),
            "budget_total": _fig(str(budget), "万元"),
            "executed_total": _fig(str(executed), "万元"),
            "income_total": _fig(str(budget), "万元"),
            "income_general": _fig(str(budget - Decimal("12.5")), "万元"),
            "income_other": _fig("12.5", "万元"),
            "expense_total": _fig(str(executed), "万元"),
            "expense_basic": _fig(str(basic), "万元"),
            "expense_project": _fig(str(project), "万元"),
            "three_public_budget": _fig("18.00", "万元"),
            "three_public_actual": _fig(str((Decimal("15.2") * quality).quantize(Decimal("0.01"))), "万元"),
            "procurement_plan": _fig("210.00", "万元"),
            "procurement_actual": _fig(str((Decimal("205") * quality).quantize(Decimal("0.01"))), "万元"),
            "targets_declared": _fig("12", "个"),
            "targets_achieved": _fig(str(int(12 * quality)), "个"),
            "public_funds_budget": _fig("96.00", "万元"),
            "public_funds": _fig(
                str((Decimal("88") + Decimal("10") * (1 - quality)).quantize(Decimal("0.01"))), "万元"
            ),
            "fixed_assets_total": _fig("412.60", "万元"),
            "fixed_assets_in_use": _fig(
                str(
                    (Decimal("412.60") * (Decimal("0.8") + Decimal("0.2") * quality)).quantize(
                        Decimal("0.01")
                    )
                ),
                "万元",
            ),
        },
        projects=[
            Project(
                name="基层服务能力提升项目",
                budget=_fig("320.00", "万元"),
                executed=_fig(
                    str(
                        (Decimal("320") * (Decimal("0.85") + Decimal("0.15") * quality)).quantize(
                            Decimal("0.01")
                        )
                    ),
                    "万元",
                ),
                indicators=[
                    Indicator(
                        level1="产出指标",
                        level2="数量指标",
                        name="服务对象人数",
                        weight=Decimal(20),
                        target="≥250人",
                        actual=f"{people}人",
                    ),
                    Indicator(
                        level1="产出指标",
                        level2="质量指标",
                        name="服务合格率",
                        weight=Decimal(20),
                        target="≥95%",
                        actual=f"{min(Decimal(100), Decimal('90') + Decimal(8) * quality)}%",
                    ),
                    Indicator(
                        level1="产出指标",
                        level2="时效指标",
                        name="资金按时拨付率",
                        weight=Decimal(10),
                        target="100%",
                        actual="100%",
                    ),
                    Indicator(
                        level1="效益指标",
                        level2="社会效益指标",
                        name="服务覆盖率",
                        weight=Decimal(20),
                        target="≥90%",
                        actual=f"{(Decimal(80) + Decimal(15) * quality).quantize(Decimal('0.1'))}%",
                    ),
                    Indicator(
                        level1="满意度指标",
                        level2="服务对象满意度指标",
                        name="服务对象满意度",
                        weight=Decimal(20),
                        target="≥90%",
                        actual=f"{(Decimal(85) + Decimal(10) * quality).quantize(Decimal('0.1'))}%",
                    ),
                ],
            )
        ],
        texts={
            "存在的问题": "个别项目执行进度前慢后快，年中预算调整较多。",
            "改进措施": "按季度跟踪项目执行进度，提前谋划年度预算。",
        },
    )
