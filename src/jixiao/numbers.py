"""Exact parsing of amounts, percentages and counts as they are written in Chinese documents.

Everything here is pure and `Decimal`-only; nothing ever goes through float.

Decisions (where real documents are ambiguous):

* Units are kept as written, never silently converted: "865.44万元" is ``Quantity(865.44, "万元")``.
  Use :func:`to_yuan` / :func:`convert` for exact conversion (all amount units are powers of ten,
  so conversion only moves the decimal point).
* A bare 万/亿 after a number with no 元 ("2317.52万") keeps the pseudo-unit "万"/"亿": it is
  *not* an amount, because a line break may have separated the 元 (the document normaliser joins
  those). Before a count unit the scale is multiplied out exactly: "1.6万多名" is 16000 名 (approx).
  Before 元 it becomes the amount unit: "1万余元" is 1 万元 (approx).
* Percentages keep the number as written: "98.23%" is ``Quantity(98.23, "%")``.
* 年/月/日 after a number are units of their own ("2021年" → unit "年"), so a year is never an
  amount; checkers must skip them when looking for money. Document numbers such as
  "〔2020〕24号" are not reported by :func:`find_quantities` at all.
* 大写 amounts ("壹拾万元整", "人民币…元陆角柒分") are read as a whole number of 元; lowercase
  Chinese numerals take the longest unit suffix ("三万元" → 3 万元).
* Chinese digits without place words read digit by digit: "二〇二一" is 2021 (so "一二" is 12).
  Colloquial "一百五" is 150 and "两万五" 25000; "一百零五" is 105.
* Full-width "，" becomes a thousands separator only between full-width digits ("１，２３４"); after
  ASCII digits it is a list separator ("100，200") and stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from jixiao.errors import NumberParseError

__all__ = [
    "AMOUNT_UNITS",
    "COUNT_UNITS",
    "PERCENT_UNITS",
    "Quantity",
    "QuantityMatch",
    "convert",
    "decimal_places",
    "find_quantities",
    "format_amount",
    "format_decimal",
    "normalize_digits",
    "parse_amount",
    "parse_chinese_number",
    "parse_number",
    "parse_quantity",
    "round_half_up",
    "to_yuan",
]

AMOUNT_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
}
# Every amount unit is 10**n, so conversions are exact exponent shifts.
_AMOUNT_EXP: dict[str, int] = {"元": 0, "千元": 3, "万元": 4, "亿元": 8}

PERCENT_UNITS: tuple[str, ...] = ("%", "‰")

# fmt: off
_PER_DENOMINATORS = ("人", "人次", "月", "户", "年", "次", "天", "日", "小时", "平方米", "亩", "人/月", "人·月")
_BASE_COUNT_UNITS = (
    "人次", "人", "户次", "户", "例", "个月", "个百分点", "百分点", "个", "场次", "场", "期", "名", "家",
    "项次", "项", "次", "台", "件", "所", "小时", "分钟", "天", "日", "月", "年", "周", "节", "篇", "份",
    "批", "辆", "套", "月/人", "人/月", "人/次", "课时", "学时", "平方米", "平米", "公里", "千米", "米",
    "吨", "公斤", "千克", "亩", "册", "本", "张", "条", "支", "座", "间", "处", "栋", "只", "位", "岁",
    "种", "类", "门", "班", "组", "床", "分", "个工作日", "工作日", "周岁", "届", "轮", "季度",
)
# fmt: on
# Longest first, so "人次" wins over "人" and "元/人" over "元".
COUNT_UNITS: tuple[str, ...] = tuple(
    sorted(
        set(_BASE_COUNT_UNITS) | {f"{a}/{d}" for a in AMOUNT_UNITS for d in _PER_DENOMINATORS},
        key=lambda u: (-len(u), u),
    )
)
_SCALES: dict[str, int] = {"万": 4, "亿": 8}
_DATE_UNITS = frozenset({"年", "月", "日"})

# High precision for intermediate exact arithmetic; rounding only ever happens where asked.
_CTX = Context(prec=200, rounding=ROUND_HALF_UP)

# ---------------------------------------------------------------------------------------------
# Digit normalisation (length-preserving, so spans found in the result index the original text)

_FW_TABLE = {0xFF10 + i: ord("0") + i for i in range(10)}
_FW_TABLE.update({0xFF21 + i: ord("A") + i for i in range(26)})
_FW_TABLE.update({0xFF41 + i: ord("a") + i for i in range(26)})
_FW_TABLE.update({ord("％"): ord("%"), ord("﹪"): ord("%"), ord("−"): ord("-")})
# translate() is the slow step; most text has no full-width digits, letters or ％ and skips it.
_FW_CHAR_RE = re.compile("[" + "".join(map(chr, _FW_TABLE)) + "]")
_FW_COMMA_RE = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")
_FW_POINT_RE = re.compile(r"(?<=\d)[．。](?=\d)", re.ASCII)
_FW_SIGN_RE = re.compile(r"[－＋](?=\d)", re.ASCII)
_IDEO_SPACE_RE = re.compile(r"(?<=\d)\u3000(?=\d)", re.ASCII)


def normalize_digits(text: str) -> str:
    """Full-width digits, letters, ％ and number punctuation to ASCII; other text unchanged.

    The result has exactly the same length as the input (one character for one), so indexes into
    it are indexes into the original text. "。" between digits is a mis-typed decimal point.
    """
    if _FW_CHAR_RE.search(text):
        if "，" in text:
            text = _FW_COMMA_RE.sub(",", text)
        text = text.translate(_FW_TABLE)
    if "．" in text or "。" in text:
        text = _FW_POINT_RE.sub(".", text)
    if "－" in text or "＋" in text:
        text = _FW_SIGN_RE.sub(lambda m: "-" if m.group() == "－" else "+", text)
    if "\u3000" in text:
        text = _IDEO_SPACE_RE.sub(" ", text)
    return text


# ---------------------------------------------------------------------------------------------
# Chinese numerals

# fmt: off
_CN_DIGIT_GROUPS = (
    ("零〇", 0), ("一壹弌", 1), ("二两贰貳兩", 2), ("三叁參", 3), ("四肆", 4),
    ("五伍", 5), ("六陆陸", 6), ("七柒", 7), ("八捌", 8), ("九玖", 9),
)
# fmt: on
_CN_DIGITS: dict[str, int] = {}
for _chars, _v in _CN_DIGIT_GROUPS:
    for _c in _chars:
        _CN_DIGITS[_c] = _v
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN_POINT = "点點"
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG) + _CN_POINT
_DAXIE_CHARS = frozenset("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟")


def _cn_error(text: str) -> NumberParseError:
    return NumberParseError(f"无法识别的中文数字「{text}」")


# No amount, count or year needs more digits; longer numerals are garbage (and str() of a huge int
# raises ValueError past 4300 digits).
_CN_MAX = 10**40


def _parse_cn_int(s: str) -> int:
    if not s:
        raise _cn_error(s)
    if len(s) > 40 and all(c in _CN_DIGITS for c in s):
        raise _cn_error(s[:20] + "…")
    if all(c in _CN_DIGITS for c in s):
        # Digit-by-digit form ("二〇二一"); a single "零" is zero.
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total = 0
    section = 0
    number: int | None = None
    last_small: int | None = None
    last_big: int | None = None
    zero_seen = False
    for c in s:
        if c in _CN_DIGITS:
            d = _CN_DIGITS[c]
            if d == 0:
                if number is not None:
                    raise _cn_error(s)
                zero_seen = True
                continue
            if number is not None:
                raise _cn_error(s)
            number = d
        elif c in _CN_SMALL:
            u = _CN_SMALL[c]
            if last_small is not None and u >= last_small:
                raise _cn_error(s)
            if number is None:
                # "十五" and "一万十五" omit the 一 before 十 only.
                if u != 10 or zero_seen:
                    raise _cn_error(s)
                number = 1
            section += number * u
            number = None
            last_small = u
            zero_seen = False
        elif c in _CN_BIG:
            u = _CN_BIG[c]
            if number is not None:
                section += number
                number = None
            if u == 10**8:
                if total == 0 and section == 0:
                    raise _cn_error(s)
                total = (total + section) * u
                if total >= _CN_MAX:  # "一亿亿亿…": stop before the integer grows without bound
                    raise _cn_error(s[:20] + "…")
            else:
                if section == 0 or (last_big is not None and last_big <= u):
                    raise _cn_error(s)
                total += section * u
            section = 0
            last_small = None
            last_big = u
            zero_seen = False
        else:
            raise _cn_error(s)
    if number is not None:
        # Colloquial "一百五" = 150, "两万五" = 25000; "一百零五" and "十五" are literal.
        if not zero_seen and last_small is not None and last_small >= 100:
            number = number * last_small // 10
        elif not zero_seen and last_small is None and last_big is not None:
            number = number * last_big // 10
        section += number
    return total + section


def parse_chinese_number(text: str) -> Decimal:
    """Chinese numerals, lower-case or 大写: "一千二百三十四", "两万", "三点五", "壹万贰仟", "负五"."""
    s = text.strip()
    negative = s.startswith("负")
    if negative:
        s = s[1:]
    int_part, frac_part = s, ""
    for p in _CN_POINT:
        if p in s:
            int_part, _, frac_part = s.partition(p)
            if not frac_part or any(c not in _CN_DIGITS for c in frac_part):
                raise _cn_error(text)
            break
    whole = _parse_cn_int(int_part) if int_part else 0
    if not int_part and not frac_part:
        raise _cn_error(text)
    digits = str(whole) + ("." + "".join(str(_CN_DIGITS[c]) for c in frac_part) if frac_part else "")
    value = Decimal(digits)
    return -value if negative else value


# ---------------------------------------------------------------------------------------------
# ASCII numbers

_ASCII_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+(?: +\d+)*)(?:\.\d+)?"
_ASCII_NUM_RE = re.compile(rf"^{_ASCII_NUM}$", re.ASCII)


def _ascii_decimal(s: str) -> Decimal:
    return Decimal(s.replace(",", "").replace(" ", ""))


def parse_number(text: str) -> Decimal:
    """A bare number: "1,234.5", "１２３４．５", "3 105.13", "-5", "−5", "一千二百三十四", "壹万贰仟".

    Spaces between digits (PDF extraction artefacts and thin-space grouping) are ignored; commas
    must group by three. Units are not accepted here (see :func:`parse_quantity`).
    """
    if not isinstance(text, str):
        raise NumberParseError(f"不是文本：{text!r}")
    s = normalize_digits(text).strip()
    if not s:
        raise NumberParseError("数字为空")
    if _ASCII_NUM_RE.match(s):
        return _ascii_decimal(s)
    if all(c in _CN_CHARS for c in s.removeprefix("负")):
        return parse_chinese_number(s)
    raise NumberParseError(f"无法识别的数字「{text.strip()}」")


# ---------------------------------------------------------------------------------------------
# Quantities


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, exactly as written.

    ``unit`` is "" when none, "%" or "‰" for percentages, an :data:`AMOUNT_UNITS` key for money,
    a :data:`COUNT_UNITS` entry for counts, or "万"/"亿" for a bare scale (see module notes).
    ``approx`` marks 约/近/多/余/左右.
    """

    value: Decimal
    unit: str
    text: str
    approx: bool = False

    @property
    def is_amount(self) -> bool:
        return self.unit in AMOUNT_UNITS

    @property
    def is_percent(self) -> bool:
        return self.unit in PERCENT_UNITS

    @property
    def is_date_part(self) -> bool:
        """Year, month or day ("2021年", "12月"); never money."""
        return self.unit in _DATE_UNITS

    @property
    def places(self) -> int:
        """Decimal places as written ("98.20%" → 2), before any 万/亿 scaling."""
        # = decimal_places(self.text) when it has an ASCII digit after normalising (both regexes need one),
        # normalising once: checks ask every mention's precision
        m = _PLACES_RE.search(normalize_digits(self.text))
        if m:
            return len(m.group(1) or "")
        # Chinese numerals (incl. 大写 with 角/分) are never scaled, so the value tells.
        return decimal_places(self.value)

    def to_yuan(self) -> Decimal:
        if not self.is_amount:
            raise NumberParseError(f"「{self.text}」不是金额，不能换算为元")
        return to_yuan(self.value, self.unit)


_HAS_DIGIT_RE = re.compile(r"[0-9]")
_PCT_WORDS = ("%",)
_UNITS_LONGEST = tuple(sorted(set(AMOUNT_UNITS) | set(COUNT_UNITS), key=lambda u: (-len(u), u)))
_UNIT_ALT = "|".join(re.escape(u) for u in _UNITS_LONGEST)
_QTY_RE = re.compile(
    rf"^(?P<pre>约|近|大约|共计|共|合计)?[ \t\u3000]*(?P<num>{_ASCII_NUM})[ \t\u3000]*"
    rf"(?P<scale>[万亿](?!元))?(?P<approx>多|余)?[ \t\u3000]*"
    rf"(?:(?P<pct>\\?%|‰)|(?P<unit>{_UNIT_ALT}))?(?P<post>左右)?$",
    re.ASCII,
)
_WS_RUN_RE = re.compile(r"[ \t\u3000]{2,}")
_JIAO_FEN_RE = re.compile(r"^零?(?:(?P<jiao>.)角)?零?(?:(?P<fen>.)分)?$")


def _parse_daxie(original: str, s: str) -> Quantity:
    core = s.removeprefix("人民币").lstrip("¥￥").strip().removesuffix("整").removesuffix("正")
    bad = NumberParseError(f"无法识别的大写金额「{original}」")
    cut = min((i for i in (core.find("元"), core.find("圆")) if i >= 0), default=-1)
    if cut >= 0:
        int_text, frac = core[:cut], core[cut + 1 :]
    else:
        # "伍角" / "陆角柒分": no 元 part at all.
        int_text, frac = "", core
    if not int_text and not frac:
        raise bad
    try:
        value = parse_number(int_text) if int_text else Decimal(0)
    except NumberParseError:
        raise bad from None
    if frac:
        fm = _JIAO_FEN_RE.match(frac)
        if not fm or not (fm.group("jiao") or fm.group("fen")):
            raise bad
        for key, exp in (("jiao", -1), ("fen", -2)):
            ch = fm.group(key)
            if ch is not None:
                if ch not in _CN_DIGITS:
                    raise bad
                value += Decimal(_CN_DIGITS[ch]).scaleb(exp)
    elif cut < 0:
        raise bad
    return Quantity(value, "元", original)


def _apply_scale(value: Decimal, scale: str | None, unit: str) -> tuple[Decimal, str]:
    if not scale:
        return value, unit
    if unit == "元":
        return value, scale + "元"
    if not unit:
        return value, scale
    return _plain(value.scaleb(_SCALES[scale], context=_CTX)), unit


def parse_quantity(text: str) -> Quantity:
    """A number with an optional unit: "865.44万元", "98.23%", "百分之九十五", "280人", "壹拾万元整".

    Comparison operators (≥, 以上 …) belong to targets and are rejected here.
    """
    if not isinstance(text, str):
        raise NumberParseError(f"不是文本：{text!r}")
    original = text.strip()
    # One space for any run: the pattern has adjacent optional parts each allowing spaces, and a long run
    # before a non-matching tail ("1" + 20,000 spaces + "x") would backtrack quadratically (minutes).
    s = _WS_RUN_RE.sub(" ", normalize_digits(original))
    if not s:
        raise NumberParseError("数量为空")
    m = _QTY_RE.match(s)
    if m:
        value = _ascii_decimal(m.group("num"))
        unit = "%" if m.group("pct") == "\\%" else (m.group("pct") or m.group("unit") or "")
        value, unit = _apply_scale(value, m.group("scale"), unit)
        approx = bool(m.group("pre") in ("约", "近", "大约") or m.group("approx") or m.group("post"))
        return Quantity(value, unit, original, approx)
    if s.startswith("百分之"):
        return Quantity(parse_number(s[3:]), "%", original)
    if (
        s.startswith(("人民币", "¥", "￥"))
        or any(c in _DAXIE_CHARS for c in s)
        or ("角" in s and s[-1] in "角分")
        or (s.endswith(("元整", "元正", "圆整")))
    ):
        return _parse_daxie(original, s)
    # Lower-case Chinese numerals: take the longest unit suffix whose remainder is a numeral.
    body = s.removeprefix("负")
    if body and body[0] in _CN_CHARS:
        for unit in (*_PCT_WORDS, *_UNITS_LONGEST):
            if s.endswith(unit) and len(s) > len(unit):
                try:
                    value = parse_chinese_number(s[: -len(unit)])
                except NumberParseError:
                    continue
                return Quantity(value, "%" if unit in _PCT_WORDS else unit, original)
        try:
            return Quantity(parse_chinese_number(s), "", original)
        except NumberParseError:
            pass
    raise NumberParseError(f"无法识别的数量「{original}」")


def parse_amount(text: str, default_unit: str | None = None) -> Quantity:
    """A money amount; the unit must be written unless ``default_unit`` (an amount unit) is given."""
    if default_unit is not None and default_unit not in AMOUNT_UNITS:
        raise NumberParseError(f"不是金额单位：「{default_unit}」")
    q = parse_quantity(text)
    if q.is_amount:
        return q
    if q.unit == "" and default_unit is not None:
        return Quantity(q.value, default_unit, q.text, q.approx)
    if q.unit in _SCALES and default_unit is not None:
        # "2317.52万" in a column headed 万元: the 元 was lost, the scale is not.
        return Quantity(q.value, q.unit + "元", q.text, q.approx)
    raise NumberParseError(f"「{q.text}」不是金额（缺少 元/万元/亿元 等单位）")


# ---------------------------------------------------------------------------------------------
# Exact arithmetic and formatting


def _check_amount_unit(unit: str) -> int:
    try:
        return _AMOUNT_EXP[unit]
    except KeyError:
        raise NumberParseError(f"不是金额单位：「{unit}」") from None


def _plain(d: Decimal) -> Decimal:
    # scaleb leaves positive exponents ("8.6544E+6"); integers read better in plain form.
    exp = d.as_tuple().exponent
    if isinstance(exp, int) and exp > 0 and len(d.as_tuple().digits) + exp < _CTX.prec:
        return d.quantize(Decimal(1), context=_CTX)
    return d


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Exact value in 元."""
    return _plain(Decimal(value).scaleb(_check_amount_unit(unit), context=_CTX))


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Exact conversion between amount units (or identity when the units are equal)."""
    if from_unit == to_unit:
        return Decimal(value)
    shift = _check_amount_unit(from_unit) - _check_amount_unit(to_unit)
    return _plain(Decimal(value).scaleb(shift, context=_CTX))


# quantize() exponents for the usual places; scoring rounds ~100 values per dossier
_QUANTUM = {p: Decimal(1).scaleb(-p) for p in range(0, 9)}


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round to ``places`` decimals, half away from zero (as the seeds round: 3.5844 → 3.58)."""
    try:
        quantum = _QUANTUM.get(places) or Decimal(1).scaleb(-places)
        d = value if type(value) is Decimal else Decimal(value)
        return d.quantize(quantum, ROUND_HALF_UP, _CTX)  # positional: keywords cost a third of the call
    except InvalidOperation:
        raise NumberParseError(f"无法按 {places} 位小数取整：{value}") from None


_PLACES_RE = re.compile(r"\d[\d, ]*(?:\.(\d+))?", re.ASCII)


def decimal_places(text_or_value: str | Decimal | int) -> int:
    """Decimal places as written: "98.20%" → 2, Decimal("1.50") → 2, "三点五" → 1, "12" → 0."""
    if isinstance(text_or_value, int):
        return 0
    if isinstance(text_or_value, Decimal):
        exp = text_or_value.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0
    s = normalize_digits(text_or_value)
    m = _PLACES_RE.search(s)
    if m:
        return len(m.group(1) or "")
    for p in _CN_POINT:
        if p in s:
            tail = s.partition(p)[2]
            n = 0
            while n < len(tail) and tail[n] in _CN_DIGITS:
                n += 1
            return n
    return 0


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """Plain notation, never "1E+3" or "-0": format_decimal(Decimal("1E+3")) == "1000"."""
    d = value if type(value) is Decimal else Decimal(value)
    if not d.is_finite():
        raise NumberParseError(f"不是有限数：{value}")
    if places is not None:
        d = round_half_up(d, places)
    if d.is_zero():
        d = abs(d)
    text = str(d)  # the same as format(d, "f") unless it shows an exponent; str is twice as fast
    return format(d, "f") if "E" in text else text


def format_amount(value: Decimal, unit: str) -> str:
    """Amount with its unit, e.g. "3105.13万元"."""
    return f"{format_decimal(value)}{unit}"


# ---------------------------------------------------------------------------------------------
# Scanning running text


@dataclass(frozen=True)
class QuantityMatch:
    """A quantity found in text; ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    quantity: Quantity


_SP = r"[ \t\u3000]*"
# The leading lookahead lets the regex engine skip, in C, every position that cannot start a match
# (every match starts with a sign, a digit or 百分之); it changes no result and makes the scan ~2.6× faster.
_FIND_RE = re.compile(
    rf"(?=[-+0-9百])(?:(?<![0-9A-Za-z.%)）\]】〕])(?P<sign>[-+]))?(?<![0-9A-Za-z.])"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?![\d])"
    rf"|\d{{1,3}}(?: \d{{3}})+(?:\.\d+)?(?![\d.])"
    rf"|\d+(?:\.\d+)?)"
    rf"(?:{_SP}(?P<scale>[万亿](?!元))?(?P<approx>多|余)?{_SP}"
    rf"(?:(?P<pct>\\?%|‰)|(?P<unit>{_UNIT_ALT}))?)?"
    r"|百分之(?P<cnpct>[0-9.]+|[零〇一二两三四五六七八九十百点]+)",
    re.ASCII,
)
# 〔2020〕24号, [2018]3号, 【2018】24: document numbers, not quantities.
_DOCNO_RE = re.compile(r"[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*第?\s*\d*\s*号?")
_RANGE_BETWEEN_RE = re.compile(rf"^{_SP}[-~～〜至到—–]{_SP}$")


_new = object.__new__


def _match(start: int, end: int, text: str, value: Decimal, unit: str, approx: bool = False) -> QuantityMatch:
    """``QuantityMatch(start, end, text, Quantity(value, unit, text, approx))``, built the way their frozen
    dataclass ``__init__`` would but without one ``object.__setattr__`` call per field: this runs for
    every number of every document, and the two objects were half the cost of a scan."""
    q = _new(Quantity)
    q.__dict__.update(value=value, unit=unit, text=text, approx=approx)
    qm = _new(QuantityMatch)
    qm.__dict__.update(start=start, end=end, text=text, quantity=q)
    return qm


def find_quantities(text: str) -> list[QuantityMatch]:
    """Every number in ``text``, with its unit when one follows on the same line.

    Bare numbers get unit "". Dates come out with units 年/月/日 (see :attr:`Quantity.is_date_part`).
    Document numbers (〔2020〕24号) are skipped. In a range "1-10 月" the lower bound takes the
    upper bound's unit, and "-" after a number is a range dash, never a minus sign.
    """
    s = normalize_digits(text)
    skip: list[tuple[int, int]] = []
    if "〔" in s or "[" in s or "【" in s or "(" in s or "（" in s:
        skip = [m.span() for m in _DOCNO_RE.finditer(s)]
    out: list[QuantityMatch] = []
    si = 0
    nskip = len(skip)
    for m in _FIND_RE.finditer(s):
        start = m.start()
        if nskip:
            while si < nskip and skip[si][1] <= start:
                si += 1
            if si < nskip and skip[si][0] <= start < skip[si][1]:
                continue
        # One groups() call instead of one group() per name: this loop runs for every number.
        sign, num, scale, approx, pct, unit_g, cnpct = m.groups()
        end = m.end()
        if cnpct is not None:
            try:
                value = parse_number(cnpct)
            except NumberParseError:
                continue
            qtext = text[start:end]
            out.append(_match(start, end, qtext, value, "%"))
            continue
        value = Decimal(num) if "," not in num and " " not in num else _ascii_decimal(num)
        if sign == "-":
            value = -value
        if pct:
            unit = "%" if pct == "\\%" else pct
        else:
            unit = unit_g or ""
            # Spaces after a number that no unit follows are not part of it.
            while s[end - 1] in " \t\u3000":
                end -= 1
        if scale:
            value, unit = _apply_scale(value, scale, unit)
        qtext = text[start:end]
        out.append(_match(start, end, qtext, value, unit, approx is not None))
    # A range's lower bound takes the upper bound's unit: "1-10 月", "90-100%".
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.quantity.unit or not b.quantity.unit or a.quantity.approx:
            continue  # (most pairs: the cheap tests first)
        scaled = not b.quantity.is_amount and ("万" in b.text or "亿" in b.text)
        if not scaled and _RANGE_BETWEEN_RE.match(s[a.end : b.start]):
            q = a.quantity
            out[i] = QuantityMatch(a.start, a.end, a.text, Quantity(q.value, b.quantity.unit, q.text))
    return out
