"""Scores: stated scores against their weights, sub-totals, total, targets and printed rules.

Two shapes are read:
- a scoring table (自评表): rows of weight, 年度指标值, 实际完成值, 得分, and a 总分/自评得分 row;
- prose ("1.资金管理：分值 16 分，自评分 15.1 分，扣分原因：…扣 0.04 分…").

Indicator rows come from the extraction when it ran (``indicators_of``). Prose score records are read
here: the extraction's ``sub_scores`` are a flat list of the same statements without the deductions
and the parent/child structure the checks need.

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
    score: Decimal | None  # None: not scored ("—")
    score_text: str
    bonus: bool
    start: int
    end: int
    weight: Decimal | None = None


@dataclass
class ScoreTable:
    rows: list[ScoreRow] = field(default_factory=list)
    total: Decimal | None = None
    total_text: str = ""
    total_span: tuple[int, int] = (0, 0)
    total_weight: Decimal | None = None


def _row_spans(block) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    spans: list[tuple[int, int]] = []
    pos = block.start
    for line in block.text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _table_rows(doc) -> Iterable[tuple[str, list[str], tuple[int, int], list[str]]]:  # type: ignore[no-untyped-def]
    """(mode, cells, span, header) for rows of scoring tables; mode and header carry across consecutive
    tables (a table continued on the next page)."""
    mode = ""
    header: list[str] = []
    for b in doc.blocks:
        if b.kind != "table" or not b.rows:
            if b.kind != "table" and len(b.text.strip()) > 60:
                mode = ""
            continue
        spans = _row_spans(b)
        for ri, row in enumerate(b.rows):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue  # a blank row (a Markdown "| --- |" rule) carries nothing
            if _is_header(cells):
                joined = "|".join(cells)
                mode = "indicator" if ("指标值" in joined or "完成值" in joined) else "score"
                header = cells
                continue
            span = spans[ri] if ri < len(spans) and len(spans) == len(b.rows) else (b.start, b.end)
            if mode:
                yield mode, cells, span, header


def _is_header(cells: list[str]) -> bool:
    """A column-header row: short cells naming 分值 and 得分 (not a rule text that mentions them)."""
    short = [c for c in cells if c and len(c) <= 12]
    return any(c == "分值" or (c.endswith("分值") and len(c) <= 6) for c in short) and any("得分" in c for c in short)


def indicator_rows(doc) -> list[IndicatorRow]:  # type: ignore[no-untyped-def]
    out: list[IndicatorRow] = []
    for mode, cells, span, _header in _table_rows(doc):
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


def _columns(header: list[str], width: int) -> tuple[int, int] | None:
    """(weight column, score column) named by a header of the rows' width: the last "分值" before the
    first "得分" that is not a previously stated score ("原自评分")."""
    if not header or len(header) != width:
        return None
    score = next((i for i, c in enumerate(header) if "得分" in c and "原" not in c), None)
    if score is None:
        return None
    weights = [i for i, c in enumerate(header[:score]) if c == "分值" or (c.endswith("分值") and len(c) <= 6)]
    return (weights[-1], score) if weights else None


def _num(cell: str) -> Decimal | None:
    return Decimal(cell) if _NUM.match(cell) else None


def indicators_of(ctx: AuditContext) -> list[IndicatorRow]:
    """Target/actual rows: the extraction's when it ran (it knows merged and split cells, names on rows
    of their own), else this module's own reading of the tables."""
    ex = ctx.extraction
    if ex is None or not getattr(ex, "indicators", None):
        return indicator_rows(ctx.document)
    out: list[IndicatorRow] = []
    for r in ex.indicators:
        if r.layout != "target" or r.weight is None or r.source.start is None or r.source.end is None:
            continue
        score_text = "" if r.stated_score is None else f"{r.stated_score:f}"
        out.append(IndicatorRow(r.name or "（未命名指标）", r.weight, r.target or "", r.actual or "", r.stated_score,
                                score_text, r.basis or "", r.source.start, r.source.end))
    return out


def _aligned(rows: list[list[str]], cols: tuple[int, int] | None) -> bool:
    """Do the rows under a header keep its columns? (A table flattened from merged cells does not: its
    cells shift left where a merge was lost, and then only the last number of a row is its score.)"""
    if cols is None or not rows:
        return False
    w, sc = cols
    return all(
        len(r) > sc and _NUM.match(r[w]) and (_NUM.match(r[sc]) or r[sc] in ("", "—", "-", "/")) for r in rows
    )


def score_table(doc) -> ScoreTable:  # type: ignore[no-untyped-def]
    table = ScoreTable()
    groups: list[tuple[list[str], list[tuple[list[str], tuple[int, int]]]]] = []
    for _mode, cells, span, header in _table_rows(doc):
        if not groups or groups[-1][0] is not header:
            groups.append((header, []))
        groups[-1][1].append((cells, span))
    for header, members in groups:
        body = [c for c, _ in members if next((x for x in c if x), "") not in ("总分", "合计", "总计")]
        cols = _columns(header, len(header)) if all(len(c) == len(header) for c, _ in members) else None
        use_cols = cols if _aligned(body, cols) else None
        for cells, span in members:
            if table.total is not None:
                return table  # the total closes the scoring table; an indicator table may follow it
            _add_row(table, cells, span, use_cols)
    return table


def _add_row(table: ScoreTable, cells: list[str], span: tuple[int, int], cols: tuple[int, int] | None) -> None:
    first = next((c for c in cells if c), "")
    if first in ("总分", "合计", "总计"):
        nums = [c for c in cells if _NUM.match(c)]
        if cols is not None and _NUM.match(cells[cols[1]]):
            table.total, table.total_text, table.total_span = Decimal(cells[cols[1]]), cells[cols[1]], span
            table.total_weight = _num(cells[cols[0]])
        elif "自评得分" in cells or "得分" in cells:
            idx = max(i for i, c in enumerate(cells) if c in ("自评得分", "得分"))
            after = [c for c in cells[idx + 1 :] if _NUM.match(c)]
            if after:
                table.total, table.total_text, table.total_span = Decimal(after[0]), after[0], span
        elif len(nums) >= 2:
            table.total, table.total_text, table.total_span = Decimal(nums[-1]), nums[-1], span
        return
    bonus = any("加减分" in c or c == "加分" or "扣分项" in c for c in cells[:3])
    if cols is not None:
        text = cells[cols[1]] if _NUM.match(cells[cols[1]]) else ""
        table.rows.append(ScoreRow(cells, _num(text), text, bonus, *span, weight=Decimal(cells[cols[0]])))
        return
    nums = [c for c in cells if _NUM.match(c)]
    if len(nums) >= 2:
        table.rows.append(ScoreRow(cells, Decimal(nums[-1]), nums[-1], bonus, *span))


_MAX_READINGS = 1024  # readings kept per position: real tables have few, this bounds a pathological one
_MAX_TREE_ROWS = 300  # the reading recurses along sibling chains; a 自评表 has far fewer rows


def top_level_sums(rows: list[ScoreRow], tol: Decimal, limit: Decimal | None = None) -> set[Decimal]:
    """The sums of top-level scores (up to ``limit``) over every reading of the rows as an indicator tree.

    A generated 自评表 lists 一级, 二级 and 三级 rows one under the other without saying which is which.
    A row is the parent of the rows after it when their weights add up exactly to its weight and their
    scores (where given) to its score; the top level is what remains. Rows without a score may be
    children (a manual score given for the parent) but not top-level rows.
    """
    n = len(rows)
    weights = [r.weight for r in rows]
    if any(w is None for w in weights) or n > _MAX_TREE_ROWS:
        return set()

    ends_memo: dict[int, set[int]] = {}

    def subtree_ends(i: int) -> set[int]:
        if i in ends_memo:
            return ends_memo[i]
        ends = {i + 1}
        w = weights[i]
        assert w is not None
        own = rows[i].score
        for j, child_sum in forest(i + 1, w):
            if child_sum is None or own is None or abs(child_sum - own) <= tol:
                ends.add(j)
        ends_memo[i] = ends
        return ends

    memo: dict[tuple[int, Decimal], set[tuple[int, Decimal | None]]] = {}

    def forest(i: int, w: Decimal) -> set[tuple[int, Decimal | None]]:
        """(end, score sum or None when a score is missing) for subtrees from i whose weights make w."""
        key = (i, w)
        if key in memo:
            return memo[key]
        out: set[tuple[int, Decimal | None]] = set()
        wi = weights[i] if i < n else None
        if wi is not None and wi <= w:
            si = rows[i].score
            for j in subtree_ends(i):
                if wi == w:
                    out.add((j, si))
                    continue
                for k, rest in forest(j, w - wi):
                    out.add((k, None if si is None or rest is None else si + rest))
                    if len(out) >= _MAX_READINGS:
                        break
        memo[key] = out
        return out

    tops: dict[int, set[Decimal]] = {n: {Decimal(0)}}
    for i in range(n - 1, -1, -1):
        acc: set[Decimal] = set()
        si = rows[i].score
        if si is not None:
            for j in subtree_ends(i):
                sums = (si + s for s in tops.get(j, ()))
                acc.update(sums if limit is None else (x for x in sums if x <= limit + tol))
        tops[i] = acc if len(acc) <= _MAX_READINGS else set(sorted(acc)[:_MAX_READINGS])
    return tops[0]


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
    for row in indicators_of(ctx):
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
    for _mode, cells, span, _header in _table_rows(ctx.document):
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
    scored = [r for r in t.rows if r.score is not None]
    all_sum = sum((r.score for r in scored), Decimal(0))  # type: ignore[misc]
    bonus = sum((r.score for r in scored if r.bonus), Decimal(0))  # type: ignore[misc]
    tol = half_unit(decimal_places(t.total_text))
    ev = [ctx.evidence(*t.total_span)]
    if abs(all_sum - t.total) <= tol:
        return
    if any(abs(s - t.total) <= tol for s in top_level_sums(t.rows, tol, limit=t.total)):
        return  # the rows are a tree (一级/二级/三级 in one column) whose top level makes the total
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
        f"各项得分之和与总分不符：表中 {len(scored)} 项得分合计 {fmt(all_sum, 2)} 分，自评得分为 {t.total_text} 分。",
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
    # a record quoted in a table cell ("理由：自评报告称…分值 15 分、自评分 15 分") is the table's, not prose
    tables = [(b.start, b.end) for b in ctx.document.blocks if b.kind == "table"]
    for m in _RECORD.finditer(text):
        if tables and any(a <= m.start() < b for a, b in tables):
            continue
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
