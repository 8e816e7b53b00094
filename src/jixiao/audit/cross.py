"""Cross-statements: the same quantity stated more than once with different values.

Two kinds of "same quantity":
- the same canonical figure (本年收入, 基本支出, 全年执行数 …) of the same year, and the unit's
  spending stated both as 全年执行数 and as 本年支出;
- the same activity counted twice: records of (count, amount) — "慰问困难残疾人 3116 人次，94.23 万元" —
  whose labels are alike (bigrams weighted by how rare they are in the document) and whose units match.

They are warnings, never errors: two statements may differ in scope (a period, a fund). Approximate
values ("约 173 万元") are compared loosely.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from jixiao.audit.base import AuditContext, Interval, finding, fmt, stated_interval
from jixiao.audit.statements import Analysis, Mention, Sentence
from jixiao.audit.sums import places_by_unit
from jixiao.model import Finding
from jixiao.numbers import AMOUNT_UNITS

FAMILY = "cross"
SIMILAR = 0.35  # label similarity (rare shared words weigh most) for two statements of one activity
_KEY_NAMES = {
    "income_total": "本年收入",
    "expense_total": "本年支出",
    "income_general": "一般公共预算财政拨款收入",
    "income_fund": "政府性基金预算财政拨款收入",
    "income_other": "其他收入",
    "expense_basic": "基本支出",
    "expense_project": "项目支出",
    "personnel": "人员经费",
    "public_funds": "公用经费",
    "budget_total": "全年预算数",
    "executed_total": "全年执行数",
}
_NOISE = re.compile(r"[\d\s.,%，。、；：:;（）()“”\"'《》\-—～~]+|万元|亿元|人次|[元人名户家个次约逾近余多]")
_SEGMENT = re.compile(r"[；;]")
_TOPIC = re.compile(r"^[一二三四五六七八九十]+是([^。；，]{2,30})[。；，]")


def _differ(a: Mention, b: Mention) -> bool:
    places = places_by_unit([a, b])
    return not a.interval(places.get(a.unit)).meets(b.interval(places.get(b.unit)))


@dataclass
class Statement:
    """One statement of a canonical figure: as the extraction found it, or as this checker read it."""

    shown: str
    unit: str
    value: Decimal
    places: int
    start: int
    end: int
    label: str

    @property
    def factor(self) -> Decimal:
        return AMOUNT_UNITS.get(self.unit, Decimal(1))

    @property
    def base_value(self) -> Decimal:
        return self.value * self.factor

    def interval(self, places: int) -> Interval:
        return stated_interval(self.value, max(places, self.places)).scale(self.factor)


def statements_of(ctx: AuditContext, key: str) -> list[Statement]:
    """Every statement of a canonical figure for the report year: the prose as this checker reads it,
    plus what the extraction read in tables (the prose reading here keeps a year or a label across a
    line break, which the extraction, reading block by block, does not)."""
    out = [
        Statement(m.shown, m.unit, m.value, m.places, m.start, m.end, m.label)
        for m in ctx.analysis.figures(key)
    ]
    ex = ctx.extraction
    if ex is not None and isinstance(getattr(ex, "statements", None), dict):
        for f in ex.statements.get(key, []):
            src = f.source
            if (
                src is None
                or src.table is None
                or src.start is None
                or src.end is None
                or f.unit not in AMOUNT_UNITS
            ):
                continue
            places = max(0, -int(f.value.as_tuple().exponent))
            label = (src.quote or "").split(str(f.value))[0].strip() or _KEY_NAMES.get(key, key)
            out.append(Statement(f"{f.value}{f.unit}", f.unit, f.value, places, src.start, src.end, label))
    return out


def _differs(a: Statement, b: Statement) -> bool:
    places = max(a.places, b.places) if a.unit == b.unit else 0
    return not a.interval(places).meets(b.interval(places))


def check_figures(ctx: AuditContext) -> Iterable[Finding]:
    for key, name in _KEY_NAMES.items():
        distinct: list[Statement] = []
        for m in statements_of(ctx, key):
            if all(_differs(m, d) for d in distinct):
                distinct.append(m)
        if len(distinct) < 2:
            continue
        shown = "、".join(f"{m.shown}（{ctx.document.locate(m.start).describe()}）" for m in distinct)
        yield finding(
            "FIGURE_CONFLICT",
            "warning",
            FAMILY,
            f"同一数字前后不一致：{name}先后写作 {shown}。",
            [ctx.evidence(m.start, m.end, context=14) for m in distinct],
            suggestion="核对后统一口径；若口径不同，请注明。",
            values={f"value{i + 1}": m.shown for i, m in enumerate(distinct)},
        )
    executed = statements_of(ctx, "executed_total")
    spent = statements_of(ctx, "expense_total")
    if executed and spent:
        e, s = executed[0], spent[0]
        if _differs(e, s):
            diff = abs(e.base_value - s.base_value) / e.factor
            yield finding(
                "FIGURE_CONFLICT",
                "warning",
                FAMILY,
                f"全年执行数与本年支出不一致：{e.label} {e.shown} 与 {s.label} {s.shown} 相差 {fmt(diff, 2)}{e.unit}。",
                [ctx.evidence(e.start, e.end, context=14), ctx.evidence(s.start, s.end, context=14)],
                suggestion="核对预算执行数与决算支出数的口径是否一致，并在报告中说明。",
                values={"executed": e.shown, "expense": s.shown, "difference": fmt(diff, 2)},
            )


# --------------------------------------------------------------------------- activity records


@dataclass
class Record:
    count: Mention
    amount: Mention | None
    label: str
    start: int
    end: int


def _bigrams(s: str) -> set[str]:
    """Characters and character pairs of a label, numbers and units left out."""
    s = _NOISE.sub("", s)
    return set(s) | {s[i : i + 2] for i in range(len(s) - 1)}


_MAX_LABEL = 120


def records(a: Analysis) -> list[Record]:
    out: list[Record] = []
    in_lists = {m.start for pl in a.lists for m in pl.parts}
    by_block: dict[int, list[Sentence]] = {}
    for s in a.sentences:
        by_block.setdefault(s.block, []).append(s)
    for sents in by_block.values():
        topic_m = _TOPIC.match(sents[0].text.strip())
        topic = topic_m.group(1) if topic_m else ""
        for s in sents:
            segs = _SEGMENT.split(s.text)
            pos = s.start
            # a sentence's mentions are in text order: each segment's are found by bisection, not by a scan
            # of all of them (quadratic in a run-on line of 10,000 "培训1人；")
            starts = [m.start for m in s.mentions]
            for seg in segs:
                seg_start, seg_end = pos, pos + len(seg)
                pos = seg_end + 1
                lo, hi = bisect_left(starts, seg_start), bisect_left(starts, seg_end)
                ms = [m for m in s.mentions[lo:hi] if not m.delta]
                for i, m in enumerate(ms):
                    if m.klass in (None, "%", "money", "分"):
                        continue
                    nxt = ms[i + 1] if i + 1 < len(ms) else None
                    amount = nxt if nxt is not None and nxt.klass == "money" else None
                    if amount is not None and re.search(r"[均每]", a.text[m.end : amount.start]):
                        amount = None  # "户均…5000元" is a rate per item, not the activity's amount
                    # a label is the clause before the figure, at most _MAX_LABEL characters: in a run-on
                    # segment (a flattened table, 10,000 figures) unbounded labels made this quadratic
                    floor = max(seg_start, m.start - _MAX_LABEL)
                    clause_start = max(a.text.rfind(ch, floor, m.start) for ch in "，,：:")
                    clause_start = floor if clause_start < floor else clause_start + 1
                    end = amount.end if amount else m.end
                    if m.start in in_lists:
                        continue  # a part of a 其中-list is a sub-item, not a restatement
                    label = a.text[clause_start:end] + m.noun
                    if len(_NOISE.sub("", label)) < 6 and topic:
                        label = topic + label
                    out.append(Record(m, amount, label, clause_start, end))
    return out


def _weights(a: Analysis) -> tuple[Counter[str], int]:
    df: Counter[str] = Counter()
    for s in a.sentences:
        df.update(_bigrams(s.text))
    return df, max(len(a.sentences), 1)


def similarity(x: set[str], y: set[str], df: Counter[str], n: int) -> float:
    def w(b: str) -> float:
        return math.log((n + 1) / (df.get(b, 0) + 1)) + 0.1

    shared = sum(w(b) for b in x & y)
    smaller = min(sum(w(b) for b in x), sum(w(b) for b in y))
    return shared / smaller if smaller > 0 else 0.0


def _compatible(x: Mention, y: Mention) -> bool:
    return x.klass == y.klass or {x.klass, y.klass} == {"人", "人次"}


def _close(x: Mention, y: Mention, ratio: str) -> bool:
    """Values of one activity restated: within ``ratio`` of the larger (the same scale, not another item)."""
    a, b = x.base_value, y.base_value
    return abs(a - b) <= Decimal(ratio) * max(a, b)


def check_records(ctx: AuditContext) -> Iterable[Finding]:
    a = ctx.analysis
    recs = [r for r in records(a) if r.amount is not None]
    # candidate pairs: compatible counts, values of the same scale, alike labels, not the same text.
    # The cheap tests come first; label statistics are computed only for the pairs that pass them.
    weights: tuple[Counter[str], int] | None = None
    grams: dict[int, set[str]] = {}
    best: dict[int, tuple[float, int]] = {}
    for i, x in enumerate(recs):
        for j in range(i + 1, len(recs)):
            y = recs[j]
            assert x.amount is not None and y.amount is not None
            if not _compatible(x.count, y.count):
                continue
            if not (_close(x.count, y.count, "0.25") and _close(x.amount, y.amount, "0.5")):
                continue
            if a.text[x.start : x.end] == a.text[y.start : y.end]:
                continue
            if weights is None:
                weights = _weights(a)
            for k in (i, j):
                if k not in grams:
                    grams[k] = _bigrams(recs[k].label)
            sim = similarity(grams[i], grams[j], *weights)
            if sim < SIMILAR:
                continue
            for k, other in ((i, j), (j, i)):
                if k not in best or sim > best[k][0]:
                    best[k] = (sim, other)
    for i, (_sim, j) in sorted(best.items()):
        if j < i or best.get(j, (0, -1))[1] != i:
            continue  # only mutual best matches: each is the other's closest statement
        x, y = recs[i], recs[j]
        assert x.amount is not None and y.amount is not None
        same_unit = x.count.klass == y.count.klass
        count_differs = same_unit and _differ(x.count, y.count)
        amount_differs = _differ(x.amount, y.amount)
        if not (count_differs or amount_differs):
            continue
        loc_x = ctx.document.locate(x.start).describe()
        loc_y = ctx.document.locate(y.start).describe()
        approx = (
            "（含约数，已按约数放宽比较）"
            if any(m.approx for m in (x.count, x.amount, y.count, y.amount))
            else ""
        )
        yield finding(
            "STATEMENT_CONFLICT",
            "warning",
            FAMILY,
            f"同一事项前后数字不一致：{loc_x}“{_clip(a.text[x.start : x.end])}”"
            f"（{x.count.shown}，{x.amount.shown}）与 {loc_y}“{_clip(a.text[y.start : y.end])}”"
            f"（{y.count.shown}，{y.amount.shown}）{approx}。",
            [ctx.evidence(x.start, x.end), ctx.evidence(y.start, y.end)],
            suggestion="核对两处数字；若统计口径或时段不同，请在文中注明。",
            values={
                "count1": x.count.shown,
                "amount1": x.amount.shown,
                "count2": y.count.shown,
                "amount2": y.amount.shown,
            },
        )


def _clip(s: str, n: int = 40) -> str:
    s = re.sub(r"\s+", "", s)
    return s if len(s) <= n else s[: n - 1] + "…"


def check(ctx: AuditContext) -> Iterable[Finding]:
    yield from check_figures(ctx)
    yield from check_records(ctx)


__all__ = ["Decimal", "check"]
