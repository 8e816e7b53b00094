"""The vocabulary: which labels name which canonical figure (DESIGN.md §4).

A label is first cleaned (see `jixiao.ingest.extraction.context`): the reporting unit, the year and
the time/stage words (年初, 全年, 上年, 预算, 决算 …) are taken off and kept as context. What remains,
the *core*, must match one family pattern here exactly; a core with anything else in it
("社会保障和就业支出年初预算", "市区两级预算") names something narrower and is left as a mention.
"""

from __future__ import annotations

import re

from jixiao.figure_keys import key_label

AMOUNT = "amount"
PERCENT = "percent"

# (family, kind of value, pattern on the core). Order matters: the first full match wins.
FAMILIES: list[tuple[str, str, re.Pattern[str]]] = [
    (name, kind, re.compile(pattern))
    for name, kind, pattern in [
        ("budget_adjustment_rate", PERCENT, r"预算调整率"),
        ("procurement_execution_rate", PERCENT, r"政府采购(?:预算)?执行率"),
        ("fixed_assets_utilization", PERCENT, r"固定资产(?:利用|使用)率"),
        ("public_funds_control_rate", PERCENT, r"公用经费控制率"),
        ("three_public_control_rate", PERCENT, r"[“\"']?三公[”\"']?经费控制率"),
        ("income_budget_diff_rate", PERCENT, r"(?:财政拨款)?收入(?:预决算|预算)差异率"),
        ("avg_execution_rate", PERCENT, r"(?:一般公共预算)?(?:支出)?(?:年度)?平均(?:支出)?(?:执行率|进度)"),
        ("carryover_rate", PERCENT, r"(?:财政拨款)?结(?:转(?:和)?结余|余(?:和)?结转)率"),
        ("target_completion_rate", PERCENT, r"(?:部门)?(?:整体)?(?:支出)?绩效目标(?:完成|实现)率"),
        ("execution_rate", PERCENT, r"预算(?:执行|完成)率|(?:执行|完成)率|完成预算的?|支出进度"),
        ("income_general", AMOUNT, r"一般公共预算(?:财政)?拨款(?:收入)?(?:决算数?)?"),
        ("income_fund", AMOUNT, r"政府性基金(?:预算)?(?:财政)?拨款(?:收入)?(?:决算数?)?"),
        ("income_other", AMOUNT, r"其他收入(?:决算数?)?"),
        ("expense_fund", AMOUNT, r"政府性基金(?:预算)?支出"),
        ("expense_basic", AMOUNT, r"基本支出(?:决算数?|预算数?)?"),
        ("expense_project", AMOUNT, r"项目支出(?:决算数?|预算数?)?"),
        ("personnel", AMOUNT, r"人员经费(?:支出)?|工资福利(?:支出)?"),
        (
            "public_funds",
            AMOUNT,
            r"(?:实际支出(?:的)?|预算安排(?:的)?)?公用经费(?:支出)?(?:总额|预算数?|决算数?)?|(?:一般)?商品和服务支出",
        ),
        ("subsidies_individual", AMOUNT, r"对个人和家庭(?:的)?补助(?:支出)?"),
        ("capital_expense", AMOUNT, r"资本性支出"),
        (
            "three_public",
            AMOUNT,
            r"[“\"']?三公[”\"']?经费(?:支出)?(?:预算安排数|预算数?|决算数?|实际支出数?|支出数)?",
        ),
        ("procurement_plan", AMOUNT, r"政府采购(?:预算|计划)(?:金额|数)?"),
        ("procurement_actual", AMOUNT, r"(?:实际)?政府采购(?:金额|执行数|支出)?"),
        ("fixed_assets_in_use", AMOUNT, r"(?:实际)?在用固定资产(?:总额|总值|原值)?"),
        ("fixed_assets_total", AMOUNT, r"(?:所有)?固定资产(?:总额|总值|原值)"),
        ("carryover_end", AMOUNT, r"年?末?(?:财政拨款)?结转(?:和)?结余(?:资金)?(?:数|决算数)?"),
        ("fiscal_income", AMOUNT, r"财政拨款收入(?:决算数?|预算数?)?"),
        ("income_total", AMOUNT, r"(?:本年|总)?收入(?:决算数?|合计|总额|总计|数)?|收入预算数?"),
        ("expense_total", AMOUNT, r"(?:本年|总)?支出(?:决算数?|合计|总额|总计|数)?|支出预算数?"),
        ("budget", AMOUNT, r"(?:部门)?预算(?:数|总额|金额|资金)?|完成预算"),
        ("executed", AMOUNT, r"执行(?:数|金额)?|实际支出(?:数|金额)?|支出执行数|决算(?:数)?"),
    ]
]

# Families that only name the whole unit's totals when the sentence is about the whole unit: a bare
# "预算 95.91万元" after a project's name is that project's budget.
TOTAL_FAMILIES = frozenset({"income_total", "expense_total", "budget", "executed", "execution_rate"})
# Cores so bare that even their own sentence must be about the unit as a whole.
BARE_CORES = frozenset(
    {
        "收入",
        "支出",
        "支出数",
        "支出决算",
        "支出决算数",
        "实际支出",
        "实际支出数",
        "预算",
        "预算数",
        "完成预算",
        "执行",
        "执行数",
        "执行金额",
        "决算",
        "决算数",
    }
)

# A specific subject turns the bare budget/actual words of its sentence into its own figures:
# "“三公”经费年初预算 0.8 万元，支出年终决算数 0.69 万元".
SUBJECT_VARIANTS: dict[str, dict[str, str]] = {
    "three_public": {"budget": "three_public_budget", "actual": "three_public_actual"},
    "public_funds": {"budget": "public_funds_budget", "actual": "public_funds"},
    "procurement_plan": {"budget": "procurement_plan", "actual": "procurement_actual"},
    "procurement_actual": {"budget": "procurement_plan", "actual": "procurement_actual"},
    "expense_basic": {"budget": "expense_basic_budget", "actual": "expense_basic"},
    "expense_project": {"budget": "expense_project_budget", "actual": "expense_project"},
    "personnel": {"budget": "personnel_budget", "actual": "personnel"},
}


# Chinese names of the keys, for text output and notes.
def key_name(key: str) -> str:
    """Chinese name of a key (prior_/_budget/_budget_initial forms included), from the shared registry."""
    return key_label(key)


def match_family(core: str, kind: str | None = None) -> tuple[str, str] | None:
    """(family, kind) whose pattern matches the whole core (and the value's kind, if given), or None.

    "完成全年预算 0.72万元" is a budget amount, "完成预算的 99.89%" the execution rate."""
    for name, fkind, rx in FAMILIES:
        if (kind is None or kind == fkind) and rx.fullmatch(core):
            return name, fkind
    return None
