"""Spans of a `Document` → `Provenance`, and the sentence/clause structure of block text."""

from __future__ import annotations

import re
from typing import NamedTuple

from jixiao.ingest.document import Document
from jixiao.model import Provenance

# A sentence ends at 。！？ or a line break; a clause also at ；，：、 (and tabs between table cells).
_SENTENCE_END = "。！？!?\n"
_CLAUSE_END = _SENTENCE_END + "；;，,：:\t"


_BREAKS_RE = re.compile(r"[\t\n]+")
_SENTENCE_END_RE = re.compile(r"[。！？!?\n]")


def clean_quote(text: str) -> str:
    if "\t" not in text and "\n" not in text:  # most quotes lie within one line of prose
        return text.strip()
    return _BREAKS_RE.sub(" ", text).strip()


def provenance(
    doc: Document, start: int, end: int, section: list[str] | None = None, at: int | None = None
) -> Provenance:
    """Where the span [start, end) of ``doc.text`` came from, quoting it as written.

    The location is that of ``at`` (default: the span's start); a figure passes its number's offset, so
    a label on one line and its number on the next point at the number's line."""
    return doc.provenance(start, end, at=at, quote=clean_quote(doc.text[start:end]), section=section)


class Sentence(NamedTuple):  # a tuple: built for every sentence of every block, ~3× cheaper than a dataclass
    start: int  # absolute offsets into Document.text
    end: int
    text: str


def sentences(text: str, base: int = 0) -> list[Sentence]:
    """Sentences of one block's text (ending at 。！？ or a line break), with absolute offsets."""
    out: list[Sentence] = []
    pos = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if m.end() > pos:
            out.append(Sentence(base + pos, base + m.end(), text[pos : m.end()]))
        pos = m.end()
    if pos < len(text):
        out.append(Sentence(base + pos, base + len(text), text[pos:]))
    return out


def clause_start(text: str, pos: int, floor: int = 0) -> int:
    """Offset where the clause containing ``pos`` begins (after the last ；，：、 etc.)."""
    i = pos
    while i > floor and text[i - 1] not in _CLAUSE_END:
        i -= 1
    return i
