"""The dossier edit form: field names, the rows to show, and form → Dossier with field-level Chinese errors.

Numbers are read as people type them ("1,234.5", "865.44万元", "98.5%"); when the text carries no unit the
row's unit selector supplies it, so no amount is ever stored without a unit. A figure whose value the user
did not change keeps its provenance (where it was extracted from); a changed one is the user's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from jixiao.errors import JixiaoError
from jixiao.model import Dossier
from jixiao.web.messages import field_errors

try:  # the canonical keys and labels live with the frameworks
    from jixiao.figure_keys import FIGURE_KEYS
except ImportError:  # pragma: no cover - frameworks package missing
    FIGURE_KEYS = {}

# Shown in the "stated" section, not as figures.
_NOT_FIGURES = {"stated_score", "stated_grade"}
AMOUNT_UNITS = ("万元", "元", "亿元")
TEXT_PARTS = ("基本情况", "工作成效", "存在的问题", "改进措施", "结果应用")
INDICATOR_FIELDS = (
    "name",
    "level1",
    "level2",
    "weight",
    "target",
    "actual",
    "stated_score",
    "deviation_reason",
)
BLANK_INDICATOR_ROWS = 2
BLANK_PROJECT_ROWS = 1
BLANK_EXTRA_FIGURES = 2


def figure_kind(key: str) -> str:
    base = key.removeprefix("prior_")
    if base.endswith("_rate") or base in {"fixed_assets_utilization"}:
        return "rate"
    if base in {"targets_achieved", "targets_declared"}:
        return "count"
    return "amount"


def unit_choices(key: str) -> tuple[str, ...]:
    return {"rate": ("%",), "count": ("个", "")}.get(figure_kind(key), AMOUNT_UNITS)


def figure_label(key: str) -> str:
    if key.startswith("prior_") and key[6:] in FIGURE_KEYS:
        return f"上年{FIGURE_KEYS[key[6:]]}"
    return FIGURE_KEYS.get(key, key)


@dataclass(frozen=True)
class FigureRow:
    key: str
    needed: bool
    label: str
    text: str
    unit: str
    units: tuple[str, ...]
    source: str | None  # "第12行：“……”" when extracted


def figure_rows(dossier: Dossier, needed: list[str] | None = None) -> list[FigureRow]:
    """Rows for every canonical key; the keys the framework's rules read come first."""
    from jixiao.numbers import format_decimal

    keys = [k for k in (needed or []) if k not in _NOT_FIGURES]
    keys += [k for k in FIGURE_KEYS if k not in _NOT_FIGURES and k not in keys]
    keys += [k for k in dossier.figures if k not in keys and k not in _NOT_FIGURES]
    rows = []
    for key in keys:
        fig = dossier.figures.get(key)
        units = unit_choices(key)
        source = None
        if fig is not None and fig.source is not None:
            where = fig.source.describe()
            quote = (fig.source.quote or "").strip()
            source = f"{where}：“{quote[:80]}”" if quote else where
        unit = fig.unit if fig is not None else units[0]
        if unit not in units:
            units = (unit, *units)
        rows.append(
            FigureRow(
                key,
                key in (needed or []),
                figure_label(key),
                format_decimal(fig.value) if fig else "",
                unit,
                units,
                source,
            )
        )
    return rows


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _figure(text: str, unit: str, label: str, errors: dict[str, str], field: str) -> dict[str, str] | None:
    from jixiao.numbers import parse_quantity

    try:
        q = parse_quantity(text)
    except JixiaoError as exc:
        errors[field] = f"{label}：{exc.message}"
        return None
    final_unit = q.unit or unit
    if final_unit in {"万", "亿"}:
        final_unit += "元"
    return {"value": str(q.value), "unit": final_unit}


def _check_target(text: str, errors: dict[str, str], field: str) -> None:
    """年度指标值 as written ("≥95%", "不低于250人", "有效提升"); garbage is caught before scoring sees it."""
    try:
        from jixiao.targets import parse_target
    except ImportError:  # pragma: no cover - targets package missing
        return
    try:
        parse_target(text)
    except JixiaoError as exc:
        errors[field] = f"年度指标值：{exc.message}"


def dossier_from_form(form: Mapping[str, Any], base: Dossier) -> tuple[Dossier | None, dict[str, str]]:
    """Apply the form to ``base`` (parts the form does not show — management answers, manual scores,
    adjustments, stated item scores — are kept as they are)."""
    from jixiao.numbers import parse_number

    errors: dict[str, str] = {}
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    if "framework" in form:
        data["framework"] = _text(form, "framework") or None
        if data["framework"] is None:
            data.pop("framework")

    figures: dict[str, Any] = {}
    for name in form:
        if not name.startswith("fig.") or name.endswith(".unit"):
            continue
        key = name[4:]
        text = _text(form, name)
        if not text:
            continue
        fig = _figure(text, _text(form, f"{name}.unit"), figure_label(key), errors, name)
        if fig is None:
            continue
        old = base.figures.get(key)
        if old is not None and str(old.value) == fig["value"] and old.unit == fig["unit"]:
            figures[key] = old.model_dump(mode="json", exclude_none=True)  # unchanged: keep provenance
        else:
            figures[key] = fig
    index = 0
    while f"figx.{index}.key" in form:
        key, text = _text(form, f"figx.{index}.key"), _text(form, f"figx.{index}.value")
        if key and text:
            if not key.replace("_", "").isalnum() or not key.isascii() or not key[0].isalpha():
                errors[f"figx.{index}.key"] = f"数值代码“{key}”无效：只能用英文字母、数字和下划线，以字母开头"
            else:
                fig = _figure(text, _text(form, f"figx.{index}.unit"), key, errors, f"figx.{index}.value")
                if fig is not None:
                    figures[key.lower()] = fig
        elif text and not key:
            errors[f"figx.{index}.key"] = "请填写数值代码"
        index += 1
    data["figures"] = figures

    projects: list[dict[str, Any]] = []
    p = 0
    while f"p.{p}.name" in form:
        name = _text(form, f"p.{p}.name")
        project: dict[str, Any] = (
            dict(base.projects[p].model_dump(mode="json", exclude_none=True))
            if p < len(base.projects)
            else {}
        )
        project["name"] = name
        for part in ("budget", "executed"):
            text = _text(form, f"p.{p}.{part}")
            project.pop(part, None)
            if text:
                fig = _figure(
                    text,
                    _text(form, f"p.{p}.{part}.unit") or "万元",
                    "项目预算数" if part == "budget" else "项目执行数",
                    errors,
                    f"p.{p}.{part}",
                )
                if fig is not None:
                    project[part] = fig
        indicators = []
        i = 0
        while f"p.{p}.i.{i}.name" in form:
            values = {f: _text(form, f"p.{p}.i.{i}.{f}") for f in INDICATOR_FIELDS}
            if any(values.values()):
                old = (
                    base.projects[p].indicators[i].model_dump(mode="json", exclude_none=True)
                    if p < len(base.projects) and i < len(base.projects[p].indicators)
                    else {}
                )
                row: dict[str, Any] = {k: v for k, v in old.items() if k not in INDICATOR_FIELDS}
                if not values["name"]:
                    errors[f"p.{p}.i.{i}.name"] = "请填写指标名称"
                for f in ("weight", "stated_score"):
                    if values[f]:
                        try:
                            row[f] = str(parse_number(values[f]))
                        except JixiaoError as exc:
                            errors[f"p.{p}.i.{i}.{f}"] = (
                                f"{'分值' if f == 'weight' else '自评得分'}：{exc.message}"
                            )
                if not values["weight"]:
                    errors[f"p.{p}.i.{i}.weight"] = "请填写分值"
                if values["target"]:
                    _check_target(values["target"], errors, f"p.{p}.i.{i}.target")
                for f in ("name", "level1", "level2", "target", "actual", "deviation_reason"):
                    if values[f]:
                        row[f] = values[f]
                indicators.append(row)
            i += 1
        project["indicators"] = indicators
        if name:
            projects.append(project)
        elif indicators:
            errors[f"p.{p}.name"] = "请填写项目名称"
        p += 1
    if any(k.startswith("p.") for k in form):
        data["projects"] = projects

    stated = dict(data.get("stated") or {})
    for f in ("total", "grade"):
        if f"stated.{f}" in form:
            stated.pop(f, None)
            text = _text(form, f"stated.{f}")
            if text and f == "total":
                try:
                    stated["total"] = str(parse_number(text))
                except JixiaoError as exc:
                    errors["stated.total"] = f"自评总分：{exc.message}"
            elif text:
                stated["grade"] = text
    data["stated"] = stated

    texts = dict(data.get("texts") or {})
    for name in form:
        if name.startswith("text."):
            part = name[5:]
            value = form[name].strip() if isinstance(form[name], str) else ""
            if value:
                texts[part] = value
            else:
                texts.pop(part, None)
    data["texts"] = texts
    apply_framework_fields(form, data, errors)

    if errors:
        return None, errors
    try:
        return Dossier.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)


# ------------------------------------------------------------------ inputs a framework asks for


@dataclass(frozen=True)
class Question:
    field: str  # form field: "mgmt.<key or fact>"
    fact: str
    points: str
    answer: str


@dataclass(frozen=True)
class ChecklistGroup:
    item: str  # the item's name path, e.g. "管理效能 › 绩效管理 › 绩效指标明确性"
    weight: str
    questions: list[Question]


@dataclass(frozen=True)
class ManualItem:
    id: str
    name: str
    weight: str
    guidance: str
    score: str
    reason: str


@dataclass
class FrameworkInputs:
    checklists: list[ChecklistGroup]
    manual: list[ManualItem]
    adjustment_items: list[tuple[str, str]]  # (id, name)
    needed_keys: list[str]


def framework_inputs(framework: Any, dossier: Dossier) -> FrameworkInputs:
    """The questions, manual items and figures a framework's rules read, with the dossier's answers."""
    from jixiao.frameworks.model import ref_keys
    from jixiao.numbers import format_decimal

    out = FrameworkInputs([], [], [], [])
    if framework is None:
        return out

    def visit(item: Any, path: list[str]) -> None:
        names = [*path, item.name]
        rule = item.rule
        if rule is not None:
            kind = getattr(rule, "kind", "")
            if kind == "checklist":
                questions = []
                for c in rule.criteria:
                    key = c.key or c.fact
                    raw = dossier.management.get(c.fact, dossier.management.get(c.key or "", None))
                    answer = (
                        ""
                        if raw is None
                        else (
                            "是"
                            if raw is True
                            else "否"
                            if raw is False
                            else format_decimal(raw)
                            if not isinstance(raw, str)
                            else raw
                        )
                    )
                    questions.append(Question(f"mgmt.{key}", c.fact, format_decimal(c.points), answer))
                out.checklists.append(
                    ChecklistGroup(" › ".join(names), format_decimal(item.weight), questions)
                )
            elif kind == "manual":
                given = dossier.manual_scores.get(item.id)
                out.manual.append(
                    ManualItem(
                        item.id,
                        " › ".join(names),
                        format_decimal(item.weight),
                        rule.guidance or item.criteria_text or "",
                        format_decimal(given.score) if given else "",
                        given.reason if given else "",
                    )
                )
            elif kind == "adjustment":
                out.adjustment_items.append((item.id, item.name))
            value = getattr(rule, "value", None)
            if value is not None:
                for key in ref_keys(value):
                    if key not in out.needed_keys:
                        out.needed_keys.append(key)
        for child in item.children:
            visit(child, names)

    for top in framework.items:
        visit(top, [])
    return out


ADJUSTMENT_ROWS_BLANK = 1


def apply_framework_fields(form: Mapping[str, Any], data: dict[str, Any], errors: dict[str, str]) -> None:
    """Management answers, manual scores and 加减分 rows from the form into dossier data."""
    from jixiao.numbers import parse_number

    if any(k.startswith("mgmt.") for k in form):
        management = dict(data.get("management") or {})
        for name in form:
            if name.startswith("mgmt."):
                key, answer = name[5:], _text(form, name)
                if answer:
                    management[key] = answer
                else:
                    management.pop(key, None)
        data["management"] = management
    manual = dict(data.get("manual_scores") or {})
    for name in form:
        if name.startswith("manual.") and name.endswith(".score"):
            item_id = name[7:-6]
            score_text, reason = _text(form, name), _text(form, f"manual.{item_id}.reason")
            if not score_text:
                manual.pop(item_id, None)
                continue
            try:
                manual[item_id] = {
                    "score": str(parse_number(score_text.removesuffix("分"))),
                    "reason": reason,
                }
            except JixiaoError as exc:
                errors[name] = f"人工评分：{exc.message}"
                continue
            if not reason:
                errors[f"manual.{item_id}.reason"] = "人工评分须写明理由"
    data["manual_scores"] = manual
    if "adj.0.kind" in form:
        rows = []
        n = 0
        while f"adj.{n}.kind" in form:
            points_text, reason = _text(form, f"adj.{n}.points"), _text(form, f"adj.{n}.reason")
            if points_text or reason:
                row: dict[str, Any] = {"kind": _text(form, f"adj.{n}.kind") or "减分", "reason": reason}
                if _text(form, f"adj.{n}.item"):
                    row["item"] = _text(form, f"adj.{n}.item")
                try:
                    row["points"] = str(parse_number(points_text.removesuffix("分")))
                except JixiaoError as exc:
                    errors[f"adj.{n}.points"] = f"加减分分值：{exc.message}"
                if not reason:
                    errors[f"adj.{n}.reason"] = "请写明加减分理由"
                rows.append(row)
            n += 1
        data["adjustments"] = rows
