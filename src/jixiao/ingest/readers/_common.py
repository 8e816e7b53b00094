"""Helpers shared by the readers: building blocks with source maps, cell text, zip/XML guards."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

from jixiao.errors import ReaderError

from ..document import Block, Location
from ..limits import Limits
from ..normalize import BlockSpec, looks_like_heading, normalize_line, numbering, should_join


def compress_map(origin: list[int], locs: list[Location]) -> list[tuple[int, Location]]:
    """Per-character origins → (offset, Location) breakpoints."""
    out: list[tuple[int, Location]] = []
    prev = None
    for i, o in enumerate(origin):
        if o != prev:
            out.append((i, locs[o]))
            prev = o
    return out


def block_from_spec(spec: BlockSpec, locs: list[Location], table_no: int | None = None) -> Block:
    """A Block from a normalised spec whose origins index `locs`."""
    mt = spec.text
    first = locs[mt.origin[0]] if mt.origin else locs[0]
    if spec.kind != "table" or spec.rows is None:
        return Block(
            kind=spec.kind,  # type: ignore[arg-type]
            text=mt.text,
            location=first,
            level=spec.level,
            source_map=compress_map(mt.origin, locs),
        )
    rows = [[c.text for c in r] for r in spec.rows]
    smap: list[tuple[int, Location]] = []
    pos = 0
    # empty cells carry no origin: they take their row's line
    row_origin = [next((c.origin[0] for c in row if c.origin), None) for row in spec.rows]
    known = [o for o in row_origin if o is not None]
    if known:
        first = locs[known[0]]
    for r, row in enumerate(spec.rows, 1):
        ro = row_origin[r - 1]
        for c, cell in enumerate(row, 1):
            if cell.origin:
                base = locs[cell.origin[0]]
            elif ro is not None:
                base = locs[ro]
            else:
                base = smap[-1][1] if smap else first
            # positional constructor, not dataclasses.replace: this runs for every cell of every table
            smap.append(
                (
                    pos,
                    Location(
                        base.file, base.page, base.paragraph, base.sheet, base.cell, table_no, r, c, base.line
                    ),
                )
            )
            pos += len(cell.text) + 1  # "\t" or "\n" after each cell
    text = "\n".join("\t".join(r) for r in rows)
    return Block(
        kind="table",
        text=text,
        location=replace(first, table=table_no, row=None, col=None),
        rows=rows,
        source_map=smap,
    )


def table_block(rows: list[list[str]], cell_locs: list[list[Location]], location: Location) -> Block:
    """A table Block from already-normalised cell strings and one Location per cell."""
    smap: list[tuple[int, Location]] = []
    pos = 0
    for row, locrow in zip(rows, cell_locs, strict=True):
        for cell, loc in zip(row, locrow, strict=True):
            smap.append((pos, loc))
            pos += len(cell) + 1
    text = "\n".join("\t".join(r) for r in rows)
    return Block(kind="table", text=text, location=location, rows=rows, source_map=smap)


def normalize_cell(raw: str) -> str:
    """Cell text on one line: normalised lines joined, numbers kept with their units."""
    lines: list[str] = []
    for s in re.split(r"\r\n|\r|\n", raw.replace("\t", " ")):
        # a LaTeX fragment wrapped inside the cell ("$\\" / "geq 70$ 人") is one fragment again
        if lines and lines[-1].count("$") % 2 == 1:
            lines[-1] += s.strip()
        else:
            lines.append(s)
    parts = [normalize_line(s).strip() for s in lines]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    out = parts[0]
    for p in parts[1:]:
        joinable = (
            should_join(out, p, None)
            or (out[-1] >= "\u4e00" and p[0] >= "\u4e00" and len(out) < 60)
            # a number wrapped inside a narrow cell: "5830" / "92.57"
            or (_NUMERIC_END.search(out) is not None and _NUMERIC_START.match(p) is not None)
        )
        out = out + p if joinable else out + " " + p
    return re.sub(r" {2,}", " ", out)


_NUMERIC_END = re.compile(r"[\d.,/]$")
_NUMERIC_START = re.compile(r"^[\d.%]")


def paragraph_kind(text: str, style_level: int | None) -> tuple[str, int | None]:
    if style_level is not None:
        return "heading", style_level
    if numbering(text) is not None and looks_like_heading(text):
        return "heading", None
    return "paragraph", None


def check_size(path: Path, limits: Limits) -> int:
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ReaderError(f"无法读取文件：{e.strerror or e}", file=str(path)) from e
    if size > limits.max_file_bytes:
        raise ReaderError(
            f"文件大小 {size / 1048576:.1f} MB 超过上限 {limits.max_file_mb:g} MB"
            "（可用环境变量 JIXIAO_MAX_FILE_MB 调整）",
            file=str(path),
        )
    return size


_BINARY_EXTS = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".emf",
    ".wmf",
    ".bin",
    ".ttf",
    ".odttf",
    ".wdp",
)
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


_UTF16_LE = re.compile(rb"^\s?\x00?<\x00[?!A-Za-z_]\x00")  # "<?", "<!", "<r" in UTF-16-LE, BOM or not
_UTF16_BE = re.compile(rb"^\x00?\s?\x00<\x00[?!A-Za-z_]")
_ROOT_RE = re.compile(rb"<[A-Za-z_]")
_COMMENT_RE = re.compile(rb"<!--.*?-->", re.S)


def _as_utf8(buf: bytes) -> bytes:
    """UTF-16 parts (with or without a byte-order mark) as UTF-8, so the DTD scan sees their markup."""
    if buf.startswith((b"\xff\xfe", b"\xfe\xff")):
        return buf.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    if _UTF16_LE.match(buf):
        return buf.decode("utf-16-le", errors="ignore").encode("utf-8", errors="ignore")
    if _UTF16_BE.match(buf):
        return buf.decode("utf-16-be", errors="ignore").encode("utf-8", errors="ignore")
    return buf


def _xml_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int = 1 << 20) -> tuple[bytes, bool]:
    """(the bytes of a part up to its root element — where a DTD would have to be —, whether the scan was
    cut short by ``cap`` before a root element of what looks like XML was seen)."""
    buf = b""
    with zf.open(info) as fh:
        while len(buf) < cap:
            chunk = fh.read(16384)
            if not chunk:
                return _as_utf8(buf), False
            buf += chunk
            text = _as_utf8(buf)
            if _ROOT_RE.search(_COMMENT_RE.sub(b"", text)):
                return text, False
    text = _as_utf8(buf)
    # A real part reaches its root element within a few hundred bytes; markup that does not within the cap
    # (a DTD behind a megabyte of comment) is refused rather than handed to the XML parser unchecked.
    return text, text.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def guard_zip(path: Path, limits: Limits, kind: str) -> zipfile.ZipFile:
    """Open an OOXML zip after checking member count, sizes, ratios and XML DTDs. `kind` is 'docx'/'xlsx'."""
    name = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ReaderError(f"文件不是有效的 .{kind}（压缩包已损坏或不完整）：{e}", file=name) from e
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        zf.close()
        raise ReaderError(
            f"压缩包内文件数 {len(infos)} 超过上限 {limits.max_zip_members}（JIXIAO_MAX_ZIP_MEMBERS），疑似恶意文件",
            file=name,
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1 << 20 and ratio > limits.max_zip_ratio:
            zf.close()
            raise ReaderError(
                f"压缩包成员 {info.filename} 的压缩比 {ratio:.0f}:1 超过上限 {limits.max_zip_ratio:g}:1"
                "（JIXIAO_MAX_ZIP_RATIO），疑似“压缩炸弹”，已拒绝读取",
                file=name,
            )
    if total > limits.max_unzipped_bytes:
        zf.close()
        raise ReaderError(
            f"解压后总大小 {total / 1048576:.0f} MB 超过上限 {limits.max_unzipped_mb:g} MB"
            "（JIXIAO_MAX_UNZIPPED_MB），疑似“压缩炸弹”，已拒绝读取",
            file=name,
        )
    for info in infos:
        low = info.filename.lower()
        if info.is_dir() or low.endswith(_BINARY_EXTS):
            continue
        # any part can be declared XML through [Content_Types].xml and the rels, whatever its name
        cap = 1 << 20 if low.endswith((".xml", ".rels", ".vml")) else 1 << 16
        try:
            head, cut_short = _xml_prolog(zf, info, cap)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as e:
            zf.close()
            raise ReaderError(f"文件内部 {info.filename} 已损坏，无法读取：{e}", file=name) from e
        if _DTD_RE.search(head) or cut_short:
            zf.close()
            raise ReaderError(
                f"文件内部 {info.filename} 含有 DTD/实体声明（可能是“十亿笑”或外部实体攻击），已拒绝读取",
                file=name,
            )
    return zf
