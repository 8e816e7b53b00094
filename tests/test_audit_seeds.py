"""Acceptance: on each real seed the checker raises what a careful reviewer finds, and nothing on what holds.

Every expectation below was computed by hand from the seed text (see the comments); the tests skip when
the seeds are absent.
"""

from __future__ import annotations

from functools import cache

import pytest

from conftest import seed_path
from jixiao.audit import AuditResult, audit_file
from jixiao.model import Finding

pytestmark = pytest.mark.seeds


@cache
def _audit(prefix: str) -> AuditResult:
    return audit_file(seed_path(prefix))


def _text(f: Finding) -> str:
    return f.message + " " + " ".join(e.quote for e in f.evidence) + " " + " ".join(f.values.values())


def hits(result: AuditResult, code: str | None = None, *numbers: str) -> list[Finding]:
    """Findings (of ``code``, if given) that mention every one of ``numbers`` as written."""
    return [
        f for f in result.findings
        if (code is None or f.code == code) and all(n in _text(f) for n in numbers)
    ]


def about(result: AuditResult, number: str) -> list[Finding]:
    """Findings about ``number``: it is in the message or the values (not merely in a quote's context)."""
    return [f for f in result.findings if number in f.message + " " + " ".join(f.values.values())]


def codes(result: AuditResult) -> set[str]:
    return {f.code for f in result.findings}


# ------------------------------------------------------------------ 000 海珠 2023


def test_seed000_execution_differs_from_spending() -> None:
    r = _audit("000")
    # 全年执行数 2814.53 万元 vs 本年支出 865.44 万元 (= 基本 274.07 + 项目 591.37)
    f = hits(r, "FIGURE_CONFLICT", "2814.53", "865.44")
    assert f and f[0].severity == "warning"


def test_seed000_statements_that_hold() -> None:
    r = _audit("000")
    assert not about(r, "274.07")  # 274.07 + 591.37 = 865.44
    assert not about(r, "12.3%")  # 29.95 / (274.07 − 29.95) = 12.27 %
    assert not about(r, "4.8%")  # 29.59 / (591.37 + 29.59) = 4.77 %
    assert not about(r, "96.1%")  # 17.84 / (0.72 + 17.84) = 96.12 %
    assert not about(r, "99.89%")  # 2814.53 / 2817.63 = 99.89 %
    assert not codes(r) & {"SECTION_MISSING", "SECTION_EMPTY", "SHARE_MISMATCH", "RATE_MISMATCH"}


# ------------------------------------------------------------------ 001 赫山 2023


def test_seed001_share_on_wrong_digits() -> None:
    r = _audit("001")
    # 其他收入 7.41 万元 ÷ 229.99 万元 = 3.22 %, stated 0.32 %
    f = hits(r, "SHARE_MISMATCH", "7.41", "0.32%", "3.22%")
    assert f and f[0].severity == "error"


def test_seed001_basic_expense_parts() -> None:
    r = _audit("001")
    # 305.78 + 65.80 + 0.3 + 1.99 = 373.87 ≠ 373.92: the four economic classes exhaust 基本支出
    f = hits(r, "SUM_MISMATCH", "373.92", "373.87", "0.05")
    assert f and f[0].severity == "error"


def test_seed001_staff_parts_are_info_only() -> None:
    r = _audit("001")
    # 在职 22人，其中行政编制 5人，事业编制 16人 (退休 2人 is not a part of 在职): 21 of 22 listed
    f = hits(r, "SUM_PARTIAL", "22人", "21人")
    assert f and f[0].severity == "info"
    assert not hits(r, "SUM_EXCEEDS_TOTAL", "22人")


def test_seed001_statements_that_hold() -> None:
    r = _audit("001")
    assert not about(r, "805.58")  # (160.34 + 1632.73) / 222.58 = 805.58 %
    assert not about(r, "137%")  # 1697.3 / 1240 = 136.9 % (the 月/人 basis)
    assert not about(r, "96.78%")  # 222.58 / 229.99 = 96.78 %
    assert not about(r, "2015.65")  # 1763.44 + 232.35 + 19.86; 373.92 + 1641.73
    assert not about(r, "1641.73")  # six project categories add up
    assert not about(r, "232.35")  # 105.1 + 127.25
    assert not about(r, "185户")  # 165 + 20
    assert not about(r, "38人")  # 14 + 24
    assert "FIGURE_CONFLICT" not in codes(r)  # "其他项目支出 19.80" is not 项目支出


# ------------------------------------------------------------------ 002 荔湾 2023


def test_seed002_parts_do_not_make_the_totals() -> None:
    r = _audit("002")
    # 一般公共预算 2655.58 + 政府性基金 38.58 = 2694.16 ≠ 收入 2700.38; 基本 786.65 + 项目 1907.51 = 2694.16
    income = hits(r, "SUM_MISMATCH", "2655.58", "38.58", "2694.16", "2700.38", "6.22")
    spending = hits(r, "SUM_MISMATCH", "786.65", "1907.51", "2694.16", "2700.38", "6.22")
    assert income and spending
    assert all(f.severity == "error" for f in income + spending)


def test_seed002_shares_use_the_sum_of_parts_as_base() -> None:
    r = _audit("002")
    # 2655.58 / 2700.38 = 98.34 %, stated 98.57 % = 2655.58 / 2694.16
    assert hits(r, "SHARE_OTHER_BASE", "98.57%", "98.34%", "2694.16")
    assert hits(r, "SHARE_OTHER_BASE", "29.2%", "29.13%", "2694.16")
    assert hits(r, "SHARE_OTHER_BASE", "70.8%", "70.64%", "2694.16")


def test_seed002_repeated_block_and_empty_sections() -> None:
    r = _audit("002")
    dup = [f for f in r.findings if f.code == "DUPLICATE_PASSAGE"]
    assert len(dup) == 1 and dup[0].severity == "warning" and len(dup[0].evidence) == 2
    assert "2317.52" in dup[0].evidence[0].quote and "2317.52" in dup[0].evidence[1].quote
    empty = {f.values["section"] for f in r.findings if f.code == "SECTION_EMPTY"}
    assert empty == {"存在的问题", "改进措施"}


def test_seed002_statements_that_hold() -> None:
    r = _audit("002")
    assert not about(r, "89.83%")  # 2385.57 / 2655.58
    assert not about(r, "10.17%")  # 270.01 / 2655.58 (the list runs on past "；")
    assert not about(r, "755.32")  # 755.32 + 31.33 = 786.65
    assert not about(r, "143")  # 51+92 = 117+26 = 62+81 = 143
    assert not about(r, "370")  # 29+248+46+24+18+2+3
    assert not about(r, "20.28%")  # 686.90 / (2700.38 + 686.90)
    assert not about(r, "461.02")  # 3116.60 − 2655.58
    assert not about(r, "92.28%")  # 3116.60 / (3116.60 + 260.80)
    assert not about(r, "1.43%")
    assert "GROWTH_MISMATCH" not in codes(r)


# ------------------------------------------------------------------ 003 花都 2021 (自评表)


def test_seed003_full_score_short_of_target() -> None:
    r = _audit("003")
    f = hits(r, "SCORE_FULL_BUT_SHORT", "≥70人", "8人", "1.00")
    assert f and f[0].severity == "error"
    assert len([x for x in r.findings if x.code == "SCORE_FULL_BUT_SHORT"]) == 1


def test_seed003_bonus_row_not_in_total() -> None:
    r = _audit("003")
    # management 44.08 + outputs 50 = 94.08; the 加减分 row says 5.00
    assert hits(r, "SCORE_BONUS_NOT_IN_TOTAL", "5.00", "94.08", "99.08")
    assert "SCORE_TOTAL_MISMATCH" not in codes(r)


def test_seed003_rule_floor_conflict_and_low_targets() -> None:
    r = _audit("003")
    assert hits(r, "SCORE_RULE_CONFLICT", "89.61%", "3.58")  # "低于90%的不得分"
    low = hits(r, "TARGET_TOO_LOW", "217人")  # target 5人
    assert low and low[0].severity == "info"


def test_seed003_statements_that_hold() -> None:
    r = _audit("003")
    assert "RATE_MISMATCH" not in codes(r)  # 89.61 %, 86.83 %, 90.6 % all recompute
    assert not codes(r) & {"SECTION_MISSING", "SECTION_EMPTY"}  # a table-form report has no outline
    assert not hits(r, "SCORE_FULL_BUT_SHORT", "≥1000人")  # 1000人 meets ≥1000人


# ------------------------------------------------------------------ 004 白云 2021


def test_seed004_unit_slips() -> None:
    r = _audit("004")
    assert hits(r, "UNIT_SLIP", "347.60元", "348.60万元", "99.71%")
    assert hits(r, "UNIT_SLIP", "37.31元", "37.33万元", "99.95%")
    assert "RATE_MISMATCH" not in codes(r)  # all ten execution rates hold once 元 is read as 万元


@pytest.mark.parametrize(
    "first, second",
    [
        ("3116", "3079"),  # 慰问 3116 人次 94.23 万元 vs 3079人次 94.91万元
        ("2394", "2656"),  # 康复资助 2394 人 559.89 万元 vs 2656人次 740.24万元
        ("797", "781"),  # 教育资助 797 名 99.5 万元 vs 781人 103.15万元
        ("173", "131.72"),  # 集中安置社保补贴 约173万元 vs 131.72万元
        ("147", "179"),  # 职业培训补贴 147名 1.04万元 vs 179名 1.24万元
    ],
)
def test_seed004_restated_with_other_values(first: str, second: str) -> None:
    f = hits(_audit("004"), "STATEMENT_CONFLICT", first, second)
    assert f and f[0].severity == "warning"
    assert len(f[0].evidence) == 2


def test_seed004_statements_that_hold() -> None:
    r = _audit("004")
    assert not about(r, "42.99")  # 15.1 + 1.89 + 4 + 3 + 4 + 15; 45 = 16+2+4+4+4+15
    assert not about(r, "92.97")  # 42.99 + 49.98 + 0
    assert not about(r, "15.1")  # 16 − 0.04 − 0.2 − 0.66
    assert not hits(r, "SUM_MISMATCH")  # 64+580+121+22+10 = 797; 6.4+58+18+6.1+11 = 99.5
    assert not hits(r, "SUM_EXCEEDS_TOTAL")
    assert not about(r, "98.23%")  # 3050.14 / 3105.13
    assert not codes(r) & {"SECTION_MISSING", "SECTION_EMPTY", "DUPLICATE_PASSAGE"}


def test_every_seed_finding_cites_located_evidence() -> None:
    for prefix in ("000", "001", "002", "003", "004"):
        for f in _audit(prefix).findings:
            assert f.evidence, f
            assert all(e.quote.strip() and e.location.file for e in f.evidence), f
