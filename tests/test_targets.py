"""Tests for jixiao.targets: 年度指标值 / 实际完成值 parsing and attainment scoring."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.errors import NumberParseError
from jixiao.targets import (
    MISSING_DERIVATION,
    Attainment,
    Target,
    TargetPart,
    parse_actual,
    parse_target,
    qualitative_matches,
    score_attainment,
)

D = Decimal


def one(text: str) -> TargetPart:
    t = parse_target(text)
    assert len(t.parts) == 1
    return t.parts[0]


# --------------------------------------------------------------------------------------------
# parse_target: every written form


@pytest.mark.parametrize(
    ("text", "op", "value", "unit"),
    [
        ("≥250人", ">=", "250", "人"),
        (">=250人", ">=", "250", "人"),
        ("≧250人", ">=", "250", "人"),
        ("$\\geq 99\\%$", ">=", "99", "%"),
        ("≥1000", ">=", "1000", ""),
        ("≥ 95%", ">=", "95", "%"),
        ("≥９５％", ">=", "95", "%"),
        ("85%或以上", ">=", "85", "%"),
        ("80%及以上", ">=", "80", "%"),
        ("90%以上", ">=", "90", "%"),
        ("不低于95%", ">=", "95", "%"),
        ("不少于30人", ">=", "30", "人"),
        ("至少3场", ">=", "3", "场"),
        ("达到100%", ">=", "100", "%"),
        ("＞5", ">", "5", ""),
        (">5人", ">", "5", "人"),
        ("超过10家", ">", "10", "家"),
        ("≤10%", "<=", "10", "%"),
        ("<=10%", "<=", "10", "%"),
        ("≦10%", "<=", "10", "%"),
        ("$\\leq 5\\%$", "<=", "5", "%"),
        ("不高于5%", "<=", "5", "%"),
        ("不超过100万元", "<=", "100", "万元"),
        ("控制在5%以内", "<=", "5", "%"),
        ("3天以内", "<=", "3", "天"),
        ("5%以下", "<=", "5", "%"),
        ("＜3例", "<", "3", "例"),
        ("低于2%", "<", "2", "%"),
        ("=100%", "=", "100", "%"),
        ("＝100%", "=", "100", "%"),
        ("2人", "=", "2", "人"),
        ("100%", "=", "100", "%"),
        ("十五人", "=", "15", "人"),
        ("100人左右", "=", "100", "人"),
        ("≥1.6万人", ">=", "16000", "人"),
        ("≥5%（含）", ">=", "5", "%"),
        ("≥250人。", ">=", "250", "人"),
    ],
)
def test_parse_target_single(text: str, op: str, value: str, unit: str) -> None:
    p = one(text)
    assert (p.op, p.value, p.upper, p.unit, p.qualitative) == (op, D(value), None, unit, None)


@pytest.mark.parametrize(
    ("text", "lo", "hi", "unit"),
    [
        ("90%-100%", "90", "100", "%"),
        ("90%～100%", "90", "100", "%"),
        ("90%~100%", "90", "100", "%"),
        ("90%至100%", "90", "100", "%"),
        ("90%到100%", "90", "100", "%"),
        ("90-100%", "90", "100", "%"),
        ("100%-90%", "90", "100", "%"),  # written high→low
        ("5-10万元", "5", "10", "万元"),
        ("50000元-10万元", "5", "10", "万元"),
    ],
)
def test_parse_target_range(text: str, lo: str, hi: str, unit: str) -> None:
    p = one(text)
    assert (p.op, p.value, p.upper, p.unit) == ("range", D(lo), D(hi), unit)
    assert parse_target(text).direction == "exact"


def test_parse_target_range_incompatible_units() -> None:
    with pytest.raises(NumberParseError, match="单位不一致"):
        parse_target("5人-10%")


@pytest.mark.parametrize(
    "text",
    [
        "显著",
        "显著提高",
        "明显",
        "是",
        "否",
        "达标",
        "有效",
        "良好",
        "合格",
        "完成",
        "按时完成",
        "提高",
        "改善",
        "逐步提高",
        "达到预期",
        "有所提升",
    ],
)
def test_parse_target_qualitative(text: str) -> None:
    t = parse_target(text)
    assert t.parts == (TargetPart("qual", None, None, "", text, text),)
    assert t.direction == "qualitative"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("≥400人次、≥480人次、≥420人次", ["400", "480", "420"]),
        ("≥400人次，≥480人次", ["400", "480"]),
        ("≥400人次,≥480人次", ["400", "480"]),
        ("≥400人次；≥480人次", ["400", "480"]),
        ("≥400人次;≥480人次", ["400", "480"]),
        ("≥90%/≥95%", ["90", "95"]),
    ],
)
def test_parse_target_multi_part(text: str, values: list[str]) -> None:
    t = parse_target(text)
    assert [p.value for p in t.parts] == [D(v) for v in values]
    assert all(p.op == ">=" for p in t.parts)
    assert t.text == text


def test_parse_target_separators_inside_numbers_and_units() -> None:
    assert [p.value for p in parse_target("1,2人").parts] == [D(1), D(2)]  # not a thousands comma
    assert one("≥1,000人").value == D(1000)
    assert one("≥260元/人").unit == "元/人"


def test_parse_target_mixed_parts() -> None:
    t = parse_target("≥95%、显著")
    assert [p.op for p in t.parts] == [">=", "qual"]
    assert t.direction == "positive"


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("≥5人", "positive"),
        ("5人", "positive"),
        (">5", "positive"),
        ("≤5%", "reverse"),
        ("<5%", "reverse"),
        ("控制在100万元以内", "reverse"),
        ("90%-100%", "exact"),
        ("显著", "qualitative"),
    ],
)
def test_direction(text: str, direction: str) -> None:
    assert parse_target(text).direction == direction


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "今天天气",
        "abc",
        "≥",
        "≥abc",
        "5人以下以上",
        "≥5%以下",
        "2317.52万",
        "12345678901234567890123456789012345汉",
    ],
)
def test_parse_target_rejects(text: str) -> None:
    with pytest.raises(NumberParseError):
        parse_target(text)


def test_parse_target_error_message_is_chinese() -> None:
    with pytest.raises(NumberParseError, match="无法识别的指标值「今天天气」"):
        parse_target("今天天气")


# --------------------------------------------------------------------------------------------
# parse_actual


def test_parse_actual() -> None:
    assert parse_actual("280人") == (TargetPart("=", D(280), None, "人", None, "280人"),)
    assert [p.value for p in parse_actual("450人次、698人次、556人次")] == [D(450), D(698), D(556)]
    assert parse_actual("48")[0].unit == ""
    assert parse_actual("显著")[0] == TargetPart("qual", None, None, "", "显著", "显著")
    assert parse_actual("98%以上")[0].value == D(98)
    assert parse_actual("8654400元")[0].unit == "元"
    assert parse_actual("100%")[0].op == "="


@pytest.mark.parametrize("text", ["", "abc", "≥95%", "不低于5人", "今天天气"])
def test_parse_actual_rejects(text: str) -> None:
    with pytest.raises(NumberParseError):
        parse_actual(text)


def test_parse_actual_rejects_comparison_signs_clearly() -> None:
    with pytest.raises(NumberParseError, match="不应带比较符号"):
        parse_actual("≥95%")
    assert parse_actual("达标")[0].op == "qual"  # 达 is a target prefix, 达标 a word


@given(st.text())
@settings(max_examples=300)
def test_parsers_only_raise_number_parse_error(text: str) -> None:
    for fn in (parse_target, parse_actual):
        with contextlib.suppress(NumberParseError):
            fn(text)


@given(
    st.text(alphabet="≥≤<>=＞≧0123456789.%人次万元、，;/-～至以上下内不低于超过控制在显著是否 ", max_size=20)
)
@settings(max_examples=300)
def test_parsers_only_raise_number_parse_error_on_targetish_text(text: str) -> None:
    for fn in (parse_target, parse_actual):
        with contextlib.suppress(NumberParseError):
            fn(text)


# --------------------------------------------------------------------------------------------
# Qualitative matching


@pytest.mark.parametrize(
    ("target", "actual", "ok"),
    [
        ("显著", "显著", True),
        ("有效", "显著", True),
        ("显著", "有效", False),
        ("显著提高", "显著提高", True),
        ("提高", "显著提高", True),
        ("逐步提高", "明显提高", True),
        ("提高", "降低", False),
        ("降低", "明显降低", True),
        ("是", "是", True),
        ("是", "显著", False),
        ("否", "否", True),
        ("否", "是", False),
        ("良好", "优秀", True),
        ("良好", "合格", False),
        ("合格", "良好", True),
        ("有效", "未完成", False),
        ("达标", "不达标", False),
        ("提高", "不断提高", True),
    ],
)
def test_qualitative_matches(target: str, actual: str, ok: bool) -> None:
    assert qualitative_matches(target, actual) is ok


# --------------------------------------------------------------------------------------------
# score_attainment: positive targets


def test_positive_met() -> None:
    a = score_attainment("≥250人", "280人", D(2))
    assert a == Attainment(
        D("2.00"), D(2), D("1.12"), "scored", "实际完成 280人 ≥ 目标 250人，达成，得满分 2 分", ()
    )


def test_positive_short() -> None:
    a = score_attainment("≥70人", "8人", D(1))
    assert a.score == D("0.11")
    assert a.ratio == D("0.1143")
    assert a.status == "scored"
    assert a.derivation == "实际完成 8人，目标 ≥70人，完成比例 8÷70=11.43%，得分 1×11.43%=0.11 分"
    assert "未完成目标，需说明原因" in a.flags
    assert "未完成目标，需说明原因" not in score_attainment("≥70人", "8人", D(1), reason="疫情").flags


def test_positive_exactly_at_target() -> None:
    a = score_attainment("≥1000人", "1000人", D(1))
    assert (a.score, a.ratio, a.flags) == (D("1.00"), D(1), ())


def test_positive_one_cent_short() -> None:
    a = score_attainment("≥100万元", "99.99万元", D(2))
    assert a.score == D("2.00")  # 99.99% of 2 rounds half-up to 2.00
    assert "99.99÷100=99.99%" in a.derivation
    b = score_attainment("≥100万元", "99.99万元", D(100))
    assert b.score == D("99.99")


def test_positive_over_flags_low_target() -> None:
    a = score_attainment("2人", "10人", D(1))
    assert a.score == D("1.00")
    assert "指标值设定可能偏低" in a.flags
    assert score_attainment("≥100人", "119人", D(1)).flags == ()
    assert "指标值设定可能偏低" in score_attainment("≥100人", "120人", D(1)).flags
    assert score_attainment("≥100人", "200人", D(1), overachieve_factor=None).flags == ()
    assert (
        "指标值设定可能偏低" in score_attainment("≥100人", "150人", D(1), overachieve_factor=D("1.5")).flags
    )


def test_over_achievement_never_changes_score() -> None:
    assert score_attainment("≥10人", "1000人", D(3)).score == D("3.00")


def test_bare_target_scored_as_at_least() -> None:
    assert score_attainment("100%", "100%", D(1)).score == D("1.00")
    assert score_attainment("130人", "239人", D(1)).score == D("1.00")
    assert score_attainment("130人", "65人", D(1)).score == D("0.50")


def test_strict_greater_at_bound_counts_as_met() -> None:
    a = score_attainment(">5人", "5人", D(1))
    assert a.score == D("1.00")
    assert "严格大于" in a.derivation


def test_zero_target() -> None:
    a = score_attainment("≥0人", "0人", D(1))
    assert (a.score, a.ratio, a.status) == (D("1.00"), None, "scored")
    assert score_attainment("≥0人", "5人", D(1)).score == D("1.00")
    b = score_attainment("≥0人", "-1人", D(1))
    assert b.score == D("0.00")
    assert b.ratio is None


def test_zero_and_negative_actual() -> None:
    a = score_attainment("≥10人", "0人", D(1))
    assert (a.score, a.ratio) == (D("0.00"), D(0))
    b = score_attainment("≥10人", "-5人", D(1))
    assert b.score == D("0.00")
    assert "按 0 计" in b.derivation


def test_negative_target() -> None:
    assert score_attainment("≥-5%", "-3%", D(1)).score == D("1.00")
    assert score_attainment("≥-5%", "-8%", D(1)).score == D("0.00")


def test_units_convert_exactly() -> None:
    a = score_attainment("≥100万元", "1000000元", D(2))
    assert a.score == D("2.00")
    assert "换算为 100万元" in a.derivation
    b = score_attainment("≥100万元", "500000元", D(2))
    assert b.score == D("1.00")
    assert "50÷100=50.00%" in b.derivation
    assert score_attainment("≥1亿元", "5000万元", D(2)).score == D("1.00")


def test_unitless_actual_accepted_with_note() -> None:
    a = score_attainment("≥35人", "48", D(1))
    assert a.score == D("1.00")
    assert a.status == "scored"
    assert "未写单位，按「人」计" in a.derivation
    assert "单位缺失" in a.flags
    b = score_attainment("≥1000", "2369人", D(1))
    assert b.score == D("1.00")
    assert "年度指标值「≥1000」未写单位" in b.derivation


def test_synonym_units() -> None:
    assert score_attainment("≥35人", "48名", D(1)).score == D("1.00")
    assert score_attainment("≥3天", "3日", D(1)).score == D("1.00")


@pytest.mark.parametrize(
    ("target", "actual"), [("≥95%", "98人"), ("≥35人", "48人次"), ("≥100万元", "100人"), ("≥5户", "5%")]
)
def test_incompatible_units_invalid(target: str, actual: str) -> None:
    a = score_attainment(target, actual, D(1))
    assert (a.score, a.status) == (None, "invalid")
    assert a.derivation.startswith("单位不一致")


# --------------------------------------------------------------------------------------------
# Reverse targets


def test_reverse_met() -> None:
    a = score_attainment("≤100万元", "80万元", D(2))
    assert (a.score, a.status) == (D("2.00"), "scored")
    assert a.derivation == "实际完成 80万元 ≤ 目标 100万元，达成，得满分 2 分"
    assert score_attainment("≤100万元", "100万元", D(2)).score == D("2.00")


def test_reverse_over_falls_linearly() -> None:
    a = score_attainment("≤100万元", "120万元", D(2))
    assert a.score == D("1.60")
    assert a.ratio == D("1.2")
    assert "按 200%−120.00%=80.00% 计" in a.derivation
    assert score_attainment("≤100万元", "200万元", D(2)).score == D("0.00")
    assert score_attainment("≤100万元", "300万元", D(2)).score == D("0.00")
    assert score_attainment("≤100万元", "100.01万元", D(2)).score == D("2.00")
    assert score_attainment("≤10%", "15%", D(4)).score == D("2.00")


def test_reverse_never_flags_low_target() -> None:
    assert score_attainment("≤100万元", "10万元", D(2)).flags == ()


def test_reverse_zero_target() -> None:
    assert score_attainment("≤0例", "0例", D(1)).score == D("1.00")
    a = score_attainment("≤0例", "2例", D(1))
    assert (a.score, a.ratio) == (D("0.00"), None)


def test_direction_override() -> None:
    # A cost target written bare is still a ceiling when the framework says so.
    assert score_attainment("100万元", "120万元", D(2), direction="reverse").score == D("1.60")
    assert score_attainment("100万元", "120万元", D(2)).score == D("2.00")
    exact = score_attainment("100%", "110%", D(2), direction="exact")
    assert exact.score == D("1.80")
    assert score_attainment("100%", "90%", D(2), direction="exact").score == D("1.80")
    bad = score_attainment("100%", "90%", D(2), direction="qualitative")
    assert bad.status == "invalid"
    assert score_attainment("100%", "90%", D(2), direction="sideways").status == "invalid"


# --------------------------------------------------------------------------------------------
# Ranges


def test_range_inside_and_bounds() -> None:
    for actual in ("90%", "95%", "100%"):
        a = score_attainment("90%-100%", actual, D(2))
        assert (a.score, a.ratio) == (D("2.00"), None)
    assert "在目标区间 90%–100% 内" in score_attainment("90%-100%", "95%", D(2)).derivation


def test_range_outside_is_proportional() -> None:
    below = score_attainment("90%-100%", "45%", D(2))
    assert below.score == D("1.00")
    assert "45÷90=50.00%" in below.derivation
    above = score_attainment("90%-100%", "150%", D(2))
    assert above.score == D("1.00")
    assert "150÷100=150.00%" in above.derivation


# --------------------------------------------------------------------------------------------
# Qualitative targets


def test_qualitative_met() -> None:
    a = score_attainment("显著", "显著", D(1))
    assert (a.score, a.status, a.ratio) == (D("1.00"), "scored", None)
    assert a.derivation == "实际「显著」符合目标「显著」，达成，得满分 1 分"
    assert score_attainment("有效", "显著", D(1)).score == D("1.00")
    assert score_attainment("是", "是", D(1)).score == D("1.00")
    assert score_attainment("显著提高", "显著提高", D(1)).score == D("1.00")


def test_qualitative_unmatched_needs_judgement() -> None:
    a = score_attainment("显著", "有效", D(1))
    assert (a.score, a.status) == (None, "invalid")
    assert "须判定达成程度" in a.derivation


@pytest.mark.parametrize(
    ("achievement", "ratio", "score"),
    [
        ("达成", None, "2.00"),
        ("达成", D("0.8"), "1.60"),
        ("达成", D("0.9"), "1.80"),
        ("部分达成", None, "1.20"),
        ("部分达成", D("0.6"), "1.20"),
        ("部分达成", D("0.7"), "1.40"),
        ("部分达成", D("0.8"), "1.60"),
        ("未达成", None, "0.00"),
        ("未达成", D("0.5"), "1.00"),
        ("未达成", D("0"), "0.00"),
    ],
)
def test_qualitative_bands(achievement: str, ratio: Decimal | None, score: str) -> None:
    a = score_attainment(
        "显著", "一般", D(2), achievement=achievement, achievement_ratio=ratio, reason="原因"
    )  # type: ignore[arg-type]
    assert a.score == D(score)
    assert a.status == "scored"
    assert f"判定为{achievement}" in a.derivation


@pytest.mark.parametrize(
    ("achievement", "ratio"),
    [
        ("达成", D("0.79")),
        ("部分达成", D("0.9")),
        ("部分达成", D("0.59")),
        ("未达成", D("0.61")),
        ("达成", D("1.01")),
        ("未达成", D("-0.1")),
    ],
)
def test_qualitative_ratio_outside_band_invalid(achievement: str, ratio: Decimal) -> None:
    a = score_attainment("显著", "一般", D(2), achievement=achievement, achievement_ratio=ratio)  # type: ignore[arg-type]
    assert (a.score, a.status) == (None, "invalid")
    assert f"不在「{achievement}」区间" in a.derivation


def test_qualitative_not_full_without_reason_needs_reason() -> None:
    a = score_attainment("显著", "有效", D(1), achievement="部分达成", achievement_ratio=D("0.7"))
    assert (a.score, a.status) == (D("0.70"), "needs_reason")
    assert "须说明原因" in a.derivation
    b = score_attainment(
        "显著", "有效", D(1), achievement="部分达成", achievement_ratio=D("0.7"), reason="资金到位晚"
    )
    assert b.status == "scored"
    c = score_attainment("显著", "有效", D(1), achievement="部分达成", reason="   ")
    assert c.status == "needs_reason"


def test_qualitative_user_judgement_wins_over_wording() -> None:
    a = score_attainment("显著", "显著", D(1), achievement="部分达成", reason="仅部分街道")
    assert a.score == D("0.60")


def test_unknown_achievement_invalid() -> None:
    assert score_attainment("显著", "有效", D(1), achievement="差不多").status == "invalid"  # type: ignore[arg-type]


def test_quantitative_target_with_qualitative_actual_invalid() -> None:
    a = score_attainment("≥95%", "达标", D(1))
    assert a.status == "invalid"
    assert "定性描述" in a.derivation


# --------------------------------------------------------------------------------------------
# Multi-part


def test_multi_part_all_met() -> None:
    a = score_attainment("≥400人次、≥480人次、≥420人次", "450人次、698人次、556人次", D(1))
    assert a.score == D("1.00")
    assert a.ratio is None
    assert a.derivation.startswith("共 3 项，分值均分；第1项：实际完成 450人次 ≥ 目标 400人次")
    assert "第3项" in a.derivation
    assert "指标值设定可能偏低" in a.flags  # 698 ≥ 1.2 × 480


def test_multi_part_one_short() -> None:
    a = score_attainment("≥400人次、≥480人次、≥420人次", "450人次、240人次、556人次", D(3))
    # (100% + 50% + 100%) ÷ 3 × 3 = 2.50
    assert a.score == D("2.50")
    assert "得分 3×(100%+50.00%+100%)÷3=2.50 分" in a.derivation


def test_multi_part_mixed_qualitative() -> None:
    a = score_attainment("≥95%、显著", "98%、显著", D(2))
    assert a.score == D("2.00")


def test_multi_part_count_mismatch_invalid() -> None:
    a = score_attainment("≥400人次、≥480人次", "450人次", D(1))
    assert a.status == "invalid"
    assert "无法逐项对应" in a.derivation


def test_multi_part_with_parsed_inputs() -> None:
    t = parse_target("≥400人次、≥480人次")
    acts = parse_actual("400人次、480人次")
    assert score_attainment(t, acts, D(1)).score == D("1.00")
    assert score_attainment(t, list(acts), D(1)).score == D("1.00")


# --------------------------------------------------------------------------------------------
# Missing and invalid input


@pytest.mark.parametrize(
    ("target", "actual", "flag"),
    [
        (None, "280人", "缺少年度指标值"),
        ("", "280人", "缺少年度指标值"),
        ("≥250人", None, "缺少实际完成值"),
        ("≥250人", "  ", "缺少实际完成值"),
        ("≥250人", "—", "缺少实际完成值"),
        ("≥250人", "/", "缺少实际完成值"),
        ("≥250人", (), "缺少实际完成值"),
        (Target((), ""), "280人", "缺少年度指标值"),
    ],
)
def test_missing(target: str | Target | None, actual: str | tuple[TargetPart, ...] | None, flag: str) -> None:
    a = score_attainment(target, actual, D(2))
    assert (a.score, a.status, a.ratio, a.weight) == (None, "missing", None, D(2))
    assert a.derivation == MISSING_DERIVATION == "缺少年度指标值/实际完成值"
    assert flag in a.flags


def test_unreadable_values_invalid() -> None:
    a = score_attainment("今天天气", "280人", D(2))
    assert (a.score, a.status) == (None, "invalid")
    assert "无法识别" in a.derivation
    assert score_attainment("≥250人", "很多人", D(2)).status == "invalid"


def test_bad_weight_invalid() -> None:
    assert score_attainment("≥1人", "1人", D(-1)).status == "invalid"
    assert score_attainment("≥1人", "1人", D("NaN")).status == "invalid"
    assert score_attainment("≥1人", "1人", 0.5).status == "invalid"  # type: ignore[arg-type]
    assert score_attainment("≥1人", "1人", "abc").status == "invalid"  # type: ignore[arg-type]


def test_int_weight_and_zero_weight() -> None:
    assert score_attainment("≥1人", "1人", 2).score == D("2.00")  # type: ignore[arg-type]
    z = score_attainment("≥10人", "5人", D(0))
    assert (z.score, z.status) == (D("0.00"), "scored")


def test_attainment_is_frozen() -> None:
    a = score_attainment("≥1人", "1人", D(1))
    with pytest.raises(AttributeError):
        a.score = D(0)  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Properties


weights = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
values = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
ops = st.sampled_from(["≥", "≤", ">", "<", "", "不低于", "控制在"])
units = st.sampled_from(["人", "%", "万元", "元", ""])


@given(ops, values, units, values, units, weights, st.sampled_from([None, "positive", "reverse", "exact"]))
@settings(max_examples=400)
def test_score_always_within_weight(
    op: str, t: Decimal, tu: str, a: Decimal, au: str, w: Decimal, direction: str | None
) -> None:
    target = f"{op}{t}{tu}" + ("以内" if op == "控制在" else "")
    res = score_attainment(target, f"{a}{au}", w, direction=direction)
    assert res.status in ("scored", "invalid", "needs_reason")
    if res.score is not None:
        assert D(0) <= res.score <= w
        assert res.score == res.score.quantize(D("0.01"))
    assert res.derivation


@given(values, values, values, weights)
@settings(max_examples=200)
def test_range_score_within_weight(lo: Decimal, hi: Decimal, a: Decimal, w: Decimal) -> None:
    res = score_attainment(f"{lo}%~{hi}%", f"{a}%", w)
    if res.score is not None:
        assert D(0) <= res.score <= w


@given(
    st.decimals(min_value=1, max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=10**6, places=2),
    weights,
)
def test_positive_score_monotone_and_full_when_met(t: Decimal, a: Decimal, w: Decimal) -> None:
    res = score_attainment(f"≥{t}人", f"{a}人", w)
    assert res.score is not None
    if a >= t:
        assert res.score == w.quantize(D("0.01"))
    more = score_attainment(f"≥{t}人", f"{a + 1}人", w)
    assert more.score is not None and more.score >= res.score


@given(st.text(max_size=30), st.text(max_size=30), weights)
@settings(max_examples=300)
def test_score_attainment_never_raises(target: str, actual: str, w: Decimal) -> None:
    res = score_attainment(target, actual, w)
    assert res.status in ("scored", "missing", "needs_reason", "invalid")
    if res.score is not None:
        assert D(0) <= res.score <= w


@given(
    st.sampled_from(["显著", "有效", "是", "提高", "良好"]),
    st.sampled_from(["显著", "一般", "否", "有效", "较差", "优秀"]),
    st.sampled_from([None, "达成", "部分达成", "未达成"]),
    st.none() | st.decimals(min_value=-1, max_value=2, places=2),
    weights,
)
def test_qualitative_score_within_band(
    target: str, actual: str, achievement: str | None, ratio: Decimal | None, w: Decimal
) -> None:
    res = score_attainment(target, actual, w, achievement=achievement, achievement_ratio=ratio)  # type: ignore[arg-type]
    if res.score is not None:
        assert D(0) <= res.score <= w
    if res.status == "needs_reason":
        assert res.score is not None
        assert res.score < w or w == 0


# --------------------------------------------------------------------------------------------
# Judgement standing in for numbers


def test_quantitative_target_with_qualitative_actual_and_judgement() -> None:
    a = score_attainment("≥95%", "达标", D(2), achievement="达成")
    assert (a.score, a.status) == (D("2.00"), "scored")
    assert "实际完成值为定性描述" in a.derivation


def test_qualitative_direction_with_numeric_target() -> None:
    a = score_attainment(
        "100%", "90%", D(2), direction="qualitative", achievement="部分达成", achievement_ratio=D("0.75")
    )
    assert (a.score, a.status) == (D("1.50"), "needs_reason")
    assert "指标方向为定性" in a.derivation


def test_missing_actual_with_judgement_is_scored() -> None:
    a = score_attainment("显著", None, D(2), achievement="达成")
    assert (a.score, a.status) == (D("2.00"), "scored")
    assert "未填实际完成值" in a.derivation
    assert "缺少实际完成值" in a.flags
    b = score_attainment("≥100人", "", D(2), achievement="未达成", achievement_ratio=D("0.5"), reason="停办")
    assert (b.score, b.status) == (D("1.00"), "scored")


def test_missing_target_with_judgement_is_still_missing() -> None:
    a = score_attainment(None, "280人", D(2), achievement="达成")
    assert (a.score, a.status) == (None, "missing")


@pytest.mark.parametrize("text", ["≤5个工作日", "5个工作日内", "≤5个工作日内"])
def test_timeliness_ceiling(text: str) -> None:
    p = one(text)
    assert (p.op, p.value, p.unit) == ("<=", D(5), "个工作日")
