"""Resolve a rule's value reference (a figure key, a ratio or a change of two keys) against a dossier.

Amounts are compared in 元 (``Figure.to_yuan``); rates written with "%" become exact fractions. The
result carries the text of its own arithmetic, for the derivation: "(3455560.23/4138427.79)×100%=83.50%".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from jixiao.figure_keys import describe_key
from jixiao.frameworks.model import ChangeRef, RatioRef, SingleRef, ValueRef
from jixiao.model import Figure
from jixiao.numbers import _CTX as _ROUNDING_CONTEXT
from jixiao.numbers import AMOUNT_UNITS, format_decimal, round_half_up, to_yuan

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def pct(fraction: Decimal, places: int = 2) -> str:
    """A computed rate as the seeds print it: 0.835 → "83.50%" (half-up to ``places``)."""
    return f"{format_decimal(fraction * 100, places)}%"


def pct_plain(fraction: Decimal) -> str:
    """A threshold as written: 0.9 → "90%", 0.005 → "0.5%"."""
    text = format_decimal(fraction * 100)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


@dataclass(slots=True)
class Resolved:
    value: Decimal | None  # a fraction (0.9823), or None when missing/invalid
    text: str = ""  # how the value was obtained, ending in the percentage
    missing: list[str] = field(default_factory=list)  # "key（中文）"
    error: str | None = None  # figures present but unusable (zero denominator, wrong unit)


def _comparable(a: Figure, b: Figure) -> tuple[Decimal, Decimal] | None:
    """Both amounts → 元; otherwise the same unit is required."""
    if a.unit in AMOUNT_UNITS and b.unit in AMOUNT_UNITS:
        return _yuan(str(a.value), a.unit), _yuan(str(b.value), b.unit)
    if a.unit == b.unit:
        return a.value, b.value
    return None


Resolver = Callable[[dict[str, Figure]], Resolved]


def _compile_one(ref: SingleRef, labels: dict[str, str]) -> Resolver:
    """One reference with its labels looked up once: figures → Resolved."""
    if isinstance(ref, str):
        return _key_resolver(ref, describe_key(ref, labels))
    keys = ref.ratio if isinstance(ref, RatioRef) else ref.change
    return _pair_resolver(ref, keys[0], keys[1], describe_key(keys[0], labels), describe_key(keys[1], labels))


@lru_cache(maxsize=4096)
def _yuan(value: str, unit: str) -> Decimal:
    """``Figure.to_yuan`` by the value's exact text (str round-trips a Decimal, exponent and sign included):
    the conversion costs ~5 µs and the same amounts recur in every rate of a dossier and across re-scores."""
    return to_yuan(Decimal(value), unit)


def _key_resolver(key: str, described: str) -> Resolver:
    def run(figures: dict[str, Figure]) -> Resolved:
        figure = figures.get(key)
        if figure is None:
            return Resolved(None, missing=[described])
        unit = figure.unit
        if unit == "%":  # the text as Figure.text() writes it
            return Resolved(figure.value / _HUNDRED, text=f"{format_decimal(figure.value)}%")
        if unit == "":
            return Resolved(figure.value, text=pct(figure.value))
        return Resolved(None, error=f"{described} 的值 {figure.text()} 不是比率（应写作百分数，如 98.23%）")

    return run


def _pair_resolver(ref: RatioRef | ChangeRef, key_a: str, key_b: str, desc_a: str, desc_b: str) -> Resolver:
    is_ratio = isinstance(ref, RatioRef)
    absolute = isinstance(ref, ChangeRef) and ref.absolute

    def run(figures: dict[str, Figure]) -> Resolved:
        first, second = figures.get(key_a), figures.get(key_b)
        if first is None or second is None:
            return Resolved(
                None, missing=[d for k, d in ((key_a, desc_a), (key_b, desc_b)) if k not in figures]
            )
        pair = _comparable(first, second)
        if pair is None:
            return Resolved(
                None,
                error=f"{desc_a}（{first.text()}）与 {desc_b}（{second.text()}）单位不同，无法相除",
            )
        a, b = pair
        if b == 0:
            return Resolved(None, error=f"{desc_b} 为 0，无法计算比率")
        same = first.unit == second.unit
        if same and first.unit in AMOUNT_UNITS:
            shown_a, shown_b = format_decimal(first.value), format_decimal(second.value)
        else:
            shown_a = format_decimal(a) if first.unit in AMOUNT_UNITS and not same else first.text()
            shown_b = format_decimal(b) if second.unit in AMOUNT_UNITS and not same else second.text()
        if is_ratio:
            value = a / b
            return Resolved(value, text=f"({shown_a}/{shown_b})×100%={pct(value)}")
        value = (a - b) / b
        if absolute:
            value = abs(value)
            return Resolved(value, text=f"|{shown_a}-{shown_b}|/{shown_b}×100%={pct(value)}")
        return Resolved(value, text=f"({shown_a}-{shown_b})/{shown_b}×100%={pct(value)}")

    return run


def resolve(ref: ValueRef, figures: dict[str, Figure], labels: dict[str, str] | None = None) -> Resolved:
    """The first reference in fallback order whose figures are present; else everything still missing."""
    return compile_ref(ref, labels or {})(figures)


def compile_ref(ref: ValueRef, labels: dict[str, str]) -> Resolver:
    """``resolve`` with the reference taken apart once (per framework plan), for scoring many dossiers."""
    ones = [_compile_one(one, labels) for one in (ref if isinstance(ref, list) else [ref])]
    if len(ones) == 1:
        only = ones[0]

        def run_one(figures: dict[str, Figure]) -> Resolved:
            result = only(figures)
            if result.value is None and not result.error:
                result.missing = ["、".join(result.missing)]
            return result

        return run_one

    def run(figures: dict[str, Figure]) -> Resolved:
        alternatives: list[str] = []
        for one in ones:
            result = one(figures)
            if result.value is not None or result.error:
                return result
            alternatives.append("、".join(result.missing))
        # One entry per item: what would be enough, alternatives joined by "或".
        return Resolved(None, missing=[" 或 ".join(alternatives)])

    return run


def points(value: Decimal) -> str:
    """A score as the seeds print it: 1.5, 2, 3.96, 0.0354 (no trailing zeros)."""
    # Not memoised: hashing a freshly computed Decimal costs more than formatting it.
    if type(value) is not Decimal or not value.is_finite():
        text = format_decimal(value)  # converts, or raises the Chinese error for NaN/Infinity
    else:
        text = str(value)  # plain unless the exponent is positive or the value tiny: then "E" shows
        if "E" in text:
            text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # format_decimal drops the sign of a zero ("-0.00" → "0.00"); stripped, a negative zero reads "-0"
    return "0" if not text or text == "-0" else text


def rounded(value: Decimal) -> Decimal:
    """``round_half_up(value, 2)``, the common case inlined (it runs ~25 times per scored dossier)."""
    if type(value) is Decimal:
        try:
            return value.quantize(_CENT, ROUND_HALF_UP, _ROUNDING_CONTEXT)
        except InvalidOperation:
            pass  # round_half_up raises the Chinese error
    return round_half_up(value, 2)
