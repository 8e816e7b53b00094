"""Units: 元 written where 万元 is meant (and the reverse), judged from the numbers around it.

Proved: a rate in the same sentence holds only when the unit is ignored ("预算 37.33万元，支出
37.31元，执行率 99.95%") — error. Suspected: an amount in 元 with the decimals and size of its
万元 neighbours in the same sentence ("预算 348.60万元，共支出 347.60元") — warning, when no rate decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from jixiao.audit.base import AuditContext, finding
from jixiao.audit.rates import rate_pairs
from jixiao.model import Finding

FAMILY = "units"


def check(ctx: AuditContext) -> Iterable[Finding]:
    a = ctx.analysis
    flagged: set[int] = set()
    for st in a.rates:
        pairs = rate_pairs(st)
        if any(p.holds for p in pairs):
            continue
        for p in pairs:
            if not p.holds_raw:
                continue
            odd, other = (p.num, p.den) if p.num.unit == "元" else (p.den, p.num)
            if odd.start in flagged:
                continue
            flagged.add(odd.start)
            right = f"{odd.shown.rstrip(odd.unit).rstrip()}{other.unit}"
            yield finding(
                "UNIT_SLIP", "error", FAMILY,
                f"金额单位疑误：{odd.shown} 与同句 {other.shown} 并列，所述 {st.rate.shown} 只有把 {odd.shown} "
                f"读作 {right} 时才成立（按 {odd.shown} 计算仅为 {(p.value * 100):.4f}%）。",
                [ctx.evidence(min(p.den.start, p.num.start), st.rate.end)],
                suggestion=f"将 {odd.shown} 改为 {right}。",
                values={"amount": odd.shown, "neighbour": other.shown, "rate": st.rate.shown, "suggested": right},
            )
            break
    for sent in a.sentences:
        money = [m for m in sent.mentions if m.klass == "money" and not m.approx]
        wan = [m for m in money if m.unit == "万元"]
        for m in money:
            if m.unit != "元" or m.start in flagged or not wan or m.places < 1:
                continue
            if re.search(r"[均每]|标准|单价|补助为|/人", m.raw_label + m.noun[:2]):
                continue  # a per-person or unit price in 元 beside totals in 万元 is normal
            # an amount in 元 written like its 万元 neighbours: same decimals, same size
            near = [w for w in wan if w.places == m.places and Decimal("0.5") <= m.value / w.value <= 2]
            if not near or m.value >= 10000:
                continue
            flagged.add(m.start)
            w = near[0]
            yield finding(
                "UNIT_SUSPECT", "warning", FAMILY,
                f"金额单位可疑：{m.shown} 与同句 {w.shown} 数值相近、小数位相同，按“元”则相差一万倍，疑为“万元”。",
                [ctx.evidence(min(m.start, w.start), max(m.end, w.end))],
                suggestion=f"核对后改为 {m.shown.rstrip('元')}万元。",
                values={"amount": m.shown, "neighbour": w.shown},
            )
