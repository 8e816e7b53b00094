"""Shares: every "占…的 x%" against part ÷ base; when it misses the base the text names, which base it hits.

Bases tried, in order: the one the text names (总收入 → the stated 本年收入), the total of the 其中-list
the part belongs to, the canonical total of its family (收入/支出). Alternatives (to explain a miss):
the sum of the listed parts and the sum of the canonical parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jixiao.audit.base import AuditContext, Interval, finding, fmt, ratio_interval, stated_interval
from jixiao.audit.statements import Analysis, Mention, ShareStatement
from jixiao.audit.sums import places_by_unit, sum_interval
from jixiao.model import Finding

FAMILY = "shares"
_FAMILY_TOTAL = {
    "income_general": ("income_total", ("income_general", "income_fund", "income_other")),
    "income_fund": ("income_total", ("income_general", "income_fund", "income_other")),
    "income_other": ("income_total", ("income_general", "income_fund", "income_other")),
    "expense_basic": ("expense_total", ("expense_basic", "expense_project")),
    "expense_project": ("expense_total", ("expense_basic", "expense_project")),
}


class Base:
    def __init__(self, name: str, mentions: list[Mention], shown: str) -> None:
        self.name = name
        self.mentions = mentions
        self.shown = shown


def _sum_base(name: str, ms: list[Mention]) -> Base | None:
    if not ms:
        return None
    unit = ms[0].unit
    total = sum((m.base_value for m in ms), Decimal(0)) / ms[0].factor
    places = max(m.places for m in ms)
    terms = " + ".join(m.shown for m in ms)
    return Base(name, ms, f"{fmt(total, places)}{unit}（{terms}）" if len(ms) > 1 else ms[0].shown)


def _distinct(ms: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in ms:
        if all(not m.interval().meets(o.interval()) for o in out):
            out.append(m)
    return out


def candidate_bases(sh: ShareStatement, a: Analysis) -> tuple[list[Base], list[Base]]:
    """(expected, alternatives)."""
    year = a.year_of(sh.part)
    expected: list[Base] = []
    alternatives: list[Base] = []
    if sh.base_key:
        for m in _distinct(a.figures(sh.base_key, year=year)):
            expected.append(Base(sh.base_words, [m], m.shown))
    elif sh.parent is not None:
        expected.append(Base(sh.parent.total.label or "合计", [sh.parent.total], sh.parent.total.shown))
    fam = _FAMILY_TOTAL.get(sh.part.key or "")
    if fam and not expected and not sh.base_words:
        for m in _distinct(a.figures(fam[0], year=year)):
            expected.append(Base(m.label, [m], m.shown))
    if sh.parent is not None:
        siblings = [*sh.parent.parts, *sh.parent.extension]
        b = _sum_base("所列分项之和", siblings)
        if b and len(siblings) > 1:
            alternatives.append(b)
        if sh.base_key:
            alternatives.append(Base(sh.parent.total.label or "合计", [sh.parent.total], sh.parent.total.shown))
    if fam:
        parts = []
        for k in fam[1]:
            vals = _distinct(a.figures(k, year=year))
            if len(vals) == 1:
                parts.append(vals[0])
        if len(parts) > 1:
            b = _sum_base("各项" + ("收入" if "income" in fam[0] else "支出") + "之和", parts)
            if b:
                alternatives.append(b)
    return expected, alternatives


def share_holds(part: Mention, base: Base, share: Mention) -> tuple[bool, Decimal | None]:
    group = [part, *base.mentions]
    places = places_by_unit(group)
    den = sum_interval(base.mentions, places)
    r = ratio_interval(part.interval(places.get(part.unit)), den)
    if r is None:
        return False, None
    stated = stated_interval(share.value, share.places, approx=share.approx).scale(Decimal("0.01"))
    point = part.base_value / sum((m.base_value for m in base.mentions), Decimal(0))
    return r.meets(stated), point


def _looks_like_typo(stated: Decimal, computed: Decimal, places: int) -> bool:
    a = sorted(c for c in fmt(stated, places) if c.isdigit())
    b = sorted(c for c in fmt(computed, places) if c.isdigit())
    return a == b or sum(x != y for x, y in zip(fmt(stated, places), fmt(computed, places), strict=False)) == 1


def check(ctx: AuditContext) -> Iterable[Finding]:
    a = ctx.analysis
    seen: set[tuple[str, str, str]] = set()
    for sh in a.shares:
        if sh.part.klass not in ("money",) and sh.parent is None:
            continue
        expected, alternatives = candidate_bases(sh, a)
        if not expected and not alternatives:
            continue
        results = [(b, *share_holds(sh.part, b, sh.share)) for b in expected]
        if any(ok for _, ok, _ in results):
            continue
        alt_results = [(b, *share_holds(sh.part, b, sh.share)) for b in alternatives]
        hit = next(((b, p) for b, ok, p in alt_results if ok), None)
        if not expected:
            if hit is not None or not alt_results:
                continue
            results = alt_results[:1]
        sig = (sh.part.shown, sh.share.shown, sh.base_words)
        if sig in seen:
            continue
        seen.add(sig)
        base, _, point = results[0]
        if point is None:
            continue
        sp = max(sh.share.places, 2)
        comp = f"{sh.part.label or '该项'} {sh.part.shown} ÷ {base.shown} = {fmt(point * 100, sp)}%"
        values = {"part": sh.part.shown, "base": base.shown, "stated": sh.share.shown, "computed": f"{fmt(point * 100, sp)}%"}
        ev = [ctx.evidence(sh.part.start, sh.share.end)]
        if hit is not None:
            hb, hp = hit
            values["matching_base"] = hb.shown
            yield finding(
                "SHARE_OTHER_BASE", "warning", FAMILY,
                f"占比与所称基数不符：{comp}，不是所述的 {sh.share.shown}；"
                f"按{hb.name} {hb.shown} 计算为 {fmt(hp * 100 if hp is not None else Decimal(0), sp)}%，与所述相符，"
                f"说明占比是按另一个基数计算的。",
                ev, suggestion=f"统一基数：若{base.name}为 {base.shown}，占比应改为 {fmt(point * 100, sp)}%；"
                "否则核对该合计数。", values=values,
            )
            continue
        typo = "（数字疑似笔误）" if _looks_like_typo(sh.share.value, point * 100, sh.share.places) else ""
        yield finding(
            "SHARE_MISMATCH", "error", FAMILY,
            f"占比计算不符：{comp}，与所述 {sh.share.shown} 不符{typo}。",
            ev, suggestion=f"改为 {fmt(point * 100, sp)}%，或核对分项与基数。", values=values,
        )


__all__ = ["Interval", "check"]
