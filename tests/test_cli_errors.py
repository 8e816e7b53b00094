"""The CLI contract for user errors, the same for every command that takes FILE: exit status 2,
a Chinese message that names the file, never a traceback."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app

runner = CliRunner()

BAD_FIGURE = """\
unit: {name: 示例单位}
year: 2023
kind: 部门整体
framework: guangzhou-district-overall
figures:
  execution_rate: 约九成
"""


def _missing(tmp: Path) -> Path:
    return tmp / "不存在的档案.yaml"


def _doc(tmp: Path) -> Path:
    path = tmp / "自评报告.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # an OLE header with nothing in it
    return path


def _empty_yaml(tmp: Path) -> Path:
    path = tmp / "空档案.yaml"
    path.write_bytes(b"")
    return path


def _bad_figure(tmp: Path) -> Path:
    path = tmp / "数字有误.yaml"
    path.write_text(BAD_FIGURE, encoding="utf-8")
    return path


INPUTS: dict[str, Callable[[Path], Path]] = {
    "missing": _missing, "doc": _doc, "empty-yaml": _empty_yaml, "bad-figure": _bad_figure,
}

COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "validate": lambda f, tmp: ["validate", str(f)],
    "score": lambda f, tmp: ["score", str(f)],
    "score-json": lambda f, tmp: ["score", str(f), "--format", "json"],
    "report": lambda f, tmp: ["report", str(f), "--out", str(tmp / "自评报告.md")],
    "template": lambda f, tmp: ["template", "-f", "guangzhou-district-overall", "--from", str(f),
                                "--out", str(tmp / "模板.xlsx")],
    "extract": lambda f, tmp: ["extract", str(f)],
    "audit": lambda f, tmp: ["audit", str(f)],
}

@pytest.mark.parametrize("kind", list(INPUTS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_user_error_exits_2_in_chinese_naming_the_file(
    command: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # rich would wrap a long message inside the file name
    monkeypatch.chdir(tmp_path)
    file = INPUTS[kind](tmp_path)
    result = runner.invoke(app, COMMANDS[command](file, tmp_path))
    output = result.output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught exception
    assert "Traceback" not in output
    assert file.name in output
    assert re.search(r"错误：.*[\u4e00-\u9fff]", output), output


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    # The same contract outside CliRunner, through the installed entry point.
    import subprocess

    file = _bad_figure(tmp_path)
    proc = subprocess.run([sys.executable, "-c", "from jixiao.cli import main; main()", "score", str(file)],
                          capture_output=True, text=True, timeout=60, check=False, env={**os.environ, "COLUMNS": "300"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{file.name} 第 6 行" in proc.stderr and "约九成" in proc.stderr


@pytest.mark.parametrize(("args", "key", "expected"), [
    (["score", "{example}", "--format", "json"], "schema", "jixiao.scorecard/1"),
    (["framework", "show", "guangzhou-district-overall", "--format", "json"], "schema", "jixiao.framework/1"),
    (["framework", "show", "guangzhou-district-overall", "--format", "yaml"], "schema", "jixiao.framework/1"),
    (["schema", "dossier"], "$id", "https://jixiao.invalid/schemas/dossier-1.json"),
    (["schema", "scorecard"], "$id", "https://jixiao.invalid/schemas/scorecard-1.json"),
], ids=["score", "framework-json", "framework-yaml", "schema-dossier", "schema-scorecard"])
def test_machine_readable_output_names_its_schema(args: list[str], key: str, expected: str) -> None:
    import yaml

    from conftest import EXAMPLES

    example = str(EXAMPLES / "huadu-2021.yaml")
    result = runner.invoke(app, [a.replace("{example}", example) for a in args])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)[key] == expected
