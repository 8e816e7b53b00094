"""The outline tree of a report: 第一部分 / 一、 / （一） / 1. 1、 / （1） / ① and Word heading levels.

Levels are not fixed per numbering style: the first style met becomes level 1, a new style under it
level 2, and so on, because reports skip and reorder styles. Real reports also reuse a parent's style for
a plain list inside a section (a list "（一）…（九）" under "1.部门职能" inside "（一）部门概况"). Such a
candidate is accepted as a heading only if its number continues the sequence of the open section with
that style; otherwise it and its followers ("（二）" after a rejected "（一）") are list items in the body.
Headings are short lines, not sentences (`looks_like_heading`); a top-level "三、标题：正文…" paragraph
still opens a section titled by the text before "：".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Document
from .normalize import looks_like_heading, numbering

_EMPTY_BODIES = {"", "无", "暂无", "没有", "不涉及", "无此项", "/", "-", "—"}


@dataclass
class Section:
    title: str
    number: str
    level: int
    start: int  # offset of the heading in Document.text
    end: int  # offset where the section (with its children) ends
    block_index: int
    children: list[Section] = field(default_factory=list)
    body_start: int = -1  # offset where the text after the title starts
    style: str = ""  # numbering style ("cn", "paren_cn", "arabic", …) or "h<N>" for Word headings
    value: int = 0  # the number as an int (三 → 3), 0 for unnumbered headings

    def body(self, doc: Document) -> str:
        """Text of the section after its title, children included."""
        a = self.body_start if self.body_start >= 0 else self.start
        return doc.text[a : self.end].strip()

    def is_empty(self, doc: Document) -> bool:
        """True when the body is empty or only says "无" / "无。" / "暂无" and the like."""
        core = re.sub(r"[\s。.；;：:，,！!]", "", self.body(doc))
        return core in _EMPTY_BODIES

    def walk(self) -> list[Section]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


@dataclass
class _Cand:
    block_index: int
    style: str  # numbering style, or "h1".."h9" for Word heading levels
    value: int
    number: str
    title: str
    start: int
    body_start: int


def _split_title(rest: str) -> tuple[str, str]:
    """'标题：正文' → ('标题', '正文'); a short line is all title."""
    m = re.match(r"^(.{1,40}?)[：:](.*)$", rest, re.S)
    if m and m.group(2).strip():
        return m.group(1).strip(), m.group(2)
    return rest.strip().rstrip("。.：:"), ""


def _candidates(doc: Document) -> list[_Cand]:
    out: list[_Cand] = []
    for i, b in enumerate(doc.blocks):
        if b.kind == "table":
            continue
        text = b.text
        n = numbering(text)
        if b.kind == "heading" and n is None and b.level is not None:
            title = text.strip()
            out.append(_Cand(i, f"h{b.level}", 0, "", title, b.start, b.start + len(text)))
            continue
        if n is None:
            continue
        rest = text[n.rest_start :]
        if looks_like_heading(text) or b.kind == "heading":
            title, body = _split_title(rest)
            out.append(_Cand(i, n.style, n.value, n.number, title, b.start, b.start + len(text) - len(body)))
        elif n.style in ("cn", "part"):
            # "三、政府性基金预算支出情况：本年度…" – a top-level section stated inline
            title, body = _split_title(rest)
            if body:
                out.append(
                    _Cand(i, n.style, n.value, n.number, title, b.start, b.start + len(text) - len(body))
                )
        elif n.style in ("paren_cn", "arabic") and "：" in rest[:30]:
            title, body = _split_title(rest)
            if body and len(title) <= 20 and not re.search(r"[，。；]", title):
                out.append(
                    _Cand(i, n.style, n.value, n.number, title, b.start, b.start + len(text) - len(body))
                )
    return out


def build_outline(doc: Document) -> list[Section]:
    """The section tree of `doc` (roots in order)."""
    roots: list[Section] = []
    stack: list[Section] = []
    # style → last value of a rejected list run, keyed by the section it sits in
    list_runs: dict[tuple[int, str], int] = {}
    for c in _candidates(doc):
        depth = next((k for k, s in enumerate(stack) if s.style == c.style), None)
        if c.style.startswith("h"):
            lvl = int(c.style[1:])
            depth = next(
                (k for k, s in enumerate(stack) if s.style.startswith("h") and int(s.style[1:]) >= lvl), None
            )
        elif depth is not None:
            owner = id(stack[-1]) if stack else 0
            run = list_runs.get((owner, c.style))
            if run is not None and c.value == run + 1:
                list_runs[(owner, c.style)] = c.value  # the list goes on
                continue
            # a real sibling continues its section's numbering (one skipped number tolerated); anything
            # else is a list inside the current section
            expected = stack[depth].value + 1
            if c.value not in (expected, expected + 1):
                list_runs[(owner, c.style)] = c.value
                continue
        elif not c.style.startswith("h") and c.value > 2:
            # a new level starts at 1 (or 2 when the first heading was missed); "6." out of the blue
            # is an item of a list whose long items are not headings
            owner = id(stack[-1]) if stack else 0
            list_runs[(owner, c.style)] = c.value
            continue
        if depth is not None:
            for s in stack[depth:]:
                s.end = c.start
            del stack[depth:]
        sec = Section(
            title=c.title,
            number=c.number,
            level=len(stack) + 1,
            start=c.start,
            end=len(doc.text),
            block_index=c.block_index,
            body_start=c.body_start,
            style=c.style,
            value=c.value,
        )
        (stack[-1].children if stack else roots).append(sec)
        stack.append(sec)
    for s in stack:
        s.end = len(doc.text)
    _fix_ends(roots, len(doc.text))
    return roots


def _fix_ends(sections: list[Section], parent_end: int) -> None:
    for k, s in enumerate(sections):
        nxt = sections[k + 1].start if k + 1 < len(sections) else parent_end
        s.end = min(s.end, nxt) if s.end > s.start else nxt
        s.end = max(s.end, s.start)
        _fix_ends(s.children, s.end)


def iter_sections(outline: list[Section]) -> list[Section]:
    out: list[Section] = []
    for s in outline:
        out.extend(s.walk())
    return out


def section_path(outline: list[Section], offset: int) -> list[str]:
    """Titles from the root to the deepest section containing `offset`."""
    path: list[str] = []
    level = outline
    while True:
        hit = next((s for s in level if s.start <= offset < s.end), None)
        if hit is None:
            return path
        path.append(hit.title)
        level = hit.children


def find_section(outline: list[Section], *keywords: str) -> Section | None:
    """The first section (pre-order, shallowest first on ties) whose title contains every keyword."""
    best: Section | None = None
    for s in iter_sections(outline):
        if all(k in s.title for k in keywords) and (best is None or s.level < best.level):
            best = s
    return best
