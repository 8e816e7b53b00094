"""The extraction result: the dossier it proposes plus everything it saw, each with provenance."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jixiao.model import EXTRACTION_SCHEMA, Dec, Dossier, Figure, Provenance


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Mention(_Model):
    """A number with its unit as written, the words that name it, and where it stands."""

    value: Dec
    unit: str
    text: str
    label: str = ""
    source: Provenance
    section: list[str] = Field(default_factory=list)


class SubScore(_Model):
    """A stated score of one part of the framework ("资金管理：分值 16 分，自评分 15.1 分")."""

    name: str
    score: Dec
    max: Dec | None = None
    source: Provenance


IndicatorLayout = Literal["rule", "target", "narrative"]


class IndicatorRow(_Model):
    """One row of an indicator table, or a target/actual pair stated in prose.

    ``layout`` says which: "rule" rows carry 分值/评分标准/得分 (management indicators), "target" rows
    carry 年度指标值/实际完成值, "narrative" rows come from sentences. ``name`` may be missing when
    a flattened table lost the cell; ``explanation`` then still says what the row measures.
    """

    name: str | None = None
    # the table lost the name cell; ``name`` is that of the framework item the row describes
    name_inferred: bool = False
    level1: str | None = None
    level1_weight: Dec | None = None
    level2: str | None = None
    level2_weight: Dec | None = None
    weight: Dec | None = None
    target: str | None = None
    actual: str | None = None
    stated_score: Dec | None = None
    explanation: str | None = None
    rule: str | None = None
    basis: str | None = None
    evidence: str | None = None
    layout: IndicatorLayout
    source: Provenance


class OutlineNode(_Model):
    title: str
    number: str | None = None
    level: int
    start: int
    end: int
    children: list[OutlineNode] = Field(default_factory=list)


class Extraction(_Model):
    schema_: str = Field(EXTRACTION_SCHEMA, alias="schema")
    file: str
    format: str
    dossier: Dossier
    statements: dict[str, list[Figure]] = Field(default_factory=dict)
    mentions: list[Mention] = Field(default_factory=list)
    sub_scores: list[SubScore] = Field(default_factory=list)
    indicators: list[IndicatorRow] = Field(default_factory=list)
    outline: list[OutlineNode] = Field(default_factory=list)
    meta_sources: dict[str, Provenance] = Field(default_factory=dict)  # where unit/year/kind were read
    warnings: list[str] = Field(default_factory=list)
