"""Store tests, run against SQLite always and against PostgreSQL when JIXIAO_TEST_PG_URL is set."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from jixiao.errors import InputError
from jixiao.store import (
    ConflictError,
    NotFoundError,
    Store,
    Summary,
    ThrottlePolicy,
    WorkflowError,
    open_store,
)
from jixiao.store.backup import backup_sqlite, export_data, import_data, restore_sqlite
from jixiao.store.workflow import TRANSITIONS, next_status


def _dossier(year: int = 2024, **extra: object) -> dict[str, object]:
    return {"schema": "jixiao.dossier/1", "unit": {"name": "单位"}, "year": year, "kind": "部门整体", **extra}


def _setup(store: Store) -> tuple[int, int]:
    unit = store.create_unit("测试单位甲", "某区")
    user = store.create_user("alice", "hash", "unit", unit.id, "甲填报人")
    return unit.id, user.id


def test_migrations_create_every_table_and_are_current(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {
        "units",
        "users",
        "sessions",
        "dossiers",
        "dossier_versions",
        "attachments",
        "login_throttle",
        "api_tokens",
        "frameworks",
        "app_settings",
        "alembic_version",
    } <= names
    assert store.is_up_to_date()
    store.upgrade()  # idempotent
    assert store.is_up_to_date()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    s = open_store(tmp_path, None)
    s.upgrade()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    s.dispose()


def test_secret_key_is_created_once_and_shared(store: Store) -> None:
    first = store.secret_key()
    assert len(first) > 40
    assert store.secret_key() == first


def test_units_and_users(store: Store) -> None:
    unit_id, user_id = _setup(store)
    user = store.get_user(user_id)
    assert user.unit is not None and user.unit.name == "测试单位甲"
    assert user.role_name == "单位填报人"
    with pytest.raises(InputError, match="已被使用"):
        store.create_user("alice", "h", "reviewer")
    with pytest.raises(InputError, match="必须属于一个单位"):
        store.create_user("bob", "h", "unit", None)
    with pytest.raises(InputError, match="角色"):
        store.create_user("carol", "h", "boss")
    with pytest.raises(InputError, match="已存在"):
        store.create_unit("测试单位甲")
    reviewer = store.create_user("rev", "h", "reviewer", unit_id)  # a reviewer belongs to no unit
    assert reviewer.unit_id is None
    assert store.count_users() == 2


def test_user_update_checks_version_and_drops_sessions_on_password_change(store: Store) -> None:
    _unit_id, user_id = _setup(store)
    session = store.create_session(user_id, timedelta(hours=1))
    assert store.session_user(session.id) is not None
    user = store.get_user(user_id)
    updated = store.update_user(user_id, user.version, password_hash="new")
    assert updated.version == user.version + 1
    assert store.session_user(session.id) is None
    with pytest.raises(ConflictError):
        store.update_user(user_id, user.version, display_name="x")


def test_expired_and_deactivated_sessions_are_refused(store: Store) -> None:
    _unit_id, user_id = _setup(store)
    old = store.create_session(user_id, timedelta(seconds=-1))
    assert store.session_user(old.id) is None
    live = store.create_session(user_id, timedelta(hours=1))
    user = store.get_user(user_id)
    store.update_user(user_id, user.version, active=False)
    assert store.session_user(live.id) is None


def test_api_tokens_are_stored_hashed(store: Store) -> None:
    _unit_id, user_id = _setup(store)
    raw = store.create_api_token(user_id, "省系统")
    user = store.token_user(raw)
    assert user is not None and user.id == user_id
    assert store.token_user(raw + "x") is None
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalar()
    assert stored != raw and raw not in str(stored)


def test_login_throttle_locks_after_repeated_failures_and_clears(store: Store) -> None:
    policy = ThrottlePolicy(max_failures=3)
    key = "alice|127.0.0.1"
    assert store.throttle_failure(key, policy) is None
    assert store.throttle_failure(key, policy) is None
    assert store.throttle_locked_until(key) is None
    assert store.throttle_failure(key, policy) is not None
    assert store.throttle_locked_until(key) is not None
    assert store.throttle_locked_until("alice|10.0.0.2") is None  # per account + IP
    store.throttle_clear(key)
    assert store.throttle_locked_until(key) is None


def test_dossier_versions_conflict_and_history(store: Store) -> None:
    unit_id, user_id = _setup(store)
    row = store.create_dossier(
        unit_id,
        _dossier(),
        year=2024,
        kind="部门整体",
        user_id=user_id,
        summary=Summary(score_total="90.5", grade="优"),
    )
    assert (row.version, row.status, row.score_total) == (1, "draft", "90.5")
    saved = store.save_dossier(
        row.id, 1, _dossier(texts={"存在的问题": "无"}), user_id=user_id, summary=Summary()
    )
    assert saved.version == 2
    with pytest.raises(ConflictError, match=r"第 1 版.*第 2 版") as info:
        store.save_dossier(row.id, 1, _dossier(), user_id=user_id, summary=Summary())
    assert info.value.current_version == 2
    history = store.history(row.id)
    assert [h.version for h in history] == [2, 1]
    assert [h.action for h in history] == ["edit", "create"]
    assert history[0].user is not None and history[0].user.username == "alice"
    assert store.dossier_version(row.id, 2).data["texts"] == {"存在的问题": "无"}
    with pytest.raises(NotFoundError):
        store.dossier_version(row.id, 9)
    with pytest.raises(InputError, match="已存在"):
        store.create_dossier(
            unit_id, _dossier(), year=2024, kind="部门整体", user_id=user_id, summary=Summary()
        )
    with pytest.raises(InputError, match="年度和类型"):
        store.save_dossier(row.id, 2, _dossier(year=2023), user_id=user_id, summary=Summary())


def test_concurrent_saves_of_one_version_let_exactly_one_win(store: Store) -> None:
    unit_id, user_id = _setup(store)
    row = store.create_dossier(
        unit_id, _dossier(), year=2024, kind="部门整体", user_id=user_id, summary=Summary()
    )
    results: list[str] = []
    barrier = threading.Barrier(4)

    def save(n: int) -> None:
        barrier.wait()
        try:
            store.save_dossier(row.id, 1, _dossier(texts={"n": str(n)}), user_id=user_id, summary=Summary())
            results.append("ok")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "conflict", "conflict", "ok"]
    assert store.get_dossier(row.id).version == 2


def test_workflow_transitions(store: Store) -> None:
    unit_id, user_id = _setup(store)
    row = store.create_dossier(
        unit_id, _dossier(), year=2024, kind="部门整体", user_id=user_id, summary=Summary()
    )
    with pytest.raises(WorkflowError, match="不能执行“通过”"):
        store.transition(row.id, 1, "approve", user_id=user_id)
    row = store.transition(row.id, 1, "submit", user_id=user_id)
    assert row.status == "submitted"
    with pytest.raises(WorkflowError, match="单位不能再修改"):
        store.save_dossier(row.id, row.version, _dossier(), user_id=user_id, summary=Summary())
    with pytest.raises(InputError, match="退回意见"):
        store.transition(row.id, row.version, "return", user_id=user_id, comment="  ")
    row = store.save_review(row.id, row.version, "复核意见草稿", user_id=user_id)
    row = store.transition(row.id, row.version, "return", user_id=user_id, comment="请补充佐证材料")
    assert (row.status, row.review_comment) == ("returned", "请补充佐证材料")
    row = store.save_dossier(row.id, row.version, _dossier(), user_id=user_id, summary=Summary())
    row = store.transition(row.id, row.version, "submit", user_id=user_id)
    row = store.transition(row.id, row.version, "approve", user_id=user_id)
    assert row.status == "approved"
    actions = [h.action for h in reversed(store.history(row.id))]
    assert actions == ["create", "submit", "review", "return", "edit", "submit", "approve"]


def test_workflow_table_is_closed() -> None:
    for (status, action), target in TRANSITIONS.items():
        assert next_status(status, action) == target
    with pytest.raises(WorkflowError):
        next_status("approved", "submit")


def test_attachments_are_stored_by_hash_outside_the_database(store: Store) -> None:
    unit_id, user_id = _setup(store)
    row = store.create_dossier(
        unit_id, _dossier(), year=2024, kind="部门整体", user_id=user_id, summary=Summary()
    )
    a = store.add_attachment(row.id, "佐证.txt", "text/plain", "内容".encode(), user_id=user_id)
    b = store.add_attachment(row.id, "副本.txt", "text/plain", "内容".encode(), user_id=user_id)
    path = store.blob_path(a.sha256)
    assert path.read_bytes() == "内容".encode() and a.sha256 == b.sha256
    store.delete_attachment(a.id)
    assert path.exists()  # still used by b
    store.delete_attachment(b.id)
    assert not path.exists()
    with pytest.raises(NotFoundError):
        store.get_attachment(a.id)


def test_export_import_round_trip(store: Store, tmp_path: Path) -> None:
    unit_id, user_id = _setup(store)
    row = store.create_dossier(
        unit_id,
        _dossier(figures={"income_total": {"value": "865.44", "unit": "万元"}}),
        year=2024,
        kind="部门整体",
        user_id=user_id,
        summary=Summary(score_total="88"),
    )
    store.add_attachment(row.id, "a.txt", "text/plain", b"evidence", user_id=user_id)
    data = export_data(store)
    assert data["schema"] == "jixiao.export/1" and data["files"]
    target = open_store(tmp_path / "other", None)
    target.upgrade()
    counts = import_data(target, data)
    assert counts["dossiers"] == 1 and counts["dossier_versions"] == 1
    copy = target.get_dossier(row.id)
    assert copy.data["figures"]["income_total"] == {"value": "865.44", "unit": "万元"}
    assert target.list_attachments(row.id)[0].filename == "a.txt"
    assert target.blob_path(data["tables"]["attachments"][0]["sha256"]).read_bytes() == b"evidence"
    # new rows after import get fresh ids (sequences moved past the imported ones on PostgreSQL)
    assert target.create_unit("新单位").id > unit_id
    with pytest.raises(InputError, match="已有数据"):
        import_data(target, data)
    import_data(target, data, replace=True)
    with pytest.raises(InputError, match="不是 jixiao 导出文件"):
        import_data(target, {"tables": {}})
    target.dispose()


def test_import_into_postgres_keeps_sequences(store: Store) -> None:
    """Import into the same backend after replace: the next insert must not collide with imported ids."""
    unit_id, user_id = _setup(store)
    store.create_dossier(unit_id, _dossier(), year=2024, kind="部门整体", user_id=user_id, summary=Summary())
    data = export_data(store)
    import_data(store, data, replace=True)
    row = store.create_dossier(
        unit_id, _dossier(2025), year=2025, kind="部门整体", user_id=user_id, summary=Summary()
    )
    assert row.id == 2


def test_sqlite_online_backup_and_restore(tmp_path: Path) -> None:
    s = open_store(tmp_path / "live", None)
    s.upgrade()
    unit_id, user_id = _setup(s)
    s.create_dossier(unit_id, _dossier(), year=2024, kind="部门整体", user_id=user_id, summary=Summary())
    backup = backup_sqlite(s, tmp_path / "b" / "backup.sqlite3")
    with pytest.raises(InputError, match="已存在"):
        backup_sqlite(s, backup)
    s.create_unit("备份后新增")
    restore_sqlite(s, backup)
    assert [u.name for u in s.list_units()] == ["测试单位甲"]
    assert len(s.list_dossiers()) == 1
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"not a database")
    with pytest.raises(InputError, match="不是 jixiao"):
        restore_sqlite(s, bogus)
    s.dispose()


def test_migrations_downgrade_and_upgrade_again(store: Store) -> None:
    from jixiao.store import migrate

    migrate.upgrade(store.engine, "head")
    from alembic import command

    cfg = migrate.alembic_config(store.engine)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert "dossiers" not in inspect(store.engine).get_table_names()
    store.upgrade()
    assert store.is_up_to_date() and "dossiers" in inspect(store.engine).get_table_names()


def test_dossier_and_its_source_report_are_created_together(store: Store) -> None:
    unit_id, user_id = _setup(store)
    row = store.create_dossier(
        unit_id,
        _dossier(),
        year=2024,
        kind="部门整体",
        user_id=user_id,
        summary=Summary(),
        source=("报告.txt", "text/plain", "原文".encode()),
    )
    [source] = store.list_attachments(row.id)
    assert (source.purpose, source.filename) == ("source", "报告.txt")
    with pytest.raises(InputError):  # the duplicate fails as a whole: no stray attachment row
        store.create_dossier(
            unit_id,
            _dossier(),
            year=2024,
            kind="部门整体",
            user_id=user_id,
            summary=Summary(),
            source=("二.txt", "text/plain", b"x"),
        )
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar() == 1
    store.update_summary(row.id, Summary(score_total="91.20", grade="优", errors=2))
    again = store.get_dossier(row.id)
    assert (again.score_total, again.grade, again.findings_error, again.version) == ("91.20", "优", 2, 1)
