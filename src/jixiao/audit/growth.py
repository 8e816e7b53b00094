"""Growth: "X，比上年增加/减少 D，增长/下降 p%" against the two years' values.

The prior-year value is implied (X − D or X + D) or stated elsewhere as the same canonical figure of
the previous year; p must equal D ÷ prior, and the direction words must agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jixiao.audit.base import AuditContext, finding, fmt, ratio_interval, stated_interval
from jixiao.audit.sums import places_by_unit
from jixiao.model import Finding

FAMILY = "growth"
_UP = ("增加", "增长", "提高", "上升", "增")
_DOWN = ("减少", "下降", "降低", "减")


def _direction(word: str) -> int:
    if word in _UP:
        return 1
    if word in _DOWN:
        return -1
    return 0


def check(ctx: AuditContext) -> Iterable[Finding]:
    a = ctx.analysis
    seen: set[tuple[str, str, str]] = set()
    for g in a.growths:
        base, delta, rate = g.base, g.delta, g.rate
        if a.year_of(base) != a.report_year:
            continue  # "2022 年…，2023 年同比减少…": the change belongs to another year's value
        sig = (base.shown, delta.shown, rate.shown if rate else "")
        if sig in seen:
            continue
        seen.add(sig)
        sign = _direction(delta.delta)
        if rate is not None:
            text_between = a.text[delta.end : rate.start]
            rate_word = next((w for w in (*_UP, *_DOWN) if w in text_between), "")
            rsign = _direction(rate_word)
            if sign and rsign and sign != rsign:
                yield finding(
                    "GROWTH_DIRECTION", "error", FAMILY,
                    f"增减方向矛盾：先称{delta.delta} {delta.shown}，又称{rate_word} {rate.shown}。",
                    [ctx.evidence(base.start, rate.end)],
                    suggestion="统一增减方向。", values={"delta": delta.shown, "rate": rate.shown},
                )
                continue
            places = places_by_unit([base, delta])
            b = base.interval(places.get(base.unit))
            d = delta.interval(places.get(delta.unit))
            prior = b - d if sign > 0 else b + d
            r = ratio_interval(d, prior)
            stated = stated_interval(rate.value, rate.places, approx=rate.approx).scale(Decimal("0.01"))
            if r is None or r.meets(stated):
                continue
            prior_point = base.base_value - sign * delta.base_value
            if prior_point <= 0:
                continue
            point = delta.base_value / prior_point
            unit = base.unit
            prior_shown = f"{fmt(prior_point / base.factor, max(base.places, delta.places))}{unit}"
            sp = max(rate.places, 1)
            yield finding(
                "GROWTH_MISMATCH", "error", FAMILY,
                f"增减幅度计算不符：本年 {base.shown}，比上年{delta.delta} {delta.shown}，则上年为 {prior_shown}，"
                f"{rate_word or '变动'}幅度 = {delta.shown} ÷ {prior_shown} = {fmt(point * 100, sp)}%，"
                f"与所述 {rate.shown} 不符。",
                [ctx.evidence(base.start, rate.end)],
                suggestion=f"改为 {fmt(point * 100, sp)}%，或核对本年数与增减额。",
                values={"current": base.shown, "delta": delta.shown, "prior": prior_shown, "stated": rate.shown,
                        "computed": f"{fmt(point * 100, sp)}%"},
            )
            continue
        # no rate: compare with the prior-year statement of the same figure, when there is one
        if not base.key or a.report_year is None:
            continue
        priors = a.figures(base.key, year=a.report_year - 1)
        if len({p.shown for p in priors}) != 1:
            continue
        prior = priors[0]
        places = places_by_unit([base, delta, prior])
        diff = base.interval(places.get(base.unit)) - prior.interval(places.get(prior.unit))
        want = delta.interval(places.get(delta.unit))
        if sign < 0:
            diff = prior.interval(places.get(prior.unit)) - base.interval(places.get(base.unit))
        if diff.meets(want):
            continue
        actual = (base.base_value - prior.base_value) * sign / delta.factor
        yield finding(
            "GROWTH_MISMATCH", "error", FAMILY,
            f"增减额与两年数不符：本年 {base.shown}，上年 {prior.shown}，差额为 {fmt(actual, 2)}{delta.unit}，"
            f"与所述{delta.delta} {delta.shown} 不符。",
            [ctx.evidence(base.start, delta.end), ctx.evidence(prior.start, prior.end, context=12)],
            suggestion="核对本年数、上年数与增减额。",
            values={"current": base.shown, "prior": prior.shown, "delta": delta.shown},
        )
