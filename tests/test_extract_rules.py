"""Extraction rules on small hand-written fixtures: synonyms, context, scores, indicators, mentions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.ingest import document_from_text
from jixiao.ingest.extract import extract_document
from jixiao.ingest.extraction.context import read_label

TITLE = "2022年度示例市东城区文化局部门整体支出绩效自评报告\n\n一、基本情况\n\n"


def ex(body: str, title: str = TITLE):  # type: ignore[no-untyped-def]
    return extract_document(document_from_text(title + body, "fixture.txt"))


def figs(body: str, title: str = TITLE) -> dict[str, tuple[str, str]]:
    return {k: (str(f.value), f.unit) for k, f in ex(body, title).dossier.figures.items()}


# ---------------------------------------------------------------- synonym families


def test_income_total_and_parts_after_qizhong() -> None:
    f = figs(
        "2022年本单位收入决算数1000.50万元，其中一般公共预算财政拨款收入900.25万元，"
        "政府性基金预算拨款收入80万元，其他收入20.25万元。"
    )
    assert f["income_total"] == ("1000.50", "万元")
    assert f["income_general"] == ("900.25", "万元")
    assert f["income_fund"] == ("80", "万元")
    assert f["income_other"] == ("20.25", "万元")


def test_expense_structure_and_economic_parts() -> None:
    f = figs(
        "全年支出决算数500万元，其中基本支出300万元，项目支出200万元。\n"
        "全年基本支出决算300万元，其中工资福利支出250万元，商品和服务支出40万元，"
        "对个人和家庭补助支出6万元，资本性支出4万元。"
    )
    assert f["expense_total"] == ("500", "万元")
    assert f["expense_basic"] == ("300", "万元")
    assert f["expense_project"] == ("200", "万元")
    assert f["personnel"] == ("250", "万元")
    assert f["public_funds"] == ("40", "万元")
    assert f["subsidies_individual"] == ("6", "万元")
    assert f["capital_expense"] == ("4", "万元")


def test_prose_list_with_respectively() -> None:
    x = ex("本年度收入决算数、支出决算数分别为 1000 万元、980 万元。")
    f = {k: (str(v.value), v.unit) for k, v in x.dossier.figures.items()}
    assert f["income_total"] == ("1000", "万元") and f["expense_total"] == ("980", "万元")
    assert [m.label for m in x.mentions] == ["本年度收入决算数", "支出决算数"]
    assert "980 万元" in (x.dossier.figures["expense_total"].source.quote or "")


def test_personnel_and_public_funds_synonyms() -> None:
    f = figs("本年度，我部门基本支出 100 万元，其中人员经费 80 万元，公用经费 20 万元。")
    assert f["personnel"] == ("80", "万元")
    assert f["public_funds"] == ("20", "万元")


def test_initial_versus_adjusted_budget_and_execution() -> None:
    f = figs(
        "本年度年初预算数为 500 万元。\n本部门全年预算数 800 万元，执行数 780 万元，预算执行率为 97.5%。"
    )
    assert f["budget_initial"] == ("500", "万元")
    assert f["budget_total"] == ("800", "万元")
    assert f["executed_total"] == ("780", "万元")
    assert f["execution_rate"] == ("97.5", "%")


def test_completion_of_budget_wording_is_execution_rate() -> None:
    f = figs("本部门调整后预算数 120 万元，执行数 114 万元，完成预算的 95%。")
    assert f["budget_total"] == ("120", "万元")
    assert f["execution_rate"] == ("95", "%")


def test_year_start_budget_parts_are_not_final_accounts() -> None:
    f = figs(
        "1、财务情况：2022年年初收入预算300万元，其中：一般公共预算拨款280万元，其他收入20万元；项目支出预算50万元。"
    )
    assert f["budget_initial"] == ("300", "万元")
    assert f["income_general_budget_initial"] == ("280", "万元")
    assert f["income_other_budget_initial"] == ("20", "万元")
    assert f["expense_project_budget_initial"] == ("50", "万元")
    assert "income_general" not in f and "income_other" not in f


def test_prior_year_by_written_year_and_changes_are_not_figures() -> None:
    f = figs(
        "2022 年度，一般公共预算财政拨款收入 900 万元，比上年减少 10 万元。\n"
        "2021 年度，一般公共预算财政拨款收入 910 万元，占总收入的 95%。"
    )
    assert f["income_general"] == ("900", "万元")
    assert f["prior_income_general"] == ("910", "万元")
    assert all(v[0] != "10" for v in f.values())


def test_prior_year_by_word_and_fund_expense() -> None:
    f = figs("上年一般公共预算财政拨款收入 700 万元。\n政府性基金预算支出 30 万元。")
    assert f["prior_income_general"] == ("700", "万元")
    assert f["expense_fund"] == ("30", "万元") and "income_fund" not in f


def test_own_level_is_not_the_department_total() -> None:
    f = figs("一般公共预算财政拨款收入（本级）300 万元。")
    assert "income_general" not in f


def test_three_public_subject_gives_bare_words_their_meaning() -> None:
    f = figs("（1）“三公”经费支出情况：本年度我部门“三公”经费年初预算 2 万元，支出年终决算数 1.5 万元。")
    assert f["three_public_budget"] == ("2", "万元")
    assert f["three_public_actual"] == ("1.5", "万元")
    assert "expense_total" not in f and "budget_initial" not in f


def test_explicit_total_after_a_specific_subject_stays_a_total() -> None:
    f = figs("本年度基本支出 100 万元，项目支出 50 万元，支出合计 150 万元。")
    assert f["expense_basic"] == ("100", "万元") and f["expense_total"] == ("150", "万元")


def test_project_sentence_does_not_give_unit_totals() -> None:
    f = figs("1.特困人员慰问经费，预算 95 万元，支出 90 万元，执行率为 94.74%。")
    assert f == {}


def test_target_wording_is_not_the_outcome() -> None:
    f = figs("2022 年度部门整体预算执行率 92%以上，满意度不低于 90%。")
    assert "execution_rate" not in f


def test_task_completion_rate_is_not_budget_execution() -> None:
    f = figs("任务数为155人，全年已完成201人，完成率137%。")
    assert "execution_rate" not in f


def test_procurement_assets_adjustment_carryover() -> None:
    f = figs(
        "政府采购预算 50 万元，实际政府采购金额 45 万元，政府采购执行率为 90%。\n"
        "固定资产总额 400 万元，在用固定资产总额 380 万元。\n"
        "预算调整率为 12.5%。年末结转结余 12 万元。"
    )
    assert f["procurement_plan"] == ("50", "万元")
    assert f["procurement_actual"] == ("45", "万元")
    assert f["procurement_execution_rate"] == ("90", "%")
    assert f["fixed_assets_total"] == ("400", "万元")
    assert f["fixed_assets_in_use"] == ("380", "万元")
    assert f["budget_adjustment_rate"] == ("12.5", "%")
    assert f["carryover_end"] == ("12", "万元")


def test_amount_keeps_unit_as_written() -> None:
    f = figs("本部门全年预算数 1,234,567.80 元，执行数 1,200,000.00 元。")
    assert f["budget_total"] == ("1234567.80", "元")
    assert f["executed_total"] == ("1200000.00", "元")


def test_read_label_context() -> None:
    c = read_label("2023年本单位收入决算数")
    assert (c.core, c.year, c.final, c.budget) == ("收入决算数", 2023, True, False)
    c = read_label("本年度年初基本支出预算")
    assert c.initial and c.budget and c.core == "基本支出预算"
    c = read_label("比上年决算数增加")
    assert c.delta and c.prior
    assert read_label("一般公共预算财政拨款收入").budget is False  # a fund name, not a budget figure


# ---------------------------------------------------------------- conflicts


def test_figure_stated_twice_with_different_values_keeps_both() -> None:
    x = ex(
        "本部门全年预算数 800 万元，执行数 780 万元。\n\n三、其他\n\n本部门全年预算数 850 万元，执行数 780 万元。"
    )
    stated = [(str(f.value), f.source.paragraph) for f in x.statements["budget_total"]]
    assert [v for v, _ in stated] == ["800", "850"]
    assert stated[0][1] != stated[1][1]
    chosen = x.dossier.figures["budget_total"]
    assert chosen.value == Decimal("800")
    assert "不一致" in (chosen.note or "") and "850" in (chosen.note or "")
    assert any("不一致" in w for w in x.warnings)
    assert len(x.statements["executed_total"]) == 2
    assert "一致" in (x.dossier.figures["executed_total"].note or "")


def test_same_amount_in_other_unit_is_not_a_conflict() -> None:
    x = ex("本部门全年预算数 800 万元。\n本部门全年预算数 8,000,000.00 元。")
    assert len(x.statements["budget_total"]) == 2
    assert "一致" in (x.dossier.figures["budget_total"].note or "")
    assert not any("不一致" in w for w in x.warnings)


def test_most_frequent_value_wins_a_conflict() -> None:
    x = ex("全年预算数 800 万元。\n全年预算数 850 万元。\n全年预算数 850 万元。")
    assert x.dossier.figures["budget_total"].value == Decimal("850")


# ---------------------------------------------------------------- meta


def test_unit_year_kind_from_title() -> None:
    x = ex(
        "一、基本情况\n\n本部门全年预算数 10 万元。",
        title="2021 年度示例市西城区卫生健康局 项目支出绩效自评报告\n\n",
    )
    d = x.dossier
    assert (d.unit.name, d.year, d.kind) == ("示例市西城区卫生健康局", 2021, "项目支出")
    assert x.meta_sources["unit"].quote == "示例市西城区卫生健康局" and x.meta_sources["unit"].paragraph == 1


def test_year_is_not_a_document_number_or_signature_date() -> None:
    body = "依据《办法》（示财〔2023〕12号），本单位开展自评。\n\n示例市南区体育局\n2024年3月1日\n"
    d = ex(body, title="示例市南区体育局\n2022年度部门整体支出绩效自评报告\n\n").dossier
    assert d.year == 2022 and d.unit.name == "示例市南区体育局" and d.kind == "部门整体"


def test_unit_from_name_cell_and_full_name_from_signature() -> None:
    table = "单位名称\t示例省某市北区民政局\t\t\n项目\t全年预算数\t全年执行数\t完成率\n"
    d = ex(table, title="部门整体支出绩效自评表\n(2020年度)\n\n").dossier
    assert d.unit.name == "示例省某市北区民政局" and d.year == 2020
    d = ex(
        "（一）概况\n\n正文。\n\n示例市北区民政局\n", title="2020年度北区民政局整体支出\n绩效自评报告\n\n"
    ).dossier
    assert d.unit.name == "示例市北区民政局"


def test_year_missing_or_only_in_text() -> None:
    from jixiao.errors import InputError

    with pytest.raises(InputError, match="年度"):
        ex("本部门全年预算数 800 万元。", title="示例市南区体育局自评报告\n\n")
    x = ex("2019年本部门全年预算数 800 万元，2019年执行数 790 万元。", title="示例市南区体育局自评报告\n\n")
    assert x.dossier.year == 2019 and any("2019" in w for w in x.warnings)


def test_unit_from_first_sentence_without_title() -> None:
    d = ex(
        "一、基本情况\n\n示例市东区残疾人联合会是区委主管的人民团体。本部门 2019年度整体支出绩效自评分为 90分。",
        title="",
    ).dossier
    assert d.unit.name == "示例市东区残疾人联合会" and d.year == 2019


# ---------------------------------------------------------------- scores


def test_stated_total_grade_and_sub_scores() -> None:
    x = ex(
        "（一）自评结论\n\n整体支出绩效自评分为 88.5分，综合评定等级为良。\n\n"
        "管理效能综合反映管理水平，指标分值 45 分，本部门自评分 40.5分。\n\n"
        "1.资金管理：分值 20 分，自评分 18.5 分，扣分原因：略。\n\n"
        "2.资产管理：分值 4 分，自评 3 分。\n\n"
        "履职效能指标分值 50分，本部门自评分 48分。；加减分项 5 分，本部门不得分。"
    )
    s = x.dossier.stated
    assert s.total == Decimal("88.5") and s.grade == "良"
    subs = {(m.name, str(m.score), str(m.max)) for m in x.sub_scores}
    assert subs == {
        ("管理效能", "40.5", "45"),
        ("资金管理", "18.5", "20"),
        ("资产管理", "3", "4"),
        ("履职效能", "48", "50"),
        ("加减分项", "0", "5"),
    }
    assert s.items["资金管理"] == Decimal("18.5")
    assert "88.5分" in s.sources["total"].quote


def test_grade_only_and_no_score() -> None:
    s = ex("2022 年度，本部门整体支出绩效自评结果为优。本部门优化了流程。").dossier.stated
    assert s.total is None and s.grade == "优"


def test_total_from_table_total_row() -> None:
    x = ex("一级指标\t分值\t三级指标\t分值\t评分标准\t得分\n总分\t100\t\t\t自评得分\t91.25\n")
    assert x.dossier.stated.total == Decimal("91.25")


# ---------------------------------------------------------------- indicator tables

TABLE = (
    "一级指标\t分值\t二级指标\t分值\t三级指标\t分值\t指标解释\t评分标准\t得分\t评分依据\n"
    "\t\t\t\t指标甲\t2.00\t反映甲的情况。\t符合得2分，否则不得分。\t2.00\t依据甲\n"
    "30.00\t资金管理\t10.00\t反映乙的情况。\t4.00\t乙率=实际/预算×100%，每低1%扣0.1分。\t3.50\t89%×4=3.56\n"
    "\t\t\t预算编制准确性\t3.00\t反映丙。\t符合得3分。\t3.00\t依据丙\n"
    "一级指标\t分值\t二级指标\t分值\t三级指标\t分值\t年度指标值\t实际完成指标值\t得分\t评分依据\n"
    "(培训经费)为残疾人提供职业技能培训，提升就业能力，按文件要求组织实施各期培训班。\t5.00\t培训人数\t3\t≥100人\t120人\t3.00\t无\n"
    "履职效能\t\t培训满意度\t2\t≥90%\t88%\t1.96\t个别学员不满意\n"
    "总分\t100\t\t\t\t\t自评得分\t95.46\t\t\n"
)


def test_indicator_table_rule_and_target_rows() -> None:
    x = ex(TABLE)
    rows = x.indicators
    rule = [r for r in rows if r.layout == "rule"]
    target = [r for r in rows if r.layout == "target"]
    assert [(r.name, str(r.weight), str(r.stated_score)) for r in rule] == [
        ("指标甲", "2.00", "2.00"),
        (None, "4.00", "3.50"),
        ("预算编制准确性", "3.00", "3.00"),
    ]
    assert rule[1].level2 == "资金管理" and rule[1].level2_weight == Decimal("10.00")
    assert rule[1].level1_weight == Decimal("30.00")
    assert rule[1].explanation == "反映乙的情况。" and "扣0.1分" in (rule[1].rule or "")
    assert rule[2].level2 == "资金管理"  # carried down
    assert rule[0].level2 == "资金管理"  # a merged label printed mid-block names the rows above it too
    assert [(r.name, r.target, r.actual, str(r.stated_score)) for r in target] == [
        ("培训人数", "≥100人", "120人", "3.00"),
        ("培训满意度", "≥90%", "88%", "1.96"),
    ]
    assert all(r.level1 == "履职效能" for r in target)
    assert target[1].level2 == target[0].level2 and target[0].level2_weight == Decimal("5.00")
    assert x.dossier.stated.total == Decimal("95.46")
    p = x.dossier.projects
    assert len(p) == 1 and p[0].name == "培训经费" and p[0].weight == Decimal("5.00")
    assert [i.name for i in p[0].indicators] == ["培训人数", "培训满意度"]
    assert p[0].indicators[1].deviation_reason == "个别学员不满意"
    assert x.dossier.stated.items["指标甲"] == Decimal("2.00")
    assert rows[0].source.table is not None and "指标甲" in (rows[0].source.quote or "")


def test_figures_from_worked_formulas_in_a_scoring_table() -> None:
    table = (
        "年度支出规模(元)\t全年预算数\t全年执行数\n合计\t1,000.00\t900.00\n"
        "一级指标\t分值\t二级指标\t分值\t三级指标\t分值\t指标解释\t评分标准\t得分\t评分依据\n"
        "\t\t成本管理\t4.00\t公用经费控制率\t2.00\t反映公用经费的控制程度。\t"
        "公用经费控制率=（实际支出公用经费总额/预算安排公用经费总额）×100%。控制率≤100%，得满分。\t2.00\t"
        "455451.05/583092.57 ×100% = 78.1%\n"
    )
    x = ex(table)
    f = {k: (str(v.value), v.unit) for k, v in x.dossier.figures.items()}
    assert f["public_funds"] == ("455451.05", "元")
    assert f["public_funds_budget"] == ("583092.57", "元")
    assert f["public_funds_control_rate"] == ("78.1", "%")
    assert "计算式" in (x.dossier.figures["public_funds"].note or "")


def test_rates_the_frameworks_read_stated_in_prose() -> None:
    f = figs(
        "资金管理：分值 16 分，自评分 15.1 分，扣分原因：预算完成率 98.23%，扣 0.04 分；财政拨款收入预决算差异"
        "率=1.74%，扣 0.2 分；一般公共预算支出年度平均执行率=67.2%，扣 0.66分。"
        "本年度结转结余率为 3.5%，部门整体绩效目标完成率为 95%。"
    )
    assert f["income_budget_diff_rate"] == ("1.74", "%")
    assert f["avg_execution_rate"] == ("67.2", "%")
    assert f["carryover_rate"] == ("3.5", "%")
    assert f["target_completion_rate"] == ("95", "%")
    assert f["execution_rate"] == ("98.23", "%")
    # a change is still not the figure: "差异 50 万元", "平均每人 2 万元"
    g = figs("预决算差异为 50 万元。残疾人平均每人补助 2 万元。")
    assert not g


def test_change_on_the_prior_year_signed() -> None:
    f = figs("2022年我部门三公经费支出决算为0.72万元，比上年决算数减少17.84万元，下降96.1%。")
    assert f["three_public_change_rate"] == ("-96.1", "%")
    assert f["three_public_actual"] == ("0.72", "万元")
    g = figs("本年度“三公”经费支出 12 万元，比上年增长 20%。")
    assert g["three_public_change_rate"] == ("20", "%")
    # no comparison with the prior year: not a change rate
    assert "three_public_change_rate" not in figs("“三公”经费支出 12 万元，其中公务接待费下降 5%。")


def test_fiscal_income_budget_and_final() -> None:
    f = figs("财政拨款收入调整预算数 1200 万元，财政拨款收入决算数 1180 万元。")
    assert f["fiscal_income_budget"] == ("1200", "万元")
    assert f["fiscal_income_final"] == ("1180", "万元")


def test_deductions_give_item_stated_scores() -> None:
    x = ex(
        "1.资金管理：分值 16 分，自评分 15.96 分，扣分原因：预算完成率 98%，扣 0.04 分。"
        "2.资产管理：分值 4 分，自评分 3 分，扣分原因：某中心账实不符，扣 1分。"
    )
    items = x.dossier.stated.items
    assert items["资金管理"] == Decimal("15.96")
    assert items["预算完成率"] == Decimal("3.96")  # weight 4 in every framework, minus 0.04
    assert "扣 0.04 分" in (x.dossier.stated.sources["预算完成率"].quote or "")
    assert not any("账实" in k for k in items)  # a cause that names no indicator maps to nothing


def test_scoring_table_basis_rates_and_nil_numerators() -> None:
    table = (
        "一级指标\t分值\t二级指标\t分值\t三级指标\t分值\t指标解释\t评分标准\t得分\t评分依据\n"
        "\t\t资金管理\t16.00\t平均执行率\t2.00\t反映支出进度。\t按季度通报的平均执行率计分。\t2.00\t"
        "平均支出执行率达到100%\n"
        "\t\t资金管理\t16.00\t结转结余率\t2.00\t反映结转结余的控制程度。\t"
        "结余结转率=年末结转和结余决算数/（年初结转和结余+财政拨款决算数）×100%，≤10%得2分。\t2.00\t无结转结余\n"
        "\t\t资金管理\t16.00\t采购\t2.00\t反映采购。\t政府采购执行率≥95%得满分。\t2.00\t目标 ≥95%\n"
    )
    x = ex(table)
    f = {k: (str(v.value), v.unit) for k, v in x.dossier.figures.items()}
    assert f["avg_execution_rate"] == ("100", "%")
    assert f["carryover_rate"] == ("0", "%") and f["carryover_end"] == ("0", "元")
    assert "按 0 计" in (x.dossier.figures["carryover_rate"].note or "")
    assert "procurement_execution_rate" not in f  # a threshold, not the figure


def test_narrative_target_actual_pairs() -> None:
    x = ex(
        "1、数量指标。（1）技能培训方面。2022年下达我区技能培训指标任务为50人，全年实际培训62人。"
        "（2）康复救助方面。任务数为30人（240月/人），全年已完成28人，完成率93%。"
        "（3）改造方面。改造任务数20户，其中市级任务15户。"
    )
    pairs = [(r.name, r.level2, r.target, r.actual) for r in x.indicators if r.layout == "narrative"]
    assert pairs == [("技能培训", "数量指标", "50人", "62人"), ("康复救助", "数量指标", "30人", "28人")]
    assert "50人" in (x.indicators[0].source.quote or "") and "62人" in (x.indicators[0].source.quote or "")


# ---------------------------------------------------------------- mentions


def test_mentions_have_labels_units_sections_and_sources() -> None:
    x = ex(
        "（一）收支情况\n\n2022年本单位收入决算数2015.65万元，其中一般公共预算财政拨款收入1763.44万元，服务 120 人次。"
    )
    by_text = {m.text: m for m in x.mentions}
    m = by_text["1763.44万元"]
    assert m.label == "其中一般公共预算财政拨款收入" and m.unit == "万元" and m.value == Decimal("1763.44")
    assert m.section and "收支情况" in m.section[-1]
    assert m.source.paragraph is not None and "1763.44万元" in (m.source.quote or "")
    assert by_text["120 人次"].unit == "人次"
    assert all(m.unit not in {"年", "月", "日", ""} for m in x.mentions)


def test_table_mentions_take_the_row_label() -> None:
    x = ex("项目\t金额\n全年预算数\t12.5万元\n")
    m = next(m for m in x.mentions if m.text == "12.5万元")
    assert m.label == "全年预算数" and m.source.table is not None


@pytest.mark.parametrize("body", ["", "无数字的一段话。"])
def test_documents_without_figures_still_extract(body: str) -> None:
    x = ex(body)
    assert x.dossier.figures == {} and x.schema_ == "jixiao.extraction/1"


def test_frameworks_are_read_only_for_a_row_without_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.ingest.extraction import names
    from jixiao.ingest.extraction.model import IndicatorRow
    from jixiao.model import Provenance

    def no_frameworks() -> tuple[names.KnownItem, ...]:
        raise AssertionError("frameworks loaded although every row has a name")

    monkeypatch.setattr(names, "known_items", no_frameworks)
    src = Provenance(file="f.txt", line=1)
    named = IndicatorRow(name="预算执行率", weight=Decimal(5), rule="执行率×5", layout="rule", source=src)
    names.recover_names([named])  # nothing to recover: the frameworks stay unread
    words = "反映部门预算资金的实际执行情况以及资金使用效率的高低程度"
    item = names.KnownItem("资金执行率", "资金管理", Decimal(5), "fw", names._bigrams(words))
    nameless = IndicatorRow(weight=Decimal(5), explanation=words, layout="rule", source=src)
    names.recover_names([named, nameless], (item,))
    assert nameless.name == "资金执行率" and nameless.name_inferred


def test_section_lookup_agrees_with_section_path_at_every_offset() -> None:
    from jixiao.ingest.extract import _section_lookup
    from jixiao.ingest.outline import build_outline, section_path

    doc = document_from_text(
        TITLE + "（一）部门职能\n负责全区文化工作。\n（二）收支情况\n收入100万元。\n"
        "二、绩效目标\n1.产出目标：完成。\n2.效益目标：提高。\n三、存在的问题\n无。\n",
        "fixture.txt",
    )
    outline = build_outline(doc)
    section_of = _section_lookup(outline)
    paths = [section_of(i) for i in range(len(doc.text) + 1)]
    assert paths == [section_path(outline, i) for i in range(len(doc.text) + 1)]
    assert len({tuple(p) for p in paths}) >= 5  # the fixture really has nested sections
