"""Normalisation: characters, numbers broken across lines, hard wraps, tab tables, offset maps."""

from __future__ import annotations

import itertools
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from jixiao.ingest import document_from_text
from jixiao.ingest import normalize as nz
from jixiao.ingest.normalize import (
    MText,
    cn_to_int,
    display_width,
    is_page_number,
    lines_to_blocks,
    looks_like_heading,
    normalize_line,
    normalize_mline,
    normalize_text,
    numbering,
    wrap_width,
)


def test_fullwidth_digits_percent_and_decimal_point():
    assert (
        normalize_line("预算数１２３４．５６万元，执行率９７．２％。") == "预算数1234.56万元，执行率97.2%。"
    )
    # Chinese punctuation elsewhere stays
    assert normalize_line("一、基本情况：（一）说明。") == "一、基本情况：（一）说明。"
    assert normalize_line("１．主要职能") == "1.主要职能"


def test_spaces_inside_digit_groups():
    assert normalize_line("全年预算数 3 105.13 万元") == "全年预算数 3105.13 万元"
    assert normalize_line("共 12 345 678 元") == "共 12345678 元"
    # two separate small numbers are not digit groups
    assert normalize_line("2023 年 1 月至 3 月") == "2023 年 1 月至 3 月"


def test_latex_fragments():
    assert normalize_line("$\\geq 250$ 人") == "≥250人"
    assert normalize_line("比率 $\\leq 100\\%$ ，得满分") == "比率 ≤100%，得满分"
    assert normalize_line("$90\\% > \\text{比率} \\geq 75\\%$ 的") == "90%>比率≥75%的"
    assert normalize_line("(30/40) $\\times 100\\% = 75\\%$") == "(30/40) ×100%=75%"
    assert normalize_line("价格 $5 或 $6") == "价格 $5 或 $6"


def test_bookmark_and_invisible_characters():
    assert normalize_line("[bookmark: _GoBack]4.协助政府") == "4.协助政府"
    assert normalize_line("经费\u200b合计\ufeff") == "经费合计"


def test_number_and_unit_broken_across_lines_and_blank_lines():
    text = "本年度年初预算数为 8812.34 万\n\n元，年终决算 9000.00 万元。"
    assert normalize_text(text) == "本年度年初预算数为 8812.34 万元，年终决算 9000.00 万元。"
    text = "支出合计为 45.6\n\n\n万元，比上年增加。"
    assert normalize_text(text) == "支出合计为 45.6万元，比上年增加。"


def _wrapped(paragraphs: list[str], width: int = 22) -> str:
    out: list[str] = []
    for p in paragraphs:
        for i in range(0, len(p), width):
            out.append(p[i : i + width])
            out.append("")
    return "\n".join(out)


_P1 = "示范街道服务中心全年组织开展各类培训活动共计十二场次，参加培训人员覆盖所辖全部社区，培训内容包括政策解读、业务流程和服务规范等方面，取得了较好的效果。"
_P2 = "下一步将继续完善工作机制，细化考核办法，加强对各项工作任务的督促检查，确保年度目标任务按期完成，不断提升服务对象的满意度和获得感。"


def test_number_and_unit_split_by_page_furniture():
    text = "全年支出合计为 2345.67 万\n\n- 3 -\n\n元，其中基本支出 345.67 万元。"
    assert normalize_text(text) == "全年支出合计为 2345.67 万元，其中基本支出 345.67 万元。"
    doc = document_from_text(text)
    assert doc.text == "全年支出合计为 2345.67 万元，其中基本支出 345.67 万元。"
    assert doc.locate(doc.text.index("元，其中")).line == 5


def test_hard_wrapped_lines_joined_and_paragraphs_kept():
    text = "一、工作开展情况\n\n" + _wrapped([_P1, _P2]) + "\n二、存在的问题\n\n无。"
    out = normalize_text(text).split("\n")
    assert out == ["一、工作开展情况", _P1, _P2, "二、存在的问题", "无。"]


def test_wrap_width_detects_fixed_width_text_only():
    wrapped = _wrapped([_P1, _P2] * 3).split("\n")
    assert wrap_width(wrapped) is not None
    prose = [
        _P1,
        "短句。",
        _P2 + _P1,
        "（一）标题",
        _P2,
        "另一段落文字较短。",
        _P1 + _P2 + _P1,
        "x" * 30,
        "y" * 90,
    ]
    assert wrap_width(prose) is None


def test_paragraph_per_line_text_with_page_break_inside_a_paragraph():
    a = "这是一段很长的说明文字，用来模拟每行一个自然段的文本，其中在页面交界处被硬生生地拆成两"
    b = "行，后一半在下一页继续。"
    text = f"（一）概况\n\n{a}\n\n{b}\n\n（二）其他\n\n短段落。"
    assert normalize_text(text).split("\n") == ["（一）概况", a + b, "（二）其他", "短段落。"]


def test_headings_are_not_joined_to_following_text():
    text = "三、存在的主要问题\n（一）执行进度不均衡。\n（二）指标设置不细。"
    assert normalize_text(text).split("\n") == [
        "三、存在的主要问题",
        "（一）执行进度不均衡。",
        "（二）指标设置不细。",
    ]


def test_page_number_furniture():
    for s in ["- 3 -", "— 12 —", "第 3 页", "第3页 共10页", "3/10", "7"]:
        assert is_page_number(s), s
    assert not is_page_number("7", bare_digits=False)
    assert not is_page_number("3.5 万元")
    doc = document_from_text("第一段文字。\n- 2 -\n第二段文字。")
    assert "- 2 -" not in doc.text


def test_numbering_styles():
    cases = {
        "一、基本情况": ("cn", 1),
        "十二、其他": ("cn", 12),
        "（三）收支情况": ("paren_cn", 3),
        "(三)收支情况": ("paren_cn", 3),
        "1.绩效管理": ("arabic", 1),
        "2、资金管理": ("arabic", 2),
        "3．采购管理": ("arabic", 3),
        "（4）其他": ("paren_arabic", 4),
        "②满意度": ("circled", 2),
        "第二部分 自评情况": ("part", 2),
    }
    for text, (style, value) in cases.items():
        n = numbering(text)
        assert n is not None, text
        assert (n.style, n.value) == (style, value), text
    assert numbering("2.5%的增长") is None
    assert numbering("2023年度收入") is None
    assert cn_to_int("二十三") == 23 and cn_to_int("十") == 10


def test_looks_like_heading():
    assert looks_like_heading("（一）部门职能")
    assert looks_like_heading("1.收入支出与预算对比分析。")
    assert not looks_like_heading("（三）宣传有关法律法规，维护残疾人的合法权益，开展各项服务工作。")
    assert not looks_like_heading("1.本年收入合计 100 万元。其中财政拨款 90 万元。")


def test_tab_table_reconstructed_with_wrapped_row():
    lines = [
        "说明文字。",
        "一级指标\t分值\t三级指标\t得分",
        "产出指标\t10\t培训人数\t9.5",
        "\t\t满意度（含",
        "家属）\t10",  # the cell wrapped: this row continues on the next line
        "",
        "\t\t完成率\t8",
        "备注：以上为示例。",
    ]
    specs = lines_to_blocks([MText.of(s, i) for i, s in enumerate(lines)])
    kinds = [s.kind for s in specs]
    assert kinds == ["paragraph", "table", "paragraph"]
    rows = [[c.text for c in r] for r in specs[1].rows]
    assert rows[0] == ["一级指标", "分值", "三级指标", "得分"]
    assert rows[2] == ["", "", "满意度（含 家属）", "10"]
    assert rows[3] == ["", "", "完成率", "8"]


def test_offset_map_traces_joined_text_back_to_lines():
    text = "一、概况\n\n本年度预算数为 1234.56 万\n\n元，执行数为 1200 万元。"
    doc = document_from_text(text, "r.txt")
    i = doc.text.index("1234.56")
    assert doc.locate(i).line == 3
    j = doc.text.index("元，执行数")
    assert doc.locate(j).line == 5
    assert doc.locate(j).describe() == "第5行"


@given(
    st.text(alphabet=st.sampled_from(list("一二三、（）1234567890.％．万元 \n\t，。abc$\\")), max_size=200)
)
def test_normalize_never_crashes_and_maps_every_char(text):
    doc = document_from_text(text)
    for b in doc.blocks:
        assert doc.text[b.start : b.start + len(b.text)] == b.text
        for k in range(len(b.text)):
            assert doc.locate(b.start + k).file == "<text>"


def test_tabs_that_are_not_tables():
    # indentation and "1.<TAB>title" lists stay text
    text = "\t一、基本情况\n\t本单位全年支出 98 万元。\n1.\t绩效管理\n2.\t资金管理"
    doc = document_from_text(text)
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "heading", "heading"]
    assert [b.text for b in doc.blocks] == [
        "一、基本情况",
        "本单位全年支出 98 万元。",
        "1. 绩效管理",
        "2. 资金管理",
    ]
    # a single tab line among prose is not a table either
    doc = document_from_text("说明：\n项目\t金额\n以上。")
    assert not doc.tables()


def test_long_title_not_joined_to_the_paragraph_after_it():
    title = "示范市示范区残疾人联合会2021年度部门整体支出绩效自评报告"
    body = "根据区财政局的工作要求，我部门对2021年度部门整体支出开展了绩效自评，现将有关情况报告如下。"
    assert normalize_text(f"{title}\n\n{body}").split("\n") == [title, body]
    assert normalize_text(f"{title}\n{body}").split("\n") == [title, body]
    # a title broken over two lines is still one title
    assert normalize_text("示范市示范区残疾人联合会2021年度部门整体支出\n绩效自评报告\n\n" + body).split(
        "\n"
    ) == [
        "示范市示范区残疾人联合会2021年度部门整体支出绩效自评报告",
        body,
    ]


def test_display_width_counts_wide_and_ambiguous_characters_as_two() -> None:
    assert display_width("ab 12") == 5
    assert display_width("中文") == 4
    assert display_width("“中”，") == 8  # ambiguous quotes and full-width punctuation are wide
    assert display_width("①é") == 4  # ambiguous-width symbols too
    assert display_width("ｱ") == 1  # half-width katakana is narrow


@given(st.text(max_size=40))
def test_normalize_mline_keeps_one_origin_per_character(s: str) -> None:
    mt = normalize_mline(MText.of(s, 7))
    assert len(mt.origin) == len(mt.text)
    assert set(mt.origin) <= {7}
    assert normalize_mline(mt).text == mt.text  # a normalised line is a fixed point


# --------------------------------------------------------------------------- fast paths = the plain rules
# (each fast path below skips work the plain rule would do for nothing; these compare them on any text)

_LINE_ALPHABET = (
    "第一二三十百零〇两（()）0123456789①⑳、.．:：，。 \t部分章篇页共-—_~·pPage万元%中文ab\r\n\u3000"
)


def _numbering_plain(text: str) -> nz.Numbering | None:
    """`numbering` trying every pattern in order, as before the first-character dispatch."""
    return nz.numbering_by(text, nz.NUMBERING_PATTERNS)


@given(st.text(alphabet=_LINE_ALPHABET, max_size=12))
def test_numbering_dispatch_matches_trying_every_pattern(s):
    assert numbering(s) == _numbering_plain(s)


def test_numbering_dispatch_covers_every_pattern():
    assert {style for style, _rx in nz.NUMBERING_PATTERNS} == set(nz._FIRST_CHARS)
    for s in ("第三部分 绩效", "二、基本情况", "（二）职能", "(3) 说明", "4. 结论", "5）其他", "⑦ 小结"):
        assert numbering(s) == _numbering_plain(s) is not None


def _width_plain(s: str) -> int:
    wide = len(re.findall(r"[\u4e00-\u9fff]", s))
    wide += sum(
        1 for c in re.findall(r"[^\x00-\x7f\u4e00-\u9fff]", s) if unicodedata.east_asian_width(c) in "WFA"
    )
    return len(s) + wide


@given(st.text(max_size=30))
def test_display_width_matches_east_asian_width(s):
    assert display_width(s) == _width_plain(s)


_MAY_CHANGE_PLAIN = re.compile(
    "["
    + re.escape(
        "".join(sorted({chr(c) for c in nz._FW_1TO1} | set(nz._DELETE_RE.pattern[1:-1]) | set("．＋－[$")))
    )
    + r"]|\d \d|[ \r]$"
)


@given(st.text(alphabet="a1２ \r\n\t．＋－[$中\u200b\u3000，", max_size=10))
def test_may_change_matches_one_regex(s):
    assert nz._may_change(s) == bool(_MAY_CHANGE_PLAIN.search(s))
    if not nz._may_change(s):
        assert normalize_line(s) == s  # nothing to rewrite indeed


@given(st.text(alphabet=_LINE_ALPHABET, max_size=14))
def test_page_number_first_character_test_loses_nothing(s):
    t = s.strip()
    plain = bool(t) and any(rx.match(t) for rx in nz._PAGE_NO_RES)
    assert is_page_number(s) == plain
    assert is_page_number(s, bare_digits=False) == (plain and not t.isdigit())


@given(st.text(alphabet="ab中 \t\u3000\x1c", max_size=16))
def test_split_cells_and_strip_keep_origins(s):
    mt = MText(s, list(range(len(s))))
    cells, pos = [], 0
    for i, ch in enumerate(s):  # the plain rule: slice at every tab, strip each cell
        if ch == "\t":
            cells.append(mt[pos:i].strip())
            pos = i + 1
    cells.append(mt[pos:].strip())
    assert [(c.text, c.origin) for c in nz._split_cells(mt)] == [(c.text, c.origin) for c in cells]
    stripped = mt.strip()
    a = len(s) - len(s.lstrip())
    assert (stripped.text, stripped.origin) == (s.strip(), list(range(a, a + len(s.strip()))))


@given(st.text(alphabet="（）()“”《》〔〕【】ab。", max_size=10))
def test_unclosed_matches_bracket_counts(s):
    assert nz._unclosed(s) == any(s.count(o) > s.count(c) for o, c in nz._PAIRS)


@given(st.lists(st.text(alphabet="一二（1）第三章中文，。万元12 ：\t", max_size=30), max_size=12))
def test_lines_to_blocks_memo_decides_as_should_join(lines):
    """The memoised join decisions equal `should_join` on the same lines (one paragraph per line)."""
    norm = [s.strip() for s in lines if s.strip() and "\t" not in s]
    memo = nz._LineMemo()
    for a, b in itertools.pairwise(norm):
        for width in (None, 30):
            assert nz._should_join(
                a, b, width, None, memo.width, memo.numbering, memo.looks_like_heading
            ) == nz.should_join(a, b, width)
