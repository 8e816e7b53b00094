"""The one shape every reader produces: a `Document` of blocks, each with a source location.

`Document.text` is the normalised text of all blocks joined by "\\n"; `Block.start` points into it.
Each block also keeps a compact `source_map` (offset within the block → Location) so that any span of
`Document.text` can be traced back to the original line, paragraph, page or cell even after lines were
joined or characters rewritten by normalisation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from jixiao.model import Provenance

if TYPE_CHECKING:
    from jixiao.numbers import QuantityMatch

BlockKind = Literal["paragraph", "heading", "table"]


@dataclass(frozen=True)
class Location:
    file: str
    page: int | None = None  # 1-based PDF page
    paragraph: int | None = None  # 1-based paragraph/block number (docx) or line number (txt)
    sheet: str | None = None
    cell: str | None = None  # "B12"
    table: int | None = None  # 1-based table number
    row: int | None = None  # 1-based
    col: int | None = None  # 1-based
    line: int | None = None  # 1-based line (txt: same as paragraph; pdf: line within the page)

    def describe(self) -> str:
        """A short Chinese description, e.g. "第3页 第12行", "工作表“指标” B12", "第5行"."""
        if self.sheet is not None:
            return f"工作表“{self.sheet}” {self.cell}" if self.cell else f"工作表“{self.sheet}”"
        parts: list[str] = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.table is not None:
            parts.append(f"第{self.table}个表格")
            if self.row is not None:
                parts.append(f"第{self.row}行" + (f"第{self.col}列" if self.col is not None else ""))
            if self.line is not None:
                parts.append(f"（原文第{self.line}行）")
            elif self.paragraph is not None and self.page is None:
                parts.append(f"（第{self.paragraph}段）")
        elif self.line is not None:
            parts.append(f"第{self.line}行")
        elif self.paragraph is not None:
            parts.append(f"第{self.paragraph}段")
        return " ".join(parts) if parts else self.file


@dataclass
class Block:
    kind: BlockKind
    text: str  # normalised text; tables: cells joined by "\t", rows by "\n"
    location: Location
    rows: list[list[str]] | None = None  # tables only; merged cells repeated in every grid position
    level: int | None = None  # heading level when known
    start: int = 0  # offset of this block's text in Document.text
    # (offset within `text`, location) breakpoints, sorted by offset; empty means `location` throughout.
    source_map: list[tuple[int, Location]] = field(default_factory=list, repr=False)
    _keys: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def location_at(self, rel: int) -> Location:
        """Location of the character at `rel` (offset within this block's text)."""
        if not self.source_map:
            return self.location
        if len(self._keys) != len(self.source_map):  # built lazily: big tables are located often
            self._keys = [k for k, _ in self.source_map]
        i = bisect.bisect_right(self._keys, rel) - 1
        return self.source_map[max(i, 0)][1]


@dataclass
class Document:
    path: str
    format: str  # "txt" | "docx" | "pdf" | "xlsx" | "xls"
    blocks: list[Block]
    text: str  # all block texts joined by "\n" (block.start points into it)
    warnings: list[str] = field(default_factory=list)  # Chinese

    def __post_init__(self) -> None:
        self._starts = [b.start for b in self.blocks]
        # block index → (the text scanned, its quantities): see `quantities`
        self._quantities: dict[int, tuple[str, list[QuantityMatch]]] = {}

    def quantities(self, index: int) -> list[QuantityMatch]:
        """`find_quantities` of block ``index``'s text, scanned once per document: extraction and the
        checker both read every number, and the scan is the costliest step of each. Offsets are within
        the block's text. The list is shared: do not modify it."""
        from jixiao.numbers import find_quantities

        text = self.blocks[index].text
        hit = self._quantities.get(index)
        if hit is None or hit[0] is not text:  # a block replaced or rewritten since: scan again
            hit = self._quantities[index] = (text, find_quantities(text))
        return hit[1]

    def block_index_at(self, offset: int) -> int:
        if not self.blocks:
            raise IndexError("空文档没有内容块")
        if len(self._starts) != len(self.blocks):  # blocks were replaced after construction
            self._starts = [b.start for b in self.blocks]
        i = bisect.bisect_right(self._starts, offset) - 1
        return min(max(i, 0), len(self.blocks) - 1)

    def block_at(self, offset: int) -> Block:
        """The block containing `offset` (a separator "\\n" belongs to the block before it)."""
        return self.blocks[self.block_index_at(offset)]

    def locate(self, start: int, end: int | None = None) -> Location:
        """Location of the span's first character; for a table, the row/col (and cell) of that character."""
        if not self.blocks:
            return Location(self.path)
        block = self.block_at(start)
        rel = min(max(start - block.start, 0), max(len(block.text) - 1, 0))
        return block.location_at(rel)

    def provenance(
        self,
        start: int,
        end: int,
        *,
        at: int | None = None,
        quote: str | None = None,
        section: list[str] | None = None,
    ) -> Provenance:
        """Provenance of the span [start, end): the location of ``at`` (default ``start``), the span,
        and the quoted text (the span itself unless ``quote`` is given)."""
        loc = self.locate(start if at is None else at, end)
        if quote is None:
            quote = " ".join(self.text[start:end].replace("\t", " ").split())
        return Provenance(
            file=loc.file,
            page=loc.page,
            paragraph=loc.paragraph,
            line=loc.line,
            sheet=loc.sheet,
            cell=loc.cell,
            table=loc.table,
            row=loc.row,
            col=loc.col,
            start=start,
            end=end,
            quote=quote,
            section=list(section or []),
        )

    def quote(self, start: int, end: int, context: int = 0) -> str:
        """The text of a span, with `context` characters either side (marked with …), on one line."""
        start = max(0, start)
        end = min(len(self.text), max(end, start))
        a = max(0, start - context)
        b = min(len(self.text), end + context)
        s = self.text[a:b]
        if not context:
            return s
        if a > 0:
            s = "…" + s
        if b < len(self.text):
            s = s + "…"
        return s.replace("\t", " ").replace("\n", " ")

    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]


def assemble(path: str, fmt: str, blocks: list[Block], warnings: list[str] | None = None) -> Document:
    """Build a Document from blocks, setting each block's start and joining the text."""
    pieces: list[str] = []
    pos = 0
    out: list[Block] = []
    for b in blocks:
        b = Block(b.kind, b.text, b.location, b.rows, b.level, pos, b.source_map)  # cheaper than replace()
        out.append(b)
        pieces.append(b.text)
        pos += len(b.text) + 1
    return Document(path=path, format=fmt, blocks=out, text="\n".join(pieces), warnings=list(warnings or []))
