"""Acceptance: the five seed reports, as .txt and as .docx/.pdf generated from them at test time."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import seed_path
from jixiao.ingest.extract import extract_file
from jixiao.ingest.extraction.model import Extraction

pytestmark = pytest.mark.seeds

SEEDS = ("000", "001", "002", "003", "004")

# What each seed states (read by hand): unit, year, kind, stated total/grade, and key figures.
EXPECT: dict[str, dict] = {
    "000": {
        "unit": "广州市海珠区残疾人联合会",
        "year": 2023,
        "total": "93.61",
        "grade": None,
        "figures": {
            "income_total": ("865.44", "万元"),
            "income_general": ("865.44", "万元"),
            "expense_total": ("865.44", "万元"),
            "expense_basic": ("274.07", "万元"),
            "expense_project": ("591.37", "万元"),
            "budget_total": ("2817.63", "万元"),
            "executed_total": ("2814.53", "万元"),
            "execution_rate": ("99.89", "%"),
            "three_public_actual": ("0.72", "万元"),
            "three_public_budget": ("0.72", "万元"),
        },
    },
    "001": {
        "unit": "益阳市赫山区残疾人联合会",
        "year": 2023,
        "total": None,
        "grade": None,
        "figures": {
            "income_total": ("2015.65", "万元"),
            "income_general": ("1763.44", "万元"),
            "income_fund": ("232.35", "万元"),
            "income_other": ("19.86", "万元"),
            "expense_total": ("2015.65", "万元"),
            "expense_basic": ("373.92", "万元"),
            "expense_project": ("1641.73", "万元"),
            "personnel": ("305.78", "万元"),
            "public_funds": ("65.80", "万元"),
            "budget_adjustment_rate": ("805.58", "%"),
            "budget_initial": ("229.99", "万元"),
            "income_general_budget_initial": ("222.58", "万元"),
        },
    },
    "002": {
        "unit": "广州市荔湾区残疾人联合会",
        "year": 2023,
        "total": None,
        "grade": "优",
        "figures": {
            "income_total": ("2700.38", "万元"),
            "expense_total": ("2700.38", "万元"),
            "budget_initial": ("2317.52", "万元"),
            "income_general": ("2655.58", "万元"),
            "income_fund": ("38.58", "万元"),
            "prior_income_general": ("3116.60", "万元"),
            "prior_income_fund": ("260.80", "万元"),
            "three_public_budget": ("0.8", "万元"),
            "three_public_actual": ("0.69", "万元"),
            "expense_basic": ("786.65", "万元"),
            "personnel": ("755.32", "万元"),
            "public_funds": ("31.33", "万元"),
            "expense_project": ("1907.51", "万元"),
        },
        "absent": ["execution_rate"],  # "预算执行率 92%以上" is the target, not the outcome
    },
    "003": {
        "unit": "广州市花都区残疾人联合会",
        "year": 2021,
        "total": "94.08",
        "grade": None,
        "figures": {
            "budget_total": ("37749994.89", "元"),
            "executed_total": ("33828375.60", "元"),
            "execution_rate": ("89.61", "%"),
            # stated only inside the scoring table's worked formulas
            "fixed_assets_in_use": ("3455560.23", "元"),
            "fixed_assets_total": ("4138427.79", "元"),
            "fixed_assets_utilization": ("83.50", "%"),
            "public_funds": ("455451.05", "元"),
            "public_funds_budget": ("583092.57", "元"),
            "three_public_actual": ("28007.62", "元"),
            "three_public_budget": ("116000", "元"),
        },
    },
    "004": {
        "unit": "广州市白云区残疾人联合会",
        "year": 2021,
        "total": "92.97",
        "grade": None,
        "figures": {
            "budget_total": ("3105.13", "万元"),
            "executed_total": ("3050.14", "万元"),
            "execution_rate": ("98.23", "%"),
            "procurement_execution_rate": ("94.25", "%"),
        },
        "absent": ["expense_total", "income_total"],  # project lines ("预算…支出…") are not unit totals
    },
}


def _figures(x: Extraction) -> dict[str, tuple[str, str]]:
    return {k: (str(f.value), f.unit) for k, f in x.dossier.figures.items()}


@pytest.fixture(scope="module")
def txt() -> dict[str, Extraction]:
    return {s: extract_file(seed_path(s)) for s in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_meta_scores_and_figures(seed: str, txt: dict[str, Extraction]) -> None:
    x, e = txt[seed], EXPECT[seed]
    d = x.dossier
    assert (d.unit.name, d.year, d.kind) == (e["unit"], e["year"], "部门整体")
    assert (str(d.stated.total) if d.stated.total is not None else None) == e["total"]
    assert d.stated.grade == e["grade"]
    got = _figures(x)
    for key, value in e["figures"].items():
        assert got.get(key) == value, key
    for key in e.get("absent", []):
        assert key not in got, key


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_provenance_points_at_the_number(seed: str, txt: dict[str, Extraction]) -> None:
    lines = seed_path(seed).read_text(encoding="utf-8").splitlines()
    x = txt[seed]
    for key, fig in x.dossier.figures.items():
        src = fig.source
        assert src is not None and src.quote, key
        as_written = abs(fig.value)  # the quote holds the number as written ("下降96.1%" is -96.1)
        digits = src.quote.replace(",", "").replace(" ", "")
        line = lines[src.paragraph - 1].replace(",", "").replace(" ", "")
        if fig.value == 0 and "无" in src.quote:  # "无结转结余": a nil stated in words
            assert src.quote in line and "按 0 计" in (fig.note or ""), (key, src.quote)
            continue
        assert str(as_written) in digits, (key, src.quote)
        assert str(as_written)[:4] in line, (key, src.paragraph, lines[src.paragraph - 1])
        assert src.section or src.table is not None or seed == "003", key
    for m in x.mentions[:50]:
        assert m.text in (m.source.quote or "")


def test_seed_004_sub_scores(txt: dict[str, Extraction]) -> None:
    subs = {s.name: (str(s.score), str(s.max)) for s in txt["004"].sub_scores}
    assert subs["管理效能"] == ("42.99", "45")
    assert subs["履职效能"] == ("49.98", "50")
    assert subs["加减分项"] == ("0", "5")
    assert subs["资金管理"] == ("15.1", "16")
    assert subs["采购管理"] == ("1.89", "2")
    assert subs["资产管理"] == ("3", "4")
    assert txt["004"].dossier.stated.items["管理效能"] == Decimal("42.99")
    assert "92.97" in (txt["004"].dossier.stated.sources["total"].quote or "")


def test_seed_003_indicator_table(txt: dict[str, Extraction]) -> None:
    rows = txt["003"].indicators
    rule = [r for r in rows if r.layout == "rule" and r.level1 != "加减分项"]
    target = [r for r in rows if r.layout == "target"]
    # 管理效能: every 三级指标 row has 分值, 评分标准 and 得分, and no target
    assert len(rule) == 20
    assert all(
        r.weight is not None and r.stated_score is not None and r.rule and r.target is None for r in rule
    )
    assert sum(r.stated_score for r in rule) == Decimal("44.08")  # 94.08 − 50 (履职) + 0 … as printed
    budget_row = next(r for r in rule if r.basis and "89.61%" in r.basis)
    assert (budget_row.weight, budget_row.stated_score, budget_row.level2) == (
        Decimal("4.00"),
        Decimal("3.58"),
        "资金管理",
    )
    # 履职效能: every project row has 分值, 年度指标值, 实际完成值 and 得分
    assert len(target) == 42
    assert all(r.weight is not None and r.target and r.actual and r.stated_score is not None for r in target)
    assert all(r.level1 == "履职效能" for r in target)
    assert sum(r.weight for r in target) == Decimal(50)
    row = next(r for r in target if r.name == "贫困精神病人住院伙食费和护理费")
    assert (row.weight, row.target, row.actual, row.stated_score) == (
        Decimal(2),
        "≥250人",
        "280人",
        Decimal("2.00"),
    )
    projects = txt["003"].dossier.projects
    assert len(projects) == 6 and projects[0].name == "康复经费" and projects[0].weight == Decimal("7.00")


def test_seed_001_narrative_pairs_and_conflict(txt: dict[str, Extraction]) -> None:
    x = txt["001"]
    pairs = {(r.target, r.actual) for r in x.indicators if r.layout == "narrative"}
    assert {("38人", "41人"), ("155人", "201人")} <= pairs
    # 年初预算 stated as 229.99 and, later, as 222.58: both kept, the conflict named
    values = [str(f.value) for f in x.statements["budget_initial"]]
    assert values == ["229.99", "222.58"]
    assert "222.58" in (x.dossier.figures["budget_initial"].note or "")


# ---------------------------------------------------------------- other formats


def _write_docx(text: str, path: Path) -> Path:
    """The seed's paragraphs and tables as a Word document (tables ruled, landscape when wide)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    from jixiao.ingest import document_from_text

    doc = document_from_text(text, path.name)
    d = docx.Document()
    if any(b.rows and max(len(r) for r in b.rows) > 6 for b in doc.tables()):
        sec = d.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
        sec.left_margin = sec.right_margin = Cm(1)
    for b in doc.blocks:
        if b.kind == "table" and b.rows:
            t = d.add_table(rows=len(b.rows), cols=max(len(r) for r in b.rows))
            t.style = "Table Grid"
            for r, cells in enumerate(b.rows):
                for c, v in enumerate(cells):
                    cell = t.cell(r, c)
                    cell.text = v
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(6)
        elif b.kind == "heading":
            d.add_heading(b.text, level=min(b.level or 1, 9))
        else:
            d.add_paragraph(b.text)
    d.save(path)
    return path


def make_documents(out: Path, seeds: list[Path]) -> dict[str, dict[str, Path]]:
    """{seed stem: {"docx": path, "pdf": path?}}; PDFs only when LibreOffice is installed."""
    made: dict[str, dict[str, Path]] = {}
    for s in seeds:
        made[s.stem] = {"docx": _write_docx(s.read_text(encoding="utf-8"), out / f"{s.stem}.docx")}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        docs = [str(v["docx"]) for v in made.values()]
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation=file://{out / 'lo-profile'}", "--convert-to", "pdf",
             "--outdir", str(out), *docs],
            check=True, capture_output=True, timeout=240,
        )  # fmt: skip
        for stem, v in made.items():
            pdf = out / f"{stem}.pdf"
            if pdf.exists():
                v["pdf"] = pdf
    return made


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    seeds = [seed_path(s) for s in SEEDS]
    return make_documents(tmp_path_factory.mktemp("seed-docs"), seeds)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("seed", SEEDS)
def test_seed_other_formats_extract_the_same(
    seed: str, fmt: str, txt: dict[str, Extraction], converted: dict[str, dict[str, Path]]
) -> None:
    stem = seed_path(seed).stem
    if fmt not in converted[stem]:
        pytest.skip("LibreOffice (soffice) 未安装，无法生成 PDF")
    x = extract_file(converted[stem][fmt])
    base = txt[seed]
    assert x.format == fmt
    assert (x.dossier.unit.name, x.dossier.year, x.dossier.kind) == (
        base.dossier.unit.name,
        base.dossier.year,
        base.dossier.kind,
    )
    assert _figures(x) == _figures(base)
    assert (x.dossier.stated.total, x.dossier.stated.grade) == (
        base.dossier.stated.total,
        base.dossier.stated.grade,
    )
    assert [(s.name, s.score) for s in x.sub_scores] == [(s.name, s.score) for s in base.sub_scores]

    def rows(e: Extraction) -> list[tuple]:
        return [(r.name, r.weight, r.target, r.actual, r.stated_score) for r in e.indicators]

    assert rows(x) == rows(base)
    for key, fig in x.dossier.figures.items():
        assert fig.source is not None and fig.source.quote, key
        if not (fig.value == 0 and "无" in fig.source.quote):  # "无结转结余" states the 0 in words
            assert str(abs(fig.value)) in fig.source.quote.replace(",", "").replace(" ", ""), key
        if fmt == "pdf":
            assert fig.source.page is not None, key


def test_seed_003_as_excel_workbook(tmp_path: Path, txt: dict[str, Extraction]) -> None:
    """The scoring table as a worksheet (the 自评表 is usually handed in as Excel)."""
    import openpyxl

    from jixiao.ingest import document_from_text

    doc = document_from_text(seed_path("003").read_text(encoding="utf-8"), "003")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for b in doc.blocks:
        for row in b.rows or [[b.text]]:
            ws.append(row)
    path = tmp_path / "003.xlsx"
    wb.save(path)
    x = extract_file(path)
    assert (x.dossier.unit.name, x.dossier.year, x.dossier.stated.total) == (
        "广州市花都区残疾人联合会",
        2021,
        Decimal("94.08"),
    )
    assert _figures(x) == _figures(txt["003"])
    assert [(r.name, r.weight, r.target, r.actual, r.stated_score) for r in x.indicators] == [
        (r.name, r.weight, r.target, r.actual, r.stated_score) for r in txt["003"].indicators
    ]
    src = x.dossier.figures["budget_total"].source
    assert src is not None and src.sheet == "自评表" and src.cell
