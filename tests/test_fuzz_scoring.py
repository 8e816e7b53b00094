"""Property-based fuzzing of scoring: any valid dossier against any built-in framework.

Dossiers are drawn from the example dossiers with their figures, indicator values, checklist answers,
manual scores, adjustments and stated scores replaced by random (but schema-valid) ones. What must hold:
`score` never raises; every regular item stays within [0, its weight] and carries a derivation; a bonus
item stays within ±its cap; parents are the rounded sum of their scored children; the total is the
rounded sum of the top-level items; a complete scorecard has a grade iff the framework defines bands.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.dossier_io import load_dossier
from jixiao.frameworks import framework_ids, load_framework
from jixiao.model import Adjustment, Dossier, Figure, ItemScore, ManualScore
from jixiao.numbers import round_half_up
from jixiao.scoring import score

EXAMPLES = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REPO = Path(__file__).resolve().parents[1]
BASES = [load_dossier(p) for p in sorted((REPO / "examples").glob("*.yaml"))]
FRAMEWORKS = {fid: load_framework(fid) for fid in framework_ids()}
KEYS = sorted({k for b in BASES for k in b.figures} | {"budget_total", "executed_total", "execution_rate"})
ITEM_IDS = sorted({i.id for fw in FRAMEWORKS.values() for i in fw.walk()})
ITEM_NAMES = sorted({i.name for fw in FRAMEWORKS.values() for i in fw.walk()})

values = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e12"), places=2, allow_nan=False)
figure = st.builds(Figure, value=values, unit=st.sampled_from(["元", "万元", "亿元", "%", "", "人", "个"]))
texts = st.one_of(
    st.sampled_from(["≥250人", "100%", "≤5万元", "90%-100%", "显著提高", "达标", "无", "", "≥95%、≥90%"]),
    st.text(max_size=20),
)


@st.composite
def dossiers(draw) -> Dossier:  # type: ignore[no-untyped-def]
    base = draw(st.sampled_from(BASES))
    figures = dict(base.figures) if draw(st.booleans()) else {}
    figures.update(draw(st.dictionaries(st.sampled_from(KEYS), figure, max_size=12)))
    projects = []
    for pr in base.projects:
        inds = [
            ind.model_copy(
                update={
                    "target": draw(st.one_of(st.none(), texts)),
                    "actual": draw(st.one_of(st.none(), texts)),
                    "weight": draw(st.decimals(min_value=0, max_value=20, places=2, allow_nan=False)),
                }
            )
            for ind in pr.indicators
        ]
        projects.append(pr.model_copy(update={"indicators": inds}))
    management = {
        k: draw(st.sampled_from(["是", "否", True, False, Decimal("0.5"), "部分"])) for k in base.management
    }
    manual = draw(
        st.dictionaries(
            st.sampled_from([*ITEM_IDS, "no-such-item"]),
            st.builds(
                ManualScore,
                score=st.decimals(min_value=-10, max_value=60, places=2, allow_nan=False),
                reason=st.just("复核意见"),
            ),
            max_size=3,
        )
    )
    adjustments = draw(
        st.lists(
            st.builds(
                Adjustment,
                kind=st.sampled_from(["加分", "减分"]),
                points=st.decimals(min_value=0, max_value=20, places=2, allow_nan=False),
                reason=st.just("事项"),
                item=st.one_of(st.none(), st.sampled_from(ITEM_IDS)),
            ),
            max_size=4,
        )
    )
    stated_items = draw(
        st.dictionaries(
            st.sampled_from(ITEM_IDS + ITEM_NAMES),
            st.decimals(min_value=-5, max_value=60, places=2, allow_nan=False),
            max_size=5,
        )
    )
    stated = base.stated.model_copy(
        update={
            "items": stated_items,
            "total": draw(
                st.one_of(st.none(), st.decimals(min_value=0, max_value=110, places=2, allow_nan=False))
            ),
        }
    )
    return base.model_copy(
        update={
            "figures": figures,
            "projects": projects,
            "management": management,
            "manual_scores": manual,
            "adjustments": adjustments,
            "stated": stated,
        }
    )


def _check(node: ItemScore, bonus: bool, cap: Decimal) -> None:
    assert node.derivation, node.id
    if node.score is None:
        return
    if bonus:
        assert -max(cap, node.max) <= node.score <= max(cap, node.max), (node.id, node.score)
    else:  # manual scores too: out-of-range ones are "invalid"
        assert Decimal(0) <= node.score <= node.max, (node.id, node.score, node.max, node.derivation)
    assert node.score == round_half_up(node.score, 2)
    scored = [c.score for c in node.children if c.score is not None]
    if node.children and node.status != "manual" and scored:
        assert node.score == round_half_up(sum(scored, Decimal(0)), 2), node.id
    for c in node.children:
        _check(c, bonus, cap)


@FUZZ
@given(dossiers(), st.sampled_from(sorted(FRAMEWORKS)))
def test_any_dossier_scores_within_bounds(dossier: Dossier, fid: str) -> None:
    fw = FRAMEWORKS[fid]
    card = score(dossier, fw)
    bonus_ids = {i.id for i in fw.items if i.bonus}
    for node in card.items:
        _check(node, node.id in bonus_ids, fw.bonus_cap)
    scored = [i.score for i in card.items if i.score is not None]
    if scored:
        assert card.total == round_half_up(sum(scored, Decimal(0)), 2)
    if card.complete and card.total is not None and fw.grade_bands:
        low = min(b.min for b in fw.grade_bands)
        assert (card.grade is not None) == (card.total >= low)
    if not card.complete:
        assert card.grade is None and card.missing
    card.model_dump_json()  # serialisable, exact decimals as strings
