"""PDF: text and ruled tables, both via pypdfium2 in one pass over each page.

Strategy (measured, see benchmarks/bench_extract.py): pdfplumber builds Python objects for every
character and parses the file a second time; its table detection cost 20–35× pdfium's raw text
extraction on a scoring-table PDF. So the characters pdfium already returns for the text layer are
reused for table cells, and the ruling lines come from the page's path objects (`pdf_tables`). Page furniture (running headers/footers, lone page numbers) is
removed before lines are joined into paragraphs, so a paragraph or a number broken across a page break
is rejoined. Garbled pages (unmapped glyphs) and pages without a text layer get a Chinese warning.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from jixiao.errors import ReaderError

from ..document import Block, Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ..normalize import MText, display_width, is_page_number, lines_to_blocks
from ._common import block_from_spec, check_size, normalize_cell, table_block
from .pdf_tables import Char, Table, find_tables, is_cjk, path_lines

_MIN_PATHS_FOR_TABLE = 4
_MAX_PATHS_FOR_TABLE = 5000
_OCR_HINT = "如需识别扫描件，请安装 OCR 组件（pip install jixiao[ocr]）并启用 OCR（命令行 --ocr，或 read_document(path, ocr=True)）"


def _bad_ratio(text: str) -> float:
    s = re.sub(r"\s", "", text)
    if not s:
        return 1.0
    cid = sum(len(m) for m in re.findall(r"\(cid:\d+\)", s))
    bad = sum(1 for c in s if c == "\ufffd" or ord(c) < 32 or 0xE000 <= ord(c) <= 0xF8FF)
    return (bad + cid) / len(s)


class PLine(NamedTuple):
    """A text line of a page, with geometry in PDF units (origin bottom-left); None when unknown."""

    text: str
    right: float | None  # x of the right edge
    height: float | None  # median glyph height
    cx: float | None = None  # centre
    cy: float | None = None


def page_chars(tp) -> list[Char | None]:  # type: ignore[no-untyped-def]
    """A page's characters with their boxes in content-stream order; None where pdfium breaks a line."""
    import pypdfium2.raw as pdfium_c

    n = tp.count_chars()
    if n <= 0:
        return []
    # raw calls with reused out-parameters: the helper allocates four doubles per character
    raw = tp.raw
    get_unicode, get_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetCharBox
    dl, dr, db, dt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    refs = (ctypes.byref(dl), ctypes.byref(dr), ctypes.byref(db), ctypes.byref(dt))
    # the page's characters in one call (UTF-16, one unit per character index); per character only
    # when a surrogate pair would shift the indices
    buf = ctypes.create_string_buffer(2 * (n + 1))
    got = pdfium_c.FPDFText_GetText(raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: 2 * max(got - 1, 0)].decode("utf-16-le", "replace")
    units = [ord(c) for c in text] if len(text) == n else [get_unicode(raw, k) for k in range(n)]
    out: list[Char | None] = []
    prev = 0
    for k in range(n):
        u = units[k]
        if u in (10, 13):
            if not (u == 10 and prev == 13):  # "\r\n" is one line break
                out.append(None)
            prev = u
            continue
        prev = u
        if u in (0, 0xFFFE, 0xFFFF) or not get_box(raw, k, *refs):
            continue
        out.append((chr(u), dl.value, dr.value, db.value, dt.value))
    return out


def page_lines(stream: list[Char | None], tables: list[Table] = ()) -> list[PLine]:  # type: ignore[assignment]
    """A page's lines in reading order, each with its right edge, character height and centre.

    pdfium returns characters in content-stream order. That is right for most lines, but some producers
    draw a few glyphs of a line later (e.g. quotes “” set in a fallback font), which would land them
    after the words they enclose. So each line (as pdfium splits them) is checked: if its characters
    run backwards on the page, they are re-sorted by x and spaces are re-derived from the gaps.
    Characters inside ``tables`` (already read into cells) are left out, and a line made only of them
    is no line: on a scoring-table page that is most of the characters.
    """
    lines: list[PLine] = []
    cur: list[tuple[str, float, float, float, float]] = []  # char, left, right, height, y centre

    def emit(chars: list[tuple[str, float, float, float, float]]) -> None:
        solid = [c for c in chars if not c[0].isspace()]
        right = max((c[2] for c in solid), default=None)
        hs = sorted(c[3] for c in solid)
        height = hs[len(hs) // 2] if hs else None
        cx = (min(c[1] for c in solid) + right) / 2 if solid and right is not None else None
        ys = sorted(c[4] for c in solid)
        cy = ys[len(ys) // 2] if ys else None
        backwards = any(b[1] < a[1] - 1.0 for a, b in itertools.pairwise(solid))
        if not backwards:
            lines.append(PLine("".join(c[0] for c in chars), right, height, cx, cy))
            return
        solid.sort(key=lambda c: c[1])
        h = height or 1.0
        out = [solid[0][0]]
        for a, b in itertools.pairwise(solid):
            if b[1] - a[2] > 0.25 * h and not (is_cjk(a[0]) and is_cjk(b[0])):
                out.append(" ")
            out.append(b[0])
        lines.append(PLine("".join(out), right, height, cx, cy))

    def close() -> None:
        solid = [c for c in cur if not c[0].isspace()]
        hs = sorted(c[3] for c in solid)
        h = hs[len(hs) // 2] if hs else 0.0
        ys = [c[4] for c in solid]
        if solid and max(ys) - min(ys) > 0.6 * h:
            # pdfium put text from different heights (e.g. a footer) on one line: split by height
            # bands of vertically overlapping glyph boxes (a baseline "." overlaps its digits)
            bands: list[list[tuple[str, float, float, float, float]]] = []
            extent: list[list[float]] = []  # [bottom, top] of each band
            for c in sorted(solid, key=lambda c: -(c[4] + c[3] / 2)):
                bottom, top = c[4] - c[3] / 2, c[4] + c[3] / 2
                if bands and top >= extent[-1][0] and bottom <= extent[-1][1]:
                    bands[-1].append(c)
                    extent[-1][0] = min(extent[-1][0], bottom)
                else:
                    bands.append([c])
                    extent.append([bottom, top])
            if len(bands) == 1:
                emit(list(cur))
                cur.clear()
                return
            band_of = {id(c): bi for bi, band in enumerate(bands) for c in band}
            split: list[list[tuple[str, float, float, float, float]]] = [[] for _ in bands]
            last = 0
            for c in cur:  # stream order; a space goes with the character before it
                last = band_of.get(id(c), last)
                split[last].append(c)
            for band in split:
                emit(band)
        else:
            emit(cur)
        cur.clear()

    boxes = [(t.left, t.bottom, t.right, t.top) for t in tables]
    in_table = False  # the current line lost characters to a table
    for item in stream:
        if item is None:
            if cur or not in_table:
                close()
            in_table = False
            continue
        ch, left, right, bottom, top = item
        if boxes:
            cx, cy = (left + right) / 2, (bottom + top) / 2
            if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes):
                in_table = True
                continue
        cur.append((ch, left, right, top - bottom, (top + bottom) / 2))
    if cur:
        close()
    return lines


def _furniture_keys(pages: list[list[str]]) -> set[str]:
    """Short lines repeated at the top or bottom of at least half the pages (digits ignored).

    Only short lines qualify: running headers/footers are titles and page numbers, while a long line
    that merely looks alike once digits are masked ("（3）本单位…") is content.
    """
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        ne = [s.strip() for s in lines if s.strip()]
        cands = {("top", c) for c in ne[:2]} | {("bottom", c) for c in ne[-2:]}
        counts.update({(pos, re.sub(r"\d+", "#", c)) for pos, c in cands if display_width(c) <= 50})
    need = max(2, (len(pages) + 1) // 2)
    return {k for (_pos, k), n in counts.items() if n >= need}


def _strip_furniture(lines: list[str], keys: set[str]) -> list[tuple[int, str]]:
    """(line index, text) of the page's content lines."""
    idx = [i for i, s in enumerate(lines) if s.strip()]
    edge = set(idx[:2] + idx[-2:])
    out: list[tuple[int, str]] = []
    for i, s in enumerate(lines):
        t = s.strip()
        if i in edge and (re.sub(r"\d+", "#", t) in keys or is_page_number(t)):
            continue
        if is_page_number(t, bare_digits=False):
            continue
        out.append((i, s))
    return out


def _ocr_page(page, path: str) -> str:  # type: ignore[no-untyped-def]
    from .image import ocr_lines

    return "\n".join(ocr_lines(page.render(scale=2).to_pil(), path))


def read_pdf(path: Path, limits: Limits = DEFAULT_LIMITS, *, ocr: bool = False) -> Document:
    name = str(path)
    check_size(path, limits)
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            raise ReaderError(
                "PDF 文件已加密（需要密码），无法读取；请先用 PDF 软件移除密码后再试", file=name
            ) from e
        raise ReaderError(
            f"PDF 文件已损坏或不完整，无法打开（{e}）；请重新导出或下载完整文件", file=name
        ) from e
    except Exception as e:
        raise ReaderError(f"PDF 文件无法打开：{type(e).__name__}: {e}", file=name) from e
    warnings: list[str] = []
    try:
        n = len(pdf)
        if n > limits.max_pdf_pages:
            raise ReaderError(
                f"PDF 页数 {n} 超过上限 {limits.max_pdf_pages}（JIXIAO_MAX_PDF_PAGES）", file=name
            )
        if n == 0:
            raise ReaderError("PDF 文件没有任何页面（可能已损坏或不完整）", file=name)
        pages: list[list[str]] = []
        geometry: list[list[PLine]] = []  # per page, per line (text dropped or not)
        heights: list[float] = []
        tables: dict[int, list[Table]] = {}
        usable = 0
        total_chars = 0
        for i in range(n):
            try:
                page = pdf[i]
                stream = page_chars(page.get_textpage())
                heights.append(page.get_height())
            except Exception as e:
                raise ReaderError(f"PDF 第{i + 1}页已损坏，无法读取（{e}）", file=name) from e
            chars = [c for c in stream if c is not None]
            text = "".join(c[0] for c in chars)
            layer = _bad_ratio(text) <= 0.3
            if not layer:
                if ocr:
                    text = _ocr_page(page, name)
                    warnings.append(f"第{i + 1}页没有可用的文字层，已用 OCR 识别，请核对")
                elif text.strip():
                    warnings.append(f"第{i + 1}页文字层乱码（字体缺少编码映射），已跳过；{_OCR_HINT}")
                    text = ""
                else:
                    warnings.append(f"第{i + 1}页没有文字层（可能是扫描图片），已跳过；{_OCR_HINT}")
            if text.strip():
                usable += 1
            total_chars += len(stream) if layer else len(text)
            if total_chars > limits.max_text_chars:
                raise ReaderError(
                    f"文本长度超过上限 {limits.max_text_chars} 字符（JIXIAO_MAX_TEXT_CHARS）", file=name
                )
            if not layer:  # OCR text or nothing: no geometry, no table cells
                pages.append(re.split(r"\r\n|\r|\n", text) if text else [])
                geometry.append([PLine(t, None, None) for t in pages[-1]])
                continue
            # tables first: their characters go into cells and are not built into lines at all
            found: list[Table] = []
            try:
                hs, vs, paths = path_lines(page, _MAX_PATHS_FOR_TABLE)
                if paths > _MAX_PATHS_FOR_TABLE:
                    # a drawing, not a form
                    warnings.append(f"第{i + 1}页图形过于复杂，未识别其中的表格，仅读取文字")
                elif paths >= _MIN_PATHS_FOR_TABLE:
                    found = find_tables(chars, hs, vs)
            except Exception as e:  # damaged drawing operators must not cost the page its text
                warnings.append(f"第{i + 1}页的表格线无法解析（{type(e).__name__}），表格按文字读取")
            if found:
                tables[i] = found
            plines = page_lines(stream, found)
            pages.append([ln.text for ln in plines])
            geometry.append(plines)
        if usable == 0:
            raise ReaderError(f"PDF 没有可用的文字层（可能是扫描件或字体无法解码）；{_OCR_HINT}", file=name)
    finally:
        pdf.close()

    keys = _furniture_keys(pages)
    short_at = _shortfall_measure(geometry)
    locs: list[Location] = []
    shorts: list[float | None] = []
    items: list[MText | Block] = []  # lines, and table blocks placed where they sit on the page
    for p, lines in enumerate(pages):
        content = _strip_furniture(lines, keys)
        found = tables.get(p)
        if found:
            content, placed = _place_tables(path, p, content, found, geometry[p], heights[p])
        else:
            placed = {}
        for j, (li, s) in enumerate(content):
            for blk in placed.pop(j, []):
                items.append(blk)
            locs.append(Location(name, page=p + 1, line=li + 1))
            items.append(MText.of(s, len(locs) - 1))
            shorts.append(short_at(geometry[p][li].right, geometry[p][li].height))
        for rest in placed.values():
            items.extend(rest)
        items.append(MText("", []))  # page break = blank line
        shorts.append(None)

    blocks: list[Block] = []
    run: list[MText] = []
    run_short: list[float | None] = []
    tno = 0

    def flush() -> None:
        nonlocal tno
        for sp in lines_to_blocks(run, shortfall=run_short if short_at is not _unknown else None):
            if sp.kind == "table":
                tno += 1
            blocks.append(block_from_spec(sp, locs, tno if sp.kind == "table" else None))
        run.clear()
        run_short.clear()

    k = 0  # index into shorts, which has one entry per line item
    for it in items:
        if isinstance(it, Block):
            flush()
            prev = blocks[-1] if blocks else None
            if (
                prev is not None
                and prev.kind == "table"
                and prev.rows
                and it.rows
                and len(prev.rows[0]) == len(it.rows[0])
                and it.location.page == (prev.source_map[-1][1].page or 0) + 1
            ):
                # a table continued on the next page, with nothing in between: one table
                blocks[-1] = _concat_tables(prev, _renumber(it, prev.location.table or tno))
                continue
            tno += 1
            blocks.append(_renumber(it, tno))
        else:
            run.append(it)
            run_short.append(shorts[k])
            k += 1
    flush()
    return assemble(name, "pdf", blocks, warnings)


def _unknown(right: float | None, height: float | None) -> float | None:
    return None


def _shortfall_measure(geometry: list[list[PLine]]):  # type: ignore[no-untyped-def]
    """A function giving how many characters short of the right margin a line ends.

    The margin is the 90th percentile of line right edges (most lines of a report are full); the
    character size is the median glyph height.
    """
    rights = sorted(ln.right for page in geometry for ln in page if ln.right is not None and ln.height)
    heights = sorted(ln.height for page in geometry for ln in page if ln.right is not None and ln.height)
    if len(rights) < 5:
        return _unknown
    margin = rights[int(len(rights) * 0.9)]
    size = heights[len(heights) // 2] or 1.0

    def shortfall(right: float | None, height: float | None) -> float | None:
        if right is None:
            return None
        return max(0.0, (margin - right) / size)

    return shortfall


_NUMBER_CELL_RE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")


def _split_row(last: list[str], first: list[str]) -> bool:
    """Is ``first`` (the top row of a table's continuation) the rest of ``last`` (the bottom row on the
    page before), a row the page break cut in two? Its single-line cells (weights, scores: numbers)
    were complete on the first page and are empty here, while some text cells go on; it opens no cell
    the row before left empty."""
    numeric = [c for c, v in enumerate(last) if _NUMBER_CELL_RE.match(v.strip())]
    if not numeric or any(first[c].strip() for c in numeric):
        return False
    goes_on = [c for c, v in enumerate(first) if v.strip()]
    return bool(goes_on) and all(last[c].strip() for c in goes_on)


def _concat_tables(a: Block, b: Block) -> Block:
    """Rows of `b` appended to `a`; each cell keeps its own location (page, row, col). A row the page
    break cut in two becomes one row again (its cells located where they start)."""
    rows_a, rows_b = a.rows or [], b.rows or []
    width = len(rows_a[0]) if rows_a else 0
    locs_a = [loc for _o, loc in a.source_map]
    locs_b = [loc for _o, loc in b.source_map]
    if (
        rows_a
        and rows_b
        and len(locs_a) == len(rows_a) * width
        and len(locs_b) == len(rows_b) * width
        and _split_row(rows_a[-1], rows_b[0])
    ):
        joined = [normalize_cell(f"{x}\n{y}") if y else x for x, y in zip(rows_a[-1], rows_b[0], strict=True)]
        rows = [*rows_a[:-1], joined, *rows_b[1:]]
        n = len(rows_a) - 1
        tail = [replace(loc, row=(loc.row or 0) + n) for loc in locs_b[width:]]
        cells = locs_a + tail
        grid = [cells[r * width : (r + 1) * width] for r in range(len(rows))]
        return table_block(rows, grid, a.location)
    shift = len(a.text) + 1
    n = len(rows_a)
    smap = list(a.source_map) + [
        (o + shift, replace(loc, row=(loc.row or 0) + n) if loc.row is not None else loc)
        for o, loc in b.source_map
    ]
    return replace(
        a,
        text=a.text + "\n" + b.text,
        rows=rows_a + rows_b,
        source_map=smap,
    )


def _renumber(b: Block, tno: int) -> Block:
    return replace(
        b,
        location=replace(b.location, table=tno),
        source_map=[(o, replace(loc, table=tno)) for o, loc in b.source_map],
    )


def _place_tables(
    path: Path,
    p: int,
    content: list[tuple[int, str]],
    found: list[Table],
    geom: list[PLine],
    page_height: float,
) -> tuple[list[tuple[int, str]], dict[int, list[Block]]]:
    """Drop the page's text lines whose centre lies inside a table; return where each table block goes
    (before the first remaining line below the table's top). A line without geometry (OCR) is kept."""
    name = str(path)
    kept: list[tuple[int, str]] = []
    ys: list[float] = []  # y centre of each kept line (PDF coordinates: larger is higher)
    for li, s in content:
        ln = geom[li] if li < len(geom) else None
        cy = ln.cy if ln is not None else None
        if ln is not None and ln.cx is not None and cy is not None:
            cx = ln.cx
            if any(t.left <= cx <= t.right and t.bottom <= cy <= t.top for t in found):
                continue
        kept.append((li, s))
        ys.append(cy if cy is not None else (ys[-1] if ys else page_height))
    placed: dict[int, list[Block]] = {}
    for t in sorted(found, key=lambda t: -t.top):
        grid = t.rows
        if not grid:
            continue
        width = len(grid[0])
        locs = [
            [Location(name, page=p + 1, row=r + 1, col=c + 1) for c in range(width)] for r in range(len(grid))
        ]
        blk = table_block(grid, locs, Location(name, page=p + 1))
        pos = next((k for k, y in enumerate(ys) if y < t.top), len(kept))
        placed.setdefault(pos, []).append(blk)
    return kept, placed
