"""Recognising the framework a report follows: hints, indicator names, variants, ambiguity, the CLI, seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import seed_path
from jixiao.cli import app
from jixiao.errors import FrameworkError
from jixiao.frameworks import load_framework
from jixiao.frameworks.detect import (
    THRESHOLD,
    detect_framework,
    evidence_from_document,
    hints_for,
    known_frameworks,
    normalise,
)
from jixiao.frameworks.model import MatchHints, merge_match
from jixiao.ingest import document_from_text
from jixiao.model import Dossier, Stated, Unit

# A small city framework, a district variant of it, and an unrelated provincial one: each indicator name is
# made up, so only these fixtures (never the built-ins' wording) decide the outcome.
CITY = """\
id: lake-city
name: 湖城市区级部门整体支出指标体系
kind: 部门整体
region: 湖城市
match:
  title_keywords: [部门整体支出绩效自评]
  region_keywords: [湖城市, 东湖区, 西湖区]
items:
  - id: plan
    name: 计划编制精准度
    weight: 30
    children:
      - {id: plan_a, name: 年初计划到位率, weight: 15, rule: {kind: manual}}
      - {id: plan_b, name: 计划调整合规性, weight: 15, rule: {kind: manual}}
  - id: duty
    name: 职能履行成效
    weight: 70
    children:
      - {id: duty_a, name: 重点任务推进度, weight: 40, rule: {kind: manual}}
      - {id: duty_b, name: 服务对象覆盖率, weight: 30, rule: {kind: manual}}
"""
DISTRICT = """\
id: lake-east
name: 湖城市东湖区部门整体支出指标体系
extends: lake-city
region: 湖城市东湖区
match:
  region_keywords: [东湖区]
override:
  plan_a: {name: 年初计划到位率, note: 东湖区口径}
"""
SILENT_VARIANT = """\
id: lake-silent
name: 无识别提示的变体
extends: lake-city
override:
  plan_b: {note: 同上级}
"""
PROVINCE = """\
id: hill-province
name: 山省部门整体支出指标体系
kind: 部门整体
region: 山省
match:
  title_keywords: [整体支出绩效自评]
  region_keywords: [山省, 松县]
items:
  - {id: p1, name: 资金拨付及时率, weight: 50, rule: {kind: manual}}
  - {id: p2, name: 群众获得感指数, weight: 50, rule: {kind: manual}}
"""
PROJECT = """\
id: river-project
name: 河市项目支出指标体系
kind: 项目支出
items:
  - {id: r1, name: 年初计划到位率, weight: 50, rule: {kind: manual}}
  - {id: r2, name: 重点任务推进度, weight: 50, rule: {kind: manual}}
"""

CITY_REPORT = (
    "2023年度湖城市{district}文化局部门整体支出绩效自评报告\n"
    "一、基本情况\n"
    "二、自评情况\n"
    "（一）计划编制精准度\n"
    "1.年初计划到位率：年初计划全部到位。\n"
    "2.计划调整合规性：调整均按程序报批。\n"
    "（二）职能履行成效\n"
    "1.重点任务推进度：全年任务按期完成。\n"
    "2.服务对象覆盖率达到98%。\n"
)


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def fixtures(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write(isolated / "bureau", city=CITY, district=DISTRICT, province=PROVINCE, project=PROJECT)
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(folder))
    return folder


def detect(text: str, ids: list[str] | None = None):  # type: ignore[no-untyped-def]
    frameworks = [f for f in known_frameworks() if ids is None or f.id in ids]
    return detect_framework(document_from_text(text, "report.txt"), frameworks)


# ---------------------------------------------------------------- signals


def test_normalise_ignores_quotes_spaces_and_full_width() -> None:
    assert normalise("“三公”经费 控制率") == normalise("三公经费控制率")
    assert normalise("ＡＢ１２") == "AB12"


def test_clear_match_names_the_evidence(fixtures: Path) -> None:
    result = detect(CITY_REPORT.format(district="西湖区"), ["lake-city", "hill-province", "river-project"])
    assert result.framework_id == "lake-city"
    assert result.confidence >= THRESHOLD
    text = "；".join(result.reasons)
    assert "标题含“部门整体支出绩效自评”" in text
    assert "湖城市" in text and "年初计划到位率" in text
    assert result.candidates[0].framework_id == "lake-city"
    assert "lake-city" in result.summary() and "--framework" in result.summary()


def test_names_inside_running_text_count_less_than_headings(fixtures: Path) -> None:
    headed = detect("报告\n一、年初计划到位率\n二、计划调整合规性\n", ["lake-city"]).candidates[0].score
    inline = detect("报告中提到年初计划到位率和计划调整合规性。\n", ["lake-city"]).candidates[0].score
    assert headed > inline > 0


def test_report_type_that_differs_halves_the_score(fixtures: Path) -> None:
    names = "一、年初计划到位率\n二、重点任务推进度\n"
    project = detect("2023年度河市某项目支出绩效自评报告\n" + names, ["river-project"]).candidates[0]
    whole = detect("2023年度河市某局部门整体支出绩效自评报告\n" + names, ["river-project"]).candidates[0]
    assert whole.score == pytest.approx(project.score / 2, abs=0.01)
    assert any("本体系用于项目支出" in r for r in whole.reasons)


# ---------------------------------------------------------------- variants


def test_district_variant_wins_only_when_its_own_hints_match(fixtures: Path) -> None:
    east = detect(CITY_REPORT.format(district="东湖区"))
    assert east.framework_id == "lake-east"
    assert any("继承自 lake-city" in r and "东湖区" in r for r in east.reasons)
    west = detect(CITY_REPORT.format(district="西湖区"))
    assert west.framework_id == "lake-city"
    ranked = [c.framework_id for c in west.candidates]
    assert ranked.index("lake-east") == ranked.index("lake-city") + 1


def test_sibling_variants_do_not_make_each_other_ambiguous(fixtures: Path) -> None:
    # Its own hint is a term its reports print; absent, it costs nothing against the parent's names.
    south = DISTRICT.replace("lake-east", "lake-south").replace(
        "region_keywords: [东湖区]", "keywords: [南湖专项]"
    )
    write(fixtures, south=south)
    result = detect(CITY_REPORT.format(district="东湖区"))
    assert result.framework_id == "lake-east", result.reasons
    assert detect(CITY_REPORT.format(district="西湖区")).framework_id == "lake-city"
    assert detect(CITY_REPORT.format(district="西湖区") + "（三）南湖专项\n").framework_id == "lake-south"


def test_variant_named_only_in_the_body_does_not_win(fixtures: Path) -> None:
    filler = "（三）其他工作\n" + "全年按计划开展各项工作，成效明显。" * 12 + "\n"  # past the opening lines
    text = CITY_REPORT.format(district="西湖区") + filler + "（四）与东湖区开展交流。\n"
    assert detect(text).framework_id == "lake-city"


def test_variant_without_own_hints_is_never_chosen(fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(fixtures, silent=SILENT_VARIANT)
    result = detect(CITY_REPORT.format(district="西湖区"))
    assert result.framework_id == "lake-city"
    silent = next(c for c in result.candidates if c.framework_id == "lake-silent")
    assert any("未写自身的识别提示" in r for r in silent.reasons)


def test_inherited_hints_follow_override_semantics(fixtures: Path) -> None:
    frameworks = {f.id: f for f in known_frameworks()}
    east = hints_for(frameworks["lake-east"], frameworks)
    assert east.region_keywords == ["东湖区"]  # written: replaces the parent's
    assert east.title_keywords == ["部门整体支出绩效自评"]  # left out: inherited
    parent = MatchHints(title_keywords=["甲"], region_keywords=["乙"])
    assert merge_match(parent, MatchHints(region_keywords=[])).region_keywords == []
    assert merge_match(parent, None) == parent
    assert merge_match(None, None) == MatchHints()


# ---------------------------------------------------------------- no choice


def test_two_close_candidates_are_ambiguous(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    twin = CITY.replace("id: lake-city", "id: lake-twin").replace("match:", "unused:")
    twin = "\n".join(
        line for line in twin.splitlines() if not line.startswith(("unused:", "  title_", "  region_"))
    )
    city = "\n".join(
        line for line in CITY.splitlines() if not line.startswith(("match:", "  title_", "  region_"))
    )
    folder = write(isolated / "twins", city=city, twin=twin)
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(folder))
    result = detect(CITY_REPORT.format(district="西湖区"), ["lake-city", "lake-twin"])
    assert result.framework_id is None
    assert "无法区分" in result.reasons[0]
    message = result.failure(["lake-city", "lake-twin"])
    assert "lake-city" in message and "lake-twin" in message and "--framework" in message
    assert "年初计划到位率" in message  # each candidate's evidence is shown


def test_nothing_above_the_threshold_is_not_recognised(fixtures: Path) -> None:
    result = detect("2023年度某单位工作总结\n一、全年工作\n完成了各项任务。\n")
    assert result.framework_id is None
    assert "低于" in result.reasons[0]
    assert "未能确定" in result.failure() and "--framework" in result.failure()
    assert "未能识别" in result.warning()


def test_region_and_title_alone_are_not_enough(fixtures: Path) -> None:
    result = detect("2023年度湖城市西湖区某局部门整体支出绩效自评报告\n一、基本情况\n全年工作顺利。\n")
    assert result.framework_id is None
    best = result.candidates[0]
    assert best.framework_id == "lake-city" and "未出现本体系的指标名称" in best.reasons


# ---------------------------------------------------------------- user frameworks, dossiers, the file format


def test_user_framework_with_its_own_match_is_detected_among_builtins(fixtures: Path) -> None:
    ids = [f.id for f in known_frameworks()]
    assert "guangzhou-district-overall" in ids and "hill-province" in ids
    report = "2023年度松县某局整体支出绩效自评报告\n一、资金拨付及时率\n二、群众获得感指数\n"
    result = detect(report)
    assert result.framework_id == "hill-province"
    assert any("松县" in r for r in result.reasons)


def test_a_dossier_is_recognised_by_the_names_it_states(fixtures: Path) -> None:
    dossier = Dossier(
        unit=Unit(name="湖城市东湖区文化局"),
        year=2023,
        stated=Stated(items={"年初计划到位率": 15, "计划调整合规性": 15, "重点任务推进度": 40}),  # type: ignore[dict-item]
    )
    result = detect_framework(dossier, known_frameworks())
    assert result.framework_id == "lake-east"


def test_match_is_checked_by_the_schema(isolated: Path) -> None:
    bad = CITY.replace("  title_keywords:", "  title_keyword:")
    path = write(isolated / "bad", city=bad) / "city.yaml"
    with pytest.raises(FrameworkError, match="title_keyword"):
        load_framework(path)


def test_builtins_declare_match_hints() -> None:
    frameworks = {f.id: f for f in known_frameworks()}
    for fid in ("guangzhou-district-overall", "hunan-overall", "mof-project-self"):
        assert hints_for(frameworks[fid], frameworks).title_keywords, fid
    baiyun = hints_for(frameworks["guangzhou-baiyun-overall"], frameworks)
    assert baiyun.region_keywords == ["白云区"] and baiyun.kind == "部门整体"


# ---------------------------------------------------------------- CLI

runner = CliRunner()


def test_score_report_without_framework_says_what_it_recognised(fixtures: Path) -> None:
    report = fixtures.parent / "east.txt"
    report.write_text(CITY_REPORT.format(district="东湖区"), encoding="utf-8")
    result = runner.invoke(app, ["score", str(report), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["framework"] == "lake-east"
    assert "据报告内容识别指标体系为 lake-east" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    forced = runner.invoke(app, ["score", str(report), "--framework", "lake-city", "--format", "json"])
    assert json.loads(forced.stdout)["framework"] == "lake-city" and "识别" not in forced.stderr


def test_score_unrecognised_report_lists_candidates(fixtures: Path) -> None:
    report = fixtures.parent / "plain.txt"
    report.write_text("2023年度湖城市西湖区某局部门整体支出绩效自评报告\n一、基本情况\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(report)])
    assert result.exit_code == 2
    assert str(report) in result.stderr and "lake-city" in result.stderr and "--framework" in result.stderr
    assert "Traceback" not in result.output


def test_extract_fills_the_recognised_framework_with_a_comment(fixtures: Path) -> None:
    report = fixtures.parent / "east.txt"
    report.write_text(CITY_REPORT.format(district="东湖区"), encoding="utf-8")
    out = fixtures.parent / "east.yaml"
    result = runner.invoke(app, ["extract", str(report), "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dossier"]["framework"] == "lake-east"
    text = out.read_text(encoding="utf-8")
    assert "# framework 非报告所写：据报告内容识别指标体系为 lake-east" in text
    assert yaml.safe_load(text)["framework"] == "lake-east"
    assert "framework 非报告所写" in result.stderr
    scored = runner.invoke(app, ["score", str(out), "--format", "json"])
    assert json.loads(scored.stdout)["framework"] == "lake-east"


def test_extract_leaves_framework_empty_when_unsure_and_obeys_the_option(fixtures: Path) -> None:
    report = fixtures.parent / "plain.txt"
    report.write_text("2023年度湖城市西湖区某局部门整体支出绩效自评报告\n一、基本情况\n", encoding="utf-8")
    unsure = json.loads(runner.invoke(app, ["extract", str(report), "--format", "json"]).stdout)
    assert "framework" not in unsure["dossier"]
    assert any("未能识别报告所依据的指标体系" in w for w in unsure["warnings"])
    given = runner.invoke(app, ["extract", str(report), "--format", "json", "--framework", "lake-city"])
    assert json.loads(given.stdout)["dossier"]["framework"] == "lake-city"
    unknown = runner.invoke(app, ["extract", str(report), "--framework", "nope"])
    assert unknown.exit_code == 2 and "未知的指标体系“nope”" in unknown.stderr


# ---------------------------------------------------------------- acceptance on the seeds

# What each seed really follows, decided by reading it: 000 (海珠区 2023) reports 履职效能 and the 管理
# sub-items of the Guangzhou district table; 001 (益阳市赫山区) the Hunan 数量/质量/时效/成本/效益/满意度
# layout; 002 (荔湾区 2023) names no indicator of any framework — only a grade — so it is not recognised;
# 003 (花都区) is the Guangzhou 自评表 itself; 004 (白云区) is the Baiyun variant.
SEEDS = {
    "000": "guangzhou-district-overall",
    "001": "hunan-overall",
    "002": None,
    "003": "guangzhou-district-overall",
    "004": "guangzhou-baiyun-overall",
}


@pytest.mark.parametrize(("prefix", "expected"), SEEDS.items())
def test_seed_is_recognised_or_not(prefix: str, expected: str | None, isolated: Path) -> None:
    from jixiao.ingest import read_document
    from jixiao.ingest.extract import extract_document

    document = read_document(seed_path(prefix))
    dossier = extract_document(document).dossier
    result = detect_framework(evidence_from_document(document, dossier), known_frameworks())
    assert result.framework_id == expected, result.failure() if expected else result.summary()


@pytest.mark.parametrize(("prefix", "expected"), SEEDS.items())
def test_seed_scores_end_to_end(prefix: str, expected: str | None, isolated: Path) -> None:
    path = seed_path(prefix)
    result = runner.invoke(app, ["score", str(path), "--format", "json"])
    if expected is None:
        assert result.exit_code == 2
        assert "未能确定报告所依据的指标体系" in result.stderr and "--framework" in result.stderr
        assert "guangzhou-district-overall" in result.stderr  # the nearest candidate, with its evidence
        forced = runner.invoke(app, ["score", str(path), "--framework", "guangzhou-district-overall"])
        assert forced.exit_code == 0, forced.output
        return
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["framework"] == expected
    assert f"据报告内容识别指标体系为 {expected}" in result.stderr
