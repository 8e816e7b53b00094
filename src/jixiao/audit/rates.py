"""Rates: 执行率/完成率/控制率/利用率 against the ratio of the amounts stated with them; 预算调整率.

A rate is judged only when the sentence gives both operands. It holds when any pair of same-class
amounts before it gives the stated rate (seed-like "任务155人（1240月/人）…完成201人（1697.3月/人），
完成率137%" holds on the 月/人 pair). A pair that holds only when 元 is read as 万元 is not a rate
error: the units check reports the slip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from jixiao.audit.base import AuditContext, finding, fmt, ratio_interval, stated_interval
from jixiao.audit.statements import Mention, RateStatement
from jixiao.audit.sums import places_by_unit, sum_interval
from jixiao.model import Finding

FAMILY = "rates"
_DEN_WORDS = re.compile(r"预算|计划|任务|指标|目标|应")
_NUM_WORDS = re.compile(r"支出|执行|完成|决算|实际|使用|到位|发放")
_ADD_WORDS = re.compile(r"追加|调增|增加")
_SUB_WORDS = re.compile(r"调减|核减|减少")


@dataclass
class RatePair:
    den: Mention
    num: Mention
    value: Decimal  # num/den as a fraction, units as written (元 vs 万元 applied)
    raw_value: Decimal  # num/den on the written numbers, ignoring the unit
    holds: bool
    holds_raw: bool  # holds only when the amount units are ignored (元 written for 万元)


def _stated(rate: Mention):  # type: ignore[no-untyped-def]
    return stated_interval(rate.value, rate.places, approx=rate.approx).scale(Decimal("0.01"))


def evaluate_pair(den: Mention, num: Mention, rate: Mention) -> RatePair | None:
    if den.klass != num.klass or den.klass in (None, "%", "分") or den.value <= 0:
        return None
    places = places_by_unit([den, num])
    r = ratio_interval(num.interval(places.get(num.unit)), den.interval(places.get(den.unit)))
    if r is None:
        return None
    stated = _stated(rate)
    holds = r.meets(stated)
    holds_raw = False
    raw = num.value / den.value
    if not holds and den.unit != num.unit and den.klass == "money":
        p = max(den.places, num.places)
        from jixiao.audit.base import stated_interval as si

        rr = ratio_interval(si(num.value, p), si(den.value, p))
        holds_raw = rr is not None and rr.meets(stated)
    return RatePair(den, num, num.base_value / den.base_value, raw, holds, holds_raw)


def rate_pairs(st: RateStatement) -> list[RatePair]:
    out: list[RatePair] = []
    ops = st.operands
    for i in range(len(ops)):
        for j in range(i + 1, len(ops)):
            for den, num in ((ops[i], ops[j]), (ops[j], ops[i])):
                p = evaluate_pair(den, num, st.rate)
                if p is not None:
                    out.append(p)
    return out


def preferred_pair(pairs: list[RatePair]) -> RatePair | None:
    """The pair the sentence means: a budget-like denominator and an actual-like numerator, nearest."""
    labelled = [
        p for p in pairs
        if _DEN_WORDS.search(p.den.label) and _NUM_WORDS.search(p.num.label) and not _DEN_WORDS.search(p.num.label)
    ]
    if not labelled:
        return None
    return max(labelled, key=lambda p: (min(p.den.start, p.num.start), -abs(p.den.start - p.num.start)))


def adjustment_rate(st: RateStatement, ctx: AuditContext) -> Finding | None:
    base = next((m for m in st.operands if m.klass == "money" and "年初" in m.label and not _ADD_WORDS.search(m.label)), None)
    adds = [m for m in st.operands if m.klass == "money" and _ADD_WORDS.search(m.label)]
    subs = [m for m in st.operands if m.klass == "money" and _SUB_WORDS.search(m.label)]
    if base is None or not (adds or subs):
        return None
    places = places_by_unit([base, *adds, *subs])
    change = sum_interval(adds, places) - sum_interval(subs, places) if subs else sum_interval(adds, places)
    r = ratio_interval(change, base.interval(places.get(base.unit)))
    if r is None or r.meets(_stated(st.rate)):
        return None
    delta = sum((m.base_value for m in adds), Decimal(0)) - sum((m.base_value for m in subs), Decimal(0))
    point = delta / base.base_value
    terms = " + ".join(m.shown for m in adds) + "".join(f" − {m.shown}" for m in subs)
    return finding(
        "RATE_MISMATCH", "error", FAMILY,
        f"预算调整率计算不符：（{terms}）÷ 年初预算 {base.shown} = {fmt(point * 100, 2)}%，与所述 {st.rate.shown} 不符。",
        [ctx.evidence(base.start, st.rate.end)],
        suggestion=f"改为 {fmt(point * 100, 2)}%，或核对调整金额与年初预算。",
        values={"stated": st.rate.shown, "computed": f"{fmt(point * 100, 2)}%", "base": base.shown},
    )


def check(ctx: AuditContext) -> Iterable[Finding]:
    seen: set[tuple[str, ...]] = set()
    for st in ctx.analysis.rates:
        if st.kind == "调整率":
            f = adjustment_rate(st, ctx)
            if f:
                yield f
            continue
        pairs = rate_pairs(st)
        if not pairs or any(p.holds or p.holds_raw for p in pairs):
            continue
        pref = preferred_pair(pairs)
        if pref is None:
            continue  # cannot tell which amounts the rate is about: say nothing
        sig = (pref.den.shown, pref.num.shown, st.rate.shown)
        if sig in seen:
            continue
        seen.add(sig)
        sp = max(st.rate.places, 2)
        yield finding(
            "RATE_MISMATCH", "error", FAMILY,
            f"{st.kind.replace('完成预算的', '完成率').replace('完成全年预算', '完成率')}计算不符："
            f"{pref.num.label or '实际'} {pref.num.shown} ÷ {pref.den.label or '预算'} {pref.den.shown} = "
            f"{fmt(pref.value * 100, sp)}%，与所述 {st.rate.shown} 不符。",
            [ctx.evidence(min(pref.den.start, pref.num.start), st.rate.end)],
            suggestion=f"改为 {fmt(pref.value * 100, sp)}%，或核对预算数与执行数。",
            values={"numerator": pref.num.shown, "denominator": pref.den.shown, "stated": st.rate.shown,
                    "computed": f"{fmt(pref.value * 100, sp)}%"},
        )
    yield from check_table_rates(ctx)


_RATE_ROW = re.compile(r"完成率|执行率")
_NUM_CELL = re.compile(r"^-?[\d,]+(?:\.\d+)?$")


def check_table_rates(ctx: AuditContext) -> Iterable[Finding]:
    """Tables with a 预算数 row, an 执行数 row and a 完成率 row: check each column."""
    from jixiao.numbers import decimal_places, parse_number

    for block in ctx.document.blocks:
        if block.kind != "table" or not block.rows:
            continue
        rows = block.rows
        for ri, row in enumerate(rows):
            label_idx = next((k for k, c in enumerate(row) if c.strip()), None)
            if label_idx is None or not _RATE_ROW.search(row[label_idx]) or ri < 2:
                continue
            den_row, num_row = rows[ri - 2], rows[ri - 1]
            if not (any("预算" in c for c in den_row) and any(("执行" in c or "决算" in c or "支出" in c) for c in num_row)):
                continue
            for col in range(label_idx + 1, len(row)):
                cell = row[col].strip()
                if not cell.endswith("%") or col >= len(den_row) or col >= len(num_row):
                    continue
                d, n = den_row[col].strip(), num_row[col].strip()
                if not (_NUM_CELL.match(d) and _NUM_CELL.match(n)):
                    continue
                den, num = parse_number(d), parse_number(n)
                stated = parse_number(cell[:-1])
                if den <= 0:
                    continue
                pl = max(decimal_places(d), decimal_places(n))
                r = ratio_interval(stated_interval(num, pl), stated_interval(den, pl))
                if r is None or r.meets(stated_interval(stated, decimal_places(cell[:-1])).scale(Decimal("0.01"))):
                    continue
                point = num / den
                start = block.start + block.text.find(cell) if cell in block.text else block.start
                yield finding(
                    "RATE_MISMATCH", "error", FAMILY,
                    f"表中完成率计算不符：{n} ÷ {d} = {fmt(point * 100, 2)}%，与表中 {cell} 不符。",
                    [ctx.evidence(start, start + len(cell))],
                    suggestion=f"改为 {fmt(point * 100, 2)}%。",
                    values={"numerator": n, "denominator": d, "stated": cell},
                )
