"""The catalogue of what a unit enters: canonical figure keys with Chinese labels, and narrative slots.

Shared by the data-entry template (which rows to offer) and the report writers (what to call a figure).
Keys follow DESIGN.md §4; the budget breakdown keys (by source, structure and level) are the rows of the
自评表 header block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["amount", "rate", "number"]


@dataclass(frozen=True)
class FigureField:
    key: str
    label: str
    kind: FieldKind
    group: str


def _f(key: str, label: str, kind: FieldKind, group: str) -> FigureField:
    return FigureField(key, label, kind, group)


FIGURE_FIELDS: tuple[FigureField, ...] = (
    _f("budget_initial", "年初预算数", "amount", "预算执行"),
    _f("budget_total", "全年预算数（调整后预算数）", "amount", "预算执行"),
    _f("executed_total", "全年执行数", "amount", "预算执行"),
    _f("execution_rate", "预算执行率（预算完成率）", "rate", "预算执行"),
    _f("budget_adjustment_rate", "预算调整率", "rate", "预算执行"),
    _f("budget_fiscal", "财政拨款 全年预算数", "amount", "按资金来源"),
    _f("executed_fiscal", "财政拨款 全年执行数", "amount", "按资金来源"),
    _f("budget_other", "其他资金 全年预算数", "amount", "按资金来源"),
    _f("executed_other", "其他资金 全年执行数", "amount", "按资金来源"),
    _f("budget_basic", "基本支出 全年预算数", "amount", "按资金结构"),
    _f("executed_basic", "基本支出 全年执行数", "amount", "按资金结构"),
    _f("budget_project", "项目支出 全年预算数", "amount", "按资金结构"),
    _f("executed_project", "项目支出 全年执行数", "amount", "按资金结构"),
    _f("budget_local", "本级支出 全年预算数", "amount", "按预算级次"),
    _f("executed_local", "本级支出 全年执行数", "amount", "按预算级次"),
    _f("budget_transfer", "转移支付 全年预算数", "amount", "按预算级次"),
    _f("executed_transfer", "转移支付 全年执行数", "amount", "按预算级次"),
    _f("income_total", "本年收入合计", "amount", "收入决算"),
    _f("income_general", "一般公共预算财政拨款收入", "amount", "收入决算"),
    _f("income_fund", "政府性基金预算财政拨款收入", "amount", "收入决算"),
    _f("income_other", "其他收入", "amount", "收入决算"),
    _f("expense_total", "本年支出合计", "amount", "支出决算"),
    _f("expense_basic", "基本支出", "amount", "支出决算"),
    _f("expense_project", "项目支出", "amount", "支出决算"),
    _f("personnel", "人员经费", "amount", "支出决算"),
    _f("public_funds", "公用经费", "amount", "支出决算"),
    _f("public_funds_budget", "公用经费预算数", "amount", "成本控制"),
    _f("three_public_actual", "“三公”经费决算数", "amount", "成本控制"),
    _f("three_public_budget", "“三公”经费预算数", "amount", "成本控制"),
    _f("procurement_plan", "政府采购计划金额", "amount", "采购与资产"),
    _f("procurement_actual", "政府采购实际金额", "amount", "采购与资产"),
    _f("fixed_assets_total", "固定资产总额", "amount", "采购与资产"),
    _f("fixed_assets_in_use", "在用固定资产总额", "amount", "采购与资产"),
    _f("carryover_end", "年末结转结余", "amount", "采购与资产"),
    _f("fiscal_income_budget", "财政拨款收入调整预算数", "amount", "管理比率"),
    _f("fiscal_income_final", "财政拨款收入决算数", "amount", "管理比率"),
    _f("carryover_base", "结转结余率计算基数", "amount", "管理比率"),
    _f("targets_declared", "申报绩效目标数", "number", "管理比率"),
    _f("targets_achieved", "已实现绩效目标数", "number", "管理比率"),
    _f("target_completion_rate", "绩效目标完成率", "rate", "管理比率"),
    _f("avg_execution_rate", "一般公共预算支出年度平均执行率", "rate", "管理比率"),
    _f("procurement_execution_rate", "政府采购执行率", "rate", "管理比率"),
    _f("income_budget_diff_rate", "财政拨款收入预决算差异率", "rate", "管理比率"),
    _f("carryover_rate", "结转结余率", "rate", "管理比率"),
    _f("fixed_assets_utilization", "固定资产利用率", "rate", "管理比率"),
    _f("public_funds_control_rate", "公用经费控制率", "rate", "管理比率"),
    _f("three_public_control_rate", "“三公”经费控制率", "rate", "管理比率"),
    _f("prior_income_total", "上年 本年收入合计", "amount", "上年决算"),
    _f("prior_income_general", "上年 一般公共预算财政拨款收入", "amount", "上年决算"),
    _f("prior_expense_total", "上年 本年支出合计", "amount", "上年决算"),
    _f("prior_expense_basic", "上年 基本支出", "amount", "上年决算"),
    _f("prior_expense_project", "上年 项目支出", "amount", "上年决算"),
)

FIELDS_BY_KEY: dict[str, FigureField] = {f.key: f for f in FIGURE_FIELDS}


def figure_label(key: str) -> str:
    """Chinese name of a figure key; unknown keys (a framework's own) are shown as they are."""
    field = FIELDS_BY_KEY.get(key)
    if field is not None:
        return field.label
    if key.startswith("prior_") and key[6:] in FIELDS_BY_KEY:
        return f"上年 {FIELDS_BY_KEY[key[6:]].label}"
    from jixiao.figure_keys import key_label

    return key_label(key)


@dataclass(frozen=True)
class TextSlot:
    """A narrative part a person writes; ``key`` is the key in ``Dossier.texts``."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()


TEXT_SLOTS: tuple[TextSlot, ...] = (
    TextSlot("部门职能", "部门职能", ("职能", "部门概况", "functions")),
    TextSlot("机构人员", "机构设置及人员情况", ("机构设置", "人员编制", "organization")),
    TextSlot("重点工作", "年度总体工作和重点工作任务", ("年度重点工作", "重点工作任务", "work")),
    TextSlot("绩效目标", "部门整体支出绩效目标", ("年度整体目标", "整体绩效目标", "goals")),
    TextSlot("目标完成情况", "整体绩效目标完成情况", ("绩效目标完成情况", "goal_attainment")),
    TextSlot("绩效管理情况", "部门整体绩效管理情况", ("绩效管理", "management")),
    TextSlot("工作成效", "主要工作成效", ("主要工作成效", "成效", "achievements")),
    TextSlot("存在的问题", "存在的主要问题", ("存在的主要问题", "问题", "problems")),
    TextSlot("改进措施", "下一步改进措施", ("下一步改进措施", "improvements")),
    TextSlot("结果应用", "结果应用和公开", ("结果应用和公开", "结果应用与公开", "公开", "publication")),
)

SLOTS_BY_KEY: dict[str, TextSlot] = {s.key: s for s in TEXT_SLOTS}


def slot_text(texts: dict[str, str], key: str) -> str:
    """The text a dossier gives for a slot under its key or any alias; "" when absent or blank."""
    slot = SLOTS_BY_KEY[key]
    for name in (slot.key, *slot.aliases):
        value = texts.get(name)
        if value and value.strip():
            return value.strip()
    return ""
