"""The 自评报告 as .docx, laid out after GB/T 9704 (党政机关公文格式).

A4; margins 37/35/28/26 mm; title 二号 小标宋 role; body 三号 仿宋 role with a two-character first-line
indent and fixed 28 pt lines; 一、 headings 黑体 role, （一） headings 楷体 role; page numbers
"— n —" in the footer. python-docx sets only w:ascii/w:hAnsi font names, so Word and LibreOffice pick
a Japanese face for Chinese; every style and run here also sets w:eastAsia.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from jixiao.model import Dossier, Finding, Scorecard
from jixiao.render.charts import render_chart
from jixiao.render.fonts import FontSet, document_fonts
from jixiao.render.narrative import Chart, Para, ReportDoc, Section, Table, build_report

SIZE_ER = Pt(22)  # 二号
SIZE_SAN = Pt(16)  # 三号
SIZE_SI = Pt(14)  # 四号
SIZE_WU = Pt(10.5)  # 五号
LINE = Pt(28)
TEXT_WIDTH_MM = 210 - 28 - 26
_RED = RGBColor(0xC0, 0x00, 0x00)
_DRAFT = RGBColor(0x9C, 0x57, 0x00)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr_owner, east_asia: str, latin: str) -> None:
    """Name the face for every script on a run or style, dropping theme fonts that would override it."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(doc, name: str, east_asia: str, latin: str, size: Pt, *, bold: bool = False):
    style = doc.styles[name]
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(style.element, east_asia, latin)
    return style


def _setup(doc, fonts: FontSet) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)

    normal = _style(doc, "Normal", fonts.body, fonts.latin, SIZE_SAN)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(32)  # two characters of 三号
    pf.widow_control = True

    title = _style(doc, "Title", fonts.title, fonts.latin, SIZE_ER)
    tf = title.paragraph_format
    tf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tf.first_line_indent = Pt(0)
    tf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tf.line_spacing = Pt(36)
    tf.space_after = Pt(28)
    # The built-in Title style draws a bottom border; an official document has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)

    for name, face in (("Heading 1", fonts.heading1), ("Heading 2", fonts.heading2)):
        heading = _style(doc, name, face, fonts.latin, SIZE_SAN)
        hf = heading.paragraph_format
        hf.first_line_indent = Pt(32)
        hf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hf.line_spacing = LINE
        hf.space_before = hf.space_after = Pt(0)
        hf.keep_with_next = True

    caption = _style(doc, "Caption", fonts.heading2, fonts.latin, SIZE_SI)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)


def _page_number_footer(doc, fonts: FontSet) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)

    def text_run(text: str):
        run = paragraph.add_run(text)
        run.font.size = SIZE_SI
        set_fonts(run._r, fonts.table, fonts.latin)
        return run

    text_run("— ")
    run = text_run("")
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    text_run(" —")


def _run(paragraph, text: str, east_asia: str, latin: str, *, size: Pt | None = None, bold: bool = False,
         color: RGBColor | None = None):
    run = paragraph.add_run(text)
    set_fonts(run._r, east_asia, latin)
    if size is not None:
        run.font.size = size
    if bold:
        run.font.bold = True
    if color is not None:
        run.font.color.rgb = color
    return run


def _para(doc, para: Para, fonts: FontSet) -> None:
    paragraph = doc.add_paragraph()
    color = {"placeholder": _RED, "draft": _DRAFT}.get(para.kind)
    _run(paragraph, para.text, fonts.body, fonts.latin, color=color)


def _row_flag(row, name: str) -> None:
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _repeat_header(row) -> None:
    _row_flag(row, "w:tblHeader")


def _keep_row_whole(row) -> None:
    # A row split over two pages leaves an item's name on one page and its basis on the next.
    _row_flag(row, "w:cantSplit")


def _table(doc, table: Table, fonts: FontSet) -> None:
    if table.caption:
        cap = doc.add_paragraph(style="Caption")
        _run(cap, table.caption, fonts.heading2, fonts.latin)
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    weights = table.widths or [1] * len(table.headers)
    widths = [Mm(TEXT_WIDTH_MM * w / sum(weights)) for w in weights]
    # Word reads cell widths, LibreOffice the table grid: set both, and a fixed layout.
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)

    def fill(cells, values: list[str], *, bold: bool, header: bool) -> None:
        for col, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.width = widths[col]
            paragraph = cell.paragraphs[0]
            pf = paragraph.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif col in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            face = fonts.heading1 if header else fonts.table
            _run(paragraph, value, face, fonts.latin, size=SIZE_WU, bold=bold and not header)

    header_row = grid.rows[0]
    _repeat_header(header_row)
    fill(header_row.cells, table.headers, bold=False, header=True)
    for index, values in enumerate(table.rows):
        row = grid.add_row()
        _keep_row_whole(row)
        fill(row.cells, values, bold=index in table.emphasis, header=False)
    doc.add_paragraph()


def _chart(doc, chart: Chart, png: bytes | None, fonts: FontSet) -> None:
    if png is None:
        return
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(TEXT_WIDTH_MM - 6))
    cap = doc.add_paragraph(style="Caption")
    _run(cap, f"图：{chart.caption}", fonts.heading2, fonts.latin)


def _section(doc, section: Section, charts: dict[str, bytes | None], fonts: FontSet) -> None:
    heading = doc.add_paragraph(style="Heading 1" if section.level == 1 else "Heading 2")
    face = fonts.heading1 if section.level == 1 else fonts.heading2
    _run(heading, section.title, face, fonts.latin)
    for block in section.blocks:
        if isinstance(block, Para):
            _para(doc, block, fonts)
        elif isinstance(block, Table):
            _table(doc, block, fonts)
        else:
            _chart(doc, block, charts.get(block.kind), fonts)
    for child in section.children:
        _section(doc, child, charts, fonts)


def write_report_doc(report: ReportDoc, charts: dict[str, bytes | None], out: Path) -> Path:
    fonts = document_fonts()
    doc = Document()
    _setup(doc, fonts)
    _page_number_footer(doc, fonts)
    doc.core_properties.title = report.title
    doc.core_properties.author = report.unit
    doc.core_properties.language = "zh-CN"
    title = doc.add_paragraph(style="Title")
    _run(title, report.title, fonts.title, fonts.latin)
    for section in report.sections:
        _section(doc, section, charts, fonts)
    doc.save(str(out))
    return out


def chart_images(report: ReportDoc, dossier: Dossier, scorecard: Scorecard) -> dict[str, bytes | None]:
    kinds = {block.kind for section in report.walk() for block in section.blocks if isinstance(block, Chart)}
    return {kind: render_chart(kind, dossier, scorecard) for kind in sorted(kinds)}


def write_docx(dossier: Dossier, scorecard: Scorecard, out: Path, *,
               findings: list[Finding] | None = None) -> Path:
    report = build_report(dossier, scorecard, findings)
    return write_report_doc(report, chart_images(report, dossier, scorecard), out)
