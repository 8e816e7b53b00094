"""HTML and Markdown reports read as the text their reader sees; the audit page's tables stay readable."""

from __future__ import annotations

from pathlib import Path

from jixiao.audit import audit_document, audit_file, document_from_text
from jixiao.audit.markup import html_to_text, is_html, markdown_to_text
from jixiao.audit.output.html import render_html

PAGE = """<!DOCTYPE html><html><head><title>不应出现</title><style>p{color:red}</style></head><body>
<h1>2024年度某局部门整体支出绩效自评报告</h1>
<h2>一、基本情况</h2><p>本年支出 100.00 万元，其中基本支出 40.00 万元，
项目支出 50.00 万元。</p>
<table><tr><th>指标</th><th>分值</th></tr><tr><td>预算完成率</td><td>4</td></tr></table>
<script>var x = "1 万元";</script></body></html>"""


def test_html_becomes_paragraphs_headings_and_tab_rows() -> None:
    assert is_html(PAGE) and not is_html("# 标题\n正文")
    text = html_to_text(PAGE)
    assert "不应出现" not in text and "color" not in text and "var x" not in text
    assert "本年支出 100.00 万元，其中基本支出 40.00 万元， 项目支出 50.00 万元。" in text
    assert "指标\t分值\n预算完成率\t4" in text


def test_html_report_is_audited_like_text(tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    page.write_text(PAGE, encoding="utf-8")
    r = audit_file(page)
    assert [f.code for f in r.findings if f.code.startswith("SUM")] == ["SUM_MISMATCH"]
    assert "100.00万元" in r.findings[0].evidence[0].quote.replace(" ", "")


def test_markdown_pipe_tables_become_tab_rows_on_the_same_lines() -> None:
    md = "# 标题\n\n| 指标 | 分值 |\n| --- | ---: |\n| **预算\\_完成率** | 4 |\n\n正文 1 万元。\n"
    out = markdown_to_text(md)
    lines = out.split("\n")
    assert len(lines) == len(md.split("\n"))  # line numbers in findings still point into the .md
    assert lines[2] == "指标\t分值" and lines[4] == "预算_完成率\t4" and lines[6] == "正文 1 万元。"
    assert not lines[3].strip()


def test_audit_page_drops_empty_columns_and_marks_inside_cells() -> None:
    text = (
        "2024年度某局自评表\n\n\t指标\t分值\t年度指标值\t实际完成值\t得分\t\n"
        "\t培训人数\t4\t≥100人\t60人\t4.00\t\n\t满意度\t3\t≥90%\t95%\t3.00\t\n"
    )
    doc = document_from_text(text, "t.txt")
    result = audit_document(doc)
    page = render_html(result, doc)
    assert page.count("<td") == 3 * 5  # the two empty columns are gone
    assert '<div class="wide"><table>' in page  # a wide table scrolls instead of squeezing its columns
    assert "<mark" in page and ">60人</mark>" in page
