"""Scores: stated scores against their weights, sub-totals, total, targets and printed rules.

Two shapes are read:
- a scoring table (自评表): rows of weight, 年度指标值, 实际完成值, 得分, and a 总分/自评得分 row;
- prose ("1.资金管理：分值 16 分，自评分 15.1 分，扣分原因：…扣 0.04 分…").

Scores are stated exactly, so sums of stated scores are compared exactly (to the total's last place).
When a framework is given (or the extraction names one) the scoring engine's per-item differences
are reported as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.audit.base import AuditContext, finding, fmt, half_unit
from jixiao.model import Finding
from jixiao.numbers import decimal_places

FAMILY = "scores"
_NUM = re.compile(r"^\d+(?:\.\d+)?$")
_TARGET = re.compile(
    r"^(?P<op>≥|≤|>=|<=|＞|＜|>|<|不低于|不少于|不高于|不超过)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|[^\d\s、，,]{0,4}?)"
    r"\s*(?P<suffix>或以上|及以上|以上|以下|及以下)?$"
)
_ACTUAL = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|[^\d\s、，,]{0,4})$")
FAR_ABOVE = Decimal(2)


@dataclass
class IndicatorRow:
    name: str
    weight: Decimal
    target: str
    actual: str
    score: Decimal | None
    score_text: str
    reason: str
    start: int
    end: int


@dataclass
class ScoreRow:
    cells: list[str]
    score: Decimal
    score_text: str
    bonus: bool
    start: int
    end: int


@dataclass
class ScoreTable:
    rows: list[ScoreRow] = field(default_factory=list)
    total: Decimal | None = None
    total_text: str = ""
    total_span: tuple[int, int] = (0, 0)


def _row_spans(block) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    spans: list[tuple[int, int]] = []
    pos = block.start
    for line in block.text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _table_rows(doc) -> Iterable[tuple[str, list[str], tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """(mode, cells, span) for rows of scoring tables; the mode carries across consecutive tables."""
    mode = ""
    for b in doc.blocks:
        if b.kind != "table" or not b.rows:
            if b.kind != "table" and len(b.text.strip()) > 60:
                mode = ""
            continue
        spans = _row_spans(b)
        for ri, row in enumerate(b.rows):
            cells = [c.strip() for c in row]
            if _is_header(cells):
                joined = "|".join(cells)
                mode = "indicator" if ("指标值" in joined or "完成值" in joined) else "score"
                continue
            span = spans[ri] if ri < len(spans) and len(spans) == len(b.rows) else (b.start, b.end)
            if mode:
                yield mode, cells, span


def _is_header(cells: list[str]) -> bool:
    """A column-header row: short cells naming 分值 and 得分 (not a rule text that mentions them)."""
    short = [c for c in cells if c and len(c) <= 12]
    return any(c == "分值" or (c.endswith("分值") and len(c) <= 6) for c in short) and any("得分" in c for c in short)


def indicator_rows(doc) -> list[IndicatorRow]:  # type: ignore[no-untyped-def]
    out: list[IndicatorRow] = []
    for mode, cells, span in _table_rows(doc):
        if mode != "indicator":
            continue
        for k in range(1, len(cells) - 2):
            if _NUM.match(cells[k]) and cells[k + 1] and cells[k - 1] and not _NUM.match(cells[k - 1]):
                name = cells[k - 1]
                target, actual = cells[k + 1], cells[k + 2]
                rest = cells[k + 3 :]
                score_i = next((i for i, c in enumerate(rest) if _NUM.match(c)), None)
                score = Decimal(rest[score_i]) if score_i is not None else None
                reason = next((c for c in rest[(score_i or 0) + 1 :] if c), "") if score_i is not None else ""
                out.append(IndicatorRow(name, Decimal(cells[k]), target, actual, score,
                                        rest[score_i] if score_i is not None else "", reason, *span))
                break
    return out


def score_table(doc) -> ScoreTable:  # type: ignore[no-untyped-def]
    table = ScoreTable()
    for _mode, cells, span in _table_rows(doc):
        first = next((c for c in cells if c), "")
        if first in ("总分", "合计", "总计"):
            nums = [c for c in cells if _NUM.match(c)]
            if "自评得分" in cells or "得分" in cells:
                idx = max(i for i, c in enumerate(cells) if c in ("自评得分", "得分"))
                after = [c for c in cells[idx + 1 :] if _NUM.match(c)]
                if after:
                    table.total = Decimal(after[0])
                    table.total_text = after[0]
                    table.total_span = span
            elif len(nums) >= 2:
                table.total = Decimal(nums[-1])
                table.total_text = nums[-1]
                table.total_span = span
            continue
        nums = [c for c in cells if _NUM.match(c)]
        if len(nums) < 2:
            continue
        bonus = any("加减分" in c or c == "加分" or "扣分项" in c for c in cells[:3])
        table.rows.append(ScoreRow(cells, Decimal(nums[-1]), nums[-1], bonus, *span))
    return table


# --------------------------------------------------------------------------- table checks


def _parse_target(text: str) -> tuple[str, Decimal, str] | None:
    m = _TARGET.match(text.replace(" ", ""))
    if not m:
        return None
    op = m.group("op") or ""
    suffix = m.group("suffix") or ""
    if op in ("≤", "<=", "＜", "<", "不高于", "不超过") or suffix in ("以下", "及以下"):
        kind = "<="
    elif op or suffix:
        kind = ">="
    else:
        kind = "="
    return kind, Decimal(m.group("num")), m.group("unit") or ""


def shortfall(row: IndicatorRow) -> Decimal | None:
    """actual ÷ target when a quantitative "at least" target is missed; None when met or not comparable."""
    t = _parse_target(row.target)
    a = _ACTUAL.match(row.actual.replace(" ", ""))
    if t is None or a is None or t[1] <= 0:
        return None
    kind, target, tunit = t
    if a.group("unit") and tunit and a.group("unit") != tunit:
        return None
    actual = Decimal(a.group("num"))
    if kind in (">=", "=") and actual < target:
        return actual / target
    if kind == "<=" and actual > target:
        return target / actual
    return None


def check_indicators(ctx: AuditContext) -> Iterable[Finding]:
    for row in indicator_rows(ctx.document):
        t = _parse_target(row.target)
        a = _ACTUAL.match(row.actual.replace(" ", ""))
        if t is None or a is None or row.score is None:
            continue
        kind, target, tunit = t
        actual, aunit = Decimal(a.group("num")), a.group("unit")
        if aunit and tunit and aunit != tunit:
            continue  # different measures: cannot compare
        if target <= 0:
            continue
        ratio = actual / target
        ev = [ctx.evidence(row.start, row.end)]
        if kind in (">=", "=") and ratio < 1 and row.score >= row.weight:
            proportional = (ratio * row.weight).quantize(Decimal("0.01"))
            reason = f"（所述原因：{row.reason}）" if row.reason and row.reason != "无" else ""
            yield finding(
                "SCORE_FULL_BUT_SHORT", "error", FAMILY,
                f"指标“{row.name}”未达目标却得满分：年度指标值 {row.target}，实际完成 {row.actual}，"
                f"完成比例 {row.actual} ÷ {row.target.lstrip('≥>＞')} = {fmt(ratio * 100, 2)}%，"
                f"自评得分 {row.score_text}（满分 {fmt(row.weight, 2)}）；按比例应为 {fmt(ratio * 100, 2)}% × "
                f"{fmt(row.weight, 2)} = {proportional} 分{reason}。",
                ev, suggestion="按完成比例扣分，或在评分依据中说明不扣分的依据。",
                values={"target": row.target, "actual": row.actual, "score": row.score_text,
                        "proportional": str(proportional)},
            )
        elif kind in (">=", "=") and tunit != "%" and ratio >= FAR_ABOVE:
            yield finding(
                "TARGET_TOO_LOW", "info", FAMILY,
                f"指标“{row.name}”实际完成 {row.actual}，为年度指标值 {row.target} 的 {fmt(ratio, 1)} 倍，"
                "目标值可能设定偏低。",
                ev, suggestion="下一年度按实际能力合理设定指标值。",
                values={"target": row.target, "actual": row.actual},
            )


_FLOOR_RULE = re.compile(r"低于\s*(\d+(?:\.\d+)?)\s*%\s*的?\s*不得分")
_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def check_rule_floors(ctx: AuditContext) -> Iterable[Finding]:
    """"预算完成率…低于90%的不得分" printed in the row, a rate below it, and a score above zero."""
    for _mode, cells, span in _table_rows(ctx.document):
        rule = next((c for c in cells if _FLOOR_RULE.search(c)), None)
        if rule is None:
            continue
        floor = Decimal(_FLOOR_RULE.search(rule).group(1))  # type: ignore[union-attr]
        nums = [c for c in cells if _NUM.match(c)]
        if len(nums) < 2:
            continue
        score = Decimal(nums[-1])
        after_score = cells[cells.index(nums[-1]) + 1 :] if nums[-1] in cells else []
        rates = [Decimal(m.group(1)) for c in after_score for m in _PCT.finditer(c)]
        if not rates or score <= 0:
            continue
        rate = rates[0]
        if rate < floor:
            yield finding(
                "SCORE_RULE_CONFLICT", "warning", FAMILY,
                f"得分与所列评分标准矛盾：评分标准写明“低于{fmt(floor, 0)}%的不得分”，所述比率为 {fmt(rate, 2)}%，"
                f"却得 {nums[-1]} 分。",
                [ctx.evidence(*span)],
                suggestion="按所列评分标准重新计分，或改正评分标准的表述。",
                values={"floor": f"{fmt(floor, 0)}%", "rate": f"{fmt(rate, 2)}%", "score": nums[-1]},
            )


def check_table_total(ctx: AuditContext) -> Iterable[Finding]:
    t = score_table(ctx.document)
    if t.total is None or len(t.rows) < 3:
        return
    all_sum = sum((r.score for r in t.rows), Decimal(0))
    bonus = sum((r.score for r in t.rows if r.bonus), Decimal(0))
    tol = half_unit(decimal_places(t.total_text))
    ev = [ctx.evidence(*t.total_span)]
    if abs(all_sum - t.total) <= tol:
        return
    if bonus and abs(all_sum - bonus - t.total) <= tol:
        row = next(r for r in t.rows if r.bonus)
        yield finding(
            "SCORE_BONUS_NOT_IN_TOTAL", "warning", FAMILY,
            f"加减分项得分 {row.score_text} 未计入总分：各项得分合计 {fmt(all_sum - bonus, 2)} 分 + 加减分 "
            f"{row.score_text} 分 = {fmt(all_sum, 2)} 分，而自评得分为 {t.total_text} 分。",
            [ctx.evidence(row.start, row.end), *ev],
            suggestion="如无表彰或批评，加减分项应填 0；否则将其计入总分。",
            values={"bonus": row.score_text, "total": t.total_text, "sum": fmt(all_sum, 2)},
        )
        return
    yield finding(
        "SCORE_TOTAL_MISMATCH", "error", FAMILY,
        f"各项得分之和与总分不符：表中 {len(t.rows)} 项得分合计 {fmt(all_sum, 2)} 分，自评得分为 {t.total_text} 分。",
        ev, suggestion="核对各项得分与总分。",
        values={"sum": fmt(all_sum, 2), "total": t.total_text},
    )


# --------------------------------------------------------------------------- prose checks

_RECORD = re.compile(
    r"分值\s*(?P<w>\d+(?:\.\d+)?)\s*分\s*[，,、]\s*(?:本部门|本单位)?\s*自评(?:得)?分?\s*(?:为)?\s*(?P<s>\d+(?:\.\d+)?)\s*分"
)
_DEDUCT = re.compile(r"扣(?:减|除)?\s*(\d+(?:\.\d+)?)\s*分")
_TOTAL = re.compile(r"自评(?:总)?(?:得)?分(?:为|是)?\s*(\d+(?:\.\d+)?)\s*分")
_LIST_NO = re.compile(r"^\s*(?:\d{1,2}\s*[.．、]|[（(]\d{1,2}[)）])")
_NAME = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:综合|集中|主要|反映|：|:|，|,)")


@dataclass
class ScoreRecord:
    name: str
    weight: Decimal
    weight_text: str
    score: Decimal
    score_text: str
    numbered: bool
    start: int
    end: int
    region_end: int
    deductions: list[str] = field(default_factory=list)
    children: list[ScoreRecord] = field(default_factory=list)


def prose_records(ctx: AuditContext) -> tuple[list[ScoreRecord], list[tuple[str, int, int]]]:
    text = ctx.document.text
    records: list[ScoreRecord] = []
    for m in _RECORD.finditer(text):
        para_start = text.rfind("\n", 0, m.start()) + 1
        lead = text[para_start : m.start()]
        numbered = bool(_LIST_NO.match(lead))
        nm = _NAME.search(re.sub(r"^\s*(?:\d{1,2}\s*[.．、]|[（(]\d{1,2}[)）])", "", lead))
        name = nm.group(1) if nm else "该项"
        records.append(ScoreRecord(name, Decimal(m.group("w")), m.group("w"), Decimal(m.group("s")), m.group("s"),
                                   numbered, m.start(), m.end(), m.end()))
    for i, r in enumerate(records):
        nxt = records[i + 1].start if i + 1 < len(records) else len(text)
        para_end = text.find("\n", r.end)
        para_end = len(text) if para_end < 0 else para_end
        region = text[r.end : min(nxt, para_end)]
        # a region ends where the next record's own lead-in starts ("2.采购管理：")
        cut = re.search(r"[。；;]\s*\d{1,2}\s*[.．、]", region)
        if cut:
            region = region[: cut.start() + 1]
        r.region_end = r.end + len(region)
        r.deductions = [d for d in _DEDUCT.findall(region)]
    parent: ScoreRecord | None = None
    for r in records:
        if r.numbered and parent is not None:
            parent.children.append(r)
        elif not r.numbered:
            parent = r
    spans = [(r.start, r.region_end) for r in records]
    totals: list[tuple[str, int, int]] = []
    for m in _TOTAL.finditer(text):
        if any(a <= m.start() < b for a, b in spans) or "分值" in text[max(0, m.start() - 12) : m.start()]:
            continue
        totals.append((m.group(1), m.start(), m.end()))
    return records, totals


def _tol(*texts: str) -> Decimal:
    return half_unit(max(decimal_places(t) for t in texts))


def check_prose(ctx: AuditContext) -> Iterable[Finding]:
    records, totals = prose_records(ctx)
    for r in records:
        ev = [ctx.evidence(r.start, r.region_end)]
        if r.score > r.weight:
            yield finding(
                "SCORE_ABOVE_WEIGHT", "error", FAMILY,
                f"{r.name}自评分 {r.score_text} 分超过分值 {r.weight_text} 分。", ev,
                suggestion="得分不能超过该项分值。", values={"weight": r.weight_text, "score": r.score_text},
            )
        if r.deductions:
            ded = sum((Decimal(d) for d in r.deductions), Decimal(0))
            if abs(r.weight - ded - r.score) > _tol(r.score_text, *r.deductions):
                terms = " − ".join([r.weight_text, *r.deductions])
                yield finding(
                    "SCORE_DEDUCTION_MISMATCH", "error", FAMILY,
                    f"{r.name}扣分与得分不符：{terms} = {fmt(r.weight - ded, 2)} 分，与自评分 {r.score_text} 分不符。",
                    ev, suggestion="核对各项扣分与自评分。",
                    values={"weight": r.weight_text, "score": r.score_text, "deductions": "、".join(r.deductions)},
                )
        if len(r.children) >= 2:
            s = sum((c.score for c in r.children), Decimal(0))
            w = sum((c.weight for c in r.children), Decimal(0))
            terms = " + ".join(c.score_text for c in r.children)
            if abs(s - r.score) > _tol(r.score_text, *(c.score_text for c in r.children)):
                yield finding(
                    "SCORE_SUBTOTAL_MISMATCH", "error", FAMILY,
                    f"{r.name}各分项得分之和与小计不符：{terms} = {fmt(s, 2)} 分，与所述 {r.score_text} 分不符。",
                    ev, suggestion="核对分项得分与小计。",
                    values={"subtotal": r.score_text, "sum": fmt(s, 2)},
                )
            if abs(w - r.weight) > _tol(r.weight_text, *(c.weight_text for c in r.children)):
                yield finding(
                    "WEIGHT_MISMATCH", "error", FAMILY,
                    f"{r.name}各分项分值之和 {' + '.join(c.weight_text for c in r.children)} = {fmt(w, 2)} 分，"
                    f"与其分值 {r.weight_text} 分不符。",
                    ev, suggestion="核对指标分值。", values={"weight": r.weight_text, "sum": fmt(w, 2)},
                )
    top = [r for r in records if not r.numbered]
    if len(top) >= 2 and totals:
        total_text, a, b = totals[-1] if len(totals) == 1 else totals[0]
        s = sum((r.score for r in top), Decimal(0))
        if abs(s - Decimal(total_text)) > _tol(total_text, *(r.score_text for r in top)):
            terms = " + ".join(f"{r.name} {r.score_text}" for r in top)
            yield finding(
                "SCORE_TOTAL_MISMATCH", "error", FAMILY,
                f"各部分得分之和与总分不符：{terms} = {fmt(s, 2)} 分，与自评总分 {total_text} 分不符。",
                [ctx.evidence(a, b), *(ctx.evidence(r.start, r.end) for r in top)],
                suggestion="核对各部分得分与总分（含加减分）。",
                values={"total": total_text, "sum": fmt(s, 2)},
            )


def check_framework(ctx: AuditContext) -> Iterable[Finding]:
    """Through the scoring engine: items whose stated score differs from what the rule gives."""
    card = ctx.scorecard
    if card is None:
        return
    text = ctx.document.text
    for item in card.walk():
        if item.stated is None or item.score is None or item.difference is None:
            continue
        if item.status != "scored" or item.missing:
            continue  # a partly scored item says nothing about the stated score
        if abs(item.difference) <= Decimal("0.005"):
            continue
        yield finding(
            "SCORE_RULE_MISMATCH", "warning", FAMILY,
            f"“{item.name}”自评 {fmt(item.stated, 2)} 分，按指标体系“{card.framework_name}”的评分规则应为 "
            f"{fmt(item.score, 2)} 分（{item.derivation}）。",
            [ctx.evidence(*_name_span(text, item.name))],
            suggestion="按评分规则重新计分，或说明依据。",
            values={"stated": fmt(item.stated, 2), "computed": fmt(item.score, 2)},
        )


def _name_span(text: str, name: str) -> tuple[int, int]:
    k = text.find(name)
    return (k, k + len(name)) if k >= 0 else (0, min(len(text), 20))


def check(ctx: AuditContext) -> Iterable[Finding]:
    yield from check_indicators(ctx)
    yield from check_rule_floors(ctx)
    yield from check_table_total(ctx)
    yield from check_prose(ctx)
    yield from check_framework(ctx)
