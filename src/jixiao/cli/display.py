"""Terminal rendering of a scorecard and of a framework tree (rich)."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from jixiao.frameworks.describe import describe_rule
from jixiao.frameworks.model import Framework, FrameworkItem
from jixiao.frameworks.values import points
from jixiao.model import ItemScore, Scorecard

_STATUS = {
    "scored": "",
    "manual": "（人工）",
    "missing": "（缺数据）",
    "partial": "（部分）",
    "invalid": "（无法计分）",
}
_STYLE = {"missing": "yellow", "partial": "yellow", "invalid": "red", "manual": "cyan"}


def _num(value: Decimal | None) -> str:
    return "—" if value is None else points(value)


def _diff(value: Decimal | None) -> Text:
    if value is None or value == 0:
        return Text("" if value is None else "0")
    return Text(f"{'+' if value > 0 else ''}{points(value)}", style="bold magenta")


def scorecard_table(card: Scorecard, *, max_depth: int | None = None) -> Table:
    table = Table(
        title=f"{card.unit} {card.year} 年度绩效自评评分（{card.framework_name}）",
        show_lines=False,
        expand=True,
    )
    table.add_column("指标", overflow="fold", ratio=3)
    table.add_column("分值", justify="right", no_wrap=True)
    table.add_column("得分", justify="right", no_wrap=True)
    table.add_column("自评分", justify="right", no_wrap=True)
    table.add_column("差异", justify="right", no_wrap=True)
    table.add_column("推导", overflow="fold", ratio=6)
    for item in card.items:
        _rows(table, item, 0, max_depth)
    table.add_section()
    table.add_row(
        Text("总分", style="bold"),
        points(card.max),
        Text(_num(card.total), style="bold"),
        _num(card.stated_total),
        _diff(
            card.stated_total - card.total
            if card.stated_total is not None and card.total is not None
            else None
        ),
        "评分完整" if card.complete else Text("评分不完整（见下方缺失数据）", style="yellow"),
    )
    return table


def _rows(table: Table, item: ItemScore, depth: int, max_depth: int | None) -> None:
    name = Text("  " * depth + item.name, style="bold" if depth == 0 else "")
    status = _STATUS.get(item.status, "")
    if status:
        name.append(status, style=_STYLE.get(item.status, ""))
    derivation = Text(item.derivation)
    for flag in item.flags:
        derivation.append(f"\n⚑ {flag}", style="yellow")
    if item.difference_note:
        derivation.append(f"\n≠ {item.difference_note}", style="magenta")
    table.add_row(
        name,
        points(item.max),
        Text(_num(item.score), style=_STYLE.get(item.status, "")),
        _num(item.stated),
        _diff(item.difference),
        derivation,
    )
    if max_depth is None or depth + 1 < max_depth:
        for child in item.children:
            _rows(table, child, depth + 1, max_depth)


def scorecard_summary(card: Scorecard) -> Group:
    lines: list[Text] = []
    total = _num(card.total)
    head = Text(f"总分 {total} / {points(card.max)}", style="bold")
    if card.grade:
        head.append(f"，等级：{card.grade}", style="bold green")
    elif not card.complete:
        head.append("，评分不完整，不评定等级", style="yellow")
    if card.stated_total is not None:
        head.append(f"；自评总分 {points(card.stated_total)}")
    if card.stated_grade:
        head.append(f"，自评等级 {card.stated_grade}")
    lines.append(head)
    if card.missing:
        lines.append(Text("缺失数据：", style="bold yellow"))
        lines.extend(Text(f"  · {m}") for m in card.missing)
    if card.notes:
        lines.append(Text("说明：", style="bold"))
        lines.extend(Text(f"  · {n}") for n in card.notes)
    return Group(*lines)


def print_scorecard(card: Scorecard, console: Console) -> None:
    console.print(scorecard_table(card))
    console.print(scorecard_summary(card))


def framework_tree(framework: Framework) -> Tree:
    title = Text(f"{framework.name}（{framework.id}）", style="bold")
    extra = [framework.kind]
    if framework.parent:
        extra.append(f"继承 {framework.parent}")
    if framework.bonus_cap:
        extra.append(f"加减分上限 {points(framework.bonus_cap)}")
    bands = "、".join(f"{b.grade}≥{points(b.min)}" for b in framework.grade_bands)
    extra.append(f"等级：{bands}")
    title.append(f"  {'；'.join(extra)}", style="dim")
    tree = Tree(title)
    for item in framework.items:
        _branch(tree, item)
    return tree


def _branch(parent: Tree, item: FrameworkItem) -> None:
    label = Text(f"{item.name}", style="bold" if item.children else "")
    label.append(f"  {points(item.weight)} 分", style="cyan")
    label.append(f"  [{item.id}]", style="dim")
    if item.bonus:
        label.append("  加减分", style="magenta")
    if item.rule is not None:
        label.append(f"\n{describe_rule(item.rule)}", style="green")
    if item.note:
        label.append(f"\n注：{item.note}", style="yellow")
    node = parent.add(label)
    for child in item.children:
        _branch(node, child)
