"""Synthetic self-evaluation reports from our own templates, with known injected inconsistencies.

``generate(n, seed)`` returns ``SyntheticReport``s: the text and the finding codes the checker should raise
for the faults injected into it. Amounts are exact decimals; every statement that is not a fault holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

UNITS = ["示范市东城区文化和旅游局", "示范市西城区卫生健康局", "示范县农业农村局", "示范市南区民政局", "示范县教育局"]
ACTIVITIES = [
    ("开展送戏下乡演出", "场", "演出补助"),
    ("资助困难家庭学生", "人", "助学金"),
    ("慰问困难老人", "人次", "慰问金"),
    ("完成农村危房改造", "户", "改造补助"),
    ("组织技能培训", "人", "培训补贴"),
]
FAULTS = ["sum", "share", "rate", "unit", "growth", "restate", "duplicate", "empty"]
CODES = {
    "sum": {"SUM_MISMATCH"},
    "share": {"SHARE_MISMATCH"},
    "rate": {"RATE_MISMATCH"},
    "unit": {"UNIT_SLIP"},
    "growth": {"GROWTH_MISMATCH"},
    "restate": {"STATEMENT_CONFLICT"},
    "duplicate": {"DUPLICATE_PASSAGE"},
    "empty": {"SECTION_EMPTY"},
}

# what a fault also legitimately causes: a total off its parts is also the wrong base for the shares
# and differs from the executed amount
CONSEQUENCES = {"sum": {"SHARE_OTHER_BASE", "FIGURE_CONFLICT"}}


@dataclass
class SyntheticReport:
    name: str
    text: str
    faults: list[str] = field(default_factory=list)

    @property
    def expected_codes(self) -> set[str]:
        return set().union(*(CODES[f] for f in self.faults)) if self.faults else set()

    @property
    def allowed_codes(self) -> set[str]:
        return self.expected_codes.union(*(CONSEQUENCES.get(f, set()) for f in self.faults))


def q(x: Decimal, places: int = 2) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randint(lo * 100, hi * 100)) / 100


def report(rng: random.Random, index: int) -> SyntheticReport:
    faults = rng.sample(FAULTS, k=rng.randint(0, 3))
    unit = rng.choice(UNITS)
    year = rng.choice([2022, 2023, 2024])
    basic, project = money(rng, 200, 900), money(rng, 300, 3000)
    total = basic + project
    stated_total = total + (money(rng, 1, 9) if "sum" in faults else 0)
    personnel = q(basic * Decimal(rng.randint(70, 92)) / 100)
    public = basic - personnel
    general = q(total * Decimal(rng.randint(80, 99)) / 100)
    other = total - general
    share_general = q(general / total * 100)
    share_other = q(other / total * 100)
    if "share" in faults:
        share_other = share_other + Decimal(rng.choice([10, 20, 30]))
    budget = q(total * Decimal(rng.randint(101, 110)) / 100)
    rate = q(total / budget * 100)
    if "rate" in faults:
        rate = rate - Decimal(rng.randint(3, 9))
    prior_basic = basic - money(rng, 5, 60)
    delta = basic - prior_basic
    growth = q(delta / prior_basic * 100, 1)
    if "growth" in faults:
        growth = growth + Decimal(5)
    pbudget, pspent = money(rng, 20, 90), Decimal(0)
    pspent = q(pbudget * Decimal(rng.randint(95, 100)) / 100)
    prate = q(pspent / pbudget * 100)
    spent_unit = "元" if "unit" in faults else "万元"
    act, measure, fund = rng.choice(ACTIVITIES)
    count = rng.randint(50, 900)
    amount = money(rng, 10, 90)
    count2, amount2 = (count + rng.randint(5, 30), amount + money(rng, 1, 5)) if "restate" in faults else (count, amount)
    problems = "无。" if "empty" in faults else "部分项目支出进度偏慢，绩效指标设置不够细化，预算编制精准度有待提高。"
    block = (
        f"（二）收支情况\n\n{year} 年度本部门本年收入 {stated_total} 万元，其中一般公共预算财政拨款收入 {general} 万元，"
        f"占比 {share_general}%，其他收入 {other} 万元，占比 {share_other}%。\n\n"
        f"本年支出 {stated_total} 万元，其中基本支出 {basic} 万元，项目支出 {project} 万元。"
        f"基本支出中人员经费 {personnel} 万元，公用经费 {public} 万元。\n\n"
        f"基本支出 {basic} 万元，比上年增加 {delta} 万元，增长 {growth}%。"
    )
    body = [
        f"{year}年度{unit}部门整体支出绩效自评报告",
        "一、基本情况",
        f"（一）部门职能\n\n{unit}负责本行政区域内相关公共服务的组织实施，内设机构 {rng.randint(3, 9)} 个。",
        block,
        "二、绩效自评情况",
        f"（一）预算执行\n\n本部门全年预算数 {budget} 万元，全年执行数 {total} 万元，预算执行率为 {rate}%。",
        f"重点项目预算 {pbudget}万元，支出 {pspent}{spent_unit}，执行率为 {prate}%。",
        f"（二）工作成效\n\n一是{act}。全年{act} {count} {measure}，发放{fund} {amount} 万元。",
        f"主要成效：{act} {count2}{measure} {amount2}万元。",
    ]
    if "duplicate" in faults:
        body.append(block)
    body += [
        "三、存在的主要问题",
        problems,
        "四、下一步改进措施",
        "加强预算执行动态监控，细化量化绩效指标，提高预算编制的科学性和准确性。",
    ]
    return SyntheticReport(f"synthetic_{index:04d}.txt", "\n\n".join(body) + "\n", faults)


def generate(n: int, seed: int = 7) -> list[SyntheticReport]:
    rng = random.Random(seed)
    return [report(rng, i) for i in range(n)]
