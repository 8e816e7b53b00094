"""自评表 (.xlsx): formulas with cached values, layout, print setup, and the seeds regenerated."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao.model import Dossier, Scorecard
from jixiao.render import render
from jixiao.render.scoremap import scored_units
from jixiao.render.xlsx_cache import add_cached_values, cached_text
from jixiao.render.xlsx_table import SCORE_COL, SHEET_TITLE
from test_render_fixtures import EXAMPLES, make_dossier, make_scorecard, seed_file


def _dec(value) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _rows_by_label(ws, col: int = 1) -> dict[str, int]:
    """Label → first row holding it."""
    rows: dict[str, int] = {}
    for row in ws.iter_rows():
        if row[col - 1].value is not None:
            rows.setdefault(str(row[col - 1].value), row[0].row)
    return rows


def _check_scores(path: Path, card: Scorecard) -> None:
    values = load_workbook(path, data_only=True)[SHEET_TITLE]
    formulas = load_workbook(path)[SHEET_TITLE]
    labels = _rows_by_label(values)
    total_row = labels["总分"]
    assert str(formulas.cell(total_row, SCORE_COL).value).startswith("=")
    assert _dec(values.cell(total_row, SCORE_COL).value) == card.total
    for top in card.items:
        row = labels[f"{top.name} 小计"]
        assert str(formulas.cell(row, SCORE_COL).value).startswith("=SUM(")
        assert _dec(values.cell(row, SCORE_COL).value) == top.score, top.name
    # Every score-bearing item appears once with the scorecard's score, in order.
    written = [
        (str(r[4].value or r[2].value or r[0].value), r[SCORE_COL - 1].value)
        for r in values.iter_rows(min_row=1)
        if r[SCORE_COL - 1].value is not None and not str(r[0].value or "").endswith(("小计", "总分"))
        and r[SCORE_COL - 1].row > labels["一级指标"]
        and isinstance(r[SCORE_COL - 1].value, int | float)
    ]
    units = [u for u in scored_units(card.items) if u.score is not None]
    assert [_dec(v) for _, v in written] == [u.score for u in units]


def test_scores_subtotals_and_total_read_back_with_cached_values(tmp_path: Path) -> None:
    card = make_scorecard()
    out = render(make_dossier(), card, tmp_path / "自评表.xlsx")
    _check_scores(out, card)


def test_budget_block_amounts_in_yuan_and_rate_formula(tmp_path: Path) -> None:
    out = render(make_dossier(), make_scorecard(), tmp_path / "t.xlsx")
    values = load_workbook(out, data_only=True)[SHEET_TITLE]
    formulas = load_workbook(out)[SHEET_TITLE]
    rows = {(r[2].value, r[4].value): r[0].row for r in values.iter_rows() if r[4].value}
    total = rows[("整体", "合计")]
    # 1200 万元 → 12,000,000 元, exactly.
    assert _dec(values.cell(total, 7).value) == Decimal("12000000")
    assert _dec(values.cell(total, 8).value) == Decimal("11406000")
    assert formulas.cell(total, 9).value == f"=H{total}/G{total}"
    assert _dec(values.cell(total, 9).value) == Decimal("0.9505")
    assert values.cell(total, 9).number_format == "0.00%"
    basic = rows[("按资金结构", "基本支出")]
    assert _dec(values.cell(basic, 7).value) == Decimal("4000000")
    assert ("按资金来源", "其他资金") not in rows  # nothing entered: no empty row


def test_print_setup_fonts_and_merges(tmp_path: Path) -> None:
    out = render(make_dossier(), make_scorecard(), tmp_path / "t.xlsx")
    ws = load_workbook(out)[SHEET_TITLE]
    header = _rows_by_label(ws)["一级指标"]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert "Noto" in ws.cell(header + 1, 5).font.name or "宋" in ws.cell(header + 1, 5).font.name
    merged = {str(m) for m in ws.merged_cells.ranges}
    # 管理效能 (一级) spans its three leaves; 资金管理 (二级) its two.
    assert f"A{header + 1}:A{header + 3}" in merged
    assert f"C{header + 1}:C{header + 2}" in merged
    assert ws.cell(header + 1, 1).value == "管理效能"
    assert ws.cell(header + 1, 3).value == "资金管理"
    assert all(ws.row_dimensions[r].height for r in range(header, header + 4))


def test_project_indicators_show_target_and_actual(tmp_path: Path) -> None:
    out = render(make_dossier(), make_scorecard(), tmp_path / "t.xlsx")
    ws = load_workbook(out, data_only=True)[SHEET_TITLE]
    headers = [r for r in ws.iter_rows() if r[6].value == "年度指标值"]
    assert len(headers) == 1 and headers[0][7].value == "实际完成值"
    row = next(r for r in ws.iter_rows() if r[4].value == "送医出车人次")
    assert (row[6].value, row[7].value) == ("≥70人次", "35人次")
    assert "家属自行接送" in row[9].value  # deviation reason joins the derivation
    stated = next(r for r in ws.iter_rows() if r[4].value == "预算完成率")
    assert "原自评分 3.80" in stated[11].value


def test_manually_scored_parent_is_one_row_and_counts_once(tmp_path: Path) -> None:
    card = make_scorecard()
    funds = card.items[0].children[0]
    funds.status = "manual"
    funds.derivation = "人工评分 5.32 分，理由：按报告所述"
    for child in funds.children:
        child.score = None
    out = render(make_dossier(), card, tmp_path / "t.xlsx")
    ws = load_workbook(out, data_only=True)[SHEET_TITLE]
    row = next(r for r in ws.iter_rows() if r[2].value == "资金管理" and r[8].value is not None)
    assert _dec(row[8].value) == Decimal("5.32")
    assert "预算完成率" in row[11].value
    _check_scores(out, card)


def test_cached_value_injection(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"], wb.active["A2"] = 1.5, "=A1*2"
    path = tmp_path / "f.xlsx"
    wb.save(path)
    assert add_cached_values(path, "xl/worksheets/sheet1.xml", {"A2": Decimal("3.0")}) == 1
    assert load_workbook(path, data_only=True).active["A2"].value == 3
    assert load_workbook(path).active["A2"].value == "=A1*2"
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>A1*2</f><v>3</v>" in xml
    assert cached_text(Decimal("0.89611603123583901")) == "0.896116031235839"


def _example(name: str, framework_id: str) -> tuple[Dossier, Scorecard, object]:
    path = EXAMPLES / f"{name}.yaml"
    from jixiao.dossier_io import load_dossier
    from jixiao.frameworks import load_framework
    from jixiao.scoring import score

    dossier, framework = load_dossier(path), load_framework(framework_id)
    return dossier, score(dossier, framework), framework


@pytest.mark.seeds
@pytest.mark.parametrize(("seed", "example", "framework_id"), [
    ("003", "huadu-2021", "guangzhou-district-overall"),
    ("004", "baiyun-2021", "guangzhou-baiyun-overall"),
])
def test_seed_examples_regenerate_into_a_consistent_table(tmp_path: Path, seeds_dir: Path, seed: str,
                                                          example: str, framework_id: str) -> None:
    seed_file(seeds_dir, seed)
    dossier, card, framework = _example(example, framework_id)
    out = render(dossier, card, tmp_path / f"{example}.xlsx", framework=framework)
    _check_scores(out, card)
    ws = load_workbook(out, data_only=True)[SHEET_TITLE]
    assert ws.cell(3, 3).value == dossier.unit.name or any(
        r[2].value == dossier.unit.name for r in ws.iter_rows(max_row=6))
    explained = [r for r in ws.iter_rows() if r[6].value and r[7].value and r[4].value]
    assert explained, "指标解释/评分标准 columns come from the framework"


def test_a_stated_score_difference_is_explained_in_the_basis_column(tmp_path: Path) -> None:
    # The explanation goes in the wide 评分依据 column; the narrow 备注 keeps the signed difference.
    card = make_scorecard()
    item = card.items[0].children[0].children[0]
    item.difference_note = "自评按比率×分值计算"
    out = render(make_dossier(), card, tmp_path / "t.xlsx")
    ws = load_workbook(out)[SHEET_TITLE]
    row = _rows_by_label(ws, 5)["预算完成率"]
    assert ws.cell(row, 10).value == "95.05%×4=3.802，按线性规则得 3.72 分。自评按比率×分值计算"
    assert ws.cell(row, 12).value == "原自评分 3.80，差异 +0.08"
