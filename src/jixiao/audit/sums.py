"""Parts against totals: "A X，其中 B Y、C Z" and the canonical decompositions across paragraphs.

A 其中-list may legitimately name only some parts; then a sum below the total is at most info, and a sum
above it is an error. When the parts are the canonical exhaustive decomposition (基本+项目 = 支出;
一般公共预算+政府性基金+其他 = 收入; 人员+公用 = 基本支出) a gap is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from itertools import pairwise

from jixiao.audit.base import AuditContext, Interval, finding, fmt
from jixiao.audit.statements import Analysis, Mention, PartList
from jixiao.model import Finding
from jixiao.numbers import AMOUNT_UNITS

FAMILY = "sums"

# total key → the keys that exhaust it, and how many of them must be stated to judge a gap
DECOMPOSITIONS: list[tuple[str, tuple[str, ...], int]] = [
    ("expense_total", ("expense_basic", "expense_project"), 2),
    ("income_total", ("income_general", "income_fund", "income_other"), 2),
    ("expense_basic", ("personnel", "public_funds", "expense_transfers", "expense_capital"), 2),
]
_INCOME_PARTS = {"income_general", "income_fund", "income_other"}


def places_by_unit(mentions: Iterable[Mention]) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in mentions:
        out[m.unit] = max(out.get(m.unit, 0), m.places)
    return out


def sum_interval(mentions: list[Mention], places: dict[str, int]) -> Interval:
    iv = Interval(Decimal(0), Decimal(0))
    for m in mentions:
        iv = iv + m.interval(places.get(m.unit))
    return iv


def in_unit(value: Decimal, unit: str) -> Decimal:
    return value / AMOUNT_UNITS.get(unit, Decimal(1))


def is_exhaustive(total: Mention, parts: list[Mention]) -> bool:
    keys = {p.key for p in parts}
    if None in keys or len(keys) != len(parts):
        return False
    spending = total.key == "expense_total" or ("支出" in total.label and "基本" not in total.label)
    if spending and keys == {"expense_basic", "expense_project"}:
        return True
    if "收入" in total.label and keys <= _INCOME_PARTS and "income_general" in keys and len(keys) >= 2:
        return True
    basic = {"personnel", "public_funds", "expense_transfers", "expense_capital"}
    return "基本支出" in total.label and keys <= basic and len(keys) >= 2


def describe_sum(parts: list[Mention], unit: str, total_value: Decimal) -> tuple[str, Decimal]:
    terms = " + ".join(f"{p.label or '分项'} {p.shown}" for p in parts)
    s = sum((p.base_value for p in parts), Decimal(0))
    return terms, s


_SCORE_LABEL = re.compile(r"(?:得|得分|自评分|评分)$")


def _weight_score_pairs(parts: list[Mention]) -> bool:
    """"管理效能分值 45 分，得 40.1 分": a maximum followed by the score on it, not parts of a total."""
    return any(
        "分值" in a.label and _SCORE_LABEL.search(b.label.strip()) is not None
        for a, b in pairwise(parts)
    )


def judge(
    total: Mention, parts: list[Mention], *, exhaustive: bool, evidence_span: tuple[int, int], ctx: AuditContext,
    where: str = "其中",
) -> Finding | None:
    if _weight_score_pairs(parts):
        return None
    group = [total, *parts]
    places = places_by_unit(group)
    tot = total.interval(places.get(total.unit))
    s = sum_interval(parts, places)
    if s.meets(tot):
        return None
    unit = total.unit
    terms, exact_sum = describe_sum(parts, unit, total.base_value)
    shown_sum = in_unit(exact_sum, unit) if total.klass == "money" else exact_sum
    diff = abs(shown_sum - total.value)
    p = max(places.values()) if places else 2
    unit_word = unit if total.klass == "money" else total.unit
    computation = (
        f"{terms} = {fmt(shown_sum, p)}{unit_word}，与{total.label or '合计'} {total.shown} "
        f"相差 {fmt(diff, p)}{unit_word}"
    )
    values = {"total": total.shown, "sum": f"{fmt(shown_sum, p)}{unit_word}", "difference": fmt(diff, p)}
    values.update({f"part{i + 1}": m.shown for i, m in enumerate(parts)})
    ev = [ctx.evidence(*evidence_span)]
    if s.lo > (tot.hi if tot.hi is not None else s.lo):
        return finding(
            "SUM_EXCEEDS_TOTAL", "error", FAMILY,
            f"分项之和大于合计：{computation}。",
            ev, suggestion="核对各分项与合计数，改正有误的数字。", values=values,
        )
    if exhaustive:
        return finding(
            "SUM_MISMATCH", "error", FAMILY,
            f"分项之和与合计不符：{computation}。",
            ev, suggestion="这些分项构成合计的全部，请核对后改正合计或分项。", values=values,
        )
    if len(parts) >= 2:
        return finding(
            "SUM_PARTIAL", "info", FAMILY,
            f"{where}所列分项未涵盖全部：{computation}（可能另有未列明的分项）。",
            ev, suggestion="如另有分项，建议列明；否则核对合计数。", values=values,
        )
    return None


def _groups(pl: PartList) -> tuple[bool, list[Mention]]:
    """(holds, leftover): consume parts into groups that each add up to the total.

    "143名，其中精神类51名、智力92名，60岁以下117人、60岁以上26人…" lists several partitions of one
    total; a list may also run on past "；" ("…24人；困难义务教育18人…"), which counts only when
    the extended sum lands exactly on the total.
    """
    places = places_by_unit([pl.total, *pl.parts, *pl.extension])
    tot = pl.total.interval(places.get(pl.total.unit))
    cur: list[Mention] = []
    closed = 0
    for m in pl.parts:
        cur.append(m)
        if sum_interval(cur, places).meets(tot):
            closed += 1
            cur = []
    if not cur:
        return True, []
    ext_cur = list(cur)
    for m in pl.extension:
        ext_cur.append(m)
        iv = sum_interval(ext_cur, places)
        if iv.meets(tot):
            return True, []
        if iv.hi is not None and tot.hi is not None and iv.lo > tot.hi:
            break
    return False, cur if closed or len(cur) != len(pl.parts) else list(pl.parts)


def check_lists(ctx: AuditContext) -> Iterable[Finding]:
    seen: set[tuple[str, ...]] = set()
    for pl in ctx.analysis.lists:
        holds, leftover = _groups(pl)
        if holds or not leftover:
            continue
        sig = (pl.total.shown, *(m.shown for m in leftover))
        if sig in seen:
            continue  # a repeated passage states the same list again; duplication reports the repeat
        seen.add(sig)
        f = judge(
            pl.total, leftover, exhaustive=is_exhaustive(pl.total, leftover),
            evidence_span=(pl.total.start, leftover[-1].end), ctx=ctx,
        )
        if f:
            yield f


def single_value(ms: list[Mention]) -> Mention | None:
    """The one value a canonical figure is stated with; None when absent or stated differently."""
    if not ms:
        return None
    first = ms[0]
    for m in ms[1:]:
        if not m.interval().meets(first.interval()):
            return None
    return first


def check_canonical(ctx: AuditContext) -> Iterable[Finding]:
    a: Analysis = ctx.analysis
    for total_key, part_keys, need in DECOMPOSITIONS:
        total = single_value(a.figures(total_key))
        if total is None:
            continue
        parts = [m for k in part_keys if (m := single_value(a.figures(k))) is not None]
        if len(parts) < need:
            continue
        if any(pl.total.key == total_key and not pl.total.budget for pl in a.lists):
            continue  # a 其中-list in the text states this decomposition; check_lists judged it
        # the evidence: every statement involved, so the reviewer sees where each number is
        f = judge(total, parts, exhaustive=True, evidence_span=(total.start, total.end), ctx=ctx)
        if f is None:
            continue
        f.code = "SUM_MISMATCH"
        f.evidence.extend(ctx.evidence(p.start, p.end, context=12) for p in parts)
        f.evidence[0] = ctx.evidence(total.start, total.end, context=12)
        yield f


def check(ctx: AuditContext) -> Iterable[Finding]:
    yield from check_lists(ctx)
    yield from check_canonical(ctx)
