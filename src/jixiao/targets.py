"""年度指标值 / 实际完成值 as written in 自评表, and target-attainment scoring.

Decisions (where the rules are silent):

* A bare target ("2人", "100%") and an explicit "=" are parsed with op "=" but scored as "≥":
  reports mean "at least" (seed 自评表 give full marks for 10人 against 2人).
* "以上/以下" include the bound (as in Chinese legal usage): "85%或以上" is ≥85%.
* Strict ">"/"<" score like "≥"/"≤"; an actual exactly on the bound is counted as met, with a note.
* A range "90%-100%" may be written either way round ("100%-90%"); it is normalised low→high.
  Below the range scores like a "≥ lower" target, above it like a "≤ upper" target.
* Reverse (cost) targets: over the target the score falls linearly to 0 at twice the target.
* Ratios are rounded half-up to 2 places in percent before multiplying by the weight, so the
  derivation's arithmetic ("1×11.43%=0.11") can be checked by hand, as the seeds do.
* ``Attainment.ratio`` is actual÷target for a single numeric part (uncapped, so 1.12 shows
  over-achievement); None for qualitative, range and multi-part targets and for a zero target.
* ``achievement_ratio`` is a fraction (0.7, not 70). Without it a band scores at its default:
  达成 100 %, 部分达成 60 %, 未达成 0 % (the conservative ends; the reviewer may raise them).
* A qualitative actual that does not clearly match its target, with no ``achievement`` given, is
  status "invalid": the program does not judge wording, a person must. The same holds for a number
  against words ("≥95%" vs "达标") and for ``direction="qualitative"`` on a numeric target; with an
  ``achievement`` those parts are scored by its band.
* A missing 实际完成值 with an ``achievement`` is scored by the band (flag "缺少实际完成值");
  a missing 年度指标值 is always "missing".
* ``achievement_ratio`` without ``achievement`` is read as 达成 and must lie in 80–100 %.
* Units: equal, synonyms (人/名/位, 天/日, 场/场次), or amounts converted exactly; a unit on one side
  only is accepted with a note and the flag "单位缺失"; anything else is "invalid".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Literal

from jixiao.errors import NumberParseError
from jixiao.numbers import (
    AMOUNT_UNITS,
    Quantity,
    convert,
    format_decimal,
    normalize_digits,
    parse_quantity,
    round_half_up,
)

__all__ = [
    "ACHIEVEMENT_BANDS",
    "MISSING_DERIVATION",
    "Attainment",
    "Target",
    "TargetPart",
    "parse_actual",
    "parse_target",
    "qualitative_matches",
    "score_attainment",
]

Op = Literal[">=", "<=", ">", "<", "=", "range", "qual"]
Direction = Literal["positive", "reverse", "qualitative", "exact"]
Achievement = Literal["达成", "部分达成", "未达成"]


@dataclass(frozen=True)
class TargetPart:
    """One comparison: op and value(s) with unit, or a qualitative word (op "qual")."""

    op: Op
    value: Decimal | None
    upper: Decimal | None
    unit: str
    qualitative: str | None
    text: str


@dataclass(frozen=True)
class Target:
    parts: tuple[TargetPart, ...]
    text: str

    @property
    def direction(self) -> Direction:
        """positive (≥, bare), reverse (≤, 以内, 控制在), exact (range) or qualitative.

        Mixed multi-part targets take the direction of their first numeric part.
        """
        for p in self.parts:
            if p.op in (">=", ">", "="):
                return "positive"
            if p.op in ("<=", "<"):
                return "reverse"
            if p.op == "range":
                return "exact"
        return "qualitative"


@dataclass(frozen=True)
class Attainment:
    score: Decimal | None
    weight: Decimal
    ratio: Decimal | None
    status: Literal["scored", "missing", "needs_reason", "invalid"]
    derivation: str
    flags: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# Vocabulary

# fmt: off
_PREFIX_OPS: dict[str, Op] = {
    "≥": ">=", "不低于": ">=", "不少于": ">=", "不小于": ">=", "大于等于": ">=", "大于或等于": ">=",
    "至少": ">=", "达到": ">=", "达": ">=", "≮": ">=",
    ">": ">", "超过": ">", "高于": ">", "大于": ">", "多于": ">",
    "≤": "<=", "不高于": "<=", "不超过": "<=", "不大于": "<=", "不多于": "<=", "小于等于": "<=",
    "小于或等于": "<=", "控制在": "<=", "≯": "<=",
    "<": "<", "低于": "<", "小于": "<", "少于": "<",
    "=": "=", "等于": "=",
}
_SUFFIX_OPS: dict[str, Op] = {
    "或以上": ">=", "及以上": ">=", "以上": ">=", "及其以上": ">=", "含以上": ">=",
    "或以下": "<=", "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=", "范围内": "<=", "内": "<=",
    "左右": "=",
}
# fmt: on
_PREFIX_RE = re.compile("^(" + "|".join(sorted(map(re.escape, _PREFIX_OPS), key=len, reverse=True)) + ")")
_SUFFIX_RE = re.compile("(" + "|".join(sorted(map(re.escape, _SUFFIX_OPS), key=len, reverse=True)) + ")$")
_RANGE_RE = re.compile(r"^(?P<a>.+?)\s*(?:-|~|～|〜|—|–|至|到)\s*(?P<b>[^-~～〜—–至到]+)$")
_SPLIT_RE = re.compile(r"\s*(?:[、，；;]|,(?![0-9]{3}(?![0-9]))|/(?=\s*[≥≤<>=0-9]))\s*")

# fmt: off
_QUAL_WORDS = (
    "是", "否", "有", "无", "达标", "有效", "良好", "合格", "完成", "提高", "提升", "改善", "增强",
    "增加", "促进", "保障", "满意", "规范", "及时", "准确", "完善", "健全", "稳定", "持续", "长期",
    "逐步", "不断", "进一步", "达到", "符合", "按时", "按期", "按计划", "如期", "较好", "好", "优",
    "良", "中", "差", "降低", "减少", "下降", "加强", "推进", "落实", "覆盖", "实现", "发挥", "作用",
    "效果", "影响", "正常", "安全", "未发生", "杜绝", "基本", "有所", "显著", "明显", "积极", "优化",
    "顺利", "达成", "成效", "认可", "受益", "预期", "一般", "较高", "较低", "到位",
)
_STRONG = ("显著", "明显", "大幅", "极大", "非常", "优秀", "全面")
_UP = ("提高", "提升", "增强", "增加", "改善", "促进", "上升", "增长")
_DOWN = ("降低", "减少", "下降", "减轻", "压缩")
_GRADES = {
    "优秀": 4, "优": 4, "良好": 3, "良": 3, "较好": 3, "好": 3,
    "合格": 2, "中": 2, "一般": 2, "达标": 2, "差": 0, "较差": 0, "不合格": 0,
}
# fmt: on
_YES_NO = frozenset({"是", "否", "有", "无"})
_QUAL_TEXT_RE = re.compile(r"^[\u4e00-\u9fff（）()“”\"]{1,30}$")
_MISSING_MARKERS = frozenset(
    {"", "-", "—", "——", "--", "/", "／", "N/A", "n/a", "NA", "无数据", "暂无", "空"}
)

ACHIEVEMENT_BANDS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    # band: (lowest, highest, default when no ratio is given)
    "达成": (Decimal("0.8"), Decimal("1"), Decimal("1")),
    "部分达成": (Decimal("0.6"), Decimal("0.8"), Decimal("0.6")),
    "未达成": (Decimal("0"), Decimal("0.6"), Decimal("0")),
}
# Units that name the same thing: a target in 人 is met by an actual in 名.
_SAME_UNITS = ({"人", "名", "位"}, {"天", "日"}, {"场", "场次"}, {"%", "\\%"})
_HUNDRED = Decimal(100)
MISSING_DERIVATION = "缺少年度指标值/实际完成值"


# ---------------------------------------------------------------------------------------------
# Parsing


def _clean(text: str) -> str:
    s = normalize_digits(text)
    s = (
        s.replace("$", "")
        .replace("\\geqslant", "≥")
        .replace("\\leqslant", "≤")
        .replace("\\geq", "≥")
        .replace("\\leq", "≤")
        .replace("\\ge", "≥")
        .replace("\\le", "≤")
        .replace("\\%", "%")
        .replace(">=", "≥")
        .replace("<=", "≤")
        .replace("＞", ">")
        .replace("＜", "<")
        .replace("＝", "=")
        .replace("≧", "≥")
        .replace("≦", "≤")
        .replace("⩾", "≥")
        .replace("⩽", "≤")
        .replace("～", "~")
        .replace("（含）", "")
        .replace("(含)", "")
    )
    # A run of blanks counts as one (a line break kept as such): the splitting and range patterns allow
    # blanks on both sides of a separator, and a long run before a failing tail would backtrack
    # quadratically ("1" + 20,000 spaces + "x" took minutes).
    s = _BLANK_RUN_RE.sub(lambda m: "\n" if "\n" in m.group() else " ", s)
    return s.strip().rstrip("。.；;，,、").strip()


_BLANK_RUN_RE = re.compile(r"\s{2,}")


def _split(s: str) -> list[str]:
    return [p for p in _SPLIT_RE.split(s) if p]


def _is_qualitative(s: str) -> bool:
    return bool(_QUAL_TEXT_RE.match(s)) and any(w in s for w in _QUAL_WORDS)


def _qual_part(s: str) -> TargetPart:
    return TargetPart("qual", None, None, "", s, s)


def _quantity(s: str) -> Quantity:
    q = parse_quantity(s)
    if q.unit in ("万", "亿"):
        raise NumberParseError(f"「{s}」只有数量级「{q.unit}」，缺少单位（是否漏写了“元”？）")
    return q


def _parses(s: str) -> bool:
    try:
        _quantity(_SUFFIX_RE.sub("", s.strip()))
    except NumberParseError:
        return False
    return True


def _parse_range(s: str) -> TargetPart | None:
    m = _RANGE_RE.match(s)
    if not m:
        return None
    try:
        a, b = _quantity(m.group("a")), _quantity(m.group("b"))
    except NumberParseError:
        return None
    unit = b.unit or a.unit
    lo, hi = a.value, b.value
    if a.unit and b.unit and a.unit != b.unit:
        if a.is_amount and b.is_amount:
            lo = convert(lo, a.unit, b.unit)
        else:
            raise NumberParseError(f"区间「{s}」两端单位不一致：「{a.unit}」与「{b.unit}」")
    if lo > hi:
        lo, hi = hi, lo
    return TargetPart("range", lo, hi, unit, None, s)


def _parse_target_part(part: str) -> TargetPart:
    s = part
    ops: list[Op] = []
    pm = _PREFIX_RE.match(s)
    if pm:
        ops.append(_PREFIX_OPS[pm.group(1)])
        s = s[pm.end() :].strip()
    sm = _SUFFIX_RE.search(s)
    if sm and sm.start() > 0:
        ops.append(_SUFFIX_OPS[sm.group(1)])
        s = s[: sm.start()].strip()
    if not ops:
        rng = _parse_range(s)
        if rng is not None:
            return rng
    try:
        q = _quantity(s)
    except NumberParseError:
        if _is_qualitative(part):
            return _qual_part(part)
        raise NumberParseError(f"无法识别的指标值「{part}」") from None
    # "=" from 左右 yields to a real operator; two real operators must agree.
    real = [o for o in ops if o != "="] or ops or ["="]
    op = real[0]
    if any(_loose(o) != _loose(op) for o in real):
        raise NumberParseError(f"指标值「{part}」的比较方向自相矛盾")
    return TargetPart(op, q.value, None, q.unit, None, part)


def _loose(op: str) -> str:
    return {">": ">=", "<": "<="}.get(op, op)


def parse_target(text: str) -> Target:
    """Parse a 年度指标值: "≥250人", "85%或以上", "90%-100%", "≥400人次、≥480人次", "显著提高" …"""
    if not isinstance(text, str):
        raise NumberParseError(f"指标值不是文本：{text!r}")
    return _parse_target(text)


# Targets and actuals are pure functions of short strings that repeat across dossiers scored against one
# framework (and across the rows of one table): caching them is most of the scoring time saved.
@lru_cache(maxsize=8192)
def _parse_target(text: str) -> Target:
    s = _clean(text)
    if not s:
        raise NumberParseError("年度指标值为空")
    parts = _split(s)
    if not parts:
        raise NumberParseError(f"无法识别的指标值「{text.strip()}」")
    return Target(tuple(_parse_target_part(p) for p in parts), text.strip())


def parse_actual(text: str) -> tuple[TargetPart, ...]:
    """Parse a 实际完成值 ("280人", "450人次、698人次", "显著"); parts have op "=" or "qual".

    Trailing 以上/左右 ("98%以上") are tolerated as written; comparison signs are not.
    """
    if not isinstance(text, str):
        raise NumberParseError(f"实际完成值不是文本：{text!r}")
    return _parse_actual(text)


@lru_cache(maxsize=8192)
def _parse_actual(text: str) -> tuple[TargetPart, ...]:
    s = _clean(text)
    if not s:
        raise NumberParseError("实际完成值为空")
    out: list[TargetPart] = []
    for part in _split(s):
        body = part
        sm = _SUFFIX_RE.search(body)
        if sm and sm.start() > 0:
            body = body[: sm.start()].strip()
        try:
            q = _quantity(body)
        except NumberParseError:
            pm = _PREFIX_RE.match(part)
            if pm and _parses(part[pm.end() :]):
                raise NumberParseError(f"实际完成值「{part}」应为实际数值，不应带比较符号") from None
            if _is_qualitative(part):
                out.append(_qual_part(part))
                continue
            raise NumberParseError(f"无法识别的实际完成值「{part}」") from None
        out.append(TargetPart("=", q.value, None, q.unit, None, part))
    if not out:
        raise NumberParseError(f"无法识别的实际完成值「{text.strip()}」")
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Scoring


def _fmt(d: Decimal) -> str:
    """Display without trailing zeros: 2.00 → "2", 1.50 → "1.5"."""
    s = format_decimal(d)
    return s.rstrip("0").rstrip(".") if "." in s else s


def _pct(frac: Decimal) -> str:
    return f"{format_decimal(frac * _HUNDRED, 2)}%" if frac != 1 else "100%"


def _level(w: str) -> int:
    if w.startswith(("未", "不", "无", "没", "否", "非")) and not w.startswith("不断"):
        return -1
    if w in ("差", "较差", "低", "较低"):
        return -1
    if any(k in w for k in _STRONG) or w == "优":
        return 2
    return 1 if any(k in w for k in _QUAL_WORDS) else 0


def _polarity(w: str) -> int:
    up, down = any(k in w for k in _UP), any(k in w for k in _DOWN)
    return 1 if up and not down else -1 if down and not up else 0


def qualitative_matches(target: str, actual: str) -> bool:
    """True when the actual wording meets the target: equal, or a stronger affirmative.

    "显著" meets "有效"; "有效" does not meet "显著"; 是/否/有/无 must match exactly;
    grades compare by rank (优秀 > 良好 > 合格 > 差); 提高 never meets 降低.
    """
    t, a = target.strip(), actual.strip()
    if t == a:
        return True
    if t in _YES_NO or a in _YES_NO:
        return False
    if t in _GRADES and a in _GRADES:
        return _GRADES[a] >= _GRADES[t]
    pt, pa = _polarity(t), _polarity(a)
    if pt and pa and pt != pa:
        return False
    lt = _level(t)
    return lt >= 1 and _level(a) >= lt


@dataclass
class _Part:
    frac: Decimal  # share of the part's weight earned, 0..1, at most 4 places
    text: str
    ratio: Decimal | None = None
    met: bool = False
    judged: bool = False  # scored by an achievement band rather than by numbers


class _Invalid(Exception):
    pass


def _same_unit(a: str, b: str) -> bool:
    return a == b or any(a in g and b in g for g in _SAME_UNITS)


def _actual_in_target_unit(tp: TargetPart, ap: TargetPart, notes: list[str]) -> Decimal:
    assert ap.value is not None
    tu, au = tp.unit, ap.unit
    if _same_unit(tu, au):
        return ap.value
    if tu in AMOUNT_UNITS and au in AMOUNT_UNITS:
        v = convert(ap.value, au, tu)
        notes.append(f"实际完成值 {ap.text} 换算为 {_fmt(v)}{tu}")
        return v
    if au == "":
        notes.append(f"实际完成值「{ap.text}」未写单位，按「{tu}」计")
        return ap.value
    if tu == "":
        notes.append(f"年度指标值「{tp.text}」未写单位，按「{au}」计")
        return ap.value
    raise _Invalid(
        f"单位不一致：年度指标值「{tp.text}」单位为「{tu}」，实际完成值「{ap.text}」单位为「{au}」，无法比较"
    )


def _ratio_pct(a: Decimal, t: Decimal) -> Decimal:
    # Extra precision so the one half-up rounding to 2 places is the only rounding that matters.
    with localcontext() as ctx:
        ctx.prec = 60
        return round_half_up(a * _HUNDRED / t, 2)


def _positive(
    a: Decimal, t: Decimal, unit: str, sign: str, ap: TargetPart, strict: bool, label: str = "目标"
) -> _Part:
    av, tv = _fmt(a), _fmt(t)
    if a >= t:
        note = "（目标为严格大于，实际恰等于目标值，按达成计）" if strict and a == t else ""
        ratio = _ratio_pct(a, t) / _HUNDRED if t > 0 else None
        return _Part(Decimal(1), f"实际完成 {ap.text} ≥ {label} {tv}{unit}，达成{note}", ratio, met=True)
    shown = f"{label} {sign}{tv}{unit}"
    if t <= 0:
        return _Part(Decimal(0), f"实际完成 {ap.text}，{shown}，未达成（目标值不为正，不按比例计分）")
    pct = _ratio_pct(a, t)
    text = f"实际完成 {ap.text}，{shown}，完成比例 {av}÷{tv}={format_decimal(pct)}%"
    if pct <= 0:
        return _Part(Decimal(0), text + "，按 0 计", pct / _HUNDRED)
    return _Part(pct / _HUNDRED, text, pct / _HUNDRED)


def _reverse(
    a: Decimal, t: Decimal, unit: str, sign: str, ap: TargetPart, strict: bool, label: str = "目标"
) -> _Part:
    av, tv = _fmt(a), _fmt(t)
    if a <= t:
        note = "（目标为严格小于，实际恰等于目标值，按达成计）" if strict and a == t else ""
        ratio = _ratio_pct(a, t) / _HUNDRED if t > 0 else None
        return _Part(Decimal(1), f"实际完成 {ap.text} ≤ {label} {tv}{unit}，达成{note}", ratio, met=True)
    shown = f"{label} {sign}{tv}{unit}"
    if t <= 0:
        return _Part(
            Decimal(0), f"实际完成 {ap.text}，{shown}，超出目标（目标值不为正，不按比例计分），按 0 计"
        )
    pct = _ratio_pct(a, t)
    left = 200 - pct
    text = (
        f"实际完成 {ap.text}，{shown}，超出目标，实际÷目标 {av}÷{tv}={format_decimal(pct)}%，"
        f"按 200%−{format_decimal(pct)}%"
    )
    if left <= 0:
        return _Part(Decimal(0), text + "≤0，按 0 计", pct / _HUNDRED)
    return _Part(left / _HUNDRED, text + f"={format_decimal(left)}% 计", pct / _HUNDRED)


_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": ""}


def _band(achievement: Achievement | None, achievement_ratio: Decimal | None, what: str) -> _Part:
    if achievement is None:
        raise _Invalid(f"{what}，须判定达成程度（达成/部分达成/未达成）")
    default = ACHIEVEMENT_BANDS[achievement][2]
    frac = default if achievement_ratio is None else Decimal(achievement_ratio)
    return _Part(frac, f"{what}，判定为{achievement}，按 {_pct(frac)} 计", judged=True)


def _score_part(
    tp: TargetPart,
    ap: TargetPart,
    direction: str | None,
    achievement: Achievement | None,
    achievement_ratio: Decimal | None,
    notes: list[str],
) -> _Part:
    if tp.op == "qual":
        assert tp.qualitative is not None
        if (
            ap.op == "qual"
            and ap.qualitative is not None
            and qualitative_matches(tp.qualitative, ap.qualitative)
        ):
            if achievement is not None and achievement != "达成":
                return _band(achievement, achievement_ratio, f"实际「{ap.text}」符合目标「{tp.text}」")
            if achievement_ratio is not None:
                return _band("达成", achievement_ratio, f"实际「{ap.text}」符合目标「{tp.text}」")
            return _Part(Decimal(1), f"实际「{ap.text}」符合目标「{tp.text}」，达成", met=True)
        return _band(achievement, achievement_ratio, f"定性指标实际「{ap.text}」未明确达到目标「{tp.text}」")
    if direction == "qualitative" or ap.op == "qual" or ap.value is None:
        # Numbers cannot be compared with words; only a person's judgement can score this part.
        why = "指标方向为定性" if direction == "qualitative" else "实际完成值为定性描述"
        if achievement is None:
            raise _Invalid(
                f"年度指标值「{tp.text}」为定量，{why}（实际「{ap.text}」），无法按数值比较，"
                "须判定达成程度（达成/部分达成/未达成）"
            )
        return _band(achievement, achievement_ratio, f"{why}，实际「{ap.text}」对照目标「{tp.text}」")
    a = _actual_in_target_unit(tp, ap, notes)
    assert tp.value is not None
    if tp.op == "range":
        assert tp.upper is not None
        lo, hi = tp.value, tp.upper
        shown = f"{format_decimal(lo)}{tp.unit}–{format_decimal(hi)}{tp.unit}"
        if lo <= a <= hi:
            return _Part(Decimal(1), f"实际完成 {ap.text} 在目标区间 {shown} 内，达成", met=True)
        if a < lo:
            p = _positive(a, lo, tp.unit, "≥", ap, False, f"低于目标区间 {shown}，下限")
        else:
            p = _reverse(a, hi, tp.unit, "≤", ap, False, f"高于目标区间 {shown}，上限")
        p.ratio = None
        return p
    t, op, sign = tp.value, tp.op, _SIGNS[tp.op]
    if direction == "reverse" or (direction is None and op in ("<=", "<")):
        return _reverse(a, t, tp.unit, sign or "≤", ap, op == "<")
    if direction == "exact" and a > t:
        return _reverse(a, t, tp.unit, sign, ap, False)
    return _positive(a, t, tp.unit, sign or "≥", ap, op == ">")


def _attainment(
    score: Decimal | None,
    weight: Decimal,
    ratio: Decimal | None,
    status: Literal["scored", "missing", "needs_reason", "invalid"],
    derivation: str,
    flags: Sequence[str] = (),
) -> Attainment:
    return Attainment(score, weight, ratio, status, derivation, tuple(dict.fromkeys(flags)))


def _is_missing(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() in _MISSING_MARKERS
    if isinstance(v, Target):
        return not v.parts
    return isinstance(v, Sequence) and len(v) == 0


def score_attainment(
    target: str | Target | None,
    actual: str | Sequence[TargetPart] | None,
    weight: Decimal,
    *,
    direction: str | None = None,
    achievement: Achievement | None = None,
    achievement_ratio: Decimal | None = None,
    reason: str | None = None,
    overachieve_factor: Decimal | None = Decimal("1.2"),
) -> Attainment:
    """Score one indicator's attainment of its target, with a Chinese derivation.

    Results are memoised: the function is pure and `Attainment` immutable, and the same indicator is
    scored again and again (every live re-score of a dossier, every unit under one framework).

    Never raises for bad input: unreadable values, incompatible units and out-of-band ratios give
    status "invalid" with the reason in ``derivation``; the score is always within [0, weight].
    """
    args = (target, actual, weight, direction, achievement, achievement_ratio, reason, overachieve_factor)
    try:
        # keyed on type and text too: Decimal("2") == Decimal("2.0") == 2.0 must not share an entry
        key = tuple((type(a), str(a) if type(a) is Decimal else None, a) for a in args)
        hash(key)
    except TypeError:  # a list of parts: unhashable, score it directly
        return _score_attainment(*args)
    return _cached_attainment(key)


@lru_cache(maxsize=16384)
def _cached_attainment(key: tuple[tuple[type, str | None, object], ...]) -> Attainment:
    return _score_attainment(*(a for _t, _s, a in key))  # type: ignore[arg-type]


def _score_attainment(
    target: str | Target | None,
    actual: str | Sequence[TargetPart] | None,
    weight: Decimal,
    direction: str | None = None,
    achievement: Achievement | None = None,
    achievement_ratio: Decimal | None = None,
    reason: str | None = None,
    overachieve_factor: Decimal | None = Decimal("1.2"),
) -> Attainment:
    # the implementation behind score_attainment's cache
    if isinstance(weight, float) or isinstance(achievement_ratio, float):
        # Binary floats are not exact; callers pass Decimal (or int/str).
        return _attainment(
            None, Decimal(0), None, "invalid", "分值和达成比例须为精确小数（Decimal），不能为浮点数"
        )
    try:
        w = Decimal(weight)
    except (ArithmeticError, TypeError, ValueError):
        return _attainment(None, Decimal(0), None, "invalid", f"分值「{weight}」不是数字")
    if not w.is_finite() or w < 0:
        return _attainment(None, w, None, "invalid", f"分值「{weight}」须为非负数")
    missing = [n for n, v in (("年度指标值", target), ("实际完成值", actual)) if _is_missing(v)]
    # A stated 达成程度 can stand in for a missing 实际完成值 (not for a missing target).
    if missing and (missing != ["实际完成值"] or achievement is None):
        return _attainment(None, w, None, "missing", MISSING_DERIVATION, tuple("缺少" + x for x in missing))
    if direction not in (None, "positive", "reverse", "exact", "qualitative"):
        return _attainment(None, w, None, "invalid", f"未知的指标方向「{direction}」")
    if achievement is not None and achievement not in ACHIEVEMENT_BANDS:
        return _attainment(None, w, None, "invalid", f"未知的达成程度「{achievement}」")
    if achievement_ratio is not None:
        band = achievement or "达成"
        lo, hi, _ = ACHIEVEMENT_BANDS[band]
        r = Decimal(achievement_ratio)
        if not (r.is_finite() and lo <= r <= hi):
            return _attainment(
                None,
                w,
                None,
                "invalid",
                f"达成比例 {_pct(r) if r.is_finite() else r} 不在「{band}」区间 {_pct(lo)}–{_pct(hi)} 内",
            )
    try:
        tgt = target if isinstance(target, Target) else parse_target(str(target))
    except NumberParseError as e:
        return _attainment(None, w, None, "invalid", e.message)
    flags: list[str] = []
    notes: list[str] = []
    if missing:
        tp_text = tgt.text or "、".join(p.text for p in tgt.parts)
        parts = [_band(achievement, achievement_ratio, f"未填实际完成值（目标「{tp_text}」）")]
        flags.append("缺少实际完成值")
        n = 1
    else:
        try:
            acts = parse_actual(actual) if isinstance(actual, str) else tuple(actual)  # type: ignore[arg-type]
        except NumberParseError as e:
            return _attainment(None, w, None, "invalid", e.message)
        n, m = len(tgt.parts), len(acts)
        if n != m:
            return _attainment(
                None,
                w,
                None,
                "invalid",
                f"年度指标值有 {n} 项，实际完成值有 {m} 项，无法逐项对应",
            )
        try:
            parts = [
                _score_part(tp, ap, direction, achievement, achievement_ratio, notes)
                for tp, ap in zip(tgt.parts, acts, strict=True)
            ]
        except _Invalid as e:
            return _attainment(None, w, None, "invalid", str(e))
        except (ArithmeticError, NumberParseError):
            # a ratio too large to round (e.g. 10^250 against a target of 10^-7) is unusable input
            return _attainment(None, w, None, "invalid", "数值超出可计算范围")

    if any("未写单位" in x for x in notes):
        flags.append("单位缺失")
    if overachieve_factor is not None and not missing:
        for tp, p in zip(tgt.parts, parts, strict=True):
            positive = tp.op in (">=", ">", "=") and direction not in ("reverse", "exact")
            if positive and p.met and p.ratio is not None and p.ratio >= Decimal(overachieve_factor):
                flags.append("指标值设定可能偏低")

    fracs = [p.frac for p in parts]
    total = sum(fracs, Decimal(0))
    score = round_half_up(w * total / n, 2)
    score = min(max(score, Decimal(0)), w)
    full = all(f == 1 for f in fracs)
    ws = _fmt(w)
    if n == 1:
        body = parts[0].text
        tail = f"得满分 {ws} 分" if full else f"得分 {ws}×{_pct(fracs[0])}={format_decimal(score)} 分"
    else:
        body = f"共 {n} 项，分值均分；" + "；".join(
            f"第{i}项：{p.text}" + ("" if p.text.endswith(_pct(p.frac)) else f"（{_pct(p.frac)}）")
            for i, p in enumerate(parts, 1)
        )
        tail = (
            f"各项均达成，得满分 {ws} 分"
            if full
            else f"得分 {ws}×({'+'.join(_pct(f) for f in fracs)})÷{n}={format_decimal(score)} 分"
        )
    derivation = "，".join([body, *notes, tail])
    status: Literal["scored", "needs_reason"] = "scored"
    if not full and not (reason and reason.strip()):
        if any(p.judged and p.frac < 1 for p in parts):
            status = "needs_reason"
            derivation += "；定性指标未完全达成，须说明原因"
        else:
            flags.append("未完成目标，需说明原因")
    ratio = parts[0].ratio if n == 1 else None
    return _attainment(score, w, ratio, status, derivation, flags)
