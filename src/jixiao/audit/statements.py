"""Reading the statements a report makes in prose, so checks can recompute them.

The parsers here turn sentences into:

- ``Mention``: a number with its unit, how precisely it is written, its label (the words before it),
  the year it refers to, whether it is a change ("比上年增加 X") and its canonical figure key;
- ``PartList``: "A X万元，其中B Y万元，C Z万元" — a total and the parts listed after 其中;
- ``ShareStatement``: "B Y万元，占总收入的 p%" — a part, the base it names, the stated share;
- ``RateStatement``: "预算 X，支出 Y，执行率为 p%" and 预算调整率;
- ``GrowthStatement``: "X，比上年增加 D，增长 p%".

Everything is pure: a function of the document text. Offsets are into ``Document.text``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.audit.base import Interval, stated_interval
from jixiao.numbers import AMOUNT_UNITS, QuantityMatch, find_quantities

# --------------------------------------------------------------------------- mentions

_SENT_END = "。！？!?"
_CLAUSE_BOUNDARY = "，,；;：:、（()）。！？\n\t"
_CLAUSE_BOUNDARY_RE = re.compile("[" + re.escape(_CLAUSE_BOUNDARY) + "]")
_ONE = Decimal(1)
_PERSON_UNITS = {"人": "人", "名": "人", "位": "人"}
_MEASURE_AFTER = re.compile(r"\s*(枚|块|座|辆|台|个)")  # used with .match(text, pos)
_APPROX_BEFORE = re.compile(r"(约|大约|近|逾|超过|超|多达)\s*$")
_APPROX_AFTER = re.compile(r"\s*(左右|以上|多|余)")  # used with .match(text, pos)
_DELTA_RE = re.compile(r"(增加|减少|增长|下降|降低|提高|上升|减|增)了?\s*$")
_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_REPORT_YEAR_RE = re.compile(r"(20\d{2})\s*年度")
_FILLER_TAIL = re.compile(
    r"(为|是|达到|达|共计|合计|总计|累计|共|计|约|大约|逾|近|超过|了|实现|有|金额|资金)+$"
)
_FILLER_LAST = frozenset("为是到达计共约逾近过了现有额金")  # the last characters of those words
_LEAD_NOISE = re.compile(
    r"^(其中[：:]?|和|及|以及|另|并|全年|本年度?|当年|截至\S*|[（(]?\d{1,2}[)）.．、]|[一二三四五六七八九十]+是)+"
)
_YEAR_IN_LABEL = re.compile(r"20\d{2}\s*年度?")
_SCOPE_WORDS = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算")
_BUDGET_WORD = re.compile(r"预算|计划|年初|拟投入")
_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"[\d,. ]+")
_NOUN = re.compile(r"[^，,；;。：:、（()）\d]{0,12}")
_SENT_SPLIT = re.compile(r"[。！？!?]")
_HAS_NUMBER = re.compile(r"[0-9０-９]|百分之")  # what find_quantities can find at all
_CLAUSE_MARK = re.compile(r"[，,；;：:、。！？!?]")
TITLE_LINE = 20  # a line this short with no punctuation is a title ("基本支出情况"), not a wrapped line
_NUMBER_TAIL = set("0123456789.万亿千")  # …unless it stops inside a number ("支出 2700.38 万")
_ACTUAL_WORD = re.compile(r"决算")

# label → canonical figure key (DESIGN.md §4); order matters: the specific before the general.
_KEY_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("income_general", re.compile(r"一般公共预算(财政)?拨款(收入|收支)?$")),
    ("income_fund", re.compile(r"政府性基金(预算)?(财政)?拨款(收入|收支)?$")),
    ("income_other", re.compile(r"(^|[，、])其他收入$")),
    ("expense_basic", re.compile(r"基本支出(决算数?)?$")),
    ("expense_project", re.compile(r"项目支出(决算数?)?$")),
    ("personnel", re.compile(r"(人员经费|工资福利支出)$")),
    ("public_funds", re.compile(r"(公用经费|商品和服务支出)$")),
    ("expense_transfers", re.compile(r"对个人和家庭(的)?补助(支出)?$")),
    ("expense_capital", re.compile(r"资本性支出$")),
    ("budget_total", re.compile(r"(全年预算数?|调整后预算数?|预算总额)$")),
    ("executed_total", re.compile(r"(全年执行数|执行数)$")),
    (
        "income_total",
        re.compile(r"(总收入|本年收入|全年收入|收入合计|收入总计|收入决算数?|部门收入|单位收入|^收入)$"),
    ),
    (
        "expense_total",
        re.compile(
            r"(总支出|本年支出|支出合计|支出总计|支出决算数?|部门支出|单位支出|支出数|^支出|全年支出)$"
        ),
    ),
]


def unit_class(unit: str) -> str | None:
    """The class values must share to be added or compared: money, percent, or a count unit."""
    if unit in AMOUNT_UNITS:
        return "money"
    if unit in ("%", "‰"):
        return "%"
    if unit in _PERSON_UNITS:
        return "人"
    if not unit or unit in ("年", "月", "日"):
        return None
    return unit


@dataclass
class Mention:
    start: int
    end: int
    text: str
    value: Decimal
    unit: str
    places: int
    scale: Decimal  # value / digits-as-written ("1.6万" → 10000)
    approx: str
    label: str  # cleaned words before the number
    raw_label: str  # uncleaned words before the number, back to the clause boundary
    noun: str  # words right after the unit (for counts: "名残疾学生")
    sentence: int
    year: int | None
    delta: str  # the change verb before it ("增加"/"减少"…) or ""
    key: str | None = None  # canonical figure key when the label names one
    budget: bool = False
    klass: str | None = field(init=False)  # unit_class(unit), read by every check: computed once
    _intervals: dict[int, Interval] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.klass = unit_class(self.unit)

    @property
    def factor(self) -> Decimal:
        return AMOUNT_UNITS.get(self.unit, Decimal(1))

    @property
    def base_value(self) -> Decimal:
        """Value in the class's base unit (元 for money)."""
        return self.value * self.factor

    def interval(self, places: int | None = None) -> Interval:
        """Base-unit interval at ``places`` decimals (the statement's precision, at least our own)."""
        p = max(self.places, places if places is not None else 0)
        iv = self._intervals.get(p)
        if iv is None:  # every check asks again: Decimal arithmetic is worth remembering
            if p == 0 and self.klass not in ("money", "%") and self.scale == 1 and not self.approx:
                iv = Interval(self.value, self.value)  # a whole count (22人) is exact, not rounded
            else:
                iv = stated_interval(self.value, p, approx=self.approx, scale=self.scale).scale(self.factor)
            self._intervals[p] = iv
        return iv

    @property
    def shown(self) -> str:
        return re.sub(r"\s+", "", self.text)


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    block: int
    mentions: list[Mention] = field(default_factory=list)
    _bounds: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def rel(self, offset: int) -> int:
        return offset - self.start

    def clause_bounds(self) -> list[int]:
        """Offsets (in ``text``) of the characters that end a clause; found once, read by several parsers."""
        if self._bounds is None:
            self._bounds = [m.start() for m in _CLAUSE_BOUNDARY_RE.finditer(self.text)]
        return self._bounds


@dataclass
class PartList:
    """A total and the parts listed after 其中 (one unit class)."""

    total: Mention
    parts: list[Mention]
    extension: list[Mention]  # same-class mentions after "；" in the same sentence
    klass: str
    start: int
    end: int
    sentence: int


@dataclass
class ShareStatement:
    part: Mention
    share: Mention
    base_words: str  # what the text names as the base ("总收入"), "" for 占比
    base_key: str | None
    sentence: int
    parent: PartList | None = None


@dataclass
class RateStatement:
    rate: Mention
    kind: str  # 执行率 / 完成率 / 调整率 …
    operands: list[Mention]  # mentions before the rate in the sentence, same classes
    sentence: int


@dataclass
class GrowthStatement:
    base: Mention  # this year's value
    delta: Mention  # the change
    rate: Mention | None  # the stated growth rate
    sentence: int


@dataclass
class Analysis:
    text: str
    report_year: int | None
    sentences: list[Sentence]
    mentions: list[Mention]
    lists: list[PartList]
    shares: list[ShareStatement]
    rates: list[RateStatement]
    growths: list[GrowthStatement]
    # key → its mentions in document order; the checks ask for figures ~70 times per document
    _by_key: dict[str | None, list[Mention]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _indexed: int = field(default=-1, init=False, repr=False, compare=False)

    def figures(self, key: str, *, year: int | None = None) -> list[Mention]:
        """Statements of a canonical figure for a year (default: the report year), changes excluded."""
        if self._indexed != len(self.mentions):
            self._by_key = {}
            for m in self.mentions:
                self._by_key.setdefault(m.key, []).append(m)
            self._indexed = len(self.mentions)
        want = year if year is not None else self.report_year
        return [
            m for m in self._by_key.get(key, ()) if not m.budget and not m.delta and self.year_of(m) == want
        ]

    def year_of(self, m: Mention) -> int | None:
        return m.year if m.year is not None else self.report_year


# --------------------------------------------------------------------------- scanning


def report_year(text: str) -> int | None:
    """The year the report is about: the one in its title, else the most frequent "20xx 年度"."""
    head = _REPORT_YEAR_RE.search(text[:200])
    if head:
        return int(head.group(1))
    years = Counter(int(y) for y in _REPORT_YEAR_RE.findall(text))
    if not years:
        years = Counter(int(y) for y in _YEAR_RE.findall(text))
    return years.most_common(1)[0][0] if years else None


def split_sentences(text: str, base: int, block: int, first_index: int) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    for m in _SENT_SPLIT.finditer(text):
        end = m.end()
        if text[pos:end].strip():
            out.append(Sentence(first_index + len(out), base + pos, base + end, text[pos:end], block))
        pos = end
    if text[pos:].strip():
        out.append(Sentence(first_index + len(out), base + pos, base + len(text), text[pos:], block))
    return out


def clean_label(raw: str) -> str:
    s = "".join(raw.split())  # = _WS.sub("", raw): str.split and \s agree on what is whitespace
    if not s:
        return s
    if "20" in s:
        s = _YEAR_IN_LABEL.sub("", s)
    for _ in range(3):
        s2 = _LEAD_NOISE.sub("", s)
        if s2[-1:] in _FILLER_LAST:  # (s2 has no spaces) skip the tail scan when nothing can match
            s2 = _FILLER_TAIL.sub("", s2)
        if s2 == s:
            break
        s = s2
    return s


_STRICT_PREFIX = {"expense_basic", "expense_project", "income_other", "personnel"}


def classify(label: str) -> str | None:
    """The canonical key a label names. "其他项目支出" is not 项目支出: for keys that name a part of the
    unit's accounts, only unit words may come before the keyword."""
    for key, rx in _KEY_RULES:
        m = rx.search(label)
        if m:
            if key in _STRICT_PREFIX and _UNIT_WORDS.sub("", label[: m.start()]).strip():
                return None
            return key
    return None


_TOTAL_KEYS = {"income_total", "expense_total", "budget_total", "executed_total"}
_UNIT_WORDS = re.compile(
    r"本部门|本单位|我部门|我单位|我会|本会|部门整体|单位整体|部门|单位|全年|本年度?|年度|全区|区残联|残联|度|当年|本|我"
)
_UNIT_SCOPE = re.compile(r"本部门|本单位|我部门|我单位|部门整体|单位整体|全年|本年|年度|^\s*20\d\d")


def _is_unit_total(label: str, sentence: str) -> bool:
    """Is a "收入/支出/预算数/执行数" label about the whole unit, not one project or fund?

    "三公经费支出决算" is not the unit's spending; a bare "支出" is, only when the sentence opens on
    the unit ("本部门收入…；支出…"), not on a project ("5.节日慰问经费，预算…，支出…").
    """
    for key, rx in _KEY_RULES:
        if key in _TOTAL_KEYS:
            m = rx.search(label)
            if m:
                prefix = _UNIT_WORDS.sub("", label[: m.start()])
                if prefix.strip():
                    return False
                if label[: m.start()].strip():
                    return True
                first_clause = re.split(r"[，,；;。]", sentence, maxsplit=1)[0]
                return bool(_UNIT_SCOPE.search(first_clause))
    return False


def is_budget_label(label: str) -> bool:
    s = label
    for w in _SCOPE_WORDS:
        s = s.replace(w, "")
    return bool(_BUDGET_WORD.search(s)) and not _ACTUAL_WORD.search(s)


def _boundary_before(text: str, rel: int, floor: int) -> int:
    i = rel - 1
    while i >= floor and text[i] not in _CLAUSE_BOUNDARY:
        i -= 1
    return i + 1


class _ClauseStarts:
    """Where the clause holding an offset of one sentence starts, by bisection over its boundaries.

    Scanning back from every percentage (as `_boundary_before(text, rel, 0)` does) is quadratic in a long
    sentence without punctuation: 10,000 "1%" in one line took ~60 s to audit.
    """

    def __init__(self, text: str, bounds: list[int] | None = None) -> None:
        """``bounds``: the sentence's `Sentence.clause_bounds` when the caller has them."""
        self.bounds = (
            bounds if bounds is not None else [m.start() for m in _CLAUSE_BOUNDARY_RE.finditer(text)]
        )

    def before(self, rel: int) -> int:
        """The clause start, but never more than `_MAX_CLAUSE` characters back (keeps work per figure bounded)."""
        k = bisect_left(self.bounds, rel)
        start = self.bounds[k - 1] + 1 if k else 0
        return max(start, rel - _MAX_CLAUSE)


# A clause without punctuation longer than this is a run-on table or garbage, not a phrase to read.
_MAX_CLAUSE = 200


def scan_sentence(
    sent: Sentence, doc_year: int | None, found: list[QuantityMatch] | None = None, shift: int = 0
) -> list[Mention]:
    """The quantities of one sentence; ``found`` are its quantities when the caller already has them, at
    offsets ``shift`` past the sentence's (so a run's scan is handed over without copying)."""
    text = sent.text
    out: list[Mention] = []
    prev_end = 0
    bounds: list[int] | None = None  # clause boundaries of the sentence, found once it has a figure
    years: list[tuple[int, int]] | None = None  # (end, year) of each "20xx 年", found once per sentence
    if found is None:
        found, shift = find_quantities(text), 0
    for qm in found:
        q = qm.quantity
        unit = q.unit
        qstart = qm.start - shift
        end = qm.end - shift
        if not unit:
            m_after = _MEASURE_AFTER.match(text, end)
            if m_after and "." not in qm.text:
                unit = m_after.group(1)
                end = m_after.end()
        if unit in ("年", "月", "日") or unit_class(unit) is None:
            continue  # dates and bare numbers are part of the label, not quantities
        if unit in AMOUNT_UNITS:
            scale = _ONE  # "万元" is a unit, not a scale
        else:
            digits = _DIGITS.match(qm.text.replace(",", ""))
            written = (
                Decimal(digits.group(0).replace(" ", ""))
                if digits and digits.group(0).strip(" .")
                else q.value
            )
            scale = (q.value / written) if written and q.value and not q.value.is_nan() else _ONE
        approx = ""
        ma = _APPROX_BEFORE.search(text[max(0, qstart - 3) : qstart])
        if ma:
            approx = ma.group(1)
        elif q.approx:
            approx = "多"
        else:
            mb = _APPROX_AFTER.match(text, end)
            if mb:
                approx = mb.group(1)
        if bounds is None:
            bounds = sent.clause_bounds()
        k = bisect_left(bounds, qstart)  # = _boundary_before(text, qstart, prev_end)
        lb = bounds[k - 1] + 1 if k and bounds[k - 1] >= prev_end else prev_end
        raw = text[lb:qstart]
        label = clean_label(raw)
        noun_m = _NOUN.match(text, end)
        noun = noun_m.group(0) if noun_m else ""
        if years is None:
            years = [(y.end(), int(y.group(1))) for y in _YEAR_RE.finditer(text)]
        year = None
        for e, y in reversed(years):  # the last "20xx 年" before the number
            if e <= qstart:
                year = y
                break
        delta_m = _DELTA_RE.search("".join(text[max(0, qstart - 8) : qstart].split()))
        delta = delta_m.group(1) if delta_m and unit != "%" else ""
        m = Mention(
            start=sent.start + qstart,
            end=sent.start + end,
            text=text[qstart:end],
            value=q.value,
            unit=unit,
            places=q.places,
            scale=scale,
            approx=approx,
            label=label,
            raw_label=raw,
            noun=noun,
            sentence=sent.index,
            year=year if year != doc_year else None,
            delta=delta,
        )
        if m.klass == "money" and not delta:
            m.key = classify(label)
            m.budget = is_budget_label(label)
            if m.key in _TOTAL_KEYS and not _is_unit_total(label, text):
                m.key = None
        out.append(m)
        prev_end = end
    return out


# --------------------------------------------------------------------------- statements


_QIZHONG_RE = re.compile(r"其中[：:]?")
_NOT_A_PART = {"在职": ("退休", "离休", "离退休")}


def _is_part(total: Mention, part: Mention) -> bool:
    if part.delta or part.klass != total.klass:
        return False
    if "占" in part.raw_label:
        return False
    for word, excluded in _NOT_A_PART.items():
        if word in total.label + total.noun and any(x in part.label + part.noun for x in excluded):
            return False
    return True


def _closes(total: Mention, parts: list[Mention]) -> bool:
    iv = Interval(Decimal(0), Decimal(0))
    for m in parts:
        iv = iv + m.interval()
    return iv.meets(total.interval())


def find_lists(sentences: list[Sentence]) -> list[PartList]:
    out: list[PartList] = []
    for si, sent in enumerate(sentences):
        for qz in _QIZHONG_RE.finditer(sent.text):
            p_abs = sent.start + qz.start()
            seg_start = max(sent.text.rfind("；", 0, qz.start()), sent.text.rfind(";", 0, qz.start())) + 1
            before = [m for m in sent.mentions if sent.start + seg_start <= m.start < p_abs]
            in_paren = sent.text[: qz.start()].rstrip().endswith(("（", "("))
            if not before and si > 0 and not sent.text[: qz.start()].strip("（( "):
                before = sentences[si - 1].mentions  # "…1641.73万元。其中…"
            # the list ends at the first "；", the next 其中, a closing parenthesis, or the sentence end
            rest = sent.text[qz.end() :]
            stops = [len(rest)]
            for ch in ("；", ";") + (("）", ")") if in_paren else ()):
                k = rest.find(ch)
                if k >= 0:
                    stops.append(k)
            nxt = _QIZHONG_RE.search(rest)
            if nxt:
                stops.append(nxt.start())
            stop_abs = sent.start + qz.end() + min(stops)
            after = [m for m in sent.mentions if p_abs < m.start < stop_abs]
            ext_end = sent.start + qz.end() + (nxt.start() if nxt else len(rest))
            beyond = [m for m in sent.mentions if stop_abs <= m.start < ext_end]
            totals: dict[str, Mention] = {}
            for m in before:
                if m.klass and m.klass != "%" and not m.delta:
                    totals[m.klass] = m  # the last one of each class
            for klass, total in totals.items():
                parts = [m for m in after if _is_part(total, m)]
                if not parts:
                    continue
                ext = [m for m in beyond if _is_part(total, m)]
                if total.budget:
                    for m in parts:
                        m.budget = True
                if _closes(total, parts):
                    ext = []  # the list is complete before "；": what follows is a new statement
                out.append(PartList(total, parts, ext, klass, total.start, parts[-1].end, sent.index))
    return out


_SHARE_BASE_RE = re.compile(r"占(?P<base>[^，,；;。%]{0,16}?)(?:的|比例|比重|比)?(?:为|达)?\s*$")


def find_shares(sentences: list[Sentence], lists: list[PartList]) -> list[ShareStatement]:
    parent_of: dict[int, PartList] = {}
    for pl in lists:
        for m in pl.parts + pl.extension:
            parent_of.setdefault(m.start, pl)
    out: list[ShareStatement] = []
    for sent in sentences:
        starts: _ClauseStarts | None = None
        for i, m in enumerate(sent.mentions):
            if m.unit != "%":
                continue
            rel = m.start - sent.start
            starts = starts or _ClauseStarts(sent.text, sent.clause_bounds())
            clause = sent.text[starts.before(rel) : rel]
            if "占" not in clause:
                continue
            mb = _SHARE_BASE_RE.search(re.sub(r"\s+", "", clause))
            if not mb:
                continue
            base_words = re.sub(r"(的|比例|比重)$", "", mb.group("base"))
            base_words = re.sub(r"^比$", "", base_words)
            part = next(
                (
                    p
                    for p in (sent.mentions[j] for j in range(i - 1, -1, -1))  # no copy of the prefix
                    if p.klass not in (None, "%") and not p.delta
                ),
                None,
            )
            if part is None:
                continue
            base_key = classify(base_words) if base_words else None
            out.append(ShareStatement(part, m, base_words, base_key, sent.index, parent_of.get(part.start)))
    return out


_RATE_RE = re.compile(r"(执行率|完成率|控制率|利用率|使用率|到位率|调整率|完成预算的|完成全年预算)")


def find_rates(sentences: list[Sentence]) -> list[RateStatement]:
    out: list[RateStatement] = []
    for sent in sentences:
        starts: _ClauseStarts | None = None
        for i, m in enumerate(sent.mentions):
            if m.unit != "%":
                continue
            rel = m.start - sent.start
            starts = starts or _ClauseStarts(sent.text, sent.clause_bounds())
            clause = sent.text[starts.before(rel) : rel]
            found = _RATE_RE.search(clause)
            if not found or "占" in clause:
                continue
            ops = [p for p in sent.mentions[:i] if p.klass not in (None, "%") and not p.delta]
            # "完成全年预算0.72万元的100%": the budget is written inside the rate clause itself
            out.append(RateStatement(m, found.group(1), ops, sent.index))
    return out


_GROWTH_RATE_RE = re.compile(r"(增长|下降|降低|减少|增加|提高|上升)(了)?\s*$")


def find_growths(sentences: list[Sentence]) -> list[GrowthStatement]:
    out: list[GrowthStatement] = []
    for sent in sentences:
        ms = sent.mentions
        for i, d in enumerate(ms):
            if not d.delta or d.klass in (None, "%"):
                continue
            if not re.search(
                r"(比上年|较上年|同比|比去年|较去年|上年)",
                d.raw_label + sent.text[: d.start - sent.start][-20:],
            ):
                continue
            base = next((b for b in reversed(ms[:i]) if b.klass == d.klass and not b.delta), None)
            if base is None:
                continue
            rate = None
            if i + 1 < len(ms) and ms[i + 1].unit == "%":
                between = sent.text[ms[i].end - sent.start : ms[i + 1].start - sent.start]
                if _GROWTH_RATE_RE.search(re.sub(r"\s+", "", between)) and len(between) < 16:
                    rate = ms[i + 1]
            out.append(GrowthStatement(base, d, rate, sent.index))
    return out


def prose_runs(blocks: list) -> list[tuple[int, int, int]]:  # type: ignore[type-arg]
    """(first block index, start, end) of runs of prose blocks that read as one text.

    A paragraph that stops mid-sentence (no 。/！/？/；/：at its end — a page break, a line break in a
    PDF or a .docx) continues into the next one, so "2022 年度，一般公共预算财政" and "拨款收入
    3116.60 万元" stay one sentence and the year still applies. A short line without punctuation is a
    title ("基本支出情况") and ends its run.
    """
    runs: list[tuple[int, int, int]] = []
    open_run: list[int] | None = None
    for bi, b in enumerate(blocks):
        if b.kind == "table":
            open_run = None
            continue
        if open_run is not None and b.kind != "heading":
            open_run[2] = b.end
        else:
            open_run = [bi, b.start, b.end]
            runs.append(open_run)  # type: ignore[arg-type]
        t = b.text.strip()
        ends = t[-1:] in tuple(_SENT_END + "；;：:") if t else True
        title = len(t) <= TITLE_LINE and not _CLAUSE_MARK.search(t) and t[-1:] not in _NUMBER_TAIL
        if b.kind == "heading" or ends or title:
            open_run = None
    return [tuple(r) for r in runs]  # type: ignore[misc]


def analyse(doc: object) -> Analysis:
    """Parse every prose sentence of a Document (tables are left to the table-aware checks)."""
    raw: str = doc.text  # type: ignore[attr-defined]
    year = report_year(raw)
    runs = prose_runs(doc.blocks)  # type: ignore[attr-defined]
    # A line break inside a run is layout ("支出 2700.38 万" / "元", "政府性基金" / "预算财政拨款收入" as
    # two Word paragraphs): read it as a space, which keeps every offset into Document.text valid.
    pieces: list[str] = []
    pos = 0
    for _first, start, end in runs:
        pieces.append(raw[pos:start])
        pieces.append(raw[start:end].replace("\n", " "))
        pos = end
    pieces.append(raw[pos:])
    text = "".join(pieces)
    sentences: list[Sentence] = []
    mentions: list[Mention] = []
    quantities = getattr(doc, "quantities", None)
    for first, start, end in runs:
        run_sentences = split_sentences(text[start:end], start, first, len(sentences))
        sentences.extend(run_sentences)
        # one scan of the run for numbers (not one per sentence), handed to each sentence; a run of one
        # block without line breaks is that block's text, which extraction has scanned already
        block = doc.blocks[first]  # type: ignore[attr-defined]
        if quantities is not None and block.start == start and block.end == end and "\n" not in block.text:
            found = quantities(first)
        else:
            found = find_quantities(text[start:end]) if _HAS_NUMBER.search(text, start, end) else []
        k = 0
        for s in run_sentences:
            a, b = s.start - start, s.end - start
            mine: list[QuantityMatch] = []
            while k < len(found) and found[k].start < b:
                q = found[k]
                if q.start >= a and q.end <= b:
                    mine.append(q)
                k += 1
            if mine:  # most sentences state no number
                s.mentions = scan_sentence(s, year, mine, a)
                mentions.extend(s.mentions)
    lists = find_lists(sentences)
    return Analysis(
        text=text,
        report_year=year,
        sentences=sentences,
        mentions=mentions,
        lists=lists,
        shares=find_shares(sentences, lists),
        rates=find_rates(sentences),
        growths=find_growths(sentences),
    )


def statement_places(mentions: list[Mention]) -> int:
    """The precision a statement is written at: the most decimals any of its same-unit numbers shows.

    Reports drop trailing zeros ("0.3万元" beside "305.78万元"), so one number's own decimals
    understate the precision the author worked at.
    """
    return max((m.places for m in mentions), default=0)
