"""How numbers read in generated documents: exact Decimal, half-up rounding, no float anywhere.

Rounding and unit conversion are ``jixiao.numbers``'; this module only decides how many places
a document shows: money to the cent (or to the places it was written with), scores to 2 places.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.frameworks.values import points as trim  # 100.00 → "100", 12.30 → "12.3"
from jixiao.model import Figure
from jixiao.numbers import AMOUNT_UNITS, convert, decimal_places, format_decimal
from jixiao.numbers import round_half_up as half_up

HUNDRED = Decimal(100)
CENT_PLACES = 2


def score_text(value: Decimal | None, places: int = 2) -> str:
    """A score as tables print it: always two places ("3.58", "2.00"); "—" when not scored."""
    return "—" if value is None else format_decimal(value, places)


def score_short(value: Decimal | None) -> str:
    """A score inside a sentence: rounded half-up to 2 places, trailing zeros dropped ("15.1 分")."""
    return "—" if value is None else trim(half_up(value, 2))


def percent_text(fraction: Decimal, places: int = 2) -> str:
    """A computed rate, always to ``places`` so a column of rates lines up: 0.906 → "90.60%", 1 → "100.00%"."""
    return f"{format_decimal(fraction * HUNDRED, places)}%"


def grouped(value: Decimal, places: int = 2) -> str:
    """37749994.89 → "37,749,994.89" (the way amounts in 元 are printed in tables)."""
    return f"{half_up(value, places):,.{places}f}"


def in_yuan(figure: Figure) -> Decimal | None:
    """The figure in 元, or None when it is not an amount."""
    return figure.to_yuan() if figure.is_amount else None


def _money(value: Decimal, unit: str, places: int) -> str:
    if unit == "元":
        return f"{grouped(value, places)}元"
    return f"{format_decimal(value, places)}{unit}"


def amount_text(figure: Figure) -> str:
    """An amount in the unit it was entered in, to the cent or to the places it was written with,
    so nothing is rounded away and "1280.00万元" stays "1280.00万元"; "37,749,994.89元"."""
    return _money(figure.value, figure.unit, max(CENT_PLACES, decimal_places(figure.value)))


def amount_in_unit(yuan: Decimal, unit: str) -> str:
    """An amount computed in 元 expressed in ``unit``, rounded half-up to the cent of that unit."""
    if unit not in AMOUNT_UNITS:
        unit = "元"
    return _money(convert(yuan, "元", unit), unit, CENT_PLACES)


def figure_text(figure: Figure) -> str:
    if figure.is_amount:
        return amount_text(figure)
    return f"{trim(figure.value)}{figure.unit}"


def as_fraction(figure: Figure) -> Decimal | None:
    """A rate as a fraction, or None when the figure is not a rate."""
    return figure.as_fraction() if figure.unit in {"%", ""} else None
