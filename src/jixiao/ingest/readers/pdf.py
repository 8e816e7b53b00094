"""PDF: text and ruled tables, both via pypdfium2 in one pass over each page.

Strategy (measured, see benchmarks/bench_pdf.py and bench_extract.py): pdfplumber builds Python objects
for every character and parses the file a second time; its table detection cost 20–35× pdfium's raw
text extraction on a scoring-table PDF. Here a page's text is taken in one call, with pdfium's own line
breaks. A page whose path objects hold no crossing rules (no possible table) gets its line geometry
(right edge, ink height) from pdfium's text rectangles, a few per line; only a page with a ruled table
is read character by character, its characters put into cells and left out of the lines. The ruling
lines come from the page's path objects (`pdf_tables`). Page furniture (running headers/footers, lone
page numbers) is removed before lines are joined into paragraphs, so a paragraph or a number broken
across a page break is rejoined. Garbled pages (unmapped glyphs) and pages without a text layer get a
Chinese warning.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from jixiao.errors import ReaderError

from ..document import Block, Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ..normalize import MText, display_width, is_page_number, lines_to_blocks
from ._common import block_from_spec, check_size, normalize_cell, table_block
from .pdf_tables import Char, Line, Table, bare, find_tables, is_cjk, path_lines

_MIN_PATHS_FOR_TABLE = 4
_MAX_PATHS_FOR_TABLE = 5000
_OCR_HINT = "如需识别扫描件，请安装 OCR 组件（pip install jixiao[ocr]）并启用 OCR（命令行 --ocr，或 read_document(path, ocr=True)）"


_CID_RE = re.compile(r"\(cid:\d+\)")
_BAD_RE = re.compile("[\ufffd\x00-\x1f\ue000-\uf8ff]")  # replacement, control, private use


def _bad_ratio(text: str) -> float:
    s = "".join(text.split())  # str.split's whitespace is re's \s
    if not s:
        return 1.0
    cid = sum(len(m) for m in _CID_RE.findall(s))
    return (len(_BAD_RE.findall(s)) + cid) / len(s)


def _could_be_table(hs: list[Line], vs: list[Line]) -> bool:
    """A ruled table needs two horizontal and two vertical lines: without them the page's characters
    are not read one by one."""
    return len(hs) >= 2 and len(vs) >= 2


class PLine(NamedTuple):
    """A text line of a page, with geometry in PDF units (origin bottom-left); None when unknown."""

    text: str
    right: float | None  # x of the right edge
    height: float | None  # ink height: top of the highest glyph box to bottom of the lowest
    cx: float | None = None  # centre
    cy: float | None = None


class _Pdfium:
    """pdfium's text functions as bare ctypes pointers (no argtypes): a call costs a quarter of the
    checked binding's, which matters in loops over every character of a page."""

    def __init__(self) -> None:
        import pypdfium2.raw as pdfium_c

        self.get_text = bare(pdfium_c.FPDFText_GetText)
        self.get_unicode = bare(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
        self.get_box = bare(pdfium_c.FPDFText_GetCharBox)
        self.count_rects = bare(pdfium_c.FPDFText_CountRects)
        self.get_rect = bare(pdfium_c.FPDFText_GetRect)
        self.count_chars = bare(pdfium_c.FPDFText_CountChars)


@functools.cache
def _pdfium() -> _Pdfium:
    return _Pdfium()


_BREAK_RE = re.compile(r"\r\n|\r|\n")  # pdfium's line breaks ("\r\n" is one)
_NONCHARS = "\x00\ufffe\uffff"  # not characters
_DROP = dict.fromkeys(map(ord, _NONCHARS))
_NONCHAR_RE = re.compile(f"[{_NONCHARS}]")
_TINY = 0.01  # pdfium's own threshold for an empty glyph box


def page_text(tp) -> str:  # type: ignore[no-untyped-def]
    """The page's characters in one call (UTF-16, one unit per character index), line breaks as pdfium
    emits them. When a surrogate pair would shift the indices, one code per character index instead."""
    f = _pdfium()
    raw = tp.raw
    n = f.count_chars(raw)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    got = f.get_text(raw, 0, n, buf)
    text = buf.raw[: 2 * max(got - 1, 0)].decode("utf-16-le", "replace")
    if len(text) != n:
        text = "".join(chr(f.get_unicode(raw, k)) for k in range(n))
    return text


def page_chars(tp, text: str, start: int = 0, end: int | None = None) -> list[Char | None]:  # type: ignore[no-untyped-def]
    """The characters of ``text[start:end]`` (a page's text from `page_text`) with their boxes, in
    content-stream order; None where pdfium breaks a line."""
    f = _pdfium()
    raw = tp.raw
    get_box = f.get_box
    dl, dr, db, dt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    refs = (ctypes.byref(dl), ctypes.byref(dr), ctypes.byref(db), ctypes.byref(dt))
    out: list[Char | None] = []
    append = out.append
    prev = ""
    for k in range(start, len(text) if end is None else end):
        ch = text[k]
        if ch == "\n" or ch == "\r":
            if not (ch == "\n" and prev == "\r"):  # "\r\n" is one line break
                append(None)
            prev = ch
            continue
        prev = ch
        if ch in _NONCHARS or not get_box(raw, k, *refs):
            continue
        append((ch, dl.value, dr.value, db.value, dt.value))
    return out


def _flat(text: str) -> str:
    """A page's characters without its line breaks and non-characters."""
    flat = text.replace("\r", "").replace("\n", "")
    return flat.translate(_DROP) if _NONCHAR_RE.search(flat) else flat


def _breaks(text: str) -> int:
    return text.count("\r") + text.count("\n") - text.count("\r\n")


def _ink(chars: list[Char]) -> tuple[float, float, float, float] | None:
    """left, bottom, right, top of the glyph boxes of a line's non-space characters (empty boxes left
    out, as pdfium's own text rectangles leave them out)."""
    boxes = [c for c in chars if not c[0].isspace() and c[2] - c[1] >= _TINY and c[4] - c[3] >= _TINY]
    if not boxes:
        return None
    return (
        min(c[1] for c in boxes),
        min(c[3] for c in boxes),
        max(c[2] for c in boxes),
        max(c[4] for c in boxes),
    )


def _emit(chars: list[Char], lines: list[PLine]) -> None:
    """One line from its characters (stream order): re-sorted by x when some of them run backwards."""
    solid = [c for c in chars if not c[0].isspace()]
    ink = _ink(solid)
    right = ink[2] if ink else None
    height = ink[3] - ink[1] if ink else None
    cx = (ink[0] + ink[2]) / 2 if ink else None
    ys = sorted((c[3] + c[4]) / 2 for c in solid)
    cy = ys[len(ys) // 2] if ys else None
    backwards = any(b[1] < a[1] - 1.0 for a, b in itertools.pairwise(solid))
    if not backwards:
        lines.append(PLine("".join(c[0] for c in chars), right, height, cx, cy))
        return
    hs = sorted(c[4] - c[3] for c in solid)
    h = hs[len(hs) // 2] or 1.0
    solid.sort(key=lambda c: c[1])
    out = [solid[0][0]]
    for a, b in itertools.pairwise(solid):
        if b[1] - a[2] > 0.25 * h and not (is_cjk(a[0]) and is_cjk(b[0])):
            out.append(" ")
        out.append(b[0])
    lines.append(PLine("".join(out), right, height, cx, cy))


def _close(cur: list[Char], lines: list[PLine]) -> None:
    """A line as pdfium split it; split again when it holds text from different heights."""
    solid = [c for c in cur if not c[0].isspace()]
    hs = sorted(c[4] - c[3] for c in solid)
    h = hs[len(hs) // 2] if hs else 0.0
    ys = [(c[3] + c[4]) / 2 for c in solid]
    if not solid or max(ys) - min(ys) <= 0.6 * h:
        _emit(cur, lines)
        return
    # pdfium put text from different heights (e.g. a footer) on one line: split by height bands of
    # vertically overlapping glyph boxes (a baseline "." overlaps its digits)
    bands: list[list[Char]] = []
    extent: list[list[float]] = []  # [bottom, top] of each band
    for c in sorted(solid, key=lambda c: -c[4]):
        if bands and c[4] >= extent[-1][0] and c[3] <= extent[-1][1]:
            bands[-1].append(c)
            extent[-1][0] = min(extent[-1][0], c[3])
        else:
            bands.append([c])
            extent.append([c[3], c[4]])
    if len(bands) == 1:
        _emit(cur, lines)
        return
    band_of = {id(c): bi for bi, band in enumerate(bands) for c in band}
    split: list[list[Char]] = [[] for _ in bands]
    last = 0
    for c in cur:  # stream order; a space goes with the character before it
        last = band_of.get(id(c), last)
        split[last].append(c)
    for band in split:
        _emit(band, lines)


def page_lines(stream: list[Char | None], tables: list[Table] = ()) -> list[PLine]:  # type: ignore[assignment]
    """A page's lines in reading order from its characters, each with its right edge, ink height and
    centre.

    pdfium returns characters in content-stream order. That is right for most lines, but some producers
    draw a few glyphs of a line later (e.g. quotes “” set in a fallback font), which would land them
    after the words they enclose. So each line (as pdfium splits them) is checked: if its characters
    run backwards on the page, they are re-sorted by x and spaces are re-derived from the gaps.
    Characters inside ``tables`` (already read into cells) are left out, and a line made only of them
    is no line: on a scoring-table page that is most of the characters.
    """
    lines: list[PLine] = []
    cur: list[Char] = []
    boxes = [(t.left, t.bottom, t.right, t.top) for t in tables]
    in_table = False  # the current line lost characters to a table
    for item in stream:
        if item is None:
            if cur or not in_table:
                _close(cur, lines)
                cur = []
            in_table = False
            continue
        if boxes:
            cx, cy = (item[1] + item[2]) / 2, (item[3] + item[4]) / 2
            for x0, y0, x1, y1 in boxes:
                if x0 <= cx <= x1 and y0 <= cy <= y1:
                    in_table = True
                    break
            else:
                cur.append(item)
            continue
        cur.append(item)
    if cur:
        _close(cur, lines)
    return lines


def fast_lines(tp, text: str) -> list[PLine]:  # type: ignore[no-untyped-def]
    """The lines of a page without tables, as `page_lines` gives them, from pdfium's text rectangles
    (one per run of a text object within a line, the union of its glyph boxes): a few calls per line
    instead of one per character. A line whose runs overlap or go backwards, or sit at heights that do
    not touch, is read character by character instead (`page_lines` re-sorts and splits it)."""
    f = _pdfium()
    raw = tp.raw
    count_rects, get_rect = f.count_rects, f.get_rect
    # GetRect writes left, top, right, bottom into one buffer, read back in one go
    buf = (ctypes.c_double * 4)()
    refs = tuple(ctypes.byref(buf, 8 * k) for k in range(4))
    rect = memoryview(buf).cast("B").cast("d").tolist
    clean = _NONCHAR_RE.search(text) is None
    lines: list[PLine] = []
    append = lines.append
    pos = 0
    segs = _BREAK_RE.split(text)
    for k, seg in enumerate(segs):
        start = pos
        pos += len(seg)
        pos += 2 if text.startswith("\r\n", pos) else 1  # the break after it
        if k == len(segs) - 1 and not (seg if clean else seg.translate(_DROP)):
            break  # nothing after the last break
        if not clean and _NONCHAR_RE.search(seg):  # a non-character: read it character by character
            _close([c for c in page_chars(tp, text, start, start + len(seg)) if c is not None], lines)
            continue
        body = seg.strip()
        if not body:
            append(PLine(seg, None, None, None, None))
            continue
        n = count_rects(raw, start + len(seg) - len(seg.lstrip()), len(body))
        if n <= 0:  # only empty glyph boxes
            append(PLine(seg, None, None, None, None))
            continue
        get_rect(raw, 0, *refs)
        left, top, right, bottom = rect()
        end = right
        for j in range(1, n):
            get_rect(raw, j, *refs)
            x0, y1, x1, y0 = rect()
            # a run starting left of where the one before ended, or clear of the line's height so
            # far: the characters need re-sorting or splitting (conditionals, not min/max: this runs
            # once per run of text)
            if x0 < end - 1.0 or y1 < bottom or y0 > top:
                _close([c for c in page_chars(tp, text, start, start + len(seg)) if c is not None], lines)
                break
            end = x1
            if x0 < left:
                left = x0
            if x1 > right:
                right = x1
            if y0 < bottom:
                bottom = y0
            if y1 > top:
                top = y1
        else:
            append(PLine(seg, right, top - bottom, (left + right) / 2, (top + bottom) / 2))
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


_OCR_SCALE = 2.0  # 144 dpi: what the OCR model reads best
_OCR_MAX_PIXELS = 16_000_000  # a page bigger than ~A0 at 144 dpi is rendered smaller, not at any cost


def ocr_scale(width: float, height: float) -> float:
    """The render scale for OCR of a ``width`` × ``height`` pt page: `_OCR_SCALE`, lowered so that the
    bitmap stays under `_OCR_MAX_PIXELS` (a 14400 pt MediaBox at scale 2 would be 3.3 Gpx)."""
    area = max(width, 1.0) * max(height, 1.0)
    return min(_OCR_SCALE, (_OCR_MAX_PIXELS / area) ** 0.5)


def _ocr_page(page, path: str) -> str:  # type: ignore[no-untyped-def]
    from .image import ocr_engine, ocr_lines

    if "engine" not in ocr_engine.__dict__:  # no engine, no render: fail before allocating the bitmap
        ocr_engine(path)
    scale = ocr_scale(page.get_width(), page.get_height())
    return "\n".join(ocr_lines(page.render(scale=scale).to_pil(), path))


def read_pdf(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    ocr: bool = False,
    data: bytes | None = None,
    on_open: Callable[[int], None] | None = None,
) -> Document:
    """``data``: the file's bytes when the caller has read them already; ``on_open`` is called with the
    page count once the file is open (the sandbox's parent scales its deadline by it)."""
    return assemble_pdf(path, read_pdf_pages(path, limits, ocr=ocr, data=data, on_open=on_open))


class PdfPages(NamedTuple):
    """What pdfium gives of a PDF: per page its lines (text, and geometry) and height, its ruled tables,
    and the warnings. Plain data: the sandbox's worker sends this, and the caller builds the Document
    (whose thousands of Location objects cost more to pickle than to build)."""

    pages: list[list[str]]
    geometry: list[list[PLine]]  # per page, per line (text dropped or not)
    heights: list[float]
    tables: dict[int, list[Table]]
    warnings: list[str]


def read_pdf_pages(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    ocr: bool = False,
    data: bytes | None = None,
    on_open: Callable[[int], None] | None = None,
) -> PdfPages:
    """The pdfium part of `read_pdf`."""
    name = str(path)
    check_size(path, limits)
    import pypdfium2 as pdfium

    try:
        # parsed from memory: pdfium reading the file itself in small blocks costs more (~0.1 ms a
        # page-sized file) than reading it whole first
        pdf = pdfium.PdfDocument(data if data is not None else Path(path).read_bytes())
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
        if on_open is not None:
            on_open(n)
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
                tp = page.get_textpage()
                ptext = page_text(tp)
                heights.append(page.get_height())
            except Exception as e:
                raise ReaderError(f"PDF 第{i + 1}页已损坏，无法读取（{e}）", file=name) from e
            text = _flat(ptext)
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
            # characters and line breaks, as the text layer has them
            total_chars += len(text) + _breaks(ptext) if layer else len(text)
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
            stream: list[Char | None] = []
            try:
                hs, vs, paths = path_lines(page, _MAX_PATHS_FOR_TABLE)
                if paths > _MAX_PATHS_FOR_TABLE:
                    # a drawing, not a form
                    warnings.append(f"第{i + 1}页图形过于复杂，未识别其中的表格，仅读取文字")
                elif paths >= _MIN_PATHS_FOR_TABLE and _could_be_table(hs, vs):
                    stream = page_chars(tp, ptext)
                    found = find_tables([c for c in stream if c is not None], hs, vs)
            except Exception as e:  # damaged drawing operators must not cost the page its text
                warnings.append(f"第{i + 1}页的表格线无法解析（{type(e).__name__}），表格按文字读取")
            if found:
                tables[i] = found
                plines = page_lines(stream, found)
            else:
                # no table: the lines' geometry from pdfium's text rectangles, not character by character
                plines = fast_lines(tp, ptext)
            pages.append([ln.text for ln in plines])
            geometry.append(plines)
        if usable == 0:
            raise ReaderError(f"PDF 没有可用的文字层（可能是扫描件或字体无法解码）；{_OCR_HINT}", file=name)
    finally:
        pdf.close()

    return PdfPages(pages, geometry, heights, tables, warnings)


def assemble_pdf(path: Path, parts: PdfPages) -> Document:
    """The Document from a PDF's pages: furniture removed, lines joined into paragraphs, tables placed."""
    name = str(path)
    pages, geometry, heights, tables, warnings = parts
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
        known = short_at is not _unknown
        # the wrap width is only consulted for a line whose shortfall is unknown: skip measuring it
        # when every line has one
        wrap = not known or any(sh is None for it, sh in zip(run, run_short, strict=True) if it.text.strip())
        for sp in lines_to_blocks(run, shortfall=run_short if known else None, width=True if wrap else None):
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
