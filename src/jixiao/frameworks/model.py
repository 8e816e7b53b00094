"""The framework format as typed data: items, rules, value references, grade bands.

``FrameworkDocument`` is one YAML file as written (it may ``extends`` another and ``override``/``remove``/
``add`` items); ``Framework`` is the resolved tree that scoring reads. The JSON Schema of the file format
(``framework.schema.json``) is generated from ``FrameworkDocument``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from jixiao.model import Dec, DossierKind

FRAMEWORK_SCHEMA = "jixiao.framework/1"


def _to_rate(value: Any) -> Any:
    """A rate written "90%" or as a fraction 0.9; both become the exact fraction."""
    if isinstance(value, str):
        text = value.strip().replace("％", "%")
        if text.endswith("%"):
            from jixiao.numbers import parse_number

            return parse_number(text[:-1]) / Decimal(100)
        from jixiao.numbers import parse_number

        return parse_number(text)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _rate_str(value: Decimal) -> str:
    from jixiao.numbers import format_decimal

    return f"{format_decimal(value * 100)}%"


# A rate in a framework file: "90%" or 0.9. Serialised back as "90%".
Rate = Annotated[
    Decimal,
    BeforeValidator(_to_rate),
    PlainSerializer(_rate_str, return_type=str),
    Field(json_schema_extra={"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?[0-9.]+%$"}]}),
]

ItemId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", min_length=1, max_length=80)]
KeyName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ------------------------------------------------------------------ value references


class RatioRef(_Model):
    """Numerator ÷ denominator, e.g. ``{ratio: [executed_total, budget_total]}``; amounts compared in 元."""

    ratio: tuple[KeyName, KeyName]


class ChangeRef(_Model):
    """(current − base) ÷ base, e.g. ``{change: [three_public_actual, prior_three_public_actual]}``."""

    change: tuple[KeyName, KeyName]
    absolute: bool = False


SingleRef = KeyName | RatioRef | ChangeRef
# A list is a fallback order: the first reference whose figures are all present is used.
ValueRef = SingleRef | list[SingleRef]


def ref_keys(ref: ValueRef) -> list[str]:
    refs = ref if isinstance(ref, list) else [ref]
    keys: list[str] = []
    for r in refs:
        if isinstance(r, str):
            keys.append(r)
        elif isinstance(r, RatioRef):
            keys.extend(r.ratio)
        else:
            keys.extend(r.change)
    return keys


# ------------------------------------------------------------------ rules


class _Rule(_Model):
    label: str | None = None  # how the derivation names the value ("预算完成率"); defaults to the item name


class RatioRule(_Rule):
    """score = value × weight, capped at the weight (or 0 above 100 % when ``over_full: zero``)."""

    kind: Literal["ratio"]
    value: ValueRef
    over_full: Literal["cap", "zero"] = "cap"


class LinearRule(_Rule):
    """0 below ``floor``; (value − floor) ÷ (full − floor) × weight between; full weight at ``full``."""

    kind: Literal["linear"]
    value: ValueRef
    floor: Rate
    full: Rate = Decimal(1)

    @model_validator(mode="after")
    def _order(self) -> LinearRule:
        if self.floor >= self.full:
            raise ValueError("floor（下限）必须小于 full（满分点）")
        return self


class Tier(_Model):
    op: Literal[">=", ">", "<=", "<", "=="]
    threshold: Rate
    score: Dec


class TiersRule(_Rule):
    """The first tier whose condition holds gives the score; none → ``otherwise`` (default 0)."""

    kind: Literal["tiers"]
    value: ValueRef
    tiers: list[Tier] = Field(min_length=1)
    otherwise: Dec = Decimal(0)


class DeductPerStepRule(_Rule):
    """Deduct ``points`` per ``step`` of distance from ``reference``; floored at 0.

    ``side``: which deviations count (above / below the reference, or both = absolute);
    ``partial``: whether a started step counts in full (ceil, "每增加5%（含）"), not at all (floor)
    or pro rata (proportional).
    """

    kind: Literal["deduct_per_step"]
    value: ValueRef
    reference: Rate = Decimal(0)
    side: Literal["above", "below", "both"] = "both"
    step: Rate
    points: Dec
    partial: Literal["ceil", "floor", "proportional"] = "ceil"

    @model_validator(mode="after")
    def _positive(self) -> DeductPerStepRule:
        if self.step <= 0:
            raise ValueError("step（每档幅度）必须大于 0")
        if self.points <= 0:
            raise ValueError("points（每档扣分）必须大于 0")
        return self


class ControlRule(_Rule):
    """Full weight while value ≤ ``limit``; above it 0, or (``over: linear``) falling to 0 at ``zero_at``."""

    kind: Literal["control"]
    value: ValueRef
    limit: Rate = Decimal(1)
    over: Literal["zero", "linear"] = "zero"
    zero_at: Rate | None = None

    @model_validator(mode="after")
    def _zero_at(self) -> ControlRule:
        if self.over == "linear" and (self.zero_at is None or self.zero_at <= self.limit):
            raise ValueError("over: linear 需要大于 limit 的 zero_at（得 0 分的比率）")
        return self


class Criterion(_Model):
    fact: str = Field(min_length=1)  # the question, answered under dossier.management[fact]
    points: Dec
    key: str | None = None  # optional short key that dossier.management may use instead of the fact text


class ChecklistRule(_Rule):
    """Criteria each worth part of the weight, answered 是/否/部分/a number of points."""

    kind: Literal["checklist"]
    criteria: list[Criterion] = Field(min_length=1)
    partial_share: Dec = Decimal("0.5")  # what "部分" earns, as a share of the criterion's points


class TargetsRule(_Rule):
    """Project indicators' attainment (年度指标值 vs 实际完成值), one child per project and indicator."""

    kind: Literal["targets"]
    level1: list[str] = Field(default_factory=list)  # keep only indicators of these 一级 (产出指标 …)
    level2: list[str] = Field(default_factory=list)
    overachieve_factor: Dec = Decimal("1.2")
    rescale: bool = True  # scale indicator weights to the item weight when they do not sum to it


class AdjustmentRule(_Rule):
    """Capped bonus (加分) minus capped penalty (减分) from dossier.adjustments."""

    kind: Literal["adjustment"]
    cap: Dec | None = None  # each side's cap; defaults to the item weight


class ManualRule(_Rule):
    """The score is given by hand in dossier.manual_scores[item id], with a reason."""

    kind: Literal["manual"]
    guidance: str | None = None


Rule = Annotated[
    RatioRule
    | LinearRule
    | TiersRule
    | DeductPerStepRule
    | ControlRule
    | ChecklistRule
    | TargetsRule
    | AdjustmentRule
    | ManualRule,
    Field(discriminator="kind"),
]

RULE_KINDS: dict[str, type[BaseModel]] = {
    "ratio": RatioRule,
    "linear": LinearRule,
    "tiers": TiersRule,
    "deduct_per_step": DeductPerStepRule,
    "control": ControlRule,
    "checklist": ChecklistRule,
    "targets": TargetsRule,
    "adjustment": AdjustmentRule,
    "manual": ManualRule,
}

RULE_KIND_NAMES: dict[str, str] = {
    "ratio": "比率×分值",
    "linear": "区间线性",
    "tiers": "分档",
    "deduct_per_step": "按档扣分",
    "control": "控制率",
    "checklist": "要点核对",
    "targets": "绩效指标完成情况",
    "adjustment": "加减分",
    "manual": "人工评分",
}


# ------------------------------------------------------------------ items and framework


class FrameworkItem(_Model):
    id: ItemId
    name: str = Field(min_length=1)
    weight: Dec
    explanation: str | None = None  # 指标解释
    criteria_text: str | None = None  # 评分标准, as printed
    note: str | None = None  # shown in the scorecard's notes (e.g. which reading of an ambiguous rule)
    bonus: bool = False  # 加减分: outside the 100, capped by bonus_cap
    rule: Rule | None = None
    alternatives: list[Rule] = Field(default_factory=list)  # other readings, only to explain stated scores
    children: list[FrameworkItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rule_or_children(self) -> FrameworkItem:
        if self.children and self.rule is not None:
            raise ValueError(f"指标“{self.name}”既有下级指标又有评分规则，只能二选一")
        if not self.children and self.rule is None:
            raise ValueError(f"末级指标“{self.name}”缺少评分规则 rule")
        return self

    def walk(self) -> list[FrameworkItem]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


class GradeBand(_Model):
    grade: str = Field(min_length=1)
    min: Dec  # lowest total (inclusive) that earns this grade


DEFAULT_GRADE_BANDS = [
    GradeBand(grade="优", min=Decimal(90)),
    GradeBand(grade="良", min=Decimal(80)),
    GradeBand(grade="中", min=Decimal(60)),
    GradeBand(grade="差", min=Decimal(0)),
]


class ItemOverride(_Model):
    """Fields of an inherited item to replace; anything left out is kept."""

    name: str | None = None
    weight: Dec | None = None
    explanation: str | None = None
    criteria_text: str | None = None
    note: str | None = None
    rule: Rule | None = None
    alternatives: list[Rule] | None = None


class ItemAddition(_Model):
    under: ItemId | None = None  # parent item id; omitted → a new top-level item
    after: ItemId | None = None  # sibling to insert after; omitted → appended
    item: FrameworkItem


class MatchHints(_Model):
    """How a report written against this framework is recognised (``jixiao.frameworks.detect``).

    Every field is optional; a field left out is inherited from the framework this one ``extends`` and
    a field written replaces the parent's (``[]`` clears it). Indicator names are always a signal too.
    """

    # Any one of these in the report's title or opening lines ("部门整体支出绩效自评").
    title_keywords: list[Annotated[str, Field(min_length=1)]] | None = None
    # Any one naming where the unit is ("广州", "海珠区"): in the title or unit name; weaker in the body.
    region_keywords: list[Annotated[str, Field(min_length=1)]] | None = None
    # The report type this framework scores; defaults to the framework's ``kind``.
    kind: DossierKind | None = None
    # Other terms reports of this framework print (headings, captions, an indicator's other name), counted
    # like indicator names.
    keywords: list[Annotated[str, Field(min_length=1)]] | None = None


def merge_match(parent: MatchHints | None, own: MatchHints | None) -> MatchHints:
    """A child's hints over its parent's, field by field (the ``extends`` semantics of ``region``)."""
    if parent is None:
        return own.model_copy() if own is not None else MatchHints()
    if own is None:
        return parent.model_copy()
    return parent.model_copy(update={name: getattr(own, name) for name in own.model_fields_set})


class FrameworkDocument(_Model):
    """One framework YAML file as written."""

    schema_: Literal["jixiao.framework/1"] = Field(FRAMEWORK_SCHEMA, alias="schema")
    id: ItemId
    name: str = Field(min_length=1)
    kind: DossierKind | None = None
    region: str | None = None
    description: str | None = None
    basis: str | None = None  # the policy documents it follows
    extends: str | None = None
    grade_bands: list[GradeBand] | None = None
    bonus_cap: Dec | None = None
    # True when the printed 总分 100 includes the 加减分 item's weight (Guangzhou: 45 + 50 + 5 = 100);
    # False when bonus/penalty comes on top of a 100-point tree.
    bonus_in_total: bool | None = None
    figure_keys: dict[KeyName, str] = Field(default_factory=dict)  # extra keys with their Chinese labels
    match: MatchHints | None = None  # how reports written against it are recognised
    items: list[FrameworkItem] | None = None
    override: dict[ItemId, ItemOverride] = Field(default_factory=dict)
    remove: list[ItemId] = Field(default_factory=list)
    add: list[ItemAddition] = Field(default_factory=list)


class Framework(_Model):
    """A resolved framework: the tree scoring reads."""

    id: str
    name: str
    kind: DossierKind
    region: str | None = None
    description: str | None = None
    basis: str | None = None
    parent: str | None = None
    source: str | None = None
    grade_bands: list[GradeBand] = Field(default_factory=lambda: list(DEFAULT_GRADE_BANDS))
    bonus_cap: Dec = Decimal(0)
    bonus_in_total: bool = False
    figure_keys: dict[str, str] = Field(default_factory=dict)
    # Resolved hints (own over inherited) when the loader fills them; None: read from ``source`` on demand.
    match: MatchHints | None = None
    items: list[FrameworkItem]

    @property
    def max_total(self) -> Decimal:
        """The printed 总分 (100): regular items, plus the 加减分 weight when the framework counts it in."""
        return sum((i.weight for i in self.items if self.bonus_in_total or not i.bonus), Decimal(0))

    def walk(self) -> list[FrameworkItem]:
        out: list[FrameworkItem] = []
        for item in self.items:
            out.extend(item.walk())
        return out

    def find(self, id_or_name: str) -> FrameworkItem | None:
        """By id, else by name when the name is unique in the tree."""
        items = self.walk()
        for item in items:
            if item.id == id_or_name:
                return item
        named = [i for i in items if i.name == id_or_name]
        return named[0] if len(named) == 1 else None

    def grade_for(self, total: Decimal) -> str | None:
        for band in sorted(self.grade_bands, key=lambda b: b.min, reverse=True):
            if total >= band.min:
                return band.grade
        return None


class FrameworkInfo(_Model):
    id: str
    name: str
    kind: str
    source: str
    parent: str | None = None
    builtin: bool = False
