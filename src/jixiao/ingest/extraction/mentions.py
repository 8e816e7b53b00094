"""Every number-with-unit in a document, with the words before it that name it.

This is the checker's raw material, so it stays cheap: one `find_quantities` pass per block (kept on
the document, `Document.quantities`, for the checker to reuse) and a backwards scan to the start of the
clause for the label.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from jixiao.ingest.document import Block, Document
from jixiao.numbers import Quantity

from .context import strip_trailing
from .model import Mention
from .spans import Sentence, clause_start, provenance, sentences

SectionOf = Callable[[int], list[str]]

_LABEL_LEAD_RE = re.compile(r"[.．、)）:：\s]+")
_SKIP_UNITS = frozenset({"", "年", "月", "日"})
_NEWLINE_RE = re.compile("\n")
_NUMERIC_CELL_RE = re.compile(r"^[\s\d.,%‰+\-−≥≤<>=×/()（）]*$")


@dataclass
class Hit:
    """A mention plus what the extractors need about its surroundings (not serialised)."""

    mention: Mention
    quantity: Quantity
    start: int  # absolute span of the number as written
    end: int
    label_start: int
    block_index: int
    sentence: Sentence
    in_table: bool


def _row_label(block: Block, rel: int, line_starts: list[int]) -> str:
    """For a number alone in a table cell: the nearest text cell to its left in the same row."""
    row_no = bisect.bisect_right(line_starts, rel) - 1
    col = block.text.count("\t", line_starts[row_no], rel)
    rows = block.rows or []
    if row_no >= len(rows):
        return ""
    row = rows[row_no]
    for c in range(min(col, len(row)) - 1, -1, -1):
        cell = row[c].strip()
        if cell and not _NUMERIC_CELL_RE.match(cell):
            return cell
    return ""


def block_hits(doc: Document, index: int, section_of: SectionOf) -> list[Hit]:
    block = doc.blocks[index]
    text = block.text
    sents: list[Sentence] | None = None  # split only when the block has a mention
    line_starts: list[int] | None = None
    out: list[Hit] = []
    floor = 0
    si = 0
    for qm in doc.quantities(index):
        q = qm.quantity
        if q.unit in _SKIP_UNITS:
            # a bare number still ends the label of whatever follows it
            if q.unit == "" and not q.is_date_part:
                floor = max(floor, qm.end)
            continue
        if sents is None:
            sents = sentences(text, block.start)
        while si < len(sents) - 1 and sents[si].end - block.start <= qm.start:
            si += 1
        sent = sents[si] if sents else Sentence(block.start, block.end, text)
        lo = max(floor, sent.start - block.start)
        ls = clause_start(text, qm.start, lo)
        lead = _LABEL_LEAD_RE.match(text, ls, qm.start)
        if lead:
            ls = lead.end()
        label = strip_trailing(text[ls : qm.start].strip())
        if not label and block.kind == "table":
            if line_starts is None:  # a big table has many numbers: find its rows once
                line_starts = [0, *(m.end() for m in _NEWLINE_RE.finditer(text))]
            label = _row_label(block, qm.start, line_starts)
        start, end = block.start + qm.start, block.start + qm.end
        section = section_of(start)
        mention = Mention(
            value=q.value,
            unit=q.unit,
            text=qm.text,
            label=label,
            source=provenance(doc, block.start + ls, end, section, at=start),
            section=section,
        )
        out.append(Hit(mention, q, start, end, block.start + ls, index, sent, block.kind == "table"))
        floor = qm.end
    _spread_respectively(out)
    return out


_RESPECTIVELY_RE = re.compile(r"^(?P<names>.+?)分别(?:为|是|达到?|占)?$")
_LIST_SEP_RE = re.compile(r"[、和及与]")


def _spread_respectively(hits: list[Hit]) -> None:
    """ "收入决算数、支出决算数分别为 100 万元、90 万元": each number takes its own name from the list."""
    i = 0
    while i < len(hits):
        label = hits[i].mention.label
        m = _RESPECTIVELY_RE.match(label) if "分别" in label else None
        names = [n.strip() for n in _LIST_SEP_RE.split(m.group("names"))] if m else []
        n = len(names)
        if n >= 2 and all(names) and i + n <= len(hits):
            group = hits[i : i + n]
            if all(h.mention.label in {"", "、", "和", "及", "与"} for h in group[1:]) and all(
                h.sentence.start == group[0].sentence.start for h in group
            ):
                for h, name in zip(group, names, strict=True):
                    h.mention = h.mention.model_copy(update={"label": name})
                    h.label_start = group[0].label_start
                i += n
                continue
        i += 1


def find_hits(doc: Document, section_of: SectionOf) -> list[Hit]:
    hits: list[Hit] = []
    for i in range(len(doc.blocks)):
        hits.extend(block_hits(doc, i, section_of))
    return hits
