"""HTML, Markdown, PDF, charts and fonts; the dispatcher's errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from jixiao.errors import InputError, JixiaoError
from jixiao.render import render
from jixiao.render.narrative import PLACEHOLDER, report_title
from test_render_fixtures import make_dossier, make_scorecard

TITLE = report_title(make_dossier())


def test_html_is_self_contained_and_printable(tmp_path: Path) -> None:
    html = render(make_dossier(), make_scorecard(), tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"<h1>{TITLE}</h1>" in html
    assert "@page { size: A4" in html
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 3
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere
    assert "<link" not in html and "<script" not in html
    assert "font-family: \"Noto Serif CJK SC\"" in html and "&#34;" not in html  # CSS not escaped
    assert "<td class=\"num\">12.82</td>" in html


def test_html_escapes_text_from_the_dossier(tmp_path: Path) -> None:
    dossier = make_dossier()
    dossier.texts["工作成效"] = "<script>alert(1)</script> & 完成"
    html = render(dossier, make_scorecard(), tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_markdown_outline_tables_and_placeholders(tmp_path: Path) -> None:
    md = render(make_dossier(), make_scorecard(), tmp_path / "r.md").read_text(encoding="utf-8")
    assert md.startswith(f"# {TITLE}\n")
    for heading in ("## 一、部门基本情况", "## 三、存在的主要问题", "### （二）各项指标得分情况"):
        assert f"\n{heading}\n" in md
    assert "| 指标 | 分值 | 得分 | 原自评分 | 评分依据 |\n| --- | ---: | ---: | ---: | --- |\n" in md
    assert "| 合计 | 14 | 12.82 | 96.50 |  |" in md
    assert f"**{PLACEHOLDER}**" in md
    assert "\n\n\n" not in md


def test_markdown_escapes_table_breakers(tmp_path: Path) -> None:
    card = make_scorecard()
    card.items[0].children[0].children[0].derivation = "a|b *c*"
    md = render(make_dossier(), card, tmp_path / "r.md").read_text(encoding="utf-8")
    assert r"a\|b \*c\*" in md


def test_unknown_extension_lists_supported_formats(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        render(make_dossier(), make_scorecard(), tmp_path / "r.odt")
    message = str(info.value)
    assert "不支持的输出格式“.odt”" in message
    for ext in (".xlsx", ".docx", ".pdf", ".html", ".md"):
        assert ext in message


def test_missing_output_directory_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="输出目录不存在"):
        render(make_dossier(), make_scorecard(), tmp_path / "nope" / "r.md")


def test_charts_are_png_with_a_cjk_font() -> None:
    from jixiao.render.charts import render_chart
    from jixiao.render.fonts import chart_font_path

    assert chart_font_path().is_file()
    for kind in ("dimensions", "budget", "attainment"):
        png = render_chart(kind, make_dossier(), make_scorecard())
        assert png is not None and png.startswith(b"\x89PNG")


def test_chart_without_data_is_left_out() -> None:
    from jixiao.render.charts import render_chart

    dossier = make_dossier()
    dossier.figures.clear()
    assert render_chart("budget", dossier, make_scorecard()) is None


def test_missing_cjk_font_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.render import fonts

    monkeypatch.setattr(fonts, "_CHART_FAMILIES", ("No Such Font Family XYZ",))
    fonts.chart_font_path.cache_clear()
    try:
        with pytest.raises(JixiaoError, match="apt-get install fonts-noto-cjk"):
            fonts.chart_font_path()
    finally:
        fonts.chart_font_path.cache_clear()


def test_gb_font_set_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.render.fonts import GB_FONTS, document_fonts

    monkeypatch.setenv("JIXIAO_FONTS", "gb")
    assert document_fonts() == GB_FONTS and GB_FONTS.body == "仿宋_GB2312"


def test_pdf_without_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from jixiao.render import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(JixiaoError, match="LibreOffice"):
        render(make_dossier(), make_scorecard(), tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


@needs_soffice
def test_pdf_report_carries_the_chinese_title(tmp_path: Path) -> None:
    out = render(make_dossier(), make_scorecard(), tmp_path / "报告.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    text = re.sub(r"\s+", "", _pdf_text(out))
    assert TITLE in text  # the CJK font is embedded and maps back to text
    assert "一、部门基本情况" in text and "12.82" in text


@needs_soffice
def test_table_converts_to_pdf_with_its_numbers(tmp_path: Path) -> None:
    from jixiao.render.pdf import convert_to_pdf

    xlsx = render(make_dossier(), make_scorecard(), tmp_path / "自评表.xlsx")
    text = re.sub(r"\s+", "", _pdf_text(convert_to_pdf(xlsx, tmp_path / "自评表.pdf")))
    assert "部门整体支出绩效自评表" in text
    assert "12.82" in text and "95.05%" in text  # cached formula values are what a viewer shows


def test_attainment_chart_groups_by_project_when_indicators_are_many() -> None:
    from decimal import Decimal

    from jixiao.model import Indicator, ItemScore
    from jixiao.render.charts import MAX_INDICATOR_BARS, attainment_bars

    dossier, card = make_dossier(), make_scorecard()
    bars = attainment_bars(dossier, card)
    assert bars is not None and bars.labels == ["康复训练人数", "送医出车人次", "服务对象满意度"]
    assert bars.actual == [Decimal("100.0"), Decimal("50.0"), Decimal("100.0")]
    project = dossier.projects[1]
    duty = card.items[1].children[1]
    for n in range(MAX_INDICATOR_BARS):
        project.indicators.append(Indicator(name=f"指标{n}", weight=Decimal(1), target="1", actual="1"))
        duty.children.append(ItemScore(id=f"x{n}", name=f"指标{n}", level=3, max=Decimal(1), score=Decimal(0)))
    bars = attainment_bars(dossier, card)
    assert bars is not None and bars.labels == ["康复服务项目", "助学项目"]
    # 康复: (2 + 0.5) ÷ 3 = 83.33…% → 83.3; 助学: 1 ÷ 16 = 6.25% → 6.3 (half-up).
    assert bars.actual == [Decimal("83.3"), Decimal("6.3")]
