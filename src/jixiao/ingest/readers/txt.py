"""Plain text: encoding detected (BOMs, UTF-8, GB18030 family via charset-normalizer), one block per paragraph."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from jixiao.errors import ReaderError

from ..document import Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ..normalize import MText, lines_to_blocks
from ._common import block_from_spec, check_size

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) if `data` is text in an encoding we can tell; None if it looks binary."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), enc
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:65536]:
        return None  # NULs without a UTF-16 BOM: a binary file
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None:
        return None
    enc = best.encoding.lower().replace("_", "-")
    # GB2312/GBK are subsets of GB18030: decode with the superset so rare characters survive
    if enc in {"gb2312", "gbk", "cp936", "hz", "gb18030", "euc-cn"}:
        enc = "gb18030"
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None
    if _looks_binary(text):
        return None
    return text, enc


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or 0xE000 <= ord(c) <= 0xF8FF)
    return bad / len(sample) > 0.02


# form feeds stay inside their line (editors count lines that way); normalisation blanks them
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def text_to_document(text: str, path: str, fmt: str = "txt", warnings: list[str] | None = None) -> Document:
    """Lines → blocks with line-number locations (shared by the txt reader and document_from_text)."""
    lines = _LINE_SPLIT.split(text)
    locs = [Location(path, paragraph=i + 1, line=i + 1) for i in range(len(lines))]
    specs = lines_to_blocks([MText.of(s, i) for i, s in enumerate(lines)])
    blocks = []
    tno = 0
    for sp in specs:
        if sp.kind == "table":
            tno += 1
        blocks.append(block_from_spec(sp, locs, tno if sp.kind == "table" else None))
    return assemble(path, fmt, blocks, warnings)


def read_txt(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    data: bytes | None = None,
    decoded: tuple[str, str] | None = None,
) -> Document:
    """``decoded``: `decode_text(data)` when the caller already has it."""
    if data is None:
        check_size(path, limits)
        data = path.read_bytes()
    if decoded is None:
        decoded = decode_text(data)
    if decoded is None:
        raise ReaderError(
            "无法识别文本编码（文件可能不是文本文件）；请另存为 UTF-8 文本后再试", file=str(path)
        )
    text, _enc = decoded
    if len(text) > limits.max_text_chars:
        raise ReaderError(
            f"文本长度 {len(text)} 字符超过上限 {limits.max_text_chars}（JIXIAO_MAX_TEXT_CHARS）",
            file=str(path),
        )
    return text_to_document(text, str(path))
