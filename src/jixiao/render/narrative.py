"""The 自评报告 as data: sections, sentences computed from the figures, tables and chart slots.

One pure function builds a :class:`ReportDoc` from dossier + scorecard (+ findings); the docx, html and
markdown writers only lay it out, so every format says the same thing. Every number in a sentence is
computed here from Decimal figures (shares and rates rounded half-up); what only a person can write
comes from ``dossier.texts`` and is marked 【待填写】 when missing; checker findings are offered as
clearly marked drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from jixiao.model import Dossier, Figure, Finding, Scorecard
from jixiao.render.formatting import (
    amount_in_unit,
    amount_text,
    as_fraction,
    figure_text,
    in_yuan,
    percent_text,
    score_short,
    score_text,
    trim,
)
from jixiao.render.scoremap import (
    ADJUSTMENT_RULES,
    deductions,
    indicator_rows,
    lost_points,
    scored_units,
    unscored,
)
from jixiao.template.fields import figure_label, slot_text

PLACEHOLDER = "【待填写】"
DRAFT_MARK = "【草稿，系核查发现，请核实后修改】"
CN_NUMERALS = "一二三四五六七八九十"

ParaKind = Literal["text", "placeholder", "draft", "note"]
ChartKind = Literal["dimensions", "budget", "attainment"]


@dataclass
class Para:
    text: str
    kind: ParaKind = "text"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    # Relative column widths; writers scale them to the page.
    widths: list[int] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # columns aligned right
    emphasis: set[int] = field(default_factory=set)  # rows in bold (subtotals, total)


@dataclass
class Chart:
    kind: ChartKind
    caption: str


Block = Para | Table | Chart


@dataclass
class Section:
    title: str
    level: int  # 1: 一、 (黑体)  2: （一） (楷体)
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def sub(self, title: str) -> Section:
        child = Section(f"（{CN_NUMERALS[len(self.children)]}）{title}", 2)
        self.children.append(child)
        return child


@dataclass
class ReportDoc:
    title: str
    unit: str
    year: int
    sections: list[Section]

    def walk(self) -> list[Section]:
        out: list[Section] = []
        for section in self.sections:
            out.append(section)
            out.extend(section.children)
        return out


def as_sentence(text: str) -> str:
    """Scoring notes are clauses; in running text they end like a sentence."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？")) else f"{text}。"


def report_title(dossier: Dossier) -> str:
    kind = "部门整体支出" if dossier.kind == "部门整体" else "项目支出"
    return f"{dossier.year}年度{dossier.unit.name}{kind}绩效自评报告"


# ------------------------------------------------------------------ sentences from figures


def share(part: Figure, whole: Figure) -> str | None:
    p, w = in_yuan(part), in_yuan(whole)
    if p is None or w is None or w == 0:
        return None
    return percent_text(p / w)


def change_clause(dossier: Dossier, key: str) -> str:
    """"比上年决算数增加 29.95 万元，增长 12.3%" when the prior-year figure is there."""
    current, prior = dossier.figures.get(key), dossier.figures.get(f"prior_{key}")
    if current is None or prior is None:
        return ""
    now, before = in_yuan(current), in_yuan(prior)
    if now is None or before is None:
        return ""
    diff = now - before
    if diff == 0:
        return "，与上年决算数持平"
    verb, rate_verb = ("增加", "增长") if diff > 0 else ("减少", "下降")
    text = f"，比上年决算数{verb} {amount_in_unit(abs(diff), current.unit)}"
    if before != 0:
        text += f"，{rate_verb} {percent_text(abs(diff) / before)}"
    return text


def part_clause(dossier: Dossier, key: str, whole: Figure | None, share_of: str = "占比") -> str | None:
    """"基本支出 274.07万元，占比 31.67%，比上年决算数增加 …" — None when the figure is absent."""
    part = dossier.figures.get(key)
    if part is None:
        return None
    clause = f"{figure_label(key)} {amount_text(part)}"
    if whole is not None and (pct := share(part, whole)) is not None:
        clause += f"，{share_of} {pct}"
    return clause + change_clause(dossier, key)


def income_sentences(dossier: Dossier) -> list[str]:
    figs = dossier.figures
    total = figs.get("income_total")
    if total is None:
        return []
    # A zero source (no 政府性基金 this year) is left out rather than listed as 0.00.
    parts = [clause for key in ("income_general", "income_fund", "income_other")
             if (clause := part_clause(dossier, key, total)) and figs[key].value != 0]
    head = f"{dossier.year} 年度本年收入合计 {amount_text(total)}{change_clause(dossier, 'income_total')}"
    if parts:
        return [head + "。其中：" + "；".join(parts) + "。"]
    return [head + "。"]


def expense_sentences(dossier: Dossier) -> list[str]:
    figs = dossier.figures
    total = figs.get("expense_total")
    if total is None:
        return []
    out = [f"{dossier.year} 年度本年支出合计 {amount_text(total)}{change_clause(dossier, 'expense_total')}。"]
    items = [clause for key in ("expense_basic", "expense_project") if (clause := part_clause(dossier, key, total))]
    out += [f"{number}. {clause}。" for number, clause in enumerate(items, start=1)]
    basic = figs.get("expense_basic")
    out += [f"{clause}。" for key in ("personnel", "public_funds")
            if (clause := part_clause(dossier, key, basic, "占基本支出的"))]
    return out


def execution_rate(dossier: Dossier) -> tuple[Decimal | None, bool]:
    """The execution rate as a fraction and whether it was computed from the two amounts."""
    figs = dossier.figures
    budget, executed = figs.get("budget_total"), figs.get("executed_total")
    if budget is not None and executed is not None:
        b, e = in_yuan(budget), in_yuan(executed)
        if b and e is not None:
            return e / b, True
    stated = figs.get("execution_rate")
    if stated is not None:
        return as_fraction(stated), False
    return None, False


def budget_sentences(dossier: Dossier) -> list[str]:
    figs = dossier.figures
    budget, executed = figs.get("budget_total"), figs.get("executed_total")
    rate, computed = execution_rate(dossier)
    clauses = []
    if budget is not None:
        clauses.append(f"全年预算数 {amount_text(budget)}")
    if executed is not None:
        clauses.append(f"全年执行数 {amount_text(executed)}")
    if rate is not None:
        how = "（全年执行数÷全年预算数）" if computed else ""
        stated = figs.get("execution_rate")
        # A rate the dossier states in % is quoted as written; a computed one to 2 places.
        shown = figure_text(stated) if not computed and stated is not None and stated.unit == "%" else percent_text(rate)
        clauses.append(f"预算执行率{how}为 {shown}")
    if not clauses:
        return []
    return [f"{dossier.year} 年本部门" + "，".join(clauses) + "。"]


BREAKDOWN = (
    ("按资金来源", "财政拨款", "fiscal"),
    ("按资金来源", "其他资金", "other"),
    ("按资金结构", "基本支出", "basic"),
    ("按资金结构", "项目支出", "project"),
    ("按预算级次", "本级支出", "local"),
    ("按预算级次", "转移支付", "transfer"),
)


def budget_table(dossier: Dossier) -> Table | None:
    """预算数/执行数/完成率 by source, structure and level — the 自评表 header block as a table."""
    figs = dossier.figures
    rows = []
    total_budget, total_exec = figs.get("budget_total"), figs.get("executed_total")
    entries = [("合计", "", total_budget, total_exec)]
    entries += [(name, group, figs.get(f"budget_{suffix}"), figs.get(f"executed_{suffix}"))
                for group, name, suffix in BREAKDOWN]
    for name, group, budget, executed in entries:
        if budget is None and executed is None:
            continue
        rate = ""
        if budget is not None and executed is not None:
            b, e = in_yuan(budget), in_yuan(executed)
            if b and e is not None:
                rate = percent_text(e / b)
            elif b == 0:
                rate = "—"
        rows.append([
            group or "整体", name,
            amount_text(budget) if budget is not None else "—",
            amount_text(executed) if executed is not None else "—",
            rate or "—",
        ])
    if not rows:
        return None
    return Table(["口径", "类别", "全年预算数", "全年执行数", "完成率"], rows,
                 caption="部门整体支出预算执行情况", widths=[3, 3, 5, 5, 3], numeric={2, 3, 4})


# ------------------------------------------------------------------ sentences from the scorecard


def conclusion_sentences(dossier: Dossier, scorecard: Scorecard) -> list[Para]:
    out: list[Para] = []
    kind = "整体支出" if dossier.kind == "部门整体" else "项目支出"
    if scorecard.total is None:
        out.append(Para(f"根据《{scorecard.framework_name}》，本部门 {dossier.year} 年度{kind}绩效自评"
                        "因数据不全暂无法计算总分。", "note"))
    elif not scorecard.complete:
        out.append(Para(
            f"根据《{scorecard.framework_name}》，本部门 {dossier.year} 年度{kind}绩效自评按现有数据计得 "
            f"{score_short(scorecard.total)} 分（满分 {trim(scorecard.max)} 分），部分指标缺少数据，总分尚不完整。",
            "note",
        ))
    else:
        grade = f"，评价等级为“{scorecard.grade}”" if scorecard.grade else ""
        out.append(Para(
            f"根据《{scorecard.framework_name}》，本部门 {dossier.year} 年度{kind}绩效自评得分为 "
            f"{score_short(scorecard.total)} 分（满分 {trim(scorecard.max)} 分）{grade}。"
        ))
    dims = []
    for item in scorecard.items:
        if item.rule in ADJUSTMENT_RULES:
            dims.append(f"{item.name}得 {score_short(item.score)} 分（上限 {trim(item.max)} 分）")
        else:
            dims.append(f"{item.name}分值 {trim(item.max)} 分，得 {score_short(item.score)} 分")
    if dims:
        out.append(Para("其中，" + "；".join(dims) + "。"))
    stated, total = scorecard.stated_total, scorecard.total
    # Scoring may already explain the gap in its notes; say it once.
    if stated is not None and total is not None and stated != total \
            and not any(score_short(stated) in note for note in scorecard.notes):
        out.append(Para(
            f"单位原自评总分为 {score_short(stated)} 分，按评分标准复算为 {score_short(total)} 分，"
            f"相差 {score_short(abs(stated - total))} 分，差异见各项指标的评分依据。",
            "note",
        ))
    if not scorecard.complete:
        missing = "；".join(scorecard.missing) if scorecard.missing else "、".join(i.name for i in unscored(scorecard))
        out.append(Para(f"以下指标因数据不全暂未计分，总分尚不完整：{missing}。", "note"))
    for note in scorecard.notes:
        out.append(Para(f"说明：{as_sentence(note)}", "note"))
    return out


def score_table(scorecard: Scorecard) -> Table:
    rows: list[list[str]] = []
    emphasis: set[int] = set()
    # A deducted item's derivation is spelled out once, in 扣分情况说明; the table points there.
    numbered = {id(item): n for n, item in enumerate(deductions(scorecard), start=1)}
    for item in scorecard.walk():
        if item.level == 1:
            emphasis.add(len(rows))
        indent = "　" * (item.level - 1)
        basis = f"见扣分情况说明第 {numbered[id(item)]} 条" if id(item) in numbered else item.derivation or ""
        rows.append([indent + item.name, trim(item.max), score_text(item.score),
                     score_text(item.stated) if item.stated is not None else "", basis])
    emphasis.add(len(rows))
    rows.append(["合计", trim(scorecard.max), score_text(scorecard.total),
                 score_text(scorecard.stated_total) if scorecard.stated_total is not None else "", ""])
    return Table(["指标", "分值", "得分", "原自评分", "评分依据"], rows, caption="绩效自评得分表",
                 widths=[6, 2, 2, 2, 9], numeric={1, 2, 3}, emphasis=emphasis)


def deduction_paras(scorecard: Scorecard) -> list[Para]:
    items = deductions(scorecard)
    if not items:
        return [Para("各项指标均得满分，无扣分。")]
    out = []
    for number, item in enumerate(items, start=1):
        lost = lost_points(item)
        out.append(Para(
            f"{number}. {item.name}：分值 {trim(item.max)} 分，得 {score_short(item.score)} 分，"
            f"扣 {score_short(lost)} 分。{item.derivation}".rstrip()
        ))
    for item in scored_units(scorecard.items):
        if item.rule in ADJUSTMENT_RULES and item.score is not None:
            out.append(Para(f"{item.name}：得 {score_short(item.score)} 分。{item.derivation}".rstrip()))
    return out


def indicator_table(dossier: Dossier, scorecard: Scorecard) -> Table | None:
    rows = indicator_rows(dossier, scorecard)
    if not rows:
        return None
    body = []
    for row in rows:
        item = row.item
        score = item.score if item is not None else row.indicator.stated_score
        body.append([row.project.name, row.indicator.name, trim(row.indicator.weight),
                     row.indicator.target or "", row.indicator.actual or "", score_text(score)])
    return Table(["项目", "绩效指标", "分值", "年度指标值", "实际完成值", "得分"], body,
                 caption="项目绩效指标完成情况", widths=[5, 6, 2, 3, 3, 2], numeric={2, 5})


def attainment_summary(dossier: Dossier, scorecard: Scorecard) -> Para | None:
    rows = indicator_rows(dossier, scorecard)
    scored = [r for r in rows if r.item is not None and r.item.score is not None]
    if not scored:
        return None
    full = sum(1 for r in scored if r.item is not None and r.item.score == r.item.max)
    projects = len({id(r.project) for r in rows})
    text = f"{projects} 个项目共设绩效指标 {len(rows)} 项，已评分 {len(scored)} 项，其中得满分 {full} 项"
    if len(scored) > full:
        text += f"，未得满分 {len(scored) - full} 项（见下）"
    return Para(text + "。")


def shortfall_paras(dossier: Dossier, scorecard: Scorecard) -> list[Para]:
    out = []
    for row in indicator_rows(dossier, scorecard):
        item = row.item
        short = item is not None and item.score is not None and item.score < item.max
        if not short and row.indicator.achievement not in {"部分达成", "未达成"}:
            continue
        reason = row.indicator.deviation_reason
        why = f"偏差原因：{reason}。" if reason and reason.strip() not in {"无", ""} else f"偏差原因：{PLACEHOLDER}"
        got = f"，得 {score_short(item.score)} 分" if item is not None and item.score is not None else ""
        out.append(Para(
            f"“{row.indicator.name}”（{row.project.name}）年度指标值 {row.indicator.target or '—'}，"
            f"实际完成 {row.indicator.actual or '—'}{got}。{why}"
        ))
    return out


def finding_paras(findings: list[Finding]) -> list[Para]:
    out = []
    for finding in findings:
        if finding.severity == "info":
            continue
        text = finding.message
        if finding.suggestion:
            text += f"（建议：{finding.suggestion}）"
        out.append(Para(f"{DRAFT_MARK}{text}", "draft"))
    return out


def _slot(section: Section, dossier: Dossier, key: str) -> None:
    text = slot_text(dossier.texts, key)
    if text:
        for para in (p.strip() for p in text.splitlines()):
            if para:
                section.add(Para(para))
    else:
        section.add(Para(PLACEHOLDER, "placeholder"))


# ------------------------------------------------------------------ the outline


def build_report(dossier: Dossier, scorecard: Scorecard, findings: list[Finding] | None = None) -> ReportDoc:
    one = Section("一、部门基本情况", 1)
    _slot(one.sub("部门职能"), dossier, "部门职能")
    _slot(one.sub("机构设置及人员情况"), dossier, "机构人员")
    _slot(one.sub("年度总体工作和重点工作任务"), dossier, "重点工作")
    goals = one.sub("部门整体支出绩效目标")
    _slot(goals, dossier, "绩效目标")
    money = one.sub("部门整体收支情况")
    sentences = income_sentences(dossier) + expense_sentences(dossier) + budget_sentences(dossier)
    for sentence in sentences:
        money.add(Para(sentence))
    if not sentences:
        money.add(Para(f"{PLACEHOLDER}（档案中没有收入、支出或预算执行数据）", "placeholder"))
    table = budget_table(dossier)
    if table is not None:
        money.add(table)
        money.add(Chart("budget", "预算数与执行数对比"))
    _slot(one.sub("部门整体绩效管理情况"), dossier, "绩效管理情况")

    two = Section("二、绩效自评情况", 1)
    conclusion = two.sub("自评结论")
    for para in conclusion_sentences(dossier, scorecard):
        conclusion.add(para)
    conclusion.add(Chart("dimensions", "各维度得分与分值"))
    scores = two.sub("各项指标得分情况")
    scores.add(score_table(scorecard))
    deducted = two.sub("扣分情况说明")
    for para in deduction_paras(scorecard):
        deducted.add(para)
    targets = indicator_table(dossier, scorecard)
    if targets is not None:
        attained = two.sub("绩效指标完成情况")
        summary = attainment_summary(dossier, scorecard)
        if summary is not None:
            attained.add(summary)
        attained.add(targets)
        attained.add(Chart("attainment", "绩效指标完成程度"))
        for para in shortfall_paras(dossier, scorecard):
            attained.add(para)
    _slot(two.sub("主要工作成效"), dossier, "工作成效")

    three = Section("三、存在的主要问题", 1)
    written = slot_text(dossier.texts, "存在的问题")
    drafts = finding_paras(findings or [])
    if written:
        _slot(three, dossier, "存在的问题")
    elif not drafts:
        three.add(Para(PLACEHOLDER, "placeholder"))
    else:
        three.add(Para(f"{PLACEHOLDER}以下为核查发现的问题，供填写时参考：", "placeholder"))
    three.blocks.extend(drafts)

    four = Section("四、下一步改进措施", 1)
    _slot(four, dossier, "改进措施")
    five = Section("五、结果应用和公开", 1)
    _slot(five, dossier, "结果应用")
    return ReportDoc(report_title(dossier), dossier.unit.name, dossier.year, [one, two, three, four, five])
