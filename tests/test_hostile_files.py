"""Hostile files built at test time, each read in a fresh process with its time and peak memory measured.

`tests/test_readers_hostile.py` covers the plain cases (empty file, random bytes, GBK text named .docx,
a 30 MB zero-filled docx member, billion laughs in document.xml, XXE in workbook.xml, a header-only PDF).
This file covers what it does not: bombs that stay under the per-member ratio, lying zip headers, too many
members, DTDs in sharedStrings.xml and [Content_Types].xml, DTDs hidden behind a long comment or a
UTF-16 encoding, encrypted PDFs (a real RC4 Standard security handler, generated here), truncated PDFs,
a 2,000-page PDF, page trees that lie or loop, flate bombs (in a content stream, under two Flate layers,
in a font file, in an object stream, spread over 300 streams; a 500 MB image, which is no bomb), nested
form XObjects, one content stream shared by many pages, a 10^6-row workbook, encrypted OOXML and
mislabelled formats.

Every case must end in a Chinese `ReaderError` (or, where the file is legitimately readable, a document)
within `SECONDS` and with the peak RSS of the reading process, and of its PDF worker processes, under
`PEAK_RSS_MB`. Nothing is committed as a binary: all files are generated in a temporary directory.

    .venv/bin/python tests/test_hostile_files.py     # prints the table of measured time / peak RSS
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import subprocess

from test_fuzz_readers import (
    REPO,
    WORKER,
    Worker,
    assemble_pdf,
    make_docx,
    make_xlsx,
    minimal_pdf,
    soffice_pdf,
)

SECONDS = float(os.environ.get("JIXIAO_HOSTILE_SECONDS", "15"))
PEAK_RSS_MB = float(os.environ.get("JIXIAO_HOSTILE_RSS_MB", "600"))

# ---------------------------------------------------------------------------------------------
# Zip helpers


def rewrite(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


LOL = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10))) for i in range(2, 10)
    )
    + b"]>"
)
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_with_document(xml: bytes) -> bytes:
    return rewrite(make_docx(), {"word/document.xml": xml})


def doc_xml(body_text: bytes, prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + b"<w:document "
        + W
        + b"><w:body><w:p><w:r><w:t>"
        + body_text
        + b"</w:t></w:r></w:p></w:body></w:document>"
    )


def random_comment(n: int) -> bytes:
    """A comment that deflate cannot squeeze 100:1 (so the ratio guard does not catch it)."""
    rng = random.Random(7)
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789"
    return b"<!--" + bytes(rng.choice(alphabet) for _ in range(n)) + b"-->"


def lying_sizes(data: bytes, member: str, declared: int) -> bytes:
    """The zip with `member`'s uncompressed size rewritten to `declared` in both headers."""
    b = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(member)
    # local header: size fields at offset 22; central directory entry: at 24
    struct.pack_into("<I", b, info.header_offset + 22, declared)
    cd = b.find(b"PK\x01\x02")
    while cd >= 0:
        name_len = struct.unpack_from("<H", b, cd + 28)[0]
        if bytes(b[cd + 46 : cd + 46 + name_len]) == member.encode():
            struct.pack_into("<I", b, cd + 24, declared)
            break
        cd = b.find(b"PK\x01\x02", cd + 4)
    return bytes(b)


# ---------------------------------------------------------------------------------------------
# PDF helpers: the Standard security handler (revision 2, RC4 40-bit), as in the PDF reference §3.5


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for ch in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(ch ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(
    user_password: bytes, owner_password: bytes = b"owner", stream: bytes | None = None, filters: bytes = b""
) -> bytes:
    """A one-page PDF with text, encrypted for real; without the user password it cannot be read.
    `stream` (already encoded for `filters`) replaces the page's plain content stream."""
    file_id = hashlib.md5(b"jixiao-hostile").digest()
    o = rc4(hashlib.md5((owner_password + PAD)[:32]).digest()[:5], (user_password + PAD)[:32])
    perms = -44  # print/copy etc. denied: a typical "protected" export
    key = hashlib.md5((user_password + PAD)[:32] + o + struct.pack("<i", perms) + file_id).digest()[:5]
    u = rc4(key, PAD)

    def obj_key(num: int) -> bytes:
        return hashlib.md5(key + struct.pack("<I", num)[:3] + b"\x00\x00").digest()[:10]

    if stream is None:
        stream = b"BT /F1 12 Tf 50 780 Td (Budget 1,234.56 executed 1,200.00 rate 92.31%) Tj ET"
    enc_stream = rc4(obj_key(4), stream)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d %s>>\nstream\n" % (len(enc_stream), filters) + enc_stream + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (o.hex().encode(), u.hex().encode(), perms),
    ]
    return assemble_pdf(
        objs, b"/Encrypt 6 0 R /ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode())
    )


def pdf_with_pages_dict(pages_dict: bytes, extra: list[bytes] | None = None) -> bytes:
    """One real page (object 4) under a hand-written /Pages object 2."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        pages_dict,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length 30 >>\nstream\nBT /F1 12 Tf 50 780 Td (x) Tj ET\nendstream",
        *(extra or []),
    ]
    return assemble_pdf(objs)


def flate_bomb_pdf(megabytes: int) -> bytes:
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = (
        b"".join(comp.compress(chunk) for _ in range(megabytes))
        + comp.compress(b"BT /F1 12 Tf 50 780 Td (Budget 1,234.56) Tj ET")
        + comp.flush()
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    return assemble_pdf(objs)


def _spaces_deflated(megabytes: int, tail: bytes = b"") -> bytes:
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    return b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.compress(tail) + comp.flush()


_TEXT = b"BT /F1 12 Tf 50 780 Td (Budget 1,234.56) Tj ET"
FONT_DICT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"


def nested_flate_bomb_pdf(megabytes: int) -> bytes:
    """A content stream under /Filter [/FlateDecode /FlateDecode]: ~1 KB on disk, `megabytes` inflated."""
    body = zlib.compress(_spaces_deflated(megabytes, _TEXT), 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT_DICT,
        _PAGE,
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    return assemble_pdf(objs)


def fontfile_bomb_pdf(megabytes: int) -> bytes:
    """A TrueType font whose /FontFile2 stream inflates to `megabytes` of zeros."""
    comp = zlib.compressobj(9)
    zeros = b"\x00" * (1 << 20)
    font = b"".join(comp.compress(zeros) for _ in range(megabytes)) + comp.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 /FontDescriptor 6 0 R >>",
        _PAGE,
        b"<< /Length %d >>\nstream\n" % len(_TEXT) + _TEXT + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
        b"<< /Length %d /Length1 %d /Filter /FlateDecode >>\nstream\n" % (len(font), megabytes << 20)
        + font
        + b"\nendstream",
    ]
    return assemble_pdf(objs)


def objstm_bomb_pdf(megabytes: int) -> bytes:
    """The font dictionary (object 3) inside an object stream, `megabytes` of spaces into it; the file has
    a cross-reference stream, as PDF 1.5 requires for compressed objects."""
    header = b"3 %d " % (megabytes << 20)
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    stm = (
        comp.compress(header)
        + b"".join(comp.compress(chunk) for _ in range(megabytes))
        + comp.compress(FONT_DICT)
        + comp.flush()
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        None,  # object 3 lives in object stream 6
        _PAGE,
        b"<< /Length %d >>\nstream\n" % len(_TEXT) + _TEXT + b"\nendstream",
        b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
        % (len(header), len(stm))
        + stm
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for i, body in enumerate(objs, 1):
        if body is None:
            rows.append(struct.pack(">BIH", 2, 6, 0))
            continue
        rows.append(struct.pack(">BIH", 1, len(out), 0))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref_at = len(out)
    rows.append(struct.pack(">BIH", 1, xref_at, 0))
    table = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (len(objs) + 1, len(objs) + 2, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return bytes(out)


def many_streams_pdf(pages: int, megabytes_each: int) -> bytes:
    """`pages` pages, each with its own content stream inflating to `megabytes_each`: no single stream is
    large, the sum is."""
    body = _spaces_deflated(megabytes_each, _TEXT)
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages)), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (5 + 2 * i)
        )
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream")
    return assemble_pdf(objs)


def image_pdf(megabytes: int) -> bytes:
    """A page with text drawing a lossless RGB image that inflates to `megabytes`: text extraction never
    decodes it, so it must read (and not be mistaken for a bomb)."""
    width = 10000
    rows = (megabytes << 20) // (width * 3) // 100 * 100
    comp = zlib.compressobj(9)
    band = b"\xff" * (width * 3 * 100)
    img = b"".join(comp.compress(band) for _ in range(rows // 100)) + comp.flush()
    content = b"q 500 0 0 300 50 400 cm /Im1 Do Q " + _TEXT
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT_DICT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> "
        b"/XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Length %d /Filter /FlateDecode >>\nstream\n" % (width, rows, len(img)) + img + b"\nendstream",
    ]
    return assemble_pdf(objs)


def shared_content_pdf(pages: int, megabytes: int) -> bytes:
    """`pages` pages whose /Contents is one and the same stream of `megabytes` (inflated): counted once,
    it is under the inflated-size limit; pdfium inflates and parses it once per page."""
    body = _spaces_deflated(megabytes, _TEXT)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)), pages),
        FONT_DICT,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    objs += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 4 0 R >>"
    ] * pages
    return assemble_pdf(objs)


def form_fanout_pdf(depth: int, fan: int) -> bytes:
    """Form XObjects each drawing the next one `fan` times, `depth` deep, the last one a line of text: a
    2 KB file whose text layer holds fan**depth copies of it (no stream is large; nothing is compressed)."""
    leaf = b"BT /F1 12 Tf 10 10 Td (" + b"Budget 1,234.56 " * 12 + b") Tj ET"
    forms = []
    for k in range(depth + 1):
        if k == depth:
            body, res = leaf, b"/Font << /F1 3 0 R >>"
        else:
            body, res = b" ".join(b"q /X Do Q" for _ in range(fan)), b"/XObject << /X %d 0 R >>" % (7 + k)
        forms.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << %s >> /Length %d >>\nstream\n"
            % (res, len(body))
            + body
            + b"\nendstream"
        )
    content = b"q /X Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT_DICT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /X 6 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *forms,
    ]
    return assemble_pdf(objs)


# ---------------------------------------------------------------------------------------------
# Workbooks written as raw sheet XML (openpyxl's writer needs ~1 min for 10^6 rows; this takes seconds)


def xlsx_with_rows(n_rows: int, path: Path) -> None:
    base = zipfile.ZipFile(io.BytesIO(make_xlsx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in base.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            dst.writestr(info.filename, base.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            step = 10000
            for start in range(1, n_rows + 1, step):
                fh.write(
                    b"".join(
                        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>'
                        % (r, r, r * 7, r)
                        for r in range(start, min(start + step, n_rows + 1))
                    )
                )
            fh.write(b"</sheetData></worksheet>")


def ole_encrypted() -> bytes:
    """An OLE2 compound file holding an EncryptedPackage stream: what Office writes for a password-protected .xlsx."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 2000
    )


# ---------------------------------------------------------------------------------------------
# The cases: (id, file name, builder(tmp) -> bytes | None to write, expected: "error" regex or "ok")


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        p = tmp / name
        p.write_bytes(data)
        return p

    return build


def _lazy(name: str, make: Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        p = tmp / name
        p.write_bytes(make())
        return p

    return build


def _rows(n: int) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        p = tmp / f"rows{n}.xlsx"
        xlsx_with_rows(n, p)
        return p

    return build


def _many_members(tmp: Path) -> Path:
    p = tmp / "members.docx"
    p.write_bytes(rewrite(make_docx(), {}, {f"word/media/x{i}.bin": b"" for i in range(6000)}))
    return p


def _truncated_soffice(frac: float) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        data = soffice_pdf(tmp) or minimal_pdf([["Budget 1,234.56"]] * 3)
        p = tmp / f"cut{int(frac * 100)}.pdf"
        p.write_bytes(data[: int(len(data) * frac)])
        return p

    return build


CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    # zip bombs the per-member ratio check alone would not see
    (
        "docx-bomb-lying-header",
        _lazy(
            "lying.docx",
            lambda: lying_sizes(docx_with_document(doc_xml(b"0" * (60 << 20))), "word/document.xml", 4096),
        ),
        "损坏|压缩|DTD|读取",
    ),
    (
        "xlsx-bomb-sharedstrings",
        _lazy(
            "bomb.xlsx",
            lambda: rewrite(
                make_xlsx(),
                {},
                {
                    "xl/sharedStrings.xml": b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><si><t>' + b"A" * (300 << 20) + b"</t></si></sst>"
                },
            ),
        ),
        "压缩炸弹|压缩比|解压后",
    ),
    ("docx-6000-members", _many_members, "文件数"),
    # DTDs where the existing tests do not look
    (
        "xlsx-billion-laughs-sharedstrings",
        _lazy(
            "lol.xlsx",
            lambda: rewrite(
                make_xlsx(),
                {},
                {
                    "xl/sharedStrings.xml": b'<?xml version="1.0"?>'
                    + LOL
                    + b'<sst xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
                },
            ),
        ),
        "DTD",
    ),
    (
        "docx-xxe-content-types",
        _lazy(
            "ct.docx",
            lambda: rewrite(
                make_docx(),
                {
                    "[Content_Types].xml": b'<?xml version="1.0"?>'
                    + XXE
                    + b'<Types xmlns="http://schemas.openxmlformats.org/'
                    b'package/2006/content-types">&xxe;</Types>'
                },
            ),
        ),
        "DTD",
    ),
    ("docx-xxe-document", _lazy("xxe.docx", lambda: docx_with_document(doc_xml(b"&xxe;", XXE))), "DTD"),
    (
        "docx-dtd-after-long-comment",
        _lazy(
            "comment.docx", lambda: docx_with_document(doc_xml(b"&lol9;", random_comment(1_200_000) + LOL))
        ),
        "DTD",
    ),
    (
        "docx-dtd-utf16-no-bom",
        _lazy(
            "utf16.docx",
            lambda: docx_with_document(
                doc_xml(b"&lol9;", LOL)
                .replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
                .decode()
                .encode("utf-16-le")
            ),
        ),
        "DTD",
    ),
    # PDFs
    ("pdf-encrypted-user-password", _lazy("locked.pdf", lambda: encrypted_pdf(b"secret")), "加密|密码"),
    ("pdf-encrypted-owner-only", _lazy("owner.pdf", lambda: encrypted_pdf(b"")), "ok:Budget"),
    (
        "pdf-2000-pages",
        _lazy("pages2000.pdf", lambda: minimal_pdf([[f"page {i}"] for i in range(2000)])),
        "页数 2000",
    ),
    (
        "pdf-1000-pages-at-limit",
        _lazy("pages1000.pdf", lambda: minimal_pdf([[f"Budget line {i}"] for i in range(1000)])),
        "ok:Budget",
    ),
    (
        "pdf-count-lies",
        _lazy(
            "count.pdf", lambda: pdf_with_pages_dict(b"<< /Type /Pages /Kids [4 0 R] /Count 2000000000 >>")
        ),
        "页数|ok:x|损坏|页面",
    ),
    (
        "pdf-kids-loop",
        _lazy("loop.pdf", lambda: pdf_with_pages_dict(b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>")),
        "页|ok:x|损坏",
    ),
    ("pdf-flate-bomb-200mb", _lazy("flate.pdf", lambda: flate_bomb_pdf(200)), "ok:Budget|损坏|页"),
    ("pdf-flate-bomb-500mb", _lazy("flate500.pdf", lambda: flate_bomb_pdf(500)), "上限 256 MB.*压缩炸弹"),
    ("pdf-nested-flate-bomb-512mb", _lazy("nested.pdf", lambda: nested_flate_bomb_pdf(512)), "压缩炸弹"),
    ("pdf-fontfile-bomb-500mb", _lazy("font.pdf", lambda: fontfile_bomb_pdf(500)), "压缩炸弹"),
    ("pdf-objstm-bomb-500mb", _lazy("objstm.pdf", lambda: objstm_bomb_pdf(500)), "压缩炸弹"),
    ("pdf-300-streams-of-1mb", _lazy("many.pdf", lambda: many_streams_pdf(300, 1)), "压缩炸弹"),
    ("pdf-flate-image-500mb", _lazy("image.pdf", lambda: image_pdf(500)), "ok:Budget"),
    (
        "pdf-encrypted-flate-bomb-400mb",
        _lazy(
            "locked-bomb.pdf",
            lambda: encrypted_pdf(b"", stream=_spaces_deflated(400, _TEXT), filters=b"/Filter /FlateDecode "),
        ),
        "压缩炸弹|加密",
    ),
    ("pdf-shared-content-20x200mb", _lazy("shared.pdf", lambda: shared_content_pdf(20, 200)), "页|上限|ok:"),
    ("pdf-form-fanout-10x4", _lazy("fanout.pdf", lambda: form_fanout_pdf(4, 10)), "页|文本|上限|ok:Budget"),
    ("pdf-truncated-10pct", _truncated_soffice(0.10), "PDF|损坏|页面"),
    ("pdf-truncated-60pct", _truncated_soffice(0.60), "PDF|损坏|页面|ok:"),
    ("pdf-truncated-99pct", _truncated_soffice(0.99), "PDF|损坏|页面|ok:"),
    # workbooks
    ("xlsx-1000000-rows", _rows(1_000_000), "行数"),
    # encrypted and mislabelled files
    ("xlsx-encrypted-ole", _write("locked.xlsx", ole_encrypted()), "加密"),
    ("docx-encrypted-ole", _write("locked.docx", ole_encrypted()), "加密"),
    ("empty-pdf", _write("empty.pdf", b""), "空"),
    ("empty-xlsx", _write("empty.xlsx", b""), "空"),
    (
        "utf16-text-named-xlsx",
        _write("table.xlsx", "\ufeff一、基本情况\n预算数 100 万元。\n".encode("utf-16-le")),
        "纯文本",
    ),
    (
        "gb18030-text-named-pdf",
        _write("report.pdf", ("一、基本情况\n预算数 100 万元，执行率 98%。\n" * 20).encode("gb18030")),
        "纯文本",
    ),
    ("xlsx-named-docx", _lazy("really-xlsx.docx", make_xlsx), "ok:培训人数"),
    ("docx-named-pdf", _lazy("really-docx.pdf", make_docx), "ok:预算执行率"),
    ("pdf-named-xlsx", _lazy("really-pdf.xlsx", lambda: minimal_pdf([["Budget 1,234.56"]])), "ok:Budget"),
]


# Tighter bounds where the general one would let a known slowness pass on a fast machine: a 12 MB
# workbook has to be turned away in seconds, not after streaming 10^6 rows.
CASE_SECONDS = {"xlsx-1000000-rows": 5.0, "pdf-form-fanout-10x4": 5.0, "pdf-shared-content-20x200mb": 5.0}


# PDFs are read in worker processes (src/jixiao/ingest/readers/pdf_sandbox.py), so a bomb's memory is
# spent there: the reading process's peak counts its children too, the reaped ones (killed at a limit)
# through RUSAGE_CHILDREN, the live ones through their own VmHWM.
_CHILDREN_MB = r"""
import resource

def children_mb():
    from jixiao.ingest.readers.pdf_sandbox import live_worker_pids
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for pid in live_worker_pids():
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:  # exited meanwhile: reaped, so counted above
            pass
    return peak
"""
READING_WORKER = _CHILDREN_MB + WORKER.replace(
    'out["maxrss_mb"] = hwm_mb()',
    'out["children_mb"] = children_mb()\n    out["maxrss_mb"] = max(hwm_mb(), out["children_mb"])',
)
assert 'out["children_mb"]' in READING_WORKER  # WORKER still reports its peak where it did


class ReadingWorker(Worker):
    """`Worker` whose peak RSS includes its PDF workers'."""

    def _start(self) -> subprocess.Popen[str]:
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
        return subprocess.Popen(
            [sys.executable, "-c", READING_WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )


def measure(case: tuple[str, Callable[[Path], Path], str], tmp: Path, timeout: float | None = None) -> dict:
    case_id, build, _expect = case
    t0 = time.perf_counter()
    path = build(tmp)
    built = time.perf_counter() - t0
    w = ReadingWorker()
    try:
        w.run(tmp / "__warm__.txt", steps=())  # imports happen before the measured call
        with path.open("rb") as fh:
            is_pdf = b"%PDF-" in fh.read(1024)
        if is_pdf:  # and the PDF worker is started, as in a running web app (its peak still counts)
            warm = tmp / "__warm__.pdf"
            warm.write_bytes(minimal_pdf([["warm"]]))
            w.run(warm, steps=("read",))
        res = w.run(path, steps=("read",), timeout=timeout or CASE_SECONDS.get(case_id, SECONDS))
    finally:
        w.close()
    res.update(path=path, size=path.stat().st_size, build_secs=built)
    return res


# Known failures in the readers (src/jixiao/ingest): each is reported to the lead.
# Closed 2026-11-22 by the PDF sandbox (readers/pdf_sandbox.py), measured without it: nested form
# XObjects (fan-out 10, depth 4, 2 KB) 9 s and 1.2 GB, depth 5 115 s and 5.5 GB; an encrypted 400 MB
# flate bomb (ciphertext to the guard) ~850 MB; 20 pages sharing one 200 MB content stream 10 s.
XFAIL: dict[str, str] = {}


def _params():  # type: ignore[no-untyped-def]
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[c[0]])] if c[0] in XFAIL else []
        yield pytest.param(c, id=c[0], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_hostile_file(case, tmp_path) -> None:
    import re

    case_id, _build, expect = case
    res = measure(case, tmp_path)
    where = f"{case_id}: {res.get('error')}: {res.get('message')} {res.get('traceback', '')}"
    assert res.get("stage") != "timeout", where
    assert res.get("error") is None or res.get("jixiao"), where
    assert res["secs"] < CASE_SECONDS.get(case_id, SECONDS), where
    assert res["maxrss_mb"] < PEAK_RSS_MB, f"{where} peak RSS {res['maxrss_mb']:.0f} MB"
    alternatives = expect.split("|")
    oks = [a[3:] for a in alternatives if a.startswith("ok:")]
    errs = "|".join(a for a in alternatives if not a.startswith("ok:"))
    if res.get("error") is None:
        assert oks, f"{case_id}: expected a ReaderError matching {errs!r}, but the file was read"
    else:
        assert errs and re.search(errs, res["message"]), where
        assert res["error"] == "ReaderError", where
        # Chinese, and naming the file
        assert re.search(r"[\u4e00-\u9fff]", res["message"]) and res["path"].name in res["message"], where


def test_hidden_external_entity_is_never_resolved(tmp_path) -> None:
    """Where the DTD scan is bypassed (see XFAIL), the external entity must still not be read."""
    from jixiao.errors import ReaderError
    from jixiao.ingest import read_document

    for prolog in (random_comment(1_200_000) + XXE,):
        p = tmp_path / "xxe-hidden.docx"
        p.write_bytes(docx_with_document(doc_xml(b"&xxe;", prolog)))
        try:
            text = read_document(p).text
        except ReaderError:
            continue
        assert "root:" not in text


def test_ocr_of_a_huge_page_stays_within_memory(tmp_path) -> None:
    """In-process (the sandbox would hide the render's memory in its worker): no bitmap before the engine
    is known to exist, and none over 16 Mpx (a 5000 pt page at scale 2 was ~700 MB)."""
    import json
    import subprocess

    content = b"0 0 m 10 10 l S"
    p = tmp_path / "huge-page.pdf"
    p.write_bytes(
        assemble_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 5000 5000] /Contents 4 0 R >>",
                b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            ]
        )
    )
    code = (
        "import json, sys\n"
        "from jixiao.ingest import read_document\n"
        "from jixiao.errors import ReaderError\n"
        "try:\n    read_document(sys.argv[1], ocr=True, sandbox=False); err = None\n"
        "except ReaderError as e:\n    err = str(e)\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps({'error': err, 'mb': int(hwm.split()[1]) / 1024}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    out = subprocess.run(
        [sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=120, env=env, check=True
    )
    res = json.loads(out.stdout)
    assert res["mb"] < PEAK_RSS_MB, f"peak RSS {res['mb']:.0f} MB: {res['error']}"


def test_encrypted_pdf_generator_really_encrypts(tmp_path) -> None:
    """The owner-only PDF reads, and its stream bytes on disk are not the plain text (so RC4 is applied)."""
    data = encrypted_pdf(b"")
    assert b"Budget" not in data and b"/Encrypt" in data
    import pypdfium2 as pdfium

    p = tmp_path / "o.pdf"
    p.write_bytes(data)
    pdf = pdfium.PdfDocument(str(p))
    assert "Budget 1,234.56" in pdf[0].get_textpage().get_text_range()
    pdf.close()
    with pytest.raises(pdfium.PdfiumError):
        (tmp_path / "u.pdf").write_bytes(encrypted_pdf(b"secret"))
        pdfium.PdfDocument(str(tmp_path / "u.pdf"))
    pdfium.PdfDocument(str(tmp_path / "u.pdf"), password="secret").close()


def main() -> None:  # pragma: no cover - a measuring tool
    import tempfile

    print(f"{'case':<36}{'size':>12}{'secs':>8}{'peak MB':>9}{'Δ MB':>7}  outcome")
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(case, Path(tmp), timeout=120)  # measure, do not judge
        outcome = "read ok" if r.get("error") is None else f"{r['error']}: {r['message'][:70]}"
        delta = r["maxrss_mb"] - r.get("maxrss_before_mb", 0) if "maxrss_mb" in r else float("nan")
        print(
            f"{case[0]:<36}{r['size']:>12,}{r.get('secs', float('nan')):>8.2f}{r.get('maxrss_mb', float('nan')):>9.0f}{delta:>7.0f}  {outcome}"
        )


if __name__ == "__main__":
    main()
