"""The web and store commands: user add, demo, db upgrade|backup|restore|export|import, serve's checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.store import open_store

runner = CliRunner()
PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIXIAO_DATABASE_URL", raising=False)
    monkeypatch.delenv("JIXIAO_DATA", raising=False)


def run(*args: str, **kw: object):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), **kw)  # type: ignore[arg-type]
    return result


def test_user_add_creates_accounts_and_units(tmp_path: Path) -> None:
    data = str(tmp_path)
    ok = run("user", "add", "boss", "--role", "admin", "--data", data, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert "已创建账号 boss" in ok.output
    unit = run(
        "user", "add", "filler", "--unit", "示范单位", "--data", data, env={"JIXIAO_PASSWORD": PASSWORD}
    )
    assert unit.exit_code == 0, unit.output
    store = open_store(tmp_path)
    user = store.user_by_name("filler")
    assert user is not None and user.unit is not None and user.unit.name == "示范单位"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    store.dispose()
    weak = run("user", "add", "x", "--role", "reviewer", "--data", data, env={"JIXIAO_PASSWORD": "123"})
    assert weak.exit_code != 0 and "至少需要" in weak.output
    no_unit = run("user", "add", "y", "--data", data, env={"JIXIAO_PASSWORD": PASSWORD})
    assert no_unit.exit_code != 0 and "--unit" in no_unit.output
    dup = run("user", "add", "boss", "--role", "admin", "--data", data, env={"JIXIAO_PASSWORD": PASSWORD})
    assert dup.exit_code != 0 and "已被使用" in dup.output


def test_demo_loads_fictional_units_and_scored_dossiers_once(tmp_path: Path) -> None:
    first = run("demo", "--data", str(tmp_path))
    assert first.exit_code == 0, first.output
    assert "demo-reviewer" in first.output and "密码" in first.output
    store = open_store(tmp_path)
    rows = store.list_dossiers()
    assert len(rows) == 6 and {r.year for r in rows} == {2023, 2024}
    assert all(r.score_total is not None for r in rows)
    assert len({r.score_total for r in rows}) > 1  # the units differ
    again = run("demo", "--data", str(tmp_path))
    assert again.exit_code == 0 and "已存在" in again.output
    assert len(store.list_dossiers()) == 6
    store.dispose()


def test_backup_export_import_restore(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("demo", "--data", str(data)).exit_code == 0
    backup = tmp_path / "b.sqlite3"
    res = run("db", "backup", "--out", str(backup), "--data", str(data))
    assert res.exit_code == 0 and backup.exists(), res.output
    export = tmp_path / "all.json"
    res = run("db", "export", str(export), "--data", str(data))
    assert res.exit_code == 0, res.output
    dumped = json.loads(export.read_text(encoding="utf-8"))
    assert dumped["schema"] == "jixiao.export/1" and len(dumped["tables"]["dossiers"]) == 6
    other = tmp_path / "other"
    res = run("db", "import", str(export), "--data", str(other))
    assert res.exit_code == 0, res.output
    store = open_store(other)
    assert len(store.list_dossiers()) == 6 and store.user_by_name("demo-admin") is not None
    store.dispose()
    refused = run("db", "import", str(export), "--data", str(other))
    assert refused.exit_code != 0 and "--replace" in refused.output
    # restore the SQLite backup over a changed database
    store = open_store(data)
    store.create_unit("备份后才加的单位")
    store.dispose()
    refused = run("db", "restore", str(backup), "--data", str(data))
    assert refused.exit_code != 0
    res = run("db", "restore", str(backup), "--replace", "--data", str(data))
    assert res.exit_code == 0, res.output
    store = open_store(data)
    assert store.unit_by_name("备份后才加的单位") is None
    store.dispose()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = run("db", "import", str(bad), "--data", str(other))
    assert res.exit_code != 0 and "JSON" in res.output


def test_db_upgrade_and_non_sqlite_requires_upgrade_first(tmp_path: Path) -> None:
    res = run("db", "upgrade", "--data", str(tmp_path))
    assert res.exit_code == 0 and "最新" in res.output
    assert open_store(tmp_path).is_up_to_date()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("JIXIAO_TEST_PG_URL"), reason="JIXIAO_TEST_PG_URL 未设置")
def test_postgres_needs_db_upgrade_then_serves(tmp_path: Path) -> None:
    from jixiao.errors import JixiaoError
    from jixiao.web.testing import PASSWORD as PW
    from jixiao.web.testing import Browser, make_app, temporary_pg_schema

    with temporary_pg_schema(os.environ["JIXIAO_TEST_PG_URL"]) as url:
        with pytest.raises(JixiaoError, match="jixiao db upgrade"):
            make_app(tmp_path, url, auto_upgrade=False)
        res = run("db", "upgrade", "--database-url", url, "--data", str(tmp_path))
        assert res.exit_code == 0, res.output
        app = make_app(tmp_path, url, auto_upgrade=False)
        app.state.jx.store.create_user("root", app.state.jx.hasher.hash(PW), "admin")
        assert Browser(app).login("root").get("/admin").status_code == 200
        export = tmp_path / "pg.json"
        assert (
            run(
                "db", "backup", "--out", str(export), "--database-url", url, "--data", str(tmp_path)
            ).exit_code
            == 0
        )
        assert json.loads(export.read_text(encoding="utf-8"))["tables"]["users"][0]["username"] == "root"
        app.state.jx.store.dispose()


def test_serve_starts_on_loopback_and_asks_for_the_first_admin(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    code = "from jixiao.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--data", str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("jixiao serve did not start") from None
                time.sleep(0.1)
        assert resp.status_code == 303 and resp.headers["location"] == "/setup"
        assert (tmp_path / "jixiao.sqlite3").exists()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "首次使用" in out and "/setup" in out
