"""Ruled PDF tables read with pypdfium2 alone, on PDFs drawn here line by line (exact geometry, fast)."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from jixiao.ingest import read_document
from jixiao.ingest.outline import build_outline, iter_sections


class Canvas:
    """A one-page PDF: text with the standard Helvetica font, stroked lines and rectangles."""

    def __init__(self, width: float = 600, height: float = 800) -> None:
        self.pdf = pdfium.PdfDocument.new()
        self.size = (width, height)
        self.pages = [self.pdf.new_page(width, height)]
        self.page = self.pages[0]
        self.font = pdfium_c.FPDFText_LoadStandardFont(self.pdf.raw, b"Helvetica")

    def new_page(self) -> None:
        self.page = self.pdf.new_page(*self.size)
        self.pages.append(self.page)

    def text(self, x: float, y: float, s: str, size: float = 10) -> None:
        obj = pdfium_c.FPDFPageObj_CreateTextObj(self.pdf.raw, self.font, size)
        buf = ctypes.create_string_buffer((s + "\0").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        pdfium_c.FPDFPage_InsertObject(self.page.raw, obj)

    def _stroke(self, obj) -> None:  # type: ignore[no-untyped-def]
        pdfium_c.FPDFPath_SetDrawMode(obj, pdfium_c.FPDF_FILLMODE_NONE, True)
        pdfium_c.FPDFPageObj_SetStrokeColor(obj, 0, 0, 0, 255)
        pdfium_c.FPDFPageObj_SetStrokeWidth(obj, 0.5)
        pdfium_c.FPDFPage_InsertObject(self.page.raw, obj)

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        obj = pdfium_c.FPDFPageObj_CreateNewPath(x0, y0)
        pdfium_c.FPDFPath_LineTo(obj, x1, y1)
        self._stroke(obj)

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        self._stroke(pdfium_c.FPDFPageObj_CreateNewRect(x, y, w, h))

    def grid(self, xs: list[float], ys: list[float], skip_h: set[tuple[int, int]] = frozenset()) -> None:  # type: ignore[assignment]
        """Ruling lines of a grid; ``skip_h`` holds (row line index, column) pairs left undrawn (a row span)."""
        for x in xs:
            self.line(x, ys[0], x, ys[-1])
        for i, y in enumerate(ys):
            for c in range(len(xs) - 1):
                if (i, c) not in skip_h:
                    self.line(xs[c], y, xs[c + 1], y)

    def save(self, path: Path) -> Path:
        for page in self.pages:
            pdfium_c.FPDFPage_GenerateContent(page.raw)
        self.pdf.save(str(path))
        self.pdf.close()
        return path


def test_two_stacked_tables_with_different_columns_stay_two(tmp_path: Path) -> None:
    c = Canvas()
    c.text(50, 760, "Budget report of the unit for the year.")
    # table A: three columns; table B right below it, sharing its bottom rule, with two columns
    c.grid([50, 150, 250, 350], [700, 680, 660])
    c.grid([50, 200, 350], [660, 640, 620])
    for x, s in ((55, "Item"), (155, "Weight"), (255, "Score")):
        c.text(x, 685, s)
    for x, s in ((55, "Rate"), (155, "4.00"), (255, "3.58")):
        c.text(x, 665, s)
    for x, s in ((55, "Target"), (205, "Actual")):
        c.text(x, 645, s)
    for x, s in ((55, "70"), (205, "8")):
        c.text(x, 625, s)
    c.text(50, 580, "Text after the tables.")
    doc = read_document(c.save(tmp_path / "stacked.pdf"))
    a, b = doc.tables()
    assert a.rows == [["Item", "Weight", "Score"], ["Rate", "4.00", "3.58"]]
    assert b.rows == [["Target", "Actual"], ["70", "8"]]
    assert [blk.kind for blk in doc.blocks] == ["paragraph", "table", "table", "paragraph"]
    assert doc.text.count("3.58") == 1  # no cell printed twice
    loc = doc.locate(doc.text.index("3.58"))
    assert (loc.page, loc.table, loc.row, loc.col) == (1, 1, 2, 3)


def test_merged_cells_repeated_and_wrapped_number_rejoined(tmp_path: Path) -> None:
    c = Canvas()
    xs, ys = [50, 150, 250, 350], [700, 680, 650, 630, 610]
    # the rule under row 1 is missing in column 0 (a row span); the last row spans all three columns
    c.grid([50, 150, 250, 350], ys[:-1], skip_h={(2, 0)})
    c.line(50, 630, 50, 610)
    c.line(350, 630, 350, 610)
    c.line(50, 610, 350, 610)
    for x, s in ((55, "Name"), (155, "Budget"), (255, "Actual")):
        c.text(x, 685, s)
    c.text(55, 665, "Grants")
    c.text(155, 665, "5830")  # a number wrapped inside its cell
    c.text(155, 655, "92.57")
    c.text(255, 665, "120")
    c.text(155, 635, "40")
    c.text(255, 635, "39")
    c.text(55, 615, "Total 159")
    doc = read_document(c.save(tmp_path / "merged.pdf"))
    (t,) = doc.tables()
    assert len(xs) - 1 == len(t.rows[0])
    assert t.rows == [
        ["Name", "Budget", "Actual"],
        ["Grants", "583092.57", "120"],
        ["Grants", "40", "39"],
        ["Total 159", "Total 159", "Total 159"],
    ]
    assert "5830 92.57" not in doc.text and "583092.57" in doc.text


def test_table_drawn_as_rectangles(tmp_path: Path) -> None:
    c = Canvas()
    for r, y in enumerate((680, 660)):
        for k, x in enumerate((50, 150)):
            c.rect(x, y, 100, 20)
            c.text(x + 5, y + 5, f"r{r + 1}c{k + 1}")
    doc = read_document(c.save(tmp_path / "rects.pdf"))
    (t,) = doc.tables()
    assert t.rows == [["r1c1", "r1c2"], ["r2c1", "r2c2"]]


def test_a_boxed_line_is_not_a_table_and_tables_are_not_headings(tmp_path: Path) -> None:
    c = Canvas()
    c.rect(50, 700, 300, 20)  # a framed note
    c.text(55, 705, "Note: figures in yuan.")
    c.grid([50, 150, 250], [660, 640, 620])
    c.text(55, 645, "1. Budget")
    c.text(155, 645, "2. Actual")
    c.text(55, 625, "3. Rate")
    c.text(155, 625, "4. Score")
    doc = read_document(c.save(tmp_path / "note.pdf"))
    assert len(doc.tables()) == 1
    assert "Note: figures in yuan." in doc.text
    assert not iter_sections(build_outline(doc))  # numbered cells never open sections


def test_row_cut_by_a_page_break_is_one_row(tmp_path: Path) -> None:
    c = Canvas()
    c.text(50, 760, "Scoring table")
    c.grid([50, 250, 350], [120, 100, 60])
    c.text(55, 105, "Indicator")
    c.text(255, 105, "Weight")
    c.text(55, 85, "Budget completion rate of")  # the row goes on over the page break
    c.text(255, 85, "4.00")
    c.new_page()
    c.grid([50, 250, 350], [760, 740, 720])
    c.text(55, 745, "the whole department")
    c.text(55, 725, "Procurement")
    c.text(255, 725, "2.00")
    doc = read_document(c.save(tmp_path / "split.pdf"))
    (t,) = doc.tables()
    assert t.rows == [
        ["Indicator", "Weight"],
        ["Budget completion rate of the whole department", "4.00"],
        ["Procurement", "2.00"],
    ]
    loc = doc.locate(doc.text.index("2.00"))
    assert (loc.page, loc.row, loc.col) == (2, 3, 2)
    assert doc.locate(doc.text.index("Budget")).page == 1


def test_latex_fragment_wrapped_inside_a_cell() -> None:
    from jixiao.ingest.readers._common import normalize_cell

    assert normalize_cell("$\\\ngeq \n250\n$人") == "≥250人"
    assert normalize_cell("$\\ geq 70$ 人") == "≥70人"  # a PDF gap read as a space after the backslash
    assert normalize_cell("单价 $5 元\n其他") == "单价 $5 元其他"  # a lone dollar sign is text


# --------------------------------------------------------------------------- lines without tables


def _lines_both_ways(path: Path) -> tuple[list, list, str]:  # type: ignore[type-arg]
    """A page's lines from pdfium's text rectangles and from its character boxes."""
    from jixiao.ingest.readers.pdf import fast_lines, page_chars, page_lines, page_text

    pdf = pdfium.PdfDocument(str(path))
    try:
        tp = pdf[0].get_textpage()
        text = page_text(tp)
        return fast_lines(tp, text), page_lines(page_chars(tp, text)), text
    finally:
        pdf.close()


def test_line_geometry_from_text_rectangles_matches_the_character_boxes(tmp_path: Path) -> None:
    c = Canvas()
    c.text(50, 700, "Budget execution")  # one line drawn as three text objects
    c.text(135, 700, "rate was")
    c.text(180, 700, "95 percent.", 12)
    c.text(50, 650, "first third")  # a quote drawn after the word it sits in: the run goes backwards
    c.text(72, 650, '"')
    c.text(50, 600, "x")
    c.text(50, 550, "   indented line")
    fast, slow, text = _lines_both_ways(c.save(tmp_path / "lines.pdf"))
    assert [ln.text for ln in fast] == [ln.text for ln in slow]
    assert fast[1].text == 'first th" ird'  # re-sorted by x, as character by character
    for a, b in zip(fast, slow, strict=True):
        assert (a.right, a.height, a.cx) == pytest.approx((b.right, b.height, b.cx), abs=1e-6)
    # the ink height of the line, not of one run: the 12 pt run is taller than the 10 pt ones
    assert fast[0].height > 9 and "percent" in text


def test_page_without_crossing_rules_is_not_read_character_by_character(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jixiao.ingest.readers import pdf as reader

    c = Canvas()
    c.text(50, 760, "1. Overview")
    for k in range(5):  # underlines only: four or more paths, but no vertical rule, so no table
        c.line(50, 700 - 40 * k, 300, 700 - 40 * k)
        c.text(50, 705 - 40 * k, f"Line {k + 1} of the report text.")
    path = c.save(tmp_path / "underlined.pdf")
    called: list[int] = []
    real = reader.page_chars
    monkeypatch.setattr(reader, "page_chars", lambda *a: called.append(1) or real(*a))
    doc = read_document(path)
    assert not called and not doc.tables()
    assert "Line 5 of the report text." in doc.text


def test_text_helpers_count_breaks_and_drop_non_characters() -> None:
    from jixiao.ingest.readers.pdf import _breaks, _flat

    assert _breaks("a\r\nb\rc\nd\n\r") == 5  # "\r\n" is one break; "\n\r" is two
    assert _flat("a\r\nb\x00c\ufffe\r") == "abc"
    assert _flat("甲\n乙") == "甲乙"


def test_column_sets_match_a_pairwise_comparison() -> None:
    import random

    from jixiao.ingest.readers.pdf_tables import _TOL, _subset, _union

    def same(a: float, b: float) -> bool:
        return abs(a - b) <= _TOL

    rng = random.Random(7)
    for _ in range(300):
        a = sorted(round(rng.uniform(0, 60), rng.choice([0, 1, 3])) for _ in range(rng.randint(0, 8)))
        b = sorted(round(rng.uniform(0, 60), rng.choice([0, 1, 3])) for _ in range(rng.randint(0, 8)))
        expect = list(a)
        for x in b:
            if not any(same(x, y) for y in expect):
                expect.append(x)
        assert _union(a, b) == sorted(expect)
        assert _subset(a, b) == all(any(same(x, y) for y in b) for x in a)
    assert _subset([10.0, 50.0], [8.0, 30.0, 52.0]) and not _subset([10.0, 40.0], [8.0, 30.0, 52.0])


def test_characters_of_part_of_a_page(tmp_path: Path) -> None:
    from jixiao.ingest.readers.pdf import page_chars, page_text

    c = Canvas()
    c.text(50, 700, "Alpha")
    c.text(50, 650, "Beta")
    pdf = pdfium.PdfDocument(str(c.save(tmp_path / "two.pdf")))
    try:
        tp = pdf[0].get_textpage()
        text = page_text(tp)
        assert text == "Alpha\r\nBeta"
        whole = page_chars(tp, text)
        assert [ch[0] if ch else None for ch in whole] == [*"Alpha", None, *"Beta"]
        start = text.index("Beta")
        assert page_chars(tp, text, start) == whole[-4:]  # same boxes, from the same character indices
        assert all(600 < ch[3] < ch[4] < 670 for ch in whole[-4:])  # type: ignore[index]
    finally:
        pdf.close()
