"""The web app end to end through the test client: first run, login, CSRF, throttling, editing with
numbers as people type them, conflicts, uploads, workflow, history, dashboard, admin, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from jixiao.store import ThrottlePolicy
from jixiao.web.testing import PASSWORD, Browser, csrf_from, make_app

REPORT = """2024年度青川区示范服务中心部门整体支出绩效自评报告

一、部门基本情况
（一）部门整体收支情况
本年支出合计1,316.71万元，其中：基本支出816.36万元，项目支出600.35万元。
全年预算数1,338.80万元，全年执行数1,316.71万元，预算执行率98.35%。

二、绩效自评情况
经自评，本部门2024年度整体支出绩效自评得分为92.50分，等级为优。
"""


@dataclass
class Site:
    app: FastAPI
    admin: Browser
    reviewer: Browser
    unit: Browser
    other: Browser
    unit_id: int

    def new_dossier(self, year: int = 2024, client: Browser | None = None) -> int:
        resp = (client or self.unit).post_form("/dossiers/new", {"year": str(year), "mode": "blank"})
        assert resp.status_code == 303, resp.text
        return int(re.search(r"/dossiers/(\d+)", resp.headers["location"]).group(1))  # type: ignore[union-attr]

    def version(self, dossier_id: int) -> int:
        return self.admin.get(f"/api/dossiers/{dossier_id}").json()["version"]


def _site(tmp_path: Path, **settings: object) -> Site:
    app = make_app(tmp_path, **settings)
    jx = app.state.jx
    hashed = jx.hasher.hash(PASSWORD)
    a, b = jx.store.create_unit("示范单位甲"), jx.store.create_unit("示范单位乙")
    jx.store.create_user("admin", hashed, "admin")
    jx.store.create_user("rev", hashed, "reviewer")
    jx.store.create_user("ua", hashed, "unit", a.id)
    jx.store.create_user("ub", hashed, "unit", b.id)
    return Site(
        app,
        Browser(app).login("admin"),
        Browser(app).login("rev"),
        Browser(app).login("ua"),
        Browser(app).login("ub"),
        a.id,
    )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = _site(tmp_path, throttle=ThrottlePolicy(max_failures=3))
    yield s
    s.app.state.jx.store.dispose()


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """For tests that change nothing (or only add rows nobody else reads)."""
    s = _site(tmp_path_factory.mktemp("shared"))
    s.new_dossier()
    yield s
    s.app.state.jx.store.dispose()


# ------------------------------------------------------------------ first run, login, sessions


def test_first_run_asks_for_an_admin_account(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    b = Browser(app)
    assert b.get("/").headers["location"] == "/setup"
    assert b.get("/login").headers["location"] == "/setup"
    page = b.get("/setup")
    assert "创建管理员" in page.text
    token = csrf_from(page.text)
    weak = b.client.post(
        "/setup", data={"username": "root", "password": "short", "password2": "short", "csrf_token": token}
    )
    assert weak.status_code == 422 and "至少需要 8 个字符" in weak.text
    forged = b.client.post(
        "/setup",
        data={"username": "root", "password": PASSWORD, "password2": PASSWORD, "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    ok = b.client.post(
        "/setup", data={"username": "root", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 303
    assert b.get("/setup").headers["location"] == "/login"  # only once
    assert Browser(app).login("root").get("/admin").status_code == 200
    app.state.jx.store.dispose()


def test_login_errors_throttling_and_cookie_flags(site: Site) -> None:
    anon = Browser(site.app)
    page = anon.get("/login")
    token = csrf_from(page.text)
    wrong = anon.client.post("/login", data={"username": "ua", "password": "nope-nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    anon.client.post("/login", data={"username": "ua", "password": "nope-nope", "csrf_token": token})
    locked = anon.client.post("/login", data={"username": "ua", "password": "nope-nope", "csrf_token": token})
    assert locked.status_code == 429 and "暂时锁定" in locked.text
    # even the right password is refused while locked, for this account from this address
    still = anon.client.post("/login", data={"username": "ua", "password": PASSWORD, "csrf_token": token})
    assert still.status_code == 429
    api = anon.client.post("/api/login", json={"username": "ua", "password": PASSWORD})
    assert api.status_code == 429 and "锁定" in api.json()["detail"]
    # another account from the same address is not affected
    ok = anon.client.post("/login", data={"username": "ub", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    no_csrf = Browser(site.app).client.post("/login", data={"username": "ub", "password": PASSWORD})
    assert no_csrf.status_code == 403


def test_secure_cookie_option(tmp_path: Path) -> None:
    app = make_app(tmp_path, secure_cookies=True)
    app.state.jx.store.create_user("admin", app.state.jx.hasher.hash(PASSWORD), "admin")
    resp = Browser(app).client.post("/api/login", json={"username": "admin", "password": PASSWORD})
    assert resp.status_code == 200 and "Secure" in resp.headers["set-cookie"]
    app.state.jx.store.dispose()


def test_login_redirects_only_to_local_paths(site: Site) -> None:
    b = Browser(site.app)
    token = csrf_from(b.get("/login").text)
    resp = b.client.post(
        "/login",
        data={"username": "ua", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
    )
    assert resp.headers["location"] == "/"


def test_logout_ends_the_session_in_the_database(site: Site) -> None:
    old_cookie = site.unit.client.cookies.get("jixiao_session")
    assert site.unit.post_form("/logout").status_code == 303
    replay = Browser(site.app)
    replay.client.cookies.set("jixiao_session", old_cookie)
    assert replay.get("/api/me").status_code == 401


def test_csrf_is_required_for_cookie_writes_but_not_for_bearer_tokens(site: Site) -> None:
    dossier = site.new_dossier()
    url = f"/dossiers/{dossier}/submit"
    assert site.unit.client.post(url, data={"version": "1"}).status_code == 403
    assert site.unit.client.post(url, data={"version": "1", "csrf_token": site.other.csrf}).status_code == 403
    api = site.unit.client.post(f"/api/dossiers/{dossier}/submit", json={"version": 1})
    assert api.status_code == 403 and "CSRF" in api.json()["detail"]
    token = site.unit.api("POST", "/api/tokens", json={"name": "集成"}).json()["token"]
    bearer = Browser(site.app).client
    resp = bearer.post(
        f"/api/dossiers/{dossier}/submit", json={"version": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    bad = bearer.get("/api/me", headers={"Authorization": "Bearer jx_wrong"})
    assert bad.status_code == 401


def test_deactivated_user_loses_access_at_once(site: Site) -> None:
    user = next(u for u in site.admin.get("/api/users").json() if u["username"] == "ua")
    resp = site.admin.api(
        "PUT", f"/api/users/{user['id']}", json={"version": user["version"], "active": False}
    )
    assert resp.status_code == 200
    assert site.unit.get("/api/me").status_code == 401


# ------------------------------------------------------------------ editing


def _form(site: Site, dossier: int, **fields: str) -> dict[str, str]:
    return {"version": str(site.version(dossier)), **fields}


def test_numbers_are_read_as_people_type_them_and_stored_exactly(site: Site) -> None:
    d = site.new_dossier()
    resp = site.unit.post_form(
        f"/dossiers/{d}",
        _form(
            site,
            d,
            **{
                "fig.budget_total": "1,338.8",
                "fig.budget_total.unit": "万元",
                "fig.executed_total": "13,167,100元",
                "fig.execution_rate": "９８.３５%",
                "p.0.name": "服务项目",
                "p.0.budget": "120万元",
                "p.0.i.0.name": "服务人数",
                "p.0.i.0.weight": "20",
                "p.0.i.0.target": "≥250人",
                "p.0.i.0.actual": "280人",
                "stated.total": "92.5",
                "text.存在的问题": "进度偏慢",
            },
        ),
    )
    assert resp.status_code == 303, resp.text
    data = site.unit.get(f"/api/dossiers/{d}").json()["dossier"]
    assert data["figures"]["budget_total"] == {"value": "1338.8", "unit": "万元"}
    assert data["figures"]["executed_total"] == {"value": "13167100", "unit": "元"}
    assert data["figures"]["execution_rate"] == {"value": "98.35", "unit": "%"}
    ind = data["projects"][0]["indicators"][0]
    assert (ind["target"], ind["actual"], ind["weight"]) == ("≥250人", "280人", "20")
    assert data["stated"]["total"] == "92.5" and data["texts"]["存在的问题"] == "进度偏慢"
    page = site.unit.get(f"/dossiers/{d}").text
    assert 'value="1338.8"' in page and "98.35%" in page


def test_invalid_input_gives_field_level_chinese_errors_and_saves_nothing(site: Site) -> None:
    d = site.new_dossier()
    resp = site.unit.post_form(
        f"/dossiers/{d}",
        _form(
            site,
            d,
            **{
                "fig.income_total": "一千二百万元多少",
                "p.0.name": "",
                "p.0.i.0.name": "服务人数",
                "p.0.i.0.weight": "二十分",
                "stated.total": "九十几",
            },
        ),
    )
    assert resp.status_code == 422
    assert 'data-field="fig.income_total"' in resp.text and "本年收入合计" in resp.text
    assert 'data-field="p.0.name"' in resp.text and "请填写项目名称" in resp.text
    assert 'data-field="stated.total"' in resp.text
    assert site.version(d) == 1
    api = site.unit.api(
        "PUT",
        f"/api/dossiers/{d}",
        json={
            "version": 1,
            "dossier": {
                "unit": {"name": "x"},
                "year": 2024,
                "figures": {"income_total": "abc"},
                "kind": "别的",
            },
        },
    )
    assert api.status_code == 422
    errors = api.json()["errors"]
    assert any(k.startswith("dossier.figures.income_total") for k in errors)
    assert any("取值不在允许范围内" in v for v in errors.values())


def test_concurrent_edits_conflict_instead_of_overwriting(site: Site) -> None:
    d = site.new_dossier()
    first = site.unit.post_form(f"/dossiers/{d}", {"version": "1", "fig.budget_total": "100万元"})
    assert first.status_code == 303
    second = site.admin.post_form(f"/dossiers/{d}", {"version": "1", "fig.budget_total": "200万元"})
    assert second.status_code == 409
    assert "已被他人修改" in second.text and 'value="200"' in second.text  # the loser's input is kept
    assert f'name="version" value="{site.version(d)}"' in second.text
    api = site.admin.api(
        "PUT", f"/api/dossiers/{d}", json={"version": 1, "dossier": {"unit": {"name": "x"}, "year": 2024}}
    )
    assert api.status_code == 409 and api.json()["current_version"] == 2
    assert site.unit.get(f"/api/dossiers/{d}").json()["dossier"]["figures"]["budget_total"]["value"] == "100"


def test_live_preview_scores_unsaved_input(site: Site) -> None:
    d = site.new_dossier()
    base = {"version": "1", "fig.budget_total": "1000万元"}
    low = site.unit.post_form(f"/dossiers/{d}/preview", {**base, "fig.executed_total": "700万元"})
    high = site.unit.post_form(f"/dossiers/{d}/preview", {**base, "fig.executed_total": "990万元"})
    assert low.status_code == high.status_code == 200
    assert "尚未保存" in low.text and "70.00%" in low.text and "99.00%" in high.text

    def score(html: str) -> str:
        return re.search(r"<b data-score>([^<]+)</b>", html).group(1)  # type: ignore[union-attr]

    assert score(low.text) != score(high.text)
    assert site.version(d) == 1  # preview never saves
    bad = site.unit.post_form(f"/dossiers/{d}/preview", {**base, "fig.executed_total": "七百多"})
    assert bad.status_code == 200 and 'data-field="fig.executed_total"' in bad.text


def test_figures_from_a_report_keep_their_source_until_changed(site: Site, tmp_path: Path) -> None:
    resp = site.unit.post_form(
        "/dossiers/new",
        {"year": "2024", "mode": "upload"},
        files={"report": ("自评报告.txt", REPORT.encode(), "text/plain")},
    )
    assert resp.status_code == 303, resp.text
    d = int(re.search(r"/dossiers/(\d+)", resp.headers["location"]).group(1))  # type: ignore[union-attr]
    page = site.unit.get(resp.headers["location"])
    assert "自动抽取" in page.text and "来源：" in page.text and "全年预算数1,338.80万元" in page.text
    data = site.unit.get(f"/api/dossiers/{d}").json()
    assert data["dossier"]["unit"]["name"] == "示范单位甲"  # the account's unit, not the report's wording
    assert data["dossier"]["figures"]["budget_total"]["source"]["quote"]
    files = site.unit.get(f"/api/dossiers/{d}/attachments").json()
    assert [f["purpose"] for f in files] == ["source"]
    # the report's own error is found in the source, cited by the uploaded file's name
    source_part = page.text.split("原始报告")[1]
    assert "sev-error" in source_part and "816.36" in source_part and "自评报告.txt" in source_part
    in_place = site.reviewer.get(f"/dossiers/{d}/source")
    assert in_place.status_code == 200
    assert re.search(
        r'<mark class="sev-error" title="错误：[^"]*">1,316.71万元，其中：基本支出816.36万元', in_place.text
    )
    assert "全年预算数1,338.80万元" in in_place.text  # the rest of the text is there, unmarked
    assert site.other.get(f"/dossiers/{d}/source").status_code == 403
    # save the form unchanged except one figure: the others keep provenance, the changed one loses it
    form = {
        "version": str(data["version"]),
        "fig.budget_total": "1338.80",
        "fig.budget_total.unit": "万元",
        "fig.executed_total": "1300",
        "fig.executed_total.unit": "万元",
    }
    assert site.unit.post_form(f"/dossiers/{d}", form).status_code == 303
    figures = site.unit.get(f"/api/dossiers/{d}").json()["dossier"]["figures"]
    assert "source" in figures["budget_total"] and "source" not in figures["executed_total"]


def test_fixing_a_figure_clears_its_finding(site: Site) -> None:
    d = site.new_dossier()
    base = {"version": "1", "fig.expense_total": "1316.71万元", "fig.expense_basic": "816.36万元"}
    wrong = site.unit.post_form(f"/dossiers/{d}/preview", {**base, "fig.expense_project": "600.35万元"})
    right = site.unit.post_form(f"/dossiers/{d}/preview", {**base, "fig.expense_project": "500.35万元"})
    assert "816.36" in wrong.text and "sev-error" in wrong.text
    assert "816.36" not in right.text.split("核查发现")[1]


def test_create_from_last_year_carries_figures_as_prior(site: Site) -> None:
    d = site.new_dossier(2023)
    site.unit.post_form(
        f"/dossiers/{d}",
        {
            "version": "1",
            "fig.income_total": "500万元",
            "p.0.name": "项目一",
            "p.0.i.0.name": "人数",
            "p.0.i.0.weight": "10",
            "p.0.i.0.target": "≥10人",
            "p.0.i.0.actual": "12人",
        },
    )
    resp = site.unit.post_form("/dossiers/new", {"year": "2024", "mode": "previous", "previous_id": str(d)})
    assert resp.status_code == 303
    new_id = int(re.search(r"/dossiers/(\d+)", resp.headers["location"]).group(1))  # type: ignore[union-attr]
    data = site.unit.get(f"/api/dossiers/{new_id}").json()["dossier"]
    assert data["year"] == 2024 and data["figures"]["prior_income_total"]["value"] == "500"
    ind = data["projects"][0]["indicators"][0]
    assert ind["target"] == "≥10人" and "actual" not in ind
    other = site.other.post_form("/dossiers/new", {"year": "2025", "mode": "previous", "previous_id": str(d)})
    assert other.status_code == 403
    dup = site.unit.post_form("/dossiers/new", {"year": "2024", "mode": "blank"})
    assert dup.status_code == 422 and "已存在" in dup.text


# ------------------------------------------------------------------ uploads


def test_uploads_are_sniffed_limited_and_served_only_to_those_allowed(tmp_path: Path) -> None:
    s = _site(tmp_path, max_upload_bytes=64 * 1024)
    d = s.new_dossier()
    url = f"/dossiers/{d}/attachments"
    ok = s.unit.post_form(url, files={"file": ("佐证材料.txt", "会议纪要".encode(), "text/plain")})
    assert ok.status_code == 303
    fake = s.unit.post_form(url, files={"file": ("报告.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert fake.status_code == 422 and "内容与扩展名" in fake.text
    exe = s.unit.post_form(url, files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert exe.status_code == 422 and "不支持的文件类型" in exe.text
    big = s.unit.post_form(url, files={"file": ("big.txt", b"a" * (2 * 1024 * 1024), "text/plain")})
    assert big.status_code == 413
    mid = s.unit.post_form(url, files={"file": ("mid.txt", b"a" * (80 * 1024), "text/plain")})
    assert mid.status_code == 422 and "过大" in mid.text
    att = s.unit.get(f"/api/dossiers/{d}/attachments").json()[0]
    download = s.reviewer.get(f"/attachments/{att['id']}")
    assert download.content == "会议纪要".encode()
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert s.other.get(f"/attachments/{att['id']}").status_code == 403
    assert s.unit.get(f"/static/{att['sha256']}").status_code == 404
    files_dir = s.app.state.jx.store.files_dir
    assert files_dir.is_relative_to(tmp_path) and not files_dir.is_relative_to(
        Path(__file__).parents[1] / "src"
    )
    s.app.state.jx.store.dispose()


# ------------------------------------------------------------------ which framework an uploaded report follows

# Written for these tests: a district report in the Guangzhou table's own terms (its 一级/二级 indicator names
# as headings) from a unit that names its district in the title.
GUANGZHOU_REPORT = """2024年度广州市番禺区示范服务中心部门整体支出绩效自评报告

一、部门基本情况
全年预算数500.00万元，全年执行数480.00万元，预算执行率96.00%。

二、绩效自评情况
（一）管理效能
1.绩效管理：已建立绩效管理制度。
2.资金管理：预算编制质量良好。
3.采购管理：按规定执行政府采购。
4.资产管理：资产账务核对一致。
（二）履职效能
全年重点工作按期完成。
"""
# An admin's own framework: made-up indicator names and hints, so only this framework can match them.
STAR_FRAMEWORK = """\
schema: jixiao.framework/1
id: star-county
name: 星县部门整体支出指标体系
kind: 部门整体
region: 星县
match:
  title_keywords: [整体支出绩效自评]
  region_keywords: [星县]
items:
  - id: light
    name: 星光计划落实度
    weight: 60
    rule: {kind: manual}
  - id: river
    name: 银河服务满意指数
    weight: 40
    rule: {kind: manual}
"""
STAR_REPORT = """2024年度星县示范服务中心部门整体支出绩效自评报告
一、星光计划落实度
计划全部落实。
二、银河服务满意指数
服务对象满意。
"""


def _upload(site: Site, text: str, choice: str | None = "auto", year: int = 2024):  # type: ignore[no-untyped-def]
    data = {"year": str(year), "mode": "upload"}
    if choice is not None:
        data["report_framework"] = choice
    return site.unit.post_form(
        "/dossiers/new", data, files={"report": ("自评报告.txt", text.encode(), "text/plain")}
    )


def _created(site: Site, resp) -> tuple[dict, str]:  # type: ignore[no-untyped-def, type-arg]
    """The new dossier's JSON and the page the upload redirected to."""
    assert resp.status_code == 303, resp.text
    d = int(re.search(r"/dossiers/(\d+)", resp.headers["location"]).group(1))  # type: ignore[union-attr]
    return site.unit.get(f"/api/dossiers/{d}").json()["dossier"], site.unit.get(resp.headers["location"]).text


def test_the_upload_form_offers_recognition_first_then_every_framework(site: Site) -> None:
    site.admin.api("POST", "/api/frameworks", json={"source": STAR_FRAMEWORK, "filename": "star.yaml"})
    page = site.unit.get("/dossiers/new").text
    select = re.search(r'<select name="report_framework">(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"', select.group(1))
    assert options[0] == "auto" and "自动识别（按报告内容）" in select.group(1)
    assert {"guangzhou-district-overall", "hunan-overall", "star-county"} <= set(options[1:])


def test_an_uploaded_guangzhou_report_gets_the_district_framework_with_the_reason(site: Site) -> None:
    dossier, page = _created(site, _upload(site, GUANGZHOU_REPORT))
    assert dossier["framework"] == "guangzhou-district-overall"
    line = next(li for li in re.findall(r"<li>([^<]*)</li>", page) if "已按报告内容识别指标体系" in li)
    assert (
        "已按报告内容识别指标体系：广州市区级部门整体支出绩效自评指标体系（guangzhou-district-overall）——依据："
        in line
    )
    assert "广州" in line and "管理效能" in line  # the region and the indicator names it found
    assert re.search(r'<option value="guangzhou-district-overall" selected>', page)  # the field to change it


def test_an_explicit_framework_choice_wins_over_recognition(site: Site) -> None:
    dossier, page = _created(site, _upload(site, GUANGZHOU_REPORT, "hunan-overall"))
    assert dossier["framework"] == "hunan-overall"
    assert "识别指标体系" not in page
    unknown = _upload(site, GUANGZHOU_REPORT, "no-such-framework", year=2025)
    assert unknown.status_code == 422 and "未知的指标体系“no-such-framework”" in unknown.text
    assert [d["year"] for d in site.unit.get("/api/dossiers").json()] == [2024]  # nothing created


def test_an_unrecognisable_report_keeps_the_default_and_asks_to_check(site: Site) -> None:
    for year, choice in ((2024, "auto"), (2025, None)):  # a form without the field recognises too
        dossier, page = _created(site, _upload(site, REPORT, choice, year))
        assert dossier["framework"] == "guangzhou-district-overall"  # the default for 部门整体
        warning = next(li for li in re.findall(r"<li>([^<]*)</li>", page) if "指标体系" in li)
        assert warning.startswith("未能按报告内容确定指标体系")
        assert (
            "已暂按默认的广州市区级部门整体支出绩效自评指标体系（guangzhou-district-overall）建档" in warning
        )
        assert "“指标体系”中核对" in warning


def test_a_report_near_two_frameworks_names_the_candidates(site: Site) -> None:
    # 管理效能 and 绩效管理 point at the Guangzhou table, but no title, region or enough names back it up.
    resp = _upload(site, "2024年度示范服务中心工作情况\n一、管理效能\n二、绩效管理\n全年工作顺利。\n")
    dossier, page = _created(site, resp)
    assert dossier["framework"] == "guangzhou-district-overall"
    warning = next(li for li in re.findall(r"<li>([^<]*)</li>", page) if "指标体系" in li)
    assert "未能按报告内容确定指标体系" in warning and "候选：" in warning
    assert "guangzhou-district-overall，把握度 0." in warning


def test_an_admin_uploaded_framework_is_recognised_by_its_own_hints(site: Site) -> None:
    resp = site.admin.api("POST", "/api/frameworks", json={"source": STAR_FRAMEWORK, "filename": "star.yaml"})
    assert resp.status_code == 201, resp.text
    dossier, page = _created(site, _upload(site, STAR_REPORT))
    assert dossier["framework"] == "star-county"
    assert "已按报告内容识别指标体系：星县部门整体支出指标体系（star-county）——依据：" in page
    assert "星县" in page and "星光计划落实度" in page
    # the built-in Guangzhou report is still told apart with the uploaded framework on the site
    again = _created(site, _upload(site, GUANGZHOU_REPORT, year=2025))[0]
    assert again["framework"] == "guangzhou-district-overall"


def test_a_failing_recognition_degrades_to_the_default_with_a_warning(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.web import engine

    def broken(*_args: object) -> None:
        raise RuntimeError("recognition exploded")

    monkeypatch.setattr(engine, "recognise", broken)
    dossier, page = _created(site, _upload(site, GUANGZHOU_REPORT))
    assert dossier["framework"] == "guangzhou-district-overall"
    assert (
        "未能按报告内容识别指标体系（识别时出错，已记录日志）" in page and "recognition exploded" not in page
    )


# ------------------------------------------------------------------ workflow, history, dashboard


def test_submit_return_resubmit_approve_with_history_and_diff(site: Site) -> None:
    d = site.new_dossier()
    site.unit.post_form(f"/dossiers/{d}", {"version": "1", "fig.budget_total": "100万元"})
    assert site.unit.post_form(f"/dossiers/{d}/submit", {"version": "2"}).status_code == 303
    locked = site.unit.post_form(f"/dossiers/{d}", {"version": "3", "fig.budget_total": "1万元"})
    assert locked.status_code == 422 and "不能再修改" in locked.text
    assert "disabled" in site.unit.get(f"/dossiers/{d}").text
    assert (
        site.reviewer.post_form(f"/dossiers/{d}/review", {"version": "3", "opinion": "初步意见"}).status_code
        == 303
    )
    empty = site.reviewer.post_form(f"/dossiers/{d}/return", {"version": "4", "comment": " "})
    assert empty.status_code == 422 and "退回意见" in empty.text
    assert site.reviewer.post_form(f"/dossiers/{d}/approve", {"version": "3"}).status_code == 409
    assert (
        site.reviewer.post_form(
            f"/dossiers/{d}/return", {"version": "4", "comment": "请核对预算数"}
        ).status_code
        == 303
    )
    page = site.unit.get(f"/dossiers/{d}").text
    assert "请核对预算数" in page and "已退回" in page
    assert (
        site.unit.post_form(f"/dossiers/{d}", {"version": "5", "fig.budget_total": "120万元"}).status_code
        == 303
    )
    assert site.unit.post_form(f"/dossiers/{d}/submit", {"version": "6"}).status_code == 303
    assert site.reviewer.post_form(f"/dossiers/{d}/approve", {"version": "7"}).status_code == 303
    assert site.unit.get(f"/api/dossiers/{d}").json()["status"] == "approved"
    history = site.reviewer.get(f"/api/dossiers/{d}/history").json()
    assert [h["action"] for h in history] == [
        "approve",
        "submit",
        "edit",
        "return",
        "review",
        "submit",
        "edit",
        "create",
    ]
    assert history[3]["comment"] == "请核对预算数" and history[3]["user"] == "rev"
    diff = site.reviewer.get(f"/api/dossiers/{d}/diff?a=2&b=6").json()
    assert {"field": "数值 › 全年预算数（调整后预算数） › 值", "before": "100", "after": "120"} in diff
    page = site.reviewer.get(f"/dossiers/{d}/history?a=2&b=6").text
    assert ("120" in page and "修改历史" in page and "rev" in page) or "复核" in page


def test_dashboard_sorts_filters_and_draws_a_chart(site: Site) -> None:
    a = site.new_dossier()
    site.unit.post_form(
        f"/dossiers/{a}", {"version": "1", "fig.budget_total": "100万元", "fig.executed_total": "95万元"}
    )
    b = site.new_dossier(client=site.other)
    site.other.post_form(
        f"/dossiers/{b}", {"version": "1", "fig.budget_total": "100万元", "fig.executed_total": "60万元"}
    )
    board = site.reviewer.get("/api/dashboard?sort=rate&desc=true").json()
    assert [r["unit"] for r in board["rows"]] == ["示范单位甲", "示范单位乙"]
    assert board["rows"][0]["execution_rate"] == "95.00"
    assert site.reviewer.get("/api/dashboard?sort=rate").json()["rows"][0]["unit"] == "示范单位乙"
    assert site.reviewer.get("/api/dashboard?q=乙").json()["rows"][0]["unit"] == "示范单位乙"
    assert site.reviewer.get("/api/dashboard?status=approved").json()["rows"] == []
    page = site.reviewer.get("/dashboard?year=2024&sort=score&desc=1")
    assert page.status_code == 200 and "<svg" in page.text and "示范单位乙" in page.text
    assert "单位 × 年度" in page.text


# ------------------------------------------------------------------ admin


def test_admin_manages_units_users_and_frameworks(site: Site) -> None:
    assert site.admin.post_form("/admin/units", {"name": "新单位丙"}).status_code == 303
    units = site.admin.get("/api/units").json()
    unit = next(u for u in units if u["name"] == "新单位丙")
    resp = site.admin.post_form(
        "/admin/users", {"username": "uc", "password": PASSWORD, "role": "unit", "unit_id": str(unit["id"])}
    )
    assert resp.status_code == 303
    assert Browser(site.app).login("uc").get("/api/me").json()["user"]["unit_id"] == unit["id"]
    no_unit = site.admin.post_form("/admin/users", {"username": "ud", "password": PASSWORD, "role": "unit"})
    assert no_unit.status_code == 422 and "必须属于一个单位" in no_unit.text
    bad = site.admin.post_form("/admin/frameworks", files={"file": ("坏.yaml", b"id: [", "text/yaml")})
    assert bad.status_code == 422 and "YAML" in bad.text
    good_yaml = (
        "schema: jixiao.framework/1\nid: test-local\nname: 测试指标体系\nkind: 部门整体\nitems:\n"
        "  - id: rate\n    name: 预算执行率\n    weight: 100\n    rule:\n      kind: ratio\n"
        "      value: [execution_rate, {ratio: [executed_total, budget_total]}]\n"
    )
    good = site.admin.post_form(
        "/admin/frameworks", files={"file": ("t.yaml", good_yaml.encode(), "text/yaml")}
    )
    assert good.status_code == 303, good.text
    assert any(
        f["id"] == "test-local" and f["origin"] == "上传" for f in site.unit.get("/api/frameworks").json()
    )
    d = site.new_dossier()
    form = {
        "version": "1",
        "framework": "test-local",
        "fig.budget_total": "200万元",
        "fig.executed_total": "150万元",
    }
    assert site.unit.post_form(f"/dossiers/{d}", form).status_code == 303
    row = site.unit.get(f"/api/dossiers/{d}").json()
    assert row["score_total"] == "75.00"
    # an admin may open a dossier for any unit
    other_unit = next(u for u in units if u["name"] == "示范单位乙")
    made = site.admin.post_form(
        "/dossiers/new",
        {"year": "2022", "mode": "blank", "unit_id": str(other_unit["id"]), "framework": "test-local"},
    )
    assert made.status_code == 303
    created = site.other.get("/api/dossiers?year=2022").json()
    assert len(created) == 1 and created[0]["unit"] == "示范单位乙"


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "method,url,body",
    [
        ("GET", "/dossiers/-1", None),
        ("GET", "/dossiers/1e9", None),
        ("GET", "/nowhere", None),
        ("GET", "/dashboard?year=abc&sort=zzz&status=bogus", None),
        ("GET", "/dossiers/1/history?a=x&b=", None),
        ("POST", "/dossiers/new", {"year": "99999", "mode": "weird"}),
        ("POST", "/dossiers/1/teleport", {}),
        ("GET", "/api/dossiers?year=abc", None),
        ("GET", "/api/dossiers/1/documents/exe", None),
        ("POST", "/api/dossiers", {"year": "二〇二四"}),
        ("PUT", "/api/dossiers/1", {"dossier": []}),
        ("POST", "/api/dossiers/1/preview", {"dossier": {"year": "x"}}),
        ("GET", "/api/dashboard?sort=evil", None),
        ("DELETE", "/api/dossiers/1", None),
    ],
)
def test_bad_input_never_causes_a_500(shared_site: Site, method: str, url: str, body: dict | None) -> None:
    site = shared_site
    if url.startswith("/api/"):
        resp = site.admin.api(method, url, json=body)
        assert resp.status_code < 500 and resp.json()["detail"]
        assert re.search(r"[\u4e00-\u9fff]", resp.json()["detail"])
    elif method == "GET":
        resp = site.admin.get(url)
        assert resp.status_code < 500
    else:
        resp = site.admin.post_form(url, body)
        assert resp.status_code < 500
    assert "Traceback" not in resp.text


def test_unexpected_errors_show_a_chinese_500_without_details(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.web import services

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "visible_dossiers", boom)
    page = site.unit.get("/dossiers")
    assert page.status_code == 500 and "服务器内部错误" in page.text and "secret" not in page.text
    api = site.unit.get("/api/dossiers")
    assert api.status_code == 500 and "secret" not in api.text and "内部错误" in api.json()["detail"]


def test_openapi_describes_the_api(shared_site: Site) -> None:
    spec = Browser(shared_site.app).get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/dossiers",
        "/api/dossiers/{dossier_id}",
        "/api/dossiers/{dossier_id}/{action}",
        "/api/dashboard",
        "/api/dossiers/{dossier_id}/attachments",
        "/api/login",
    ):
        assert path in paths
    assert "409" in paths["/api/dossiers/{dossier_id}"]["put"]["responses"]
    assert not any(p.startswith("/dossiers") for p in paths)  # pages stay out of the API description


def test_user_text_is_escaped_everywhere(site: Site) -> None:
    evil = '<script>alert("x")</script>'
    d = site.new_dossier()
    form = {
        "version": "1",
        "text.存在的问题": evil,
        "p.0.name": evil,
        "p.0.i.0.name": evil,
        "p.0.i.0.weight": "5",
    }
    assert site.unit.post_form(f"/dossiers/{d}", form).status_code == 303
    site.admin.api("POST", "/api/units", json={"name": evil})
    for client, url in (
        (site.unit, f"/dossiers/{d}"),
        (site.reviewer, "/dashboard"),
        (site.admin, "/admin"),
        (site.reviewer, f"/dossiers/{d}/history"),
    ):
        page = client.get(url).text
        assert evil not in page, url


def test_api_docs_page_lists_the_api_without_cdn_scripts(shared_site: Site) -> None:
    page = shared_site.unit.get("/api/docs")
    assert page.status_code == 200 and "/api/dossiers/{dossier_id}" in page.text and "保存档案" in page.text
    assert "cdn" not in page.text.lower() and '<script src="http' not in page.text
    for url in ("/dossiers", "/login"):
        assert "https://" not in Browser(shared_site.app).get(url).text


def test_a_filled_excel_template_becomes_a_dossier(site: Site, tmp_path: Path) -> None:
    from decimal import Decimal

    from jixiao.frameworks import load_framework
    from jixiao.template import write_template
    from jixiao.web.demo import demo_dossier

    framework = load_framework("guangzhou-district-overall")
    filled = demo_dossier("模板里的单位名", "某区", 2024, Decimal("0.9")).model_copy(
        update={"framework": framework.id}
    )
    path = write_template(framework, tmp_path / "填报模板.xlsx", filled)
    resp = site.unit.post_form(
        "/dossiers/new",
        {"year": "2024", "mode": "upload"},
        files={"report": ("填报模板.xlsx", path.read_bytes(), "application/octet-stream")},
    )
    assert resp.status_code == 303, resp.text
    d = int(re.search(r"/dossiers/(\d+)", resp.headers["location"]).group(1))  # type: ignore[union-attr]
    data = site.unit.get(f"/api/dossiers/{d}").json()
    assert data["dossier"]["unit"]["name"] == "示范单位甲"
    assert (
        Decimal(data["dossier"]["figures"]["budget_total"]["value"]) == filled.figures["budget_total"].value
    )
    assert data["dossier"]["projects"][0]["indicators"][0]["target"] == "≥250人"


def test_targets_are_checked_as_typed(site: Site) -> None:
    d = site.new_dossier()
    form = {"version": "1", "p.0.name": "项目", "p.0.i.0.name": "人数", "p.0.i.0.weight": "10"}
    bad = site.unit.post_form(f"/dossiers/{d}", {**form, "p.0.i.0.target": "abc%%"})
    assert bad.status_code == 422 and 'data-field="p.0.i.0.target"' in bad.text and "年度指标值" in bad.text
    for target in ("≥95%", "不低于250人", "有效提升"):
        ok = site.unit.post_form(
            f"/dossiers/{d}", {**form, "version": str(site.version(d)), "p.0.i.0.target": target}
        )
        assert ok.status_code == 303, target
