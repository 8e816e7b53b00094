"""Hostile and mislabelled files: every one is a clear ReaderError, quickly, never a traceback or a hang."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from jixiao.errors import ReaderError
from jixiao.ingest import read_document
from jixiao.ingest.limits import Limits


def _raises(path: Path, match: str, **kw) -> ReaderError:
    t0 = time.perf_counter()
    with pytest.raises(ReaderError, match=match) as ei:
        read_document(path, **kw)
    assert time.perf_counter() - t0 < 10
    assert ei.value.file == str(path)
    return ei.value


def _docx_bytes() -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("正文。")
    d.save(buf)
    return buf.getvalue()


def _rewrite_member(data: bytes, member: str, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, new if info.filename == member else src.read(info.filename))
    return out.getvalue()


def test_empty_file(tmp_path):
    p = tmp_path / "empty.docx"
    p.write_bytes(b"")
    _raises(p, "空")


def test_missing_file_and_directory(tmp_path):
    _raises(tmp_path / "nope.txt", "不存在")
    _raises(tmp_path, "目录")


def test_random_bytes_named_docx(tmp_path):
    p = tmp_path / "junk.docx"
    p.write_bytes(os.urandom(4096))
    _raises(p, "无法识别|纯文本")


def test_gbk_text_named_docx(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(("一、基本情况\n本单位全年预算数为一百万元，执行情况良好。\n" * 5).encode("gbk"))
    err = _raises(p, "纯文本")
    assert ".txt" in err.message and "GB" in err.message.upper()


def test_doc_ole_named_docx(tmp_path):
    p = tmp_path / "old.docx"
    p.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "WordDocument".encode("utf-16-le")
        + b"\x00" * 1000
    )
    err = _raises(p, r"\.doc")
    assert "另存为" in err.message


def test_image_needs_ocr(tmp_path):
    p = tmp_path / "scan.pdf"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    err = _raises(p, "OCR")
    assert "pip install jixiao[ocr]" in err.message


def test_plain_zip_and_odt(tmp_path):
    p = tmp_path / "bundle.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.txt", "x")
    _raises(p, "zip")
    q = tmp_path / "doc.odt"
    with zipfile.ZipFile(q, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<x/>")
    _raises(q, "OpenDocument")


def test_zip_bomb_docx_rejected_by_ratio(tmp_path):
    data = _docx_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("word/media/zeros.bin", b"\x00" * (30 * 1024 * 1024))
    assert p.stat().st_size < 1024 * 1024
    _raises(p, "压缩炸弹|压缩比")


def test_zip_total_size_limit(tmp_path):
    p = tmp_path / "big.docx"
    p.write_bytes(_docx_bytes())
    _raises(p, "解压后总大小", limits=Limits(max_unzipped_mb=0.001))


def test_billion_laughs_in_document_xml(tmp_path):
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"
    )
    p = tmp_path / "lol.docx"
    p.write_bytes(_rewrite_member(_docx_bytes(), "word/document.xml", lol))
    _raises(p, "DTD")


def test_xxe_in_xlsx_part(tmp_path):
    import openpyxl

    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(buf)
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst>&e;</sst>'
    p = tmp_path / "x.xlsx"
    p.write_bytes(_rewrite_member(buf.getvalue(), "xl/workbook.xml", xxe))
    _raises(p, "DTD")


def test_damaged_docx(tmp_path):
    p = tmp_path / "bad.docx"
    p.write_bytes(_rewrite_member(_docx_bytes(), "word/document.xml", b"<not-closed"))
    _raises(p, "损坏")


def test_truncated_docx(tmp_path):
    data = _docx_bytes()
    p = tmp_path / "cut.docx"
    p.write_bytes(data[: len(data) // 2])
    _raises(p, "损坏|不完整")


def test_file_size_limit(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes("文字。".encode() * 2000)
    _raises(p, "超过上限", limits=Limits(max_file_mb=0.001))


def test_xlsx_row_limit(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    for r in range(50):
        wb.active.append([r, "x"])
    p = tmp_path / "rows.xlsx"
    wb.save(str(p))
    _raises(p, "行数", limits=Limits(max_rows=10))


def test_truncated_pdf_header_only(tmp_path):
    p = tmp_path / "x.pdf"
    p.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    _raises(p, "PDF")


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    p = tmp_path / "blank.pdf"
    pdf.save(str(p))
    pdf.close()
    err = _raises(p, "OCR")
    assert "pip install jixiao[ocr]" in err.message
    # asking for OCR without the optional package says how to install it
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        _raises(p, "pip install jixiao\\[ocr\\]", ocr=True)


def test_limits_from_env():
    lim = Limits.from_env({"JIXIAO_MAX_FILE_MB": "5", "JIXIAO_MAX_PDF_PAGES": "7", "JIXIAO_MAX_ROWS": "oops"})
    assert lim.max_file_mb == 5 and lim.max_pdf_pages == 7 and lim.max_rows == Limits().max_rows


def test_image_with_ocr_requested_but_not_installed(tmp_path):
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("rapidocr is installed here")
    p = tmp_path / "scan.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    _raises(p, "pip install jixiao\\[ocr\\]", ocr=True)


def test_huge_sparse_sheet_rejected(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "起"
    wb.active["ZZ5000"] = "止"
    p = tmp_path / "sparse.xlsx"
    wb.save(str(p))
    _raises(p, "单元格上限", limits=Limits(max_cells=1000))


def test_dtd_in_a_part_with_an_unusual_name(tmp_path):
    data = _docx_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    p = tmp_path / "odd.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("word/custom.dat", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    _raises(p, "DTD")
