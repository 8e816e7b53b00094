"""Terminal rendering of a scorecard and of a framework tree (rich)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
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


WIDE_MIN = 120  # below this a derivation column is too narrow to read: it goes under its row instead
_NUMBER_COLUMNS = (("分值", 5), ("得分", 7), ("自评分", 7), ("差异", 7))


def _title(card: Scorecard) -> str:
    return f"{card.unit} {card.year} 年度绩效自评评分（{card.framework_name}）"


def _name(item: ItemScore, depth: int) -> Text:
    name = Text("  " * depth + item.name, style="bold" if depth == 0 else "")
    status = _STATUS.get(item.status, "")
    if status:
        name.append(status, style=_STYLE.get(item.status, ""))
    return name


def _numbers(item: ItemScore) -> list[Text | str]:
    return [points(item.max), Text(_num(item.score), style=_STYLE.get(item.status, "")), _num(item.stated),
            _diff(item.difference)]


def _derivation(item: ItemScore) -> Text:
    derivation = Text(item.derivation)
    for flag in item.flags:
        derivation.append(f"\n⚑ {flag}", style="yellow")
    if item.difference_note:
        derivation.append(f"\n≠ {item.difference_note}", style="magenta")
    return derivation


def _total_cells(card: Scorecard) -> tuple[Text, list[Text | str], Text]:
    difference = (card.stated_total - card.total
                  if card.stated_total is not None and card.total is not None else None)
    status = Text("评分完整") if card.complete else Text("评分不完整（见下方缺失数据）", style="yellow")
    numbers: list[Text | str] = [points(card.max), Text(_num(card.total), style="bold"), _num(card.stated_total),
                                 _diff(difference)]
    return Text("总分", style="bold"), numbers, status


def _walk(items: list[ItemScore], depth: int = 0) -> Iterator[tuple[ItemScore, int]]:
    for item in items:
        yield item, depth
        yield from _walk(item.children, depth + 1)


def scorecard_table(card: Scorecard) -> Table:
    """Wide terminals: one row per item with the derivation in its own column."""
    table = Table(title=_title(card), expand=True)
    table.add_column("指标", overflow="fold", ratio=3)
    for label, _width in _NUMBER_COLUMNS:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("推导", overflow="fold", ratio=6)
    for item, depth in _walk(card.items):
        table.add_row(_name(item, depth), *_numbers(item), _derivation(item))
    table.add_section()
    name, numbers, status = _total_cells(card)
    table.add_row(name, *numbers, status)
    return table


def _line(name: Text, numbers: list[Text | str], *, style: str = "") -> Table:
    # Fixed number widths so the columns line up from one item to the next.
    grid = Table.grid(expand=True, padding=(0, 0, 0, 1))
    grid.add_column(ratio=1, overflow="fold")
    for _label, width in _NUMBER_COLUMNS:
        grid.add_column(width=width, justify="right", no_wrap=True)
    grid.add_row(name, *numbers, style=style)
    return grid


def scorecard_rows(card: Scorecard) -> Group:
    """Narrow terminals: the numbers on the item's line, its derivation under it at full width."""
    parts: list[RenderableType] = [
        Text(_title(card), style="bold", justify="center"),
        _line(Text("指标"), [label for label, _w in _NUMBER_COLUMNS], style="bold"),
        Rule(style="dim"),
    ]
    for item, depth in _walk(card.items):
        parts.append(_line(_name(item, depth), _numbers(item)))
        if item.derivation or item.flags or item.difference_note:
            parts.append(Padding(_derivation(item), (0, 0, 0, 2 * depth + 4), style="dim"))
    parts.append(Rule(style="dim"))
    name, numbers, status = _total_cells(card)
    parts += [_line(name, numbers), Padding(status, (0, 0, 0, 4))]
    return Group(*parts)


def _bullet(text: str) -> Padding:
    # A hanging indent keeps a wrapped note under its bullet.
    return Padding(Text(f"· {text}"), (0, 0, 0, 2))


def scorecard_summary(card: Scorecard) -> Group:
    lines: list[RenderableType] = []
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
        lines.extend(_bullet(m) for m in card.missing)
    if card.notes:
        lines.append(Text("说明：", style="bold"))
        lines.extend(_bullet(n) for n in card.notes)
    return Group(*lines)


def print_scorecard(card: Scorecard, console: Console) -> None:
    console.print(scorecard_table(card) if console.width >= WIDE_MIN else scorecard_rows(card))
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
