"""Acceptance: the real documents in ../shared/seeds read into sensible Documents."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jixiao.ingest import read_document
from jixiao.ingest.outline import build_outline, find_section, iter_sections, section_path

SEEDS = Path(__file__).parents[2] / "shared" / "seeds"

pytestmark = [
    pytest.mark.seeds,
    pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}"),
]


def seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not present in {SEEDS}")
    return found[0]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_each_seed_reads(prefix):
    doc = read_document(seed(prefix))
    assert doc.format == "txt"
    assert len(doc.blocks) > 5
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for b in doc.blocks:
        assert doc.text[b.start : b.start + len(b.text)] == b.text
        assert b.location.line is not None
    assert "\n\n" not in doc.text  # blank lines collapsed into block boundaries
    assert "[bookmark:" not in doc.text


def test_seed_002_broken_wan_yuan_rejoined():
    p = seed("002")
    raw = p.read_text(encoding="utf-8")
    assert re.search(r"2317\.52 万\n\s*\n元", raw)  # the raw file really has it broken
    doc = read_document(p)
    i = doc.text.index("2317.52 万元")
    # the span still traces back to the original line
    line = doc.locate(i).line
    assert "2317.52" in raw.split("\n")[line - 1]
    # hard-wrapped lines are joined into paragraphs
    assert not re.search(r"万\n元", doc.text)
    para = doc.block_at(i).text
    assert para.startswith("（1）预、决算差异情况") and "382.86 万元" in para


def test_seed_003_scoring_table_blocks():
    doc = read_document(seed("003"))
    tables = doc.tables()
    assert len(tables) >= 2
    header_rows = [r for t in tables for r in t.rows if "一级指标" in r and "三级指标" in r]
    assert header_rows
    h = header_rows[0]
    for col in ["一级指标", "分值", "二级指标", "三级指标"]:
        assert col in h
    assert any("得分" in c for c in h)
    # indicator rows come out as cells
    rows = [r for t in tables for r in t.rows]
    target = [r for r in rows if any(c == "贫困精神病人住院伙食费和护理费" for c in r)]
    assert target and "≥250人" in target[0] and "280人" in target[0]
    assert any("总分" in r and "94.08" in r for r in rows)
    # a cell maps back to its line, row and column
    i = doc.text.index("89.61%×4=3.5844")
    loc = doc.locate(i)
    assert loc.table is not None and loc.row is not None and loc.col is not None and loc.line is not None


def test_seed_004_outline():
    doc = read_document(seed("004"))
    outline = build_outline(doc)
    assert [s.title for s in outline][:4] == ["基本情况", "综合评价分析", "存在的主要问题", "下一步改进措施"]
    problems = find_section(outline, "存在", "问题")
    measures = find_section(outline, "改进", "措施")
    assert problems is not None and not problems.is_empty(doc)
    assert measures is not None and not measures.is_empty(doc)
    assert "前松后紧" in problems.body(doc)
    # the （一）…（九） duty list under 1.部门职能 does not break the tree
    basics = outline[0]
    assert [c.title for c in basics.children] == [
        "部门概况",
        "年度总体工作和重点工作任务",
        "部门整体收支情况",
        "部门整体绩效管理情况",
    ]
    i = doc.text.index("92.97")
    assert section_path(outline, i)[:2] == ["综合评价分析", "自评结论综述"]


def test_seed_002_empty_problem_section():
    doc = read_document(seed("002"))
    outline = build_outline(doc)
    sec = find_section(outline, "存在", "问题")
    assert sec is not None and sec.is_empty(doc)


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice (soffice) not installed: cannot make PDFs",
)
@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["002", "004"])
def test_seed_through_docx_and_pdf_keeps_paragraphs_and_outline(prefix, tmp_path):
    """Seed text → .docx (one paragraph per block, page footer) → PDF → same blocks and outline."""
    import docx

    src = read_document(seed(prefix))
    d = docx.Document()
    d.sections[0].footer.paragraphs[0].text = "- 1 -"
    for b in src.blocks:
        if b.kind != "table":
            d.add_paragraph(b.text)
    d.save(str(tmp_path / "s.docx"))
    from_docx = read_document(tmp_path / "s.docx")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "s.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = read_document(tmp_path / "s.pdf")
    assert not pdf.warnings

    def norm(t: str) -> str:
        return re.sub(r"\s", "", t)

    for doc in (from_docx, pdf):
        assert [norm(b.text) for b in doc.blocks] == [norm(b.text) for b in src.blocks]
        titles = [(s.level, s.title) for s in iter_sections(build_outline(doc))]
        assert titles == [(s.level, s.title) for s in iter_sections(build_outline(src))]
    assert max(b.location.page for b in pdf.blocks) > 1
