"""Resolve a rule's value reference (a figure key, a ratio or a change of two keys) against a dossier.

Amounts are compared in 元 (``Figure.to_yuan``); rates written with "%" become exact fractions. The
result carries the text of its own arithmetic, for the derivation: "(3455560.23/4138427.79)×100%=83.50%".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from jixiao.figure_keys import describe_key
from jixiao.frameworks.model import ChangeRef, RatioRef, SingleRef, ValueRef
from jixiao.model import Figure
from jixiao.numbers import AMOUNT_UNITS, format_decimal, round_half_up


def pct(fraction: Decimal, places: int = 2) -> str:
    """A computed rate as the seeds print it: 0.835 → "83.50%" (half-up to ``places``)."""
    return f"{format_decimal(fraction * 100, places)}%"


def pct_plain(fraction: Decimal) -> str:
    """A threshold as written: 0.9 → "90%", 0.005 → "0.5%"."""
    text = format_decimal(fraction * 100)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


@dataclass
class Resolved:
    value: Decimal | None  # a fraction (0.9823), or None when missing/invalid
    text: str = ""  # how the value was obtained, ending in the percentage
    missing: list[str] = field(default_factory=list)  # "key（中文）"
    error: str | None = None  # figures present but unusable (zero denominator, wrong unit)


def _rate_of(key: str, figure: Figure, labels: dict[str, str]) -> tuple[Decimal | None, str | None]:
    if figure.unit == "%":
        return figure.value / Decimal(100), None
    if figure.unit == "":
        return figure.value, None
    return None, f"{describe_key(key, labels)} 的值 {figure.text()} 不是比率（应写作百分数，如 98.23%）"


def _comparable(a: Figure, b: Figure) -> tuple[Decimal, Decimal] | None:
    """Both amounts → 元; otherwise the same unit is required."""
    if a.unit in AMOUNT_UNITS and b.unit in AMOUNT_UNITS:
        return a.to_yuan(), b.to_yuan()
    if a.unit == b.unit:
        return a.value, b.value
    return None


def _resolve_one(ref: SingleRef, figures: dict[str, Figure], labels: dict[str, str]) -> Resolved:
    if isinstance(ref, str):
        figure = figures.get(ref)
        if figure is None:
            return Resolved(None, missing=[describe_key(ref, labels)])
        value, error = _rate_of(ref, figure, labels)
        if error:
            return Resolved(None, error=error)
        assert value is not None
        return Resolved(value, text=pct(value) if figure.unit != "%" else figure.text())
    keys = ref.ratio if isinstance(ref, RatioRef) else ref.change
    missing = [describe_key(k, labels) for k in keys if k not in figures]
    if missing:
        return Resolved(None, missing=missing)
    first, second = figures[keys[0]], figures[keys[1]]
    pair = _comparable(first, second)
    if pair is None:
        return Resolved(
            None,
            error=f"{describe_key(keys[0], labels)}（{first.text()}）与 {describe_key(keys[1], labels)}"
            f"（{second.text()}）单位不同，无法相除",
        )
    a, b = pair
    if b == 0:
        return Resolved(None, error=f"{describe_key(keys[1], labels)} 为 0，无法计算比率")
    shown_a = format_decimal(a) if first.unit in AMOUNT_UNITS and first.unit != second.unit else first.text()
    shown_b = (
        format_decimal(b) if second.unit in AMOUNT_UNITS and first.unit != second.unit else second.text()
    )
    if first.unit == second.unit and first.unit in AMOUNT_UNITS:
        shown_a, shown_b = format_decimal(first.value), format_decimal(second.value)
    if isinstance(ref, RatioRef):
        value = a / b
        return Resolved(value, text=f"({shown_a}/{shown_b})×100%={pct(value)}")
    assert isinstance(ref, ChangeRef)
    value = (a - b) / b
    if ref.absolute:
        value = abs(value)
        return Resolved(value, text=f"|{shown_a}-{shown_b}|/{shown_b}×100%={pct(value)}")
    return Resolved(value, text=f"({shown_a}-{shown_b})/{shown_b}×100%={pct(value)}")


def resolve(ref: ValueRef, figures: dict[str, Figure], labels: dict[str, str] | None = None) -> Resolved:
    """The first reference in fallback order whose figures are present; else everything still missing."""
    labels = labels or {}
    refs = ref if isinstance(ref, list) else [ref]
    alternatives: list[str] = []
    for one in refs:
        result = _resolve_one(one, figures, labels)
        if result.value is not None or result.error:
            return result
        alternatives.append("、".join(result.missing))
    # One entry per item: what would be enough, alternatives joined by "或".
    return Resolved(None, missing=[" 或 ".join(alternatives)])


@lru_cache(maxsize=4096)  # ~130 calls per scored dossier, over few distinct values; equal values print alike
def points(value: Decimal) -> str:
    """A score as the seeds print it: 1.5, 2, 3.96, 0.0354 (no trailing zeros)."""
    text = format_decimal(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def rounded(value: Decimal) -> Decimal:
    return round_half_up(value, 2)
