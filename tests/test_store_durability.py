"""Durability of the store and the web app under concurrent writers and crashes (issue 7 §3): many writers
lose no update, a save that fails or a process that dies inside the transaction leaves the dossier exactly
as it was, a failed file write leaves no orphan row and no half file, and oversized bodies get a Chinese 413.

Runs on SQLite always and on PostgreSQL when JIXIAO_TEST_PG_URL is set. The crash tests run this file as a
child process (``python tests/test_store_durability.py crash-save URL DATA ID``).
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from jixiao.store import ConflictError, Store, Summary, ThrottlePolicy, open_store
from jixiao.store.models import Attachment, DossierVersion

HERE = Path(__file__).resolve()


def _data(**texts: str) -> dict[str, Any]:
    return {
        "schema": "jixiao.dossier/1",
        "unit": {"name": "单位"},
        "year": 2024,
        "kind": "部门整体",
        "texts": texts,
    }


def _new_dossier(store: Store) -> tuple[int, int]:
    unit = store.create_unit("耐久测试单位", "某区")
    user = store.create_user("writer", "hash", "unit", unit.id)
    row = store.create_dossier(
        unit.id, _data(), year=2024, kind="部门整体", user_id=user.id, summary=Summary(score_total="80")
    )
    return row.id, user.id


def add_text_with_retry(store: Store, dossier_id: int, key: str, value: str, user_id: int) -> int:
    """What a client does: read, change, save with the version read; on a conflict read again and retry.
    Returns how many conflicts it met."""
    conflicts = 0
    while True:
        row = store.get_dossier(dossier_id)
        data = copy.deepcopy(row.data)
        data.setdefault("texts", {})[key] = value
        try:
            store.save_dossier(dossier_id, row.version, data, user_id=user_id, summary=Summary())
            return conflicts
        except ConflictError:
            conflicts += 1


def _assert_history_is_a_chain(store: Store, dossier_id: int, keys: set[str]) -> None:
    """Every save is one history row, each adds exactly one key to the one before: nothing was lost."""
    row = store.get_dossier(dossier_id)
    assert set(row.data["texts"]) == keys
    assert row.version == 1 + len(keys)
    history = sorted(store.history(dossier_id), key=lambda h: h.version)
    assert [h.version for h in history] == list(range(1, row.version + 1))
    seen: set[str] = set()
    for h in history[1:]:
        now = set(h.data.get("texts", {}))
        assert seen < now and len(now - seen) == 1, (h.version, sorted(now - seen))
        seen = now
    assert seen == keys


def _snapshot(store: Store, dossier_id: int) -> tuple[Any, ...]:
    row = store.get_dossier(dossier_id)
    history = [(h.version, h.action, h.data) for h in store.history(dossier_id)]
    files = [(a.id, a.sha256, a.size) for a in store.list_attachments(dossier_id)]
    return row.version, row.data, row.score_total, row.updated_at, history, files


# ------------------------------------------------------------------ many writers, no lost update


def test_sixteen_threads_each_add_their_change_and_none_is_lost(store: Store) -> None:
    dossier_id, user_id = _new_dossier(store)
    writers, rounds = 16, 2
    barrier = threading.Barrier(writers)
    conflicts: list[int] = []
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for r in range(rounds):
                conflicts.append(
                    add_text_with_retry(store, dossier_id, f"w{n:02d}-{r}", f"第{n}号的第{r}次", user_id)
                )
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    _assert_history_is_a_chain(
        store, dossier_id, {f"w{n:02d}-{r}" for n in range(writers) for r in range(rounds)}
    )
    assert sum(conflicts) > 0  # they really did collide, so the retry path was exercised


def test_four_processes_on_one_sqlite_file_lose_no_update(tmp_path: Path) -> None:
    store = open_store(tmp_path, None)
    store.upgrade()
    dossier_id, user_id = _new_dossier(store)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE),
                "writer",
                store.url,
                str(tmp_path),
                str(dossier_id),
                str(user_id),
                f"p{n}",
                "5",
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    go.touch()  # all four start their loops together
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    _assert_history_is_a_chain(store, dossier_id, {f"p{n}-{r}" for n in range(4) for r in range(5)})
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    store.dispose()


def test_concurrent_edits_of_a_unit_or_user_conflict_cleanly(store: Store) -> None:
    """Units and users are versioned like dossiers: of simultaneous edits of one version exactly one wins
    and the others get the Chinese conflict (409), never an internal error, on either database."""
    unit = store.create_unit("并发单位")
    user = store.create_user("并发用户", "hash", "unit", unit.id)
    edits: list[Callable[[int], object]] = [
        lambda n: store.update_unit(unit.id, unit.version, name=f"并发单位{n}", region=None, code=None),
        lambda n: store.update_user(user.id, user.version, display_name=f"名字{n}"),
    ]
    for edit in edits:
        barrier = threading.Barrier(6)
        results: list[str] = []

        def run(
            n: int,
            edit: Callable[[int], object] = edit,
            barrier: threading.Barrier = barrier,
            results: list[str] = results,
        ) -> None:
            barrier.wait()
            try:
                edit(n)
                results.append("ok")
            except ConflictError as exc:
                assert "已被他人修改" in str(exc)
                results.append("conflict")
            except BaseException as exc:
                results.append(repr(exc))

        threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["conflict"] * 5 + ["ok"], results


def test_concurrent_failed_logins_are_all_counted(store: Store) -> None:
    """Throttling is shared by every app process through the database: simultaneous failures on one key
    (the first of them inserting its row) must neither fail nor lose a count."""
    threads, each = 8, 3
    policy = ThrottlePolicy(max_failures=threads * each + 1)
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def fail_logins() -> None:
        try:
            barrier.wait()
            for _ in range(each):
                assert store.throttle_failure("guess|10.0.0.9", policy) is None
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=fail_logins) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not failures, failures
    # one more failure reaches the limit exactly: every earlier one was counted
    assert store.throttle_failure("guess|10.0.0.9", policy) is not None


# ------------------------------------------------------------------ sessions seen by several processes


def test_session_lookup_sees_changes_made_by_another_process(store: Store) -> None:
    """The per-process session cache must not outlive a change made through another process."""
    other = Store(store.url, store.files_dir)  # a second app process on the same database
    unit = store.create_unit("会话测试单位")
    user = store.create_user("sess", "hash", "unit", unit.id, "甲")
    sid = store.create_session(user.id, timedelta(hours=1)).id
    first = store.session_user(sid)
    assert first is not None and first[1].display_name == "甲"
    assert store.session_user(sid) == first  # unchanged: the same objects again

    other.update_unit(unit.id, unit.version, name="改名后的单位", region=None, code=None)
    found = store.session_user(sid)
    assert found is not None and found[1].unit is not None and found[1].unit.name == "改名后的单位"
    other.update_user(user.id, found[1].version, display_name="乙")
    found = store.session_user(sid)
    assert found is not None and found[1].display_name == "乙"

    other.delete_session(sid)  # logout elsewhere
    assert store.session_user(sid) is None
    sid = store.create_session(user.id, timedelta(hours=1)).id
    assert store.session_user(sid) is not None
    other.update_user(user.id, store.get_user(user.id).version, active=False)
    assert store.session_user(sid) is None
    expired = store.create_session(store.create_user("old", "h", "reviewer").id, timedelta(seconds=-1)).id
    assert store.session_user(expired) is None
    other.dispose()


# ------------------------------------------------------------------ a save that fails inside its transaction


def _fail_before_commit(store: Store) -> tuple[list[int], Callable[[], None]]:
    """Make every commit fail after the session has flushed its writes; the list collects the highest
    history version each failing transaction could see (its own uncommitted rows included)."""
    seen: list[int] = []

    def before_commit(session: Any) -> None:
        seen.append(session.scalar(select(func.max(DossierVersion.version))))
        raise RuntimeError("模拟：提交前出错")

    event.listen(store.factory, "before_commit", before_commit)
    return seen, lambda: event.remove(store.factory, "before_commit", before_commit)


def test_save_failing_before_commit_changes_nothing_and_the_next_save_works(store: Store) -> None:
    dossier_id, user_id = _new_dossier(store)
    store.add_attachment(dossier_id, "佐证.txt", "text/plain", "材料".encode(), user_id=user_id)
    store.save_dossier(dossier_id, 1, _data(a="一"), user_id=user_id, summary=Summary(score_total="85"))
    before = _snapshot(store, dossier_id)
    seen, remove = _fail_before_commit(store)
    with pytest.raises(RuntimeError, match="模拟"):
        store.save_dossier(
            dossier_id, 2, _data(a="一", b="二"), user_id=user_id, summary=Summary(score_total="99")
        )
    assert seen == [3]  # the failure came after version 3 had been written inside the transaction
    with pytest.raises(RuntimeError, match="模拟"):
        store.transition(dossier_id, 2, "submit", user_id=user_id)
    with pytest.raises(RuntimeError, match="模拟"):
        store.add_attachment(dossier_id, "另一份.txt", "text/plain", b"other", user_id=user_id)
    remove()
    assert _snapshot(store, dossier_id) == before
    saved = store.save_dossier(dossier_id, 2, _data(a="一", b="二"), user_id=user_id, summary=Summary())
    assert saved.version == 3 and [h.version for h in store.history(dossier_id)] == [3, 2, 1]


def test_history_insert_failing_rolls_back_the_dossier_row(store: Store) -> None:
    dossier_id, user_id = _new_dossier(store)
    before = _snapshot(store, dossier_id)

    def before_flush(session: Any, _context: Any, _instances: Any) -> None:
        if any(isinstance(obj, DossierVersion) for obj in session.new):
            raise RuntimeError("模拟：写历史记录失败")

    event.listen(store.factory, "before_flush", before_flush)
    try:
        with pytest.raises(RuntimeError, match="历史记录"):
            store.save_dossier(dossier_id, 1, _data(x="改"), user_id=user_id, summary=Summary())
    finally:
        event.remove(store.factory, "before_flush", before_flush)
    assert _snapshot(store, dossier_id) == before
    assert store.save_dossier(dossier_id, 1, _data(x="改"), user_id=user_id, summary=Summary()).version == 2


# ------------------------------------------------------------------ a process that dies inside the transaction


def _run_child(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HERE), *args], capture_output=True, text=True, timeout=120)


def test_process_dying_mid_save_leaves_the_database_clean_and_intact(store: Store, tmp_path: Path) -> None:
    dossier_id, user_id = _new_dossier(store)
    store.add_attachment(dossier_id, "佐证.txt", "text/plain", "材料".encode(), user_id=user_id)
    store.save_dossier(dossier_id, 1, _data(old="旧内容"), user_id=user_id, summary=Summary(score_total="85"))
    before = _snapshot(store, dossier_id)
    store.dispose()  # the child gets the database to itself while it dies

    child = _run_child("crash-save", store.url, str(tmp_path), str(dossier_id), str(user_id))
    assert child.returncode == 1, child.stderr
    assert "flushed" in child.stdout  # it died after writing, inside the transaction

    after = open_store(tmp_path, store.url)
    if after.is_sqlite:
        with after.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert _snapshot(after, dossier_id) == before
    # Nothing is left locked: the next save goes through at once.
    t0 = time.monotonic()
    saved = after.save_dossier(
        dossier_id, 2, _data(old="旧内容", new="新"), user_id=user_id, summary=Summary()
    )
    assert saved.version == 3 and time.monotonic() - t0 < 5
    after.dispose()


# ------------------------------------------------------------------ uploads whose file write fails


def test_file_write_failing_midway_leaves_no_row_and_no_half_file(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier_id, user_id = _new_dossier(store)
    content = b"0123456789" * 10_000
    real_open = Path.open

    class DiskFull:
        """A file that takes half of what is written to it, then reports a full disk."""

        def __init__(self, f: Any) -> None:
            self.f = f

        def write(self, data: bytes) -> int:
            self.f.write(data[: len(data) // 2])
            self.f.flush()
            raise OSError(28, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.f, name)

        def __enter__(self) -> DiskFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

    def open_full(self: Path, mode: str = "r", *args: Any, **kw: Any) -> Any:
        f = real_open(self, mode, *args, **kw)
        return DiskFull(f) if "w" in mode else f

    monkeypatch.setattr(Path, "open", open_full)
    with pytest.raises(OSError):
        store.add_attachment(dossier_id, "大文件.txt", "text/plain", content, user_id=user_id)
    with pytest.raises(OSError):
        store.create_dossier(
            store.get_dossier(dossier_id).unit_id,
            {**_data(), "year": 2023},
            year=2023,
            kind="部门整体",
            user_id=user_id,
            summary=Summary(),
            source=("报告.txt", "text/plain", content),
        )
    monkeypatch.undo()
    assert store.list_attachments(dossier_id) == []
    assert len(store.list_dossiers()) == 1  # no dossier without the report it came from
    with store.tx(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    leftovers = [p for p in store.files_dir.rglob("*") if p.is_file()] if store.files_dir.exists() else []
    assert leftovers == []  # neither the blob nor a half-written temporary file
    att = store.add_attachment(dossier_id, "大文件.txt", "text/plain", content, user_id=user_id)
    assert store.blob_path(att.sha256).read_bytes() == content


def test_deleting_a_file_while_the_same_content_is_uploaded_keeps_the_file(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attachments share a blob by content hash: a delete of the last other reference that lands between
    the upload's file write and its row must not remove the file the new row points at."""
    dossier_id, user_id = _new_dossier(store)
    old = store.add_attachment(dossier_id, "甲.txt", "text/plain", b"same content", user_id=user_id)
    put_blob = store._put_blob

    def put_then_concurrent_delete(content: bytes) -> str:
        digest = put_blob(content)
        store.delete_attachment(old.id)  # another user deletes the old copy right now
        return digest

    monkeypatch.setattr(store, "_put_blob", put_then_concurrent_delete)
    new = store.add_attachment(dossier_id, "乙.txt", "text/plain", b"same content", user_id=user_id)
    monkeypatch.undo()
    assert [a.id for a in store.list_attachments(dossier_id)] == [new.id]
    assert store.blob_path(new.sha256).read_bytes() == b"same content"


# ------------------------------------------------------------------ the web app: live server, form saves, body limits


@dataclass
class Live:
    app: Any
    base: str
    users: list[str]


@pytest.fixture
def live(database_url: str | None, tmp_path: Path) -> Iterator[Live]:
    """The app served by uvicorn on a loopback port, in a thread, with six users of one unit."""
    import uvicorn

    from jixiao.web.testing import PASSWORD, make_app

    app = make_app(tmp_path, database_url, max_upload_bytes=64 * 1024, max_form_bytes=32 * 1024)
    jx = app.state.jx
    unit = jx.store.create_unit("网页耐久测试单位")
    hashed = jx.hasher.hash(PASSWORD)
    users = [f"u{n}" for n in range(6)]
    for name in users:
        jx.store.create_user(name, hashed, "unit", unit.id)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield Live(app, f"http://127.0.0.1:{sock.getsockname()[1]}", users)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        jx.store.dispose()


def _login(live: Live, username: str) -> tuple[httpx.Client, str]:
    from jixiao.web.testing import PASSWORD

    client = httpx.Client(base_url=live.base, timeout=30, follow_redirects=False)
    resp = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return client, resp.json()["csrf_token"]


def test_concurrent_form_saves_on_the_live_app_lose_nothing(live: Live) -> None:
    first, csrf = _login(live, live.users[0])
    created = first.post("/dossiers/new", data={"year": "2024", "mode": "blank", "csrf_token": csrf})
    assert created.status_code == 303, created.text
    dossier = int(created.headers["location"].split("/")[2].split("?")[0])
    rounds, conflicts, failures = 3, [], []
    barrier = threading.Barrier(len(live.users))

    def writer(username: str) -> None:
        try:
            client, token = _login(live, username)
            barrier.wait()
            for r in range(rounds):
                while True:
                    version = client.get(f"/api/dossiers/{dossier}").json()["version"]
                    form = {
                        "version": str(version),
                        "csrf_token": token,
                        f"text.{username}-{r}": f"{username} 第{r}次",
                    }
                    resp = client.post(f"/dossiers/{dossier}", data=form)
                    if resp.status_code == 303:
                        break
                    assert resp.status_code == 409 and "已被他人修改" in resp.text, resp.status_code
                    conflicts.append(username)
            client.close()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(u,)) for u in live.users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    body = first.get(f"/api/dossiers/{dossier}").json()
    expected = {f"{u}-{r}" for u in live.users for r in range(rounds)}
    assert set(body["dossier"]["texts"]) == expected
    assert body["version"] == 1 + len(expected)
    history = first.get(f"/api/dossiers/{dossier}/history").json()
    assert len(history) == 1 + len(expected)
    first.close()


def test_oversized_json_and_form_bodies_get_a_chinese_413(live: Live) -> None:
    client, csrf = _login(live, live.users[0])
    created = client.post("/api/dossiers", json={"year": 2024}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    dossier, version = created.json()["id"], created.json()["version"]
    big = "很长的文字" * 4000  # 60 KB of UTF-8, above the 32 KB form limit of this app
    put = client.put(
        f"/api/dossiers/{dossier}",
        json={"version": version, "dossier": {**created.json()["dossier"], "texts": {"说明": big}}},
        headers={"X-CSRF-Token": csrf},
    )
    assert put.status_code == 413 and "表单或 JSON 请求过大" in put.json()["detail"]
    form = client.post(
        f"/dossiers/{dossier}", data={"version": str(version), "csrf_token": csrf, "text.说明": big}
    )
    assert form.status_code == 413 and "过大" in form.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold on the stream itself
        yield b'{"version": 1, "dossier": {"texts": {"x": "'
        for _ in range(64):
            yield b"a" * 1024
        yield b'"}}}'

    streamed = client.put(
        f"/api/dossiers/{dossier}",
        content=chunks(),
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413 and "过大" in streamed.json()["detail"]
    # a file upload is judged by the larger upload limit, and within it by the file checks
    upload = client.post(
        f"/api/dossiers/{dossier}/attachments",
        files={"file": ("佐证.txt", b"a" * (40 * 1024), "text/plain")},
        headers={"X-CSRF-Token": csrf},
    )
    assert upload.status_code == 201, upload.text
    nothing_changed = client.get(f"/api/dossiers/{dossier}").json()
    assert nothing_changed["version"] == version and "说明" not in nothing_changed["dossier"].get("texts", {})
    client.close()


def test_upload_whose_file_write_fails_leaves_nothing_to_serve(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, csrf = _login(live, live.users[0])
    dossier = client.post("/api/dossiers", json={"year": 2024}, headers={"X-CSRF-Token": csrf}).json()["id"]
    store = live.app.state.jx.store

    def disk_full(_digest: str, _content: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_ensure_blob", disk_full)
    failed = client.post(
        f"/api/dossiers/{dossier}/attachments",
        files={"file": ("佐证.txt", "会议纪要".encode(), "text/plain")},
        headers={"X-CSRF-Token": csrf},
    )
    monkeypatch.undo()
    assert failed.status_code == 500 and "服务器内部错误" in failed.json()["detail"]
    assert client.get(f"/api/dossiers/{dossier}/attachments").json() == []
    client.close()


# ------------------------------------------------------------------ child process entry points


def _child_writer(
    url: str, data: str, dossier_id: str, user_id: str, prefix: str, count: str, go: str
) -> None:
    store = Store(url, Path(data) / "files")
    while not Path(go).exists():
        time.sleep(0.005)
    for r in range(int(count)):
        add_text_with_retry(store, int(dossier_id), f"{prefix}-{r}", f"{prefix} 第{r}次", int(user_id))
    store.dispose()


def _child_crash_save(url: str, data: str, dossier_id: str, user_id: str) -> None:
    store = Store(url, Path(data) / "files")

    @event.listens_for(store.factory, "after_flush")
    def die(session: Any, _context: Any) -> None:
        if any(isinstance(obj, DossierVersion) for obj in session.new):
            # The dossier row is updated and the history row inserted, uncommitted: die right here.
            print("flushed", flush=True)
            os._exit(1)

    row = store.get_dossier(int(dossier_id))
    data_ = copy.deepcopy(row.data)
    data_["texts"] = {"new": "不应留下"}
    store.save_dossier(
        int(dossier_id), row.version, data_, user_id=int(user_id), summary=Summary(score_total="1")
    )
    print("committed: the crash hook did not run", flush=True)


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    {"writer": _child_writer, "crash-save": _child_crash_save}[command](*rest)
