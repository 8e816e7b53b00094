"""How numbers read in generated documents: exact Decimal, half-up rounding, no float anywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from jixiao.model import Figure

HUNDRED = Decimal(100)
_UNIT_IN_YUAN = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def half_up(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def trim(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros: 100.00 → "100", 12.30 → "12.3"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def score_text(value: Decimal | None, places: int = 2) -> str:
    """A score as tables print it: always two places ("3.58", "2.00"); "—" when not scored."""
    return "—" if value is None else f"{half_up(value, places):f}"


def score_short(value: Decimal | None) -> str:
    """A score inside a sentence: rounded half-up to 2 places, trailing zeros dropped ("15.1 分")."""
    return "—" if value is None else trim(half_up(value, 2))


def percent_text(fraction: Decimal, places: int = 2) -> str:
    """0.896100 → "89.61%"; 1 → "100%"."""
    return f"{trim(half_up(fraction * HUNDRED, places))}%"


def grouped(value: Decimal, places: int = 2) -> str:
    """37749994.89 → "37,749,994.89" (the way amounts in 元 are printed in tables)."""
    return f"{half_up(value, places):,.{places}f}"


def unit_factor(unit: str) -> Decimal | None:
    return _UNIT_IN_YUAN.get(unit)


def in_yuan(figure: Figure) -> Decimal | None:
    factor = unit_factor(figure.unit)
    return None if factor is None else figure.value * factor


def amount_text(figure: Figure) -> str:
    """An amount in the unit it was entered in, so nothing is rounded away: "865.44万元", "37,749,994.89元"."""
    if figure.unit == "元":
        return f"{grouped(figure.value)}元"
    return f"{trim(figure.value)}{figure.unit}"


def amount_in_unit(yuan: Decimal, unit: str) -> str:
    """An amount computed in 元 expressed in ``unit`` (rounded half-up to 2 places)."""
    factor = unit_factor(unit) or Decimal(1)
    value = half_up(yuan / factor, 2)
    return f"{grouped(value)}元" if unit == "元" else f"{trim(value)}{unit}"


def figure_text(figure: Figure) -> str:
    if figure.unit in _UNIT_IN_YUAN:
        return amount_text(figure)
    return f"{trim(figure.value)}{figure.unit}"


def as_fraction(figure: Figure) -> Decimal | None:
    if figure.unit == "%":
        return figure.value / HUNDRED
    if figure.unit == "":
        return figure.value
    return None
