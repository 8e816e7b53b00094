"""Acceptance: the example dossiers scored with the built-in frameworks reproduce the seeds' own scores,
and show with derivations where a stated score departs from its printed rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import EXAMPLES, seed_path
from jixiao.dossier_io import load_dossier
from jixiao.frameworks import load_framework
from jixiao.model import Dossier, ItemScore, Scorecard
from jixiao.numbers import format_decimal
from jixiao.scoring import score

D = Decimal


def card_for(name: str, framework: str | None = None) -> Scorecard:
    dossier = load_dossier(EXAMPLES / name)
    return score(dossier, load_framework(framework or dossier.framework or ""))


def item(card: Scorecard, key: str) -> ItemScore:
    return next(i for i in card.walk() if key in (i.id, i.name))


# ---------------------------------------------------------------- 花都 2021 (seed 003)


@pytest.fixture(scope="module")
def huadu() -> Scorecard:
    return card_for("huadu-2021.yaml")


def test_huadu_reproduces_every_stated_score_that_follows_the_rules(huadu: Scorecard) -> None:
    departing = {i.name for i in huadu.walk() if i.difference not in (None, 0)}
    assert departing == {"预算完成率", "贫困精神病人住院出车费", "工作受表彰或批评"}
    stated = [i for i in huadu.walk() if i.stated is not None]
    assert len(stated) == 21 + 42  # every 三级 management score and every project indicator
    assert huadu.complete


def test_huadu_budget_completion_departure(huadu: Scorecard) -> None:
    budget = item(huadu, "budget_completion")
    assert (budget.stated, budget.score) == (D("3.58"), D(0))
    assert "89.61%，低于 90% 下限，按评分标准得 0 分" in budget.derivation
    assert "89.61%×4=3.5844" in budget.difference_note


def test_huadu_transport_indicator_departure(huadu: Scorecard) -> None:
    transport = item(huadu, "贫困精神病人住院出车费")
    assert (transport.stated, transport.score) == (D(1), D("0.11"))
    assert "8÷70" in transport.derivation
    assert transport.difference_note.startswith("自评给满分 1 分")


def test_huadu_adjustment_row_excluded_from_stated_total(huadu: Scorecard) -> None:
    row = item(huadu, "工作受表彰或批评")
    assert (row.stated, row.score) == (D(5), D(0))
    assert "档案未登记加分或减分事项" in row.derivation
    assert "未计入自评总分 94.08" in item(huadu, "adjustment").difference_note


def test_huadu_totals(huadu: Scorecard) -> None:
    assert huadu.stated_total == D("94.08")
    assert huadu.total == D("89.61")
    assert item(huadu, "management").score == D("40.50")
    assert item(huadu, "performance").score == D("49.11")
    assert huadu.grade == "良"
    assert "自评总分 94.08，按本指标体系计算总分 89.61，相差 4.47 分" in huadu.notes


def test_huadu_derivations_follow_the_table(huadu: Scorecard) -> None:
    assert item(huadu, "fixed_asset_utilization").derivation.endswith(
        "(3455560.23/4138427.79)×100%=83.50%，≥75%，得 1.5 分（扣 0.5 分）"
    )
    assert "455451.05/583092.57" in item(huadu, "public_funds_control").derivation
    assert "28007.62/116000" in item(huadu, "three_public_control").derivation
    assert item(huadu, "procurement_execution").status == "manual"


def _amount_forms(value: Decimal) -> set[str]:
    plain = format_decimal(value)
    forms = {plain, f"{value:,}"}
    if "." in plain:
        whole, frac = plain.split(".")
        forms.add(f"{int(whole):,}.{frac}")
    return forms


def test_huadu_figures_are_transcribed_from_seed_003() -> None:
    text = seed_path("003").read_text(encoding="utf-8")
    dossier = load_dossier(EXAMPLES / "huadu-2021.yaml")
    for key, figure in dossier.figures.items():
        if figure.value == 0:
            continue
        written = figure.text() if figure.unit == "%" else None
        forms = {written} if written else _amount_forms(figure.value)
        assert any(f in text for f in forms), f"{key}={figure.text()} not in seed 003"
    assert format_decimal(dossier.stated.total) in text
    for project in dossier.projects:
        for indicator in project.indicators:
            assert indicator.name in text.replace(" ", "") or indicator.name.replace("(", "（") in text


# ---------------------------------------------------------------- 白云 2021 (seed 004)


@pytest.fixture(scope="module")
def baiyun() -> Scorecard:
    return card_for("baiyun-2021.yaml")


def test_baiyun_reproduces_the_stated_breakdown(baiyun: Scorecard) -> None:
    assert item(baiyun, "fund_management").score == D("15.10")
    assert item(baiyun, "procurement_management").score == D("1.89")
    assert item(baiyun, "asset_management").score == D("3.00")
    assert item(baiyun, "management").score == D("42.99")
    assert item(baiyun, "performance").score == D("49.98")
    assert baiyun.total == D("92.97") == baiyun.stated_total
    assert all(i.difference in (None, 0) for i in baiyun.walk())
    assert baiyun.complete and baiyun.grade == "优"


@pytest.mark.parametrize(
    ("item_id", "rate", "deduction"),
    [
        ("budget_completion", "98.23%", "扣 0.04 分"),
        ("income_budget_difference", "1.74%", "扣 0.2 分"),
        ("average_execution", "67.2%", "扣 0.66 分"),
        ("procurement_execution", "94.25%", "扣 0.11 分"),
        ("asset_reconciliation", "资产账与财务账相符：否", "扣 1 分"),
    ],
)
def test_baiyun_deduction_derivations(baiyun: Scorecard, item_id: str, rate: str, deduction: str) -> None:
    derivation = item(baiyun, item_id).derivation
    assert rate in derivation
    assert deduction in derivation


def test_baiyun_with_the_city_rules_scores_lower() -> None:
    city = card_for("baiyun-2021.yaml", "guangzhou-district-overall")
    assert item(city, "budget_completion").score == D("3.29")
    assert item(city, "income_budget_difference").score == D("1.5")
    assert city.total == D("92.00")
    assert item(city, "fund_management").difference == D("0.97")


def test_baiyun_figures_are_in_seed_004() -> None:
    text = seed_path("004").read_text(encoding="utf-8")
    dossier = load_dossier(EXAMPLES / "baiyun-2021.yaml")
    for key, figure in dossier.figures.items():
        assert format_decimal(figure.value) in text, key
    for value in [dossier.stated.total, *dossier.stated.items.values()]:
        assert format_decimal(value) in text


# ---------------------------------------------------------------- the init example


def test_example_dossier_scores_completely() -> None:
    card = card_for("example-dossier.yaml")
    assert card.complete, card.missing
    assert card.total is not None and card.grade is not None
    assert card.framework == "guangzhou-district-overall"
    statuses = {i.status for i in card.walk()}
    assert statuses <= {"scored"}


@pytest.mark.parametrize("fid", ["mof-project-self", "hunan-overall"])
def test_example_dossier_under_other_frameworks_reports_what_is_missing(fid: str) -> None:
    card = card_for("example-dossier.yaml", fid)
    assert card.total is not None
    for entry in card.missing:
        assert "：" in entry


def test_examples_are_our_own_text() -> None:
    # The examples carry facts, not copied prose: no long run of seed text in them.
    seeds = [seed_path(p).read_text(encoding="utf-8") for p in ("003", "004")]
    for name in ("huadu-2021.yaml", "baiyun-2021.yaml", "example-dossier.yaml"):
        body = Path(EXAMPLES / name).read_text(encoding="utf-8")
        for line in body.splitlines():
            text = line.split(":", 1)[-1].strip()
            if len(text) >= 40:
                assert not any(text in seed for seed in seeds), text


def test_hunan_budget_adjustment_rate_matches_seed_001() -> None:
    text = seed_path("001").read_text(encoding="utf-8")
    initial, added_basic, added_project = D("222.58"), D("160.34"), D("1632.73")
    for value in (initial, added_basic, added_project):
        assert f"{format_decimal(value)}万元" in text.replace(" ", "")
    dossier = Dossier.model_validate(
        {
            "unit": {"name": "测试"},
            "year": 2023,
            "figures": {
                "budget_initial": f"{initial}万元",
                "budget_total": f"{initial + added_basic + added_project}万元",
            },
        }
    )
    adjustment = item(score(dossier, load_framework("hunan-overall")), "budget_adjustment")
    stated_rate = "805.58%"
    assert stated_rate in text
    assert f"={stated_rate}" in adjustment.derivation
    assert adjustment.score == 0
