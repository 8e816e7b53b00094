"""Acceptance: a seed gives the same findings whether it is read as .txt, .docx or .pdf.

The .docx files are built here the way people have them: ``word_paragraphs`` joins the wrapped lines of
a text file back into real paragraphs (what a Word user types), ``line_paragraphs`` keeps one paragraph
per line (what a naive conversion does, and what a PDF turned into Word often looks like). Tab-separated
lines become real Word tables. The .pdf is printed from the real-paragraph .docx by LibreOffice.

"The same findings" means: the same codes, each about the same numbers as written (the numbers in its
message, not its quote or locations, which differ by format).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from conftest import seed_path
from jixiao.audit import AuditResult, audit_file
from jixiao.model import Finding

pytestmark = pytest.mark.seeds

SEEDS = ("000", "001", "002", "003", "004")
_PARA_END = tuple("。！？!?：:；;")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、．.]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[、．.](?!\d))")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


# ------------------------------------------------------------------ building the documents


def _is_table_line(line: str) -> bool:
    return "\t" in line


def word_paragraphs(text: str) -> list[str | list[list[str]]]:
    """Paragraphs as a Word user has them: wrapped lines joined, numbered items and tables kept apart.

    A line ends its paragraph when it ends a sentence or a clause-level colon, when it is much shorter
    than the document's usual line (a title, a heading), or when the next line starts a numbered item.
    """
    lines = [ln.strip(" \u3000\r") for ln in text.splitlines()]  # tabs are cells: an empty first cell stays
    widths = sorted(len(ln) for ln in lines if ln and not _is_table_line(ln))
    usual = widths[len(widths) * 3 // 4] if widths else 0
    out: list[str | list[list[str]]] = []
    cur = ""
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal cur, table
        if cur:
            out.append(cur)
            cur = ""
        if table:
            out.append(table)
            table = []

    for ln in lines:
        if not ln.strip():
            if table:
                flush()
            continue
        if _is_table_line(ln):
            if cur:
                out.append(cur)
                cur = ""
            table.append(ln.split("\t"))
            continue
        if table:
            flush()
        if cur and _NUMBERED.match(ln):
            flush()
        cur += ln
        if ln.endswith(_PARA_END) or len(ln) < 0.6 * usual:
            flush()
    flush()
    return out


def line_paragraphs(text: str) -> list[str | list[list[str]]]:
    """One paragraph per non-empty line (the naive conversion); tab lines still make tables."""
    out: list[str | list[list[str]]] = []
    table: list[list[str]] = []
    for ln in text.splitlines():
        if _is_table_line(ln):
            table.append(ln.strip("\n").split("\t"))
            continue
        if table and ln.strip():
            out.append(table)
            table = []
        if ln.strip():
            out.append(ln.strip())
    if table:
        out.append(table)
    return out


def write_docx(parts: list[str | list[list[str]]], out: Path) -> Path:
    import docx

    d = docx.Document()
    for part in parts:
        if isinstance(part, str):
            d.add_paragraph(part)
            continue
        ncols = max(len(r) for r in part)
        t = d.add_table(rows=len(part), cols=ncols)
        t.style = "Table Grid"
        for r, row in enumerate(part):
            cells = t.rows[r].cells
            for c, value in enumerate(row):
                cells[c].text = value
    d.save(str(out))
    return out


def docx_to_pdf(sources: list[Path], outdir: Path) -> list[Path]:
    """Print .docx files to .pdf with LibreOffice (one run for all: it starts slowly)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("未安装 LibreOffice（soffice），无法把 .docx 转为 .pdf")
    profile = outdir / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )
    pdfs = [outdir / (src.stem + ".pdf") for src in sources]
    missing = [p.name for p in pdfs if not p.exists()]
    assert not missing, f"LibreOffice 未生成 {missing}"
    return pdfs


# ------------------------------------------------------------------ comparing findings


def signature(f: Finding) -> tuple[str, tuple[str, ...]]:
    """A finding's code and the numbers it is about, as written (from its message and values)."""
    if f.code == "DUPLICATE_PASSAGE":  # its numbers are paragraph and character counts, which differ
        return f.code, ()
    text = f.message + " | " + " | ".join(f.values.values())
    text = re.sub(r"第\d+(?:页|行|段|个表格)|原文第\d+行", "", text)  # locations differ by format
    return f.code, tuple(sorted(set(_NUMBER.findall(text))))


def signatures(r: AuditResult) -> Counter[tuple[str, tuple[str, ...]]]:
    return Counter(signature(f) for f in r.findings)


@cache
def _txt(prefix: str) -> AuditResult:
    return audit_file(seed_path(prefix))


def _seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real-paragraph .docx of every seed, printed to .pdf in one LibreOffice run.

    Under xdist every worker asks for it; the first builds it in the run's shared temp directory (under
    a lock), the others reuse it.
    """
    import fcntl

    if shutil.which("soffice") is None:
        pytest.skip("未安装 LibreOffice（soffice），无法把 .docx 转为 .pdf")
    for p in SEEDS:
        seed_path(p)  # skips when the seeds are absent
    out = tmp_path_factory.getbasetemp().parent / "audit-formats-pdf"
    out.mkdir(exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((out / f"{p}.pdf").exists() for p in SEEDS):
            sources = [write_docx(word_paragraphs(_seed_text(p)), out / f"{p}.docx") for p in SEEDS]
            docx_to_pdf(sources, out)
    return out


def _diff(a: AuditResult, b: AuditResult) -> str:
    sa, sb = signatures(a), signatures(b)
    return f"只在 txt：{sorted((sa - sb).elements())}\n只在转换后：{sorted((sb - sa).elements())}"


# ------------------------------------------------------------------ the converters themselves


def test_word_paragraphs_join_wrapped_lines_and_keep_items_apart() -> None:
    text = "一、基本情况\n\n本年收入 100.00 万元，其中一般公共预算\n\n财政拨款收入 90.00 万\n\n元。\n1.第一项。\n2.第二项\n"
    assert word_paragraphs(text) == [
        "一、基本情况", "本年收入 100.00 万元，其中一般公共预算财政拨款收入 90.00 万元。", "1.第一项。", "2.第二项",
    ]


def test_tab_lines_become_one_table() -> None:
    parts = word_paragraphs("表一\n项目\t分值\t得分\n甲\t2\t2\n说明。\n")
    assert parts == ["表一", [["项目", "分值", "得分"], ["甲", "2", "2"]], "说明。"]
    assert line_paragraphs("表一\n项目\t分值\n甲\t2\n") == ["表一", [["项目", "分值"], ["甲", "2"]]]


# ------------------------------------------------------------------ acceptance


def _docx_result(prefix: str, tmp_path: Path, form: str) -> AuditResult:
    text = _seed_text(prefix)
    parts = word_paragraphs(text) if form == "words" else line_paragraphs(text)
    return audit_file(write_docx(parts, tmp_path / f"{prefix}.docx"))


@pytest.mark.parametrize("prefix", SEEDS)
@pytest.mark.parametrize("form", ["words", "lines"])
def test_docx_gives_the_findings_of_the_txt(prefix: str, form: str, tmp_path: Path) -> None:
    txt = _txt(prefix)
    assert signatures(txt), "the seed has findings to compare"
    converted = _docx_result(prefix, tmp_path, form)
    assert signatures(converted) == signatures(txt), _diff(txt, converted)


@pytest.mark.parametrize("prefix", SEEDS)
def test_pdf_gives_the_findings_of_the_txt(prefix: str, pdf_dir: Path) -> None:
    txt = _txt(prefix)
    converted = audit_file(pdf_dir / f"{prefix}.pdf")
    assert signatures(converted) == signatures(txt), _diff(txt, converted)


def test_naive_docx_keeps_the_sums_whose_unit_went_to_the_next_line(tmp_path: Path) -> None:
    """The case that once failed: "2694.16" and its 万元 on two paragraphs; both sum errors stay."""
    r = _docx_result("002", tmp_path, "lines")
    sums = [f for f in r.findings if f.code == "SUM_MISMATCH" and "2694.16" in f.message]
    assert len(sums) == 2
