"""PDF: text via pypdfium2 (fast), ruled tables via pdfplumber only on pages that draw enough lines.

Strategy (measured, see report): pypdfium2 extracts plain text roughly an order of magnitude faster than
pdfplumber, which builds Python objects for every character. So every page goes through pdfium first;
pdfplumber is opened lazily and asked for tables only on pages whose pdfium page objects include enough
path objects to draw a ruled table. Page furniture (running headers/footers, lone page numbers) is
removed before lines are joined into paragraphs, so a paragraph or a number broken across a page break
is rejoined. Garbled pages (unmapped glyphs) and pages without a text layer get a Chinese warning.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from jixiao.errors import ReaderError

from ..document import Block, Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ..normalize import MText, display_width, is_page_number, lines_to_blocks
from ._common import block_from_spec, check_size, normalize_cell, table_block

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


def _is_cjk(c: str) -> bool:
    return "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u3000" <= c <= "\u303f" or c in "“”‘’"


def page_text(tp) -> str:  # type: ignore[no-untyped-def]
    """A page's text in reading order, lines joined by "\\n"."""
    return "\n".join(ln.text for ln in page_lines(tp))


class PLine(NamedTuple):
    """A text line of a page, with geometry in PDF units (origin bottom-left); None when unknown."""

    text: str
    right: float | None  # x of the right edge
    height: float | None  # median glyph height
    cx: float | None = None  # centre
    cy: float | None = None


def page_lines(tp) -> list[PLine]:  # type: ignore[no-untyped-def]
    """A page's lines in reading order, each with its right edge, character height and centre.

    pdfium returns characters in content-stream order. That is right for most lines, but some producers
    draw a few glyphs of a line later (e.g. quotes “” set in a fallback font), which would land them
    after the words they enclose. So each line (as pdfium splits them) is checked: if its characters
    run backwards on the page, they are re-sorted by x and spaces are re-derived from the gaps.
    """
    import pypdfium2.raw as pdfium_c

    n = tp.count_chars()
    if n <= 0:
        return []
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
            if b[1] - a[2] > 0.25 * h and not (_is_cjk(a[0]) and _is_cjk(b[0])):
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

    # raw calls with reused out-parameters: the helper allocates four doubles per character
    raw = tp.raw
    get_unicode, get_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetCharBox
    dl, dr, db, dt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    refs = (ctypes.byref(dl), ctypes.byref(dr), ctypes.byref(db), ctypes.byref(dt))
    prev = 0
    for k in range(n):
        u = get_unicode(raw, k)
        if u in (10, 13):
            if not (u == 10 and prev == 13):  # "\r\n" is one line break
                close()
            prev = u
            continue
        prev = u
        if u in (0, 0xFFFE, 0xFFFF):
            continue
        if not get_box(raw, k, *refs):
            continue
        left, right, bottom, top = dl.value, dr.value, db.value, dt.value
        cur.append((chr(u), left, right, top - bottom, (top + bottom) / 2))
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
    import pypdfium2.raw as pdfium_c

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
        table_pages: list[int] = []
        usable = 0
        total_chars = 0
        for i in range(n):
            try:
                page = pdf[i]
                tp = page.get_textpage()
                plines = page_lines(tp)
                text = "\n".join(ln.text for ln in plines)
                heights.append(page.get_height())
            except Exception as e:
                raise ReaderError(f"PDF 第{i + 1}页已损坏，无法读取（{e}）", file=name) from e
            if _bad_ratio(text) > 0.3:
                plines = []
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
            total_chars += len(text)
            if total_chars > limits.max_text_chars:
                raise ReaderError(
                    f"文本长度超过上限 {limits.max_text_chars} 字符（JIXIAO_MAX_TEXT_CHARS）", file=name
                )
            if plines:
                pages.append([ln.text for ln in plines])
                geometry.append(plines)
            else:  # OCR text or nothing: no geometry
                pages.append(re.split(r"\r\n|\r|\n", text) if text else [])
                geometry.append([PLine(t, None, None) for t in pages[-1]])
            # count drawn paths, bounded: a ruled table needs several
            paths = 0
            for paths, _obj in enumerate(
                page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2), 1
            ):
                if paths > _MAX_PATHS_FOR_TABLE:
                    break
            if paths > _MAX_PATHS_FOR_TABLE:
                # a drawing, not a form: pdfplumber would spend seconds on it
                warnings.append(f"第{i + 1}页图形过于复杂，未识别其中的表格，仅读取文字")
            elif paths >= _MIN_PATHS_FOR_TABLE:
                table_pages.append(i)
        if usable == 0:
            raise ReaderError(f"PDF 没有可用的文字层（可能是扫描件或字体无法解码）；{_OCR_HINT}", file=name)
    finally:
        pdf.close()

    tables = _find_tables(path, table_pages) if table_pages else {}
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


def _concat_tables(a: Block, b: Block) -> Block:
    """Rows of `b` appended to `a`; each cell keeps its own location (page, row, col)."""
    from dataclasses import replace

    shift = len(a.text) + 1
    n = len(a.rows or [])
    smap = list(a.source_map) + [
        (o + shift, replace(loc, row=(loc.row or 0) + n) if loc.row is not None else loc)
        for o, loc in b.source_map
    ]
    return replace(
        a,
        text=a.text + "\n" + b.text,
        rows=(a.rows or []) + (b.rows or []),
        source_map=smap,
    )


def _renumber(b: Block, tno: int) -> Block:
    from dataclasses import replace

    return replace(
        b,
        location=replace(b.location, table=tno),
        source_map=[(o, replace(loc, table=tno)) for o, loc in b.source_map],
    )


_Bbox = tuple[float, float, float, float]
_TextLine = tuple[str, float, float, float, float]  # text, top, bottom, x0, x1
_Cell = tuple[str | None, _Bbox | None]  # text and bbox of a cell; both None where a merge covers it
_PageTables = tuple[list[tuple[_Bbox, list[list[_Cell]]]], list[_TextLine]]


def _find_tables(path: Path, pages: list[int]) -> dict[int, _PageTables]:
    """Ruled tables on the given pages: {page index: ([(bbox, rows)], text lines)}. Failures mean no tables."""
    out: dict[int, _PageTables] = {}
    try:
        import pdfplumber

        with pdfplumber.open(str(path)) as pl:
            for i in pages:
                page = pl.pages[i]
                found = []
                for t in page.find_tables():
                    texts = t.extract()
                    if not texts or len(texts) < 2 or max(len(r) for r in texts) < 2:
                        continue
                    rows = [
                        [(txt, box) for txt, box in zip(tr, row.cells, strict=False)]
                        for tr, row in zip(texts, t.rows, strict=False)
                    ]
                    found.append((t.bbox, rows))
                if found:
                    # text lines with coordinates, to tell which pdfium lines sit inside a table
                    lines = [
                        (ln["text"], ln["top"], ln["bottom"], ln["x0"], ln["x1"])
                        for ln in page.extract_text_lines()
                    ]
                    out[i] = (found, lines)
                page.flush_cache()
    except Exception:
        return out
    return out


def _expand_merged(rows: list[list[_Cell]]) -> list[list[str]]:
    """Cell texts on the table grid, a merged cell's value repeated over the positions it covers.

    pdfplumber reports covered positions as None. Whether the cover comes from the left (a column
    span) or from above (a row span) is decided from the bboxes: a cell to the left whose box reaches
    past this column's middle spans into it. Grid columns/rows where no cell starts at all are artefacts
    of ruling lines from a neighbouring table and are dropped.
    """
    width = max(len(r) for r in rows)
    rows = [r + [(None, None)] * (width - len(r)) for r in rows]
    lefts: list[float | None] = []
    for c in range(width):
        xs = sorted(box[0] for r in rows if (box := r[c][1]) is not None)
        lefts.append(xs[len(xs) // 2] if xs else None)
    right_edge = max((box[2] for r in rows for _t, box in r if box is not None), default=0.0)

    def center(c: int) -> float | None:
        if lefts[c] is None:
            return None
        nxt = next((x for x in lefts[c + 1 :] if x is not None), right_edge)
        return (lefts[c] + nxt) / 2

    centers = [center(c) for c in range(width)]
    grid: list[list[str]] = []
    for r, row in enumerate(rows):
        out: list[str] = []
        for c, (txt, box) in enumerate(row):
            if box is not None:
                out.append(normalize_cell(txt or ""))
                continue
            value = ""
            left = next(((k, row[k]) for k in range(c - 1, -1, -1) if row[k][1] is not None), None)
            cx = centers[c]
            if left is not None and (cx is None or left[1][1][2] > cx):  # type: ignore[index]
                value = out[left[0]]
            elif r > 0:
                value = grid[r - 1][c]
            out.append(value)
        grid.append(out)
    keep_cols = [c for c in range(width) if any(r[c][1] is not None for r in rows)]
    # two grids interleaved (stacked tables with different column lines) leave column pairs that hold
    # the same merged values in every row: keep one of each
    deduped: list[int] = []
    for c in keep_cols:
        if deduped:
            p = deduped[-1]
            merged = any(r[c][1] is None or r[p][1] is None for r in rows)
            if merged and all(g[c] == g[p] for g in grid):
                continue
        deduped.append(c)
    keep_rows = [r for r, row in enumerate(rows) if any(box is not None for _t, box in row)]
    return [[grid[r][c] for c in deduped] for r in keep_rows]


def _place_tables(
    path: Path,
    p: int,
    content: list[tuple[int, str]],
    found: _PageTables,
    geom: list[PLine],
    page_height: float,
) -> tuple[list[tuple[int, str]], dict[int, list[Block]]]:
    """Drop the page's text lines whose centre lies inside a table; return where each table block goes.

    pdfplumber's boxes use a top-left origin, pdfium's a bottom-left one: y is flipped with the page
    height. A line without geometry (OCR) is kept.
    """
    name = str(path)
    page_tables, _tl = found
    kept: list[tuple[int, str]] = []
    tops: list[float] = []
    for li, s in content:
        ln = geom[li] if li < len(geom) else None
        top = page_height - ln.cy if ln is not None and ln.cy is not None else None
        if ln is not None and ln.cx is not None and top is not None:
            cx = ln.cx
            if any(b[0] <= cx <= b[2] and b[1] <= top <= b[3] for b, _ in page_tables):
                continue
        kept.append((li, s))
        tops.append(top if top is not None else (tops[-1] if tops else 0.0))
    placed: dict[int, list[Block]] = {}
    for bbox, rows in sorted(page_tables, key=lambda t: t[0][1]):
        grid = _expand_merged(rows)
        if not grid:
            continue
        width = len(grid[0])
        locs = [
            [Location(name, page=p + 1, row=r + 1, col=c + 1) for c in range(width)] for r in range(len(grid))
        ]
        blk = table_block(grid, locs, Location(name, page=p + 1))
        pos = next((k for k, top in enumerate(tops) if top > bbox[1]), len(kept))
        placed.setdefault(pos, []).append(blk)
    return kept, placed
