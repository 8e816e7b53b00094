"""Shared test fixtures. Seed documents live outside the repository, in ../shared/seeds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from jixiao.store import Store

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


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path`` with an empty HOME and no JIXIAO_FRAMEWORKS_DIR, so no user framework but those a
    test writes is found; a wide terminal so rich does not wrap what tests read."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIXIAO_FRAMEWORKS_DIR", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


PG_URL = os.environ.get("JIXIAO_TEST_PG_URL")


def _pg_param():  # type: ignore[no-untyped-def]
    marks = [pytest.mark.postgres]
    if not PG_URL:
        marks.append(
            pytest.mark.skip(reason="JIXIAO_TEST_PG_URL 未设置（scripts/pg-test-server.sh 可启动测试库）")
        )
    return pytest.param("postgres", marks=marks)


@pytest.fixture(params=["sqlite", _pg_param()])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (the embedded SQLite next to the test's files), then a throwaway schema on the test PostgreSQL."""
    if request.param == "sqlite":
        yield None
        return
    from jixiao.web.testing import temporary_pg_schema

    assert PG_URL
    with temporary_pg_schema(PG_URL) as url:
        yield url


@pytest.fixture
def store(database_url: str | None, tmp_path: Path) -> Iterator[Store]:
    """An upgraded store on each database (see ``database_url``)."""
    from jixiao.store import open_store

    s = open_store(tmp_path, database_url)
    s.upgrade()
    yield s
    s.dispose()
