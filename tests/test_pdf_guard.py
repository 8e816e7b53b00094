"""The PDF decompression-bomb guard (`jixiao.ingest.readers.pdf_guard`) on PDFs written here by hand.

Limits are set to a few MB so the bombs stay small; `tests/test_hostile_files.py` reads full-size ones
(under the default limit) in a fresh process with peak memory measured.
"""

from __future__ import annotations

import base64
import shutil
import struct
import subprocess
import zlib

import pytest

from conftest import seed_path
from jixiao.errors import ReaderError
from jixiao.ingest import read_document
from jixiao.ingest.limits import Limits
from jixiao.ingest.readers import pdf_guard
from jixiao.ingest.readers.pdf_guard import check_pdf_streams
from test_fuzz_readers import assemble_pdf as pdf  # objects 1.. in order, exact xref; 1 is the catalog

MB = 1 << 20
LIMIT = Limits(max_pdf_inflated_mb=4)
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 12 Tf 50 780 Td (Budget 1,234.56 executed 1,200.00) Tj ET"


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9)


def spaces(n: int) -> bytes:
    """`n` bytes of spaces and then the text: a content stream that inflates to n bytes."""
    comp = zlib.compressobj(9)
    block = b" " * MB
    body = b"".join(comp.compress(block) for _ in range(n // MB)) + comp.compress(b" " * (n % MB))
    return body + comp.compress(TEXT) + comp.flush()


def one_page(
    content: bytes, filters: bytes = b"/Filter /FlateDecode", extra: list[bytes] | None = None
) -> bytes:
    """Catalog, pages, font, page, its content stream (object 5), then `extra` objects (6, 7, ...)."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            FONT,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents 5 0 R >>",
            stream(content, filters + b" "),
            *(extra or []),
        ]
    )


def refused(data: bytes, limits: Limits = LIMIT, name: str = "报告.pdf") -> ReaderError:
    with pytest.raises(ReaderError) as ei:
        check_pdf_streams(data, name, limits)
    return ei.value


# ---------------------------------------------------------------------------------------------
# What passes


def test_a_normal_pdf_passes_and_decoding_is_skipped_when_the_bound_fits(monkeypatch) -> None:
    data = one_page(deflate(TEXT * 50))
    check_pdf_streams(data, "a.pdf", LIMIT)

    def no_decoding(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("decoded although 1032 × file size is under the limit")

    monkeypatch.setattr(pdf_guard, "_decode", no_decoding)
    check_pdf_streams(data, "a.pdf", LIMIT)


def test_a_stream_just_under_the_limit_passes_and_one_just_over_is_refused() -> None:
    # the file is over limit/1032, so the stream really is inflated
    check_pdf_streams(one_page(spaces(4 * MB - 4096)), "a.pdf", LIMIT)
    refused(one_page(spaces(4 * MB + 4096)))


def test_the_bound_never_lets_a_larger_file_through_undecoded() -> None:
    """Padding after a bomb (so the bound is large) and before it (so it is decoded late)."""
    padding = stream(bytes(range(256)) * 2000)  # raw, unfiltered: decodes to nothing
    refused(one_page(spaces(5 * MB), extra=[padding]))
    data = pdf([b"<< /Type /Catalog >>", padding, stream(spaces(5 * MB), b"/Filter /FlateDecode ")])
    refused(data)


def test_streams_that_are_not_zlib_are_skipped() -> None:
    noise = bytes((i * 7919) % 251 for i in range(300_000))
    objs = [
        b"<< /Type /Catalog >>",
        stream(noise, b"/Filter /DCTDecode /Subtype /Image /Width 100 /Height 100 "),
        stream(noise, b"/Filter /FlateDecode "),  # damaged: pdfium gets nothing out of it either
        stream(deflate(TEXT)[:-9], b"/Filter /FlateDecode "),  # truncated
    ]
    check_pdf_streams(pdf(objs), "a.pdf", Limits(max_pdf_inflated_mb=0.01))


def test_a_pdf_without_streams_passes() -> None:
    check_pdf_streams(pdf([b"<< /Type /Catalog >>"]), "a.pdf", LIMIT)
    check_pdf_streams(b"%PDF-1.4\nstream", "a.pdf", LIMIT)  # keyword at the very end


# ---------------------------------------------------------------------------------------------
# Bombs


def test_one_huge_content_stream_is_refused_with_a_chinese_message_naming_file_and_limit() -> None:
    e = refused(one_page(spaces(32 * MB)), name="/tmp/某单位自评报告.pdf")
    text = str(e)
    assert "/tmp/某单位自评报告.pdf" in text and e.file == "/tmp/某单位自评报告.pdf"
    assert "4 MB" in text and "JIXIAO_MAX_PDF_INFLATED_MB" in text and "压缩炸弹" in text


def test_many_medium_streams_that_add_up_are_refused() -> None:
    objs = [b"<< /Type /Catalog >>"] + [stream(spaces(MB // 2), b"/Filter /FlateDecode ") for _ in range(10)]
    refused(pdf(objs))
    check_pdf_streams(pdf(objs[:7]), "a.pdf", LIMIT)  # 3.5 MB in all


def test_a_bomb_in_an_object_stream_is_refused() -> None:
    body = b"6 0 " + b" " * (8 * MB) + b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objstm = stream(deflate(body), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode ")
    refused(one_page(deflate(TEXT), extra=[objstm]))


def test_a_bomb_in_a_font_file_is_refused() -> None:
    font = stream(deflate(b"\x00" * (8 * MB)), b"/Length1 8388608 /Filter /FlateDecode ")
    descriptor = b"<< /Type /FontDescriptor /FontName /X /FontFile2 6 0 R >>"
    refused(one_page(deflate(TEXT), extra=[font, descriptor]))


def test_nested_flate_layers_are_followed_and_every_layer_counts() -> None:
    inner = deflate(b" " * (64 * MB))  # ~64 KB
    outer = deflate(inner)  # a few hundred bytes: 1032 × the file is far under the limit
    e = refused(one_page(outer, b"/Filter [/FlateDecode /FlateDecode]"))
    assert "压缩炸弹" in str(e)
    # one declared layer: pdfium would stop at the 64 KB of zlib data, and so does the guard
    check_pdf_streams(one_page(outer, b"/Filter /FlateDecode"), "a.pdf", LIMIT)
    # the first layer alone over the limit, the second one not zlib at all
    refused(one_page(deflate(b" " * (8 * MB)), b"/Filter [/FlateDecode /FlateDecode]"))
    # three layers
    refused(one_page(deflate(outer), b"/Filter [/Fl /Fl /Fl]"))


def test_text_filters_before_flate_are_decoded() -> None:
    bomb = deflate(b" " * (8 * MB))
    refused(one_page(bomb.hex().encode() + b">", b"/Filter [/ASCIIHexDecode /FlateDecode]"))
    refused(one_page(base64.a85encode(bomb) + b"~>", b"/Filter [/A85 /Fl]"))
    small = deflate(TEXT)
    check_pdf_streams(one_page(small.hex().encode() + b">", b"/Filter [/AHx /Fl]"), "a.pdf", LIMIT)


def test_filters_written_indirectly_or_with_name_escapes_are_read() -> None:
    outer = deflate(deflate(b" " * (64 * MB)))
    refused(one_page(outer, b"/Filter 6 0 R", extra=[b"[/FlateDecode /FlateDecode]"]))
    refused(one_page(outer, b"/F#69lter [/Fl#61teDecode /FlateDecode]"))
    refused(one_page(outer, b"/Filter %comment\n [ /FlateDecode %x\n /FlateDecode ]"))


def test_an_unreadable_filter_is_followed_by_sniffing_zlib_layers() -> None:
    outer = deflate(deflate(b" " * (64 * MB)))
    # two /Filter keys (which one pdfium takes is not ours to guess), or one hidden in an object stream
    refused(one_page(outer, b"/Filter /FlateDecode /Filter /DCTDecode"))
    refused(one_page(outer, b"/Filter 9 0 R"))


@pytest.mark.parametrize(
    "dictionary",
    [
        b"<< /Filter /FlateDecode /Note (mainstream) /Length %d >>",
        b"<< /Filter %% a stream of text\n /FlateDecode /Length %d >>",
        b"<< /Note (stream) /Filter [/AHx /Fl] /Length %d >>",
    ],
)
def test_the_word_stream_inside_a_dictionary_does_not_hide_its_filters(dictionary: bytes) -> None:
    bomb = deflate(b" " * (8 * MB))
    if b"AHx" in dictionary:
        bomb = bomb.hex().encode() + b">"
    objs = [b"<< /Type /Catalog >>", dictionary % len(bomb) + b"\nstream\n" + bomb + b"\nendstream"]
    refused(pdf(objs))


def test_a_flood_of_stream_keywords_is_refused_quickly() -> None:
    e = refused(b"%PDF-1.4\n1 0 obj\n<< /Filter /FlateDecode >>\n" + b"stream\n" * 200_010)
    assert "200000" in str(e)
    check_pdf_streams(b"%PDF-1.4\n" + b"stream " * 300_000, "a.pdf", LIMIT)  # no line end: no data


def test_lzw_and_runlength_count_at_their_worst_expansion() -> None:
    lzw = bytes(range(256)) * 8  # 2 KB: up to 5 MB decoded
    refused(one_page(lzw, b"/Filter /LZWDecode"))
    check_pdf_streams(one_page(lzw[:1024], b"/Filter /LZWDecode"), "a.pdf", LIMIT)
    check_pdf_streams(one_page(lzw, b"/Filter /RunLengthDecode"), "a.pdf", LIMIT)


def test_a_bomb_behind_a_fake_endstream_is_still_inflated_to_its_real_end() -> None:
    """Stored bytes inside the deflate data spell `endstream … stream`: a scan that trusted the first
    `endstream` (or a later `stream` keyword) would decode only the harmless prefix."""
    decoy = b"\nendstream\nendobj\n9 0 obj\n<< /Length 10 >>\nstream\n"
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = bomb.compress(b" " * (8 * MB)) + bomb.flush()
    stored = b"\x00" + struct.pack("<HH", len(decoy), 0xFFFF ^ len(decoy)) + decoy  # a non-final stored block
    adler = struct.pack(">I", zlib.adler32(decoy + b" " * (8 * MB)))
    data = b"\x78\xda" + stored + tail + adler
    assert zlib.decompress(data) == decoy + b" " * (8 * MB)  # a valid zlib stream, as pdfium reads it
    refused(one_page(data))


def test_a_stream_hidden_inside_another_streams_data_still_counts() -> None:
    """Objects may overlap (an xref entry can point into another stream's bytes): a bomb stored verbatim
    inside a harmless Flate stream near the end of the file is decoded as a stream of its own."""
    hidden = b"\n9 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + deflate(b" " * (8 * MB)) + b"\nendstream\n"
    stored = b"\x01" + struct.pack("<HH", len(hidden), 0xFFFF ^ len(hidden)) + hidden  # final stored block
    outer = b"\x78\x01" + stored + struct.pack(">I", zlib.adler32(hidden))
    assert zlib.decompress(outer) == hidden
    refused(one_page(outer))


def test_the_check_stops_early_instead_of_inflating_a_whole_bomb(monkeypatch) -> None:
    """Memory stays bounded: no decoder hands back more than its chunk, and the scan ends at the limit."""
    seen: list[int] = []
    real = zlib.decompressobj

    class Spy:
        def __init__(self) -> None:
            self.d = real()

        def decompress(self, buf, max_length=0):  # type: ignore[no-untyped-def]
            out = self.d.decompress(buf, max_length)
            seen.append(len(out))
            return out

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.d, name)

    monkeypatch.setattr(pdf_guard.zlib, "decompressobj", Spy)
    refused(one_page(spaces(64 * MB)), Limits(max_pdf_inflated_mb=2))
    assert max(seen) <= pdf_guard._OUT and sum(seen) <= 4 * MB


# ---------------------------------------------------------------------------------------------
# Images: text extraction does not decode them, rendering (OCR) does


IMAGE = stream(
    deflate(b"\xff" * (8 * MB)),
    b"/Type /XObject /Subtype /Image /Width 2048 /Height 1365 /ColorSpace /DeviceRGB /BitsPerComponent 8 "
    b"/Filter /FlateDecode ",
)


def image_page(resources: bytes, contents: bytes = b"5 0 R", extra: list[bytes] | None = None) -> bytes:
    """A page (4) with text (5) whose resources are `resources`; the 8 MB image is object 6."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            FONT,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> %s >> "
            b"/Contents %s >>" % (resources, contents),
            stream(deflate(b"q 500 0 0 300 50 400 cm /Im1 Do Q " + TEXT), b"/Filter /FlateDecode "),
            IMAGE,
            *(extra or []),
        ]
    )


def test_an_image_xobject_is_left_out_unless_pages_are_rendered() -> None:
    data = image_page(b"/XObject << /Im0 7 0 R /Im1 6 0 R >>")
    check_pdf_streams(data, "a.pdf", LIMIT)
    with pytest.raises(ReaderError, match="压缩炸弹"):
        check_pdf_streams(data, "a.pdf", LIMIT, render=True)
    check_pdf_streams(image_page(b"/XObject <</Im1 8 0 R>>", extra=[b"<< /SMask 6 0 R >>"]), "a.pdf", LIMIT)


@pytest.mark.parametrize(
    "resources, contents",
    [
        (b"/XObject << /Im1 6 0 R >>", b"[5 0 R 6 0 R]"),  # also drawn as page content
        (b"/XObject << /Im1 6 0 R >> /Pattern << /P1 6 0 R >>", b"5 0 R"),  # a tiling pattern is content
        (b"/XObject << /A << /Im1 6 0 R >> >>", b"5 0 R"),  # nested: not a resource entry
        (b"/XObject << /Im1 (x) 6 0 R >>", b"5 0 R"),
        (b"/Font << /T3 << /CharProcs << /a %/XObject <<\n 6 0 R >> >> >>", b"5 0 R"),  # a glyph
        (b"/Font << /T3 << /CharProcs << /a (/XObject <<) /b 6 0 R >> >> >>", b"5 0 R"),
    ],
)
def test_an_image_label_alone_does_not_spare_a_stream(resources: bytes, contents: bytes) -> None:
    refused(image_page(resources, contents))


def test_references_inside_object_streams_are_seen() -> None:
    objstm_text = b"9 0 << /Type /Page /Contents 6 0 R >>"
    objstm = stream(deflate(objstm_text), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode ")
    refused(image_page(b"/XObject << /Im1 6 0 R >>", extra=[objstm]))
    harmless = stream(deflate(b"9 0 << /Im1 6 0 R >>"), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode ")
    refused(image_page(b"/XObject 7 0 R", extra=[harmless]))  # the XObject dict is not inline: unprovable


# ---------------------------------------------------------------------------------------------
# The limit and where the guard runs


def test_the_limit_comes_from_the_environment() -> None:
    assert Limits().max_pdf_inflated_mb == 256
    lim = Limits.from_env({"JIXIAO_MAX_PDF_INFLATED_MB": "1.5"})
    assert lim.max_pdf_inflated_mb == 1.5 and lim.max_pdf_inflated_bytes == 3 * MB // 2
    assert Limits.from_env({"JIXIAO_MAX_PDF_INFLATED_MB": "lots"}).max_pdf_inflated_mb == 256


@pytest.mark.parametrize("ocr", [False, True])
def test_read_document_refuses_a_bomb_before_pdfium_opens_it(tmp_path, monkeypatch, ocr) -> None:
    import jixiao.ingest.readers.pdf as pdf_reader

    def not_reached(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("pdfium was given the bomb")

    monkeypatch.setattr(pdf_reader, "read_pdf", not_reached)
    p = tmp_path / "自评报告.pdf"
    p.write_bytes(one_page(spaces(16 * MB)))
    with pytest.raises(ReaderError, match="JIXIAO_MAX_PDF_INFLATED_MB") as ei:
        read_document(p, ocr=ocr, limits=LIMIT)
    assert ei.value.file == str(p)


def test_read_document_reads_a_normal_pdf_through_the_guard(tmp_path) -> None:
    p = tmp_path / "a.pdf"
    p.write_bytes(one_page(spaces(300_000)))  # over limit/1032: the stream is inflated and counted
    assert "Budget 1,234.56" in read_document(p, limits=Limits(max_pdf_inflated_mb=0.5)).text
    with pytest.raises(ReaderError, match=r"0\.25 MB"):
        read_document(p, limits=Limits(max_pdf_inflated_mb=0.25))


@pytest.mark.seeds
def test_a_seed_report_as_pdf_passes_even_when_fully_inflated(tmp_path) -> None:
    """A real report exported by LibreOffice: under a 1 MB limit every stream has to be inflated."""
    seed = seed_path("000")
    exe = shutil.which("soffice")
    if not exe:
        pytest.skip("没有 soffice（LibreOffice），无法把种子报告转换为 PDF")
    import docx

    d = docx.Document()
    for line in seed.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d.add_paragraph(line)
    d.save(str(tmp_path / "seed.docx"))
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "seed.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = (tmp_path / "seed.pdf").read_bytes()
    assert len(data) * 1032 > MB  # so the bound alone does not clear it
    check_pdf_streams(data, "seed.pdf", Limits(max_pdf_inflated_mb=1))
    check_pdf_streams(data, "seed.pdf", Limits())
    with pytest.raises(ReaderError):
        check_pdf_streams(data, "seed.pdf", Limits(max_pdf_inflated_mb=0.05))
    assert read_document(tmp_path / "seed.pdf").text.strip()
