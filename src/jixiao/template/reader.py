"""Read a filled data-entry template back into a Dossier, checking every cell.

Nothing stops at the first problem: each bad cell is reported as "工作表!单元格：what is wrong", and all
of them come back together in one InputError, so a finance officer fixes the whole sheet in one pass.
Values may be typed the way people type them ("1,234.5", "865.44万元", "95%"); they are read exactly
with :mod:`jixiao.numbers`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from jixiao.errors import InputError, NumberParseError
from jixiao.model import Adjustment, Answer, Dossier, Figure, Indicator, ManualScore, Project, Stated, Unit
from jixiao.numbers import AMOUNT_UNITS, parse_number, parse_quantity
from jixiao.template import layout as L
from jixiao.template.fields import FIELDS_BY_KEY

# Answers the checklist rule understands besides 是/否/部分 (kept as typed; scoring reads them).
_WORD_ANSWERS = {"符合", "不符合", "有", "无", "已完成", "未完成", "部分符合", "基本符合", "√", "×"}


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, sheet: str, cell: Cell | str, message: str) -> None:
        ref = cell if isinstance(cell, str) else cell.coordinate
        self.items.append(f"{sheet}!{ref}：{message}")


def _shown(value: Any) -> str:
    return str(value).strip()


def _text(cell: Cell) -> str | None:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _cell_decimal(value: int | float) -> Decimal:
    # A cell typed "1234.5" is stored as a double; its shortest repr is what the person typed.
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _number(cell: Cell, sheet: str, errors: _Errors, *, what: str = "数字") -> Decimal | None:
    """A plain number (cell numeric or text like "1,234.5"); units are not accepted here."""
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors.add(sheet, cell, f"应为{what}，实际为“{value}”")
        return None
    if isinstance(value, int | float):
        return _cell_decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        errors.add(sheet, cell, f"应为{what}，实际为日期“{value:%Y-%m-%d}”")
        return None
    try:
        return parse_number(str(value).removesuffix("分"))
    except NumberParseError:
        errors.add(sheet, cell, f"应为{what}，实际为“{_shown(value)}”")
        return None


def _ratio(cell: Cell, sheet: str, errors: _Errors) -> Decimal | None:
    """A share of the weight as people type it: 0.7, 70%, or 70 (read as a percentage)."""
    if isinstance(cell.value, str) and cell.value.strip().endswith(("%", "％")):
        try:
            return parse_quantity(cell.value).value / 100
        except NumberParseError:
            errors.add(sheet, cell, f"应为比例（0～1 或百分数），实际为“{_shown(cell.value)}”")
            return None
    ratio = _number(cell, sheet, errors, what="比例（0～1 或百分数）")
    return ratio / 100 if ratio is not None and ratio > 1 else ratio


def _percent_cell(cell: Cell) -> bool:
    return "%" in (cell.number_format or "")


def _figure(value_cell: Cell, unit_cell: Cell, key: str, sheet: str, errors: _Errors) -> Figure | None:
    """A figure from a value cell and its unit cell; the value may carry its own unit ("865.44万元")."""
    field = FIELDS_BY_KEY.get(key)
    kind = field.kind if field is not None else None
    raw = value_cell.value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    unit_given = _text(unit_cell) or ""
    if isinstance(raw, bool | dt.datetime | dt.date):
        errors.add(sheet, value_cell, f"应为数字，实际为“{_shown(raw)}”")
        return None
    if isinstance(raw, int | float):
        value = _cell_decimal(raw)
        unit = unit_given
        if _percent_cell(value_cell):
            # Typed "95%" in Excel: stored as 0.95 with a percent format.
            value, unit = value * 100, "%"
    else:
        try:
            quantity = parse_quantity(str(raw))
        except NumberParseError:
            errors.add(sheet, value_cell, f"应为数字，实际为“{_shown(raw)}”")
            return None
        if quantity.approx:
            errors.add(sheet, value_cell, f"应为确切数字，实际为约数“{_shown(raw)}”")
            return None
        value = quantity.value
        if quantity.unit and unit_given and quantity.unit != unit_given:
            errors.add(sheet, value_cell, f"数值自带单位“{quantity.unit}”，与 {unit_cell.coordinate} 的单位“{unit_given}”不一致")
            return None
        unit = quantity.unit or unit_given
    if value < 0:
        errors.add(sheet, value_cell, f"应为不小于 0 的数字，实际为“{_shown(raw)}”")
        return None
    if kind == "amount" and unit not in AMOUNT_UNITS:
        where = f"请在 {unit_cell.coordinate} 选择 元/万元/亿元" if not unit else f"“{unit}”不是金额单位"
        errors.add(sheet, value_cell, f"金额缺少单位：{where}")
        return None
    if kind == "rate" and unit not in {"%", ""}:
        errors.add(sheet, value_cell, f"应为百分数，实际单位为“{unit}”")
        return None
    return Figure(value=value, unit=unit)


def _rows(ws: Worksheet, ncols: int):
    yield from ws.iter_rows(min_row=L.FIRST_ROW, max_col=ncols)


# ------------------------------------------------------------------ sheets


def _read_unit(ws: Worksheet, errors: _Errors) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    sheet = L.SHEET_UNIT
    for row in _rows(ws, 4):
        key = _text(row[0])
        if not key:
            continue
        cell = row[L.UNIT_VALUE_COL - 1]
        if key.startswith(L.TEXT_PREFIX):
            text = cell.value
            if text is not None and str(text).strip():
                texts[key.removeprefix(L.TEXT_PREFIX)] = str(text).strip()
            continue
        if key == "year":
            number = _number(cell, sheet, errors, what="四位年份")
            if number is None:
                if cell.value is None:
                    errors.add(sheet, cell, "评价年度未填写")
            elif number != number.to_integral_value() or not 1990 <= number <= 2100:
                errors.add(sheet, cell, f"应为四位年份，实际为“{_shown(cell.value)}”")
            else:
                values[key] = int(number)
        elif key == "stated.total":
            number = _number(cell, sheet, errors, what="分数")
            if number is not None:
                values[key] = number
        elif key == "kind":
            text = _text(cell)
            if text is not None and text not in {"部门整体", "项目支出"}:
                errors.add(sheet, cell, f"应为“部门整体”或“项目支出”，实际为“{text}”")
            elif text:
                values[key] = text
        else:
            text = _text(cell)
            if text:
                values[key] = text
        if key == "unit.name" and not _text(cell):
            errors.add(sheet, cell, "单位名称未填写")
    return values, texts


def _read_figures(ws: Worksheet, errors: _Errors) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for row in _rows(ws, 6):
        key = _text(row[0])
        if not key:
            continue
        figure = _figure(row[L.FIG_VALUE_COL - 1], row[L.FIG_UNIT_COL - 1], key, L.SHEET_FIGURES, errors)
        if figure is not None:
            note = _text(row[L.FIG_NOTE_COL - 1])
            figures[key] = figure.model_copy(update={"note": note}) if note else figure
    return figures


def _answer(cell: Cell, errors: _Errors) -> Answer | None:
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _cell_decimal(value)
    text = str(value).strip()
    if text in L.ANSWER_CHOICES or text.lower() in _WORD_ANSWERS:
        return text
    try:
        return parse_number(text.removesuffix("分"))
    except NumberParseError:
        errors.add(L.SHEET_MANAGEMENT, cell, f"应为 是/否/部分 或该要点得分，实际为“{text}”")
        return None


def _read_management(ws: Worksheet, errors: _Errors) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for row in _rows(ws, 6):
        key = _text(row[0])
        if not key:
            continue
        answer = _answer(row[L.MGMT_ANSWER_COL - 1], errors)
        if answer is None:
            continue
        points = _number(row[3], L.SHEET_MANAGEMENT, errors)
        if isinstance(answer, Decimal) and points is not None and not 0 <= answer <= points:
            errors.add(L.SHEET_MANAGEMENT, row[L.MGMT_ANSWER_COL - 1], f"得分应在 0～{points} 之间，实际为 {answer}")
            continue
        answers[key] = answer
    return answers


def _project_amount(cell: Cell, errors: _Errors) -> Figure | None:
    raw = cell.value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = _cell_decimal(raw)
        if value < 0:
            errors.add(L.SHEET_INDICATORS, cell, f"应为不小于 0 的金额，实际为“{_shown(raw)}”")
            return None
        return Figure(value=value, unit=L.PROJECT_AMOUNT_UNIT)
    try:
        quantity = parse_quantity(str(raw))
    except NumberParseError:
        errors.add(L.SHEET_INDICATORS, cell, f"应为金额（万元），实际为“{_shown(raw)}”")
        return None
    unit = quantity.unit or L.PROJECT_AMOUNT_UNIT
    if unit not in AMOUNT_UNITS or quantity.value < 0:
        errors.add(L.SHEET_INDICATORS, cell, f"应为金额（万元），实际为“{_shown(raw)}”")
        return None
    return Figure(value=quantity.value, unit=unit)


def _read_indicators(ws: Worksheet, errors: _Errors) -> list[Project]:
    sheet = L.SHEET_INDICATORS
    c = L.IND_COL
    projects: list[Project] = []
    current: dict[str, Any] | None = None
    drafts: list[dict[str, Any]] = []
    for row in _rows(ws, len(L.IND_COLUMNS)):
        cells = {field: row[col - 1] for field, col in c.items()}
        if all(_text(cell) is None for cell in cells.values()):
            continue
        name = _text(cells["project"])
        if name:
            current = {"name": name, "description": _text(cells["description"]), "indicators": []}
            project_weight = _number(cells["project_weight"], sheet, errors, what="分值（数字）")
            if project_weight is not None:
                current["weight"] = project_weight
            for key in ("budget", "executed"):
                amount = _project_amount(cells[key], errors)
                if amount is not None:
                    current[key] = amount
            drafts.append(current)
        elif current is None:
            errors.add(sheet, cells["project"], "第一个指标行缺少项目名称")
            continue
        indicator_name = _text(cells["name"])
        if indicator_name is None:
            if not name:
                errors.add(sheet, cells["name"], "绩效指标名称未填写")
            continue
        weight = _number(cells["weight"], sheet, errors, what="分值（数字）")
        if weight is None:
            if cells["weight"].value is None:
                errors.add(sheet, cells["weight"], f"指标“{indicator_name}”的分值未填写")
            continue
        if weight < 0:
            errors.add(sheet, cells["weight"], f"分值应不小于 0，实际为“{_shown(cells['weight'].value)}”")
            continue
        level1 = _text(cells["level1"])
        if level1 is not None and level1 not in L.LEVEL1_CHOICES:
            errors.add(sheet, cells["level1"], f"一级指标应为 {'/'.join(L.LEVEL1_CHOICES)}，实际为“{level1}”")
        stated = _number(cells["stated_score"], sheet, errors, what="分数")
        if stated is not None and stated > weight:
            errors.add(sheet, cells["stated_score"], f"原自评分 {stated} 超过分值 {weight}")
        direction_label = _text(cells["direction"])
        direction = L.DIRECTION_CHOICES.get(direction_label or "")
        if direction_label is not None and direction is None:
            errors.add(sheet, cells["direction"],
                       f"指标方向应为 {'/'.join(L.DIRECTION_CHOICES)}，实际为“{direction_label}”")
        achievement = _text(cells["achievement"])
        if achievement is not None and achievement not in L.ACHIEVEMENT_CHOICES:
            errors.add(sheet, cells["achievement"],
                       f"定性完成情况应为 {'/'.join(L.ACHIEVEMENT_CHOICES)}，实际为“{achievement}”")
            achievement = None
        ratio = _ratio(cells["achievement_ratio"], sheet, errors)
        if ratio is not None and not 0 <= ratio <= 1:
            errors.add(sheet, cells["achievement_ratio"], f"定性得分比例应在 0～1（或 0%～100%）之间，实际为 {ratio}")
            ratio = None
        current["indicators"].append(Indicator(
            name=indicator_name, level1=level1, level2=_text(cells["level2"]), weight=weight,
            target=_text(cells["target"]), actual=_text(cells["actual"]), stated_score=stated,
            deviation_reason=_text(cells["deviation_reason"]), evidence=_text(cells["evidence"]),
            unit=_text(cells["unit"]), direction=direction, achievement=achievement,  # type: ignore[arg-type]
            achievement_ratio=ratio,
        ))
    for draft in drafts:
        projects.append(Project(**draft))
    return projects


def _read_scores(ws: Worksheet, errors: _Errors) -> tuple[dict[str, Decimal], dict[str, ManualScore]]:
    sheet = L.SHEET_SCORES
    stated: dict[str, Decimal] = {}
    manual: dict[str, ManualScore] = {}
    for row in _rows(ws, 6):
        key = _text(row[0])
        if not key:
            continue
        maximum = _number(row[2], sheet, errors)
        given = _number(row[L.SCORE_STATED_COL - 1], sheet, errors, what="分数")
        if given is not None:
            if maximum is not None and given > maximum and maximum >= 0:
                errors.add(sheet, row[L.SCORE_STATED_COL - 1], f"原自评分 {given} 超过分值 {maximum}")
            else:
                stated[key] = given
        score = _number(row[L.SCORE_MANUAL_COL - 1], sheet, errors, what="分数")
        reason = _text(row[L.SCORE_REASON_COL - 1])
        if score is not None:
            if not reason:
                errors.add(sheet, row[L.SCORE_REASON_COL - 1], "人工评分必须写明评分理由")
            else:
                manual[key] = ManualScore(score=score, reason=reason)
        elif reason:
            errors.add(sheet, row[L.SCORE_MANUAL_COL - 1], "写了评分理由但没有填写人工评分")
    return stated, manual


def _read_adjustments(ws: Worksheet, errors: _Errors) -> list[Adjustment]:
    sheet = L.SHEET_ADJUSTMENTS
    c = L.ADJ_COL
    out: list[Adjustment] = []
    for row in _rows(ws, len(L.ADJ_COLUMNS)):
        cells = {field: row[col - 1] for field, col in c.items()}
        if all(_text(cell) is None for cell in cells.values()):
            continue
        kind = _text(cells["kind"])
        points = _number(cells["points"], sheet, errors, what="分值")
        reason = _text(cells["reason"])
        ok = True
        if kind not in {"加分", "减分"}:
            errors.add(sheet, cells["kind"], f"应为“加分”或“减分”，实际为“{kind or '空'}”")
            ok = False
        if points is None:
            if cells["points"].value is None:
                errors.add(sheet, cells["points"], "分值未填写")
            ok = False
        elif points < 0:
            errors.add(sheet, cells["points"], f"分值应不小于 0（用“减分”表示扣分），实际为 {points}")
            ok = False
        if not reason:
            errors.add(sheet, cells["reason"], "事由未填写")
            ok = False
        if ok:
            out.append(Adjustment(kind=kind, points=points, reason=reason, item=_text(cells["item"]),
                                  evidence=_text(cells["evidence"])))
    return out


# ------------------------------------------------------------------ entry points


def is_template(path: str | Path) -> bool:
    """Whether the workbook at ``path`` is a jixiao data-entry template (not a report to extract from)."""
    try:
        wb = load_workbook(str(path), read_only=True)
    except Exception:  # not a readable workbook at all: certainly not our template
        return False
    try:
        if L.SHEET_README not in wb.sheetnames or not set(L.DATA_SHEETS[:4]) <= set(wb.sheetnames):
            return False
        first = wb[L.SHEET_README]["A1"].value
        return isinstance(first, str) and first.strip() == L.MARKER
    finally:
        wb.close()


def read_template(path: str | Path) -> Dossier:
    p = Path(path)
    if not is_template(p):
        raise InputError(f"不是 jixiao 填报模板（缺少“{L.SHEET_README}”页的模板标记或必需的工作表）", file=str(p))
    wb = load_workbook(str(p), data_only=True)
    errors = _Errors()
    try:
        unit_values, texts = _read_unit(wb[L.SHEET_UNIT], errors)
        figures = _read_figures(wb[L.SHEET_FIGURES], errors)
        management = _read_management(wb[L.SHEET_MANAGEMENT], errors)
        projects = _read_indicators(wb[L.SHEET_INDICATORS], errors)
        stated_items, manual = (_read_scores(wb[L.SHEET_SCORES], errors)
                                if L.SHEET_SCORES in wb.sheetnames else ({}, {}))
        adjustments = (_read_adjustments(wb[L.SHEET_ADJUSTMENTS], errors)
                       if L.SHEET_ADJUSTMENTS in wb.sheetnames else [])
    finally:
        wb.close()
    if errors.items:
        count = len(errors.items)
        raise InputError(f"填报模板有 {count} 处需要修改：\n" + "\n".join(errors.items), file=str(p))
    try:
        return Dossier(
            unit=Unit(name=unit_values.get("unit.name", ""), region=unit_values.get("unit.region"),
                      level=unit_values.get("unit.level"), code=unit_values.get("unit.code")),
            year=unit_values["year"],
            kind=unit_values.get("kind", "部门整体"),
            framework=unit_values.get("framework"),
            figures=figures,
            projects=projects,
            management=management,
            manual_scores=manual,
            adjustments=adjustments,
            stated=Stated(total=unit_values.get("stated.total"), grade=unit_values.get("stated.grade"),
                          items=stated_items),
            texts=texts,
        )
    except ValidationError as exc:
        details = "；".join(f"{'.'.join(str(x) for x in e['loc'])}：{e['msg']}" for e in exc.errors())
        raise InputError(f"填报模板内容不完整：{details}", file=str(p)) from None
