"""Reading documents: every format into one `Document` of located blocks.

    read_document(path, ocr=False) -> Document     # dispatch on the file's content (magic bytes)
                                                   # (PDFs read in a capped child process: readers/pdf_sandbox.py)
    document_from_text(text, path="<text>") -> Document

The format is decided by what the bytes are, not by the extension; a file whose extension promises one
format but whose content is another (GBK text named .docx, a .doc renamed .docx, an image) gets a
`ReaderError` saying what it really is and what to do.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from jixiao.errors import ReaderError

from .document import Block, Document, Location
from .limits import DEFAULT_LIMITS, Limits
from .readers._common import check_size
from .readers.txt import decode_text, text_to_document

__all__ = [
    "Block",
    "Document",
    "Limits",
    "Location",
    "ReaderError",
    "document_from_text",
    "read_document",
    "sniff",
]

_OFFICE_EXTS = {
    ".docx",
    ".docm",
    ".dotx",
    ".xlsx",
    ".xlsm",
    ".xltx",
    ".xls",
    ".doc",
    ".wps",
    ".et",
    ".pdf",
    ".ppt",
    ".pptx",
    ".dps",
}
_IMAGE_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
]
_SAVE_AS_DOCX = "请用 WPS/Word 打开后“另存为” .docx（或导出 PDF）再试"
_SAVE_AS_XLSX = "请用 WPS/Excel 打开后“另存为” .xlsx 再试"
_SNIFF_BYTES = 1 << 20  # how much of a text file decides its encoding
_NOT_A_REPORT = "这是 PowerPoint 演示文稿，不是报告或自评表；请提供 .docx/.pdf/.xlsx"


def document_from_text(text: str, path: str = "<text>") -> Document:
    """A Document from a string, normalised exactly like a .txt file (locations are line numbers)."""
    return text_to_document(text, path)


def _ole_kind(data: bytes) -> str:
    """What an OLE2 compound file holds, by the UTF-16 stream names in its directory."""

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        return "encrypted"
    if has("WordDocument"):
        return "doc"
    if has("Workbook") or has("Book"):
        return "xls"
    if has("PowerPoint Document"):
        return "ppt"
    return "ole"


def sniff(path: Path, data: bytes, *, ocr: bool = False) -> str:
    """The real format of a file: txt, docx, xlsx, xls, pdf (image with `ocr`) — or a ReaderError saying what it is."""
    return _sniff(path, data, ocr)[0]


def _sniff(path: Path, data: bytes, ocr: bool) -> tuple[str, tuple[str, str] | None]:
    """`sniff`, plus the decoded (text, encoding) of the first MiB when it is text: a GB18030 file's
    encoding detection is most of the cost of reading it, so it is not done twice."""
    name = str(path)
    ext = path.suffix.lower()
    if not data:
        raise ReaderError("文件是空的（0 字节）", file=name)
    head = data[:8]
    if b"%PDF-" in data[:1024]:
        return "pdf", None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist()[:100000])
                mimetype = zf.read("mimetype")[:100].decode("ascii", "ignore") if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
            raise ReaderError(
                f"文件是损坏或不完整的压缩包（{e}）；如是 Word/Excel 文件，请重新保存后再试", file=name
            ) from e
        if "word/document.xml" in names:
            return "docx", None
        if "xl/workbook.xml" in names:
            return "xlsx", None
        if "opendocument.text" in mimetype:
            raise ReaderError(f"这是 OpenDocument 文本（.odt）文件，暂不支持；{_SAVE_AS_DOCX}", file=name)
        if "opendocument.spreadsheet" in mimetype:
            raise ReaderError(f"这是 OpenDocument 表格（.ods）文件，暂不支持；{_SAVE_AS_XLSX}", file=name)
        if "ppt/presentation.xml" in names:
            raise ReaderError(_NOT_A_REPORT, file=name)
        raise ReaderError(
            "这是一个普通 zip 压缩包，不是 Word/Excel 文件；请先解压，再分别读取其中的文件", file=name
        )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = _ole_kind(data)
        if kind == "xls":
            return "xls", None
        if kind == "encrypted":
            raise ReaderError("文件已加密（设置了打开密码），无法读取；请取消密码后另存再试", file=name)
        if kind == "doc":
            raise ReaderError(
                f"这是旧版 Word 97-2003 (.doc) 或 WPS 文字 (.wps) 文件，暂不支持；{_SAVE_AS_DOCX}", file=name
            )
        if kind == "ppt":
            raise ReaderError(_NOT_A_REPORT, file=name)
        raise ReaderError(f"这是旧版 Office/WPS 复合文档，无法识别其内容；{_SAVE_AS_DOCX}", file=name)
    for magic, what in _IMAGE_MAGIC:
        if head.startswith(magic):
            if ocr:
                return "image", None
            raise ReaderError(
                f"这是{what}，不是文本文档；图片需启用 OCR：pip install jixiao[ocr]，或改为提供 .docx/.pdf 原件",
                file=name,
            )
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        if ocr:
            return "image", None
        raise ReaderError("这是 WEBP 图片；图片需启用 OCR：pip install jixiao[ocr]", file=name)
    if head.startswith(b"{\\rtf"):
        raise ReaderError(f"这是 RTF 文件，暂不支持；{_SAVE_AS_DOCX}", file=name)
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")):
        raise ReaderError("这是压缩包（gzip/7z/rar/bzip2），请先解压后再读取其中的文件", file=name)
    decoded = decode_text(data[:_SNIFF_BYTES])
    if decoded is None:
        raise ReaderError("无法识别的文件格式（不是文本、Word .docx、Excel .xlsx/.xls 或 PDF）", file=name)
    low = decoded[0][:2000].lower()
    if "<w:worddocument" in low or 'progid="word.document"' in low:
        raise ReaderError(f"这是 Word 2003 XML 文件，暂不支持；{_SAVE_AS_DOCX}", file=name)
    if ext in _OFFICE_EXTS:
        enc = decoded[1].upper()
        raise ReaderError(
            f"文件扩展名是 {ext}，但内容其实是纯文本（{enc} 编码）；请把扩展名改为 .txt，或用 WPS/Word 重新另存为 {ext}",
            file=name,
        )
    return "txt", decoded


def read_document(
    path: str | Path, *, ocr: bool = False, limits: Limits | None = None, sandbox: bool | None = None
) -> Document:
    """Read any supported document into a `Document`. Every failure is a `ReaderError` in Chinese.

    ``sandbox``: read a PDF in a separate process under memory and time limits (default:
    ``limits.pdf_sandbox``, on unless ``JIXIAO_PDF_SANDBOX=0``); False only for trusted files."""
    p = Path(path)
    lim = limits or DEFAULT_LIMITS
    name = str(p)
    try:
        if not p.exists():
            raise ReaderError("文件不存在", file=name)
        if p.is_dir():
            raise ReaderError("这是一个目录，不是文件", file=name)
        check_size(p, lim)
        data = p.read_bytes()
    except OSError as e:
        raise ReaderError(f"无法读取文件：{e.strerror or e}", file=name) from e
    fmt, decoded = _sniff(p, data, ocr)
    try:
        if fmt == "txt":
            from .readers.txt import read_txt

            whole = decoded if decoded is not None and len(data) <= _SNIFF_BYTES else None
            return read_txt(p, lim, data=data, decoded=whole)
        if fmt == "docx":
            from .readers.docx import read_docx

            return read_docx(p, lim)
        if fmt == "xlsx":
            from .readers.xlsx import read_xlsx

            return read_xlsx(p, lim)
        if fmt == "xls":
            from .readers.xlsx import read_xls

            return read_xls(p, lim)
        if fmt == "image":
            from .readers.image import read_image

            return read_image(p, lim)
        from .readers.pdf_sandbox import read_pdf_file

        # the stream guard and pdfium run in a capped child process unless the caller trusts the file
        return read_pdf_file(p, data, lim, ocr=ocr, sandbox=lim.pdf_sandbox if sandbox is None else sandbox)
    except ReaderError:
        raise
    except Exception as e:
        raise as_reader_error(e, fmt, name) from e


def as_reader_error(e: Exception, fmt: str, name: str) -> ReaderError:
    """The Chinese `ReaderError` for an exception a reader let escape (the PDF worker uses it too)."""
    if isinstance(e, MemoryError):
        return ReaderError("文件过大或结构异常，读取时内存不足", file=name)
    if isinstance(e, RecursionError):
        return ReaderError("文件结构嵌套过深，疑似恶意文件，已拒绝读取", file=name)
    # a reader bug or an unforeseen damage must still not surface as a traceback
    return ReaderError(f"读取 {fmt} 文件失败（文件可能已损坏）：{type(e).__name__}: {e}", file=name)
