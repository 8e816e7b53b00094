"""Helpers for tests and benchmarks: an app on a throwaway data folder, cheap password hashing, and a client
that logs in and carries the CSRF token the way the browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from jixiao.web.app import create_app
from jixiao.web.settings import WebSettings

# Minimal argon2 cost: tests and benchmarks create many accounts; the hash format and checks are unchanged.
FAST_HASH = {"argon2_time_cost": 1, "argon2_memory_cost": 1024}
PASSWORD = "correct-horse-9"

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def settings_for_tests(data_dir: Path, database_url: str | None = None, **overrides: Any) -> WebSettings:
    kw: dict[str, Any] = {**FAST_HASH, **overrides}
    if database_url:
        kw.setdefault("auto_upgrade", True)
    return WebSettings.from_env(data_dir, database_url, **kw)


def make_app(data_dir: Path, database_url: str | None = None, **overrides: Any) -> FastAPI:
    return create_app(settings_for_tests(data_dir, database_url, **overrides))


def csrf_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    if not match:
        raise AssertionError("page has no CSRF token")
    return match.group(1)


class Browser:
    """A TestClient with a session: ``login`` then ``post_form`` adds the page's CSRF token."""

    def __init__(self, app: FastAPI) -> None:
        from fastapi.testclient import TestClient

        self.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD) -> Browser:
        page = self.client.get("/login")
        token = csrf_from(page.text)
        resp = self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        if resp.status_code != 303:
            raise AssertionError(f"login failed for {username}: {resp.status_code}")
        me = self.client.get("/api/me").json()
        self.csrf = me["csrf_token"]
        return self

    def get(self, url: str, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kw)

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf}, **kw)

    def api(self, method: str, url: str, **kw: Any):  # type: ignore[no-untyped-def]
        headers = {**kw.pop("headers", {}), "X-CSRF-Token": self.csrf}
        return self.client.request(method, url, headers=headers, **kw)


@contextmanager
def temporary_pg_schema(base_url: str) -> Iterator[str]:
    """A fresh schema on a test PostgreSQL server, as a URL whose search_path points at it; dropped after."""
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
