"""`jixiao report` and `jixiao template` from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.template import is_template, read_template
from test_render_fixtures import EXAMPLES

runner = CliRunner()
EXAMPLE = EXAMPLES / "example-dossier.yaml"
JIXIAO = Path(sys.executable).parent / "jixiao"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(JIXIAO), *args], capture_output=True, text=True, timeout=120, check=False)
    proc.stderr = proc.stderr.replace("\n", "")  # rich wraps long messages to the terminal width
    return proc


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".md", ".html"])
def test_report_writes_each_format(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    assert "已生成" in result.output and "得分" in result.output


def test_report_with_explicit_framework(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--out", str(out),
                                 "--framework", "guangzhou-district-overall"])
    assert result.exit_code == 0, result.output
    assert "广州" in result.output


def test_unknown_output_format_exits_2_in_chinese(tmp_path: Path) -> None:
    proc = _cli("report", str(EXAMPLE), "--out", str(tmp_path / "r.odt"))
    assert proc.returncode == 2
    assert "不支持的输出格式" in proc.stderr and ".docx" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_framework_exits_2(tmp_path: Path) -> None:
    proc = _cli("report", str(EXAMPLE), "--out", str(tmp_path / "r.md"), "--framework", "no-such-fw")
    assert proc.returncode == 2 and "no-such-fw" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_input_exits_2(tmp_path: Path) -> None:
    proc = _cli("report", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "r.md"))
    assert proc.returncode == 2 and "文件不存在" in proc.stderr


def test_template_then_report_from_the_filled_template(tmp_path: Path) -> None:
    tpl = tmp_path / "填报模板.xlsx"
    result = runner.invoke(app, ["template", "--framework", "guangzhou-district-overall", "--out", str(tpl),
                                 "--from", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert is_template(tpl)
    from jixiao.dossier_io import load_dossier

    assert read_template(tpl) == load_dossier(EXAMPLE)
    out = tmp_path / "自评表.xlsx"
    result = runner.invoke(app, ["report", str(tpl), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["自评表"]


def test_blank_template(tmp_path: Path) -> None:
    tpl = tmp_path / "blank.xlsx"
    result = runner.invoke(app, ["template", "--framework", "guangzhou-district-overall", "--out", str(tpl)])
    assert result.exit_code == 0, result.output
    assert is_template(tpl)


def test_template_must_be_xlsx(tmp_path: Path) -> None:
    proc = _cli("template", "--framework", "guangzhou-district-overall", "--out", str(tmp_path / "t.csv"))
    assert proc.returncode == 2 and ".xlsx" in proc.stderr


def test_report_from_a_text_report_offers_findings_as_drafts(tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_text(
        "2023年度示例单位部门整体支出绩效自评报告\n\n一、部门基本情况\n\n（一）部门整体收支情况\n\n"
        "2023年度本年收入合计100.00万元，其中一般公共预算财政拨款收入60.00万元，其他收入30.00万元。\n\n"
        "二、绩效自评情况\n\n本部门自评得分95分。\n\n三、存在的主要问题\n\n无。\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.md"
    result = runner.invoke(app, ["report", str(source), "--out", str(out),
                                 "--framework", "guangzhou-district-overall"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "## 三、存在的主要问题" in text
    no_audit = tmp_path / "n.md"
    result = runner.invoke(app, ["report", str(source), "--out", str(no_audit), "--no-audit",
                                 "--framework", "guangzhou-district-overall"])
    assert result.exit_code == 0, result.output
    assert "草稿" not in no_audit.read_text(encoding="utf-8")
