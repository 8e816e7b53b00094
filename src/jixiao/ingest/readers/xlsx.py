"""Excel .xlsx (openpyxl, read-only, cached values) and .xls (xlrd): one table block per sheet.

Read-only openpyxl does not expose merged ranges, so they are read from each sheet part's <mergeCell>
elements with a streaming parse (after the DTD scan), and the top-left value is repeated over the range.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from jixiao.errors import ReaderError

from ..document import Block, Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ._common import check_size, guard_zip, normalize_cell, table_block


def col_letter(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


_REF_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _parse_ref(ref: str) -> tuple[int, int]:
    m = _REF_RE.match(ref.upper())
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def format_value(v: object, number_format: str | None = None) -> str:
    """A cell value as text, close to what Excel shows (percent formats, integral floats)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float)):
        fmt = number_format or "General"
        try:
            d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        except InvalidOperation:
            return str(v)
        if "%" in fmt:
            m = re.search(r"0\.(0+)%", fmt)
            places = len(m.group(1)) if m else 0
            q = (d * 100).quantize(Decimal(1).scaleb(-places))
            return f"{q}%"
        m = re.search(r"0\.(0+)(?![0-9#]*%)", fmt)
        if m and "E" not in fmt.upper():
            return str(d.quantize(Decimal(1).scaleb(-len(m.group(1)))))
        if d == d.to_integral_value():
            return str(d.quantize(Decimal(1)))
        return format(d.normalize(), "f")
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return normalize_cell(str(v))


def _merged_ranges(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each <mergeCell> in a sheet part, streamed."""
    from defusedxml.ElementTree import iterparse

    out: list[tuple[int, int, int, int]] = []
    try:
        with zf.open(part.lstrip("/")) as fh:
            for _ev, el in iterparse(fh, events=("end",)):
                if el.tag.endswith("}mergeCell"):
                    ref = el.get("ref", "")
                    if ":" in ref:
                        a, b = ref.split(":", 1)
                        try:
                            r1, c1 = _parse_ref(a)
                            r2, c2 = _parse_ref(b)
                        except ValueError:
                            continue
                        out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
                elif el.tag.endswith("}row"):
                    el.clear()  # keep memory bounded on big sheets
    except (KeyError, zipfile.BadZipFile, OSError):
        return out
    except Exception:
        return out
    return out


def _sheet_block(
    name: str,
    sheet: str,
    sheet_no: int,
    grid: dict[tuple[int, int], str],
    merges: list[tuple[int, int, int, int]],
    limits: Limits = DEFAULT_LIMITS,
) -> Block | None:
    budget = limits.max_cells  # merged areas are filled cell by cell: bound the total work
    for r1, c1, r2, c2 in merges:
        v = grid.get((r1, c1), "")
        area = (r2 - r1 + 1) * (c2 - c1 + 1)
        if not v:
            continue  # an empty merged area adds nothing
        budget -= area
        if budget < 0:
            raise ReaderError(
                f"工作表“{sheet}”的合并单元格范围过大，超过单元格上限 {limits.max_cells}（JIXIAO_MAX_CELLS）",
                file=name,
            )
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                grid[(r, c)] = v
    cells = {k: v for k, v in grid.items() if v != ""}
    if not cells:
        return None
    max_c = max(c for _, c in cells)
    present = sorted({r for r, _ in cells})  # blank spacer rows carry nothing
    if len(present) * max_c > limits.max_cells:
        # a few far-apart cells (A1 and XFD1048576) would make a huge sparse grid
        raise ReaderError(
            f"工作表“{sheet}”的数据范围（{len(present)} 行 × {max_c} 列）超过单元格上限 {limits.max_cells}"
            "（JIXIAO_MAX_CELLS）",
            file=name,
        )
    rows: list[list[str]] = []
    locs: list[list[Location]] = []
    for r in present:
        row = [grid.get((r, c), "") for c in range(1, max_c + 1)]
        rows.append(row)
        locs.append(
            [
                Location(name, sheet=sheet, cell=f"{col_letter(c)}{r}", table=sheet_no, row=r, col=c)
                for c in range(1, max_c + 1)
            ]
        )
    return table_block(rows, locs, Location(name, sheet=sheet, table=sheet_no))


_ROW_TAGS = (b"<row ", b"<row>", b"<row/")  # all of one length: see the tail below


def _count_rows(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse a workbook with too many rows before openpyxl parses it: openpyxl streams a whole sheet to
    find its dimensions and merged cells before the first row is read, which takes tens of seconds on a
    million rows. Counting <row> tags in the raw sheet parts is a C-level scan. (A sheet written with a
    namespace prefix is not counted here; the per-row limit while reading still applies to it.)"""
    total = 0
    keep = len(_ROW_TAGS[0]) - 1  # bytes too short to hold a whole tag: carried over, never counted twice
    for info in zf.infolist():
        if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename, re.I):
            continue
        tail = b""
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 20):
                data = tail + chunk
                total += sum(data.count(tag) for tag in _ROW_TAGS)
                if total > limits.max_rows:
                    raise ReaderError(f"工作表行数超过上限 {limits.max_rows}（JIXIAO_MAX_ROWS）", file=name)
                tail = data[-keep:]


def read_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    name = str(path)
    check_size(path, limits)
    zf = guard_zip(path, limits, "xlsx")
    try:
        _count_rows(zf, name, limits)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        zf.close()
        raise ReaderError(f"Excel 文件已损坏，无法读取：{e}", file=name) from e
    except ReaderError:
        zf.close()
        raise
    fh = path.open("rb")  # a stream, because openpyxl refuses paths whose extension is not .xlsx
    try:
        import openpyxl

        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as e:
            raise ReaderError(
                f"Excel 文件已损坏或格式不受支持，无法打开：{type(e).__name__}: {e}", file=name
            ) from e
        blocks: list[Block] = []
        n_rows = n_cells = 0
        try:
            for sheet_no, ws in enumerate(wb.worksheets, 1):
                part = getattr(ws, "_worksheet_path", None)
                merges = _merged_ranges(zf, part) if part else []
                grid: dict[tuple[int, int], str] = {}
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # stale <dimension> tags would hide cells
                for r, row in enumerate(ws.iter_rows(min_row=1, min_col=1), 1):
                    n_rows += 1
                    if n_rows > limits.max_rows:
                        raise ReaderError(
                            f"工作表行数超过上限 {limits.max_rows}（JIXIAO_MAX_ROWS）", file=name
                        )
                    for c, cell in enumerate(row, 1):
                        v = getattr(cell, "value", None)
                        if v is None:
                            continue
                        n_cells += 1
                        if n_cells > limits.max_cells:
                            raise ReaderError(
                                f"单元格数超过上限 {limits.max_cells}（JIXIAO_MAX_CELLS）", file=name
                            )
                        s = format_value(v, getattr(cell, "number_format", None))
                        if s:
                            grid[(r, c)] = s
                blk = _sheet_block(name, ws.title, sheet_no, grid, merges, limits)
                if blk is not None:
                    blocks.append(blk)
        finally:
            wb.close()
    finally:
        zf.close()
        fh.close()
    warnings = [] if blocks else ["Excel 文件中没有找到任何有内容的单元格"]
    return assemble(name, "xlsx", blocks, warnings)


def read_xls(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    name = str(path)
    check_size(path, limits)
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as e:
        # formatting_info is unsupported for some producers (e.g. WPS .et); retry without it
        try:
            book = xlrd.open_workbook(str(path), on_demand=True)
        except Exception:
            raise ReaderError(f"Excel 97-2003 (.xls) 文件已损坏或无法读取：{e}", file=name) from e
    blocks: list[Block] = []
    n_rows = n_cells = 0
    try:
        for sheet_no in range(book.nsheets):
            sh = book.sheet_by_index(sheet_no)
            n_rows += sh.nrows
            if n_rows > limits.max_rows:
                raise ReaderError(f"工作表行数超过上限 {limits.max_rows}（JIXIAO_MAX_ROWS）", file=name)
            grid: dict[tuple[int, int], str] = {}
            for r in range(sh.nrows):
                for c in range(sh.ncols):
                    cell = sh.cell(r, c)
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        continue
                    n_cells += 1
                    if n_cells > limits.max_cells:
                        raise ReaderError(
                            f"单元格数超过上限 {limits.max_cells}（JIXIAO_MAX_CELLS）", file=name
                        )
                    v: object = cell.value
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            v = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                        except Exception:
                            v = cell.value
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        v = bool(cell.value)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        v = ""
                    fmt = None
                    if book.formatting_info:
                        try:
                            xf = book.xf_list[sh.cell_xf_index(r, c)]
                            fmt = book.format_map[xf.format_key].format_str
                        except Exception:
                            fmt = None
                    s = format_value(v, fmt)
                    if s:
                        grid[(r + 1, c + 1)] = s
            merges = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in getattr(sh, "merged_cells", [])]
            blk = _sheet_block(name, sh.name, sheet_no + 1, grid, merges, limits)
            if blk is not None:
                blocks.append(blk)
            book.unload_sheet(sheet_no)
    finally:
        book.release_resources()
    warnings = [] if blocks else ["Excel 文件中没有找到任何有内容的单元格"]
    return assemble(name, "xls", blocks, warnings)
