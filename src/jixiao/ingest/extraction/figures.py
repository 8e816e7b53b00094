"""Canonical figures: every statement of each key, and the one value the dossier takes.

Sentence rules (general to how these reports are written):
- a sentence's *subject* is what its first figure names, unless other words stand before that figure
  in the same clause chain ("5.特困残疾人节日慰问经费，预算 95.91万元" is about a project);
- bare words (预算, 支出, 执行数, 决算数, 执行率) take their meaning from the subject: the unit's totals
  when the subject is the unit as a whole, the subject's own budget/actual when it is 三公经费,
  公用经费, 政府采购 …, and nothing when the subject is a project or a functional item;
- parts listed after 其中 take the stage (年初预算 / 决算) and year of the total they belong to;
- a bare 执行率/完成率 is the budget execution rate only next to the unit's budget figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from jixiao.ingest.document import Block, Document
from jixiao.model import Figure
from jixiao.numbers import AMOUNT_UNITS, find_quantities, format_decimal, parse_number, to_yuan

from .context import LabelContext, context_year, is_lead_in_only, read_label
from .mentions import Hit, SectionOf
from .model import IndicatorRow
from .spans import provenance
from .synonyms import AMOUNT, BARE_CORES, PERCENT, SUBJECT_VARIANTS, TOTAL_FAMILIES, key_name, match_family

GENERIC = "<generic>"
UNKNOWN = "<unknown>"
_TABLE_UNIT_RE = re.compile(r"[（(]\s*(万元|亿元|千元|元)\s*[)）]|单位\s*[:：]\s*(万元|亿元|千元|元)")
_NUMERIC_CELL_RE = re.compile(r"^[\s\d.,%‰+\-]*\d[\s\d.,%‰]*$")


@dataclass
class Statement:
    key: str
    figure: Figure
    order: int  # position in the document, for "first stated"


def _kind_of(unit: str) -> str | None:
    if unit in AMOUNT_UNITS:
        return AMOUNT
    return PERCENT if unit == "%" else None


def compose_key(family: str, ctx: LabelContext, prior: bool) -> str | None:
    """The canonical key for a family in a context (stage and year)."""
    if family == "budget" or (family in {"income_total", "expense_total"} and ctx.budget):
        key = "budget_initial" if ctx.initial else "budget_total"
    elif family == "executed":
        key = "executed_total"
    elif family == "three_public":
        key = "three_public_budget" if ctx.budget else "three_public_actual"
    elif family == "fiscal_income":
        key = "fiscal_income_budget" if ctx.budget else "fiscal_income_final"
    elif family in {
        "execution_rate",
        "budget_adjustment_rate",
        "procurement_execution_rate",
        "fixed_assets_utilization",
        "public_funds_control_rate",
        "three_public_control_rate",
        "income_budget_diff_rate",
        "avg_execution_rate",
        "carryover_rate",
        "target_completion_rate",
        "procurement_plan",
        "procurement_actual",
        "fixed_assets_total",
        "fixed_assets_in_use",
        "carryover_end",
        "income_total",
        "expense_total",
    }:
        key = family
    elif ctx.initial:
        key = f"{family}_budget_initial"
    elif ctx.budget:
        key = f"{family}_budget"
    else:
        key = family
    return f"prior_{key}" if prior else key


def _subject(doc: Document, hits: list[tuple[Hit, LabelContext]]) -> tuple[str, LabelContext | None]:
    first, ctx = hits[0]
    prefix = doc.text[first.sentence.start : first.label_start]
    cut = max(prefix.rfind("："), prefix.rfind(":"))
    if cut >= 0:
        prefix = prefix[cut + 1 :]  # "1、财务情况：" introduces, it does not name the subject
    if not is_lead_in_only(prefix):
        return UNKNOWN, None
    found = match_family(ctx.core, _kind_of(first.quantity.unit))
    if found is None or ctx.delta or ctx.own_level:
        return UNKNOWN, None
    family = found[0]
    return (GENERIC if family in TOTAL_FAMILIES else family), ctx


def _merge_stage(ctx: LabelContext, topic: LabelContext) -> LabelContext:
    if ctx.stage_given:
        if ctx.budget and not (ctx.initial or ctx.adjusted) and topic.initial:
            # "年初…预算229.99万元，其中…；项目支出预算9万元": still the year-start budget
            return replace(ctx, initial=True)
        return ctx
    return LabelContext(
        core=ctx.core,
        initial=topic.initial,
        adjusted=topic.adjusted,
        budget=topic.budget,
        final=topic.final,
        prior=ctx.prior or topic.prior,
        year=ctx.year or topic.year,
        own_level=ctx.own_level,
        delta=ctx.delta,
    )


def sentence_statements(doc: Document, hits: list[Hit], doc_year: int | None) -> list[Statement]:
    """Statements from one sentence's mentions (all hits share the sentence)."""
    cands = [(h, read_label(h.mention.label)) for h in hits if h.quantity.is_amount or h.quantity.unit == "%"]
    if not cands:
        return []
    subject, topic = _subject(doc, cands)
    sent = cands[0][0].sentence
    out: list[Statement] = []
    generic_amounts = False
    for hit, ctx0 in cands:
        ctx = ctx0
        if ctx.delta and subject in SUBJECT_RATES:
            change = _change_rate(doc, hit, subject)
            if change is not None:
                out.append(change)
                continue
        if ctx.delta or ctx.own_level or _is_target_phrase(doc.text, hit):
            continue
        found = match_family(ctx.core, _kind_of(hit.quantity.unit))
        if found is None:
            continue
        family = found[0]
        before = doc.text[sent.start : hit.label_start]
        if topic is not None and "其中" in doc.text[sent.start : hit.start]:
            ctx = _merge_stage(ctx, topic)
        if family in TOTAL_FAMILIES or ctx.core in BARE_CORES:
            if subject == UNKNOWN:
                continue
            if subject != GENERIC and ctx.core in BARE_CORES:
                variants = SUBJECT_VARIANTS.get(subject)
                if variants is None or family == "execution_rate":
                    continue
                if family not in {"budget", "executed", "expense_total", "income_total"}:
                    continue
                is_budget = ctx.budget or family == "budget"
                key = variants["budget" if is_budget else "actual"]
                prior = ctx.prior or _is_prior(ctx, before, doc_year)
                out.append(_statement(doc, hit, f"prior_{key}" if prior else key))
                continue
            if subject != GENERIC and family == "execution_rate":
                # "三公经费支出决算为0.72万元，完成全年预算0.72万元的100%": its control rate (决算/预算);
                # in a sentence about anything else (a project …) the rate is that thing's own
                control = SUBJECT_RATES.get(subject, {}).get("control")
                if control is not None and "预算" in doc.text[hit.label_start : hit.start]:
                    out.append(_statement(doc, hit, control))
                continue
            if family == "execution_rate" and "预算" not in hit.mention.label and not generic_amounts:
                continue  # "完成率137%" after a task count is that task's rate
        prior = ctx.prior or _is_prior(ctx, before, doc_year)
        key = compose_key(family, ctx, prior)
        if key is None:
            continue
        if family in {"budget", "executed"}:
            generic_amounts = True
        out.append(_statement(doc, hit, key))
    return out


# Rates of a subject stated next to its amounts: its control rate (决算/预算) and its change on the year.
SUBJECT_RATES: dict[str, dict[str, str]] = {
    "three_public": {"control": "three_public_control_rate", "change": "three_public_change_rate"},
    "public_funds": {"control": "public_funds_control_rate"},
}
_CHANGE_WORD_RE = re.compile(r"(?P<dir>下降|减少|降低|压减|增长|增加|上升|提高)了?(?:幅度)?(?:为|达到?)?$")
_ON_PRIOR_RE = re.compile(r"上年|去年|上一年|同比")


def _change_rate(doc: Document, hit: Hit, subject: str) -> Statement | None:
    """ "三公经费支出决算为0.72万元…比上年决算数减少17.84万元，下降96.1%": the change on the prior year,
    signed (a fall is negative), when the sentence compares with the prior year."""
    key = SUBJECT_RATES[subject].get("change")
    if key is None or hit.quantity.unit != "%":
        return None
    m = _CHANGE_WORD_RE.search(hit.mention.label)
    if m is None or not _ON_PRIOR_RE.search(doc.text[hit.sentence.start : hit.start]):
        return None
    value = hit.mention.value
    if m.group("dir") in {"下降", "减少", "降低", "压减"}:
        value = -value
    fig = Figure(
        value=value,
        unit="%",
        source=hit.mention.source,
        note=f"文中写“{m.group('dir')}{format_decimal(hit.mention.value)}%”，"
        + ("按负数计" if value < 0 else "按正数计"),
    )
    return Statement(key, fig, hit.start)


_TARGET_AFTER_RE = re.compile(r"^\s*(?:或|及)?(?:以上|以下|以内|左右)")
_TARGET_BEFORE_RE = re.compile(r"(?:[≥≤>＞<＜]|不低于|不少于|不超过|不高于|高于|低于|力争|确保|目标)\s*$")


def _is_target_phrase(text: str, hit: Hit) -> bool:
    """ "预算执行率 92%以上", "≥95%": a target or threshold, not the figure as it turned out."""
    return bool(
        _TARGET_AFTER_RE.match(text[hit.end : hit.end + 4])
        or _TARGET_BEFORE_RE.search(text[hit.label_start : hit.start])
    )


def _is_prior(ctx: LabelContext, before: str, doc_year: int | None) -> bool:
    if doc_year is None:
        return False
    year = ctx.year or context_year(before)
    return year is not None and year < doc_year


def _statement(doc: Document, hit: Hit, key: str) -> Statement:
    m = hit.mention
    return Statement(key, Figure(value=m.value, unit=m.unit, source=m.source), hit.start)


def narrative_statements(doc: Document, hits: list[Hit], doc_year: int | None) -> list[Statement]:
    groups: dict[tuple[int, int], list[Hit]] = {}
    for h in hits:
        if not h.in_table:
            groups.setdefault((h.block_index, h.sentence.start), []).append(h)
    out: list[Statement] = []
    for group in groups.values():
        out.extend(sentence_statements(doc, group, doc_year))
    return out


# ---------------------------------------------------------------- tables


def _cell_spans(block: Block) -> list[list[tuple[int, int]]]:
    spans: list[list[tuple[int, int]]] = []
    pos = block.start
    for line in block.text.split("\n"):
        row: list[tuple[int, int]] = []
        for cell in line.split("\t"):
            row.append((pos, pos + len(cell)))
            pos += len(cell) + 1
        spans.append(row)
    return spans


def table_statements(
    doc: Document, block: Block, section_of: SectionOf, doc_year: int | None
) -> list[Statement]:
    """Summary rows of a table: a label cell ("全年预算数") followed by its value cells.

    The first value after the label is the row's own total (later columns split it by source or
    structure). Amounts without a unit take the table's declared unit ("(元)", "单位：万元").
    """
    rows = block.rows or [line.split("\t") for line in block.text.split("\n")]
    spans = _cell_spans(block)
    table_unit: str | None = None
    out: list[Statement] = []
    generic_amounts = False
    for r, row in enumerate(rows):
        for cell in row:
            m = _TABLE_UNIT_RE.search(cell) if "元" in cell else None  # every unit it names ends in 元
            if m:
                table_unit = m.group(1) or m.group(2)
        cells = [(c, cell.strip()) for c, cell in enumerate(row) if cell.strip()]
        if len(cells) < 2 or _NUMERIC_CELL_RE.match(cells[0][1]):
            continue
        label_col, label = cells[0]
        ctx = read_label(label)
        value_col, value_text = cells[1]
        if ctx.delta or ctx.own_level or not _NUMERIC_CELL_RE.match(value_text):
            continue
        qs = find_quantities(value_text)
        if not qs:
            continue
        q = qs[0].quantity
        unit = q.unit or table_unit or ""
        kind = _kind_of(unit)
        found = match_family(ctx.core, kind) if kind else None
        if found is None:
            continue
        family = found[0]
        if family == "execution_rate" and "预算" not in label and not generic_amounts:
            continue
        key = compose_key(family, ctx, ctx.prior or _is_prior(ctx, "", doc_year))
        if key is None:
            continue
        if family in {"budget", "executed"}:
            generic_amounts = True
        if r >= len(spans) or value_col >= len(spans[r]) or label_col >= len(spans[r]):
            continue
        start = spans[r][label_col][0]
        end = spans[r][value_col][1]
        # quote label and value, located at the value's cell (same row, so same table and page)
        src = provenance(doc, start, end, section_of(start), at=spans[r][value_col][0])
        note = None if q.unit else f"表中数值未写单位，按表头“{table_unit}”计"
        out.append(Statement(key, Figure(value=q.value, unit=unit, source=src, note=note), start))
    return out


# ---------------------------------------------------------------- formulas in scoring tables

_FORMULA_RE = re.compile(
    r"(?P<x>[^，。；;,=\s（(]{2,20}率)\s*=\s*[（(]?\s*(?P<a>[^/（）()=，。]{2,30}?)\s*/\s*"
    r"(?P<b>[^/（）()=，。]{2,30}?)\s*[)）]?\s*[×xX*]\s*100\s*%"
)
# A number in a worked formula (readers rejoin a number a cell wrap split: "5830" / "92.57").
_WNUM = r"\d[\d,]*(?:\.\d+)?"
_WORKED_RE = re.compile(
    rf"[（(]?\s*(?P<a>{_WNUM})\s*/\s*(?P<b>{_WNUM})\s*[)）]?\s*[×xX*]\s*100\s*%\s*=\s*(?P<r>\d+(?:\.\d+)?)\s*%"
)


def formula_statements(
    doc: Document, rows: list[IndicatorRow], section_of: SectionOf, default_unit: str | None
) -> list[Statement]:
    """Figures a scoring table (自评表) gives only in a row's 评分依据 (basis).

    - A worked formula: a row whose rule defines "固定资产利用率=（实际在用固定资产总额/所有固定资产总额）×100%"
      and whose basis works it out as "(3455560.23/4138427.79)×100% = 83.50%" states both amounts and the
      rate. The amounts have no unit of their own; they take the unit the table declares ("(元)").
    - A rate named in the basis: "平均支出执行率达到100%".
    - A nil numerator: the rule defines "结余结转率=年末…结转和结余决算数/（…）×100%" and the basis says
      "无结转结余": the amount is 0 and so is the rate.
    """
    out: list[Statement] = []
    for row in rows:
        if not row.basis or row.source.end is None:
            continue
        base = doc.text.find(row.basis, row.source.end)
        if base < 0:
            continue
        found = _worked_formula(doc, row, base, section_of, default_unit)
        if not found:
            found = _basis_rates(doc, row, base, section_of) or _nil_numerator(doc, row, base, section_of)
        out.extend(found)
    return out


def _worked_formula(
    doc: Document, row: IndicatorRow, base: int, section_of: SectionOf, default_unit: str | None
) -> list[Statement]:
    assert row.basis is not None
    # both patterns need "=" and "%": most rows have neither, and the searches try every position
    if "=" not in row.basis or "%" not in row.basis:
        return []
    f = _FORMULA_RE.search(row.rule or "")
    w = _WORKED_RE.search(row.basis)
    if not f or not w:
        return []
    out: list[Statement] = []
    for name, group, kind in (("a", "a", AMOUNT), ("b", "b", AMOUNT), ("x", "r", PERCENT)):
        ctx = read_label(f.group(name))
        found = match_family(ctx.core, kind)
        if found is None or (kind == AMOUNT and not default_unit):
            continue
        key = compose_key(found[0], ctx, prior=False)
        if key is None:
            continue
        start = base + w.start(group)
        unit = default_unit if kind == AMOUNT else "%"
        # quote the whole worked formula, located at this number
        src = provenance(doc, base + w.start(), base + w.end(), section_of(start), at=start)
        note = (
            f"取自评分表计算式“{w.group(0).strip()}”，金额未写单位，按表头“{unit}”计"
            if kind == AMOUNT
            else None
        )
        value = parse_number(w.group(group))
        out.append(Statement(key, Figure(value=value, unit=unit or "", source=src, note=note), start))
    return out


_BASIS_RATE_RE = re.compile(
    r"(?P<label>[^，。；;,：:\s\d]{2,24}?)\s*(?:达到|达|为|是|[:：=＝])?\s*(?P<n>\d+(?:\.\d+)?)\s*%"
)


def _basis_rates(doc: Document, row: IndicatorRow, base: int, section_of: SectionOf) -> list[Statement]:
    """ "平均支出执行率达到100%": a rate the basis names itself (targets and thresholds excluded)."""
    assert row.basis is not None
    out: list[Statement] = []
    if "%" not in row.basis:  # what every match ends with; the search is slow on long text
        return out
    for m in _BASIS_RATE_RE.finditer(row.basis):
        tail = row.basis[m.end() : m.end() + 4]
        if _TARGET_AFTER_RE.match(tail) or _TARGET_BEFORE_RE.search(row.basis[: m.start("n")]):
            continue
        ctx = read_label(m.group("label"))
        found = match_family(ctx.core, PERCENT)
        if found is None or ctx.delta or (found[0] == "execution_rate" and "预算" not in m.group("label")):
            continue
        key = compose_key(found[0], ctx, prior=False)
        if key is None:
            continue
        start = base + m.start("label")
        src = provenance(doc, start, base + m.end(), section_of(start), at=base + m.start("n"))
        out.append(Statement(key, Figure(value=parse_number(m.group("n")), unit="%", source=src), start))
    return out


_NUMERATOR_RE = re.compile(
    r"(?P<x>[^，。；;,=\s（(]{2,20}率)\s*=\s*[（(]?\s*(?P<a>[^/（）()=，。]{2,30}?)\s*/"
)
_NIL_RE = re.compile(r"^\s*(?:本年度?|当年)?(?:无|没有)(?P<what>[^，。；;,\d]{2,12}?)(?:资金)?\s*[。.]?\s*$")


def _nil_numerator(doc: Document, row: IndicatorRow, base: int, section_of: SectionOf) -> list[Statement]:
    """ "无结转结余" under a rate whose numerator is that amount: amount 0, rate 0%."""
    assert row.basis is not None
    nil = _NIL_RE.match(row.basis)  # anchored, so cheap: the rule's formula is looked for only after it
    if not nil:
        return []
    f = _NUMERATOR_RE.search(row.rule or "")
    if not f:
        return []
    numerator = match_family(read_label(f.group("a")).core, AMOUNT)
    absent = match_family(read_label(nil.group("what")).core, AMOUNT)
    rate = match_family(read_label(f.group("x")).core, PERCENT)
    if numerator is None or absent is None or numerator[0] != absent[0] or rate is None:
        return []
    start, end = base + nil.start("what") - 1, base + nil.end("what")
    src = provenance(doc, start, end, section_of(start))
    note = f"评分依据写“{nil.group(0).strip()}”，{f.group('x')}的分子为 0，按 0 计"
    out = []
    for family, unit in ((numerator[0], "元"), (rate[0], "%")):
        key = compose_key(family, read_label(f.group("a" if unit == "元" else "x")), prior=False)
        if key is not None:
            out.append(Statement(key, Figure(value=Decimal(0), unit=unit, source=src, note=note), start))
    return out


def declared_table_unit(doc: Document) -> str | None:
    """The amount unit a document's tables declare ("年度部门整体支出规模(元)"), if exactly one."""
    units = {m.group(1) or m.group(2) for b in doc.tables() for m in _TABLE_UNIT_RE.finditer(b.text)}
    return units.pop() if len(units) == 1 else None


# ---------------------------------------------------------------- choosing


def _same(a: Figure, b: Figure) -> bool:
    if a.unit in AMOUNT_UNITS and b.unit in AMOUNT_UNITS:
        return to_yuan(a.value, a.unit) == to_yuan(b.value, b.unit)
    return a.unit == b.unit and a.value == b.value


def _where(f: Figure) -> str:
    # the file is the same for every statement; the location inside it is what tells them apart
    return f.source.model_copy(update={"file": None}).describe() if f.source else "?"


def choose(statements: list[Statement]) -> tuple[dict[str, Figure], dict[str, list[Figure]]]:
    """One value per key, and every statement per key in document order.

    When statements disagree the value stated most often wins, ties going to the first stated; the
    note names the others so a reader (and the checker) sees the conflict.
    """
    by_key: dict[str, list[Statement]] = {}
    for s in sorted(statements, key=lambda s: s.order):
        by_key.setdefault(s.key, []).append(s)
    chosen: dict[str, Figure] = {}
    all_stated: dict[str, list[Figure]] = {}
    for key, group in by_key.items():
        figs = [s.figure for s in group]
        all_stated[key] = figs
        distinct: list[tuple[Figure, int]] = []
        for f in figs:
            for i, (g, n) in enumerate(distinct):
                if _same(f, g):
                    distinct[i] = (g, n + 1)
                    break
            else:
                distinct.append((f, 1))
        best, count = max(distinct, key=lambda fn: fn[1])  # max keeps the first of equal counts
        name = key_name(key)
        if len(distinct) == 1:
            note = f"{name}：取自{_where(best)}" + (f"（文中{count}处表述一致）" if count > 1 else "")
        else:
            others = "；".join(
                f"{format_decimal(g.value)}{g.unit}（{n}处，首见{_where(g)}）"
                for g, n in distinct
                if g is not best
            )
            why = (
                f"出现{count}处，最多"
                if count > 1 and count > max(n for g, n in distinct if g is not best)
                else "首次出现"
            )
            note = f"{name}：文中表述不一致，取{format_decimal(best.value)}{best.unit}（{why}，{_where(best)}）；另有 {others}"
        if best.note:
            note = f"{note}；{best.note}"
        chosen[key] = best.model_copy(update={"note": note})
    return chosen, all_stated
