"""`jixiao extract`: formats, --out round trip, batches with a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.dossier_io import load_dossier

REPORT = (
    "2022年度示例市东城区文化局部门整体支出绩效自评报告\n\n"
    "一、基本情况\n\n"
    "（一）收支情况\n\n"
    "2022年本单位收入决算数1000.50万元，其中一般公共预算财政拨款收入900.25万元，其他收入100.25万元。\n\n"
    "本部门全年预算数 800 万元，执行数 780 万元，预算执行率为 97.5%。\n\n"
    "二、自评结论\n\n"
    "整体支出绩效自评分为 91.5分，评价等级为优。\n"
)


def run(*args: str):  # type: ignore[no-untyped-def]
    # With only one command registered Typer runs it directly; with several it is a subcommand.
    cmd = typer.main.get_command(app)
    argv = ["extract", *args] if hasattr(cmd, "commands") else list(args)
    return CliRunner().invoke(app, argv, env={"COLUMNS": "200"})


def report(tmp_path: Path, name: str = "report.txt", text: str = REPORT) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_json_output(tmp_path: Path) -> None:
    r = run(str(report(tmp_path)), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["schema"] == "jixiao.extraction/1"
    d = data["dossier"]
    assert d["unit"]["name"] == "示例市东城区文化局" and d["year"] == 2022
    assert d["figures"]["income_general"]["value"] == "900.25"  # exact decimal, as a string
    assert d["figures"]["income_general"]["unit"] == "万元"
    assert d["figures"]["budget_total"]["source"]["quote"] == "本部门全年预算数 800 万元"
    assert d["stated"]["total"] == "91.5" and d["stated"]["grade"] == "优"
    assert any(m["label"] == "其中一般公共预算财政拨款收入" for m in data["mentions"])


def test_json_round_trips_into_the_model(tmp_path: Path) -> None:
    from jixiao.ingest.extraction.model import Extraction

    r = run(str(report(tmp_path)), "--format", "json")
    x = Extraction.model_validate_json(r.stdout)
    assert str(x.dossier.figures["budget_total"].value) == "800"


def test_yaml_output(tmp_path: Path) -> None:
    r = run(str(report(tmp_path)), "--format", "yaml")
    assert r.exit_code == 0, r.output
    data = yaml.safe_load(r.stdout)
    assert data["dossier"]["figures"]["execution_rate"]["value"] == "97.5"


def test_text_output(tmp_path: Path) -> None:
    r = run(str(report(tmp_path)))
    assert r.exit_code == 0, r.output
    for words in ("示例市东城区文化局", "2022", "91.5", "一般公共预算财政拨款收入", "900.25万元", "97.5%"):
        assert words in r.stdout, words


def test_out_writes_a_dossier_that_loads(tmp_path: Path) -> None:
    out = tmp_path / "dossier.yaml"
    r = run(str(report(tmp_path)), "--format", "json", "--out", str(out))
    assert r.exit_code == 0, r.output
    d = load_dossier(out)
    assert d.unit.name == "示例市东城区文化局"
    assert str(d.figures["income_total"].value) == "1000.50"
    assert d.figures["income_total"].source is not None and d.figures["income_total"].source.paragraph == 7
    assert str(d.stated.total) == "91.5"


def test_batch_keeps_going_past_a_bad_file(tmp_path: Path) -> None:
    good1 = report(tmp_path, "a.txt")
    good2 = report(tmp_path, "b.txt", REPORT.replace("91.5", "88"))
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"this is not a word document at all")
    out = tmp_path / "dossiers"
    r = run(str(good1), str(bad), str(good2), "--format", "json", "--jobs", "2", "--out", str(out))
    assert r.exit_code == 2
    items = json.loads(r.stdout)
    assert [Path(i["file"]).name for i in items] == ["a.txt", "broken.docx", "b.txt"]
    assert items[0]["dossier"]["stated"]["total"] == "91.5"
    assert items[2]["dossier"]["stated"]["total"] == "88"
    assert "broken.docx" in items[1]["error"] and items[1]["error"]
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml"]
    assert "1/3" in r.stderr


def test_batch_out_keeps_same_named_reports_apart(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    a = report(tmp_path, "r.txt")
    b = report(tmp_path / "x", "r.md")
    out = tmp_path / "out"
    r = run(str(a), str(b), "--format", "json", "--jobs", "1", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["r.md.yaml", "r.txt.yaml"]


def test_batch_all_good_exits_zero(tmp_path: Path) -> None:
    files = [str(report(tmp_path, f"r{i}.txt")) for i in range(3)]
    r = run(*files, "--format", "json", "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)) == 3


def test_user_errors(tmp_path: Path) -> None:
    # a user error is a Chinese message on stderr and exit 2, never a traceback
    r = run(str(report(tmp_path)), "--format", "xml")
    assert r.exit_code == 2 and "xml" in r.stderr and "Traceback" not in r.output
    r = run(str(tmp_path / "missing.txt"))
    assert r.exit_code == 2 and "不存在" in r.stderr and "missing.txt" in r.stderr
