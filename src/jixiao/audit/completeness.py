"""Completeness: the report's standard sections present and not empty; indicators with target, actual
and, where the result falls short, a reason.

Sections are found in the outline (``jixiao.ingest.outline``), shallowest first, by keyword with
synonyms; when the outline has no such section, heading-like blocks are searched as before. A table-form
document (a 自评表) has no narrative outline, so only the indicator checks apply to it.

A deviation needs a reason where the framework's scoring would take points for it: a numeric target
missed, or a qualitative target ("是", "明显改善") not met and not given full marks. The reason may
be in the row's own column or anywhere in the text that names the indicator next to a reason word
("偏差原因：…", "由于…", "主要是…").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jixiao.audit.base import AuditContext, finding
from jixiao.ingest.normalize import numbering
from jixiao.ingest.outline import Section, iter_sections
from jixiao.model import Finding

FAMILY = "completeness"

# (section, heading pattern, whether "无" is an acceptable content)
SECTIONS: list[tuple[str, re.Pattern[str]]] = [
    ("基本情况", re.compile(r"基本情况|概况")),
    ("收支情况/预算执行", re.compile(r"收支|收入支出|支出情况|预算执行|财务情况|资金使用|资金管理|执行情况")),
    ("绩效目标/自评情况", re.compile(r"绩效目标|自评情况|自评结论|综合评价|绩效情况|指标完成|完成情况|绩效分析")),
    ("存在的问题", re.compile(r"存在的?(主要)?问题|问题(及|和|与)?原因|主要问题")),
    ("改进措施", re.compile(r"改进(措施|建议|意见)|整改措施|下一步")),
]
_SUBSTANTIVE = ("存在的问题", "改进措施")
_EMPTY = re.compile(r"^[\s。.；;：:]*(无|暂无|没有|无。?)?[\s。.；;]*$")


def is_table_form(ctx: AuditContext) -> bool:
    doc = ctx.document
    table_chars = sum(len(b.text) for b in doc.blocks if b.kind == "table")
    return table_chars > 0.5 * max(len(doc.text), 1)


def _heading_like(block) -> bool:  # type: ignore[no-untyped-def]
    t = block.text.strip()
    return block.kind == "heading" or (numbering(t) is not None and len(t) <= 40)


def _outline_hits(ctx: AuditContext, rx: re.Pattern[str]) -> list[Section]:
    sections = iter_sections(ctx.outline or [])
    return sorted((s for s in sections if rx.search(s.title)), key=lambda s: (s.level, s.start))


def check(ctx: AuditContext) -> Iterable[Finding]:
    doc = ctx.document
    if not is_table_form(ctx):
        heads: list[tuple[int, object]] | None = None  # heading-like blocks, only when the outline misses
        for name, rx in SECTIONS:
            sections = _outline_hits(ctx, rx)
            hits: list = []  # type: ignore[type-arg]
            if not sections:
                if heads is None:
                    heads = [(i, b) for i, b in enumerate(doc.blocks) if b.kind != "table" and _heading_like(b)]
                hits = sorted(
                    ((i, b) for i, b in heads if rx.search(b.text)),  # type: ignore[attr-defined]
                    key=lambda ib: (_rank(ib[1].text), ib[0]),  # type: ignore[attr-defined]
                )
            if not sections and not hits:
                yield finding(
                    "SECTION_MISSING", "warning", FAMILY,
                    f"缺少“{name}”部分：全文未找到相应的标题。",
                    [ctx.evidence(0, min(len(doc.text), 30))],
                    suggestion=f"按自评报告的标准结构补充“{name}”。", values={"section": name},
                )
                continue
            if name not in _SUBSTANTIVE:
                continue
            if sections:
                sec = sections[0]
                title_end = sec.body_start if sec.body_start > sec.start else doc.block_at(sec.start).end
                head_text = doc.text[sec.start : title_end].strip().rstrip("：:")
                body = sec.body(doc)
                span_end = sec.end
            else:
                i, b = hits[0]
                body = _section_body(ctx, i)
                inline = re.split(r"[：:]", b.text, maxsplit=1)
                if len(inline) == 2 and inline[1].strip():
                    body = inline[1] + body
                head_text = b.text.strip()
                span_end = b.end + 1 + len(body.strip()) if body.strip() else b.end
                sec = None
            if _EMPTY.match(body):
                start = sec.start if sec is not None else hits[0][1].start
                yield finding(
                    "SECTION_EMPTY", "warning", FAMILY,
                    f"“{head_text}”部分内容为“{body.strip() or '（空）'}”：自评应如实说明{name}。",
                    [ctx.evidence(start, max(start + 1, min(span_end, len(doc.text))))],
                    suggestion=f"结合预算执行和指标完成情况，具体写明{name}。",
                    values={"section": name},
                )
    yield from _indicator_checks(ctx)


_STYLE_RANK = {"part": 0, "cn": 0, "paren_cn": 1, "arabic": 2, "paren_arabic": 3}


def _rank(text: str) -> int:
    """Top-level headings first: "三、存在的主要问题" over "（5）…存在的问题及改进措施"."""
    n = numbering(text.strip())
    return _STYLE_RANK.get(n.style, 4) if n else 1


def _section_body(ctx: AuditContext, head_index: int) -> str:
    doc = ctx.document
    head = doc.blocks[head_index]
    style = numbering(head.text.strip())
    parts: list[str] = []
    for b in doc.blocks[head_index + 1 :]:
        n = numbering(b.text.strip())
        if _heading_like(b) and (style is None or (n is not None and n.style == style.style)):
            break
        parts.append(b.text)
    return "\n".join(parts)


_NO_REASON = ("", "无", "/", "-", "—", "——")
_REASON_WORDS = re.compile(r"原因|由于|因为|受.{1,12}影响|导致|主要是|系因")
_NEGATIVE = re.compile(r"^(否|未|没有|无|不)")


def needs_reason(row) -> bool:  # type: ignore[no-untyped-def]
    """Does the framework's scoring take points for this row's result (so the report owes a reason)?"""
    from jixiao.audit.scores import _parse_target, shortfall

    if shortfall(row) is not None:
        return True
    if _parse_target(row.target) is not None or not row.target.strip() or not row.actual.strip():
        return False  # numeric and met, or incomplete (reported as such)
    target, actual = row.target.strip(), row.actual.strip()
    if actual == target:
        return False
    short_of_full = row.score is not None and row.score < row.weight
    return short_of_full or (bool(_NEGATIVE.match(actual)) and not _NEGATIVE.match(target))


def reason_elsewhere(ctx: AuditContext, name: str) -> bool:
    """A passage outside the tables that names the indicator and gives a reason for its result."""
    if len(name) < 2:
        return False
    text = ctx.document.text
    tables = [(b.start, b.end) for b in ctx.document.blocks if b.kind == "table"]
    k = text.find(name)
    while k >= 0:
        if not any(a <= k < b for a, b in tables):
            para_start = text.rfind("\n", 0, k) + 1
            para_end = text.find("\n", k)
            para = text[para_start : para_end if para_end >= 0 else len(text)]
            if _REASON_WORDS.search(para):
                return True
        k = text.find(name, k + len(name))
    return False


def _indicator_checks(ctx: AuditContext) -> Iterable[Finding]:
    from jixiao.audit.scores import indicators_of

    for row in indicators_of(ctx):
        missing = [w for w, v in (("年度指标值", row.target), ("实际完成值", row.actual)) if not v.strip()]
        if missing:
            yield finding(
                "INDICATOR_INCOMPLETE", "warning", FAMILY,
                f"指标“{row.name}”缺少{'、'.join(missing)}。",
                [ctx.evidence(row.start, row.end)],
                suggestion="补齐指标值与实际完成值。", values={"indicator": row.name},
            )
            continue
        if row.reason.strip() not in _NO_REASON or not needs_reason(row) or reason_elsewhere(ctx, row.name):
            continue
        yield finding(
            "DEVIATION_NO_REASON", "warning", FAMILY,
            f"指标“{row.name}”未达年度指标值（{row.target}，实际 {row.actual}），但未说明偏差原因。",
            [ctx.evidence(row.start, row.end)],
            suggestion="在“未达标原因”栏或报告正文中说明偏差原因及改进措施。",
            values={"target": row.target, "actual": row.actual},
        )
