"""Every rule kind at its boundaries: exactly at a threshold, 0.01 below, 100 %, over 100 %, zero,
negative and missing inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from jixiao.frameworks.model import FrameworkItem, Rule
from jixiao.frameworks.rules import RuleContext, apply_rule, compile_rule
from jixiao.frameworks.rules.base import Outcome, finish
from jixiao.model import Dossier

D = Decimal
RULE = TypeAdapter(Rule)


def run(
    rule: dict[str, Any], weight: str | int, figures: dict[str, Any] | None = None, **dossier: Any
) -> Outcome:
    parsed = RULE.validate_python(rule)
    item = FrameworkItem(id="item", name="测试指标", weight=D(str(weight)), rule=parsed)
    data = {"unit": {"name": "测试单位"}, "year": 2024, "figures": figures or {}, **dossier}
    return apply_rule(parsed, RuleContext(item=item, dossier=Dossier.model_validate(data), labels={}), 3)


# ---------------------------------------------------------------- ratio


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("94.25%", "1.89"), ("100%", "2"), ("0%", "0"), ("99.99%", "2.00"), ("67.2%", "1.34")],
)
def test_ratio_times_weight(rate: str, expected: str) -> None:
    out = run(
        {"kind": "ratio", "value": "procurement_execution_rate"}, 2, {"procurement_execution_rate": rate}
    )
    assert out.status == "scored"
    assert out.score == D(expected)


def test_ratio_derivation_shows_the_arithmetic() -> None:
    out = run({"kind": "ratio", "value": "execution_rate"}, 4, {"execution_rate": "89.61%"})
    assert "89.61%×4=3.5844" in out.derivation
    assert out.score == D("3.58")


def test_ratio_over_full_caps_or_zeroes() -> None:
    figures = {"procurement_actual": "100.01万元", "procurement_plan": "100万元"}
    ref = {"ratio": ["procurement_actual", "procurement_plan"]}
    assert run({"kind": "ratio", "value": ref}, 2, figures).score == D(2)
    zero = run({"kind": "ratio", "value": ref, "over_full": "zero"}, 2, figures)
    assert zero.score == D(0)
    assert "不得分" in zero.derivation


def test_ratio_of_amounts_in_different_units_is_exact() -> None:
    figures = {"procurement_actual": "942500元", "procurement_plan": "100万元"}
    out = run({"kind": "ratio", "value": {"ratio": ["procurement_actual", "procurement_plan"]}}, 2, figures)
    assert out.score == D("1.89")
    assert "94.25%" in out.derivation


def test_ratio_negative_and_zero_denominator_are_invalid() -> None:
    neg = run({"kind": "ratio", "value": "avg_execution_rate"}, 2, {"avg_execution_rate": "-5%"})
    assert neg.status == "invalid" and neg.score is None
    zero = run(
        {"kind": "ratio", "value": {"ratio": ["procurement_actual", "procurement_plan"]}},
        2,
        {"procurement_actual": "1元", "procurement_plan": "0元"},
    )
    assert zero.status == "invalid"
    assert "为 0" in zero.derivation


def test_ratio_missing_figure_is_missing_not_zero() -> None:
    out = run({"kind": "ratio", "value": "avg_execution_rate"}, 2)
    assert out.status == "missing"
    assert out.score is None
    assert out.missing == ["avg_execution_rate（一般公共预算支出年度平均执行率）"]


def test_fallback_order_uses_first_available_reference() -> None:
    rule = {"kind": "ratio", "value": ["execution_rate", {"ratio": ["executed_total", "budget_total"]}]}
    out = run(rule, 10, {"executed_total": "3050.14万元", "budget_total": "3105.13万元"})
    assert out.score == D("9.82")
    assert "(3050.14/3105.13)×100%=98.23%" in out.derivation
    both_missing = run(rule, 10, {"budget_total": "1元"})
    assert both_missing.status == "missing"
    assert any("execution_rate" in m for m in both_missing.missing)
    assert any("executed_total" in m for m in both_missing.missing)


def test_amount_given_where_a_rate_is_expected_is_invalid() -> None:
    out = run({"kind": "ratio", "value": "execution_rate"}, 4, {"execution_rate": "98万元"})
    assert out.status == "invalid"


# ---------------------------------------------------------------- linear


LINEAR = {"kind": "linear", "value": "execution_rate", "floor": "90%", "full": "100%"}


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("89.61%", "0"),
        ("89.99%", "0"),
        ("90%", "0"),
        ("90.01%", "0.00"),
        ("95%", "2.00"),
        ("98.23%", "3.29"),
        ("99.99%", "4.00"),
        ("100%", "4"),
        ("120%", "4"),
        ("0%", "0"),
    ],
)
def test_linear_between_floor_and_full(rate: str, expected: str) -> None:
    out = run(LINEAR, 4, {"execution_rate": rate})
    assert out.score == D(expected)


def test_linear_below_floor_says_so() -> None:
    out = run(LINEAR, 4, {"execution_rate": "89.61%"})
    assert out.derivation == "测试指标 89.61%，低于 90% 下限，按评分标准得 0 分"


def test_linear_floor_must_be_below_full() -> None:
    with pytest.raises(ValueError, match="floor"):
        RULE.validate_python({"kind": "linear", "value": "x", "floor": "100%", "full": "90%"})


# ---------------------------------------------------------------- tiers

UTILISATION = {
    "kind": "tiers",
    "value": {"ratio": ["fixed_assets_in_use", "fixed_assets_total"]},
    "tiers": [
        {"op": ">=", "threshold": "90%", "score": 2},
        {"op": ">=", "threshold": "75%", "score": 1.5},
        {"op": ">=", "threshold": "60%", "score": 1},
    ],
}


@pytest.mark.parametrize(
    ("in_use", "expected"),
    [
        ("90", "2"),
        ("89.99", "1.5"),
        ("75", "1.5"),
        ("74.99", "1"),
        ("60", "1"),
        ("59.99", "0"),
        ("100", "2"),
        ("0", "0"),
    ],
)
def test_tiers_at_thresholds(in_use: str, expected: str) -> None:
    out = run(UTILISATION, 2, {"fixed_assets_in_use": f"{in_use}元", "fixed_assets_total": "100元"})
    assert out.score == D(expected)


def test_tiers_derivation_matches_the_seed_style() -> None:
    out = run(UTILISATION, 2, {"fixed_assets_in_use": "3455560.23元", "fixed_assets_total": "4138427.79元"})
    assert out.derivation.endswith("(3455560.23/4138427.79)×100%=83.50%，≥75%，得 1.5 分")


CARRYOVER = {
    "kind": "tiers",
    "value": "carryover_rate",
    "tiers": [
        {"op": "<=", "threshold": "10%", "score": 2},
        {"op": "<=", "threshold": "20%", "score": 1},
        {"op": "<=", "threshold": "30%", "score": 0.5},
    ],
}


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0%", "2"),
        ("10%", "2"),
        ("10.01%", "1"),
        ("20%", "1"),
        ("30%", "0.5"),
        ("30.01%", "0"),
        ("100%", "0"),
    ],
)
def test_tiers_upper_bounds(rate: str, expected: str) -> None:
    assert run(CARRYOVER, 2, {"carryover_rate": rate}).score == D(expected)


def test_tiers_equal_zero_condition() -> None:
    rule = {
        "kind": "tiers",
        "value": "budget_adjustment_rate",
        "tiers": [{"op": "==", "threshold": "0%", "score": 5}, {"op": "<=", "threshold": "10%", "score": 4}],
    }
    assert run(rule, 5, {"budget_adjustment_rate": "0%"}).score == D(5)
    assert run(rule, 5, {"budget_adjustment_rate": "0.01%"}).score == D(4)
    assert run(rule, 5, {"budget_adjustment_rate": "805.58%"}).score == D(0)


# ---------------------------------------------------------------- deduct_per_step

INCOME = {"kind": "deduct_per_step", "value": "income_budget_diff_rate", "step": "5%", "points": 0.5}


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0%", "2"),
        ("0.01%", "1.5"),
        ("5%", "1.5"),
        ("5.01%", "1.0"),
        ("10%", "1.0"),
        ("19.99%", "0"),
        ("50%", "0"),
        ("-3%", "1.5"),
    ],
)
def test_deduct_per_started_step(rate: str, expected: str) -> None:
    assert run(INCOME, 2, {"income_budget_diff_rate": rate}).score == D(expected)


def test_deduct_partial_modes() -> None:
    figures = {"income_budget_diff_rate": "9.99%"}
    assert run({**INCOME, "partial": "floor"}, 2, figures).score == D("1.5")
    assert run({**INCOME, "partial": "proportional"}, 2, figures).score == D("1.00")
    assert run({**INCOME, "partial": "ceil"}, 2, figures).score == D("1.0")


def test_deduct_per_percentage_point_below_reference() -> None:
    rule = {
        "kind": "deduct_per_step",
        "value": "execution_rate",
        "reference": "100%",
        "side": "below",
        "step": "1%",
        "points": 0.02,
        "partial": "proportional",
    }
    out = run(rule, 4, {"execution_rate": "98.23%"})
    assert out.score == D("3.96")
    assert "(100%-98.23%)÷1%×0.02=0.0354" in out.derivation
    assert "扣 0.04 分" in out.derivation
    assert run(rule, 4, {"execution_rate": "100%"}).score == D(4)
    assert run(rule, 4, {"execution_rate": "101%"}).score == D(4)
    assert run(rule, 4, {"execution_rate": "0%"}).score == D(2)


def test_deduct_above_reference_only() -> None:
    rule = {
        "kind": "deduct_per_step",
        "value": "three_public_change_rate",
        "side": "above",
        "step": "1%",
        "points": 0.5,
    }
    assert run(rule, 5, {"three_public_change_rate": "-12%"}).score == D(5)
    assert run(rule, 5, {"three_public_change_rate": "0%"}).score == D(5)
    assert run(rule, 5, {"three_public_change_rate": "2.5%"}).score == D("3.5")
    assert run(rule, 5, {"three_public_change_rate": "30%"}).score == D(0)


def test_deduct_step_must_be_positive() -> None:
    with pytest.raises(ValueError, match="step"):
        RULE.validate_python({**INCOME, "step": "0%"})


# ---------------------------------------------------------------- control

CONTROL = {"kind": "control", "value": {"ratio": ["public_funds", "public_funds_budget"]}}


@pytest.mark.parametrize(
    ("actual", "expected"), [("100", "2"), ("100.01", "0"), ("78.11", "2"), ("0", "2"), ("250", "0")]
)
def test_control_full_until_limit(actual: str, expected: str) -> None:
    out = run(CONTROL, 2, {"public_funds": f"{actual}元", "public_funds_budget": "100元"})
    assert out.score == D(expected)


def test_control_linear_above_limit() -> None:
    rule = {**CONTROL, "over": "linear", "zero_at": "120%"}
    at = {"public_funds_budget": "100元"}
    assert run(rule, 5, {**at, "public_funds": "110元"}).score == D("2.50")
    assert run(rule, 5, {**at, "public_funds": "120元"}).score == D(0)
    assert run(rule, 5, {**at, "public_funds": "100元"}).score == D(5)
    with pytest.raises(ValueError, match="zero_at"):
        RULE.validate_python({**CONTROL, "over": "linear"})


def test_control_negative_is_invalid() -> None:
    out = run(
        {"kind": "control", "value": "public_funds_control_rate"}, 2, {"public_funds_control_rate": "-1%"}
    )
    assert out.status == "invalid"


# ---------------------------------------------------------------- checklist

CHECKLIST = {
    "kind": "checklist",
    "criteria": [
        {"fact": "制度健全", "points": 1},
        {"fact": "按时报送", "points": 1, "key": "on_time"},
        {"fact": "结果公开", "points": 2},
    ],
}


def test_checklist_answers() -> None:
    out = run(CHECKLIST, 4, management={"制度健全": "是", "on_time": False, "结果公开": "部分"})
    assert out.status == "scored"
    assert out.score == D(2)
    assert "②按时报送：否，0/1 分" in out.derivation
    numeric = run(CHECKLIST, 4, management={"制度健全": True, "按时报送": "0.5", "结果公开": 1.5})
    assert numeric.score == D(3)


def test_checklist_unanswered_is_missing_not_zero() -> None:
    none = run(CHECKLIST, 4)
    assert none.status == "missing" and none.score is None
    assert len(none.missing) == 3
    some = run(CHECKLIST, 4, management={"制度健全": "是"})
    assert some.status == "partial"
    assert some.score == D(1)
    assert len(some.missing) == 2


@pytest.mark.parametrize("answer", ["3", "-1", "也许"])
def test_checklist_unusable_answer_is_invalid(answer: str) -> None:
    out = run(CHECKLIST, 4, management={"制度健全": answer, "按时报送": "是", "结果公开": "是"})
    assert out.status == "invalid"
    assert "制度健全" in out.derivation


# ---------------------------------------------------------------- targets


def _project(*indicators: dict[str, Any]) -> dict[str, Any]:
    return {"name": "康复项目", "indicators": list(indicators)}


def test_targets_shortfall_is_proportional_and_flags_low_targets() -> None:
    projects = [
        _project(
            {"name": "出车人次", "weight": 1, "target": "≥70人", "actual": "8人", "stated_score": 1},
            {"name": "手术人数", "weight": 2, "target": "2人", "actual": "10人"},
        )
    ]
    out = run({"kind": "targets"}, 3, projects=projects)
    assert out.status == "scored"
    assert out.score == D("2.11")
    project = out.children[0]
    assert [c.score for c in project.children] == [D("0.11"), D("2.00")]
    assert "指标值设定可能偏低" in project.children[1].flags
    assert project.children[0].stated == D(1)


def test_targets_missing_actual_is_missing() -> None:
    projects = [
        _project(
            {"name": "培训人数", "weight": 2, "target": "≥150人"},
            {"name": "满意度", "weight": 1, "target": "≥90%", "actual": "95%"},
        )
    ]
    out = run({"kind": "targets"}, 3, projects=projects)
    assert out.status == "partial"
    assert out.score == D(1)
    assert "培训人数" in out.missing[0]


def test_targets_filters_by_level_and_rescales() -> None:
    projects = [
        _project(
            {"name": "人数", "level1": "产出指标", "weight": 20, "target": "≥10人", "actual": "10人"},
            {"name": "满意度", "level1": "满意度指标", "weight": 10, "target": "≥90%", "actual": "45%"},
        )
    ]
    out = run({"kind": "targets", "level1": ["满意度指标"]}, 10, projects=projects)
    assert out.score == D("5.00")
    outputs = run({"kind": "targets", "level1": ["产出指标"]}, 50, projects=projects)
    assert outputs.score == D(50)
    assert any("按比例折算" in f for f in outputs.flags)


def test_targets_without_indicators_is_missing() -> None:
    out = run({"kind": "targets"}, 50)
    assert out.status == "missing" and out.score is None


# ---------------------------------------------------------------- adjustment and manual


def test_adjustment_net_and_caps() -> None:
    assert run({"kind": "adjustment"}, 5).score == D(0)
    events = [{"kind": "加分", "points": 2.5, "reason": "表扬"}] * 3 + [
        {"kind": "减分", "points": 2.5, "reason": "批评"}
    ]
    out = run({"kind": "adjustment", "cap": 5}, 5, adjustments=events)
    assert out.score == D("2.5")
    assert any("超过上限" in f for f in out.flags)
    other = [{"kind": "减分", "points": 1, "reason": "x", "item": "elsewhere"}]
    assert run({"kind": "adjustment"}, 5, adjustments=other).score == D(0)


def test_manual_missing_is_never_zero() -> None:
    out = run({"kind": "manual"}, 10)
    assert out.status == "missing"
    assert out.score is None
    assert out.missing == ["manual_scores.item（人工评分及理由）"]


def test_manual_score_and_range() -> None:
    ok = run({"kind": "manual"}, 10, manual_scores={"item": {"score": 8.5, "reason": "专家评议"}})
    assert ok.status == "manual" and ok.score == D("8.5")
    assert "专家评议" in ok.derivation
    bad = run({"kind": "manual"}, 10, manual_scores={"item": {"score": 11, "reason": "多给了"}})
    assert bad.status == "invalid"


# ---------------------------------------------------------------- properties over all rates

RATES = st.decimals(min_value=0, max_value=3, places=4)


def _score(rule: dict[str, Any], key: str, rate: Decimal, weight: int = 4) -> Decimal:
    out = run(rule, weight, {key: f"{rate * 100}%"})
    assert out.score is not None
    return out.score


@settings(max_examples=60, deadline=None)
@given(a=RATES, b=RATES)
def test_rate_rules_stay_in_range_and_are_monotonic(a: Decimal, b: Decimal) -> None:
    low, high = min(a, b), max(a, b)
    rising = [
        ({"kind": "ratio", "value": "execution_rate"}, "execution_rate"),
        (LINEAR, "execution_rate"),
        ({**UTILISATION, "value": "fixed_assets_utilization"}, "fixed_assets_utilization"),
    ]
    falling = [
        ({**INCOME, "side": "above"}, "income_budget_diff_rate"),
        (
            {**CONTROL, "value": "public_funds_control_rate", "over": "linear", "zero_at": "150%"},
            "public_funds_control_rate",
        ),
        (CARRYOVER, "carryover_rate"),
    ]
    for rule, key in rising:
        s_low, s_high = _score(rule, key, low), _score(rule, key, high)
        assert 0 <= s_low <= s_high <= 4
    for rule, key in falling:
        s_low, s_high = _score(rule, key, low), _score(rule, key, high)
        assert 4 >= s_low >= s_high >= 0


# ---------------------------------------------------------------- compiled rules (scoring's per-framework plan)


def _compiled(rule: dict[str, Any], weight: int) -> Any:
    parsed = RULE.validate_python(rule)
    item = FrameworkItem(id="item", name="测试指标", weight=D(weight), rule=parsed)
    return compile_rule(parsed, item, {}, (), 3)


def _dossier(**parts: Any) -> Dossier:
    return Dossier.model_validate({"unit": {"name": "测试单位"}, "year": 2024, **parts})


def test_compiled_checklist_tells_true_from_one_point() -> None:
    # True == 1 == Decimal(1): remembered outcomes must be keyed by the answer's type too
    rule = _compiled(CHECKLIST, 4)
    first = rule(_dossier(management={"制度健全": True, "按时报送": "是", "结果公开": "是"}))
    second = rule(_dossier(management={"制度健全": D(1), "按时报送": "是", "结果公开": "是"}))
    assert "①制度健全：是，1/1 分" in first.derivation
    assert "①制度健全：按得分填写，1/1 分" in second.derivation
    third = rule(_dossier(management={"制度健全": D("0.5"), "on_time": "否"}))
    assert third.status == "partial" and third.score == D("0.5") and len(third.missing) == 1


def test_compiled_rule_outcomes_are_fresh_lists() -> None:
    # a remembered outcome is handed out again: its lists must not be shared between calls
    rule = _compiled(CHECKLIST, 4)
    first = rule(_dossier())
    first.missing.append("x")
    first.flags.append("y")
    again = rule(_dossier())
    assert len(again.missing) == 3 and again.flags == []


def test_compiled_targets_tell_equal_weights_and_texts_apart() -> None:
    rule = _compiled({"kind": "targets"}, 3)
    indicator = {"name": "培训人数", "weight": 3, "target": "≥100人"}
    met = rule(_dossier(projects=[_project({**indicator, "actual": "120人"})]))
    short = rule(_dossier(projects=[_project({**indicator, "actual": "50人"})]))
    assert met.score == D(3) and short.score == D("1.50")
    reason = rule(
        _dossier(projects=[_project({**indicator, "actual": "50人", "deviation_reason": "疫情停训"})])
    )
    assert "偏差原因：疫情停训" in reason.children[0].children[0].derivation
    assert "偏差原因" not in short.children[0].children[0].derivation
    # an indicator named differently but otherwise equal keeps its own name in its missing-data text
    a = rule(_dossier(projects=[_project({"name": "甲", "weight": 3, "target": "≥1人"})]))
    b = rule(_dossier(projects=[_project({"name": "乙", "weight": 3, "target": "≥1人"})]))
    assert "甲" in a.missing[0] and "乙" in b.missing[0]


def _compiled_for_scoring(rule: dict[str, Any], weight: int) -> Any:
    parsed = RULE.validate_python(rule)
    item = FrameworkItem(id="item", name="测试指标", weight=D(weight), rule=parsed)
    return compile_rule(parsed, item, {}, (), 3, differences=True, finished=True)


@pytest.mark.parametrize(
    "management",
    [
        {"制度健全": "是", "按时报送": "是", "结果公开": "是"},  # full marks: nothing lost
        {"制度健全": "否", "按时报送": "是", "结果公开": "部分"},  # points lost: "（扣 x 分）"
        {"制度健全": D("0.333"), "on_time": "是", "结果公开": "是"},  # rounded to 2 places
        {"制度健全": "是"},  # partial: unanswered criteria
        {
            "制度健全": "也许",
            "按时报送": "是",
            "结果公开": "是",
        },  # invalid: no score, the message is the flag
    ],
)
def test_finished_checklist_is_what_scoring_makes_of_the_plain_outcome(management: dict[str, Any]) -> None:
    plain = _compiled(CHECKLIST, 4)(_dossier(management=management))
    rule = _compiled_for_scoring(CHECKLIST, 4)
    for _ in range(2):  # the remembered outcome comes out finished too
        got = rule(_dossier(management=management))
        assert got.finished and not plain.finished
        assert (got.score, got.derivation) == finish(plain.score, plain.derivation, D(4), note=True)
        assert (got.status, got.missing, got.flags) == (plain.status, plain.missing, plain.flags)


def test_finish_rounds_and_notes_points_lost() -> None:
    assert finish(D("1.005"), "x", D(2), note=True) == (D("1.01"), "x（扣 1 分）")
    assert finish(D(2), "x", D(2), note=True) == (D("2.00"), "x")
    assert finish(D(1), "x，扣 1 分", D(2), note=True) == (D("1.00"), "x，扣 1 分")  # already says it
    assert finish(D(1), "x", D(2), note=False) == (D("1.00"), "x")
    assert finish(None, "x", D(2), note=True) == (None, "x")


def test_compiled_targets_list_the_indicators_whose_stated_score_differs() -> None:
    projects = [
        _project(
            {"name": "甲", "weight": 2, "target": "≥10人", "actual": "5人", "stated_score": 2},
            {"name": "乙", "weight": 2, "target": "≥10人", "actual": "10人", "stated_score": 2},
            {"name": "丙", "weight": 2, "target": "≥10人", "actual": "10人"},
        ),
        _project({"name": "丁", "weight": 2, "target": "≥10人", "actual": "8人", "stated_score": 1}),
    ]
    out = _compiled_for_scoring({"kind": "targets"}, 8)(_dossier(projects=projects))
    kids = [kid for project in out.children for kid in project.children]
    assert [k.difference for k in kids] == [D(1), D(0), None, D("-0.60")]
    assert out.differing == [kids[0], kids[3]]  # the same objects, only the non-zero differences
    # compiled without differences (apply_rule): nothing computed, nothing listed
    plain = _compiled({"kind": "targets"}, 8)(_dossier(projects=projects))
    assert plain.differing is None
    assert all(k.difference is None for p in plain.children for k in p.children)


def test_pair_of_amounts_in_one_unit_shows_them_as_written() -> None:
    rule = {"kind": "ratio", "value": {"ratio": ["executed_total", "budget_total"]}}
    same = run(rule, 10, {"executed_total": "900.50万元", "budget_total": "1000万元"})
    assert "(900.50/1000)×100%=90.05%" in same.derivation and same.score == D("9.01")
    mixed = run(rule, 10, {"executed_total": "9005000元", "budget_total": "1000万元"})
    assert "(9005000/10000000)×100%=90.05%" in mixed.derivation and mixed.score == D("9.01")
    counts = run(rule, 10, {"executed_total": "9人", "budget_total": "10人"})
    assert "(9人/10人)×100%=90.00%" in counts.derivation
    zero = run(rule, 10, {"executed_total": "9万元", "budget_total": "0元"})
    assert zero.status == "invalid" and "为 0" in zero.derivation
    apart = run(rule, 10, {"executed_total": "9人", "budget_total": "10万元"})
    assert apart.status == "invalid" and "（9人）" in apart.derivation and "单位不同" in apart.derivation
