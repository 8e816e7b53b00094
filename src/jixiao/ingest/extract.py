"""Public entry points of extraction: a report (any format `read_document` reads) → `Extraction`.

    extract_file(path, *, ocr=False) -> Extraction
    extract_document(doc) -> Extraction

The `Extraction` holds the proposed `Dossier` (one value per canonical figure, with its source), every
statement of every figure (conflicts kept, never resolved silently), every number-with-unit mention with
its label and section, stated scores and sub-scores, indicator rows and the outline.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from jixiao.errors import InputError
from jixiao.ingest.document import Document
from jixiao.ingest.outline import Section, build_outline, iter_sections, section_path
from jixiao.model import Dossier, Indicator, Project, Provenance, Stated, Unit

from .extraction.context import YEAR_RE
from .extraction.figures import (
    choose,
    declared_table_unit,
    formula_statements,
    narrative_statements,
    table_statements,
)
from .extraction.indicators import narrative_indicators, table_indicators
from .extraction.mentions import find_hits
from .extraction.meta import read_meta
from .extraction.model import Extraction, IndicatorRow, OutlineNode
from .extraction.names import item_for_label, recover_names
from .extraction.scores import find_scores

__all__ = ["Extraction", "extract_document", "extract_file"]

UNKNOWN_UNIT = "（未识别的单位）"


def extract_file(path: str | Path, *, ocr: bool = False) -> Extraction:
    from jixiao.ingest import read_document

    return extract_document(read_document(path, ocr=ocr))


def _outline_nodes(sections: list[Section]) -> list[OutlineNode]:
    return [
        OutlineNode(
            title=s.title,
            number=s.number or None,
            level=s.level,
            start=s.start,
            end=s.end,
            children=_outline_nodes(s.children),
        )
        for s in sections
    ]


def _section_lookup(outline: list[Section]) -> Callable[[int], list[str]]:
    """`section_path` for many offsets: offsets between two consecutive section boundaries share a path,
    so it is computed once per gap."""
    bounds = sorted({b for s in iter_sections(outline) for b in (s.start, s.end)})
    cache: dict[int, list[str]] = {}

    def section_of(offset: int) -> list[str]:
        gap = bisect.bisect_right(bounds, offset)
        path = cache.get(gap)
        if path is None:
            path = cache[gap] = section_path(outline, offset)
        return list(path)

    return section_of


def _fallback_year(doc: Document) -> int | None:
    years = Counter(y for y in (int(x) for x in YEAR_RE.findall(doc.text)) if 1990 <= y <= 2100)
    return years.most_common(1)[0][0] if years else None


def _project_name(level2: str) -> str:
    """ "(康复经费)为有康复需求的…" → "康复经费": the bracketed head names the project."""
    m = re.match(r"^\s*[（(]([^()（）]{2,40})[)）]", level2)
    if m:
        return m.group(1).strip()
    return level2 if len(level2) <= 30 else level2[:30] + "…"


def _projects(rows: list[IndicatorRow], warnings: list[str]) -> list[Project]:
    projects: dict[str, Project] = {}
    skipped = 0
    for r in rows:
        if r.layout != "target":
            continue
        if not r.name or r.weight is None:
            skipped += 1
            continue
        key = r.level2 or r.level1 or "（未分组指标）"
        if key not in projects:
            projects[key] = Project(
                name=_project_name(key),
                description=key if key != _project_name(key) else None,
                weight=r.level2_weight,
            )
        p = projects[key]
        if p.weight is None and r.level2_weight is not None:
            p.weight = r.level2_weight
        p.indicators.append(
            Indicator(
                name=r.name,
                level1=r.level1,
                level2=None,
                weight=r.weight,
                target=r.target,
                actual=r.actual,
                stated_score=r.stated_score,
                deviation_reason=r.basis if r.basis and r.basis not in {"无", "/", "-"} else None,
                evidence=r.evidence,
                source=r.source,
            )
        )
    if skipped:
        warnings.append(f"{skipped} 行项目指标缺少名称或分值，未放入档案的项目中（仍在 indicators 中）")
    return list(projects.values())


def extract_document(doc: Document) -> Extraction:
    warnings: list[str] = list(doc.warnings)
    outline = build_outline(doc)
    section_of = _section_lookup(outline)

    meta = read_meta(doc)
    year = meta.year
    if year is None:
        year = _fallback_year(doc)
        if year is None:
            raise InputError("未能识别评价年度：标题和正文中都没有“YYYY年度”", file=doc.path)
        warnings.append(f"标题中未写评价年度，按正文中最常出现的年份 {year} 计")
    elif not meta.year_in_title and meta.year_source is not None:
        warnings.append(
            f"标题中未写评价年度，按正文“{meta.year_source.quote}”（{meta.year_source.describe()}）计为 {year}"
        )
    if meta.unit is None:
        warnings.append("未能识别单位名称（标题、“单位名称”栏和正文开头都没有找到），请在档案中填写")
    if not meta.kind_stated:
        warnings.append("标题未说明是部门整体还是项目支出绩效自评，按部门整体计")

    hits = find_hits(doc, section_of)
    rows = table_indicators(doc, section_of) + narrative_indicators(doc, section_of)
    recover_names(rows)
    inferred = [r.name for r in rows if r.name_inferred and r.name]
    if inferred:
        warnings.append(
            f"评分表有 {len(inferred)} 行未印三级指标名称，已按指标体系中分值、上级指标和指标解释相符的指标"
            f"拟定：{'、'.join(inferred)}，请核对"
        )
    statements = narrative_statements(doc, hits, year)
    for block in doc.tables():
        statements.extend(table_statements(doc, block, section_of, year))
    statements.extend(formula_statements(doc, rows, section_of, declared_table_unit(doc)))
    figures, all_statements = choose(statements)
    for key, figs in all_statements.items():
        if len({(f.value, f.unit) for f in figs}) > 1:
            warnings.append(figures[key].note or key)

    scores = find_scores(doc, section_of)
    if len({v for v, _ in scores.totals_seen}) > 1:
        seen = "、".join(f"{v}（{src.describe()}）" for v, src in scores.totals_seen)
        warnings.append(f"文中自评总分前后不一致：{seen}；取第一次出现的值")

    stated = Stated(total=scores.total, grade=scores.grade)
    if scores.total_source:
        stated.sources["total"] = scores.total_source
    if scores.grade_source:
        stated.sources["grade"] = scores.grade_source
    for sub in scores.sub_scores:
        stated.items.setdefault(sub.name, sub.score)
        stated.sources.setdefault(sub.name, sub.source)
    for d in scores.deductions:
        item = item_for_label(d.label, d.parent)
        if item is not None and item.name not in stated.items and d.points <= item.weight:
            # the report states what the item lost; its stated score is the rest of the item's weight
            stated.items[item.name] = item.weight - d.points
            stated.sources[item.name] = d.source
    for r in rows:
        if r.layout == "rule" and r.name and r.stated_score is not None and r.name not in stated.items:
            stated.items[r.name] = r.stated_score
            stated.sources[r.name] = r.source

    unit_source: Provenance | None = meta.unit_source
    dossier = Dossier(
        unit=Unit(name=meta.unit or UNKNOWN_UNIT),
        year=year,
        kind=meta.kind,
        figures=figures,
        projects=_projects(rows, warnings),
        stated=stated,
    )
    meta_sources = {k: v for k, v in (("unit", unit_source), ("year", meta.year_source)) if v is not None}

    return Extraction(
        file=doc.path,
        format=doc.format,
        dossier=dossier,
        statements=all_statements,
        mentions=[h.mention for h in hits],
        sub_scores=scores.sub_scores,
        indicators=rows,
        outline=_outline_nodes(outline),
        meta_sources=meta_sources,
        warnings=warnings,
    )
