"""The JSON API as an integrating system uses it: bearer tokens, full dossier JSON, uploads, documents,
evaluation, review, history; and the app keeping no state of its own (two instances, one database)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import seed_path
from jixiao.web.testing import PASSWORD, Browser, make_app, temporary_pg_schema

PG_URL = os.environ.get("JIXIAO_TEST_PG_URL")
REPORT = """2024年度青川区示范服务中心部门整体支出绩效自评报告
一、部门基本情况
本年支出合计1,316.71万元，其中：基本支出816.36万元，项目支出600.35万元。
全年预算数1,338.80万元，全年执行数1,316.71万元，预算执行率98.35%。
二、绩效自评情况
经自评，本部门2024年度整体支出绩效自评得分为92.50分，等级为优。
"""
DOSSIER = {
    "schema": "jixiao.dossier/1",
    "unit": {"name": "会被账号所属单位覆盖"},
    "year": 2024,
    "figures": {
        "budget_total": "1,338.80万元",
        "executed_total": {"value": "1316.71", "unit": "万元"},
        "income_total": "1338.8万元",
    },
    "projects": [
        {
            "name": "服务项目",
            "indicators": [
                {
                    "name": "服务人数",
                    "level1": "产出指标",
                    "weight": 20,
                    "target": "≥250人",
                    "actual": "280人",
                }
            ],
        }
    ],
    "stated": {"total": "92.50", "grade": "优"},
}


def _backend_params():  # type: ignore[no-untyped-def]
    marks = [pytest.mark.postgres]
    if not PG_URL:
        marks.append(pytest.mark.skip(reason="JIXIAO_TEST_PG_URL 未设置"))
    return ["sqlite", pytest.param("postgres", marks=marks)]


@pytest.fixture(params=_backend_params())
def api(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[httpx.Client, httpx.Client, object]]:
    """(unit client, reviewer client, app), both clients authenticated by bearer tokens only."""

    def build(url: str | None) -> Iterator[tuple[httpx.Client, httpx.Client, object]]:
        app = make_app(tmp_path, url)
        jx = app.state.jx
        unit = jx.store.create_unit("示范单位甲")
        hashed = jx.hasher.hash(PASSWORD)
        u = jx.store.create_user("ua", hashed, "unit", unit.id)
        r = jx.store.create_user("rev", hashed, "reviewer")
        clients = []
        for user in (u, r):
            token = jx.store.create_api_token(user.id, "test")
            client = Browser(app).client
            client.headers["Authorization"] = f"Bearer {token}"
            clients.append(client)
        yield clients[0], clients[1], app
        jx.store.dispose()

    if request.param == "sqlite":
        yield from build(None)
    else:
        assert PG_URL
        with temporary_pg_schema(PG_URL) as url:
            yield from build(url)


def test_full_cycle_through_the_api(api: tuple[httpx.Client, httpx.Client, object]) -> None:
    unit, reviewer, _app = api
    created = unit.post("/api/dossiers", json={"year": 2024, "dossier": DOSSIER})
    assert created.status_code == 201, created.text
    body = created.json()
    d, version = body["id"], body["version"]
    assert body["dossier"]["unit"]["name"] == "示范单位甲"
    assert body["dossier"]["figures"]["budget_total"] == {"value": "1338.80", "unit": "万元"}
    assert body["dossier"]["framework"] == "guangzhou-district-overall"
    assert body["execution_rate"] == "98.35"
    evaluation = unit.get(f"/api/dossiers/{d}/evaluation").json()
    assert evaluation["scorecard"]["framework"] == "guangzhou-district-overall"
    assert isinstance(evaluation["scorecard"]["total"], str)  # exact decimals travel as strings
    preview = unit.post(
        f"/api/dossiers/{d}/preview",
        json={"dossier": {**DOSSIER, "figures": {**DOSSIER["figures"], "executed_total": "900万元"}}},
    ).json()
    assert preview["execution_rate"] == "67.22"  # 900 ÷ 1338.80, half-up
    assert unit.get(f"/api/dossiers/{d}").json()["version"] == version  # preview saved nothing
    data = body["dossier"]
    data["texts"] = {"存在的问题": "进度偏慢"}
    saved = unit.put(f"/api/dossiers/{d}", json={"version": version, "dossier": data})
    assert saved.status_code == 200 and saved.json()["version"] == version + 1
    stale = unit.put(f"/api/dossiers/{d}", json={"version": version, "dossier": data})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    files = {"file": ("佐证.txt", io.BytesIO("会议纪要".encode()), "text/plain")}
    att = unit.post(f"/api/dossiers/{d}/attachments", files=files)
    assert att.status_code == 201
    assert unit.get(f"/api/attachments/{att.json()['id']}").content == "会议纪要".encode()
    v = saved.json()["version"]
    assert unit.post(f"/api/dossiers/{d}/submit", json={"version": v}).status_code == 200
    assert unit.post(f"/api/dossiers/{d}/approve", json={"version": v + 1}).status_code == 403
    rv = reviewer.put(f"/api/dossiers/{d}/review", json={"version": v + 1, "opinion": "数据核实无误"})
    assert rv.status_code == 200 and rv.json()["review_opinion"] == "数据核实无误"
    done = reviewer.post(f"/api/dossiers/{d}/approve", json={"version": v + 2})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    history = reviewer.get(f"/api/dossiers/{d}/history").json()
    assert [h["action"] for h in history] == ["approve", "review", "submit", "edit", "create"]
    diff = reviewer.get(f"/api/dossiers/{d}/diff", params={"a": 1, "b": 2}).json()
    assert {"field": "文字 › 存在的问题", "before": None, "after": "进度偏慢"} in diff
    board = reviewer.get("/api/dashboard").json()
    assert board["rows"][0]["status"] == "approved" and board["years"] == [2024]


def test_validation_errors_are_field_level_chinese(api: tuple[httpx.Client, httpx.Client, object]) -> None:
    unit, _reviewer, _app = api
    missing = unit.post("/api/dossiers", json={"kind": "别的"})
    assert missing.status_code == 422
    errors = missing.json()["errors"]
    assert errors["year"] == "缺少必填项" and "允许范围" in errors["kind"]
    wrong = unit.post("/api/dossiers", json={"year": 2024, "dossier": {**DOSSIER, "figures": {"x": "很多"}}})
    assert wrong.status_code == 422 and "dossier.figures.x" in str(wrong.json()["errors"])
    notjson = unit.post("/api/dossiers", content=b"{", headers={"content-type": "application/json"})
    assert notjson.status_code == 422 and notjson.json()["detail"]


def test_documents_are_generated_for_download(api: tuple[httpx.Client, httpx.Client, object]) -> None:
    unit, reviewer, _app = api
    d = unit.post("/api/dossiers", json={"year": 2024, "dossier": DOSSIER}).json()["id"]
    for fmt, magic in (("xlsx", b"PK"), ("docx", b"PK"), ("md", b"#"), ("yaml", b"schema")):
        resp = reviewer.get(f"/api/dossiers/{d}/documents/{fmt}")
        assert resp.status_code == 200, (fmt, resp.text[:300])
        assert resp.content.startswith(magic), fmt
        assert "attachment" in resp.headers["content-disposition"]
    assert reviewer.get(f"/api/dossiers/{d}/documents/exe").status_code == 422


def test_upload_a_report_through_the_api(api: tuple[httpx.Client, httpx.Client, object]) -> None:
    unit, _reviewer, _app = api
    files = {"file": ("自评报告.txt", io.BytesIO(REPORT.encode()), "text/plain")}
    resp = unit.post("/api/dossiers/upload", params={"year": 2024}, files=files)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["dossier"]["figures"]["expense_basic"]["source"]["quote"] == "基本支出816.36万元"
    assert body["dossier"]["figures"]["expense_basic"]["source"]["file"] == "自评报告.txt"  # no temp path
    assert body["findings"]["error"] >= 1  # the report's parts do not add up to its total
    evaluation = unit.get(f"/api/dossiers/{body['id']}/evaluation").json()
    assert any(
        "816.36" in f["message"] for f in evaluation["findings"] + evaluation.get("source_findings", [])
    )
    # nothing in it names a framework: the default for its kind, with the detection that found none
    assert body["dossier"]["framework"] == "guangzhou-district-overall"
    assert body["framework"]["origin"] == "default" and body["framework"]["detection"]["framework_id"] is None
    assert body["warnings"][0].startswith("未能按报告内容确定指标体系")
    renamed = {"file": ("报告.pdf", io.BytesIO(REPORT.encode()), "application/pdf")}
    assert unit.post("/api/dossiers/upload", params={"year": 2023}, files=renamed).status_code == 422


# Written for these tests: the Guangzhou district table's indicator names as headings, a district in the title.
GUANGZHOU_REPORT = """2024年度广州市番禺区示范服务中心部门整体支出绩效自评报告
一、管理效能
（一）绩效管理：已建立绩效管理制度。
（二）资金管理：预算编制质量良好。
（三）资产管理：资产账务核对一致。
二、履职效能
全年重点工作按期完成。
"""


def test_upload_returns_the_recognised_framework_or_obeys_the_choice(
    api: tuple[httpx.Client, httpx.Client, object],
) -> None:
    unit, _reviewer, _app = api

    def upload(year: int, **kw: object) -> httpx.Response:
        files = {"file": ("报告.txt", io.BytesIO(GUANGZHOU_REPORT.encode()), "text/plain")}
        params = {"year": year, **kw.pop("params", {})}  # type: ignore[dict-item]
        return unit.post("/api/dossiers/upload", params=params, files=files, **kw)  # type: ignore[arg-type]

    auto = upload(2024)
    assert auto.status_code == 201, auto.text
    body = auto.json()
    assert body["dossier"]["framework"] == "guangzhou-district-overall"
    framework = body["framework"]
    assert framework["id"] == "guangzhou-district-overall" and framework["origin"] == "detected"
    detection = framework["detection"]
    assert detection["framework_id"] == "guangzhou-district-overall" and detection["confidence"] >= 0.6
    assert any("广州" in r for r in detection["reasons"])
    assert detection["candidates"][0]["framework_id"] == "guangzhou-district-overall"
    assert body["warnings"][0].startswith("已按报告内容识别指标体系：")
    # an explicit choice, as a form field or a query parameter, is used as is and nothing is recognised
    chosen = upload(2023, data={"framework": "hunan-overall"}).json()
    assert chosen["dossier"]["framework"] == "hunan-overall"
    assert chosen["framework"] == {"id": "hunan-overall", "origin": "choice", "detection": None}
    assert not any("识别指标体系" in w for w in chosen["warnings"])
    queried = upload(2022, params={"framework": "hunan-overall"}).json()
    assert queried["dossier"]["framework"] == "hunan-overall"
    said_auto = upload(2021, data={"framework": "auto"}).json()
    assert said_auto["framework"]["origin"] == "detected"
    unknown = upload(2020, data={"framework": "no-such"})
    assert unknown.status_code == 422 and "no-such" in unknown.text
    clash = upload(2020, data={"framework": "hunan-overall"}, params={"framework": "mof-project-self"})
    assert clash.status_code == 422
    assert sorted(d["year"] for d in unit.get("/api/dossiers").json()) == [2021, 2022, 2023, 2024]


def test_openapi_documents_the_framework_field_of_uploads(
    api: tuple[httpx.Client, httpx.Client, object],
) -> None:
    unit, _reviewer, _app = api
    upload = unit.get("/api/openapi.json").json()["paths"]["/api/dossiers/upload"]["post"]
    assert "auto" in upload["description"] and "detection" in upload["description"]
    assert "confidence" in upload["description"]
    ref = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = unit.get("/api/openapi.json").json()["components"]["schemas"][ref]
    assert "framework" in schema["properties"]


def test_two_app_instances_share_sessions_and_throttling(tmp_path: Path) -> None:
    """What several processes behind a proxy rely on: nothing lives in the process."""
    first = make_app(tmp_path)
    second = make_app(tmp_path)
    jx = first.state.jx
    jx.store.create_user("root", jx.hasher.hash(PASSWORD), "admin")
    b1 = Browser(first).login("root")
    b2 = Browser(second)
    b2.client.cookies.update(b1.client.cookies)
    assert b2.get("/api/me").json()["user"]["username"] == "root"
    assert (
        b2.client.post(
            "/api/units", json={"name": "跨进程单位"}, headers={"X-CSRF-Token": b1.csrf}
        ).status_code
        == 201
    )
    policy = jx.settings.throttle
    for _ in range(policy.max_failures - 1):
        Browser(first).client.post("/api/login", json={"username": "root", "password": "wrong-password"})
    locked = Browser(second).client.post(
        "/api/login", json={"username": "root", "password": "wrong-password"}
    )
    assert locked.status_code == 429
    first.state.jx.store.dispose()
    second.state.jx.store.dispose()


# What the CLI recognises in each seed (tests/test_framework_detect.py); 002 names no framework's indicators.
SEED_FRAMEWORKS = {
    "000": "guangzhou-district-overall",
    "001": "hunan-overall",
    "002": None,
    "003": "guangzhou-district-overall",
    "004": "guangzhou-baiyun-overall",
}


@pytest.mark.seeds
@pytest.mark.parametrize(("prefix", "expected"), SEED_FRAMEWORKS.items())
def test_seed_report_becomes_a_dossier_with_sources(
    tmp_path: Path, prefix: str, expected: str | None
) -> None:
    seed = seed_path(prefix)
    app = make_app(tmp_path)
    jx = app.state.jx
    unit = jx.store.create_unit("验收单位")
    jx.store.create_user("ua", jx.hasher.hash(PASSWORD), "unit", unit.id)
    b = Browser(app).login("ua")
    resp = b.api(
        "POST",
        "/api/dossiers/upload",
        params={"year": 2021},
        files={"file": ("report.txt", seed.read_bytes(), "text/plain")},
    )
    assert resp.status_code == 201, resp.text
    figures = resp.json()["dossier"]["figures"]
    assert figures and all(f.get("source", {}).get("quote") for f in figures.values())
    framework = resp.json()["framework"]
    assert framework["detection"]["framework_id"] == expected, framework["detection"]["reasons"]
    if expected is not None:
        assert resp.json()["dossier"]["framework"] == expected and framework["origin"] == "detected"
    else:
        assert framework["origin"] == "default" and "候选" in resp.json()["warnings"][0]
    page = b.get(f"/dossiers/{resp.json()['id']}")
    assert page.status_code == 200 and "来源：" in page.text
    jx.store.dispose()


test_seed_report_becomes_a_dossier_with_sources = pytest.mark.seeds(
    test_seed_report_becomes_a_dossier_with_sources
)
