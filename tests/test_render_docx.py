"""自评报告 (.docx): GB/T 9704 layout, CJK fonts, the outline, numbers from the data, and the seeds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from jixiao.model import Evidence, Finding, Provenance
from jixiao.render import render
from jixiao.render.narrative import DRAFT_MARK, PLACEHOLDER
from test_render_fixtures import EXAMPLES, make_dossier, make_scorecard, seed_file

OUTLINE = ("一、部门基本情况", "二、绩效自评情况", "三、存在的主要问题", "四、下一步改进措施", "五、结果应用和公开")


def _write(tmp_path: Path, **kw) -> Document:
    out = render(make_dossier(), make_scorecard(), tmp_path / "报告.docx", **kw)
    return Document(str(out))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """One rendering shared by the read-only checks (charts make rendering the slow part)."""
    return _write(tmp_path_factory.mktemp("docx"))


def _east_asia(element) -> str | None:
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _text(doc: Document) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_page_layout_follows_gbt_9704(report: Document) -> None:
    doc = report
    section = doc.sections[0]
    mm = [round(v.mm, 1) for v in (section.page_width, section.page_height, section.top_margin,
                                    section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]  # stored in twips: compare to 0.1 mm
    assert doc.styles["Normal"].font.size == Pt(16)
    assert doc.styles["Title"].font.size == Pt(22)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml


def test_east_asian_fonts_declared_on_styles_and_runs(report: Document) -> None:
    doc = report
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        face = _east_asia(doc.styles[name].element)
        assert face and ("CJK SC" in face or "仿宋" in face or "黑体" in face or "楷体" in face or "标宋" in face)
    assert _east_asia(doc.styles["Heading 1"].element) != _east_asia(doc.styles["Normal"].element)
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(_east_asia(r._r) for r in runs)
    theme = doc.styles["Heading 1"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert theme.get(qn("w:asciiTheme")) is None  # theme fonts would override the named face


def test_outline_sections_in_order(report: Document) -> None:
    doc = report
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert tuple(heads) == OUTLINE
    subs = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "（一）部门职能" in subs and "（一）自评结论" in subs
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == "2023年度示例区社会事务服务中心部门整体支出绩效自评报告"


def test_numeric_sentences_come_from_the_figures(report: Document) -> None:
    text = _text(report)
    # 800 ÷ 865.44 = 92.4385…% → 92.44%; 65.44 ÷ 865.44 = 7.5615…% → 7.56% (half-up).
    assert "一般公共预算财政拨款收入 800.00万元，占比 92.44%" in text
    assert "其他收入 65.44万元，占比 7.56%" in text
    # 274.07 − 244.12 = 29.95 万元; 29.95 ÷ 244.12 = 12.2686…% → 12.27%.
    assert "基本支出 274.07万元，占比 31.67%，比上年决算数增加 29.95万元，增长 12.27%" in text
    assert "减少 29.59万元，下降 4.77%" in text
    assert "预算执行率（全年执行数÷全年预算数）为 95.05%" in text
    assert "得分为 12.82 分（满分 14 分），评价等级为“良”" in text


def test_score_table_matches_scorecard(report: Document) -> None:
    card = make_scorecard()
    doc = report
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    rows = {r.cells[0].text.strip("　"): r.cells[2].text for r in table.rows[1:]}
    for item in card.walk():
        assert Decimal(rows[item.name]) == item.score, item.name
    assert Decimal(rows["合计"]) == card.total
    header = table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader"))
    assert header is not None  # repeated on every page


def test_deductions_explained_and_placeholders_marked(report: Document) -> None:
    text = _text(report)
    assert "预算完成率：分值 4 分，得 3.72 分，扣 0.28 分。95.05%×4=3.802" in text
    assert "送医出车人次：分值 1 分，得 0.5 分，扣 0.5 分" in text
    assert "偏差原因：家属自行接送" in text
    assert "2 个项目共设绩效指标 3 项，已评分 3 项，其中得满分 2 项，未得满分 1 项" in text
    assert "绩效管理制度建设：分值" not in text  # full marks: no deduction line
    assert PLACEHOLDER in text  # 机构人员, 问题, 改进措施 … not written
    assert "完成年度各项任务。" in text  # 工作成效 from dossier.texts


def test_findings_become_marked_drafts(tmp_path: Path) -> None:
    finding = Finding(code="sum_mismatch", severity="error", message="收入分项之和 860.00万元 与合计 865.44万元 不符",
                      evidence=[Evidence(quote="合计 865.44万元", location=Provenance(paragraph=3))],
                      suggestion="核对收入分项")
    info = Finding(code="note", severity="info", message="仅供参考的信息")
    doc = _write(tmp_path, findings=[finding, info])
    paras = [p.text for p in doc.paragraphs]
    start = paras.index("三、存在的主要问题")
    section = paras[start:paras.index("四、下一步改进措施")]
    drafts = [p for p in section if p.startswith(DRAFT_MARK)]
    assert drafts == [f"{DRAFT_MARK}收入分项之和 860.00万元 与合计 865.44万元 不符（建议：核对收入分项）"]
    assert not any("仅供参考" in p for p in section)


def test_charts_embedded(report: Document) -> None:
    doc = report
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) == 3  # budget, dimensions, attainment
    assert all(r.target_part.blob.startswith(b"\x89PNG") for r in images)


@pytest.mark.seeds
@pytest.mark.parametrize(("seed", "example", "framework_id"), [
    ("003", "huadu-2021", "guangzhou-district-overall"),
    ("004", "baiyun-2021", "guangzhou-baiyun-overall"),
])
def test_seed_examples_regenerate_into_a_report(tmp_path: Path, seeds_dir: Path, seed: str, example: str,
                                                 framework_id: str) -> None:
    seed_file(seeds_dir, seed)
    path = EXAMPLES / f"{example}.yaml"
    from jixiao.dossier_io import load_dossier
    from jixiao.frameworks import load_framework
    from jixiao.render.formatting import score_short
    from jixiao.scoring import score

    dossier = load_dossier(path)
    card = score(dossier, load_framework(framework_id))
    doc = Document(str(render(dossier, card, tmp_path / "r.docx")))
    text = _text(doc)
    assert tuple(p.text for p in doc.paragraphs if p.style.name == "Heading 1") == OUTLINE
    assert f"得分为 {score_short(card.total)} 分" in text
    for item in card.items:
        assert item.name in text


def test_incomplete_scorecard_is_not_presented_as_a_final_score(tmp_path: Path) -> None:
    card = make_scorecard()
    card.complete = False
    card.missing = ["avg_execution_rate（一般公共预算支出年度平均执行率）"]
    doc = Document(str(render(make_dossier(), card, tmp_path / "r.docx")))
    text = _text(doc)
    assert "按现有数据计得 12.82 分（满分 14 分），部分指标缺少数据，总分尚不完整" in text
    assert "评价等级为" not in text
    assert "总分尚不完整：avg_execution_rate（一般公共预算支出年度平均执行率）" in text


def test_shares_round_half_up_not_to_even() -> None:
    from jixiao.model import Figure
    from jixiao.render.narrative import share

    # 1 ÷ 800 = 0.125% exactly: half-up gives 0.13% where banker's rounding would give 0.12%.
    assert share(Figure(value=Decimal(1), unit="元"), Figure(value=Decimal(800), unit="元")) == "0.13%"
    # Units are converted exactly before dividing: 1 万元 of 8 万元 … of 800,000 元.
    assert share(Figure(value=Decimal(1), unit="万元"), Figure(value=Decimal(80000), unit="元")) == "12.50%"
    assert share(Figure(value=Decimal(1), unit="%"), Figure(value=Decimal(2), unit="元")) is None


def test_deducted_items_point_to_their_explanation_in_the_score_table(report: Document) -> None:
    table = next(t for t in report.tables if t.rows[0].cells[0].text == "指标")
    basis = {r.cells[0].text.strip("　"): r.cells[4].text for r in table.rows[1:]}
    assert basis["预算完成率"] == "见扣分情况说明第 1 条"
    assert basis["送医出车人次"] == "见扣分情况说明第 3 条"
    assert basis["康复训练人数"] == "280人≥250人，达成"


def test_money_is_shown_to_the_cent() -> None:
    from jixiao.model import Figure
    from jixiao.render.formatting import amount_in_unit, amount_text

    def fig(value: str, unit: str) -> Figure:
        return Figure(value=Decimal(value), unit=unit)

    # As written, never trimmed; padded to the cent when written with fewer places.
    assert amount_text(fig("1280.00", "万元")) == "1280.00万元"
    assert amount_text(fig("1235.2", "万元")) == "1235.20万元"
    assert amount_text(fig("400", "万元")) == "400.00万元"
    # More places than the cent are kept: nothing written is rounded away.
    assert amount_text(fig("865.4412", "万元")) == "865.4412万元"
    assert amount_text(fig("37749994.8", "元")) == "37,749,994.80元"
    # Computed amounts: 2 places of the figure's unit, half-up.
    assert amount_in_unit(Decimal("299500"), "万元") == "29.95万元"
    assert amount_in_unit(Decimal("300000"), "万元") == "30.00万元"
    assert amount_in_unit(Decimal("2995.005"), "元") == "2,995.01元"
