"""Small hand-made dossier and scorecard the render and template tests share (fictional unit, own text)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from jixiao.model import (
    Dossier,
    Figure,
    Indicator,
    ItemScore,
    Project,
    Scorecard,
    Stated,
    Unit,
)

# Not imported from conftest: a second conftest (tests/browser) makes "conftest" ambiguous.
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def seed_file(seeds_dir: Path, prefix: str) -> Path:
    """The seed whose name starts with ``prefix``; ``seeds_dir`` (conftest fixture) skips when absent."""
    matches = sorted(seeds_dir.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"种子文档 {prefix}* 不在 {seeds_dir}")
    return matches[0]


def make_dossier() -> Dossier:
    return Dossier(
        unit=Unit(name="示例区社会事务服务中心", level="区级"),
        year=2023,
        framework="guangzhou-district-overall",
        figures={
            "budget_total": Figure(value=D("1200.00"), unit="万元"),
            "executed_total": Figure(value=D("1140.60"), unit="万元"),
            "budget_fiscal": Figure(value=D("12000000.00"), unit="元"),
            "executed_fiscal": Figure(value=D("11406000.00"), unit="元"),
            "budget_basic": Figure(value=D("400"), unit="万元"),
            "executed_basic": Figure(value=D("396.5"), unit="万元"),
            "budget_project": Figure(value=D("800"), unit="万元"),
            "executed_project": Figure(value=D("744.1"), unit="万元"),
            "income_total": Figure(value=D("865.44"), unit="万元"),
            "income_general": Figure(value=D("800.00"), unit="万元"),
            "income_other": Figure(value=D("65.44"), unit="万元"),
            "prior_income_total": Figure(value=D("865.08"), unit="万元"),
            "expense_total": Figure(value=D("865.44"), unit="万元"),
            "expense_basic": Figure(value=D("274.07"), unit="万元"),
            "expense_project": Figure(value=D("591.37"), unit="万元"),
            "prior_expense_basic": Figure(value=D("244.12"), unit="万元"),
            "prior_expense_project": Figure(value=D("620.96"), unit="万元"),
            "avg_execution_rate": Figure(value=D("67.2"), unit="%"),
        },
        projects=[
            Project(name="康复服务项目", indicators=[
                Indicator(name="康复训练人数", level1="产出指标", level2="数量指标", weight=D(2),
                          target="≥250人", actual="280人", evidence="服务台账"),
                Indicator(name="送医出车人次", level1="产出指标", level2="数量指标", weight=D(1),
                          target="≥70人次", actual="35人次", deviation_reason="家属自行接送"),
            ]),
            Project(name="助学项目", indicators=[
                Indicator(name="服务对象满意度", level1="满意度指标", weight=D(1),
                          target="≥95%", actual="98%"),
            ]),
        ],
        management={"是否制定绩效管理制度": "是"},
        stated=Stated(total=D("96.50"), grade="优"),
        texts={"部门职能": "负责本区社会事务服务。\n统筹相关项目实施。", "工作成效": "完成年度各项任务。"},
    )


def _leaf(id_: str, name: str, level: int, mx: str, score: str | None, derivation: str, **kw) -> ItemScore:
    return ItemScore(id=id_, name=name, level=level, max=D(mx), score=None if score is None else D(score),
                     derivation=derivation, **kw)


def make_scorecard() -> Scorecard:
    funds = ItemScore(id="funds", name="资金管理", level=2, max=D(6), score=D("5.32"), children=[
        _leaf("exec", "预算完成率", 3, "4", "3.72", "95.05%×4=3.802，按线性规则得 3.72 分", rule="linear",
              stated=D("3.80"), difference=D("0.08")),
        _leaf("avg", "一般公共预算支出年度平均执行率", 3, "2", "1.60", "67.2%×2=1.344……", rule="ratio"),
    ])
    perf = ItemScore(id="perf", name="绩效管理", level=2, max=D(4), score=D("4"), children=[
        _leaf("sys", "绩效管理制度建设", 3, "4", "4", "要点全部符合", rule="checklist"),
    ])
    mgmt = ItemScore(id="mgmt", name="管理效能", level=1, max=D(10), score=D("9.32"), children=[funds, perf])
    duty = ItemScore(id="duty", name="履职效能", level=1, max=D(4), score=D("3.5"), rule="targets", children=[
        ItemScore(id="p1", name="康复服务项目", level=2, max=D(3), score=D("2.5"), children=[
            _leaf("p1i1", "康复训练人数", 3, "2", "2", "280人≥250人，达成", rule="targets"),
            _leaf("p1i2", "送医出车人次", 3, "1", "0.5", "35/70=50%，按比例得 0.5 分", rule="targets"),
        ]),
        ItemScore(id="p2", name="助学项目", level=2, max=D(1), score=D(1), children=[
            _leaf("p2i1", "服务对象满意度", 3, "1", "1", "98%≥95%，达成", rule="targets"),
        ]),
    ])
    bonus = ItemScore(id="bonus", name="加减分", level=1, max=D(5), score=D(0), rule="adjustment", children=[
        _leaf("adj", "工作受表彰或批评", 2, "5", "0", "无加减分事项", rule="adjustment"),
    ])
    return Scorecard(unit="示例区社会事务服务中心", year=2023, framework="test-framework",
                     framework_name="测试评价体系", items=[mgmt, duty, bonus], total=D("12.82"), max=D(14),
                     complete=True, grade="良", stated_total=D("96.50"), stated_grade="优")


def test_fixture_scorecard_adds_up() -> None:
    card = make_scorecard()
    leaves = [i for i in card.walk() if not i.children]
    assert sum((i.score or D(0)) for i in leaves) == card.total
    assert make_dossier().projects[0].indicators[1].actual == "35人次"

