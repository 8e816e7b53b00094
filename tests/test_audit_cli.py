"""`jixiao audit` end to end on fixture files: formats, exit codes, batch behaviour, DESIGN.md §5 JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn
from typer.testing import CliRunner

import jixiao.cli  # noqa: F401  (registers every command)
from jixiao.cli.app import app
from jixiao.model import AUDIT_SCHEMA

BAD = (
    "2024年度某局部门整体支出绩效自评报告\n\n一、基本情况\n\n本局内设机构两个。\n\n二、收支情况\n\n"
    "本年支出合计 100.00 万元，其中基本支出 40.00 万元，项目支出 50.00 万元。\n\n"
    "三、绩效目标完成情况\n\n项目预算 20.00 万元，实际支出 15.00 万元，执行率为 80.00%。\n\n"
    "四、存在的主要问题\n\n无。\n\n五、改进措施\n\n加强预算管理。\n"
)
GOOD = BAD.replace("50.00 万元", "60.00 万元").replace("80.00%", "75.00%").replace("无。", "项目进度偏慢。")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    return bad, good


runner = CliRunner()


def test_json_follows_the_contract(files: tuple[Path, Path]) -> None:
    res = runner.invoke(app, ["audit", str(files[0]), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["schema"] == AUDIT_SCHEMA
    assert data["summary"]["error"] >= 2
    for f in data["findings"]:
        assert f["severity"] in ("error", "warning", "info")
        assert f["code"] and CJK.search(f["message"])
        assert f["evidence"] and all(e["quote"] and e["location"]["file"] for e in f["evidence"])
    text = {f["code"]: f["message"] + " ".join(e["quote"] for e in f["evidence"]) for f in data["findings"]}
    # the numbers a finding is about appear as written in the document
    assert "100.00 万元" in text["SUM_MISMATCH"] or "100.00万元" in text["SUM_MISMATCH"]
    assert "80.00%" in text["RATE_MISMATCH"]


def test_many_files_json_and_summary(files: tuple[Path, Path]) -> None:
    res = runner.invoke(app, ["audit", *map(str, files), "--format", "json", "--jobs", "1"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["schema"] == AUDIT_SCHEMA and len(data["documents"]) == 2
    assert "核查汇总" in res.stderr


def test_fail_on_error_gates(files: tuple[Path, Path]) -> None:
    bad, good = files
    assert runner.invoke(app, ["audit", str(bad), "--fail-on", "error"]).exit_code == 1
    assert runner.invoke(app, ["audit", str(good), "--fail-on", "error"]).exit_code == 0
    assert runner.invoke(app, ["audit", str(bad)]).exit_code == 0


def test_text_lists_most_serious_first(files: tuple[Path, Path]) -> None:
    res = runner.invoke(app, ["audit", str(files[0])])
    out = res.stdout
    assert "[错误]" in out and "建议：" in out and "原文（" in out
    assert out.index("[错误]") < out.index("[警告]")


def test_unreadable_file_exits_2_others_still_audited(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["audit", str(files[0]), str(tmp_path / "missing.txt"), "--format", "json",
                              "--out", str(out), "--jobs", "2"])
    assert res.exit_code == 2
    assert "文件不存在" in res.stderr and "Traceback" not in res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["documents"]) == 1 and data["documents"][0]["summary"]["error"] >= 2


def test_cli_entry_point_prints_chinese_error_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "jixiao"
    if not exe.exists():
        pytest.skip("jixiao 命令未安装在当前环境")
    proc = subprocess.run([str(exe), "audit", str(tmp_path / "none.txt")], capture_output=True, text=True, check=False)
    stderr = proc.stderr.replace("\n", "")  # rich wraps long lines
    assert proc.returncode == 2 and "文件不存在" in stderr and "Traceback" not in stderr


def test_html_is_self_contained_with_marks(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "a.html"
    assert runner.invoke(app, ["audit", str(files[0]), "-f", "html", "-o", str(out)]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('<mark class="error"') >= 2 and "SUM_MISMATCH" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page and "<script src" not in page


def test_docx_review_opinion(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "复核意见.docx"
    res = runner.invoke(app, ["audit", *map(str, files), "-f", "docx", "-o", str(out), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    doc = read_docx(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "复核意见" in text and "需更正的问题" in text and "bad.txt" in text and "good.txt" in text
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs}
    assert fonts <= {"Noto Serif CJK SC", "Noto Sans CJK SC"} and fonts


def test_docx_needs_out(files: tuple[Path, Path]) -> None:
    res = runner.invoke(app, ["audit", str(files[0]), "-f", "docx"])
    assert res.exit_code != 0


def test_a_dossier_has_its_figures_checked(tmp_path: Path) -> None:
    """A dossier (not a report) is checked on the figures it states: parts that miss the total are an error."""
    import yaml

    example = Path(__file__).resolve().parents[1] / "examples" / "example-dossier.yaml"
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    clean = runner.invoke(app, ["audit", str(example), "--format", "json", "--fail-on", "warning"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output)["findings"] == []
    data["figures"].update({"expense_total": "100.00万元", "expense_basic": "40.00万元", "expense_project": "50.00万元"})
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["audit", str(bad), "--format", "json", "--fail-on", "error"])
    assert result.exit_code == 1
    sums = [f for f in json.loads(result.output)["findings"] if f["code"] == "SUM_MISMATCH"]
    assert sums and "40.00万元 + 项目支出 50.00万元 = 90.00万元" in sums[0]["message"]
