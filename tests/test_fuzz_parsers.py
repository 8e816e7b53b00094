"""Property-based fuzzing of the text parsers: numbers, amounts, targets and outline headings.

Each property states what must hold for *every* input of its kind, not for a hand-picked example:
parsers either return a value or raise our typed error (never a bare ValueError/IndexError/…), values
round-trip exactly through the ways Chinese documents write them, and spans index the original text.

The default run is small (fast CI); `JIXIAO_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_parsers.py`
explores far more.
"""

from __future__ import annotations

import contextlib
import os
import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jixiao.errors import JixiaoError, NumberParseError
from jixiao.ingest import document_from_text
from jixiao.ingest.outline import build_outline, iter_sections, section_path
from jixiao.numbers import (
    AMOUNT_UNITS,
    convert,
    decimal_places,
    find_quantities,
    format_decimal,
    normalize_digits,
    parse_amount,
    parse_number,
    parse_quantity,
    round_half_up,
    to_yuan,
)
from jixiao.targets import parse_actual, parse_target, score_attainment

EXAMPLES = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the first call may import lazily; hangs are caught by the size-bounded inputs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------------------------------------
# Strategies: how numbers are really written

FW = str.maketrans("0123456789.,%-+", "０１２３４５６７８９．，％－＋")
CN_LOWER = "零一二三四五六七八九"
CN_UPPER = "零壹贰叁肆伍陆柒捌玖"


def cn_int(n: int, digits: str = CN_LOWER, small: str = "十百千", big: str = "万亿") -> str:
    """n in Chinese numerals, written the standard way (零 for gaps, 一十 only inside a number)."""
    if n == 0:
        return digits[0]

    def four(k: int, leading: bool) -> str:
        out, zero = "", False
        for place, unit in ((1000, small[2]), (100, small[1]), (10, small[0]), (1, "")):
            d = k // place % 10
            if d == 0:
                zero = bool(out) or not leading
                continue
            if zero and (out or not leading):
                out += digits[0]
            zero = False
            out += ("" if (d == 1 and unit == small[0] and not out and leading) else digits[d]) + unit
        return out

    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        leading = not out
        if g == 0:
            continue
        if out and g < 1000 and not out.endswith(digits[0]):
            out += digits[0]
        out += four(g, leading) + (
            "" if i == 0 else (big[0] if i == 1 else big[1] if i == 2 else big[0] + big[1])
        )
        # i == 3 (10^12) does not occur: the strategy stays below 10^12
    return out


def group3(digits: str, sep: str = ",") -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False)
money = st.decimals(min_value=0, max_value=Decimal("1e10"), places=2, allow_nan=False)
unit_amount = st.sampled_from(sorted(AMOUNT_UNITS))
noise = st.text(
    alphabet=st.sampled_from(
        list(
            "0123456789０１２３４５６７８９.,，．。%％‰-－+＋~～—至 \u3000\t\n万亿元千百十零一二两三五九壹贰拾佰仟角分整约近多余左右以上以下≥≤<>＝=人次名户场个项年月日（）()〔〕[]【】号第、；;:：负点/"
        )
    ),
    max_size=60,
)
any_text = st.one_of(noise, st.text(max_size=60))


def written(d: Decimal, draw_style: int) -> str:
    """One way a document writes the number d (d has at most 4 decimal places)."""
    s = format_decimal(d)
    sign, rest = ("-", s[1:]) if s.startswith("-") else ("", s)
    whole, dot, frac = rest.partition(".")
    if draw_style == 1 and len(whole) > 3:
        whole = group3(whole)
    elif draw_style == 2:
        return (sign + group3(whole, ",") + dot + frac).translate(FW) if len(whole) > 3 else s.translate(FW)
    elif draw_style == 3 and len(whole) > 3:
        whole = group3(whole, " ")  # PDF extraction leaves spaces between digit groups
    return sign + whole + dot + frac


# ---------------------------------------------------------------------------------------------
# numbers


@FUZZ
@given(any_text)
@example("1" * 5000)
@example("一" * 500)
@example("亿" * 200)
@example("９" * 300 + "万人")
@example("壹拾元角分")
def test_parsers_raise_only_number_errors(text: str) -> None:
    for fn in (parse_number, parse_quantity, parse_amount):
        with contextlib.suppress(NumberParseError):
            fn(text)
    with contextlib.suppress(NumberParseError):
        parse_amount(text, default_unit="万元")
    decimal_places(text)


# Long inputs built from a short piece repeated: what finds quadratic regex backtracking and numerals
# too long for int(); both were real bugs ("1" + 20,000 spaces + "x" took ~100 s in parse_quantity and
# parse_target; "百分之" + 5,000 × "九" raised ValueError).
repeated = st.builds(
    lambda head, piece, k, tail: head + piece * k + tail,
    st.sampled_from(["", "1", "≥", "1万", "百分之", "人民币", "负", "１２"]),
    st.sampled_from(
        [" ", "\u3000", "\t", " \n", "九", "壹", "亿", "1 ", "1,", "1-", "、", "以上", "零", "—", "%"]
    ),
    st.integers(100, 6000),
    st.sampled_from(["", "x", "元", "人", "万元", "%", "-2"]),
)


@FUZZ
@given(repeated)
@example("1" + " " * 20000 + "x")
@example("百分之" + "九" * 5000)
@example("一" + "亿" * 5000)
def test_long_inputs_are_linear_and_raise_only_typed_errors(text: str) -> None:
    for fn in (
        parse_number,
        parse_quantity,
        parse_amount,
        find_quantities,
        decimal_places,
        parse_target,
        parse_actual,
    ):
        t0 = time.perf_counter()
        with contextlib.suppress(JixiaoError):
            fn(text)
        # generous: linear work on 20,000 characters takes milliseconds; the bugs took minutes
        assert time.perf_counter() - t0 < 3, (fn.__name__, text[:30], len(text))
    a = score_attainment(text, text, Decimal(5))
    assert a.status in ("scored", "missing", "needs_reason", "invalid")


@FUZZ
@given(decimals, st.integers(0, 3))
def test_number_round_trips_in_every_written_form(d: Decimal, style: int) -> None:
    text = written(d, style)
    assert parse_number(text) == d, text


@FUZZ
@given(st.integers(0, 10**12 - 1))
@example(10)
@example(100010)
@example(100000001)
@example(20_0000_0305)
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_number(cn_int(n)) == n, cn_int(n)
    assert parse_number(cn_int(n, CN_UPPER, "拾佰仟")) == n, cn_int(n, CN_UPPER, "拾佰仟")


@FUZZ
@given(st.integers(1, 10**10), st.integers(0, 9), st.integers(0, 9), st.booleans())
def test_daxie_amounts_round_trip(yuan: int, jiao: int, fen: int, renminbi: bool) -> None:
    text = cn_int(yuan, CN_UPPER, "拾佰仟") + "元"
    if jiao or fen:
        text += (CN_UPPER[jiao] + "角" if jiao else "零") + (CN_UPPER[fen] + "分" if fen else "")
    else:
        text += "整"
    if renminbi:
        text = "人民币" + text
    q = parse_quantity(text)
    assert q.unit == "元" and q.value == Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100, text


@FUZZ
@given(money, unit_amount, st.integers(0, 3), st.sampled_from(["", " ", "\u3000"]))
def test_amount_with_unit_round_trips_and_converts_exactly(
    d: Decimal, unit: str, style: int, gap: str
) -> None:
    q = parse_amount(written(d, style) + gap + unit)
    assert (q.value, q.unit) == (d, unit)
    yuan = to_yuan(q.value, q.unit)
    assert yuan == d * AMOUNT_UNITS[unit]
    for other in AMOUNT_UNITS:
        assert convert(convert(q.value, unit, other), other, unit) == d


@FUZZ
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15),
    st.integers(0, 6),
)
def test_round_half_up_matches_integer_arithmetic(d: Decimal, places: int) -> None:
    r = round_half_up(d, places)
    scaled = abs(d) * 10**places
    whole = int(scaled)
    if scaled - whole >= Decimal("0.5"):
        whole += 1
    expect = Decimal(whole).scaleb(-places) * (-1 if d < 0 else 1)
    assert r == expect
    assert r == d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@FUZZ
@given(any_text)
@example("１，２３４．５万元（２０２３年）")
@example("〔2020〕24号文件拨付 1,234.5 万元")
@example("1-10 月完成 90%-100%，百分之九十五")
def test_find_quantities_spans_index_the_original(text: str) -> None:
    assert len(normalize_digits(text)) == len(text)
    found = find_quantities(text)
    prev_end = 0
    for m in found:
        assert 0 <= m.start < m.end <= len(text)
        assert m.start >= prev_end, "matches overlap or are out of order"
        assert m.text == text[m.start : m.end] == m.quantity.text
        prev_end = m.end


@FUZZ
@given(st.lists(st.tuples(money, unit_amount), min_size=1, max_size=6), st.booleans())
def test_find_quantities_finds_every_amount_in_prose(
    items: list[tuple[Decimal, str]], fullwidth: bool
) -> None:
    fillers = ["本年支出", "，其中基本支出", "；项目支出", "，比上年增加", "。另有"]
    text = ""
    for i, (d, unit) in enumerate(items):
        num = format_decimal(d)
        text += fillers[i % len(fillers)] + (num.translate(FW) if fullwidth else num) + unit
    got = [(m.quantity.value, m.quantity.unit) for m in find_quantities(text) if m.quantity.is_amount]
    assert got == items, text


# ---------------------------------------------------------------------------------------------
# targets

ops_prefix = st.sampled_from(["", "≥", "≤", ">", "<", "不低于", "不少于", "不超过", "控制在", "达到", "至少"])
ops_suffix = st.sampled_from(["", "以上", "及以上", "或以上", "以下", "以内", "左右"])
count_units = st.sampled_from(["人", "人次", "户", "场", "个", "项", "%", "万元", "元", "天", "次"])
plain_num = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False).map(format_decimal)


@st.composite
def target_part(draw) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    """(text, numeric) of one target part as written in 自评表."""
    kind = draw(st.integers(0, 3))
    if kind == 3:
        return draw(
            st.sampled_from(["显著提高", "有所提升", "逐步改善", "达标", "优", "良好", "是", "有效降低"])
        ), False
    unit = draw(count_units)
    num = draw(plain_num)
    if kind == 2:
        hi = format_decimal(Decimal(num) + draw(st.integers(1, 50)))
        return f"{num}{unit}{draw(st.sampled_from(['-', '~', '～', '至']))}{hi}{unit}", True
    pre, suf = draw(ops_prefix), draw(ops_suffix)
    if pre and suf:  # "≥90%以上" is written, but "≤90%以上" is self-contradictory; keep one
        suf = ""
    return f"{pre}{num}{unit}{suf}", True


@FUZZ
@given(st.lists(target_part(), min_size=1, max_size=4), st.sampled_from(["、", "，", "；"]))
def test_generated_targets_parse_into_their_parts(parts: list[tuple[str, bool]], sep: str) -> None:
    text = sep.join(p for p, _ in parts)
    t = parse_target(text)
    assert len(t.parts) == len(parts), (text, t.parts)
    for (ptext, numeric), tp in zip(parts, t.parts, strict=True):
        assert (tp.op != "qual") == numeric, (ptext, tp)


@FUZZ
@given(any_text, any_text, st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
@example("≥250人", "280人", Decimal(5))
@example("90%-100%", "120%", Decimal(3))
@example("≤100万元", "1e400万元", Decimal(2))
@example("≥" + "9" * 250 + "人", "1人", Decimal(2))
@example("≥0.0000001人", "9" * 250 + "人", Decimal(2))
def test_score_attainment_never_raises_and_stays_in_range(target: str, actual: str, weight: Decimal) -> None:
    a = score_attainment(target, actual, weight)
    assert a.status in ("scored", "missing", "needs_reason", "invalid")
    assert a.derivation
    if a.score is not None:
        assert Decimal(0) <= a.score <= weight
        assert a.score == round_half_up(a.score, 2)


@FUZZ
@given(any_text)
def test_target_and_actual_parsers_raise_only_typed_errors(text: str) -> None:
    for fn in (parse_target, parse_actual):
        with contextlib.suppress(JixiaoError):
            fn(text)


@FUZZ
@given(
    target_part(), st.decimals(min_value=0, max_value=200000, places=2, allow_nan=False), st.integers(1, 20)
)
def test_scoring_generated_targets_is_monotone_in_the_actual(
    part: tuple[str, bool], actual: Decimal, weight: int
) -> None:
    """For a ≥ target, doing more never scores less (the over-achievement cap aside)."""
    text, numeric = part
    t = parse_target(text)
    if not numeric or t.direction != "positive":
        return
    unit = t.parts[0].unit
    lo = score_attainment(text, f"{format_decimal(actual)}{unit}", Decimal(weight))
    hi = score_attainment(text, f"{format_decimal(actual * 2 + 1)}{unit}", Decimal(weight))
    if lo.score is not None and hi.score is not None:
        assert hi.score >= lo.score, (text, actual, lo.derivation, hi.derivation)


# ---------------------------------------------------------------------------------------------
# outline headings

CN_ORD = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
STYLES = [
    lambda i: f"{CN_ORD[i]}、",
    lambda i: f"（{CN_ORD[i]}）",
    lambda i: f"{i + 1}.",
    lambda i: f"（{i + 1}）",
    lambda i: CIRCLED[i],
]
titles = st.sampled_from(
    ["基本情况", "部门职能", "收支情况", "绩效目标", "存在的问题", "改进措施", "结果应用", "资金管理"]
)
bodies = st.sampled_from(
    [
        "本单位全年预算数为1,234.56万元，执行数为1,200.00万元，预算执行率97.20%。",
        "完成培训 300 人次，满意度达到 95% 以上。",
        "无。",
        "加强预算执行动态监控，提高预算编制的科学性。",
    ]
)


@st.composite
def outlined_text(draw) -> tuple[str, list[tuple[int, str]]]:  # type: ignore[no-untyped-def]
    """A report with nested numbered headings (each level its own style) and the expected (depth, title)."""
    depth_styles = draw(st.permutations(range(len(STYLES))))[:3]
    expected: list[tuple[int, str]] = []
    lines: list[str] = []

    def section(depth: int) -> None:
        n = draw(st.integers(1, 3))
        for i in range(n):
            title = draw(titles)
            lines.append(STYLES[depth_styles[depth]](i) + title)
            expected.append((depth, title))
            lines.append(draw(bodies))
            if depth + 1 < len(depth_styles) and draw(st.booleans()):
                section(depth + 1)

    section(0)
    return "\n".join(lines) + "\n", expected


@FUZZ
@given(outlined_text())
@example(
    (
        "一、基本情况\n无。\n（一）部门职能\n无。\n二、存在的问题\n无。\n",
        [(0, "基本情况"), (1, "部门职能"), (0, "存在的问题")],
    )
)
def test_outline_recovers_generated_heading_tree(case: tuple[str, list[tuple[int, str]]]) -> None:
    text, expected = case
    doc = document_from_text(text)
    outline = build_outline(doc)

    def flat(sections, depth=0):  # type: ignore[no-untyped-def]
        for s in sections:
            yield depth, s.title
            yield from flat(s.children, depth + 1)

    assert list(flat(outline)) == expected, text
    for s in iter_sections(outline):
        assert 0 <= s.start <= s.end <= len(doc.text)
        for c in s.children:
            assert s.start < c.start and c.end <= s.end
        assert section_path(outline, s.start)[-1] == s.title


@FUZZ
@given(
    st.lists(
        st.one_of(
            noise, st.sampled_from(["一、", "（一）", "1.", "（1）", "①", "第一部分", "\n", "：", "。"])
        ),
        max_size=30,
    )
)
def test_outline_never_fails_on_arbitrary_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    doc = document_from_text(text)
    outline = build_outline(doc)
    for s in iter_sections(outline):
        assert 0 <= s.start <= s.end <= len(doc.text)
    for off in (0, len(doc.text) // 2, len(doc.text)):
        section_path(outline, off)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(pytest.main([__file__, "-q"]))
