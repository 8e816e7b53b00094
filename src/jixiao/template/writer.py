"""Write the data-entry template (.xlsx) for a framework, optionally filled from a dossier."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.frameworks.model import ChecklistRule, Framework, FrameworkItem
from jixiao.model import Answer, Dossier
from jixiao.render.cell_fit import row_height, wrapped_lines
from jixiao.render.fonts import document_fonts
from jixiao.template import layout as L
from jixiao.template.fields import FIGURE_FIELDS, TEXT_SLOTS

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # cells a person fills in
_WRAP = Alignment(wrap_text=True, vertical="center")
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's, for a column the sheet does not size
MAX_ROW_HEIGHT = 409  # points: Excel's limit


class _Sheet:
    def __init__(self, ws: Worksheet, font: Font, bold: Font) -> None:
        self.ws, self.font, self.bold = ws, font, bold

    def title(self, text: str, hint: str, *, keyed: bool) -> None:
        """Sheet title and hint in row 1; after the hidden key column on keyed sheets."""
        col = 2 if keyed else 1
        cell = self.ws.cell(row=1, column=col, value=text)
        cell.font = Font(name=self.bold.name, size=12, bold=True)
        hint_cell = self.ws.cell(row=1, column=col + 1, value=hint)
        hint_cell.font = Font(name=self.font.name, size=9, color="7F7F7F")
        self.ws.row_dimensions[1].height = 22
        # Printable for the record: landscape, one page wide, header row repeated.
        self.ws.page_setup.orientation = self.ws.ORIENTATION_LANDSCAPE
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"

    def header(self, headers: list[str], widths: list[float]) -> None:
        for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
            cell = self.ws.cell(row=L.HEADER_ROW, column=col, value=text)
            cell.font, cell.fill, cell.border = self.bold, _HEAD_FILL, _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            self.ws.column_dimensions[get_column_letter(col)].width = width
            self.fit(L.HEADER_ROW, col, text)
        self.ws.freeze_panes = self.ws.cell(row=L.FIRST_ROW, column=1)

    def fit(self, row: int, col: int, text: str) -> None:
        """Make the row tall enough for ``text`` wrapped in its column (never lower it)."""
        column = self.ws.column_dimensions[get_column_letter(col)]
        if column.hidden:  # the key column: nobody reads it, it must not make rows tall
            return
        width = column.width or DEFAULT_COLUMN_WIDTH
        needed = min(row_height(wrapped_lines(text, width)), MAX_ROW_HEIGHT)
        current = self.ws.row_dimensions[row].height or 0
        if needed > max(current, row_height(1)):
            self.ws.row_dimensions[row].height = needed

    def put(self, row: int, col: int, value, *, editable: bool = False, fmt: str | None = None) -> None:
        cell = self.ws.cell(row=row, column=col, value=value)
        cell.font, cell.border, cell.alignment = self.font, _BORDER, _WRAP
        if isinstance(value, str):
            self.fit(row, col, value)
        if editable:
            cell.fill = _INPUT_FILL
            cell.protection = Protection(locked=False)
        if fmt:
            cell.number_format = fmt

    def print_through(self, last_row: int, last_col: int) -> None:
        """Print only the rows in use: prepared empty rows carry borders and fills that Excel and
        LibreOffice would otherwise print as pages of blank grid."""
        self.ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, L.HEADER_ROW)}"

    def hide_key_column(self) -> None:
        self.ws.column_dimensions["A"].hidden = True


def _validation(ws: Worksheet, dv: DataValidation, ref: str) -> None:
    # Warnings, not stops: people type "865.44万元" or "约九成" and the reader explains what it needs.
    dv.errorStyle = "warning"
    dv.showErrorMessage = True
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    for part in ref.split():
        dv.add(part)


def _list_validation(ws: Worksheet, choices: tuple[str, ...], ref: str, prompt: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    dv.error, dv.errorTitle, dv.prompt = f"请从下拉列表选择：{'/'.join(choices)}", "输入提示", prompt
    _validation(ws, dv, ref)


def _number_validation(ws: Worksheet, ref: str, prompt: str) -> None:
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.error, dv.errorTitle, dv.prompt = "应为不小于 0 的数字", "输入提示", prompt
    _validation(ws, dv, ref)


def _answer_text(answer: Answer | None):
    if answer is None:
        return None
    if isinstance(answer, bool):
        return "是" if answer else "否"
    return answer


# ------------------------------------------------------------------ sheets


README_LINES = (
    L.MARKER,
    "",
    "用途：填写本表后，用 jixiao report 填报模板.xlsx --out 自评表.xlsx（或 自评报告.docx）生成自评表和自评报告，"
    "或用 jixiao score 填报模板.xlsx 查看得分。",
    "黄色单元格由单位填写；灰色表头和隐藏的 A 列（编号）请勿修改或删除。",
    "数字可直接输入，也可按习惯写成“1,234.5”“865.44万元”“95%”；金额请在“单位”列选择 元/万元/亿元。",
    "比率（执行率、控制率等）填百分数，如 98.23%。",
    "“管理情况”：逐项回答评价要点，填 是/否/部分，或直接填该要点的得分。",
    "“项目指标”：每行一个绩效指标；同一项目的后续行可不重复填写项目名称。年度指标值和实际完成值按原文填写，如“≥250人”“280人”。",
    "“自评分”：选填单位原自评分；评分规则为“人工评分”的指标须在此填写得分和理由。",
    "“加减分”：受表彰（加分）或被批评、审计发现问题（减分）的事项，逐条填写。",
    "读取时会检查每个单元格，所有问题按“工作表!单元格”一次列出。",
)


def _readme(wb: Workbook, framework: Framework, font: Font, bold: Font) -> None:
    ws = wb.active
    ws.title = L.SHEET_README
    ws.column_dimensions["A"].width = 110
    for row, line in enumerate(README_LINES, start=1):
        cell = ws.cell(row=row, column=1, value=line)
        cell.font = Font(name=bold.name, size=14, bold=True) if row == 1 else font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    row = len(README_LINES) + 2
    ws.cell(row=row, column=1, value=f"评价体系：{framework.name}（编号 {framework.id}）").font = bold
    ws.cell(row=row + 1, column=1, value=f"模板版本：{L.TEMPLATE_VERSION}").font = font


def _unit_sheet(sheet: _Sheet, framework: Framework, dossier: Dossier | None) -> None:
    sheet.title(L.SHEET_UNIT, "黄色单元格为填写项", keyed=True)
    sheet.header(["编号", "项目", "填写内容", "说明"], [4, 18, 60, 36])
    sheet.hide_key_column()
    values: dict[str, object] = {"framework": framework.id, "kind": framework.kind}
    if dossier is not None:
        values.update({
            "unit.name": dossier.unit.name, "year": dossier.year, "kind": dossier.kind,
            "framework": dossier.framework or framework.id, "unit.region": dossier.unit.region,
            "unit.level": dossier.unit.level, "unit.code": dossier.unit.code,
            "stated.total": dossier.stated.total, "stated.grade": dossier.stated.grade,
        })
        for key, text in dossier.texts.items():
            values[L.TEXT_PREFIX + key] = text
    rows = list(L.UNIT_ROWS) + [(L.TEXT_PREFIX + s.key, s.label, "文字材料，用于自评报告") for s in TEXT_SLOTS]
    if dossier is not None:  # texts under keys the catalogue does not know are kept too
        known = {key for key, _l, _h in rows}
        rows += [(L.TEXT_PREFIX + k, k, "文字材料") for k in dossier.texts if L.TEXT_PREFIX + k not in known]
    for offset, (key, label, hint) in enumerate(rows):
        r = L.FIRST_ROW + offset
        sheet.put(r, 1, key)
        sheet.put(r, 2, label)
        sheet.put(r, L.UNIT_VALUE_COL, values.get(key), editable=True)
        sheet.put(r, 4, hint)
        if key.startswith(L.TEXT_PREFIX):
            sheet.ws.row_dimensions[r].height = max(sheet.ws.row_dimensions[r].height or 0, 60)
        ref = f"C{r}"
        if key == "kind":
            _list_validation(sheet.ws, ("部门整体", "项目支出"), ref, "部门整体 或 项目支出")
        elif key == "stated.grade":
            _list_validation(sheet.ws, ("优", "良", "中", "差"), ref, "优/良/中/差")
        elif key == "year":
            dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2100")
            dv.error, dv.prompt = "应为四位年份", "如 2023"
            _validation(sheet.ws, dv, ref)
        elif key == "stated.total":
            _number_validation(sheet.ws, ref, "0～100 的分数")


def _figures_sheet(sheet: _Sheet, dossier: Dossier | None) -> None:
    sheet.title(L.SHEET_FIGURES, "金额选择单位；比率填百分数；不适用的留空", keyed=True)
    sheet.header(["编号", "分组", "项目", "数值", "单位", "备注（来源、口径）"], [4, 12, 34, 18, 8, 36])
    sheet.hide_key_column()
    figures = dict(dossier.figures) if dossier is not None else {}
    known = {f.key for f in FIGURE_FIELDS}
    extra = [k for k in figures if k not in known]
    r = L.FIRST_ROW
    amount_rows, rate_rows, number_rows = [], [], []
    for field in FIGURE_FIELDS:
        figure = figures.get(field.key)
        sheet.put(r, 1, field.key)
        sheet.put(r, 2, field.group)
        sheet.put(r, 3, field.label)
        sheet.put(r, L.FIG_VALUE_COL, figure.value if figure is not None else None, editable=True)
        if field.kind == "amount":
            unit = figure.unit if figure is not None else L.DEFAULT_AMOUNT_UNIT
            amount_rows.append(r)
        elif field.kind == "rate":
            unit = figure.unit if figure is not None else "%"
            rate_rows.append(r)
        else:
            unit = figure.unit if figure is not None else ""
            number_rows.append(r)
        sheet.put(r, L.FIG_UNIT_COL, unit or None, editable=True)
        sheet.put(r, L.FIG_NOTE_COL, figure.note if figure is not None else None, editable=True)
        r += 1
    for key in extra:  # figures the catalogue does not list (a framework's own keys) keep their place
        figure = figures[key]
        from jixiao.template.fields import figure_label

        sheet.put(r, 1, key)
        sheet.put(r, 2, "其他")
        sheet.put(r, 3, figure_label(key))
        sheet.put(r, L.FIG_VALUE_COL, figure.value, editable=True)
        sheet.put(r, L.FIG_UNIT_COL, figure.unit or None, editable=True)
        sheet.put(r, L.FIG_NOTE_COL, figure.note, editable=True)
        number_rows.append(r)
        r += 1
    prompts = ((amount_rows, "金额：数字，在“单位”列选择 元/万元/亿元"), (rate_rows, "百分数，如 98.23%"),
               (number_rows, "不小于 0 的数字"))
    for rows, prompt in prompts:
        if rows:
            _number_validation(sheet.ws, " ".join(f"D{x}" for x in rows), prompt)
    if amount_rows:
        _list_validation(sheet.ws, L.AMOUNT_UNIT_CHOICES, " ".join(f"E{x}" for x in amount_rows), "元/万元/亿元")


def _checklist_items(framework: Framework) -> list[FrameworkItem]:
    return [i for i in framework.walk() if isinstance(i.rule, ChecklistRule)]


def _management_sheet(sheet: _Sheet, framework: Framework, dossier: Dossier | None) -> None:
    sheet.title(L.SHEET_MANAGEMENT, "回答 是/否/部分，或填该要点得分", keyed=True)
    sheet.header(["编号", "指标", "评价要点", "分值", "回答", "说明"], [4, 20, 60, 7, 10, 28])
    sheet.hide_key_column()
    answers = dossier.management if dossier is not None else {}
    r = L.FIRST_ROW
    for item in _checklist_items(framework):
        rule = item.rule
        assert isinstance(rule, ChecklistRule)
        for criterion in rule.criteria:
            key = criterion.fact
            if criterion.fact not in answers and criterion.key and criterion.key in answers:
                key = criterion.key
            sheet.put(r, 1, key)
            sheet.put(r, 2, item.name)
            sheet.put(r, 3, criterion.fact)
            sheet.put(r, 4, criterion.points, fmt="0.00")
            sheet.put(r, L.MGMT_ANSWER_COL, _answer_text(answers.get(key)), editable=True)
            sheet.put(r, 6, None)
            r += 1
    if r > L.FIRST_ROW:
        _list_validation(sheet.ws, L.ANSWER_CHOICES, f"E{L.FIRST_ROW}:E{r - 1}", "是/否/部分，或该要点得分")


_DIRECTION_LABEL = {value: label for label, value in L.DIRECTION_CHOICES.items()}


def _indicator_sheet(sheet: _Sheet, dossier: Dossier | None) -> None:
    sheet.title(L.SHEET_INDICATORS, "每行一个绩效指标；同一项目后续行可不填项目名称", keyed=False)
    sheet.header([h for _f, h, _w in L.IND_COLUMNS], [w for _f, _h, w in L.IND_COLUMNS])
    r = L.FIRST_ROW
    for project in dossier.projects if dossier is not None else []:
        first = True
        rows = project.indicators or [None]
        for indicator in rows:
            values: dict[str, object] = {}
            if first:
                values.update(project=project.name, description=project.description,
                              project_weight=project.weight)
                for key, fig in (("budget", project.budget), ("executed", project.executed)):
                    if fig is not None:
                        values[key] = fig.value if fig.unit == L.PROJECT_AMOUNT_UNIT else fig.text()
            if indicator is not None:
                values.update(level1=indicator.level1, level2=indicator.level2, name=indicator.name,
                              weight=indicator.weight, target=indicator.target, actual=indicator.actual,
                              stated_score=indicator.stated_score, deviation_reason=indicator.deviation_reason,
                              evidence=indicator.evidence, unit=indicator.unit,
                              direction=_DIRECTION_LABEL.get(indicator.direction or ""),
                              achievement=indicator.achievement,
                              achievement_ratio=indicator.achievement_ratio)
            for field, col in L.IND_COL.items():
                sheet.put(r, col, values.get(field), editable=True)
            first = False
            r += 1
    end = max(r, L.FIRST_ROW + L.INDICATOR_ROWS)
    for row in range(r, end):
        for col in L.IND_COL.values():
            sheet.put(row, col, None, editable=True)
    sheet.print_through(max(r, L.FIRST_ROW + L.PRINTED_BLANK_ROWS) - 1, max(L.IND_COL.values()))
    c = L.IND_COL
    letter = get_column_letter
    _list_validation(sheet.ws, L.LEVEL1_CHOICES, f"{letter(c['level1'])}{L.FIRST_ROW}:{letter(c['level1'])}{end}",
                     "产出/效益/满意度/成本指标")
    _list_validation(sheet.ws, tuple(L.DIRECTION_CHOICES),
                     f"{letter(c['direction'])}{L.FIRST_ROW}:{letter(c['direction'])}{end}",
                     "正向（越高越好）/反向（如成本，越低越好）/定性；空白则按指标值推断")
    _list_validation(sheet.ws, L.ACHIEVEMENT_CHOICES,
                     f"{letter(c['achievement'])}{L.FIRST_ROW}:{letter(c['achievement'])}{end}",
                     "定性指标：达成/部分达成/未达成")
    numeric = " ".join(f"{letter(c[f])}{L.FIRST_ROW}:{letter(c[f])}{end}"
                       for f in ("budget", "executed", "project_weight", "weight", "stated_score",
                                 "achievement_ratio"))
    _number_validation(sheet.ws, numeric, "不小于 0 的数字")


def _scores_sheet(sheet: _Sheet, framework: Framework, dossier: Dossier | None) -> None:
    sheet.title(L.SHEET_SCORES, "选填原自评分；“人工评分”指标必须填写得分和理由", keyed=True)
    sheet.header(["编号", "指标", "分值", "原自评分", "人工评分", "评分理由"], [4, 36, 8, 10, 10, 40])
    sheet.hide_key_column()
    stated = dossier.stated.items if dossier is not None else {}
    manual = dossier.manual_scores if dossier is not None else {}
    rows: list[tuple[str, str, object, bool]] = []  # key, shown name, weight, manual rule

    def walk(items: list[FrameworkItem], depth: int) -> None:
        for item in items:
            # Keep the key the dossier used (stated scores may be keyed by id or by name).
            key = item.name if item.id not in stated and item.name in stated else item.id
            is_manual = item.rule is not None and item.rule.kind == "manual"
            rows.append((key, "　" * depth + item.name, item.weight, is_manual))
            walk(item.children, depth + 1)

    walk(framework.items, 0)
    listed = {key for key, _n, _w, _m in rows}
    # Scores for items the framework generates (per project indicator …) or does not know keep a row too.
    rows += [(key, key, None, key in manual) for key in [*stated, *manual] if key not in listed]
    r = L.FIRST_ROW
    seen: set[str] = set()
    for key, name, weight, is_manual in rows:
        if key in seen:
            continue
        seen.add(key)
        entry = manual.get(key)
        sheet.put(r, 1, key)
        sheet.put(r, 2, name)
        sheet.put(r, 3, weight, fmt="0.00")
        sheet.put(r, L.SCORE_STATED_COL, stated.get(key), editable=True, fmt="0.00")
        sheet.put(r, L.SCORE_MANUAL_COL, entry.score if entry else None, editable=is_manual, fmt="0.00")
        sheet.put(r, L.SCORE_REASON_COL, entry.reason if entry else None, editable=is_manual)
        r += 1
    if r > L.FIRST_ROW:
        _number_validation(sheet.ws, f"D{L.FIRST_ROW}:E{r - 1}", "不小于 0 的分数")


def _adjustments_sheet(sheet: _Sheet, dossier: Dossier | None) -> None:
    sheet.title(L.SHEET_ADJUSTMENTS, "每行一个加分或减分事项；没有则留空", keyed=False)
    sheet.header([h for _f, h, _w in L.ADJ_COLUMNS], [w for _f, _h, w in L.ADJ_COLUMNS])
    adjustments = dossier.adjustments if dossier is not None else []
    end = L.FIRST_ROW + max(L.ADJUSTMENT_ROWS, len(adjustments))
    for offset in range(end - L.FIRST_ROW):
        r = L.FIRST_ROW + offset
        adj = adjustments[offset] if offset < len(adjustments) else None
        values = adj.model_dump() if adj is not None else {}
        for field, col in L.ADJ_COL.items():
            sheet.put(r, col, values.get(field), editable=True)
    sheet.print_through(L.FIRST_ROW + max(L.PRINTED_BLANK_ROWS, len(adjustments)) - 1, max(L.ADJ_COL.values()))
    _list_validation(sheet.ws, ("加分", "减分"), f"A{L.FIRST_ROW}:A{end - 1}", "加分 或 减分")
    _number_validation(sheet.ws, f"B{L.FIRST_ROW}:B{end - 1}", "不小于 0 的分值")


def write_template(framework: Framework, path: str | Path, dossier: Dossier | None = None) -> Path:
    """The data-entry workbook for ``framework``; with ``dossier`` its values are filled in."""
    out = Path(path)
    fonts = document_fonts()
    font, bold = Font(name=fonts.table, size=10), Font(name=fonts.heading1, size=10, bold=True)
    wb = Workbook()
    _readme(wb, framework, font, bold)
    builders = (
        (L.SHEET_UNIT, lambda s: _unit_sheet(s, framework, dossier)),
        (L.SHEET_FIGURES, lambda s: _figures_sheet(s, dossier)),
        (L.SHEET_MANAGEMENT, lambda s: _management_sheet(s, framework, dossier)),
        (L.SHEET_INDICATORS, lambda s: _indicator_sheet(s, dossier)),
        (L.SHEET_SCORES, lambda s: _scores_sheet(s, framework, dossier)),
        (L.SHEET_ADJUSTMENTS, lambda s: _adjustments_sheet(s, dossier)),
    )
    for name, build in builders:
        build(_Sheet(wb.create_sheet(name), font, bold))
    wb.properties.title = f"{framework.name} 填报模板"
    wb.properties.keywords = f"{L.MARKER} v{L.TEMPLATE_VERSION}"
    wb.save(str(out))
    return out


__all__ = ["write_template"]
