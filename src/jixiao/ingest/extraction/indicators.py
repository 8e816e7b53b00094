"""Indicator tables and narrative target/actual pairs.

Tables: a header row is recognised by its words (一级/二级/三级指标, 分值, 指标值/完成值, 评分标准, 得分).
Rows are then read by what their cells *are*, not where they stand, because tables flattened from
Excel lose merged cells and shift everything left: a row's indicator is the last short text cell that
is followed by its weight (a number) and, two or more cells later, by the stated score (a number).
Between weight and score stand either 指标解释/评分标准 (long prose: a "rule" row) or 年度指标值 and
实际完成值 (short values: a "target" row). Cells before the indicator are its 一级/二级 labels and
their weights; blank 一级/二级 cells carry down from the rows above, and a label that a flattened
merged cell put in the middle of its block is carried back up to the rows before it.

Narrative: "…指标任务为38人…全年实际扶持…41人", "任务数为155人…全年已完成201人".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.ingest.document import Block, Document
from jixiao.numbers import find_quantities, parse_number

from .mentions import SectionOf
from .model import IndicatorRow
from .spans import provenance

_NUM_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_LEVEL1_RE = re.compile(
    r"(?:效能|^(?:产出|效益|满意度|决策|过程|成本)(?:指标)?|^加减分项?|^加分项?|^减分项?)$"
)
TOTAL_ROW_RE = re.compile(r"^(?:总分|合计|总计|综合得分)$")  # a table's total row (also read by scores)
_HEADER_WORDS = ("一级指标", "二级指标", "三级指标", "分值", "得分", "指标值", "评分标准", "完成值", "权重")


_CJK = "\u4e00-\u9fff、，；：“”（）《》"
_LAYOUT_SPACE_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])|(?<=\d)\s+(?=[^\d\s、，,.])")


def tidy(text: str | None) -> str | None:
    """Drop layout whitespace a PDF line wrap leaves inside Chinese text or between a number and its
    unit ("入户探访、 小组服务人次", "38 人"); the words and numbers stay as written."""
    return _LAYOUT_SPACE_RE.sub("", text) if text else text


def _is_num(cell: str) -> bool:
    return bool(_NUM_RE.match(cell))


def _is_prose(cell: str) -> bool:
    return len(cell) > 40 or "。" in cell or "；" in cell or cell.count("，") >= 2


def _is_name(cell: str) -> bool:
    return bool(cell) and not _is_num(cell) and not _is_prose(cell) and not cell.startswith(("(", "（"))


def header_layout(cells: list[str]) -> str | None:
    """ "target" or "rule" when the row is an indicator-table header, else None."""
    row = "\t".join(cells)  # no header word holds a tab, so it is in the row iff it is in a cell
    if "指标" not in row or sum(1 for w in _HEADER_WORDS if w in row) < 3:
        return None
    if "指标值" in row or "完成值" in row or "实际完成" in row:
        return "target"
    return "rule"


@dataclass
class _Cell:
    text: str
    start: int
    end: int


@dataclass
class _State:
    layout: str | None = None
    level1: str | None = None
    level1_weight: Decimal | None = None
    level2: str | None = None
    level2_weight: Decimal | None = None
    section_rows: list[IndicatorRow] = field(default_factory=list)  # rows since the last header


def _row_cells(block: Block) -> list[list[_Cell]]:
    out: list[list[_Cell]] = []
    pos = block.start
    for line in block.text.split("\n"):
        row: list[_Cell] = []
        for cell in line.split("\t"):
            if cell:  # a third of a scoring table's cells are empty
                stripped = cell.strip()
                if stripped:
                    lead = len(cell) - len(cell.lstrip())
                    row.append(_Cell(stripped, pos + lead, pos + lead + len(stripped)))
            pos += len(cell) + 1
        out.append(row)
    return out


def _collapse_merged(cells: list[_Cell], layout: str | None) -> list[_Cell]:
    """Readers repeat a merged cell in every grid position it covers; keep one copy. Equal short values
    side by side in a target row are real ("1人", "1人": target met exactly) and are all kept."""
    out: list[_Cell] = []
    i = 0
    while i < len(cells):
        j = i
        while j + 1 < len(cells) and cells[j + 1].text == cells[i].text:
            j += 1
        run = cells[i : j + 1]
        text = run[0].text
        if layout == "target" and not _is_num(text) and not _is_prose(text) and len(text) <= 15:
            out.extend(run)
        else:
            out.append(run[0])
        i = j + 1
    return out


def _score_after(cells: list[_Cell], w: int, min_gap: int) -> int | None:
    for k in range(w + 1 + min_gap, len(cells)):
        if _is_num(cells[k].text):
            return k
    return None


def _parse_row(cells: list[_Cell], layout: str) -> tuple[int | None, int, int] | None:
    """(name index or None, weight index, score index) of an indicator row, or None."""
    best: tuple[int | None, int, int] | None = None
    for i in range(len(cells) - 1):
        if _is_name(cells[i].text) and _is_num(cells[i + 1].text):
            k = _score_after(cells, i + 1, 2)
            if k is None:
                continue
            between = cells[i + 2 : k]
            # 指标解释/评分标准 are prose; only a target row's 实际完成值 may be a bare number ("2369")
            if layout == "rule" and any(_is_num(c.text) for c in between):
                continue
            if layout == "target" and any(_is_num(c.text) for c in between[:1]) and len(between) < 2:
                continue
            best = (i, i + 1, k)
    if best is not None:
        name_i, w, k = best
        between = cells[w + 1 : k]
        # "资产管理 1.00 资产账务核对情况 <解释> <标准> 1.00": the flattened row put the weight before
        # the name; the short cell after the weight is the indicator, the one before is its 二级 label.
        if len(between) >= 3 and _is_name(between[0].text) and all(_is_prose(c.text) for c in between[1:]):
            return (w + 1, w, k)
        return best
    # No name cell survived: a weight followed by prose and then the score.
    for w in range(len(cells)):
        if not _is_num(cells[w].text):
            continue
        k = _score_after(cells, w, 1)
        if k is None:
            continue
        between = cells[w + 1 : k]
        if between and all(_is_prose(c.text) or _is_name(c.text) for c in between):
            later = _score_after(cells, k, 1)
            if (
                later is not None
                and cells[k + 1 : later]
                and all(_is_prose(c.text) for c in cells[k + 1 : later])
            ):
                continue  # k was a 二级 weight, the real pair comes later
            name_i = w + 1 if len(between) >= 3 and _is_name(between[0].text) else None
            return (name_i, w, k)
    return None


def _apply_prefix(prefix: list[_Cell], state: _State) -> None:
    """Level labels and their weights from the cells before the indicator."""
    items: list[tuple[str, _Cell]] = []
    for c in prefix:
        if _is_num(c.text):
            items.append(("num", c))
        else:
            items.append(("label", c))
    weights: dict[int, Decimal] = {}
    used: set[int] = set()
    for i, (kind, _c) in enumerate(items):
        if kind == "label" and i + 1 < len(items) and items[i + 1][0] == "num":
            weights[i] = parse_number(items[i + 1][1].text)
            used.add(i + 1)
    loose: list[tuple[int, Decimal]] = []
    for i, (kind, c) in enumerate(items):
        if kind != "num" or i in used:
            continue
        if i + 1 < len(items) and items[i + 1][0] == "label" and (i + 1) not in weights:
            weights[i + 1] = parse_number(c.text)
        else:
            loose.append((i, parse_number(c.text)))
    labels = [(i, c.text) for i, (kind, c) in enumerate(items) if kind == "label"]
    for i, text in labels:
        weight = weights.get(i)
        if _LEVEL1_RE.search(text):
            if state.level1 is not None and text != state.level1:
                state.level2, state.level2_weight = None, None
            state.level1 = text
            state.level1_weight = weight if weight is not None else state.level1_weight
        else:
            state.level2, state.level2_weight = text, weight
    for i, value in loose:
        # a weight whose label was lost: the 一级 weight if it leads the row, else the 二级 weight
        if i == 0:
            state.level1_weight = value
        else:
            state.level2_weight = value


def table_indicators(doc: Document, section_of: SectionOf) -> list[IndicatorRow]:
    state = _State()
    out: list[IndicatorRow] = []

    def close_section() -> None:
        # Rows before the first 一级/二级 label of a section can only belong to the first group: a
        # flattened merged cell printed its label in the middle of the block, not on its first row.
        rows = state.section_rows
        for name, weight in (("level1", "level1_weight"), ("level2", "level2_weight")):
            first = next((r for r in rows if getattr(r, name)), None)
            if first is None:
                continue
            for r in rows:
                if r is first or getattr(r, name):
                    break
                setattr(r, name, getattr(first, name))
                if getattr(r, weight) is None:
                    setattr(r, weight, getattr(first, weight))
        state.section_rows = []

    for block in doc.tables():
        for raw in _row_cells(block):
            cells = _collapse_merged(raw, state.layout)
            texts = [c.text for c in cells]
            if not texts:
                continue
            layout = header_layout(texts)
            if layout:
                close_section()
                state.layout, state.level1, state.level1_weight = layout, None, None
                state.level2, state.level2_weight = None, None
                continue
            if state.layout is None or TOTAL_ROW_RE.match(texts[0]):
                continue
            parsed = _parse_row(cells, state.layout)
            if parsed is None:
                continue
            name_i, w, k = parsed
            lead = name_i if name_i is not None and name_i < w else w
            prefix = cells[:lead]
            expl_before: str | None = None
            if prefix and _is_prose(prefix[-1].text) and not prefix[-1].text.startswith(("(", "（")):
                expl_before = prefix[-1].text
                prefix = prefix[:-1]
            _apply_prefix(prefix, state)
            middle = [c.text for c in cells[w + 1 : k] if name_i is None or c is not cells[name_i]]
            tail = cells[k + 1 :]
            row_layout = state.layout
            if row_layout == "target" and (not middle or any(_is_prose(t) for t in middle[:2])):
                row_layout = "rule"
            target = actual = explanation = rule = None
            if row_layout == "target":
                target = middle[0] if middle else None
                actual = middle[1] if len(middle) > 1 else None
            else:
                if len(middle) >= 2:
                    explanation, rule = middle[0], " ".join(middle[1:])
                elif middle:
                    rule = middle[0]
                explanation = explanation or expl_before
            start = cells[name_i].start if name_i is not None else cells[w].start
            start = min(start, cells[w].start)
            end = cells[k].end
            row = IndicatorRow(
                name=tidy(cells[name_i].text) if name_i is not None else None,
                level1=state.level1,
                level1_weight=state.level1_weight,
                level2=state.level2,
                level2_weight=state.level2_weight,
                weight=parse_number(cells[w].text),
                target=tidy(target),
                actual=tidy(actual),
                stated_score=parse_number(cells[k].text),
                explanation=explanation,
                rule=rule,
                basis=tail[0].text if tail else None,
                evidence=tail[1].text if len(tail) > 1 else None,
                layout=row_layout,  # type: ignore[arg-type]
                source=provenance(doc, start, end, section_of(start)),
            )
            out.append(row)
            state.section_rows.append(row)
    close_section()
    return out


# ---------------------------------------------------------------- narrative

_TASK_RE = re.compile(r"(?:指标)?任务(?:数)?\s*(?:为|是|[:：])?\s*(?=\d)")
_ACTUAL_WORDS_RE = re.compile(r"实际|已完成|完成|累计|共计?")
_ITEM_RE = re.compile(r"[（(]\s*\d{1,2}\s*[)）]")
_LEVEL2_RE = re.compile(r"\d{1,2}\s*[、.．]\s*(?P<l2>[\u4e00-\u9fff]{2,6}指标)")
_NAME_CLEAN_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年度?|下达|我区|全区|本区|我县|本县|我市|本市|超额完成|完成|[，,、\s])+"
)


def _item_bounds(text: str, pos: int) -> tuple[int, int]:
    starts = [m.start() for m in _ITEM_RE.finditer(text)]
    a = max([s for s in starts if s <= pos], default=0)
    b = min([s for s in starts if s > pos], default=len(text))
    return a, b


def narrative_indicators(doc: Document, section_of: SectionOf) -> list[IndicatorRow]:
    out: list[IndicatorRow] = []
    for block in doc.blocks:
        if block.kind == "table" or "任务" not in block.text:
            continue
        text = block.text
        used_items: set[int] = set()
        for m in _TASK_RE.finditer(text):
            qs = find_quantities(text[m.end() : m.end() + 20])
            if not qs or qs[0].start != 0 or not qs[0].quantity.unit or qs[0].quantity.is_amount:
                continue
            target_q = qs[0]
            t_end = m.end() + target_q.end
            a, b = _item_bounds(text, m.start())
            if a in used_items:
                continue  # "任务数185户，其中省、市项目任务165户": the parts are not separate indicators
            actual = None
            for am in find_quantities(text[t_end:b]):
                q = am.quantity
                if q.unit != target_q.quantity.unit:
                    continue
                s = t_end + am.start
                clause_a = max(text.rfind(ch, 0, s) for ch in "，。；,;") + 1
                if _ACTUAL_WORDS_RE.search(text[clause_a:s]) and "其中" not in text[clause_a:s]:
                    actual = (s, t_end + am.end, am.text)
                    break
            if actual is None:
                continue
            used_items.add(a)
            name = _narrative_name(text, a, m.start())
            l2 = None
            for lm in _LEVEL2_RE.finditer(text, 0, m.start()):
                l2 = lm.group("l2")
            start = block.start + m.start()
            end = block.start + actual[1]
            out.append(
                IndicatorRow(
                    name=name,
                    level2=l2,
                    target=tidy(target_q.text),
                    actual=tidy(actual[2]),
                    layout="narrative",
                    source=provenance(doc, start, end, section_of(start)),
                )
            )
    return out


def _narrative_name(text: str, item_start: int, task_pos: int) -> str | None:
    # the item's own heading ("（1）残疾人创业扶持方面。") names it best
    im = _ITEM_RE.match(text, item_start)
    if im:
        head_end = min([p for p in (text.find(ch, im.end()) for ch in "。：:，") if p >= 0], default=-1)
        if head_end > 0:
            head = re.sub(r"(?:方面|工作|情况)$", "", text[im.end() : head_end].strip())
            if 2 <= len(head) <= 30:
                return head
    clause_a = max(text.rfind(ch, 0, task_pos) for ch in "，。；,;") + 1
    name = _NAME_CLEAN_RE.sub("", text[clause_a:task_pos]).strip()
    return name or None
