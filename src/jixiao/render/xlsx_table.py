"""The 自评表 (.xlsx) in the layout units hand in (seed 003's 部门整体支出绩效自评表).

Layout: title and year; the unit block (单位名称, 年度整体目标 and its 完成情况, 全年预算数/执行数/完成率
by source, structure and level, in 元); the indicator tree with merged 一级/二级 cells, 分值, 指标解释,
评分标准 (or 年度指标值/实际完成值 for project indicators), 得分, 评分依据 (the derivation), 佐证材料 and
备注; a 小计 per 一级 indicator and the 总分 as SUM formulas. Formula cells also carry their values
(see :mod:`jixiao.render.xlsx_cache`). Printed A4 landscape, one page wide, the column header repeated
on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.frameworks.model import Framework
from jixiao.model import Dossier, Figure, ItemScore, Scorecard
from jixiao.numbers import to_yuan
from jixiao.render.cell_fit import LINE_PT, row_height, wrapped_lines
from jixiao.render.fonts import document_fonts
from jixiao.render.formatting import score_text, trim
from jixiao.render.scoremap import IndicatorRow, indicator_rows, is_unit
from jixiao.render.xlsx_cache import add_cached_values
from jixiao.template.fields import slot_text

SHEET_TITLE = "自评表"
COLUMNS = (  # header, width in character units
    ("一级指标", 9), ("分值", 5.5), ("二级指标", 9), ("分值", 5.5), ("三级指标", 14), ("分值", 5.5),
    ("指标解释", 24), ("评分标准", 28), ("得分", 7), ("评分依据", 26), ("佐证材料", 13), ("备注", 15),
)
TARGET_HEADERS = {7: "年度指标值", 8: "实际完成值"}
NCOL = len(COLUMNS)
SCORE_COL, MAX_COLS = 9, (2, 4, 6)
SCORE_FORMAT = "0.00"
AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_SUB_FILL = PatternFill("solid", fgColor="F2F2F2")

BUDGET_ROWS = (  # (group, label, key suffix); "" is the whole unit
    ("整体", "合计", ""), ("按资金来源", "财政拨款", "fiscal"), ("按资金来源", "其他资金", "other"),
    ("按资金结构", "基本支出", "basic"), ("按资金结构", "项目支出", "project"),
    ("按预算级次", "本级支出", "local"), ("按预算级次", "转移支付", "transfer"),
)


@dataclass
class _State:
    ws: Worksheet
    row: int = 1
    cached: dict[str, Decimal] = field(default_factory=dict)
    body_font: Font = field(default_factory=Font)
    bold_font: Font = field(default_factory=Font)


def _put(st: _State, row: int, col: int, value, *, bold: bool = False, fmt: str | None = None,
         align: str = "left", fill: PatternFill | None = None, valign: str = "center"):
    cell = st.ws.cell(row=row, column=col, value=value)
    cell.font = st.bold_font if bold else st.body_font
    cell.border = _BORDER
    cell.alignment = Alignment(horizontal=align, vertical=valign, wrap_text=True)
    if fmt:
        cell.number_format = fmt
    if fill is not None:
        cell.fill = fill
    return cell


def _merge(st: _State, r1: int, c1: int, r2: int, c2: int) -> None:
    if (r1, c1) != (r2, c2):
        st.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                st.ws.cell(row=r, column=c).border = _BORDER


def _fit_height(st: _State, row: int, texts: dict[int, str], *, span: dict[int, int] | None = None) -> None:
    """Row height from the longest wrapped text, so the sheet prints without clipped cells."""
    span = span or {}
    lines = 1
    for col, text in texts.items():
        width = sum(COLUMNS[c - 1][1] for c in range(col, col + span.get(col, 1)))
        lines = max(lines, wrapped_lines(text, width))
    st.ws.row_dimensions[row].height = row_height(lines)


# ------------------------------------------------------------------ unit block


def _yuan(figure: Figure | None) -> Decimal | None:
    if figure is None:
        return None
    return to_yuan(figure.value, figure.unit) if figure.is_amount else None


def _title(st: _State, dossier: Dossier) -> None:
    kind = "部门整体支出" if dossier.kind == "部门整体" else "项目支出"
    cell = _put(st, st.row, 1, f"{kind}绩效自评表", align="center")
    cell.font = Font(name=document_fonts().heading1, size=16, bold=True)
    cell.border = Border()
    st.ws.merge_cells(start_row=st.row, start_column=1, end_row=st.row, end_column=NCOL)
    st.ws.row_dimensions[st.row].height = 28
    st.row += 1
    cell = _put(st, st.row, 1, f"（{dossier.year}年度）", align="center")
    cell.border = Border()
    st.ws.merge_cells(start_row=st.row, start_column=1, end_row=st.row, end_column=NCOL)
    st.row += 1


def _unit_block(st: _State, dossier: Dossier) -> None:
    r = st.row
    _put(st, r, 1, "单位基本情况", bold=True, fill=_HEAD_FILL)
    _merge(st, r, 1, r, NCOL)
    r += 1
    _put(st, r, 1, "单位名称", bold=True)
    _merge(st, r, 1, r, 2)
    _put(st, r, 3, dossier.unit.name)
    _merge(st, r, 3, r, NCOL)
    r += 1
    goal = slot_text(dossier.texts, "绩效目标") or "【待填写】"
    done = slot_text(dossier.texts, "目标完成情况") or "【待填写】"
    _put(st, r, 1, "年度整体绩效目标", bold=True)
    _merge(st, r, 1, r, 2)
    _put(st, r, 3, goal)
    _merge(st, r, 3, r, 7)
    _put(st, r, 8, "整体绩效目标完成情况", bold=True)
    _put(st, r, 9, done)
    _merge(st, r, 9, r, NCOL)
    _fit_height(st, r, {3: goal, 9: done}, span={3: 5, 9: 4})
    st.row = r + 1
    _budget_block(st, dossier)


def _budget_block(st: _State, dossier: Dossier) -> None:
    """全年预算数/执行数/完成率 by source, structure and level, one row per category (amounts in 元)."""
    figs = dossier.figures
    top = st.row
    heads = ((3, 4, "口径"), (5, 6, "类别"), (7, 7, "全年预算数"), (8, 8, "全年执行数"), (9, 10, "完成率"),
             (11, 12, "备注"))
    for c1, c2, label in heads:
        _put(st, top, c1, label, bold=True, align="center", fill=_SUB_FILL)
        _merge(st, top, c1, top, c2)
    r = top + 1
    for group, label, suffix in BUDGET_ROWS:
        b_key, e_key = ("budget_total", "executed_total") if not suffix else (f"budget_{suffix}", f"executed_{suffix}")
        budget, executed = _yuan(figs.get(b_key)), _yuan(figs.get(e_key))
        if suffix and budget is None and executed is None:
            continue
        _put(st, r, 3, group, align="center")
        _merge(st, r, 3, r, 4)
        _put(st, r, 5, label, align="center")
        _merge(st, r, 5, r, 6)
        _put(st, r, 7, budget, fmt=AMOUNT_FORMAT, align="right")
        _put(st, r, 8, executed, fmt=AMOUNT_FORMAT, align="right")
        if budget is not None and executed is not None and budget != 0:
            _put(st, r, 9, f"=H{r}/G{r}", fmt=RATE_FORMAT, align="right")
            st.cached[f"I{r}"] = executed / budget
        else:
            _put(st, r, 9, "—", align="center")
        _merge(st, r, 9, r, 10)
        _put(st, r, 11, None)
        _merge(st, r, 11, r, 12)
        st.ws.row_dimensions[r].height = LINE_PT + 4
        r += 1
    _put(st, top, 1, "年度部门整体支出规模（元）", bold=True, align="center")
    _merge(st, top, 1, r - 1, 2)
    st.ws.row_dimensions[top].height = LINE_PT + 4
    st.row = r


# ------------------------------------------------------------------ indicator tree


def _header(st: _State, *, targets: bool) -> int:
    r = st.row
    for col, (name, _width) in enumerate(COLUMNS, start=1):
        label = TARGET_HEADERS.get(col, name) if targets else name
        _put(st, r, col, label, bold=True, align="center", fill=_HEAD_FILL if not targets else _SUB_FILL)
    st.ws.row_dimensions[r].height = LINE_PT + 8
    st.row += 1
    return r


def _ancestor_path(item: ItemScore, parents: dict[int, ItemScore]) -> list[ItemScore]:
    path = [item]
    while id(path[-1]) in parents:
        path.append(parents[id(path[-1])])
    return list(reversed(path))


def _notes(item: ItemScore) -> str:
    notes = []
    if item.stated is not None and item.difference not in (None, Decimal(0)):
        sign = "+" if item.difference > 0 else ""
        notes.append(f"原自评分 {score_text(item.stated)}，差异 {sign}{trim(item.difference)}")
    if item.missing and item.score is None:
        notes.append("缺少：" + "、".join(item.missing))
    notes.extend(item.flags)
    if item.children:
        notes.append("按整体评分，下级指标未逐项评分：" + "、".join(c.name for c in item.children))
    return "；".join(notes)


def _leaf_row(st: _State, item: ItemScore, framework: Framework | None, match: IndicatorRow | None) -> None:
    r = st.row
    col = {1: 1, 2: 3}.get(item.level, 5)
    _put(st, r, col, item.name)
    _put(st, r, col + 1, item.max, fmt=SCORE_FORMAT, align="center")
    if item.score is not None:
        _put(st, r, SCORE_COL, item.score, fmt=SCORE_FORMAT, align="center")
    else:
        _put(st, r, SCORE_COL, None)
    texts: dict[int, str] = {col: item.name}
    if match is not None:
        g, h = match.indicator.target or "", match.indicator.actual or ""
        basis = item.derivation
        reason = match.indicator.deviation_reason
        if reason and reason.strip() and reason.strip() != "无":
            basis = f"{basis}；偏差原因：{reason}" if basis else f"偏差原因：{reason}"
        evidence = match.indicator.evidence or ""
    else:
        spec = framework.find(item.id) if framework is not None else None
        g = (spec.explanation or "") if spec is not None else ""
        h = (spec.criteria_text or "") if spec is not None else ""
        basis, evidence = item.derivation, ""
    if item.difference_note:
        # Why the stated score differs is part of the basis, and that column is wide enough to read it.
        sep = "" if not basis or basis.endswith(("。", "；")) else "。"
        basis = f"{basis or ''}{sep}{item.difference_note}"
    notes = _notes(item)
    for c, text in ((7, g), (8, h), (10, basis), (11, evidence), (12, notes)):
        _put(st, r, c, text or None)
        texts[c] = text
    for c in range(1, col):  # group cells, filled and merged once the group's rows are known
        _put(st, r, c, None)
    _fit_height(st, r, texts)
    st.row += 1


def _group_cells(st: _State, rows: list[tuple[int, list[ItemScore]]], level: int) -> None:
    """Merge the 一级 (level 1) or 二级 (level 2) name and weight over the rows of its leaves."""
    col = 1 if level == 1 else 3
    start = None
    current: ItemScore | None = None
    for r, path in [*rows, (None, None)]:
        node = path[level - 1] if path is not None and len(path) > level else None
        if node is not current:
            if current is not None and start is not None:
                end = r - 1 if r is not None else rows[-1][0]
                # Top-aligned: a group may run over several printed pages; its name shows on the first.
                _put(st, start, col, current.name, align="center", valign="top")
                _put(st, start, col + 1, current.max, fmt=SCORE_FORMAT, align="center", valign="top")
                _merge(st, start, col, end, col)
                _merge(st, start, col + 1, end, col + 1)
            current, start = node, r


def _top_item(st: _State, top: ItemScore, framework: Framework | None,
              matches: dict[int, IndicatorRow]) -> tuple[int, Decimal | None]:
    """Write one 一级 indicator's leaves and its 小计 row; returns the 小计 row and its value."""
    parents: dict[int, ItemScore] = {}
    leaves: list[ItemScore] = []

    def visit(node: ItemScore) -> None:
        if is_unit(node):
            leaves.append(node)
            return
        for child in node.children:
            parents[id(child)] = node
            visit(child)

    visit(top)
    if any(id(leaf) in matches for leaf in leaves):
        _header(st, targets=True)
    first = st.row
    placed: list[tuple[int, list[ItemScore]]] = []
    for leaf in leaves:
        placed.append((st.row, _ancestor_path(leaf, parents)))
        _leaf_row(st, leaf, framework, matches.get(id(leaf)))
    if top.children:
        _group_cells(st, placed, 1)
        _group_cells(st, placed, 2)
    last = st.row - 1
    r = st.row
    _put(st, r, 1, f"{top.name} 小计", bold=True, fill=_SUB_FILL)
    _merge(st, r, 1, r, 5)
    _put(st, r, 6, top.max, bold=True, fmt=SCORE_FORMAT, align="center", fill=_SUB_FILL)
    letter = get_column_letter(SCORE_COL)
    scored = [leaf.score for leaf in leaves if leaf.score is not None]
    value = sum(scored, Decimal(0)) if scored else None
    _put(st, r, SCORE_COL, f"=SUM({letter}{first}:{letter}{last})", bold=True, fmt=SCORE_FORMAT,
         align="center", fill=_SUB_FILL)
    st.cached[f"{letter}{r}"] = value if value is not None else Decimal(0)
    note = ""
    if top.score is not None and value is not None and value != top.score:
        note = f"按评分规则该项得分为 {score_text(top.score)}（下级得分之和 {score_text(value)}）"
    for c in (7, 8, 10, 11):
        _put(st, r, c, None, fill=_SUB_FILL)
    _put(st, r, 12, note or None, fill=_SUB_FILL)
    _fit_height(st, r, {12: note})
    st.row += 1
    return r, value


def _total(st: _State, scorecard: Scorecard, subtotal_rows: list[tuple[int, Decimal | None]]) -> int:
    r = st.row
    letter = get_column_letter(SCORE_COL)
    _put(st, r, 1, "总分", bold=True, fill=_HEAD_FILL, align="center")
    _merge(st, r, 1, r, 5)
    _put(st, r, 6, scorecard.max, bold=True, fmt=SCORE_FORMAT, align="center", fill=_HEAD_FILL)
    formula = "=" + "+".join(f"{letter}{row}" for row, _ in subtotal_rows) if subtotal_rows else None
    _put(st, r, SCORE_COL, formula, bold=True, fmt=SCORE_FORMAT, align="center", fill=_HEAD_FILL)
    st.cached[f"{letter}{r}"] = sum((v for _, v in subtotal_rows if v is not None), Decimal(0))
    grade = f"等级：{scorecard.grade}" if scorecard.grade else ""
    stated = f"原自评总分 {score_text(scorecard.stated_total)}" if scorecard.stated_total is not None else ""
    incomplete = "" if scorecard.complete else "总分不完整：部分指标缺少数据"
    _put(st, r, 7, grade or None, bold=True, fill=_HEAD_FILL)
    _merge(st, r, 7, r, 8)
    remark = "；".join(t for t in (stated, incomplete) if t)
    _put(st, r, 10, remark or None, fill=_HEAD_FILL)
    _merge(st, r, 10, r, NCOL)
    st.ws.row_dimensions[r].height = LINE_PT + 8
    st.row += 1
    return r


def _page_setup(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def build_workbook(dossier: Dossier, scorecard: Scorecard, framework: Framework | None = None):
    """The workbook and the values its formula cells evaluate to (cell ref → Decimal)."""
    fonts = document_fonts()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    st = _State(ws, body_font=Font(name=fonts.table, size=10), bold_font=Font(name=fonts.heading1, size=10))
    for col, (_name, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _title(st, dossier)
    _unit_block(st, dossier)
    header_row = _header(st, targets=False)
    matches = {id(row.item): row for row in indicator_rows(dossier, scorecard) if row.item is not None}
    subtotals = [_top_item(st, top, framework, matches) for top in scorecard.items]
    _total(st, scorecard, subtotals)
    note_row = st.row
    note = (f"注：评分体系为《{scorecard.framework_name}》；得分按评分标准由 jixiao 计算，"
            "“评分依据”列给出计算过程及与原自评分不同的原因，“备注”列给出原自评分及差异。")
    cell = ws.cell(row=note_row, column=1, value=note)
    cell.font = st.body_font
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=NCOL)
    _page_setup(ws, header_row)
    wb.calculation.fullCalcOnLoad = True
    return wb, st.cached


def write_xlsx(dossier: Dossier, scorecard: Scorecard, out: Path, *, framework: Framework | None = None) -> Path:
    wb, cached = build_workbook(dossier, scorecard, framework)
    wb.save(str(out))
    add_cached_values(out, "xl/worksheets/sheet1.xml", cached)
    return out
