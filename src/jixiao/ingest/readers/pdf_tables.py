"""Ruled tables of a PDF page, found with pypdfium2 alone (no second parse of the file).

The ruling lines are the page's path objects: thin paths (a stroked line or a filled hairline
rectangle) and the edges of stroked rectangles. The cell texts are the page's characters (already
read for the text layer), each put in the cell that holds its centre.

How a grid is read:
- lines are merged per position (a border drawn twice, or as a thin filled rectangle, is one line);
- lines that touch form a component; a component inside another one's cell is a table nested in a
  cell, whose text stays with the outer cell;
- the horizontal lines of a component cut it into bands (rows); in each band the vertical lines that
  cross it are that row's cell borders. A row whose borders neither include nor are included in the
  table's columns starts another table: two tables stacked on one page with different column lines
  stay two tables (a union grid would split every column in two and print every cell twice);
- a cell spanning several columns is repeated in each; a cell whose bottom border is missing
  continues into the row below (a row span) and is repeated there too.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import itertools
from dataclasses import dataclass, field

from ._common import normalize_cell

_TOL = 2.0  # PDF units (1/72 in): lines this close are one line; ends this close touch
_THIN = 3.0  # a path thinner than this is a line
_MAX_SEGMENTS = 400  # a path with more segments is a drawing, not a border


@dataclass
class Line:
    pos: float  # y of a horizontal line, x of a vertical one
    lo: float  # extent along the line
    hi: float


@dataclass
class Table:
    left: float
    bottom: float
    right: float
    top: float  # PDF coordinates (origin bottom-left)
    rows: list[list[str]]
    # (left, bottom, right, top) of each physical cell (a merged cell once)
    cells: list[tuple[float, float, float, float]] = field(default_factory=list, repr=False)


Char = tuple[str, float, float, float, float]  # text, left, right, bottom, top


def bare(fn, restype=ctypes.c_int):  # type: ignore[no-untyped-def]
    """``fn`` (a pypdfium2.raw function) as a bare ctypes pointer without argtypes: a call costs a quarter
    of the checked binding's. Pass only int, pointer and byref arguments, which need no declared types."""
    f = type(fn)(ctypes.cast(fn, ctypes.c_void_p).value)
    f.restype = restype
    return f


class _Pdfium:
    """The page-object functions as bare ctypes pointers (no argument checking: a call costs a
    quarter of the checked binding's, and a page is walked object by object). Only int, pointer and
    byref arguments are passed, which need no declared types."""

    def __init__(self) -> None:
        import pypdfium2.raw as pdfium_c

        obj, seg = pdfium_c.FPDF_PAGEOBJECT, pdfium_c.FPDF_PATHSEGMENT
        self.c = pdfium_c
        self.count_objects = bare(pdfium_c.FPDFPage_CountObjects)
        self.get_object = bare(pdfium_c.FPDFPage_GetObject, obj)
        self.get_type = bare(pdfium_c.FPDFPageObj_GetType)
        self.get_bounds = bare(pdfium_c.FPDFPageObj_GetBounds)
        self.draw_mode = bare(pdfium_c.FPDFPath_GetDrawMode)
        self.count_segments = bare(pdfium_c.FPDFPath_CountSegments)
        self.get_matrix = bare(pdfium_c.FPDFPageObj_GetMatrix)
        self.get_segment = bare(pdfium_c.FPDFPath_GetPathSegment, seg)
        self.segment_type = bare(pdfium_c.FPDFPathSegment_GetType)
        self.segment_point = bare(pdfium_c.FPDFPathSegment_GetPoint)
        self.segment_close = bare(pdfium_c.FPDFPathSegment_GetClose)


@functools.cache
def _pdfium() -> _Pdfium:
    return _Pdfium()


def path_lines(page, max_paths: int) -> tuple[list[Line], list[Line], int]:  # type: ignore[no-untyped-def]
    """Horizontal and vertical ruling lines of a page, and how many path objects it has (stops
    counting past ``max_paths``: a page with that many is a drawing). Paths inside form XObjects are
    read with their bounds as pdfium reports them (form space); producers of reports draw borders on
    the page itself."""
    f = _pdfium()
    pdfium_c = f.c
    get_type, get_bounds = f.get_type, f.get_bounds
    path_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    horizontal: list[Line] = []
    vertical: list[Line] = []
    raw = page.raw
    count = 0
    # a form's objects are fetched with the checked binding: its index is an unsigned long
    stack = [(raw, f.count_objects(raw), f.get_object, 0)]
    l_, b_, r_, t_ = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    refs = (ctypes.byref(l_), ctypes.byref(b_), ctypes.byref(r_), ctypes.byref(t_))
    while stack:
        holder, n, get, depth = stack.pop()
        for i in range(n):
            obj = get(holder, i)
            kind = get_type(obj)
            if kind == form_kind and depth < 2:
                stack.append(
                    (obj, pdfium_c.FPDFFormObj_CountObjects(obj), pdfium_c.FPDFFormObj_GetObject, depth + 1)
                )
                continue
            if kind != path_kind:
                continue
            count += 1
            if count > max_paths:
                return [], [], count
            if not get_bounds(obj, *refs):
                continue
            left, bottom, right, top = l_.value, b_.value, r_.value, t_.value
            w, h = right - left, top - bottom
            if h <= _THIN and w > _THIN:
                horizontal.append(Line((top + bottom) / 2, left, right))
            elif w <= _THIN and h > _THIN:
                vertical.append(Line((left + right) / 2, bottom, top))
            elif w > _THIN and h > _THIN:
                _rectangle_edges(f, obj, horizontal, vertical)
    return horizontal, vertical, count


def _rectangle_edges(f: _Pdfium, obj, horizontal: list[Line], vertical: list[Line]) -> None:  # type: ignore[no-untyped-def]
    """The edges of a stroked path made of straight axis-parallel segments (a cell or table border)."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not f.draw_mode(obj, ctypes.byref(fill), ctypes.byref(stroke)) or not stroke.value:
        return  # a filled area (shading) is not a border
    n = f.count_segments(obj)
    if n < 2 or n > _MAX_SEGMENTS:
        return
    m = f.c.FS_MATRIX()
    if not f.get_matrix(obj, ctypes.byref(m)):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    xy = (ctypes.byref(x), ctypes.byref(y))
    bezier, moveto = f.c.FPDF_SEGMENT_BEZIERTO, f.c.FPDF_SEGMENT_MOVETO
    start: tuple[float, float] | None = None
    prev: tuple[float, float] | None = None
    for k in range(n):
        seg = f.get_segment(obj, k)
        kind = f.segment_type(seg)
        if kind == bezier:
            return  # curves: a drawing
        f.segment_point(seg, *xy)
        pt = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        if kind == moveto or prev is None:
            start = prev = pt
            continue
        _edge(prev, pt, horizontal, vertical)
        prev = pt
        if f.segment_close(seg) and start is not None:
            _edge(pt, start, horizontal, vertical)
            prev = start


def _edge(
    a: tuple[float, float], b: tuple[float, float], horizontal: list[Line], vertical: list[Line]
) -> None:
    if abs(a[1] - b[1]) <= _TOL / 2 and abs(a[0] - b[0]) > _THIN:
        horizontal.append(Line((a[1] + b[1]) / 2, min(a[0], b[0]), max(a[0], b[0])))
    elif abs(a[0] - b[0]) <= _TOL / 2 and abs(a[1] - b[1]) > _THIN:
        vertical.append(Line((a[0] + b[0]) / 2, min(a[1], b[1]), max(a[1], b[1])))


def _merge(lines: list[Line]) -> list[Line]:
    """Lines at (nearly) the same position whose extents overlap or touch become one."""
    out: list[Line] = []
    for ln in sorted(lines, key=lambda v: (v.pos, v.lo)):
        for o in reversed(out):
            if ln.pos - o.pos > _TOL:
                out.append(Line(ln.pos, ln.lo, ln.hi))
                break
            if ln.lo <= o.hi + _TOL and ln.hi >= o.lo - _TOL:
                o.lo, o.hi = min(o.lo, ln.lo), max(o.hi, ln.hi)
                o.pos = (o.pos + ln.pos) / 2
                break
        else:
            out.append(Line(ln.pos, ln.lo, ln.hi))
    return out


def _touch(h: Line, v: Line) -> bool:
    return h.lo - _TOL <= v.pos <= h.hi + _TOL and v.lo - _TOL <= h.pos <= v.hi + _TOL


def _components(hs: list[Line], vs: list[Line]) -> list[tuple[list[Line], list[Line]]]:
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # verticals sorted by x: each horizontal line checks only those within its extent
    order = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    xs = [vs[j].pos for j in order]
    for i, h in enumerate(hs):
        for j in order[bisect.bisect_left(xs, h.lo - _TOL) : bisect.bisect_right(xs, h.hi + _TOL)]:
            v = vs[j]
            if _touch(h, v):
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Line], list[Line]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= _TOL


def _near(x: float, ys: list[float]) -> bool:
    """Is some position of ``ys`` (sorted) the same as x? Only the neighbours of x's insertion point
    can be: they are the closest on either side."""
    i = bisect.bisect_left(ys, x)
    return (i < len(ys) and _same(x, ys[i])) or (i > 0 and _same(x, ys[i - 1]))


def _subset(small: list[float], big: list[float]) -> bool:
    """Is every position of ``small`` also one of ``big`` (sorted)?"""
    return all(_near(x, big) for x in small)


def _union(a: list[float], b: list[float]) -> list[float]:
    out = sorted(a)
    for x in b:
        if not _near(x, out):
            bisect.insort(out, x)
    return out


@dataclass
class _Band:
    top: float
    bottom: float
    borders: list[float]  # x of the vertical lines crossing this band


def _grids(hs: list[Line], vs: list[Line]) -> list[list[_Band]]:
    """A component's bands, grouped into tables of compatible column borders."""
    ys = sorted({round(h.pos, 1) for h in hs}, reverse=True)
    merged_ys: list[float] = []
    for y in ys:
        if not merged_ys or merged_ys[-1] - y > _TOL:
            merged_ys.append(y)
    tables: list[list[_Band]] = []
    columns: list[float] = []
    for top, bottom in itertools.pairwise(merged_ys):
        mid = (top + bottom) / 2
        borders = sorted(v.pos for v in vs if v.lo - _TOL <= mid <= v.hi + _TOL)
        dedup: list[float] = []
        for x in borders:
            if not dedup or x - dedup[-1] > _TOL:
                dedup.append(x)
        if len(dedup) < 2:
            columns = []
            continue  # a gap between two tables of one component
        band = _Band(top, bottom, dedup)
        if tables and columns and (_subset(dedup, columns) or _subset(columns, dedup)):
            tables[-1].append(band)
            columns = _union(columns, dedup)
        else:
            tables.append([band])
            columns = list(dedup)
    return tables


def _h_covers(hs: list[Line], y: float, x0: float, x1: float) -> bool:
    """Is there a ruling line at height y under the middle of [x0, x1]?"""
    mid = (x0 + x1) / 2
    return any(_same(h.pos, y) and h.lo - _TOL <= mid <= h.hi + _TOL for h in hs)


def _neg_top(c: Char) -> float:
    return -c[4]


def _left(c: Char) -> float:
    return c[1]


def _cell_text(chars: list[Char]) -> str:
    """A cell's characters → its lines (by height, each read left to right) → one normalised line.

    Sorting by x within a line matters: some producers draw a few glyphs (quotes in a fallback font)
    after the rest of the line."""
    lines: list[tuple[float, float, list[Char]]] = []  # bottom, top, characters; top line first
    cur: list[Char] = []
    lo = hi = 0.0
    # tallest-topped first: a hairline glyph ("一") or a quote must not open a line of its own
    for ch in sorted(chars, key=_neg_top):
        b, t = ch[3], ch[4]
        if cur:
            # glyph boxes differ in height ("=", quotes): a character is on the line when at least
            # half of the smaller box overlaps it
            # (conditional expressions: this runs once per character of every table)
            overlap = (t if t < hi else hi) - (b if b > lo else lo)
            if overlap >= 0.5 * (t - b if t - b < hi - lo else hi - lo):
                if b < lo:
                    lo = b
                if t > hi:
                    hi = t
                cur.append(ch)
                continue
            lines.append((lo, hi, cur))
        cur, lo, hi = [ch], b, t
    if cur:
        lines.append((lo, hi, cur))
    return normalize_cell("\n".join(_spaced(sorted(ln[2], key=_left), ln[1] - ln[0]) for ln in lines))


def is_cjk(c: str) -> bool:
    """Chinese, full-width or CJK punctuation (no space needed between two of them)."""
    return "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u3000" <= c <= "\u303f" or c in "“”‘’"


def _spaced(chars: list[Char], height: float) -> str:
    """One line's characters (sorted by x) with its spaces: a space the producer wrote between Latin
    letters or digits stays; next to Chinese it is dropped unless the gap is wide (a font switch
    between 指标 and 70 emits one); a gap of a whole line height is a space even without one. Gaps are
    measured against the line's height, since glyph boxes are tight ("一" is a hairline)."""
    h = max(height, 1.0)
    out: list[str] = []
    prev: Char | None = None
    pending = False
    for c in chars:
        if c[0].isspace():
            pending = prev is not None
            continue
        if prev is not None:
            gap = c[1] - prev[2]
            # a written space between Latin letters or digits, or a wide gap, is kept
            if gap > h or (pending and (gap > 0.5 * h or not (is_cjk(prev[0]) or is_cjk(c[0])))):
                out.append(" ")
        out.append(c[0])
        prev, pending = c, False
    return "".join(out)


def find_tables(chars: list[Char], hs: list[Line], vs: list[Line]) -> list[Table]:
    """The ruled tables of a page from its ruling lines and characters (stream order)."""
    hs, vs = _merge(hs), _merge(vs)
    comps = _components(hs, vs)
    boxes = [
        (min(h.lo for h in c[0]), min(h.pos for h in c[0]), max(h.hi for h in c[0]), max(h.pos for h in c[0]))
        for c in comps
    ]

    def inside(i: int) -> bool:
        a = boxes[i]
        return any(
            j != i
            and b[0] - _TOL <= a[0]
            and a[2] <= b[2] + _TOL
            and b[1] - _TOL <= a[1]
            and a[3] <= b[3] + _TOL
            and (b[2] - b[0]) * (b[3] - b[1]) > (a[2] - a[0]) * (a[3] - a[1])
            for j, b in enumerate(boxes)
        )

    out: list[Table] = []
    centres = [(c, (c[1] + c[2]) / 2, (c[3] + c[4]) / 2) for c in chars] if comps else []
    for i, (ch_, cv) in enumerate(comps):
        if inside(i):
            continue  # a table nested in a cell: its text belongs to the outer cell
        for bands in _grids(ch_, cv):
            table = _table(bands, ch_, centres)
            if table is not None:
                out.append(table)
    return out


def _column(columns: list[float], x: float) -> int:
    """Index of the column border at x (columns sorted, borders more than _TOL apart)."""
    k = bisect.bisect_left(columns, x - _TOL)
    return (
        k
        if k < len(columns) and _same(columns[k], x)
        else next(i for i, c in enumerate(columns) if _same(c, x))
    )


def _table(bands: list[_Band], hs: list[Line], centres: list[tuple[Char, float, float]]) -> Table | None:
    """A table from its bands; ``centres`` are the page's characters with the centre of each box."""
    columns: list[float] = []
    for b in bands:
        columns = _union(columns, b.borders)
    ncol = len(columns) - 1
    # one ruled row is a table when it has several columns (the first row of a table that goes on
    # over the page break); a single boxed line or a two-cell frame is not
    if ncol < 2 or (len(bands) < 2 and ncol < 3):
        return None
    # physical cells: (band index, first col, last col) → cell id; a cell with no border below it
    # continues into the band underneath
    cell_of: list[list[int]] = [[-1] * ncol for _ in bands]
    rects: list[list[float]] = []  # left, bottom, right, top of each physical cell
    for r, band in enumerate(bands):
        for x0, x1 in itertools.pairwise(band.borders):
            c0, c1 = _column(columns, x0), _column(columns, x1)
            if c1 <= c0:
                continue
            above = cell_of[r - 1][c0] if r > 0 else -1
            if (
                above >= 0
                and not _h_covers(hs, band.top, x0, x1)
                and _same(rects[above][0], x0)
                and _same(rects[above][2], x1)
            ):
                cid = above
                rects[cid][1] = band.bottom
            else:
                cid = len(rects)
                rects.append([x0, band.bottom, x1, band.top])
            for c in range(c0, c1):
                cell_of[r][c] = cid
    # characters → cells, keeping stream order
    texts: list[list[Char]] = [[] for _ in rects]
    left, right = columns[0], columns[-1]
    top, bottom = bands[0].top, bands[-1].bottom
    neg_bottoms = [-b.bottom for b in bands]  # ascending
    last_band, bisect_left = len(bands) - 1, bisect.bisect_left
    for ch, cx, cy in centres:
        if not (left <= cx <= right and bottom <= cy <= top):
            continue
        r = min(bisect_left(neg_bottoms, -cy), last_band)
        c = min(max(bisect_left(columns, cx) - 1, 0), ncol - 1)
        cid = cell_of[r][c]
        if cid >= 0:
            texts[cid].append(ch)
    cell_texts = [_cell_text(t) if t else "" for t in texts]
    rows = [[cell_texts[cid] if cid >= 0 else "" for cid in row] for row in cell_of]
    keep = [r for r, row in enumerate(cell_of) if any(cid >= 0 for cid in row)]
    rows = [rows[r] for r in keep]
    return Table(left, bottom, right, top, rows, [tuple(x) for x in rects])  # type: ignore[misc]
