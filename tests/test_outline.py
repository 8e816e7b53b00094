"""Outline tree: numbering levels, inconsistent numbering, empty sections, lookups."""

from __future__ import annotations

from jixiao.ingest import document_from_text
from jixiao.ingest.outline import build_outline, find_section, iter_sections, section_path

REPORT = """示范区某单位2024年度整体支出绩效自评报告

一、基本情况

（一）单位概况

1.单位职能

本单位的主要职责如下：

（一）负责辖区内各项服务工作的统筹协调，组织开展相关业务培训，提升服务水平。

（二）承办上级交办的其他事项，做好有关统计汇总工作，及时上报各类数据。

2.机构设置

内设科室三个。

（二）收支情况

全年收入 100.00 万元，全年支出 98.00 万元。

二、自评结论

自评得分 95.5 分，等级为优。

三、存在的主要问题

无。

四、下一步改进措施

①加强预算管理。

②完善指标体系。

五、其他需要说明的情况：无
"""


def _titles(outline):
    return [(s.level, s.number, s.title) for s in iter_sections(outline)]


def test_levels_and_list_reusing_parent_numbering():
    doc = document_from_text(REPORT)
    outline = build_outline(doc)
    assert _titles(outline) == [
        (1, "一、", "基本情况"),
        (2, "（一）", "单位概况"),
        (3, "1.", "单位职能"),
        (3, "2.", "机构设置"),
        (2, "（二）", "收支情况"),
        (1, "二、", "自评结论"),
        (1, "三、", "存在的主要问题"),
        (1, "四、", "下一步改进措施"),
        (2, "①", "加强预算管理"),
        (2, "②", "完善指标体系"),
        (1, "五、", "其他需要说明的情况"),
    ]
    # the "（一）（二）" list under "1.单位职能" stays in that section's body
    duties = find_section(outline, "单位职能")
    assert duties is not None and "统筹协调" in duties.body(doc)


def test_empty_sections_and_inline_title():
    doc = document_from_text(REPORT)
    outline = build_outline(doc)
    problems = find_section(outline, "存在", "问题")
    assert problems is not None and problems.is_empty(doc)
    assert problems.body(doc) == "无。"
    measures = find_section(outline, "改进", "措施")
    assert measures is not None and not measures.is_empty(doc)
    other = find_section(outline, "其他需要说明")
    assert other is not None and other.is_empty(doc)
    assert find_section(outline, "不存在的标题") is None


def test_section_path_and_spans():
    doc = document_from_text(REPORT)
    outline = build_outline(doc)
    i = doc.text.index("内设科室")
    assert section_path(outline, i) == ["基本情况", "单位概况", "机构设置"]
    j = doc.text.index("自评得分")
    assert section_path(outline, j) == ["自评结论"]
    assert section_path(outline, 0) == []  # the title is before any section
    for s in iter_sections(outline):
        assert s.start <= s.end
        for c in s.children:
            assert s.start <= c.start and c.end <= s.end
        assert doc.blocks[s.block_index].start == s.start


def test_long_numbered_sentences_are_not_headings():
    text = "一、情况说明\n1.本单位全年共开展培训十二场，参训人员三百余人次，培训满意度较高，达到预期目标。\n2.本单位按时完成各项统计工作，数据准确完整，未发现重大差错，得到上级部门的肯定。\n二、结论\n良好。"
    outline = build_outline(document_from_text(text))
    assert _titles(outline) == [(1, "一、", "情况说明"), (1, "二、", "结论")]


def test_skipped_and_restarted_numbers_tolerated():
    text = "一、甲\n内容。\n三、丙\n内容。\n1.子项\n内容。\n2.子项二\n内容。\n四、丁\n内容。"
    outline = build_outline(document_from_text(text))
    assert [(s.level, s.title) for s in iter_sections(outline)] == [
        (1, "甲"),
        (1, "丙"),
        (2, "子项"),
        (2, "子项二"),
        (1, "丁"),
    ]


def test_markdown_and_part_headings():
    text = "# 总标题\n第一部分 基本情况\n一、概况\n内容。\n第二部分 自评情况\n一、结论\n良好。"
    outline = build_outline(document_from_text(text))
    # a markdown "#" heading is an explicit level 1, so the parts sit under it
    assert [(s.level, s.title) for s in iter_sections(outline)] == [
        (1, "总标题"),
        (2, "基本情况"),
        (3, "概况"),
        (2, "自评情况"),
        (3, "结论"),
    ]
