"""Canonical figure keys (DESIGN.md §4 plus the rates frameworks need) with their Chinese labels.

The one registry shared by extraction, frameworks, templates, documents and the web forms. Frameworks
name the figures a rule reads by these keys; a key outside this list (and not a ``prior_*`` or
``*_budget``/``*_budget_initial`` form of one) must be declared by the framework under ``figure_keys``,
so a typo is an error, not a silent 0.
"""

from __future__ import annotations

FIGURE_KEYS: dict[str, str] = {
    # DESIGN.md §4
    "budget_initial": "年初预算数",
    "budget_total": "全年预算数（调整后预算数）",
    "executed_total": "全年执行数",
    "execution_rate": "预算执行率（预算完成率）",
    "budget_adjustment_rate": "预算调整率",
    "income_total": "本年收入合计（决算）",
    "income_general": "一般公共预算财政拨款收入",
    "income_fund": "政府性基金预算财政拨款收入",
    "income_other": "其他收入",
    "expense_total": "本年支出合计（决算）",
    "expense_basic": "基本支出",
    "expense_project": "项目支出",
    "personnel": "人员经费（工资福利支出）",
    "public_funds": "公用经费（实际支出）",
    "public_funds_budget": "公用经费预算数",
    "three_public_actual": "“三公”经费决算数",
    "three_public_budget": "“三公”经费预算数",
    "procurement_plan": "政府采购计划金额",
    "procurement_actual": "政府采购实际金额",
    "fixed_assets_total": "固定资产总额",
    "fixed_assets_in_use": "在用固定资产总额",
    "carryover_end": "年末结转结余",
    "stated_score": "自评总分（文中所述）",
    "stated_grade": "自评等级（文中所述）",
    # Budget and execution split by source and structure, as 自评表 print them.
    "budget_fiscal": "全年预算数（财政拨款）",
    "budget_other": "全年预算数（其他资金）",
    "budget_basic": "全年预算数（基本支出）",
    "budget_project": "全年预算数（项目支出）",
    "executed_fiscal": "全年执行数（财政拨款）",
    "executed_other": "全年执行数（其他资金）",
    "executed_basic": "全年执行数（基本支出）",
    "executed_project": "全年执行数（项目支出）",
    "budget_local": "全年预算数（本级支出）",
    "executed_local": "全年执行数（本级支出）",
    "budget_transfer": "全年预算数（转移支付）",
    "executed_transfer": "全年执行数（转移支付）",
    # Further parts of income and expense that reports state.
    "expense_fund": "政府性基金预算支出",
    "subsidies_individual": "对个人和家庭的补助",
    "capital_expense": "资本性支出",
    # Rates and their inputs used by the built-in frameworks.
    "avg_execution_rate": "一般公共预算支出年度平均执行率",
    "procurement_execution_rate": "政府采购执行率",
    "income_budget_diff_rate": "财政拨款收入预决算差异率",
    "fiscal_income_budget": "财政拨款收入调整预算数",
    "fiscal_income_final": "财政拨款收入决算数",
    "carryover_rate": "结转结余率",
    "carryover_base": "结转结余率计算基数（年初结转结余＋财政拨款决算数）",
    "fixed_assets_utilization": "固定资产利用率",
    "public_funds_control_rate": "公用经费控制率",
    "three_public_control_rate": "“三公”经费控制率",
    "three_public_change_rate": "“三公”经费变动率",
    "target_completion_rate": "绩效目标完成率",
    "targets_achieved": "已实现绩效目标数",
    "targets_declared": "申报绩效目标数",
}

PRIOR_PREFIX = "prior_"
# A part's budget: "expense_basic_budget" is the budget of expense_basic, "_budget_initial" its 年初 budget.
BUDGET_SUFFIXES = {"_budget_initial": "（年初预算）", "_budget": "（预算）"}


def _split(key: str) -> tuple[bool, str, str]:
    """(is prior, base key, budget suffix) of a key."""
    prior = key.startswith(PRIOR_PREFIX)
    base = key.removeprefix(PRIOR_PREFIX)
    if base not in FIGURE_KEYS:
        for tail in BUDGET_SUFFIXES:
            if base.endswith(tail) and base[: -len(tail)] in FIGURE_KEYS:
                return prior, base[: -len(tail)], tail
    return prior, base, ""


def base_key(key: str) -> str:
    return key.removeprefix(PRIOR_PREFIX)


def is_known_key(key: str, extra: dict[str, str] | None = None) -> bool:
    extra = extra or {}
    if key in FIGURE_KEYS or key in extra or base_key(key) in extra:
        return True
    return _split(key)[1] in FIGURE_KEYS


def key_label(key: str, extra: dict[str, str] | None = None) -> str:
    """The Chinese label of a key; ``prior_x`` reads as 上年 + label of x."""
    extra = extra or {}
    if key in extra:
        return extra[key]
    if key in FIGURE_KEYS:
        return FIGURE_KEYS[key]
    if base_key(key) in extra:
        return f"上年{extra[base_key(key)]}"
    prior, base, tail = _split(key)
    label = FIGURE_KEYS.get(base)
    if label is None:
        return key
    label += BUDGET_SUFFIXES.get(tail, "")
    return f"上年{label}" if prior else label


def describe_key(key: str, extra: dict[str, str] | None = None) -> str:
    """ "execution_rate（预算执行率（预算完成率））" — the form used in missing-data messages."""
    return f"{key}（{key_label(key, extra)}）"
