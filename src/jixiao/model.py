"""The data model: dossier (what a unit states), scorecard (what scoring derives), findings (what checking finds).

Everything here is plain data validated by pydantic. Money and rates are ``Decimal``; a figure always
carries its unit, so nothing is ever compared across units by accident.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

DOSSIER_SCHEMA = "jixiao.dossier/1"
SCORECARD_SCHEMA = "jixiao.scorecard/1"
EXTRACTION_SCHEMA = "jixiao.extraction/1"
AUDIT_SCHEMA = "jixiao.audit/1"

DossierKind = Literal["部门整体", "项目支出"]
Severity = Literal["error", "warning", "info"]


def _to_decimal(value: Any) -> Any:
    """Accept Decimal, int, numeric strings ("1,234.50", "１２.５") and floats via their shortest repr.

    Floats only reach us from hand-written JSON/YAML loaded by other tools; ``str(float)`` is the
    shortest round-trip form, so 3105.13 stays 3105.13 and never becomes 3105.1299999.
    """
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("应为数字，实际为布尔值")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        from jixiao.numbers import parse_number

        return parse_number(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"应为数字，实际为“{value}”") from exc


def _decimal_str(value: Decimal) -> str:
    from jixiao.numbers import format_decimal

    return format_decimal(value)


# Exact number, serialised to JSON as a string so no consumer turns it into a float.
Dec = Annotated[Decimal, BeforeValidator(_to_decimal), PlainSerializer(_decimal_str, return_type=str)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Provenance(_Model):
    """Where a value came from: file and location, the character span and the quoted text."""

    file: str | None = None
    page: int | None = None
    paragraph: int | None = None
    line: int | None = None  # 1-based line of a plain-text source
    sheet: str | None = None
    cell: str | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    section: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(self.cell)
        if self.table is not None:
            parts.append(f"表{self.table}")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        elif self.paragraph is not None:
            parts.append(f"第{self.paragraph}段")
        return " ".join(parts)


class Figure(_Model):
    """A stated amount, rate or count with its unit. ``value`` is exact as written."""

    value: Dec
    unit: str = ""
    source: Provenance | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        # Figures may be written as "3105.13万元" or "98.23%" in a dossier; parse them exactly.
        if isinstance(data, str):
            from jixiao.numbers import parse_quantity

            q = parse_quantity(data)
            return {"value": q.value, "unit": q.unit}
        if isinstance(data, int | float | Decimal) and not isinstance(data, bool):
            return {"value": data, "unit": ""}
        return data

    @property
    def is_amount(self) -> bool:
        from jixiao.numbers import AMOUNT_UNITS

        return self.unit in AMOUNT_UNITS

    def to_yuan(self) -> Decimal:
        from jixiao.numbers import to_yuan

        return to_yuan(self.value, self.unit)

    def as_fraction(self) -> Decimal:
        """A rate as a fraction: 98.23% → 0.9823; a unitless value is taken as already a fraction."""
        if self.unit == "%":
            return self.value / Decimal(100)
        if self.unit == "":
            return self.value
        raise ValueError(f"{self.value}{self.unit} 不是比率")

    def text(self) -> str:
        from jixiao.numbers import format_decimal

        return f"{format_decimal(self.value)}{self.unit}"


class Unit(_Model):
    name: str = Field(min_length=1)
    region: str | None = None
    level: str | None = None  # 区级 / 市级 / 省级 …
    code: str | None = None


class Indicator(_Model):
    """One output/outcome indicator of a project (产出/效益/满意度 …) as the unit states it."""

    name: str = Field(min_length=1)
    level1: str | None = None  # 产出指标 / 效益指标 / 满意度指标
    level2: str | None = None  # 数量指标 / 质量指标 / 时效指标 / 成本指标 / 社会效益指标 …
    weight: Dec
    target: str | None = None  # 年度指标值, as written ("≥250人")
    actual: str | None = None  # 实际完成值, as written ("280人")
    unit: str | None = None
    direction: Literal["positive", "reverse", "qualitative"] | None = None
    achievement: Literal["达成", "部分达成", "未达成"] | None = None
    achievement_ratio: Dec | None = None
    stated_score: Dec | None = None
    deviation_reason: str | None = None
    evidence: str | None = None
    source: Provenance | None = None

    @field_validator("target", "actual", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        # YAML turns "是" into a string but 100 into an int; indicator values are always text as written.
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)


class Project(_Model):
    name: str = Field(min_length=1)
    description: str | None = None
    weight: Dec | None = None
    budget: Figure | None = None
    executed: Figure | None = None
    indicators: list[Indicator] = Field(default_factory=list)


Answer = bool | Dec | str


class ManualScore(_Model):
    score: Dec
    reason: str = Field(min_length=1)


class Adjustment(_Model):
    """A bonus (加分) or penalty (减分) event."""

    kind: Literal["加分", "减分"]
    points: Dec = Field(ge=0)
    reason: str = Field(min_length=1)
    item: str | None = None  # framework item id it belongs to, if the framework has several
    evidence: str | None = None


class Stated(_Model):
    """Scores the unit already gave itself, as stated in its documents."""

    total: Dec | None = None
    grade: str | None = None
    items: dict[str, Dec] = Field(default_factory=dict)  # item id or name → stated score
    sources: dict[str, Provenance] = Field(default_factory=dict)


class Dossier(_Model):
    """Everything a unit states for one year's self-evaluation."""

    schema_: str = Field(DOSSIER_SCHEMA, alias="schema")
    unit: Unit
    year: int = Field(ge=1990, le=2100)
    kind: DossierKind = "部门整体"
    framework: str | None = None
    figures: dict[str, Figure] = Field(default_factory=dict)
    projects: list[Project] = Field(default_factory=list)
    management: dict[str, Answer] = Field(default_factory=dict)
    manual_scores: dict[str, ManualScore] = Field(default_factory=dict)
    adjustments: list[Adjustment] = Field(default_factory=list)
    stated: Stated = Field(default_factory=Stated)
    texts: dict[str, str] = Field(default_factory=dict)  # narrative parts: 工作成效, 存在的问题, 改进措施 …

    @field_validator("schema_")
    @classmethod
    def _schema_version(cls, value: str) -> str:
        if not value.startswith("jixiao.dossier/"):
            raise ValueError(f"不是 jixiao 档案（schema 为“{value}”）")
        if value != DOSSIER_SCHEMA:
            raise ValueError(f"档案版本“{value}”不受支持，当前版本为 {DOSSIER_SCHEMA}")
        return value


# ---------------------------------------------------------------- scorecard

ItemStatus = Literal["scored", "missing", "manual", "partial", "invalid"]


class ItemScore(_Model):
    id: str
    name: str
    level: int
    max: Dec
    score: Dec | None = None
    status: ItemStatus = "scored"
    derivation: str = ""
    missing: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    stated: Dec | None = None
    difference: Dec | None = None  # stated − computed
    difference_note: str | None = None
    rule: str | None = None  # rule kind
    children: list[ItemScore] = Field(default_factory=list)

    def walk(self) -> list[ItemScore]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out

    @classmethod
    def trusted(cls, values: dict[str, Any], fields_set: set[str]) -> ItemScore:
        """An ItemScore from values already as validation leaves them, without validating again.

        For the scoring hot path (~50 per dossier; validation was a third of scoring time). ``values`` must
        hold every field in declaration order, Decimals for amounts, fresh lists and ItemScore children;
        ``fields_set`` is what ``model_fields_set`` would be had the same fields been passed to the
        constructor (and later assigned). Scoring's tests and golden check hold it to that.
        """
        return trusted_item(values, fields_set)


# BaseModel's slots, set directly: the state a validated instance of these extra="forbid" models has.
_new_object = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__pydantic_fields_set__.__set__  # type: ignore[attr-defined]
_set_extra = BaseModel.__pydantic_extra__.__set__  # type: ignore[attr-defined]
_set_private = BaseModel.__pydantic_private__.__set__  # type: ignore[attr-defined]


def _trusted(cls: type[BaseModel], values: dict[str, Any], fields_set: set[str]) -> BaseModel:
    obj = _new_object(cls)
    _set_dict(obj, values)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


# trusted_item's steps, for loops that build many nodes and inline them (scoring, the targets rule):
# new(ItemScore), then set __dict__, __pydantic_fields_set__, __pydantic_extra__ (None), __pydantic_private__
TRUSTED_ITEM_STEPS = (_new_object, _set_dict, _set_fields_set, _set_extra, _set_private)


def trusted_item(values: dict[str, Any], fields_set: set[str]) -> ItemScore:
    """``ItemScore.trusted`` without the class-method indirection (called for every node scored)."""
    obj = _new_object(ItemScore)
    _set_dict(obj, values)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


class Scorecard(_Model):
    schema_: str = Field(SCORECARD_SCHEMA, alias="schema")
    unit: str
    year: int
    framework: str
    framework_name: str
    items: list[ItemScore]
    total: Dec | None  # sum of what could be scored
    max: Dec
    complete: bool
    missing: list[str] = Field(default_factory=list)
    grade: str | None = None
    stated_total: Dec | None = None
    stated_grade: str | None = None
    notes: list[str] = Field(default_factory=list)

    @classmethod
    def trusted(cls, values: dict[str, Any], fields_set: set[str]) -> Scorecard:
        """A Scorecard from already-valid values, as ``ItemScore.trusted``."""
        return _trusted(cls, values, fields_set)  # type: ignore[return-value]

    def walk(self) -> list[ItemScore]:
        out: list[ItemScore] = []
        for item in self.items:
            out.extend(item.walk())
        return out


# ---------------------------------------------------------------- findings


class Evidence(_Model):
    quote: str
    location: Provenance


class Finding(_Model):
    code: str
    severity: Severity
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    suggestion: str | None = None
    family: str = ""
    values: dict[str, str] = Field(default_factory=dict)  # the numbers involved, as written
