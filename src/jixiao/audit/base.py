"""What every check shares: the context it reads, exact tolerance from stated precision, findings.

A check is a plain function ``check(ctx: AuditContext) -> Iterable[Finding]``. Checks never read files
and never print; they only look at the document, its statements and (when given) extraction,
framework and scorecard.

Tolerance: a stated value "786.65" stands for anything in [786.645, 786.655]; a computed value holds
when the interval it can take (from its inputs' intervals) meets the stated value's interval. That is
the only tolerance used — there is no global epsilon.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jixiao.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from jixiao.audit.statements import Analysis
    from jixiao.ingest.document import Document

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass
class AuditContext:
    """Everything a check may look at. ``analysis`` (the parsed prose statements) is computed once."""

    document: Document
    extraction: Any = None  # jixiao.ingest.extract.Extraction when available
    framework: Any = None
    scorecard: Any = None
    outline: Any = None  # list[jixiao.ingest.outline.Section]; the runner fills it (runner.outline_of)
    options: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def analysis(self) -> Analysis:
        from jixiao.audit.statements import analyse

        return analyse(self.document)

    def evidence(self, start: int, end: int, *, context: int = 0) -> Evidence:
        return make_evidence(self.document, start, end, context=context)


Check = Callable[[AuditContext], Iterable[Finding]]


# --------------------------------------------------------------------------- intervals


@dataclass(frozen=True)
class Interval:
    """A closed interval of exact decimals; ``hi=None`` means unbounded above (for "逾 4200 人")."""

    lo: Decimal
    hi: Decimal | None

    def __add__(self, other: Interval) -> Interval:
        hi = None if self.hi is None or other.hi is None else self.hi + other.hi
        return Interval(self.lo + other.lo, hi)

    def __sub__(self, other: Interval) -> Interval:
        if self.hi is None:
            return Interval(self.lo - (other.hi if other.hi is not None else self.lo), None)
        lo = self.lo - other.hi if other.hi is not None else Decimal("-Infinity")
        return Interval(lo, self.hi - other.lo)

    def meets(self, other: Interval) -> bool:
        if self.hi is not None and self.hi < other.lo:
            return False
        return not (other.hi is not None and other.hi < self.lo)

    def scale(self, k: Decimal) -> Interval:
        return Interval(self.lo * k, None if self.hi is None else self.hi * k)

    @property
    def mid(self) -> Decimal:
        return self.lo if self.hi is None else (self.lo + self.hi) / 2


def exact(value: Decimal) -> Interval:
    return Interval(value, value)


def half_unit(places: int) -> Decimal:
    return Decimal(5) * Decimal(10) ** (-(places + 1))


def stated_interval(value: Decimal, places: int, *, approx: str = "", scale: Decimal = Decimal(1)) -> Interval:
    """The values a number written with ``places`` decimals can stand for.

    ``approx`` loosens it the way the words do: 约/左右 ±10 %, 近 [90 %, 100 %], 逾/超过/多/余/以上 ≥ value.
    ``scale`` is the factor between the digits as written and ``value`` ("1.6万" → 10000).
    """
    h = half_unit(places) * scale
    if approx == "近":
        return Interval(min(value * Decimal("0.9"), value - h), value + h)
    if approx in ("约", "左右", "大约"):
        return Interval(min(value * Decimal("0.9"), value - h), max(value * Decimal("1.1"), value + h))
    if approx in ("逾", "超过", "超", "多", "余", "以上", "多达"):
        return Interval(value - h, None)
    return Interval(value - h, value + h)


def ratio_interval(num: Interval, den: Interval) -> Interval | None:
    """num/den as an interval (both positive); None when the denominator can be zero."""
    if den.lo <= 0 or num.lo < 0:
        return None
    hi = num.hi / den.lo if num.hi is not None else None
    lo = num.lo / den.hi if den.hi is not None else Decimal(0)
    return Interval(lo, hi)


# --------------------------------------------------------------------------- formatting


def q2(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(value: Decimal, places: int = 2) -> str:
    """Half-up to ``places`` and no trailing noise: 2694.16, 6.22, 805.58."""
    return f"{q2(value, places):f}"


def pct(value: Decimal, places: int = 2) -> str:
    return f"{fmt(value * 100, places)}%"


def make_evidence(doc: Document, start: int, end: int, *, context: int = 0) -> Evidence:
    quote = doc.quote(start, end, context=context) if context else doc.text[start:end].replace("\n", " ")
    quote = quote.replace("\t", " ")
    return Evidence(quote=quote, location=doc.provenance(start, end, quote=None))


def describe_location(doc: Document, start: int) -> str:
    return doc.locate(start).describe()


def finding(
    code: str,
    severity: Severity,
    family: str,
    message: str,
    evidence: Iterable[Evidence] = (),
    *,
    suggestion: str | None = None,
    values: dict[str, str] | None = None,
) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        family=family,
        message=message,
        evidence=list(evidence),
        suggestion=suggestion,
        values=dict(values or {}),
    )
