"""The core commands through typer's CliRunner: init, validate, score, frameworks, framework show, schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLES
from jixiao.cli import app

runner = CliRunner()

USER_FRAMEWORK = """\
id: bureau-simple
name: 某区简化指标体系
kind: 部门整体
items:
  - id: execution
    name: 预算执行率
    weight: 60
    rule: {kind: ratio, value: [execution_rate, {ratio: [executed_total, budget_total]}]}
  - id: work
    name: 履职效能
    weight: 40
    rule: {kind: manual, guidance: 由区财政局核定}
"""


@pytest.fixture(autouse=True)
def _every_test_isolated(isolated: Path) -> Path:
    return isolated


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


# ---------------------------------------------------------------- init


def test_init_writes_the_example_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "mine.yaml"
    first = run("init", "--out", str(out))
    assert first.exit_code == 0, first.output
    assert out.read_text(encoding="utf-8") == (EXAMPLES / "example-dossier.yaml").read_text(encoding="utf-8")
    again = run("init", "--out", str(out))
    assert again.exit_code == 2
    assert "已存在" in again.stderr and str(out) in again.stderr
    assert run("init", "--out", str(out), "--force").exit_code == 0


def test_init_with_framework(tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    result = run("init", "--out", str(out), "--framework", "guangzhou-baiyun-overall")
    assert result.exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["framework"] == "guangzhou-baiyun-overall"
    assert "# " in out.read_text(encoding="utf-8")  # the Chinese comments survive
    bad = run("init", "--out", str(tmp_path / "e.yaml"), "--framework", "nope")
    assert bad.exit_code == 2
    assert "guangzhou-district-overall" in bad.stderr
    assert not (tmp_path / "e.yaml").exists()


def test_init_output_scores_completely(tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    run("init", "--out", str(out))
    result = run("score", str(out), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["complete"] is True


# ---------------------------------------------------------------- validate


def test_validate_dossier_and_framework() -> None:
    ok = run("validate", str(EXAMPLES / "huadu-2021.yaml"))
    assert ok.exit_code == 0 and ok.stdout.startswith("OK")
    builtin = Path(__file__).parents[1] / "src/jixiao/frameworks/builtin/guangzhou-baiyun-overall.yaml"
    fw = run("validate", str(builtin))
    assert fw.exit_code == 0 and "guangzhou-baiyun-overall" in fw.stdout


def test_validate_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit:\n  name: 单位\nyear: 20x4\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "第 3 行" in result.stderr
    framework = tmp_path / "fw.yaml"
    framework.write_text(USER_FRAMEWORK.replace("weight: 40", "weight: 30"), encoding="utf-8")
    result = run("validate", str(framework))
    assert result.exit_code == 2
    assert "一级指标分值合计应为 100" in result.stderr and "第 4 行" in result.stderr


def test_validate_dossier_with_unknown_framework(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("unit: {name: 单位}\nyear: 2024\nframework: nope\n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2 and "nope" in result.stderr


# ---------------------------------------------------------------- score


def test_score_text_shows_table_totals_and_notes() -> None:
    result = run("score", str(EXAMPLES / "huadu-2021.yaml"))
    assert result.exit_code == 0, result.output
    for text in ("指标", "推导", "预算完成率", "89.61", "94.08", "等级：良", "说明"):
        assert text in result.stdout, text


@pytest.mark.parametrize("columns", [80, 140])
def test_score_text_is_readable_at_terminal_width(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run("score", str(EXAMPLES / "huadu-2021.yaml"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(_width(line.rstrip()) for line in lines) <= columns
    # Every item keeps its numbers on one line: name, 分值, 得分 (a wrapped row would split them).
    total = next(line for line in lines if "总分" in line and "100" in line and "89.61" in line)
    assert "94.08" in total and "+4.47" in total
    assert any("预算完成率" in line and "3.58" in line and "+3.58" in line for line in lines)
    # The 89.61% derivation is readable in full, not folded into a few characters per line.
    assert any("预算完成率 89.61%，低于 90% 下限" in line for line in lines)
    # 80 columns put the derivation under its row; fewer lines than folding it into a narrow column.
    assert len(lines) < 300


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_score_json_carries_schema_and_exact_strings() -> None:
    result = run("score", str(EXAMPLES / "baiyun-2021.yaml"), "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema"] == "jixiao.scorecard/1"
    assert data["total"] == "92.97"
    assert data["framework"] == "guangzhou-baiyun-overall"


def test_score_framework_option_overrides_the_dossier() -> None:
    result = run(
        "score",
        str(EXAMPLES / "baiyun-2021.yaml"),
        "--framework",
        "guangzhou-district-overall",
        "--format",
        "json",
    )
    assert json.loads(result.stdout)["total"] == "92.00"


def test_score_without_any_framework(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("unit: {name: 单位}\nyear: 2024\n", encoding="utf-8")
    result = run("score", str(path))
    assert result.exit_code == 2
    assert "未指定指标体系" in result.stderr and "mof-project-self" in result.stderr


def test_score_unknown_framework_lists_ids() -> None:
    result = run("score", str(EXAMPLES / "huadu-2021.yaml"), "--framework", "nope")
    assert result.exit_code == 2
    assert "未知的指标体系“nope”" in result.stderr and "hunan-overall" in result.stderr
    assert "Traceback" not in result.output


def test_score_incomplete_lists_missing(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("unit: {name: 单位}\nyear: 2024\nframework: mof-project-self\n", encoding="utf-8")
    result = run("score", str(path))
    assert result.exit_code == 0
    assert "缺失数据" in result.stdout and "execution_rate" in result.stdout


# ---------------------------------------------------------------- frameworks


def test_frameworks_lists_builtins() -> None:
    result = run("frameworks")
    assert result.exit_code == 0
    for fid in (
        "guangzhou-district-overall",
        "guangzhou-baiyun-overall",
        "mof-project-self",
        "hunan-overall",
    ):
        assert fid in result.stdout


def test_user_framework_dropped_in_a_folder_is_listed_and_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bureau"
    folder.mkdir()
    (folder / "simple.yaml").write_text(USER_FRAMEWORK, encoding="utf-8")
    (folder / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(folder))
    listed = run("frameworks")
    assert "bureau-simple" in listed.stdout
    assert "notes.yaml" in listed.stderr  # a file that is not a framework is reported, not fatal
    dossier = tmp_path / "d.yaml"
    shutil.copy(EXAMPLES / "baiyun-2021.yaml", dossier)
    result = run("score", str(dossier), "--framework", "bureau-simple", "--format", "json")
    data = json.loads(result.stdout)
    assert data["items"][0]["score"] == "58.94"  # 98.23% × 60
    assert data["items"][1]["status"] == "missing"
    assert data["complete"] is False


def test_framework_show_formats() -> None:
    text = run("framework", "show", "guangzhou-baiyun-overall")
    assert text.exit_code == 0
    assert "按档扣分" in text.stdout and "预算完成率" in text.stdout
    as_yaml = yaml.safe_load(run("framework", "show", "hunan-overall", "--format", "yaml").stdout)
    assert as_yaml["id"] == "hunan-overall"
    as_json = json.loads(run("framework", "show", "mof-project-self", "--format", "json").stdout)
    assert [i["weight"] for i in as_json["items"]] == ["10", "50", "30", "10"]
    missing = run("framework", "show", "nope")
    assert missing.exit_code == 2


@pytest.mark.parametrize("name", ["dossier", "framework", "scorecard"])
def test_schema_command(name: str) -> None:
    result = run("schema", name)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object" and "properties" in schema
