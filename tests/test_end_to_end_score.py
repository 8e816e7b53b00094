"""End to end: a report (as published, .txt) → extraction → scoring, with no hand-written dossier.

The rate items must come out of the extracted figures exactly as they do from the transcribed example
dossier, and the scorecard must show the report's own (stated) scores next to the computed ones.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, seed_path
from jixiao.cli import app
from jixiao.dossier_io import load_dossier
from jixiao.frameworks.registry import load_framework
from jixiao.ingest import document_from_text
from jixiao.ingest.extract import extract_document, extract_file
from jixiao.model import ItemScore, Scorecard
from jixiao.scoring import score

pytestmark = pytest.mark.seeds


def _by_id(card: Scorecard) -> dict[str, ItemScore]:
    out: dict[str, ItemScore] = {}
    stack = list(card.items)
    while stack:
        node = stack.pop()
        out[node.id] = node
        stack.extend(node.children)
    return out


def _lost(node: ItemScore) -> Decimal:
    assert node.score is not None, (node.name, node.derivation)
    return node.score - node.max


@pytest.fixture(scope="module")
def baiyun() -> tuple[Scorecard, Scorecard]:
    fw = load_framework("guangzhou-baiyun-overall")
    extracted = extract_file(seed_path("004")).dossier
    example = load_dossier(EXAMPLES / "baiyun-2021.yaml")
    return score(extracted, fw), score(example, fw)


@pytest.fixture(scope="module")
def huadu() -> Scorecard:
    return score(extract_file(seed_path("003")).dossier, load_framework("guangzhou-district-overall"))


RATE_ITEMS_004 = {
    "budget_completion": Decimal("-0.04"),  # 预算完成率 98.23%
    "income_budget_difference": Decimal("-0.2"),  # 收入预决算差异率 1.74%
    "average_execution": Decimal("-0.66"),  # 平均执行率 67.2%
    "procurement_execution": Decimal("-0.11"),  # 政府采购执行率 94.25%
}


def test_seed_004_rate_items_scored_from_extracted_figures(baiyun: tuple[Scorecard, Scorecard]) -> None:
    extracted, example = (_by_id(c) for c in baiyun)
    for item_id, lost in RATE_ITEMS_004.items():
        got, want = extracted[item_id], example[item_id]
        assert got.status == "scored", (item_id, got.derivation)
        assert _lost(got) == lost, (item_id, got.derivation)
        assert (got.score, got.derivation) == (want.score, want.derivation), item_id


def test_seed_004_stated_scores_shown(baiyun: tuple[Scorecard, Scorecard]) -> None:
    card = _by_id(baiyun[0])
    stated = {
        "management": "42.99",
        "fund_management": "15.1",
        "procurement_management": "1.89",
        "disclosure_management": "4",
        "asset_management": "3",
        "cost_management": "4",
        "performance_management": "15",
        "performance": "49.98",
        "adjustment": "0",
    }
    for item_id, value in stated.items():
        assert card[item_id].stated == Decimal(value), item_id
    # the deductions the report explains give the items' own stated scores, which agree with the rules
    for item_id in RATE_ITEMS_004:
        node = card[item_id]
        assert node.stated is not None and node.stated == node.score, (item_id, node.stated, node.score)
    assert baiyun[0].stated_total == Decimal("92.97")


def test_seed_004_checklists_missing_not_invented(baiyun: tuple[Scorecard, Scorecard]) -> None:
    card = _by_id(baiyun[0])
    for item_id in ("indicator_clarity", "budget_preparation", "asset_reconciliation"):
        assert card[item_id].status == "missing" and card[item_id].score is None
    assert not baiyun[0].complete and baiyun[0].grade is None


def test_seed_003_scored_from_the_scoring_table(huadu: Scorecard) -> None:
    card = _by_id(huadu)
    budget = card["budget_completion"]
    assert (budget.score, budget.stated) == (Decimal("0"), Decimal("3.58"))
    assert budget.difference == Decimal("3.58")
    assets = card["fixed_asset_utilization"]
    assert assets.score == Decimal("1.5") and "83.50%" in assets.derivation
    assert assets.stated == Decimal("1.50")
    for item_id in ("public_funds_control", "three_public_control", "carryover", "average_execution"):
        assert card[item_id].status == "scored" and card[item_id].score == card[item_id].max, item_id


def test_seed_003_every_rule_row_has_its_stated_score(huadu: Scorecard) -> None:
    card = _by_id(huadu)
    management = [n for n in card.values() if n.rule and not n.id.startswith("performance")]
    # every 三级 management item the table prints (including rows whose name cell was lost)
    assert all(n.stated is not None for n in management), [n.name for n in management if n.stated is None]
    checklist = card["indicator_clarity"]
    assert checklist.status == "missing" and checklist.stated == Decimal("2.00")


def test_seed_003_project_indicators_scored_from_extracted_targets(huadu: Scorecard) -> None:
    indicators = [n for n in _by_id(huadu).values() if n.id.startswith("performance.p") and ".i" in n.id]
    assert len(indicators) >= 40
    short = [n for n in indicators if n.name.endswith("出车费")]
    assert len(short) == 1
    assert (short[0].score, short[0].stated) == (Decimal("0.11"), Decimal("1.00"))
    assert "8÷70" in short[0].derivation
    assert all(n.stated is not None for n in indicators)


def test_unnamed_row_named_only_when_the_description_agrees() -> None:
    head = "2021年度某区某局部门整体支出绩效自评表\n一级指标\t分值\t二级指标\t分值\t三级指标\t分值\t指标解释\t评分标准\t得分\t评分依据\n"
    described = (
        "\t\t资金管理\t16.00\t部门（单位）本年度预算完成数与预算数的比率，用以反映和考核部门（单位）预算完成程度。"
        "\t4.00\t预算完成率=（预算完成数/预算数）×100%，得分=预算完成率×该指标分值。\t3.20\t80%×4=3.2\n"
    )
    vague = "\t\t资金管理\t16.00\t反映乙的情况。\t4.00\t乙率=实际/预算×100%。\t3.20\t依据乙\n"
    named = extract_document(document_from_text(head + described, "a.txt"))
    row = next(r for r in named.indicators if r.layout == "rule")
    assert (row.name, row.name_inferred) == ("预算完成率", True)
    assert named.dossier.stated.items["预算完成率"] == Decimal("3.20")
    assert any("未印三级指标名称" in w for w in named.warnings)
    unnamed = extract_document(document_from_text(head + vague, "b.txt"))
    assert next(r for r in unnamed.indicators if r.layout == "rule").name is None


def _cli_score(path: Path, framework: str) -> dict:
    result = CliRunner().invoke(app, ["score", str(path), "--framework", framework, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _walk(items: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for it in items:
        out[it["id"]] = it
        out.update(_walk(it.get("children") or []))
    return out


def test_cli_scores_reports_directly() -> None:
    data = _walk(_cli_score(seed_path("004"), "guangzhou-baiyun-overall")["items"])
    assert data["average_execution"]["score"] == "1.34" and data["fund_management"]["stated"] == "15.1"
    data = _walk(_cli_score(seed_path("003"), "guangzhou-district-overall")["items"])
    assert (data["budget_completion"]["score"], data["budget_completion"]["stated"]) == ("0.00", "3.58")
    assert data["fixed_asset_utilization"]["score"] == "1.50"
