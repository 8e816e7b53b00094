"""The whole access matrix: every route × every role × own/other unit, for the pages and the API.

Requests that are allowed are built to stop after the access check without changing anything (a stale
version → 409, an invalid value → 422), so one world serves the whole matrix. Allowed means exactly the
status the case names, the answer past the access check (so a route that vanished, 404, or an access check
that moved after validation shows up). Forbidden means exactly 403 (anonymous: 401 in the API, a redirect to
the login page in the UI).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from jixiao.web.testing import PASSWORD, Browser, make_app

ACTORS = ("anon", "unit_own", "unit_other", "reviewer", "admin")
VIEW = {"unit_own", "reviewer", "admin"}
EDIT = {"unit_own", "admin"}
REVIEW = {"reviewer", "admin"}
ADMIN = {"admin"}
ANY = {"unit_own", "unit_other", "reviewer", "admin"}
CREATE = {"unit_own", "unit_other", "admin"}


@dataclass
class World:
    clients: dict[str, Browser]
    dossier: int  # belongs to unit A ("unit_own"), submitted so nothing below can change it
    attachment: int
    unit: int
    user: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = make_app(tmp_path_factory.mktemp("access"))
    jx = app.state.jx
    store = jx.store
    a, b = store.create_unit("单位甲"), store.create_unit("单位乙")
    hashed = jx.hasher.hash(PASSWORD)
    store.create_user("admin", hashed, "admin")
    store.create_user("rev", hashed, "reviewer")
    ua = store.create_user("ua", hashed, "unit", a.id)
    store.create_user("ub", hashed, "unit", b.id)
    data = {"schema": "jixiao.dossier/1", "unit": {"name": "单位甲"}, "year": 2024}
    from jixiao.store import Summary

    row = store.create_dossier(a.id, data, year=2024, kind="部门整体", user_id=ua.id, summary=Summary())
    att = store.add_attachment(row.id, "佐证.txt", "text/plain", "佐证内容".encode(), user_id=ua.id)
    store.transition(row.id, row.version, "submit", user_id=ua.id)
    clients = {
        "anon": Browser(app),
        "unit_own": Browser(app).login("ua"),
        "unit_other": Browser(app).login("ub"),
        "reviewer": Browser(app).login("rev"),
        "admin": Browser(app).login("admin"),
    }
    yield World(clients, row.id, att.id, a.id, ua.id)
    # Allowed requests were built to stop at version/validation checks. Checked here, after every test of
    # this module that ran on this world (with pytest-xdist each worker builds and checks its own world):
    # still the one submitted version, the one attachment, the same accounts.
    after = store.get_dossier(row.id)
    assert (after.status, after.version) == ("submitted", 2)
    assert [x.id for x in store.list_attachments(row.id)] == [att.id]
    assert sorted(u.username for u in store.list_users()) == ["admin", "rev", "ua", "ub"]
    store.dispose()


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {d} dossier, {a} attachment, {u} unit, {user} user
    allowed: frozenset[str]
    status: int  # what every allowed actor gets: the answer past the access check (409 stale, 422 invalid…)
    form: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, Any] | None = None

    def url(self, w: World) -> str:
        return self.path.format(d=w.dossier, a=w.attachment, u=w.unit, user=w.user)


def case(method: str, path: str, allowed: set[str], status: int, **kw: Any) -> Case:
    return Case(method, path, frozenset(allowed), status, **kw)


STALE = {"version": "999"}
PAGES = [
    case("GET", "/dossiers", ANY, 200),
    case("GET", "/dossiers/new", CREATE, 200),
    case("POST", "/dossiers/new", CREATE, 422, form={"year": "公元", "mode": "blank", "unit_id": "{u}"}),
    case("GET", "/dossiers/{d}", VIEW, 200),
    case("POST", "/dossiers/{d}", EDIT, 409, form=STALE),
    case("POST", "/dossiers/{d}/preview", VIEW, 200, form=STALE),
    case("POST", "/dossiers/{d}/submit", EDIT, 409, form=STALE),
    case("POST", "/dossiers/{d}/return", REVIEW, 409, form={**STALE, "comment": "补充"}),
    case("POST", "/dossiers/{d}/approve", REVIEW, 409, form=STALE),
    case("POST", "/dossiers/{d}/reopen", REVIEW, 409, form=STALE),
    case("POST", "/dossiers/{d}/review", REVIEW, 409, form={**STALE, "opinion": "意见"}),
    case("POST", "/dossiers/{d}/attachments", EDIT, 422, files={"file": ("x.txt", b"text", "text/plain")}),
    case("GET", "/attachments/{a}", VIEW, 200),
    case("POST", "/attachments/{a}/delete", EDIT, 422, form={}),
    case("GET", "/dossiers/{d}/download/yaml", VIEW, 200),
    # 404 for those allowed: this dossier was not created from an uploaded report
    case("GET", "/dossiers/{d}/source", VIEW, 404),
    case("GET", "/dossiers/{d}/history", VIEW, 200),
    case("GET", "/dossiers/{d}/history?a=1&b=2", VIEW, 200),
    case("GET", "/dashboard", REVIEW, 200),
    case("GET", "/dashboard?year=2024&sort=score&desc=1", REVIEW, 200),
    case("GET", "/admin", ADMIN, 200),
    case("POST", "/admin/units", ADMIN, 422, form={"name": ""}),
    case("POST", "/admin/users", ADMIN, 422, form={"username": "x", "password": "short", "role": "reviewer"}),
    case("POST", "/admin/user", ADMIN, 422, form={"user_id": "{user}", "version": "999", "role": "unit"}),
    case("POST", "/admin/frameworks", ADMIN, 422, files={"file": ("f.yaml", b"id: [", "application/yaml")}),
]
API = [
    case("GET", "/api/me", ANY, 200),
    case("GET", "/api/units", ANY, 200),
    case("POST", "/api/units", ADMIN, 422, json={"name": ""}),
    case("PUT", "/api/units/{u}", ADMIN, 409, json={"name": "单位甲", "version": 999}),
    case("GET", "/api/users", ADMIN, 200),
    case("POST", "/api/users", ADMIN, 422, json={"username": "x", "password": "short", "role": "reviewer"}),
    case("PUT", "/api/users/{user}", ADMIN, 409, json={"version": 999}),
    case("GET", "/api/frameworks", ANY, 200),
    case("POST", "/api/frameworks", ADMIN, 422, json={"source": "id: ["}),
    case("GET", "/api/dossiers", ANY, 200),
    case("GET", "/api/dossiers?unit_id={u}", VIEW, 200),
    case("POST", "/api/dossiers", CREATE, 422, json={"year": 1800}),
    case(
        "POST",
        "/api/dossiers/upload?year=2024",
        CREATE,
        422,
        files={"file": ("r.exe", b"MZ", "application/x")},
    ),
    case("GET", "/api/dossiers/{d}", VIEW, 200),
    case(
        "PUT",
        "/api/dossiers/{d}",
        EDIT,
        409,
        json={"version": 999, "dossier": {"unit": {"name": "x"}, "year": 2024}},
    ),
    case("GET", "/api/dossiers/{d}/evaluation", VIEW, 200),
    case(
        "POST",
        "/api/dossiers/{d}/preview",
        VIEW,
        200,
        json={"dossier": {"unit": {"name": "x"}, "year": 2024}},
    ),
    case("POST", "/api/dossiers/{d}/submit", EDIT, 409, json={"version": 999}),
    case("POST", "/api/dossiers/{d}/return", REVIEW, 409, json={"version": 999, "comment": "x"}),
    case("POST", "/api/dossiers/{d}/approve", REVIEW, 409, json={"version": 999}),
    case("POST", "/api/dossiers/{d}/reopen", REVIEW, 409, json={"version": 999}),
    case("PUT", "/api/dossiers/{d}/review", REVIEW, 409, json={"version": 999, "opinion": "x"}),
    case("GET", "/api/dossiers/{d}/history", VIEW, 200),
    case("GET", "/api/dossiers/{d}/versions/1", VIEW, 200),
    case("GET", "/api/dossiers/{d}/diff?a=1&b=2", VIEW, 200),
    case("GET", "/api/dossiers/{d}/attachments", VIEW, 200),
    case("POST", "/api/dossiers/{d}/attachments", EDIT, 422, files={"file": ("x.txt", b"t", "text/plain")}),
    case("GET", "/api/attachments/{a}", VIEW, 200),
    case("DELETE", "/api/attachments/{a}", EDIT, 422),
    case("GET", "/api/dossiers/{d}/documents/yaml", VIEW, 200),
    case("GET", "/api/dashboard", REVIEW, 200),
    case("POST", "/api/tokens", ANY, 200, json={"name": "t"}),
]


def _send(w: World, actor: str, c: Case):  # type: ignore[no-untyped-def]
    client = w.clients[actor]
    url = c.url(w)
    form = {
        k: str(v).format(d=w.dossier, a=w.attachment, u=w.unit, user=w.user)
        for k, v in (c.form or {}).items()
    }
    if c.method == "GET":
        return client.get(url)
    if c.path.startswith("/api/"):
        return client.api(c.method, url, json=c.json, files=c.files)
    return client.post_form(url, form, files=c.files)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("c", PAGES + API, ids=lambda c: f"{c.method} {c.path}")
def test_access_matrix(world: World, actor: str, c: Case) -> None:
    resp = _send(world, actor, c)
    assert resp.status_code < 500, resp.text
    api = c.path.startswith("/api/")
    to_login = resp.status_code == 303 and resp.headers.get("location", "").startswith("/login")
    if actor == "anon":
        assert resp.status_code == 401 if api else to_login, resp.status_code
    elif actor in c.allowed:
        assert resp.status_code == c.status, f"{resp.status_code} {resp.text[:300]}"
    else:
        assert resp.status_code == 403, f"{resp.status_code} {resp.text[:300]}"
        if api:
            assert resp.json()["detail"]
        else:
            assert "无权访问" in resp.text


def test_unit_user_lists_only_own_unit(world: World) -> None:
    own = world.clients["unit_own"].get("/api/dossiers").json()
    other = world.clients["unit_other"].get("/api/dossiers").json()
    assert [d["id"] for d in own] == [world.dossier]
    assert other == []
    assert [u["name"] for u in world.clients["unit_other"].get("/api/units").json()] == ["单位乙"]
    assert "单位甲" not in world.clients["unit_other"].get("/dossiers").text


def test_unknown_ids_are_404_for_everyone_allowed(world: World) -> None:
    for actor in ("unit_own", "reviewer", "admin"):
        client = world.clients[actor]
        assert client.get("/dossiers/99999").status_code == 404
        assert client.get("/api/dossiers/99999").status_code == 404
        assert client.get("/api/attachments/99999").status_code == 404
        assert client.get("/api/dossiers/abc").status_code == 422
    assert "不存在" in world.clients["admin"].get("/api/dossiers/99999").json()["detail"]
