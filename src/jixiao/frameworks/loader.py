"""Load a framework YAML file: schema check, typed parse, inheritance, then consistency checks.

Every error is a ``FrameworkError`` naming the file and line: unknown rule kinds, missing rule
parameters, unknown figure keys, children whose weights do not sum to their parent, a top level that
does not sum to 100.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
from pydantic import BaseModel, ValidationError

from jixiao.errors import FrameworkError, JixiaoError
from jixiao.figure_keys import is_known_key
from jixiao.frameworks.model import (
    DEFAULT_GRADE_BANDS,
    RULE_KINDS,
    ChecklistRule,
    Framework,
    FrameworkDocument,
    FrameworkItem,
    TiersRule,
    merge_match,
    ref_keys,
)
from jixiao.frameworks.schema import framework_schema
from jixiao.frameworks.values import points
from jixiao.yamlio import LinePath, describe_validation_error, line_of, load_data

TOP_TOTAL = Decimal(100)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Origin:
    file: str
    line: int | None
    weight_line: int | None


Origins = dict[str, Origin]
ParentLoader = Callable[[str, Path, frozenset[str]], tuple[Framework, Origins]]


def _error(message: str, file: str, lines: dict[LinePath, int], path: tuple[Any, ...]) -> FrameworkError:
    return FrameworkError(message, file=file, line=line_of(lines, path))


def _as_framework_error(exc: JixiaoError) -> FrameworkError:
    return FrameworkError(exc.message, file=exc.file, line=exc.line, location=exc.location)


def _validate_model(model: type[M], data: Any, file: str, lines: dict[LinePath, int], prefix: LinePath) -> M:
    """Validate ``data`` (found at ``prefix`` in the file) with errors mapped to the file's lines."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        shifted = {k[len(prefix) :]: v for k, v in lines.items() if k[: len(prefix)] == prefix}
        raise _as_framework_error(describe_validation_error(exc, file, shifted)) from None


def _raw_rules(data: dict[str, Any]) -> Iterator[tuple[LinePath, Any]]:
    """Every rule mapping in the raw document, with its key path."""

    def item_rules(item: Any, path: LinePath) -> Iterator[tuple[LinePath, Any]]:
        if not isinstance(item, dict):
            return
        if "rule" in item:
            yield (*path, "rule"), item["rule"]
        for n, alt in enumerate(item.get("alternatives") or []):
            yield (*path, "alternatives", n), alt
        for n, child in enumerate(item.get("children") or []):
            yield from item_rules(child, (*path, "children", n))

    for n, item in enumerate(data.get("items") or []):
        yield from item_rules(item, ("items", n))
    for item_id, change in (data.get("override") or {}).items():
        if isinstance(change, dict):
            if "rule" in change:
                yield ("override", item_id, "rule"), change["rule"]
            for n, alt in enumerate(change.get("alternatives") or []):
                yield ("override", item_id, "alternatives", n), alt
    for n, addition in enumerate(data.get("add") or []):
        if isinstance(addition, dict):
            yield from item_rules(addition.get("item"), ("add", n, "item"))


def _check_rules(data: dict[str, Any], file: str, lines: dict[LinePath, int]) -> None:
    """Rule errors first, with the rule kind's own message — a union schema would only say "no match"."""
    kinds = "、".join(RULE_KINDS)
    for path, rule in _raw_rules(data):
        if not isinstance(rule, dict):
            raise _error("评分规则 rule 应为键值映射（含 kind 及参数）", file, lines, path)
        kind = rule.get("kind")
        if kind is None:
            raise _error(f"评分规则缺少 kind（可选：{kinds}）", file, lines, path)
        if kind not in RULE_KINDS:
            raise _error(f"未知的评分规则类型“{kind}”（可选：{kinds}）", file, lines, (*path, "kind"))
        _validate_model(RULE_KINDS[kind], rule, file, lines, path)


def _check_schema(data: Any, file: str, lines: dict[LinePath, int]) -> None:
    validator = jsonschema.Draft202012Validator(framework_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or "（根）"
    if error.validator == "required":
        message = f"{where}：缺少必填项（{error.message.split(' ')[0]}）"
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in known]
        path = (*path, extra[0]) if extra else path
        message = f"{where}：有不认识的字段“{'、'.join(map(str, extra))}”（可能拼写错误）"
    elif error.validator in ("type", "anyOf", "oneOf"):
        message = f"{where}：类型或格式不符合指标体系格式（{error.message}）"
    else:
        message = f"{where}：{error.message}"
    raise _error(f"不符合指标体系格式 framework.schema.json：{message}", file, lines, path)


def read_document(path: Path) -> tuple[FrameworkDocument, dict[LinePath, int]]:
    file = str(path)
    try:
        data, lines = load_data(path)
    except JixiaoError as exc:
        raise _as_framework_error(exc) from None
    if not isinstance(data, dict):
        raise FrameworkError("指标体系文件内容应为键值映射（YAML 字典）", file=file, line=1)
    _check_rules(data, file, lines)
    _check_schema(data, file, lines)
    document = _validate_model(FrameworkDocument, data, file, lines, ())
    return document, lines


# ------------------------------------------------------------------ resolving inheritance


def _origins(items: list[FrameworkItem], file: str, lines: dict[LinePath, int], path: LinePath) -> Origins:
    out: Origins = {}
    for n, item in enumerate(items):
        here = (*path, n)
        out[item.id] = Origin(file, lines.get(here), lines.get((*here, "weight")))
        out.update(_origins(item.children, file, lines, (*here, "children")))
    return out


def _find_parent_list(items: list[FrameworkItem], item_id: str) -> tuple[list[FrameworkItem], int] | None:
    for n, item in enumerate(items):
        if item.id == item_id:
            return items, n
        found = _find_parent_list(item.children, item_id)
        if found:
            return found
    return None


def _apply_changes(
    base: Framework, doc: FrameworkDocument, origins: Origins, file: str, lines: dict[LinePath, int]
) -> list[FrameworkItem]:
    items = [i.model_copy(deep=True) for i in base.items]
    for n, item_id in enumerate(doc.remove):
        found = _find_parent_list(items, item_id)
        if not found:
            raise _error(f"remove：上级指标体系“{base.id}”中没有指标“{item_id}”", file, lines, ("remove", n))
        siblings, index = found
        removed = siblings.pop(index)
        for gone in removed.walk():
            origins.pop(gone.id, None)
    for item_id, change in doc.override.items():
        found = _find_parent_list(items, item_id)
        if not found:
            raise _error(
                f"override：上级指标体系“{base.id}”中没有指标“{item_id}”", file, lines, ("override", item_id)
            )
        siblings, index = found
        # Attributes, not model_dump: the typed values (Decimal weights, rule models) must stay typed.
        updates = {name: getattr(change, name) for name in change.model_fields_set}
        if siblings[index].children and change.rule is not None:
            raise _error(
                f"override：指标“{item_id}”有下级指标，不能指定评分规则", file, lines, ("override", item_id)
            )
        siblings[index] = siblings[index].model_copy(update=updates)
        old = origins.get(item_id)
        origins[item_id] = Origin(
            file,
            lines.get(("override", item_id)),
            lines.get(("override", item_id, "weight")) or (old.weight_line if old else None),
        )
    for n, addition in enumerate(doc.add):
        here = ("add", n)
        if addition.under is None:
            target = items
        else:
            found = _find_parent_list(items, addition.under)
            if not found:
                raise _error(f"add：没有上级指标“{addition.under}”", file, lines, (*here, "under"))
            siblings, index = found
            if siblings[index].rule is not None:
                raise _error(
                    f"add：指标“{addition.under}”是末级指标（有评分规则），不能在其下添加指标",
                    file,
                    lines,
                    here,
                )
            target = siblings[index].children
        position = len(target)
        if addition.after is not None:
            ids = [i.id for i in target]
            if addition.after not in ids:
                raise _error(f"add：同级指标中没有“{addition.after}”", file, lines, (*here, "after"))
            position = ids.index(addition.after) + 1
        target.insert(position, addition.item)
        origins.update(_item_origins(addition.item, file, lines, (*here, "item")))
    return items


def _item_origins(item: FrameworkItem, file: str, lines: dict[LinePath, int], path: LinePath) -> Origins:
    out: Origins = {item.id: Origin(file, lines.get(path), lines.get((*path, "weight")))}
    out.update(_origins(item.children, file, lines, (*path, "children")))
    return out


def resolve_document(
    doc: FrameworkDocument,
    lines: dict[LinePath, int],
    path: Path,
    load_parent: ParentLoader,
    seen: frozenset[str] = frozenset(),
) -> tuple[Framework, Origins]:
    file = str(path)
    if doc.id in seen:
        raise _error(f"指标体系继承出现循环：{' → '.join([*seen, doc.id])}", file, lines, ("extends",))
    if doc.extends is None:
        if doc.items is None:
            raise _error("缺少 items（指标树）；或用 extends 继承另一指标体系", file, lines, ())
        if doc.override or doc.remove or doc.add:
            raise _error("override/remove/add 只能与 extends 一起使用", file, lines, ("override",))
        origins = _origins(doc.items, file, lines, ("items",))
        items = doc.items
        base = None
    else:
        if doc.items is not None:
            raise _error(
                "使用 extends 时不能再写 items，请用 override/remove/add 修改", file, lines, ("items",)
            )
        try:
            base, base_origins = load_parent(doc.extends, path, seen | {doc.id})
        except FrameworkError as exc:
            if exc.file and exc.file != file:
                raise
            raise _error(f"extends：{exc.message}", file, lines, ("extends",)) from None
        origins = dict(base_origins)
        items = _apply_changes(base, doc, origins, file, lines)
    kind = doc.kind or (base.kind if base else None)
    if kind is None:
        raise _error("缺少 kind（部门整体 或 项目支出）", file, lines, ())
    framework = Framework(
        id=doc.id,
        name=doc.name,
        kind=kind,
        region=doc.region if doc.region is not None else (base.region if base else None),
        description=doc.description if doc.description is not None else (base.description if base else None),
        basis=doc.basis if doc.basis is not None else (base.basis if base else None),
        parent=doc.extends,
        source=file,
        grade_bands=doc.grade_bands or (base.grade_bands if base else list(DEFAULT_GRADE_BANDS)),
        bonus_cap=Decimal(0),
        bonus_in_total=bool(
            doc.bonus_in_total if doc.bonus_in_total is not None else (base.bonus_in_total if base else False)
        ),
        figure_keys={**(base.figure_keys if base else {}), **doc.figure_keys},
        match=merge_match(base.match if base else None, doc.match),
        items=items,
    )
    cap = doc.bonus_cap if doc.bonus_cap is not None else (base.bonus_cap if base else None)
    framework.bonus_cap = _check_consistency(framework, cap, origins, file, lines)
    return framework, origins


# ------------------------------------------------------------------ consistency


def _at(origins: Origins, item_id: str, file: str, weight: bool = False) -> tuple[str, int | None]:
    origin = origins.get(item_id)
    if origin is None:
        return file, None
    return origin.file, (origin.weight_line if weight and origin.weight_line else origin.line)


def _check_consistency(
    framework: Framework, cap: Decimal | None, origins: Origins, file: str, lines: dict[LinePath, int]
) -> Decimal:
    seen: dict[str, str] = {}
    for item in framework.walk():
        if item.id in seen:
            where, line = _at(origins, item.id, file)
            raise FrameworkError(
                f"指标 id“{item.id}”重复（“{seen[item.id]}”与“{item.name}”）", file=where, line=line
            )
        seen[item.id] = item.name
        if item.weight < 0:
            where, line = _at(origins, item.id, file, weight=True)
            raise FrameworkError(f"指标“{item.name}”的分值不能为负数", file=where, line=line)
        if item.children:
            total = sum((c.weight for c in item.children), Decimal(0))
            if total != item.weight:
                # Point at the file being loaded when an override or addition there broke the sum.
                candidates = [item.id, *(c.id for c in item.children)]
                local = [c for c in candidates if origins.get(c) and origins[c].file == file]
                where, line = _at(origins, local[0] if local else item.id, file, weight=True)
                parts = "+".join(f"{c.name} {points(c.weight)}" for c in item.children)
                raise FrameworkError(
                    f"指标“{item.name}”（{item.id}）分值为 {points(item.weight)}，但其下级指标分值合计为 "
                    f"{points(total)}（{parts}）",
                    file=where,
                    line=line,
                )
        for rule in [item.rule, *item.alternatives]:
            if rule is None:
                continue
            _check_rule(item, rule, framework, origins, file)
    counted = [i for i in framework.items if framework.bonus_in_total or not i.bonus]
    total = sum((i.weight for i in counted), Decimal(0))
    if total != TOP_TOTAL:
        parts = "+".join(f"{i.name} {points(i.weight)}" for i in counted)
        line = lines.get(("items",)) or lines.get(("override",)) or lines.get(())
        scope = "（含加减分项）" if framework.bonus_in_total else "（加减分项另计）"
        raise FrameworkError(
            f"一级指标分值合计应为 100{scope}，实际为 {points(total)}（{parts}）", file=file, line=line
        )
    bonus_total = sum((i.weight for i in framework.items if i.bonus), Decimal(0))
    if cap is None:
        return bonus_total
    if bonus_total and bonus_total != cap:
        raise FrameworkError(
            f"加减分项分值合计 {points(bonus_total)} 与 bonus_cap {points(cap)} 不一致",
            file=file,
            line=lines.get(("bonus_cap",)),
        )
    for item in framework.walk():
        if item.bonus and item not in framework.items:
            where, line = _at(origins, item.id, file)
            raise FrameworkError(f"加减分项“{item.name}”只能是一级指标", file=where, line=line)
    return cap


def _check_rule(item: FrameworkItem, rule: Any, framework: Framework, origins: Origins, file: str) -> None:
    where, line = _at(origins, item.id, file)
    value = getattr(rule, "value", None)
    if value is not None:
        for key in ref_keys(value):
            if not is_known_key(key, framework.figure_keys):
                raise FrameworkError(
                    f"指标“{item.name}”的评分规则引用了未知的数据项“{key}”；请使用 frameworks/README.md 列出的"
                    "标准数据项，或在 figure_keys 中声明并给出中文名",
                    file=where,
                    line=line,
                )
    if isinstance(rule, TiersRule):
        for tier in rule.tiers:
            if tier.score > item.weight or tier.score < 0:
                raise FrameworkError(
                    f"指标“{item.name}”的分档得分 {points(tier.score)} 超出分值 0～{points(item.weight)}",
                    file=where,
                    line=line,
                )
    if isinstance(rule, ChecklistRule) and rule is item.rule:
        total = sum((c.points for c in rule.criteria), Decimal(0))
        if total != item.weight:
            raise FrameworkError(
                f"指标“{item.name}”的评分要点分值合计 {points(total)} 与指标分值 {points(item.weight)} 不一致",
                file=where,
                line=line,
            )
