"""score(dossier, framework): roll-up, missing data, stated vs computed, manual stand-ins, grade."""

from __future__ import annotations

import gc
import textwrap
import weakref
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jixiao import scoring
from jixiao.frameworks import Framework, load_framework
from jixiao.model import Dossier, ItemScore, Scorecard
from jixiao.scoring import forget_plans, plan_for, score, score_many

D = Decimal

FRAMEWORK = """\
id: tiny
name: 测试指标体系
kind: 部门整体
bonus_cap: 5
items:
  - id: money
    name: 资金管理
    weight: 60
    children:
      - id: completion
        name: 预算完成率
        weight: 40
        note: 采用区间线性算法
        rule: {kind: linear, value: execution_rate, floor: 90%}
        alternatives:
          - {kind: ratio, value: execution_rate}
      - id: rules
        name: 制度建设
        weight: 20
        rule:
          kind: checklist
          criteria: [{fact: 有制度, points: 10}, {fact: 制度执行, points: 10}]
  - id: work
    name: 履职效能
    weight: 40
    rule: {kind: targets}
  - id: bonus
    name: 加减分
    weight: 5
    bonus: true
    rule: {kind: adjustment}
"""


@pytest.fixture
def framework(tmp_path: Path) -> Framework:
    path = tmp_path / "tiny.yaml"
    path.write_text(textwrap.dedent(FRAMEWORK), encoding="utf-8")
    return load_framework(path)


def dossier(**parts: Any) -> Dossier:
    base: dict[str, Any] = {
        "unit": {"name": "测试单位"},
        "year": 2024,
        "figures": {"execution_rate": "95%"},
        "management": {"有制度": "是", "制度执行": "是"},
        "projects": [
            {
                "name": "项目甲",
                "indicators": [
                    {"name": "人数", "weight": 30, "target": "≥100人", "actual": "120人"},
                    {"name": "满意度", "weight": 10, "target": "≥90%", "actual": "45%", "stated_score": 10},
                ],
            }
        ],
    }
    base.update(parts)
    return Dossier.model_validate(base)


def find(card: Any, item_id: str) -> Any:
    return next(i for i in card.walk() if i.id == item_id)


def test_complete_scorecard_rolls_up_and_grades(framework: Framework) -> None:
    card = score(dossier(), framework)
    assert find(card, "completion").score == D("20.00")
    assert find(card, "money").score == D("40.00")
    assert find(card, "work").score == D("35.00")
    assert card.total == D("75.00")
    assert card.max == D(100)
    assert card.complete and card.missing == []
    assert card.grade == "中"
    assert "预算完成率：采用区间线性算法" in card.notes
    assert all(i.score is None or i.score == i.score.quantize(D("0.01")) for i in card.walk())


def test_missing_figure_is_never_zero(framework: Framework) -> None:
    card = score(dossier(figures={}), framework)
    item = find(card, "completion")
    assert item.status == "missing" and item.score is None
    assert find(card, "money").status == "partial"
    assert not card.complete
    assert card.grade is None
    assert card.missing == ["资金管理/预算完成率：execution_rate（预算执行率（预算完成率））"]
    assert card.total == D("55.00")
    assert any("评分不完整" in n for n in card.notes)


def test_stated_score_from_the_other_reading_is_explained(framework: Framework) -> None:
    card = score(
        dossier(figures={"execution_rate": "89.61%"}, stated={"items": {"completion": "35.84"}}), framework
    )
    item = find(card, "completion")
    assert item.score == D(0)
    assert item.difference == D("35.84")
    assert "89.61%×40=35.844" in item.difference_note
    assert "采用区间线性算法" in item.difference_note


def test_full_marks_despite_shortfall_is_explained(framework: Framework) -> None:
    card = score(dossier(), framework)
    indicator = next(i for i in card.walk() if i.name == "满意度")
    assert indicator.score == D("5.00")
    assert indicator.difference == D(5)
    assert indicator.difference_note.startswith("自评给满分 10 分，但按评分规则只得 5 分")


def test_stated_by_name_and_unexplained_difference(framework: Framework) -> None:
    card = score(dossier(stated={"items": {"制度建设": 15, "没有这个指标": 1}}), framework)
    item = find(card, "rules")
    assert item.stated == D(15) and item.difference == D(-5)
    assert "未能识别" in item.difference_note
    assert any("没有这个指标" in n for n in card.notes)


def test_stated_total_leaving_out_an_item(framework: Framework) -> None:
    stated = {"total": 75, "items": {"money": 40, "work": 35, "bonus": 5}}
    card = score(dossier(stated=stated), framework)
    bonus = find(card, "bonus")
    assert "未计入自评总分 75" in bonus.difference_note
    assert any("未计入自评总分" in n for n in card.notes)
    assert any("自评总分 75 与计算总分一致" in n for n in card.notes)


def test_manual_score_stands_in_only_for_missing_data(framework: Framework) -> None:
    manual = {"completion": {"score": 30, "reason": "报告称未扣分"}}
    card = score(dossier(figures={}, manual_scores=manual), framework)
    item = find(card, "completion")
    assert item.status == "manual" and item.score == D(30)
    assert "报告称未扣分" in item.derivation and "execution_rate" in item.derivation
    assert card.complete
    ignored = score(dossier(manual_scores=manual), framework)
    assert find(ignored, "completion").score == D("20.00")
    assert any("未采用人工评分" in f for f in find(ignored, "completion").flags)


def test_manual_score_for_a_parent(framework: Framework) -> None:
    card = score(
        dossier(projects=[], manual_scores={"work": {"score": 39.5, "reason": "报告未附指标表"}}), framework
    )
    work = find(card, "work")
    assert work.status == "manual" and work.score == D("39.5")
    assert card.complete


def test_adjustment_counts_in_total_not_in_max(framework: Framework) -> None:
    card = score(dossier(adjustments=[{"kind": "加分", "points": 2.5, "reason": "受表扬"}]), framework)
    assert card.total == D("77.50")
    assert card.max == D(100)


def test_stated_grade_disagreement(framework: Framework) -> None:
    card = score(dossier(stated={"grade": "优"}), framework)
    assert any("自评等级为“优”" in n for n in card.notes)


def test_scoring_is_pure(framework: Framework) -> None:
    d = dossier(figures={}, manual_scores={"completion": {"score": 30, "reason": "x"}})
    before = d.model_dump()
    first = score(d, framework)
    second = score(d, framework)
    assert d.model_dump() == before
    assert first == second


def test_invalid_answer_makes_total_incomplete(framework: Framework) -> None:
    card = score(dossier(management={"有制度": "也许", "制度执行": "是"}), framework)
    assert find(card, "rules").status == "invalid"
    assert not card.complete
    assert any("制度建设" in m for m in card.missing)


def test_hunan_adjustment_tiers_and_prior_year_change() -> None:
    hunan = load_framework("hunan-overall")
    d = dossier(
        figures={
            "budget_initial": "222.58万元",
            "budget_total": "2015.65万元",
            "three_public_actual": "10.2万元",
            "prior_three_public_actual": "10万元",
        }
    )
    card = score(d, hunan)
    adjustment = find(card, "budget_adjustment")
    assert adjustment.score == D(0)
    assert "805.58%" in adjustment.derivation
    change = find(card, "three_public_change")
    assert change.score == D("4.00")  # +2% → 2 steps × 0.5
    assert "(10.2-10)/10×100%=2.00%" in change.derivation
    assert not card.complete  # 执行率, 公用经费 and indicator levels are not in this dossier


def test_kind_mismatch_is_noted(framework: Framework) -> None:
    card = score(dossier(kind="项目支出"), framework)
    assert any("档案类型为“项目支出”" in n for n in card.notes)


def test_adjustment_event_may_name_a_parent_item() -> None:
    gz = load_framework("guangzhou-district-overall")
    events = [{"kind": "减分", "points": 2.5, "reason": "未按时完成自评", "item": "adjustment"}]
    card = score(dossier(adjustments=events), gz)
    assert find(card, "praise_or_criticism").score == D("-2.50")
    assert find(card, "adjustment").score == D("-2.50")
    elsewhere = [{"kind": "减分", "points": 2.5, "reason": "x", "item": "management"}]
    assert find(score(dossier(adjustments=elsewhere), gz), "adjustment").score == D(0)


def test_stated_subtotal_against_a_partly_scored_one_names_the_missing_parts(framework: Framework) -> None:
    card = score(dossier(figures={}, stated={"items": {"money": 58}}), framework)
    money = find(card, "money")
    assert money.status == "partial" and money.score == D("20.00") and money.difference == D(38)
    assert money.difference_note is not None
    assert "已计算部分合计 20 分" in money.difference_note and "预算完成率" in money.difference_note
    assert "未能识别" not in money.difference_note


# ---------------------------------------------------------------- the per-framework plan


def test_framework_edited_on_disk_is_planned_afresh(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(textwrap.dedent(FRAMEWORK), encoding="utf-8")
    before = load_framework(path)
    assert find(score(dossier(), before), "completion").score == D("20.00")  # (95% − 90%) ÷ 10% × 40
    path.write_text(textwrap.dedent(FRAMEWORK).replace("floor: 90%", "floor: 80%"), encoding="utf-8")
    after = load_framework(path)
    assert plan_for(after) is not plan_for(before)
    assert find(score(dossier(), after), "completion").score == D("30.00")  # (95% − 80%) ÷ 20% × 40
    assert find(score(dossier(), before), "completion").score == D("20.00")


def test_plan_is_kept_per_framework_object_and_dropped_with_it(framework: Framework) -> None:
    assert plan_for(framework) is plan_for(framework)
    other = framework.model_copy(deep=True)
    assert plan_for(other) is not plan_for(framework)
    ref = weakref.ref(other)
    del other
    gc.collect()
    assert ref() is None
    assert all(r() is not None for r, _ in scoring._PLANS.values())


def test_forget_plans_after_changing_a_framework_in_place(framework: Framework) -> None:
    score(dossier(), framework)
    framework.items[0].children[0].note = "改用比率算法"
    forget_plans()
    assert "预算完成率：改用比率算法" in score(dossier(), framework).notes


def test_scorecard_is_as_validation_builds_it(framework: Framework) -> None:
    # nodes are built without validation: they must equal what validating the same data gives
    d = dossier(
        figures={},
        stated={"items": {"money": 58, "work": 30}, "total": 90},
        manual_scores={"completion": {"score": 30, "reason": "按决算"}},
    )
    card = score(d, framework)
    rebuilt = Scorecard.model_validate_json(card.model_dump_json(by_alias=True))
    assert rebuilt == card
    assert rebuilt.model_dump(by_alias=True) == card.model_dump(by_alias=True)
    for node in card.walk():
        assert type(node) is ItemScore
        assert all(isinstance(v, Decimal) for v in (node.max, node.score, node.stated) if v is not None)
        assert {"id", "name", "level", "max", "status", "derivation"} <= node.model_fields_set
    node = find(card, "completion")
    node.score = D(1)  # assignment works as on any model
    assert node.score == D(1) and "score" in node.model_fields_set


def test_score_many_on_two_processes_gives_what_score_gives(framework: Framework) -> None:
    dossiers = [dossier(framework="tiny", figures={"execution_rate": f"{90 + n % 11}%"}) for n in range(300)]
    expected = [score(d, framework) for d in dossiers]
    cards = score_many(dossiers, framework, jobs=2)
    assert [c.model_dump_json(by_alias=True) for c in cards] == [
        c.model_dump_json(by_alias=True) for c in expected
    ]
    assert [[n.model_fields_set for n in c.walk()] for c in cards] == [
        [n.model_fields_set for n in c.walk()] for c in expected
    ]
    assert all(c.model_fields_set == e.model_fields_set for c, e in zip(cards, expected, strict=True))
    totals = score_many(dossiers, {"tiny": framework}, jobs=2, then=_total)
    assert totals == [c.total for c in expected] and len(set(totals)) == 11


def test_score_many_needs_each_dossiers_framework(framework: Framework) -> None:
    with pytest.raises(KeyError, match="指标体系"):
        score_many([dossier(framework="other")], {"tiny": framework}, jobs=1)


def _total(card: Scorecard) -> Decimal | None:
    return card.total


def test_plan_steps_put_children_before_their_parent(framework: Framework) -> None:
    plan = plan_for(framework)
    order = [(step[1], step[-1]) for step in plan.steps]
    assert order == [("completion", 0), ("rules", 0), ("money", 2), ("work", 0), ("bonus", 0)]
    assert not plan.dotted


def test_generated_node_sharing_a_framework_items_id_gets_its_stated_score(framework: Framework) -> None:
    # ids cannot hold dots when validated; a framework changed in place may, and then a generated node
    # ("work.p1.i1") can carry a framework item's id: its stated score is attached as before
    framework.items[2].id = "work.p1.i1"
    forget_plans()
    try:
        card = score(dossier(stated={"items": {"work.p1.i1": D(1)}}), framework)
        assert plan_for(framework).dotted
        generated = next(n for n in card.walk() if n.id == "work.p1.i1" and n.rule == "targets")
        assert generated.stated == D(1) and generated.difference == D(1) - generated.score
        assert generated.difference_note and "stated" in generated.model_fields_set
    finally:
        framework.items[2].id = "bonus"
        forget_plans()


def test_differing_generated_nodes_are_explained_and_equal_ones_are_not(framework: Framework) -> None:
    card = score(dossier(), framework)
    short, met = find(card, "work.p1.i2"), find(card, "work.p1.i1")
    assert short.stated == D(10) and short.difference and short.difference_note
    assert met.stated is None and met.difference_note is None
    same = score(
        dossier(
            projects=[
                {
                    "name": "项目甲",
                    "indicators": [
                        {
                            "name": "人数",
                            "weight": 40,
                            "target": "≥100人",
                            "actual": "120人",
                            "stated_score": 40,
                        }
                    ],
                }
            ]
        ),
        framework,
    )
    node = find(same, "work.p1.i1")
    assert node.difference == 0 and node.difference_note is None and "difference" in node.model_fields_set
