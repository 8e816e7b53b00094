"""Context of a label: which year, which stage (年初预算 / 全年预算 / 决算), whose (部门 / 本级).

`read_label` splits a label such as "2023年本单位收入决算数" into the words that name the figure
(core "收入决算数") and the context around them (year 2023, stage "final"). Rules, as these reports
are written:

- 年初 → the budget at the start of the year (budget_initial, *_budget_initial);
  全年预算 / 调整后预算 / 调整预算 → the adjusted budget (budget_total);
- 预算 (other than inside 一般公共预算 / 政府性基金预算, which are fund names) → a budget figure;
  决算 / 执行 / 实际 → the final account;
- 上年 / 去年 / a year before the evaluated year → prior_ figures;
- 本级 → the unit's own level only, not the whole department: never a department total;
- 增加 / 减少 / 增长 / 下降 / 差异 / 追加 / 占 … → a change or a share, not the figure itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")

# Words that make the number a change, a share or a per-head standard rather than the figure.
DELTA_RE = re.compile(
    r"增加|减少|增长|下降|增幅|降幅|差异|差额|追加|调增|调减|节约|超支|同比|环比|占|比重|比例|扣|"
    r"标准|每人|每户|每年|户均|人均|平均|月均|上涨|提高|降低|多出|少于"
)
# Rates whose names hold a word DELTA_RE would take for a change: "差异率", "平均执行率" are figures.
_RATE_NAMES_RE = re.compile(r"差异率|平均(?:支出)?(?:执行率|进度)")
_FUND_NAMES_RE = re.compile(r"一般公共预算|政府性基金预算?|国有资本经营预算|社会保险基金预算")
_RATE_WORDS_RE = re.compile(r"预算(?:执行|完成|调整)率")
# Reporting unit and time words at the start of a label: they say whose and when, not what.
_LEAD_RE = re.compile(
    r"^(?:\d{1,2}\s*[.、．](?!\d)|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}、|[.．、)）]|其中|按[^，,：:]{0,12}分类(?:科目)?|(?:19|20)\d{2}\s*年度?|本年度|本年|当年|今年|全年|年初|年中|年终|"
    r"年度|上年度|上一年度?|上年|去年|调整后|本部门|我部门|本单位|我单位|部门整体|整体|全区|我区|本区|"
    r"[，,：:、\s“”\"（）()]|的)"
)
# Time/stage words anywhere in the core (they are context, not the figure's name).
_STAGE_WORDS_RE = re.compile(r"年初|年中|年终|全年|本年度|上年度|上年|调整后|调整(?!率)|实际(?=支出数)")
_ADJUSTED_RE = re.compile(r"全年预算|调整后|调整预算")
_FINAL_RE = re.compile(r"决算|执行数|执行金额|实际")
_PRIOR_RE = re.compile(r"上年|去年|上一年")
_SPACE_QUOTES_RE = re.compile(r"[\s“”\"]")
_SPACE_RE = re.compile(r"\s")
_TRAIL_RE = re.compile(r"(?:为|是|达到|达|(?<![合总])共计|共|约|了|[:：=＝\s])+$")


@dataclass(frozen=True)
class LabelContext:
    core: str
    initial: bool = False  # 年初
    adjusted: bool = False  # 全年预算 / 调整后
    budget: bool = False  # a budget figure
    final: bool = False  # 决算 / 执行 / 实际
    prior: bool = False  # 上年
    year: int | None = None  # a year written in the label
    own_level: bool = False  # 本级
    delta: bool = False  # a change or share, not the figure

    @property
    def stage_given(self) -> bool:
        return self.initial or self.adjusted or self.budget or self.final


# What a label `_TRAIL_RE` can shorten ends with (or a space): most do not, and skip its scan.
_TRAIL_LAST = frozenset("为是到达计共约了:：=＝")


def strip_trailing(label: str) -> str:
    if label and (label[-1] in _TRAIL_LAST or label[-1].isspace()):
        label = _TRAIL_RE.sub("", label)
    return label.strip()


def _strip_lead(text: str) -> str:
    """`_LEAD_RE` removed from the start until it no longer matches (a match is never empty, and being
    anchored it can only match there: the same as repeating ``_LEAD_RE.sub("", text)``)."""
    while (m := _LEAD_RE.match(text)) is not None:
        text = text[m.end() :]
    return text


def read_label(label: str) -> LabelContext:
    """Split a label into its core words and the context around them."""
    text = strip_trailing(label)
    years = [int(y) for y in YEAR_RE.findall(text)]
    without_funds = _RATE_WORDS_RE.sub("", _FUND_NAMES_RE.sub("", text))
    initial = "年初" in text
    adjusted = bool(_ADJUSTED_RE.search(text))
    budget = "预算" in without_funds
    final = bool(_FINAL_RE.search(text)) and not budget
    prior = bool(_PRIOR_RE.search(text))
    core = _strip_lead(text)
    core = _STAGE_WORDS_RE.sub("", core)
    core = (_SPACE_QUOTES_RE if "三公" not in core else _SPACE_RE).sub("", core)
    return LabelContext(
        core=core,
        initial=initial,
        adjusted=adjusted,
        budget=budget or initial,
        final=final,
        prior=prior,
        year=years[-1] if years else None,
        own_level="本级" in text,
        delta=bool(DELTA_RE.search(_RATE_NAMES_RE.sub("", text))),
    )


_NUMBERING_LEAD_RE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、)"
)


def is_lead_in_only(text: str) -> bool:
    """True when ``text`` (what stands before a sentence's first figure) names no subject of its own:
    only numbering, the unit, the year and time words ("2021 年本部门", "（1）", "本年度，")."""
    t = _NUMBERING_LEAD_RE.sub("", text)
    t = _strip_lead(strip_trailing(t))
    return not t.strip()


def context_year(sentence_prefix: str) -> int | None:
    """The last year written in the sentence before a figure ("2022 年度，一般公共预算…")."""
    years = YEAR_RE.findall(sentence_prefix)
    return int(years[-1]) if years else None
