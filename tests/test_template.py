"""The data-entry template: write, fill with openpyxl as a person would, read back, report bad cells."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.errors import InputError
from jixiao.frameworks import load_framework
from jixiao.frameworks.model import ChecklistRule
from jixiao.model import Adjustment, Dossier, Figure, ManualScore
from jixiao.template import is_template, read_template, write_template
from jixiao.template import layout as L
from test_render_fixtures import EXAMPLES, make_dossier, seed_file

FRAMEWORK = "guangzhou-district-overall"


@pytest.fixture(scope="module")
def framework():
    return load_framework(FRAMEWORK)


@pytest.fixture
def blank(tmp_path: Path, framework) -> Path:
    return write_template(framework, tmp_path / "填报模板.xlsx")


def _row_of(ws, key: str) -> int:
    for row in ws.iter_rows(min_row=L.FIRST_ROW, max_col=1):
        if row[0].value == key:
            return row[0].row
    raise AssertionError(f"{ws.title} has no row {key}")


def _criteria(framework) -> list[str]:
    return [c.fact for i in framework.walk() if isinstance(i.rule, ChecklistRule) for c in i.rule.criteria]


def _manual_item(framework) -> str:
    return next(i.id for i in framework.walk() if i.rule is not None and i.rule.kind in {"ratio", "manual"})


def _dossier_for(framework) -> Dossier:
    dossier = make_dossier()
    facts = _criteria(framework)
    dossier.management = {facts[0]: "是", facts[1]: "部分", facts[2]: D("0.3")}
    dossier.framework = framework.id
    dossier.stated.items = {framework.items[0].id: D("40.5")}
    dossier.manual_scores = {_manual_item(framework): ManualScore(score=D(2), reason="按报告所述")}
    dossier.adjustments = [Adjustment(kind="加分", points=D("2.5"), reason="受财政部门表扬", evidence="通报")]
    dossier.figures["budget_total"] = Figure(value=D("1200.00"), unit="万元", note="来自决算表")
    return dossier


def _fill(path: Path, dossier: Dossier) -> None:
    """Type a dossier into a blank template the way a person would, cell by cell."""
    wb = load_workbook(path)
    unit = wb[L.SHEET_UNIT]
    values = {"unit.name": dossier.unit.name, "year": dossier.year, "kind": dossier.kind,
              "framework": dossier.framework, "unit.level": dossier.unit.level,
              "stated.total": float(dossier.stated.total), "stated.grade": dossier.stated.grade}
    for key, value in values.items():
        unit.cell(_row_of(unit, key), L.UNIT_VALUE_COL, value)
    for key, text in dossier.texts.items():
        unit.cell(_row_of(unit, L.TEXT_PREFIX + key), L.UNIT_VALUE_COL, text)
    figures = wb[L.SHEET_FIGURES]
    for key, figure in dossier.figures.items():
        r = _row_of(figures, key)
        figures.cell(r, L.FIG_VALUE_COL, float(figure.value))
        figures.cell(r, L.FIG_UNIT_COL, figure.unit)
        figures.cell(r, L.FIG_NOTE_COL, figure.note)
    mgmt = wb[L.SHEET_MANAGEMENT]
    for fact, answer in dossier.management.items():
        mgmt.cell(_row_of(mgmt, fact), L.MGMT_ANSWER_COL, float(answer) if isinstance(answer, D) else answer)
    ind = wb[L.SHEET_INDICATORS]
    r = L.FIRST_ROW
    c = L.IND_COL
    for project in dossier.projects:
        ind.cell(r, c["project"], project.name)
        for indicator in project.indicators:
            for field in ("level1", "level2", "name", "target", "actual", "deviation_reason", "evidence"):
                ind.cell(r, c[field], getattr(indicator, field))
            ind.cell(r, c["weight"], int(indicator.weight))
            r += 1
    scores = wb[L.SHEET_SCORES]
    for key, value in dossier.stated.items.items():
        scores.cell(_row_of(scores, key), L.SCORE_STATED_COL, float(value))
    for key, manual in dossier.manual_scores.items():
        scores.cell(_row_of(scores, key), L.SCORE_MANUAL_COL, float(manual.score))
        scores.cell(_row_of(scores, key), L.SCORE_REASON_COL, manual.reason)
    adj = wb[L.SHEET_ADJUSTMENTS]
    for offset, item in enumerate(dossier.adjustments):
        for field, col in L.ADJ_COL.items():
            value = getattr(item, field)
            adj.cell(L.FIRST_ROW + offset, col, float(value) if isinstance(value, D) else value)
    wb.save(path)


def test_blank_template_has_the_sheets_and_is_recognised(blank: Path) -> None:
    assert is_template(blank)
    wb = load_workbook(blank)
    assert wb.sheetnames == [L.SHEET_README, *L.DATA_SHEETS]
    assert wb[L.SHEET_README]["A1"].value == L.MARKER
    assert wb[L.SHEET_FIGURES].column_dimensions["A"].hidden


def test_blank_template_lists_every_checklist_criterion(blank: Path, framework) -> None:
    ws = load_workbook(blank)[L.SHEET_MANAGEMENT]
    listed = [r[2].value for r in ws.iter_rows(min_row=L.FIRST_ROW) if r[0].value]
    assert listed == _criteria(framework)


def test_data_validation_lists_and_numbers(blank: Path) -> None:
    wb = load_workbook(blank)
    mgmt = wb[L.SHEET_MANAGEMENT].data_validations.dataValidation
    assert any(dv.type == "list" and dv.formula1 == '"是,否,部分"' for dv in mgmt)
    figs = wb[L.SHEET_FIGURES].data_validations.dataValidation
    assert any(dv.type == "decimal" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0" for dv in figs)
    assert any(dv.type == "list" and "万元" in dv.formula1 for dv in figs)
    # Warnings rather than stops: "865.44万元" typed by a person must still reach the reader.
    assert all(dv.errorStyle == "warning" for dv in figs)


def test_prepared_empty_rows_are_not_printed(blank: Path, tmp_path: Path, framework) -> None:
    # 200 bordered input rows would print as pages of empty grid: the print area stops at the rows in use.
    wb = load_workbook(blank)
    last = L.FIRST_ROW + L.PRINTED_BLANK_ROWS - 1
    assert wb[L.SHEET_INDICATORS].max_row >= L.FIRST_ROW + L.INDICATOR_ROWS - 1
    assert wb[L.SHEET_INDICATORS].print_area.endswith(f"${last}")
    assert wb[L.SHEET_ADJUSTMENTS].print_area.endswith(f"${last}")
    # A filled sheet prints every filled row.
    dossier = _dossier_for(framework)
    dossier.projects[0].indicators *= 6
    filled = load_workbook(write_template(framework, tmp_path / "t.xlsx", dossier))
    rows = sum(len(p.indicators) or 1 for p in dossier.projects)
    assert rows > L.PRINTED_BLANK_ROWS
    assert filled[L.SHEET_INDICATORS].print_area.endswith(f"${L.FIRST_ROW + rows - 1}")


def test_rows_are_as_tall_as_their_wrapped_text(tmp_path: Path, framework) -> None:
    # LibreOffice prints wrapped text in a default-height row over its neighbours.
    dossier = _dossier_for(framework)
    dossier.projects[0].description = "为有需求的服务对象提供康复训练和服务，" * 4
    ws = load_workbook(write_template(framework, tmp_path / "t.xlsx", dossier))[L.SHEET_INDICATORS]
    first, second = ws.row_dimensions[L.FIRST_ROW].height, ws.row_dimensions[L.FIRST_ROW + 1].height
    assert first is not None and first >= 5 * 13.5
    assert second is None or second < first  # a short row stays short
    # Keys in the hidden column do not make rows tall.
    figures = load_workbook(write_template(framework, tmp_path / "b.xlsx"))[L.SHEET_FIGURES]
    assert figures.column_dimensions["A"].hidden
    assert all((figures.row_dimensions[r].height or 0) < 3 * 13.5 for r in range(L.FIRST_ROW, figures.max_row + 1))


def test_filled_template_reads_back_to_the_same_dossier(blank: Path, framework) -> None:
    dossier = _dossier_for(framework)
    _fill(blank, dossier)
    assert read_template(blank) == dossier


def test_template_prefilled_from_a_dossier_round_trips(tmp_path: Path, framework) -> None:
    dossier = _dossier_for(framework)
    path = write_template(framework, tmp_path / "t.xlsx", dossier)
    assert read_template(path) == dossier


def test_values_typed_the_way_people_type_them(blank: Path) -> None:
    wb = load_workbook(blank)
    ws = wb[L.SHEET_UNIT]
    ws.cell(_row_of(ws, "unit.name"), L.UNIT_VALUE_COL, "测试单位")
    ws.cell(_row_of(ws, "year"), L.UNIT_VALUE_COL, "2023")
    figs = wb[L.SHEET_FIGURES]
    typed = {"budget_total": ("1,234.5", "万元"), "executed_total": ("865.44万元", None),
             "income_total": ("３７,７４９,９９４.８９", "元"), "execution_rate": ("95%", None),
             "avg_execution_rate": (0.672, None)}
    for key, (value, unit) in typed.items():
        r = _row_of(figs, key)
        figs.cell(r, L.FIG_VALUE_COL, value)
        figs.cell(r, L.FIG_UNIT_COL, unit)
    figs.cell(_row_of(figs, "avg_execution_rate"), L.FIG_VALUE_COL).number_format = "0.0%"  # Excel's "67.2%"
    wb.save(blank)
    got = read_template(blank).figures
    assert got["budget_total"] == Figure(value=D("1234.5"), unit="万元")
    assert got["executed_total"] == Figure(value=D("865.44"), unit="万元")
    assert got["income_total"] == Figure(value=D("37749994.89"), unit="元")
    assert got["execution_rate"] == Figure(value=D("95"), unit="%")
    assert got["avg_execution_rate"] == Figure(value=D("67.2"), unit="%")


def test_every_bad_cell_is_reported_at_once_with_its_address(blank: Path) -> None:
    wb = load_workbook(blank)
    unit = wb[L.SHEET_UNIT]
    year = unit.cell(_row_of(unit, "year"), L.UNIT_VALUE_COL, "二〇二三年度")
    figs = wb[L.SHEET_FIGURES]
    budget = figs.cell(_row_of(figs, "budget_total"), L.FIG_VALUE_COL, "约一千万")
    unit_clash = figs.cell(_row_of(figs, "executed_total"), L.FIG_VALUE_COL, "865.44万元")
    figs.cell(_row_of(figs, "executed_total"), L.FIG_UNIT_COL, "元")
    mgmt = wb[L.SHEET_MANAGEMENT]
    answer = mgmt.cell(L.FIRST_ROW, L.MGMT_ANSWER_COL, "差不多")
    ind = wb[L.SHEET_INDICATORS]
    ind.cell(5, L.IND_COL["project"], "项目甲")
    ind.cell(5, L.IND_COL["name"], "服务人数")
    weight = ind.cell(5, L.IND_COL["weight"], "约九成")
    orphan = ind.cell(4, L.IND_COL["name"], "没有项目的指标")
    adj = wb[L.SHEET_ADJUSTMENTS]
    adj.cell(L.FIRST_ROW, L.ADJ_COL["kind"], "奖励")
    adj.cell(L.FIRST_ROW, L.ADJ_COL["points"], 2)
    wb.save(blank)
    with pytest.raises(InputError) as info:
        read_template(blank)
    message = str(info.value)
    expected = [
        f"单位信息!{year.coordinate}：应为四位年份，实际为“二〇二三年度”",
        f"单位信息!C{_row_of(unit, 'unit.name')}：单位名称未填写",
        f"财务数据!{budget.coordinate}：",
        f"财务数据!{unit_clash.coordinate}：数值自带单位“万元”",
        f"管理情况!{answer.coordinate}：应为 是/否/部分 或该要点得分，实际为“差不多”",
        f"项目指标!{orphan.coordinate.replace(orphan.column_letter, 'A')}：第一个指标行缺少项目名称",
        f"项目指标!{weight.coordinate}：应为分值（数字），实际为“约九成”",
        f"加减分!A{L.FIRST_ROW}：应为“加分”或“减分”，实际为“奖励”",
        f"加减分!C{L.FIRST_ROW}：事由未填写",
    ]
    for line in expected:
        assert line in message, line
    assert message.count("\n") == len(expected)  # one line per problem, nothing else
    assert f"{len(expected)} 处" in message


def test_amount_without_unit_is_rejected(blank: Path) -> None:
    wb = load_workbook(blank)
    unit = wb[L.SHEET_UNIT]
    unit.cell(_row_of(unit, "unit.name"), L.UNIT_VALUE_COL, "测试单位")
    unit.cell(_row_of(unit, "year"), L.UNIT_VALUE_COL, 2023)
    figs = wb[L.SHEET_FIGURES]
    r = _row_of(figs, "income_total")
    figs.cell(r, L.FIG_VALUE_COL, 100)
    figs.cell(r, L.FIG_UNIT_COL).value = None  # cell(..., None) would leave the prefilled 万元
    wb.save(blank)
    with pytest.raises(InputError, match=rf"财务数据!D{r}：金额缺少单位：请在 E{r} 选择"):
        read_template(blank)


def test_manual_score_needs_a_reason(blank: Path, framework) -> None:
    wb = load_workbook(blank)
    unit = wb[L.SHEET_UNIT]
    unit.cell(_row_of(unit, "unit.name"), L.UNIT_VALUE_COL, "测试单位")
    unit.cell(_row_of(unit, "year"), L.UNIT_VALUE_COL, 2023)
    scores = wb[L.SHEET_SCORES]
    r = _row_of(scores, _manual_item(framework))
    scores.cell(r, L.SCORE_MANUAL_COL, 1.5)
    wb.save(blank)
    with pytest.raises(InputError, match=rf"自评分!F{r}：人工评分必须写明评分理由"):
        read_template(blank)


def test_other_workbooks_are_not_templates(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = L.SHEET_README
    wb.active["A1"] = "别的表格"
    path = tmp_path / "x.xlsx"
    wb.save(path)
    assert not is_template(path)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert not is_template(tmp_path / "broken.xlsx")
    with pytest.raises(InputError, match="不是 jixiao 填报模板"):
        read_template(path)


def test_input_dispatch_reads_templates(blank: Path, framework) -> None:
    from jixiao.inputs import load_input

    dossier = _dossier_for(framework)
    _fill(blank, dossier)
    assert load_input(blank) == dossier


@pytest.mark.seeds
@pytest.mark.parametrize(("seed", "example", "framework_id"), [
    ("003", "huadu-2021", "guangzhou-district-overall"),
    ("004", "baiyun-2021", "guangzhou-baiyun-overall"),
])
def test_seed_examples_round_trip_through_the_template(tmp_path: Path, seeds_dir: Path, seed: str,
                                                       example: str, framework_id: str) -> None:
    seed_file(seeds_dir, seed)
    path = EXAMPLES / f"{example}.yaml"
    from jixiao.dossier_io import load_dossier

    dossier = load_dossier(path)
    out = write_template(load_framework(framework_id), tmp_path / "t.xlsx", dossier)
    assert read_template(out) == dossier


def test_scores_keyed_by_name_or_unknown_items_survive(tmp_path: Path, framework) -> None:
    dossier = _dossier_for(framework)
    first = framework.items[0]
    dossier.stated.items = {first.name: D("40"), "performance.p1.i1": D("1")}
    dossier.manual_scores["custom_item"] = ManualScore(score=D("1.5"), reason="框架外的人工评分")
    path = write_template(framework, tmp_path / "t.xlsx", dossier)
    assert read_template(path) == dossier


def test_indicator_unit_direction_and_qualitative_achievement_round_trip(tmp_path: Path, framework) -> None:
    dossier = _dossier_for(framework)
    indicator = dossier.projects[0].indicators[0]
    dossier.projects[0].indicators[0] = indicator.model_copy(update={
        "unit": "人次", "direction": "qualitative", "achievement": "部分达成", "achievement_ratio": D("0.7")})
    path = write_template(framework, tmp_path / "t.xlsx", dossier)
    back = read_template(path).projects[0].indicators[0]
    assert (back.unit, back.direction, back.achievement, back.achievement_ratio) == (
        "人次", "qualitative", "部分达成", D("0.7"))


@pytest.mark.parametrize(("typed", "expected"), [("70%", D("0.7")), (70, D("0.7")), ("0.65", D("0.65"))])
def test_qualitative_ratio_typed_as_people_type_it(tmp_path: Path, framework, typed, expected) -> None:
    path = write_template(framework, tmp_path / "t.xlsx", _dossier_for(framework))
    wb = load_workbook(path)
    wb[L.SHEET_INDICATORS].cell(L.FIRST_ROW, L.IND_COL["achievement"], "部分达成")
    wb[L.SHEET_INDICATORS].cell(L.FIRST_ROW, L.IND_COL["achievement_ratio"], typed)
    wb.save(path)
    assert read_template(path).projects[0].indicators[0].achievement_ratio == expected


def test_bad_direction_and_achievement_are_reported_by_cell(tmp_path: Path, framework) -> None:
    path = write_template(framework, tmp_path / "t.xlsx", _dossier_for(framework))
    wb = load_workbook(path)
    ws = wb[L.SHEET_INDICATORS]
    direction = ws.cell(L.FIRST_ROW, L.IND_COL["direction"], "越多越好")
    achievement = ws.cell(L.FIRST_ROW, L.IND_COL["achievement"], "基本达成")
    ratio = ws.cell(L.FIRST_ROW, L.IND_COL["achievement_ratio"], "150%")
    wb.save(path)
    with pytest.raises(InputError) as info:
        read_template(path)
    message = str(info.value)
    assert f"项目指标!{direction.coordinate}：指标方向应为 正向/反向/定性，实际为“越多越好”" in message
    assert f"项目指标!{achievement.coordinate}：定性完成情况应为 达成/部分达成/未达成" in message
    assert f"项目指标!{ratio.coordinate}：定性得分比例应在 0～1" in message
