"""Every check family on small hand-written fixtures: the firing case and the holding case."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.audit import CHECKS, AuditResult, audit_document, document_from_text
from jixiao.audit.base import Interval, ratio_interval, stated_interval
from jixiao.audit.statements import analyse, clean_label, report_year

HEAD = "2024年度示范区某某局部门整体支出绩效自评报告\n\n一、基本情况\n\n"


def run(body: str, *, head: bool = True, families: tuple[str, ...] = ()) -> AuditResult:
    """Audit a fixture. Fragments have no outline, so the section checks run only when asked for."""
    checks = [(n, c) for n, c in CHECKS if (n in families if families else n != "completeness")]
    return audit_document(document_from_text((HEAD if head else "") + body, "fixture.txt"), checks=checks)


def codes(r: AuditResult) -> list[str]:
    return [f.code for f in r.findings]


def only(r: AuditResult, code: str):  # type: ignore[no-untyped-def]
    found = [f for f in r.findings if f.code == code]
    assert len(found) == 1, [f.message for f in r.findings]
    return found[0]


# ------------------------------------------------------------------ tolerance


def test_stated_interval_is_half_a_unit_of_the_last_place() -> None:
    assert stated_interval(Decimal("786.65"), 2) == Interval(Decimal("786.645"), Decimal("786.655"))
    assert stated_interval(Decimal("100"), 0) == Interval(Decimal("99.5"), Decimal("100.5"))


def test_approximate_words_loosen_the_interval() -> None:
    iv = stated_interval(Decimal("173"), 0, approx="约")
    assert iv.lo <= Decimal("160") and iv.hi is not None and iv.hi >= Decimal("185")
    assert stated_interval(Decimal("4200"), 0, approx="逾").hi is None


def test_ratio_interval_contains_the_exact_ratio() -> None:
    r = ratio_interval(stated_interval(Decimal("99.6"), 1), stated_interval(Decimal("100"), 0))
    assert r is not None and r.meets(stated_interval(Decimal("1.00"), 0))


# ------------------------------------------------------------------ statements


def test_labels_drop_years_numbering_and_fillers() -> None:
    assert clean_label("2024 年度总收入") == "总收入"
    assert clean_label("1.基本支出") == "基本支出"
    assert clean_label("其中：人员经费为") == "人员经费"


def test_report_year_comes_from_the_title() -> None:
    assert report_year("2024年度某局自评报告\n2023年度收入 1 万元。2023年度支出 1 万元。") == 2024


def test_lists_and_canonical_keys_are_read() -> None:
    doc = document_from_text(HEAD + "本年支出 100.00 万元，其中基本支出 40.00 万元，项目支出 60.00 万元。", "f.txt")
    a = analyse(doc)
    assert len(a.lists) == 1
    pl = a.lists[0]
    assert pl.total.shown == "100.00万元" and [m.key for m in pl.parts] == ["expense_basic", "expense_project"]


# ------------------------------------------------------------------ sums


def test_sums_exhaustive_gap_is_an_error() -> None:
    f = only(run("本年支出合计 100.00 万元，其中基本支出 40.00 万元，项目支出 50.00 万元。"), "SUM_MISMATCH")
    assert f.severity == "error" and "90.00万元" in f.message and "10.00万元" in f.message


def test_sums_that_hold_say_nothing() -> None:
    assert not run("本年支出合计 100.00 万元，其中基本支出 40.00 万元，项目支出 60.00 万元。").findings


def test_sums_within_rounding_hold() -> None:
    # 33.33 + 66.66 = 99.99 may be 33.334 + 66.664 = 99.998, shown as 100.00: rounding, holds
    assert not run("本年支出 100.00 万元，其中基本支出 33.33 万元，项目支出 66.66 万元。").findings
    assert codes(run("本年支出 100.00 万元，其中基本支出 33.33 万元，项目支出 66.65 万元。")) == ["SUM_MISMATCH"]
    # 0.3 written beside two-decimal amounts is 0.30: 10.00 + 0.3 = 10.30 holds
    assert not run("基本支出 10.30 万元，其中人员经费 10.00 万元，公用经费 0.3 万元。").findings


def test_sums_partial_list_is_info_and_excess_is_error() -> None:
    partial = only(run("年末在职人员 10人，其中行政编制 3人，事业编制 5人，退休人员 4人。"), "SUM_PARTIAL")
    assert partial.severity == "info" and "8人" in partial.message  # 退休 is not part of 在职
    excess = only(run("参训学员共 10 人，其中男学员 6 人，女学员 5 人。"), "SUM_EXCEEDS_TOTAL")
    assert excess.severity == "error"


def test_sums_several_partitions_of_one_total() -> None:
    assert not run("在托 20 人，其中男 12 人、女 8 人，60岁以下 5 人、60岁以上 15 人。").findings


def test_sums_list_running_on_past_semicolon() -> None:
    assert not run("资助 30 名学生，其中小学 10 人，初中 10 人；高中 6 人，大学 4 人。").findings


def test_sums_canonical_decomposition_across_paragraphs() -> None:
    r = run("本部门本年支出 500.00 万元。\n\n基本支出 200.00 万元。\n\n项目支出 290.00 万元。")
    f = only(r, "SUM_MISMATCH")
    assert "490.00万元" in f.message and len(f.evidence) == 3


# ------------------------------------------------------------------ shares


def test_share_mismatch_is_an_error() -> None:
    r = run("年初收入预算 200.00 万元，其中：财政拨款 150.00 万元，占 75.00%，其他收入 50.00 万元，占 52.00%。")
    f = only(r, "SHARE_MISMATCH")
    assert "25.00%" in f.message and f.severity == "error"


def test_share_that_holds_at_stated_precision() -> None:
    # 99.6 % written as "100%" (0 decimals) holds
    assert not run("收入 250.00 万元，其中财政拨款 249.00 万元，占比 100%，其他收入 1.00 万元，占比 0.4%。").findings


def test_share_on_another_base_names_that_base() -> None:
    body = (
        "本部门本年收入 110.00 万元。\n\n一般公共预算财政拨款收入 60.00 万元，占总收入的 60.00%；"
        "政府性基金预算财政拨款收入 40.00 万元，占总收入的 40.00%。"
    )
    r = run(body)
    f = [x for x in r.findings if x.code == "SHARE_OTHER_BASE"]
    assert f and "100.00万元" in f[0].message and f[0].severity == "warning"


# ------------------------------------------------------------------ rates


def test_rate_mismatch_is_an_error() -> None:
    f = only(run("项目预算 200.00 万元，实际支出 150.00 万元，执行率为 80.00%。"), "RATE_MISMATCH")
    assert "75.00%" in f.message


def test_rate_that_holds_and_the_budget_inside_the_rate_clause() -> None:
    assert not run("项目预算 200.00 万元，实际支出 150.00 万元，执行率为 75%。").findings
    assert not run("三公经费支出决算为 0.72 万元，完成全年预算 0.72 万元的 100%。").findings


def test_rate_holds_on_another_pair_of_the_sentence() -> None:
    assert not run("任务数为 100 人（800 月/人），全年完成 120 人（1000 月/人），完成率 125%。").findings


def test_adjustment_rate() -> None:
    ok = "年初预算 100.00 万元，年中追加基本支出预算 20.00 万元，追加项目支出预算 30.00 万元，预算调整率为 50.00%。"
    assert not run(ok).findings
    bad = ok.replace("50.00%", "55.00%")
    assert "50.00%" in only(run(bad), "RATE_MISMATCH").message


def test_rate_without_operands_is_not_judged() -> None:
    assert not run("本年度预算执行率 92%以上。").findings


# ------------------------------------------------------------------ growth


def test_growth_rate_mismatch() -> None:
    f = only(run("基本支出 110.00 万元，比上年增加 10.00 万元，增长 12.0%。"), "GROWTH_MISMATCH")
    assert "100.00万元" in f.message and "10.0%" in f.message


def test_growth_that_holds() -> None:
    assert not run("基本支出 110.00 万元，比上年增加 10.00 万元，增长 10.0%。").findings
    assert not run("项目支出 90.00 万元，比上年减少 10.00 万元，下降 10%。").findings


def test_growth_direction_contradiction() -> None:
    assert "GROWTH_DIRECTION" in codes(run("基本支出 110.00 万元，比上年增加 10.00 万元，下降 10.0%。"))


def test_change_against_the_prior_year_statement() -> None:
    body = (
        "2024 年度，一般公共预算财政拨款收入 90.00 万元，同比上年度减少 12.00 万元。\n\n"
        "2023 年度，一般公共预算财政拨款收入 100.00 万元。"
    )
    assert "GROWTH_MISMATCH" in codes(run(body))
    assert "GROWTH_MISMATCH" not in codes(run(body.replace("12.00", "10.00")))


# ------------------------------------------------------------------ units


def test_unit_slip_proved_by_the_rate() -> None:
    f = only(run("专项经费预算 50.00万元，支出 49.00元，执行率为 98.00%。"), "UNIT_SLIP")
    assert f.severity == "error" and "49.00万元" in f.suggestion  # type: ignore[operator]
    assert "RATE_MISMATCH" not in codes(run("专项经费预算 50.00万元，支出 49.00元，执行率为 98.00%。"))


def test_units_that_are_right_say_nothing() -> None:
    assert not run("专项经费预算 50.00万元，支出 49.00万元，执行率为 98.00%。").findings
    assert not run("按每人 260元 补贴，共发放 18720元。").findings


def test_unit_suspected_from_neighbours() -> None:
    f = only(run("培训经费预算 12.50万元，实际支出 12.40元。"), "UNIT_SUSPECT")
    assert f.severity == "warning"
    assert not run("人均补助 350.00元，共发放补助 360.00万元。").findings


# ------------------------------------------------------------------ cross-statements


def test_same_figure_two_values() -> None:
    body = "本部门本年收入 100.00 万元。\n\n本部门全年收入 98.00 万元，均为财政拨款。"
    f = only(run(body), "FIGURE_CONFLICT")
    assert "100.00万元" in f.message and "98.00万元" in f.message and f.severity == "warning"


def test_same_activity_restated_differently() -> None:
    body = (
        "一是做好节日慰问。春节期间慰问困难家庭 300 户，发放慰问金 30.00 万元。\n\n"
        "二是完成培训。组织技能培训 5 期，培训学员 120 人。\n\n"
        "主要成效：慰问困难家庭 310 户 31.50 万元；技能培训学员 120 人。"
    )
    f = only(run(body), "STATEMENT_CONFLICT")
    assert "300户" in f.message and "310户" in f.message


def test_same_activity_same_numbers_is_fine() -> None:
    body = "春节期间慰问困难家庭 300 户，发放慰问金 30.00 万元。\n\n主要成效：慰问困难家庭 300 户 30.00 万元。"
    assert not run(body).findings


# ------------------------------------------------------------------ duplication


PARAS = [
    "本单位严格执行预算管理制度，按月分析支出进度，及时纠正执行偏差，确保资金安全规范使用。",
    "在资产管理方面，定期开展资产清查盘点，做到账实相符，新增资产及时登记入账并落实使用责任。",
    "在信息公开方面，按规定时限公开部门预算、决算及绩效目标，主动接受社会监督和群众评议。",
    "在采购管理方面，严格执行政府采购计划，规范采购程序，做到应采尽采并按时公开采购意向。",
]


def test_repeated_block_is_reported_once_with_both_places() -> None:
    body = "\n\n".join([*PARAS, "另有说明。", *PARAS])
    f = only(run(body), "DUPLICATE_PASSAGE")
    assert f.severity == "warning" and len(f.evidence) == 2
    assert f.evidence[0].location.paragraph != f.evidence[1].location.paragraph


def test_distinct_paragraphs_are_not_duplicates() -> None:
    assert "DUPLICATE_PASSAGE" not in codes(run("\n\n".join(PARAS)))


# ------------------------------------------------------------------ completeness

FULL = (
    "一、基本情况\n\n本局负责示范区的相关工作，内设机构三个。\n\n"
    "二、部门整体收支情况\n\n本年收入 10.00 万元。\n\n"
    "三、绩效目标完成情况\n\n完成年度目标。\n\n"
    "四、存在的主要问题\n\n部分项目支出进度偏慢，绩效目标设置不够细化。\n\n"
    "五、下一步改进措施\n\n加强预算执行监控，细化绩效指标。"
)


def test_complete_outline_says_nothing() -> None:
    assert not run(FULL, families=("completeness",)).findings


def test_missing_section() -> None:
    body = FULL.split("四、")[0]
    missing = {f.values["section"] for f in run(body, families=("completeness",)).findings}
    assert missing == {"存在的问题", "改进措施"}


def test_problems_none_is_a_finding() -> None:
    body = FULL.replace("部分项目支出进度偏慢，绩效目标设置不够细化。", "无。")
    f = only(run(body, families=("completeness",)), "SECTION_EMPTY")
    assert f.values["section"] == "存在的问题" and f.severity == "warning"


# ------------------------------------------------------------------ scores

TABLE = (
    "指标\t分值\t年度指标值\t实际完成值\t得分\n"
    "培训人数\t4\t≥100人\t60人\t4.00\n"
    "满意度\t3\t≥90%\t95%\t3.00\n"
    "发放补贴户数\t3\t20户\t80户\t3.00\n"
    "合计\t10\t\t\t10.00"
)


def test_full_score_short_of_target_and_too_low_target() -> None:
    r = run(TABLE, head=False)
    short = only(r, "SCORE_FULL_BUT_SHORT")
    assert "60人" in short.message and "2.40" in short.message and short.severity == "error"
    low = only(r, "TARGET_TOO_LOW")
    assert low.severity == "info" and "80户" in low.message
    assert "SCORE_TOTAL_MISMATCH" not in codes(r)


def test_table_total_mismatch_and_bonus_row() -> None:
    r = run(TABLE.replace("合计\t10\t\t\t10.00", "合计\t10\t\t\t9.00"), head=False)
    assert "SCORE_TOTAL_MISMATCH" in codes(r)
    bonus = TABLE.replace("合计\t10\t\t\t10.00", "加减分项\t5\t\t\t2.00\n合计\t10\t\t\t10.00")
    assert "SCORE_BONUS_NOT_IN_TOTAL" in codes(run(bonus, head=False))


PROSE = (
    "本部门自评总分为 {total} 分。\n\n"
    "管理效能综合反映管理水平，指标分值 45 分，本部门自评分 {m} 分。具体如下：\n\n"
    "1.资金管理：分值 20 分，自评分 {a} 分，扣分原因：预算完成率偏低，扣 0.5 分。\n\n"
    "2.资产管理：分值 25 分，自评分 25 分。\n\n"
    "履职效能集中反映产出，指标分值 55 分，本部门自评分 54 分，扣分原因：未达标扣 1 分。"
)


def test_prose_scores_that_hold() -> None:
    assert not run(PROSE.format(total="98.5", m="44.5", a="19.5")).findings


@pytest.mark.parametrize(
    "total, m, a, code",
    [
        ("99", "44.5", "19.5", "SCORE_TOTAL_MISMATCH"),
        ("98.5", "44.5", "19", "SCORE_DEDUCTION_MISMATCH"),
        ("98.5", "44.5", "19", "SCORE_SUBTOTAL_MISMATCH"),
    ],
)
def test_prose_scores_that_do_not(total: str, m: str, a: str, code: str) -> None:
    assert code in codes(run(PROSE.format(total=total, m=m, a=a)))


def test_rule_floor_conflict() -> None:
    table = (
        "指标\t分值\t评分标准\t得分\t依据\n"
        "预算完成率\t4\t低于90%的不得分\t3.58\t89.61%×4=3.5844\n"
        "合计\t4\t\t3.58\t"
    )
    f = only(run(table, head=False), "SCORE_RULE_CONFLICT")
    assert "89.61%" in f.message
    assert "SCORE_RULE_CONFLICT" not in codes(run(table.replace("89.61%", "95.00%"), head=False))


def test_deviation_without_reason() -> None:
    table = TABLE.replace("培训人数\t4\t≥100人\t60人\t4.00", "培训人数\t4\t≥100人\t60人\t2.40\t无")
    table = table.replace("得分\n", "得分\t未达标原因\n")
    f = only(run(table, head=False, families=("completeness",)), "DEVIATION_NO_REASON")
    assert "60人" in f.message
    explained = table.replace("2.40\t无", "2.40\t场地受限")
    assert not run(explained, head=False, families=("completeness",)).findings


def test_deviation_explained_in_the_text_needs_no_reason_column() -> None:
    table = TABLE.replace("培训人数\t4\t≥100人\t60人\t4.00", "培训人数\t4\t≥100人\t60人\t2.40\t无")
    table = table.replace("得分\n", "得分\t未达标原因\n")
    text = table + "\n\n“培训人数”年度指标值 ≥100人，实际完成 60人。偏差原因：场地改造，两期培训顺延。\n"
    assert "DEVIATION_NO_REASON" not in codes(run(text, head=False, families=("completeness",)))
    other = table + "\n\n满意度调查由第三方开展，原因是确保客观。\n"  # a reason about another indicator
    assert "DEVIATION_NO_REASON" in codes(run(other, head=False, families=("completeness",)))


@pytest.mark.parametrize(
    "target, actual, score, owed",
    [
        ("是", "否", "0.00", True),  # a qualitative target not met
        ("明显改善", "有所改善", "1.00", True),  # not fully met: points taken
        ("明显改善", "有所改善", "2.00", False),  # full marks: the framework took nothing
        ("是", "是", "2.00", False),
        ("≥100%", "100%", "2.00", False),  # a numeric target met
    ],
)
def test_which_deviations_owe_a_reason(target: str, actual: str, score: str, owed: bool) -> None:
    table = (
        "指标\t分值\t年度指标值\t实际完成值\t得分\t未达标原因\n"
        f"按期完工\t2\t{target}\t{actual}\t{score}\t无\n"
        "培训人数\t4\t≥100人\t120人\t4.00\t无\n"
    )
    got = "DEVIATION_NO_REASON" in codes(run(table, head=False, families=("completeness",)))
    assert got is owed


def test_indicator_without_actual_is_incomplete() -> None:
    table = "指标\t分值\t年度指标值\t实际完成值\t得分\t未达标原因\n按期完工\t2\t是\t\t2.00\t无\n培训人数\t4\t≥100人\t120人\t4.00\t无\n"
    f = only(run(table, head=False, families=("completeness",)), "INDICATOR_INCOMPLETE")
    assert "实际完成值" in f.message


NESTED = (
    "指标\t分值\t得分\t原自评分\t评分依据\n"
    "管理效能\t45\t40.10\t\t下级指标得分合计\n"
    "绩效管理\t15\t13.50\t\t下级指标得分合计\n"
    "绩效指标明确性\t5\t4.50\t\t\n"
    "绩效目标完成率\t10\t9.00\t9.50\t\n"
    "资金管理\t30\t26.60\t\t\n"
    "预算完成率\t30\t26.60\t\t\n"
    "履职效能\t55\t{perf}\t\t\n"
    "合计\t100\t{total}\t92.50\t\n"
)


def test_a_score_tree_in_one_column_adds_up_at_its_top_level() -> None:
    """A generated 自评表 lists 一级/二级/三级 rows one under another; a previous score column is not the score."""
    ok = run(NESTED.format(perf="50.00", total="90.10"), head=False, families=("scores",))
    assert not [f for f in ok.findings if f.code.startswith("SCORE_")]
    bad = run(NESTED.format(perf="50.00", total="91.10"), head=False, families=("scores",))
    assert "SCORE_TOTAL_MISMATCH" in codes(bad)


def test_scores_quoted_in_table_cells_are_not_prose_records() -> None:
    text = (
        "本部门自评总分为 92.00 分。\n\n"
        "指标\t分值\t得分\t评分依据\n"
        "绩效管理\t15\t15.00\t人工评分，理由：自评报告称绩效管理分值 15 分、自评分 15 分\n"
        "资金管理\t85\t77.00\t人工评分，理由：自评报告称资金管理分值 85 分、自评分 77 分\n"
        "合计\t100\t92.00\t\n"
    )
    assert not codes(run(text, head=False, families=("scores",)))


def _paragraphs(*texts: str):  # type: ignore[no-untyped-def]
    """A Document of one paragraph per text, as a .docx reader gives it."""
    from jixiao.ingest.document import Block, Location, assemble

    titles = [t for t in HEAD.split("\n") if t]
    blocks = [
        Block(kind="heading" if i < len(titles) else "paragraph", text=t, location=Location("f.docx", paragraph=i + 1))
        for i, t in enumerate([*titles, *texts])
    ]
    return assemble("f.docx", "docx", blocks)


def test_a_number_split_from_its_unit_across_paragraphs_is_read_whole() -> None:
    doc = _paragraphs("本年支出合计 100.00 万", "元，其中基本支出 40.00 万元，项目支出 50.00", "万元。")
    r = audit_document(doc, checks=[(n, c) for n, c in CHECKS if n == "sums"])
    f = only(r, "SUM_MISMATCH")
    assert "100.00万元" in f.message.replace(" ", "") and "10.00万元" in f.message


def test_a_title_line_does_not_run_into_the_next_label() -> None:
    doc = _paragraphs("基本支出情况", "全年基本支出 40.00 万元，其中人员经费 30.00 万元，公用经费 10.00 万元。")
    a = analyse(doc)
    assert [m.key for m in a.mentions][:1] == ["expense_basic"]


def test_a_figure_stated_in_prose_and_in_a_table_is_compared() -> None:
    """The extraction reads tables; its table statements join the prose ones in the cross check."""
    from jixiao.ingest.extract import extract_document

    text = (
        HEAD + "2024年度本部门本年支出 100.00 万元，其中基本支出 40.00 万元，项目支出 60.00 万元。\n\n"
        "项目\t决算数（万元）\n本年支出合计\t{total}\n基本支出\t40.00\n项目支出\t{project}\n"
    )
    cross = [(n, c) for n, c in CHECKS if n == "cross"]
    doc = document_from_text(text.format(total="120.00", project="80.00"), "f.txt")
    r = audit_document(doc, extraction=extract_document(doc), checks=cross)
    assert {f.values["value2"] for f in r.findings if f.code == "FIGURE_CONFLICT"} == {"120.00万元", "80.00万元"}
    same = document_from_text(text.format(total="100.00", project="60.00"), "f.txt")
    assert not audit_document(same, extraction=extract_document(same), checks=cross).findings
