"""Shared test fixtures. Seed documents live outside the repository, in ../shared/seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
EXAMPLES = REPO / "examples"


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` ("000" … "004"); skips when seeds are absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"种子文档目录不存在：{SEEDS}（验收测试需要 ../shared/seeds）")
    matches = sorted(SEEDS.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"种子文档 {prefix}* 不在 {SEEDS}")
    return matches[0]


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"种子文档目录不存在：{SEEDS}（验收测试需要 ../shared/seeds）")
    return SEEDS
