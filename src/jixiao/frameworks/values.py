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


Resolver = Callable[[dict[str, Figure]], Resolved]


def _compile_one(ref: SingleRef, labels: dict[str, str], joined: bool = False) -> Resolver:
    """One reference with its labels looked up once: figures → Resolved. ``joined``: what is missing comes
    as one entry (the keys joined by "、"), as a reference without fallbacks reports it."""
    if isinstance(ref, str):
        return _key_resolver(ref, describe_key(ref, labels))
    keys = ref.ratio if isinstance(ref, RatioRef) else ref.change
    return _pair_resolver(
        ref, keys[0], keys[1], describe_key(keys[0], labels), describe_key(keys[1], labels), joined
    )


@lru_cache(maxsize=4096)
def _amount(value: str, unit: str) -> tuple[Decimal, str | None]:
    """An amount in 元 and its own value as shown (None when not finite), by the value's exact text (str
    round-trips a Decimal, exponent and sign included): the conversion costs ~5 µs and the same amounts
    recur in every rate of a dossier and across re-scores."""
    own = Decimal(value)
    return to_yuan(own, unit), format_decimal(own) if own.is_finite() else None


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


def _pair_resolver(
    ref: RatioRef | ChangeRef, key_a: str, key_b: str, desc_a: str, desc_b: str, joined: bool = False
) -> Resolver:
    is_ratio = isinstance(ref, RatioRef)
    absolute = isinstance(ref, ChangeRef) and ref.absolute

    def run(figures: dict[str, Figure]) -> Resolved:
        first, second = figures.get(key_a), figures.get(key_b)
        if first is None or second is None:
            missing = [d for k, d in ((key_a, desc_a), (key_b, desc_b)) if k not in figures]
            return Resolved(None, missing=["、".join(missing)] if joined else missing)
        # fields read from the instance dicts: a pydantic model's attribute access takes its slow path
        fields_a, fields_b = first.__dict__, second.__dict__
        unit_a, unit_b = fields_a["unit"], fields_b["unit"]
        if unit_a in AMOUNT_UNITS and unit_b in AMOUNT_UNITS:  # both in 元
            a, shown_a = _amount(str(fields_a["value"]), unit_a)
            b, shown_b = _amount(str(fields_b["value"]), unit_b)
            if b == 0:
                return Resolved(None, error=f"{desc_b} 为 0，无法计算比率")
            # shown in 元 when the units differ; a value not finite: format_decimal raises its error
            if unit_a != unit_b or shown_a is None or shown_b is None:
                shown_a, shown_b = format_decimal(a), format_decimal(b)
        elif unit_a == unit_b:
            a, b = fields_a["value"], fields_b["value"]
            if b == 0:
                return Resolved(None, error=f"{desc_b} 为 0，无法计算比率")
            # as Figure.text() writes them (it imports on every call)
            shown_a, shown_b = f"{format_decimal(a)}{unit_a}", f"{format_decimal(b)}{unit_b}"
        else:
            return Resolved(
                None,
                error=f"{desc_a}（{first.text()}）与 {desc_b}（{second.text()}）单位不同，无法相除",
            )
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
    refs = ref if isinstance(ref, list) else [ref]
    if len(refs) == 1:  # what is missing already comes as one entry (a single key's is one already)
        return _compile_one(refs[0], labels, joined=True)
    ones = [_compile_one(one, labels) for one in refs]

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
