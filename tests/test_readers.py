"""Readers on fixtures generated at test time: txt encodings, docx, xlsx, pdf (via LibreOffice)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from jixiao.errors import ReaderError
from jixiao.ingest import Location, document_from_text, read_document
from jixiao.ingest.outline import build_outline, find_section

TEXT = "一、基本情况\n\n本单位全年预算数１２３４．５６万元，执行数 1 200.00 万元。\n\n二、存在的主要问题\n\n无。\n"


# --------------------------------------------------------------------------- txt


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("gbk", b""),
        ("gb18030", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
    ],
)
def test_txt_encodings_detected(tmp_path, encoding, bom):
    p = tmp_path / f"r_{encoding}.txt"
    p.write_bytes(bom + TEXT.encode(encoding))
    doc = read_document(p)
    assert doc.format == "txt"
    assert [b.text for b in doc.blocks] == [
        "一、基本情况",
        "本单位全年预算数1234.56万元，执行数 1200.00 万元。",
        "二、存在的主要问题",
        "无。",
    ]
    assert doc.blocks[0].kind == "heading"
    assert doc.blocks[1].location == Location(str(p), paragraph=3, line=3)


def test_txt_gbk_longer_text_detected(tmp_path):
    body = "本单位认真落实预算绩效管理要求，全面开展绩效自评工作。" * 20
    p = tmp_path / "gbk.txt"
    p.write_bytes(("（一）概况\n" + body).encode("gbk"))
    doc = read_document(p)
    assert doc.blocks[1].text == body


def test_document_api(tmp_path):
    doc = document_from_text("（一）概况\n全年支出 98.00 万元。\n（二）结论\n良好。", "x.txt")
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for b in doc.blocks:
        assert doc.text[b.start : b.start + len(b.text)] == b.text
        assert doc.block_at(b.start) is b
        assert doc.block_at(b.start + len(b.text)) is b  # the "\n" after a block
    i = doc.text.index("98.00")
    assert doc.quote(i, i + 5) == "98.00"
    assert doc.quote(i, i + 5, context=3) == "…支出 98.00 万元…"
    assert doc.locate(i).describe() == "第2行"


def test_location_describe():
    assert Location("a.pdf", page=3, line=12).describe() == "第3页 第12行"
    assert Location("a.pdf", page=3, paragraph=12).describe() == "第3页 第12段"
    assert Location("a.xlsx", sheet="指标", cell="B12", row=12, col=2).describe() == "工作表“指标” B12"
    assert Location("a.txt", paragraph=5, line=5).describe() == "第5行"
    assert Location("a.docx", paragraph=7).describe() == "第7段"
    assert Location("a.docx", table=2, row=3, col=4).describe() == "第2个表格 第3行第4列"


# --------------------------------------------------------------------------- docx


def make_docx(path: Path, *, grid: bool = False) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("示范单位2024年度整体支出绩效自评报告", 0)
    d.add_heading("一、基本情况", 1)
    d.add_paragraph("本单位全年预算数１２３４．５６万元，执行数1 200.00万元，执行率９７．２％。")
    d.add_heading("机构设置", 2)
    d.add_paragraph("内设科室3个。")
    t = d.add_table(rows=4, cols=3)
    if grid:
        t.style = "Table Grid"
    for c, v in enumerate(["指标", "分值", "得分"]):
        t.cell(0, c).text = v
    a = t.cell(1, 0).merge(t.cell(2, 0))
    a.text = "预算执行率"
    t.cell(1, 1).text = "10"
    t.cell(1, 2).text = "9.72"
    t.cell(2, 1).text = "5"
    t.cell(2, 2).text = "4.5"
    b = t.cell(3, 0).merge(t.cell(3, 2))
    b.text = "合计 14.22"
    inner = t.cell(2, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "嵌套甲"
    inner.cell(0, 1).text = "嵌套乙"
    d.add_paragraph("二、存在的主要问题")
    d.add_paragraph("无。")
    d.save(str(path))
    return path


def test_docx_blocks_headings_and_merged_cells(tmp_path):
    p = make_docx(tmp_path / "r.docx")
    doc = read_document(p)
    assert doc.format == "docx"
    kinds = [(b.kind, b.level, b.text[:8]) for b in doc.blocks]
    assert ("heading", 1, "一、基本情况") in kinds
    assert ("heading", 2, "机构设置") in kinds
    assert doc.blocks[2].text == "本单位全年预算数1234.56万元，执行数1200.00万元，执行率97.2%。"
    (table,) = doc.tables()
    assert table.rows[0] == ["指标", "分值", "得分"]
    assert table.rows[1][0] == table.rows[2][0] == "预算执行率"  # vMerge repeated
    assert table.rows[3] == ["合计 14.22"] * 3  # gridSpan repeated
    assert "嵌套甲 嵌套乙" in table.rows[2][2]  # nested table flattened into its cell
    i = doc.text.index("9.72")
    loc = doc.locate(i)
    assert (loc.table, loc.row, loc.col) == (1, 2, 3)
    assert loc.describe() == "第1个表格 第2行第3列"
    j = doc.text.index("内设科室")
    assert doc.locate(j).paragraph == 5
    outline = build_outline(doc)
    sec = find_section(outline, "存在", "问题")
    assert sec is not None and sec.is_empty(doc)
    assert find_section(outline, "机构设置") is not None


def test_docx_text_box(tmp_path):
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    p = d.add_paragraph("正文段落。")
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    V = "urn:schemas-microsoft-com:vml"
    run = parse_xml(
        f'<w:r xmlns:w="{W}" xmlns:v="{V}"><w:pict><v:shape><v:textbox><w:txbxContent>'
        "<w:p><w:r><w:t>文本框里的说明</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    p._p.append(run)
    d.save(str(tmp_path / "tb.docx"))
    doc = read_document(tmp_path / "tb.docx")
    assert [b.text for b in doc.blocks] == ["正文段落。", "文本框里的说明"]


# --------------------------------------------------------------------------- xlsx


def make_xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(["一级指标", "分值", "二级指标", "分值", "得分"])
    ws.append(["管理效能", 45, "资金管理", 16, 15.1])
    ws.append([None, None, "采购管理", 2, 1.89])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws["F2"] = 0.8961
    ws["F2"].number_format = "0.00%"
    ws2 = wb.create_sheet("说明")
    ws2["B2"] = "本表为示例，数据虚构。"
    ws2["B4"] = "合计"
    ws2["C4"] = 100
    wb.save(str(path))
    return path


def test_xlsx_sheets_merged_ranges_and_cell_locations(tmp_path):
    p = make_xlsx(tmp_path / "t.xlsx")
    doc = read_document(p)
    assert doc.format == "xlsx"
    t1, t2 = doc.tables()
    assert t1.rows[0] == ["一级指标", "分值", "二级指标", "分值", "得分", ""]
    assert t1.rows[1] == ["管理效能", "45", "资金管理", "16", "15.1", "89.61%"]
    assert t1.rows[2][:2] == ["管理效能", "45"]  # merged range repeated
    i = doc.text.index("1.89")
    loc = doc.locate(i)
    assert (loc.sheet, loc.cell) == ("指标", "E3")
    assert loc.describe() == "工作表“指标” E3"
    j = doc.text.index("合计")
    assert doc.locate(j).cell == "B4" and doc.locate(j).sheet == "说明"
    # columns keep their Excel positions (column A is empty here); blank rows are dropped
    assert t2.rows == [["", "本表为示例，数据虚构。", ""], ["", "合计", "100"]]


# --------------------------------------------------------------------------- pdf

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) not installed: cannot make PDFs"
)


def to_pdf(src: Path, outdir: Path, export: str = "pdf") -> Path:
    outdir.mkdir(exist_ok=True)
    profile = outdir / "lo-profile"
    cmd = [
        SOFFICE,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        export,
        "--outdir",
        str(outdir),
        str(src),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    out = outdir / (src.stem + "." + export.split(":")[0])
    assert out.exists()
    return out


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not installed: cannot make PDFs")
    d = tmp_path_factory.mktemp("pdf")
    src = make_docx(d / "report.docx", grid=True)
    # a long report: several pages, running header/footer text is added by repetition below
    import docx

    long = docx.Document()
    section = long.sections[0]
    section.header.paragraphs[0].text = "示范单位绩效自评报告（内部资料）"
    section.footer.paragraphs[0].text = "第 1 页"
    long.add_paragraph("一、工作情况")
    para = "本单位认真落实预算绩效管理要求，全面开展绩效自评工作，各项目标任务均已按期完成，取得较好成效。"
    for k in range(60):
        long.add_paragraph(f"（{k % 9 + 1}）" + para * 3)
    long.add_paragraph("二、存在的主要问题")
    long.add_paragraph("本年度年初预算数为 8812.34 万元。")
    big = long.add_table(rows=70, cols=3)
    big.style = "Table Grid"
    for r in range(70):
        for c, v in enumerate([f"指标{r + 1}", f"{r + 1}.5", "达标"]):
            big.cell(r, c).text = v
    long.add_paragraph("表格之后的说明。")
    long.save(str(d / "long.docx"))
    to_pdf(src, d)
    to_pdf(d / "long.docx", d)
    return d


@needs_soffice
def test_pdf_text_tables_and_pages(pdf_dir):
    doc = read_document(pdf_dir / "report.pdf")
    assert doc.format == "pdf"
    assert not doc.warnings
    assert any("1234.56万元" in b.text for b in doc.blocks)
    (table,) = doc.tables()
    assert table.rows[0] == ["指标", "分值", "得分"]
    assert table.rows[1][2] == "9.72"
    # the table's text is not repeated as paragraphs, and the table sits between its neighbours
    assert not any("9.72" in b.text or "预算执行率" in b.text for b in doc.blocks if b.kind != "table")
    kinds = [b.kind for b in doc.blocks]
    ti = kinds.index("table")
    assert "内设科室" in doc.blocks[ti - 1].text and "存在的主要问题" in doc.blocks[ti + 1].text
    i = doc.text.index("9.72")
    loc = doc.locate(i)
    assert (loc.page, loc.row, loc.col) == (1, 2, 3)
    j = doc.text.index("内设科室")
    assert doc.locate(j).page == 1 and doc.locate(j).line is not None
    sec = find_section(build_outline(doc), "存在", "问题")
    assert sec is not None and sec.is_empty(doc)


@needs_soffice
def test_pdf_multipage_furniture_removed_and_paragraphs_joined(pdf_dir):
    doc = read_document(pdf_dir / "long.pdf")
    pages = {b.location.page for b in doc.blocks}
    assert len(pages) >= 3
    assert "内部资料" not in doc.text  # running header
    assert "第 1 页" not in doc.text  # footer
    para = "本单位认真落实预算绩效管理要求，全面开展绩效自评工作，各项目标任务均已按期完成，取得较好成效。"
    bodies = [b.text for b in doc.blocks if b.text.startswith("（")]
    # every paragraph whole: nothing lost at page tops/bottoms, nothing merged across paragraphs
    assert bodies == [f"（{k % 9 + 1}）" + para * 3 for k in range(60)]
    i = doc.text.index("8812.34")
    assert doc.locate(i).page < max(pages)
    # a ruled table running over a page break comes out as one table; cells keep their own page
    (table,) = doc.tables()
    assert len(table.rows) == 70 and table.rows[69] == ["指标70", "70.5", "达标"]
    first = doc.locate(doc.text.index("指标1\t"))
    last = doc.locate(doc.text.index("指标70"))
    assert (last.row, last.col) == (70, 1) and last.page > first.page
    assert doc.blocks[-1].text == "表格之后的说明。"


@needs_soffice
def test_pdf_encrypted(pdf_dir):
    export = (
        'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    )
    out = to_pdf(pdf_dir / "report.docx", pdf_dir / "enc", export)
    with pytest.raises(ReaderError, match="加密"):
        read_document(out)


@needs_soffice
def test_pdf_truncated(pdf_dir, tmp_path):
    data = (pdf_dir / "report.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 3])
    with pytest.raises(ReaderError) as ei:
        read_document(p)
    assert "PDF" in str(ei.value)


@needs_soffice
def test_pdf_page_limit(pdf_dir):
    from jixiao.ingest.limits import Limits

    with pytest.raises(ReaderError, match="页数"):
        read_document(pdf_dir / "long.pdf", limits=Limits(max_pdf_pages=1))


@needs_soffice
def test_pdf_line_geometry_from_text_rectangles_agrees_with_character_boxes(pdf_dir):
    """LibreOffice sets a justified Chinese line as many text runs (one per font switch, per gap):
    the per-line rectangles give the same lines, right edges and heights as every character's box."""
    import pypdfium2 as pdfium

    from jixiao.ingest.readers.pdf import fast_lines, page_chars, page_lines, page_text

    for name in ("report.pdf", "long.pdf"):
        pdf = pdfium.PdfDocument(str(pdf_dir / name))
        try:
            for page in pdf:
                tp = page.get_textpage()
                text = page_text(tp)
                fast, slow = fast_lines(tp, text), page_lines(page_chars(tp, text))
                assert [ln.text for ln in fast] == [ln.text for ln in slow]
                for a, b in zip(fast, slow, strict=True):
                    assert (a.right, a.height) == pytest.approx((b.right, b.height), abs=1e-6), a.text
        finally:
            pdf.close()


@needs_soffice
def test_xls_via_libreoffice(tmp_path):
    src = make_xlsx(tmp_path / "t.xlsx")
    xls = to_pdf(src, tmp_path / "out", "xls")
    doc = read_document(xls)
    assert doc.format == "xls"
    t1, _t2 = doc.tables()
    assert t1.rows[1][:5] == ["管理效能", "45", "资金管理", "16", "15.1"]
    assert t1.rows[2][:2] == ["管理效能", "45"]  # merged range repeated
    i = doc.text.index("1.89")
    assert doc.locate(i).describe() == "工作表“指标” E3"


def test_xlsx_named_xls_is_read_by_content(tmp_path):
    p = make_xlsx(tmp_path / "t.xlsx")
    q = tmp_path / "renamed.xls"
    q.write_bytes(p.read_bytes())
    assert read_document(q).format == "xlsx"


# --------------------------------------------------------------------------- OCR plumbing (fake engine)


class _FakeOCR:
    """Stands in for rapidocr_onnxruntime.RapidOCR: returns fixed lines for any image."""

    lines = ("三、存在的主要问题", "无。")

    def __call__(self, image):
        assert image.ndim == 3
        return [[None, t, 0.99] for t in self.lines], 0.01


@pytest.fixture
def fake_ocr(monkeypatch):
    import sys
    import types

    from jixiao.ingest.readers import image

    mod = types.ModuleType("rapidocr_onnxruntime")
    mod.RapidOCR = _FakeOCR  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", mod)
    monkeypatch.delitem(image.ocr_engine.__dict__, "engine", raising=False)
    yield
    image.ocr_engine.__dict__.pop("engine", None)


def test_image_read_with_ocr(tmp_path, fake_ocr):
    from PIL import Image

    p = tmp_path / "scan.png"
    Image.new("RGB", (40, 20), "white").save(p)
    doc = read_document(p, ocr=True)
    assert doc.format == "image"
    assert [b.text for b in doc.blocks] == ["三、存在的主要问题", "无。"]
    assert any("OCR" in w for w in doc.warnings)
    assert doc.locate(doc.text.index("无")).describe() == "第2行"


def test_pdf_page_without_text_uses_ocr_when_asked(tmp_path, fake_ocr):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(200, 200)
    p = tmp_path / "scan.pdf"
    pdf.save(str(p))
    pdf.close()
    doc = read_document(p, ocr=True)
    assert [b.text for b in doc.blocks] == ["三、存在的主要问题", "无。"]
    assert doc.blocks[0].location.page == 1
    assert any("OCR" in w for w in doc.warnings)


def test_docx_automatic_numbering_rendered(tmp_path):
    """Headings numbered by Word's list feature read as printed ("一、", "（一）") and form the outline."""
    import docx
    from docx.oxml import parse_xml

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
            "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num xmlns:w="{W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, ilvl: int) -> None:
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>')
        )

    numbered("基本情况", 0)
    numbered("机构设置", 1)
    d.add_paragraph("内设科室三个。")
    numbered("收支情况", 1)
    numbered("存在的主要问题", 0)
    d.add_paragraph("无。")
    d.save(str(tmp_path / "n.docx"))
    doc = read_document(tmp_path / "n.docx")
    assert [b.text for b in doc.blocks] == [
        "一、基本情况",
        "（一）机构设置",
        "内设科室三个。",
        "（二）收支情况",
        "二、存在的主要问题",
        "无。",
    ]
    outline = build_outline(doc)
    assert [(s.title, [c.title for c in s.children]) for s in outline] == [
        ("基本情况", ["机构设置", "收支情况"]),
        ("存在的主要问题", []),
    ]


def test_txt_tables_located_at_their_own_lines(tmp_path):
    # flattened tables whose rows start with empty cells (merged cells lost): each table and each of
    # its cells points at its own line, never at the top of the file
    text = (
        "标题\n\n"
        "一级\t分值\t三级\t得分\n\t\t指标甲\t2.00\n\n"
        "说明文字。\n\n"
        "\t\t指标乙\t3.00\n\t\t指标丙\t1.00\n"
    )
    p = tmp_path / "t.txt"
    p.write_text(text, encoding="utf-8")
    doc = read_document(p)
    lines = text.split("\n")
    for b in doc.tables():
        assert lines[b.location.line - 1].split("\t")[0:3] == b.text.split("\n")[0].split("\t")[0:3]
    i = doc.text.index("指标丙")
    assert doc.locate(i).line == 9 and doc.locate(i).row == 2
