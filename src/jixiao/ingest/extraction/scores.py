"""Stated scores: the total (自评分为 92.97分, a 总分 row), the grade (等级为优), and sub-scores
("资金管理：分值 16 分，自评分 15.1 分", "管理效能…指标分值 45 分，本部门自评分 42.99分",
"加减分项 5 分，本部门不得分")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.ingest.document import Block, Document
from jixiao.model import Provenance
from jixiao.numbers import parse_number

from .indicators import TOTAL_ROW_RE
from .mentions import SectionOf
from .model import SubScore
from .spans import provenance, sentences

_NUM = r"\d+(?:\.\d+)?"
_TOTAL_RE = re.compile(
    rf"(?:自评(?:总)?(?:得)?分|自评总分|综合(?:评价)?得分|总得分|评价(?:总)?得分|自评结果)\s*(?:为|是|[:：])?\s*(?P<n>{_NUM})\s*分"
)
_GRADE_RE = re.compile(
    r"(?:自评|评价|评定|考核)[^。；;]{0,12}?(?:等级|结果|结论|级别)\s*(?:为|是|[:：])?\s*[“\"「]?"
    r"(?P<g>优秀|优|良好|良|中等|中|合格|及格|差|不合格)[”\"」]?(?:等级|等次|级)?(?![\u4e00-\u9fff])"
)
_MAX_RE = re.compile(rf"(?:指标)?分值\s*(?:为|[:：])?\s*(?P<max>{_NUM})\s*分|(?P<max2>{_NUM})\s*分\s*[，,]")
_SUB_RE = re.compile(
    rf"自评(?:得)?分?\s*(?:为|[:：])?\s*(?P<n>{_NUM})\s*分|(?P<zero>不得分|得0分|得分为?0分?)"
)
_NAME_RE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)?\s*"
    r"(?P<name>[\u4e00-\u9fff“”\"]{0,12}(?:效能|管理|指标|效益|产出|决策|过程|满意度|加减分项?|加分项?|减分项?|绩效))"
    r"(?=\s*[:：，,]|\s*\d|综合|集中|主要|反映|包括|方面|(?:指标)?分值)"
)
_SCORE_CELL_RE = re.compile(r"^(?:自评)?(?:得分|总分|自评分)(?:/自评分)?$")


# "预算完成率 98.23%，扣 0.04 分", "财政拨款收入预决算差异率=1.74%，扣 0.2 分": what lost how much
_DEDUCTION_RE = re.compile(
    rf"(?P<label>[\u4e00-\u9fff“”\"]{{2,30}}?)\s*(?:[=＝为是]?\s*{_NUM}\s*%)?\s*[，,]?\s*扣(?:减|除)?\s*(?P<d>{_NUM})\s*分"
)


@dataclass
class Deduction:
    """A deduction the report explains under a stated sub-score ("扣分原因：预算完成率 98.23%，扣 0.04 分")."""

    label: str
    parent: str  # the sub-score it explains
    points: Decimal
    source: Provenance


@dataclass
class StatedScores:
    total: Decimal | None = None
    total_source: Provenance | None = None
    grade: str | None = None
    grade_source: Provenance | None = None
    sub_scores: list[SubScore] = field(default_factory=list)
    totals_seen: list[tuple[Decimal, Provenance]] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)


# Every pattern above needs 分 except the grade's, which needs its verb: a block with neither is skipped.
_MAY_SCORE_RE = re.compile(r"分|自评|评价|评定|考核")
_CLAUSE_SPLIT_RE = re.compile(r"(?<=[；;])")


def find_scores(doc: Document, section_of: SectionOf) -> StatedScores:
    out = StatedScores()
    for b in doc.blocks:
        if b.kind == "table":
            _table_total(doc, b, out, section_of)
            continue
        if not _MAY_SCORE_RE.search(b.text):
            continue
        for sent in sentences(b.text, b.start):
            # clauses split by ；: "…扣减 0.02分。；加减分项 5 分，本部门不得分" holds two scores
            pos = 0
            parent: str | None = None  # the sub-score this sentence is explaining
            for part in _CLAUSE_SPLIT_RE.split(sent.text):
                seen = len(out.sub_scores)
                _score_clause(doc, part, sent.start + pos, out, section_of)
                if len(out.sub_scores) > seen:
                    parent = out.sub_scores[-1].name
                if parent is not None:
                    _deductions(doc, part, sent.start + pos, parent, out, section_of)
                pos += len(part)
    return out


def _score_clause(doc: Document, text: str, base: int, out: StatedScores, section_of: SectionOf) -> None:
    # _MAX_RE and _TOTAL_RE both need a 分 and try every position: most clauses have none
    has_fen = "分" in text
    mx = _MAX_RE.search(text) if has_fen else None
    sub = _SUB_RE.search(text, mx.end()) if mx else None
    if mx and sub:
        nm = _NAME_RE.match(text)
        if nm:
            score = Decimal(0) if sub.group("zero") else parse_number(sub.group("n"))
            maximum = parse_number(mx.group("max") or mx.group("max2"))
            start = base + nm.start("name")
            end = base + sub.end()
            out.sub_scores.append(
                SubScore(
                    name=_dimension_name(nm.group("name"), text[nm.end("name") :]),
                    score=score,
                    max=maximum,
                    source=provenance(doc, start, end, section_of(start)),
                )
            )
            return
    for m in _TOTAL_RE.finditer(text) if has_fen else ():
        start, end = base + m.start(), base + m.end()
        src = provenance(doc, start, end, section_of(start))
        value = parse_number(m.group("n"))
        out.totals_seen.append((value, src))
        if out.total is None:
            out.total, out.total_source = value, src
    g = _GRADE_RE.search(text)
    if g and out.grade is None:
        start, end = base + g.start(), base + g.end()
        out.grade = g.group("g")
        out.grade_source = provenance(doc, start, end, section_of(start))


def _deductions(
    doc: Document, text: str, base: int, parent: str, out: StatedScores, section_of: SectionOf
) -> None:
    if "扣" not in text:  # every deduction says 扣
        return
    cause = max(text.find("原因"), 0)
    for m in _DEDUCTION_RE.finditer(text, cause):
        label = re.sub(r"^(?:扣分)?原因(?:为|是)?[:：]?", "", m.group("label")).strip('“”"')
        if len(label) < 2:
            continue
        start, end = base + m.start("label"), base + m.end()
        out.deductions.append(
            Deduction(
                label, parent, parse_number(m.group("d")), provenance(doc, start, end, section_of(start))
            )
        )


def _dimension_name(name: str, after: str) -> str:
    # "履职效能指标分值 50分": 指标 belongs to 指标分值, not to the name
    name = name.strip('“”"')
    if name.endswith("指标") and after.lstrip().startswith("分值") and len(name) > 4:
        name = name[:-2]
    return name


def _table_total(doc: Document, block: Block, out: StatedScores, section_of: SectionOf) -> None:
    rows = block.rows or []
    offset = block.start
    for row in rows:
        line = "\t".join(row)
        cells = [c.strip() for c in row]
        nonempty = [c for c in cells if c]
        if nonempty and TOTAL_ROW_RE.match(nonempty[0]):
            first = cells.index(nonempty[0])
            for i, c in enumerate(cells):
                if i > first and _SCORE_CELL_RE.match(c):
                    for nxt in cells[i + 1 :]:
                        if re.fullmatch(_NUM, nxt):
                            cs = offset + line.find(nonempty[0])
                            ce = offset + line.find(nxt, line.find(c)) + len(nxt)
                            src = provenance(doc, cs, ce, section_of(cs))
                            value = parse_number(nxt)
                            out.totals_seen.append((value, src))
                            if out.total is None:
                                out.total, out.total_source = value, src
                            break
                    break
        offset += len(line) + 1
