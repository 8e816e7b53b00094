"""Text normalisation shared by every reader.

Pure functions on strings, plus `MText` — a string with a per-character origin index — so that every
rewrite (full-width → ASCII, LaTeX fragments, joined lines) keeps track of where each character came
from. Readers turn origins into `Location`s when they build blocks.

Main entry points:
- `normalize_line(s)` / `normalize_mline(mt)`: character-level clean-up of one line.
- `lines_to_blocks(lines)`: lines (with origins) → paragraph / heading / tab-table block specs, joining
  hard-wrapped lines and numbers broken from their units, and rebuilding tab-flattened tables.
- `normalize_text(s)`: the whole pipeline on a plain string (for tests and callers without origins).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- mapped text


@dataclass
class MText:
    """A string with the origin (an int chosen by the reader) of every character."""

    text: str
    origin: list[int]

    @classmethod
    def of(cls, text: str, origin: int) -> MText:
        return cls(text, [origin] * len(text))

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, sl: slice) -> MText:
        return MText(self.text[sl], self.origin[sl])

    def __add__(self, other: MText) -> MText:
        return MText(self.text + other.text, self.origin + other.origin)

    def strip(self) -> MText:
        t = self.text
        if not t or not (t[0].isspace() or t[-1].isspace()):
            return self  # nothing to strip (most lines): no copy of the origins
        a, b = 0, len(t)
        while a < b and self.text[a].isspace():
            a += 1
        while b > a and self.text[b - 1].isspace():
            b -= 1
        return self[a:b]

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str] | str) -> MText:
        """Like re.sub, keeping origins: equal-length replacements map char by char, others spread."""
        out: list[str] = []
        org: list[int] = []
        pos = 0
        for m in pattern.finditer(self.text):
            out.append(self.text[pos : m.start()])
            org.extend(self.origin[pos : m.start()])
            new = m.expand(repl) if isinstance(repl, str) else repl(m)
            n_old = m.end() - m.start()
            base = self.origin[m.start() : m.end()] or [self.origin[m.start() - 1] if m.start() else 0]
            out.append(new)
            org.extend(base[min(i, len(base) - 1)] if n_old else base[0] for i in range(len(new)))
            pos = m.end()
        if not out:
            return self
        out.append(self.text[pos:])
        org.extend(self.origin[pos:])
        return MText("".join(out), org)

    def translate(self, table: dict[int, str]) -> MText:
        """str.translate for 1:1 character maps (origins unchanged)."""
        return MText(self.text.translate(table), self.origin)


def mjoin(parts: Iterable[MText], sep: str = "") -> MText:
    text: list[str] = []
    org: list[int] = []
    first = True
    for p in parts:
        if not first and sep:
            text.append(sep)
            org.extend([p.origin[0] if p.origin else (org[-1] if org else 0)] * len(sep))
        first = False
        text.append(p.text)
        org.extend(p.origin)
    return MText("".join(text), org)


# --------------------------------------------------------------------------- characters

_FW_TABLE: dict[int, str] = {}
for _c in range(0xFF10, 0xFF1A):  # ０-９
    _FW_TABLE[_c] = chr(_c - 0xFEE0)
for _c in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
    _FW_TABLE[_c] = chr(_c - 0xFEE0)
_FW_TABLE.update(
    {
        0xFF05: "%",  # ％ is only ever a percent sign
        0x00A0: " ",
        0x3000: " ",  # ideographic space: layout, not content
        0x2002: " ",
        0x2003: " ",
        0x2009: " ",
        0x202F: " ",
        0x00AD: "",
        0x200B: "",
        0x200C: "",
        0x200D: "",
        0x2060: "",
        0xFEFF: "",
        0xFFFE: "",
        0x000B: " ",
        0x000C: " ",  # form feed (page break in converted text)
        0x00B7: "·",
    }
)
# Characters that are deletions have to go through `sub`, not translate (which needs 1:1 to keep origins).
_DELETE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\ufffe]")
_FW_1TO1 = {k: v for k, v in _FW_TABLE.items() if len(v) == 1 and v != "\n"}

_FW_DOT_RE = re.compile(r"(?<=\d)．(?=\d)|(?<=\d)．")  # ．after a digit is a decimal point / list dot
_FW_SIGN_RE = re.compile(r"[＋－](?=\d)")
_BOOKMARK_RE = re.compile(r"\[(?:bookmark|anchor|image|_?GoBack)[^\]\n]{0,200}\]", re.I)
_DIGIT_GROUP_RE = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?:\.\d+)?(?![\d])")
_TRAIL_SPACE_RE = re.compile(r"[ \r]+$")
_MATH_RE = re.compile(r"\$([^$\n]{1,200})\$")
_LATEX_CMDS = {
    "geq": "≥",
    "ge": "≥",
    "geqslant": "≥",
    "leq": "≤",
    "le": "≤",
    "leqslant": "≤",
    "times": "×",
    "div": "÷",
    "pm": "±",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "cdot": "·",
    "sim": "~",
    "%": "%",
    "left": "",
    "right": "",
    ",": "",
    ";": "",
    "quad": "",
    "qquad": "",
    "mathrm": "",
    "text": "",
    "textrm": "",
    "mathbf": "",
}
_LATEX_CMD_RE = re.compile(r"\\\s?([A-Za-z]+|[%,;])")  # "\ geq": a PDF gap read as a space


def _latex_to_text(m: re.Match[str]) -> str:
    body = m.group(1)
    if "\\" not in body and not re.search(r"[=<>^_{}]", body):
        return m.group(0)  # a literal dollar sign pair, not math

    def cmd(mm: re.Match[str]) -> str:
        name = mm.group(1)
        return _LATEX_CMDS.get(name, name if len(name) > 1 else "")

    s = _LATEX_CMD_RE.sub(cmd, body)
    s = s.replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\s+", "", s)


_MATH_TRAIL_RE = re.compile(r"(?<=[\d%])\s+(?=[\u4e00-\u9fff])")


def _is_cjk_or_fw(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"


def _fix_math(mt: MText) -> MText:
    if "$" not in mt.text:
        return mt
    out: list[MText] = []
    pos = 0
    for m in _MATH_RE.finditer(mt.text):
        out.append(mt[pos : m.start()])
        new = mt[m.start() : m.end()].sub(_MATH_RE, _latex_to_text)
        out.append(new)
        pos = m.end()
        # "$\geq 250$ 人" → "≥250人": the space was only there to end the LaTeX fragment
        if new.text != m.group(0):
            rest = mt.text[pos:]
            sp = len(rest) - len(rest.lstrip(" "))
            if sp and rest[sp : sp + 1] and _is_cjk_or_fw(rest[sp]) and re.search(r"[\d%]$", new.text):
                pos += sp
    out.append(mt[pos:])
    return mjoin(out)


# A character or pair some step of `normalize_mline` rewrites. Most lines (and nearly every table cell)
# have none, and then the eight passes below, each allocating, are skipped.
_MAY_CHANGE_CHARS_RE = re.compile(
    "["
    + re.escape("".join(sorted({chr(c) for c in _FW_1TO1} | set(_DELETE_RE.pattern[1:-1]) | set("．＋－[$"))))
    + "]"
)
_DIGIT_SPACE_DIGIT_RE = re.compile(r"\d \d")
_TRAILING_SPACE_ENDS = (" ", "\r", " \n", "\r\n")  # what r"[ \r]$" matches at


def _may_change(s: str) -> bool:
    """Does ``s`` hold something `normalize_mline` rewrites? As one regex (a class, "\\d \\d" or r"[ \r]$")
    this tried three branches at every position; a character-class scan alone is ~3× faster."""
    return (
        _MAY_CHANGE_CHARS_RE.search(s) is not None
        or (" " in s and _DIGIT_SPACE_DIGIT_RE.search(s) is not None)
        or s.endswith(_TRAILING_SPACE_ENDS)
    )


def normalize_mline(mt: MText) -> MText:
    """Character-level normalisation of one line, keeping origins."""
    if not _may_change(mt.text):
        return mt
    mt = mt.sub(_DELETE_RE, "")
    mt = mt.translate(_FW_1TO1)
    mt = mt.sub(_FW_DOT_RE, ".")
    mt = mt.sub(_FW_SIGN_RE, lambda m: "+" if m.group(0) == "＋" else "-")
    mt = mt.sub(_BOOKMARK_RE, "")
    mt = _fix_math(mt)
    mt = mt.sub(_DIGIT_GROUP_RE, lambda m: m.group(0).replace(" ", ""))
    mt = mt.sub(_TRAIL_SPACE_RE, "")  # not tabs: trailing empty cells count
    return mt


def normalize_line(s: str) -> str:
    """Character-level normalisation of one line (full-width digits, LaTeX bits, digit groups…)."""
    return normalize_mline(MText.of(s, 0)).text


# --------------------------------------------------------------------------- numbering / headings

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "[一二三四五六七八九十零〇两百]+"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (style, regex); style names are stable identifiers used by the outline.
NUMBERING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^第({_CN_NUM}|\d+)(部分|章|篇)\s*")),
    ("cn", re.compile(rf"^({_CN_NUM})\s*[、.．]\s*")),
    ("paren_cn", re.compile(rf"^[（(]\s*({_CN_NUM})\s*[)）]\s*")),
    ("arabic", re.compile(r"^(\d{1,2})\s*(?:[、．]|\.(?!\d))\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*")),
    ("arabic_paren", re.compile(r"^(\d{1,2})[)）]\s*")),
    ("circled", re.compile(rf"^([{_CIRCLED}])\s*")),
]


def cn_to_int(s: str) -> int | None:
    """Small Chinese numerals (一 … 九十九, 一百) and circled digits to int."""
    if s.isascii() and s.isdigit():
        return int(s)
    if len(s) == 1 and s in _CIRCLED:
        return _CIRCLED.index(s) + 1
    if s == "一百":
        return 100
    if "十" in s:
        a, _, b = s.partition("十")
        tens = _CN_DIGITS.get(a, 1) if a else 1
        ones = _CN_DIGITS.get(b, 0) if b else 0
        if (a and a not in _CN_DIGITS) or (b and b not in _CN_DIGITS):
            return None
        return tens * 10 + ones
    if len(s) == 1 and s in _CN_DIGITS:
        return _CN_DIGITS[s]
    return None


@dataclass(frozen=True)
class Numbering:
    style: str
    number: str  # the numbering as written, e.g. "（一）"
    value: int
    rest_start: int  # offset where the title text starts


# The patterns a line can match, by its first character (an arabic pattern starts with \d, but only ASCII
# digits make a number): most lines start otherwise and are rejected without trying seven regexes.
_FIRST_CHARS = {
    "part": "第",
    "cn": _CN_NUM[1:-2],
    "paren_cn": "（(",
    "arabic": "0123456789",
    "paren_arabic": "（(",
    "arabic_paren": "0123456789",
    "circled": _CIRCLED,
}
_NUMBERING_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _style, _rx in NUMBERING_PATTERNS:  # in order, so the first pattern that matches still wins
    for _c in _FIRST_CHARS[_style]:
        _NUMBERING_BY_FIRST.setdefault(_c, []).append((_style, _rx))


def numbering(text: str) -> Numbering | None:
    """Outline numbering at the start of `text` (一、 / （一） / 1. 1、 / （1） / ① / 第一部分)."""
    t = text.lstrip()
    patterns = _NUMBERING_BY_FIRST.get(t[:1])
    return None if patterns is None else numbering_by(text, patterns)


def numbering_by(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> Numbering | None:
    """The first of `patterns` that numbers `text` (``numbering`` passes those its first character allows)."""
    t = text.lstrip()
    off = len(text) - len(t)
    for style, rx in patterns:
        m = rx.match(t)
        if not m:
            continue
        v = cn_to_int(m.group(1))
        if v is None or v == 0:
            continue
        rest = t[m.end() :]
        if not rest or rest[0] in "，。；：,;%":
            continue  # "1、" alone or "2.5%"-like
        if style == "cn" and m.group(0).rstrip()[-1] in ".．" and len(m.group(1)) > 2:
            continue
        return Numbering(style, m.group(0).strip(), v, off + m.end())
    return None


_SENT_END = "。！？!?；;"


def looks_like_heading(text: str) -> bool:
    """A short line that names a section, not a sentence (tolerates one trailing 。/：)."""
    return _looks_like_heading(text, numbering(text.strip()))


def _looks_like_heading(text: str, n: Numbering | None) -> bool:
    """`looks_like_heading` given ``n = numbering(text.strip())``."""
    t = text.strip()
    body = t[n.rest_start - (len(text) - len(text.lstrip())) :] if n else t
    body = body.strip()
    if not body or len(body) > 40:
        return False
    if body[-1] in "。.：:" and len(body) > 1:
        core = body[:-1]
        if body[-1] in "。." and ("，" in core or "," in core):
            return False  # "…，…。" is a sentence
    else:
        core = body
    if any(c in core for c in _SENT_END):
        return False
    return core.count("，") <= 1


# --------------------------------------------------------------------------- lines → blocks

_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
_PAGE_NO_RES = [
    re.compile(r"^[-—–－_~·\s]*\d{1,4}[-—–－_~·\s]*$"),  # "3", "- 3 -", "— 3 —"
    re.compile(r"^第\s*\d{1,4}\s*页(\s*[/，,]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
    re.compile(r"^(page|Page|PAGE)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$"),
]
_PAGE_NO_FIRST = frozenset("-—–－_~·第pP")  # …or a digit (\d: any decimal digit)


def is_page_number(line: str, *, bare_digits: bool = True) -> bool:
    """Lone page-number furniture: "- 3 -", "第 3 页", "第3页 共10页", "3/10", and (optionally) "3"."""
    t = line.strip()
    if not t or not (t[0] in _PAGE_NO_FIRST or t[0].isdecimal()):  # what the patterns can start with
        return False
    if not bare_digits and t.isdigit():
        return False
    return any(rx.match(t) for rx in _PAGE_NO_RES)


_NEITHER_RE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff]")
_NARROW: dict[str, bool] = {}  # character → not wide; bounded below so hostile text cannot grow it


def display_width(s: str) -> int:
    # ASCII is narrow and CJK ideographs are wide, so only the rest is looked up (this runs on every
    # line of a PDF). Ambiguous-width characters (“”、…) are full-width in Chinese typesetting.
    n = len(s)
    if s.isascii():
        return n
    wide = n - len(s.encode("ascii", "ignore"))  # every non-ASCII character, less the narrow ones
    for c in _NEITHER_RE.findall(s):
        narrow = _NARROW.get(c)
        if narrow is None:
            narrow = unicodedata.east_asian_width(c) not in "WFA"
            if len(_NARROW) < 4096:
                _NARROW[c] = narrow
        wide -= narrow
    return n + wide


_ORDINAL_START_RE = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]+[，,、是])")
_NO_PARA_END = set("，、（(《“‘—-：:")
_CONT_START = set("，。、；：）)》”’%！？,.;:")
_NUM_TAIL_RE = re.compile(r"\d(?:[\d.,]*\d)?\s*(?:万|亿|千|百)?$")
_NUM_TAIL_LAST = frozenset("万亿千百")  # (or a digit or space) what a line ending in a number ends with
_UNIT_HEAD_RE = re.compile(r"^(?:万元|亿元|元|万|亿|%|‰|人次|人|户|个|次|名|家|项|件|分|元/|倍)")


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def wrap_width(lines: list[str]) -> int | None:
    """If the text is hard-wrapped at a fixed width, that width (display columns); else None.

    Hard-wrapped text (PDF → text) has many lines whose width sits in a narrow band just under the
    page width; one-paragraph-per-line text has widths spread widely.
    """
    return _wrap_width(lines, display_width)


def _wrap_width(lines: list[str], display_width: Callable[[str], int]) -> int | None:
    widths = [display_width(s.strip()) for s in lines if s.strip() and "\t" not in s]
    widths = [w for w in widths if w >= 20]
    if len(widths) < 8:
        return None
    hist = Counter(w // 4 for w in widths)
    best = max(hist, key=lambda k: (hist[k] + hist.get(k - 1, 0) + hist.get(k + 1, 0), k))
    band = hist[best] + hist.get(best - 1, 0) + hist.get(best + 1, 0)
    # the band must hold many lines and be the long end of the distribution
    if band / len(widths) < 0.3:
        return None
    longer = sum(1 for w in widths if w > (best + 2) * 4)
    if longer / len(widths) > 0.15:
        return None
    widths.sort()
    return widths[int(len(widths) * 0.75)]


@dataclass
class BlockSpec:
    """What `lines_to_blocks` returns: a block before it gets a Location."""

    kind: str  # "paragraph" | "heading" | "table"
    text: MText
    level: int | None = None
    rows: list[list[MText]] | None = None
    extra: dict[str, object] = field(default_factory=dict)


_TAB_TO_SPACE = {9: " "}


def _is_tab_line(s: str) -> bool:
    """A row of a tab-flattened table: an interior tab, or several tabs (leading/trailing empty cells)."""
    return s.count("\t") >= 2 or "\t" in s.strip()


def _is_table_run(lines: list[MText]) -> bool:
    """At least two lines with cells, and not just a numbered list written as "1.<TAB>text"."""
    interior = [x.text for x in lines if "\t" in x.text.strip()]
    if len(interior) < 2:
        return False
    return not all(x.count("\t") == 1 and numbering(x.split("\t")[0].strip() + "x") for x in interior)


def _tab_count(s: str) -> int:
    return s.count("\t")


def _join_sep(a: str, b: str) -> str:
    """What goes between two joined lines: nothing for Chinese, a space between two Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return " "
    return ""


_PAIRS = [("（", "）"), ("(", ")"), ("“", "”"), ("《", "》"), ("〔", "〕"), ("【", "】")]


_OPENERS_RE = re.compile("[" + "".join(o for o, _c in _PAIRS) + "]")


def _unclosed(s: str) -> bool:
    return _OPENERS_RE.search(s) is not None and any(s.count(o) > s.count(c) for o, c in _PAIRS)


class _LineMemo:
    """`display_width` and `numbering` of the lines `lines_to_blocks` joins: a line is looked at as the
    next line of one join decision, as the previous line of the next one and when its paragraph ends."""

    __slots__ = ("numbers", "widths")

    def __init__(self) -> None:
        self.widths: dict[str, int] = {}
        self.numbers: dict[str, Numbering | None] = {}

    def width(self, s: str) -> int:
        w = self.widths.get(s)
        if w is None:
            w = self.widths[s] = display_width(s)
        return w

    def numbering(self, s: str) -> Numbering | None:
        if s in self.numbers:
            return self.numbers[s]
        n = self.numbers[s] = numbering(s)
        return n

    def looks_like_heading(self, s: str) -> bool:
        return _looks_like_heading(s, self.numbering(s.strip()))


def should_join(a: str, b: str, width: int | None, a_short: float | None = None) -> bool:
    """Does line `b` continue the paragraph that line `a` ends? (a, b already normalised, stripped)

    `width` is the detected wrap width of hard-wrapped text (None: one paragraph per line); `a_short`,
    when the reader knows the layout (PDF), is how many characters short of the right margin line `a`
    ends.
    """
    return _should_join(a, b, width, a_short, display_width, numbering, looks_like_heading)


def _should_join(
    a: str,
    b: str,
    width: int | None,
    a_short: float | None,
    display_width: Callable[[str], int],
    numbering: Callable[[str], Numbering | None],
    looks_like_heading: Callable[[str], bool],
) -> bool:
    """`should_join` with the line measures given (memoised by `lines_to_blocks`)."""
    if not a or not b or "\t" in a or "\t" in b:
        return False
    if _MD_HEADING_RE.match(b) or is_page_number(b, bare_digits=False):
        return False
    # a number at the end of a line and its unit on the next one
    if (
        (a[-1] in _NUM_TAIL_LAST or a[-1].isdecimal() or a[-1].isspace())
        and _NUM_TAIL_RE.search(a)
        and _UNIT_HEAD_RE.match(b)
    ):
        return True
    if b[0] in _CONT_START:
        return True
    if numbering(b) is not None:
        return False
    wa = display_width(a)
    last = a[-1]
    # "一是…/二是…" opens a new point unless the line before stopped mid-clause
    if _ORDINAL_START_RE.match(b) and last not in _NO_PARA_END and last not in "；;":
        return False
    # a bracket or quote opened on this line and not closed: the sentence goes on
    if _unclosed(a) and last not in "。！？!?":
        return True
    if width is not None or a_short is not None:
        # hard-wrapped: a full line continues unless it ends a sentence; a line may stop up to two
        # characters short (punctuation that must not start a line moves the last character down)
        full = a_short <= 2.6 if a_short is not None else wa >= (width or 0) - 8
        if full and last not in "。！？!?":
            return True
        # a number or Latin word that did not fit moved to the next line as a whole
        near = a_short <= 8 if a_short is not None else wa >= (width or 0) - 16
        if near and b[0].isascii() and b[0].isalnum() and last not in "。！？!?：:；;":
            return True
        if numbering(a) is not None and looks_like_heading(a):
            return False
        long_enough = a_short <= 12 if a_short is not None else wa >= (width or 0) * 0.6
        return last in _NO_PARA_END and long_enough
    # one paragraph per line: only a long line cut mid-sentence (page break) continues
    if numbering(a) is not None and looks_like_heading(a):
        return False
    # a long title (no clause punctuation at all) before a paragraph written on one much longer line
    # stands alone; a title broken over two lines (neither has punctuation) is still one title, and a
    # hard-wrapped line is followed by a line of about its own width
    if not _CLAUSE_PUNCT_RE.search(a) and _CLAUSE_PUNCT_RE.search(b) and display_width(b) > 1.5 * wa:
        return False
    return wa >= 40 and (last in _NO_PARA_END or _is_cjk(last) or last.isalnum())


_CLAUSE_PUNCT_RE = re.compile(r"[，。；：、！？,;:!?]")


def _split_cells(line: MText) -> list[MText]:
    """The stripped cells of a tab-separated row: ``line[a:b].strip()`` for each cell, each sliced once
    (a scoring table has hundreds of cells)."""
    cells: list[MText] = []
    text, origin = line.text, line.origin
    pos = 0
    for cell in text.split("\t"):
        a = pos + len(cell) - len(cell.lstrip())
        b = pos + len(cell.rstrip())
        cells.append(MText(text[a:b], origin[a:b]) if a < b else MText("", []))
        pos += len(cell) + 1
    return cells


def _table_from_lines(seg: list[MText]) -> list[list[MText]]:
    """Rows of a tab-flattened table; a row whose cell wrapped onto following lines is rejoined."""
    counts = [_tab_count(s.text) for s in seg]
    k = Counter(counts).most_common(1)[0][0]
    rows: list[MText] = []
    i = 0
    while i < len(seg):
        cur = seg[i]
        n = counts[i]
        j = i + 1
        # merge following lines while the row has fewer cells than the table and they fit
        while n < k and j < len(seg) and n + counts[j] <= k:
            cur = mjoin([cur, seg[j]], " ")
            n += counts[j]
            j += 1
        rows.append(cur)
        i = j
    cells = [_split_cells(r) for r in rows]
    width = max(len(c) for c in cells)
    for c in cells:
        while len(c) < width:
            c.append(MText("", []))
    return cells


def _table_text(rows: list[list[MText]]) -> MText:
    return mjoin((mjoin(r, "\t") for r in rows), "\n")


def _normalized(line: MText) -> MText:
    return MText("", []) if is_page_number(line.text, bare_digits=False) else normalize_mline(line)


def lines_to_blocks(
    lines: list[MText],
    *,
    tables: bool = True,
    width: int | bool | None = True,
    shortfall: list[float | None] | None = None,
) -> list[BlockSpec]:
    """Normalised lines (blank lines included) → block specs.

    - tab-separated runs (blank lines inside allowed) become table blocks, one per run of equal
      column count;
    - hard-wrapped lines are joined into paragraphs, numbers rejoined with units;
    - markdown "#" lines and short numbered lines become headings.
    `width=True` detects the wrap width; pass None to force one-paragraph-per-line behaviour.
    `shortfall` (one entry per line, from a reader that knows the page geometry) says how many
    characters short of the right margin each line ends; it replaces the width estimate for those lines.
    """
    # decorated page numbers ("- 3 -", "第 3 页") are furniture; bare digits may be table cells
    # (an empty line is left as it is: nearly half the lines of a report)
    norm = [_normalized(ln) if ln.text else ln for ln in lines]
    norm = [m if "\t" in m.text else m.strip() for m in norm]
    memo = _LineMemo()
    if width is True:
        width = _wrap_width([m.text for m in norm], memo.width)
    wrap = width if isinstance(width, int) and not isinstance(width, bool) else None
    out: list[BlockSpec] = []
    i = 0
    n = len(norm)
    cur: list[MText] = []  # the lines of the paragraph being built, joined once at flush (linear time)
    last = ""
    last_short: float | None = None

    def flush() -> None:
        if len(cur) == 1:
            joined = cur[0]  # a paragraph of one line (MTexts are never changed in place: no copy)
        elif cur:
            parts: list[MText] = [cur[0]]
            for prev, nxt in itertools.pairwise(cur):
                sep = _join_sep(prev.text, nxt.text)
                if sep:
                    parts.append(MText(sep, [nxt.origin[0]] if nxt.origin else [0]))
                parts.append(nxt)
            joined = mjoin(parts)
        else:
            joined = MText("", [])
        if joined.text.strip():
            t = joined.strip()
            kind = "heading" if memo.numbering(t.text) and memo.looks_like_heading(t.text) else "paragraph"
            out.append(BlockSpec(kind, t))
        cur.clear()

    while i < n:
        line = norm[i]
        s = line.text
        if "\t" in s and not (tables and _is_tab_line(s)):
            line = norm[i] = line.translate(_TAB_TO_SPACE)  # indentation or a stray tab, not a table
            s = line.text.strip()
            if line.text != s:
                line = norm[i] = line.strip()
        if tables and "\t" in s and _is_tab_line(s):
            # collect a run of tab lines; blank lines and short tab-less continuation lines inside allowed
            segs: list[list[MText]] = [[]]
            j = i
            while j < n:
                t = norm[j].text
                if "\t" in t:
                    segs[-1].append(norm[j])
                    j += 1
                elif not t.strip():
                    # blank: the table goes on only if a tab line follows soon
                    k2 = j
                    while k2 < n and not norm[k2].text.strip():
                        k2 += 1
                    if k2 < n and "\t" in norm[k2].text:
                        segs.append([])
                        j = k2
                    else:
                        break
                elif segs[-1] and j + 1 < n and "\t" in norm[j + 1].text and display_width(t) <= 80:
                    segs[-1].append(norm[j])  # a wrapped cell tail without tabs
                    j += 1
                else:
                    break
            segs = [sg for sg in segs if sg]
            run_lines = [x for sg in segs for x in sg]
            if not _is_table_run(run_lines):
                for k in range(i, j):
                    norm[k] = norm[k].translate(_TAB_TO_SPACE).strip()
                continue  # re-read these lines as text
            flush()
            # one table per run of segments with the same column count
            groups: list[list[MText]] = []
            last_k = None
            for sg in segs:
                k = Counter(_tab_count(x.text) for x in sg).most_common(1)[0][0]
                if groups and k == last_k:
                    groups[-1].extend(sg)
                else:
                    groups.append(list(sg))
                last_k = k
            for g in groups:
                if len(g) == 1 and _tab_count(g[0].text) == 1 and len(g[0].text) < 6:
                    out.append(BlockSpec("paragraph", g[0].strip()))
                    continue
                rows = _table_from_lines(g)
                out.append(BlockSpec("table", _table_text(rows), rows=rows))
            i = j
            continue
        if not s:
            i += 1
            continue
        md = _MD_HEADING_RE.match(s)
        if md:
            flush()
            title = line[len(s) - len(md.group(2)) :].strip()
            out.append(BlockSpec("heading", title, level=len(md.group(1))))
            i += 1
            continue
        if cur and not _should_join(
            last, s, wrap, last_short, memo.width, memo.numbering, memo.looks_like_heading
        ):
            flush()
        cur.append(line)
        last = s  # joining is decided line by line, on the previous physical line
        last_short = shortfall[i] if shortfall is not None and i < len(shortfall) else None
        i += 1
    flush()
    return out


def normalize_text(text: str) -> str:
    """The whole pipeline on a plain string: blocks joined by "\\n" (tables as tab text)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    specs = lines_to_blocks([MText.of(s, i) for i, s in enumerate(lines)])
    return "\n".join(sp.text.text for sp in specs)
