"""The whole story in headless Chromium: first run, admin sets up a unit and accounts, the unit creates its
dossier from an uploaded report, fixes a finding while the score follows its typing, attaches evidence,
downloads the documents and submits; the reviewer returns it, the unit resubmits, the reviewer approves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-9"
# A fictional report written for this test: its expense parts do not add up (816.36 + 600.35 ≠ 1,316.71).
REPORT = """2024年度青川区示范服务中心部门整体支出绩效自评报告

一、部门基本情况
（一）部门整体收支情况
本年支出合计1,316.71万元，其中：基本支出816.36万元，项目支出600.35万元。
全年预算数1,338.80万元，全年执行数1,316.71万元，预算执行率98.35%。

二、绩效自评情况
经自评，本部门2024年度整体支出绩效自评得分为92.50分，等级为优。
"""


def login(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    submit(page, 'button:has-text("登录")')
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def submit(page: Any, selector: str) -> None:
    """Click a button that posts a form and wait for the page that answers it."""
    with page.expect_navigation():
        page.click(selector)


def score_text(page: Any) -> str:
    return page.inner_text("#live [data-score]")


def settled_score(page: Any) -> str:
    """The score once the live panel answers the latest input (the form drops aria-busy then): waiting for
    the first change only could catch the answer to an earlier keystroke when the machine is slow."""
    page.wait_for_selector("#dossier-form:not([aria-busy])", state="attached")
    return score_text(page)


def no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_unit_fills_in_and_reviewer_reviews(new_page: Any, tmp_path: Path) -> None:
    # ---- first run: the admin account
    admin = new_page()
    admin.goto("/")
    assert "首次使用" in admin.content()
    admin.fill('input[name="username"]', "root")
    admin.fill('input[name="password"]', PASSWORD)
    admin.fill('input[name="password2"]', PASSWORD)
    submit(admin, 'button:has-text("创建管理员")')
    assert "管理员账号已创建" in admin.content()
    login(admin, "root")
    admin.goto("/admin")
    admin.fill('form[action="/admin/units"] input[name="name"]', "青川区示范服务中心")
    submit(admin, 'form[action="/admin/units"] button')
    assert "单位已创建" in admin.content()
    for username, role, unit in (("filler", "unit", "青川区示范服务中心"), ("checker", "reviewer", None)):
        form = admin.locator('form[action="/admin/users"]')
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(PASSWORD)
        form.locator('select[name="role"]').select_option(role)
        if unit:
            form.locator('select[name="unit_id"]').select_option(label=unit)
        with admin.expect_navigation():
            form.locator("button").click()
        assert "用户已创建" in admin.content()

    # ---- the unit: a dossier from its uploaded report
    unit = new_page()
    login(unit, "filler")
    with unit.expect_navigation():
        unit.click("text=新建档案")
    unit.fill('input[name="year"]', "2024")
    unit.check('input[name="mode"][value="upload"]')
    report = tmp_path / "自评报告.txt"
    report.write_text(REPORT, encoding="utf-8")
    unit.set_input_files('input[name="report"]', str(report))
    submit(unit, 'button:has-text("创建")')
    unit.wait_for_url("**/dossiers/*")
    assert "自动抽取" in unit.content()
    assert unit.locator(".source", has_text="全年预算数1,338.80万元").count() == 1
    assert unit.locator("#live", has_text="原始报告").count() == 1
    assert no_horizontal_scroll(unit)

    # ---- fix a finding while the live panel follows the typing
    unit.fill('input[name="fig.expense_total"]', "1,316.71万元")
    unit.fill('input[name="fig.expense_basic"]', "816.36万元")
    unit.fill('input[name="fig.expense_project"]', "600.35万元")
    live_findings = unit.locator("#live .findings").first
    live_findings.locator("li.sev-error", has_text="816.36").wait_for()
    unit.fill('input[name="fig.expense_project"]', "500.35万元")
    live_findings.locator("li.sev-error", has_text="816.36").wait_for(state="detached")
    before = settled_score(unit)
    unit.fill('input[name="fig.executed_total"]', "1,210万元")
    unit.fill('input[name="fig.execution_rate"]', "90.38%")  # the stated rate is what the rule reads first
    after = settled_score(unit)
    assert after != before
    submit(unit, 'button:has-text("保存")')
    assert "已保存" in unit.content()
    assert unit.inner_text("#live [data-score]") == after

    # ---- evidence and documents
    evidence = tmp_path / "会议纪要.txt"
    evidence.write_text("绩效自评工作会议纪要", encoding="utf-8")
    unit.set_input_files('#attachments input[name="file"]', str(evidence))
    submit(unit, '#attachments button:has-text("上传")')
    assert "附件已上传" in unit.content() and "会议纪要.txt" in unit.content()
    for label, suffix in (("自评表 (.xlsx)", ".xlsx"), ("自评报告 (.docx)", ".docx")):
        with unit.expect_download() as info:
            unit.click(f"text={label}")
        download = info.value
        assert download.suggested_filename.endswith(suffix)
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.read_bytes()[:2] == b"PK"
    submit(unit, 'button:has-text("提交复核")')
    assert "已提交" in unit.content()
    assert unit.locator("#dossier-form fieldset[disabled]").count() == 1

    # ---- the reviewer returns it with a comment
    reviewer = new_page()
    login(reviewer, "checker")
    assert "/dashboard" in reviewer.url
    assert reviewer.locator("svg.chart").count() == 1
    with reviewer.expect_navigation():
        reviewer.click("text=青川区示范服务中心")
    with reviewer.expect_navigation():
        reviewer.click("text=在原文中查看")  # the report's own error, marked where it is in the text
    assert reviewer.locator("mark.sev-error", has_text="816.36").count() == 1
    with reviewer.expect_navigation():
        reviewer.go_back()
    reviewer.fill('textarea[name="opinion"]', "经复核，预算执行数据已更正。")
    submit(reviewer, 'button:has-text("保存复核意见")')
    assert "复核意见已保存" in reviewer.content()
    reviewer.fill('textarea[name="comment"]', "请补充项目支出明细")
    submit(reviewer, 'button:has-text("退回修改")')
    assert "已退回单位修改" in reviewer.content()

    # ---- the unit sees why, changes a figure and resubmits
    unit.reload()
    assert "请补充项目支出明细" in unit.content()
    unit.fill('textarea[name="text.存在的问题"]', "项目支出明细已补充。")
    submit(unit, 'button:has-text("保存")')
    submit(unit, 'button:has-text("提交复核")')
    assert "已提交" in unit.content()

    # ---- approved; history shows who changed what
    reviewer.reload()
    submit(reviewer, 'button:has-text("复核通过")')
    assert "复核通过" in reviewer.content() and "已通过" in reviewer.content()
    with reviewer.expect_navigation():
        reviewer.click("text=修改历史")
    history = reviewer.content()
    for word in ("从报告抽取创建", "提交", "退回", "通过", "filler", "checker"):
        assert word in history
    rows = reviewer.locator("table.grid tbody tr")
    rows.nth(rows.count() - 1).locator('input[name="a"]').check()
    rows.nth(0).locator('input[name="b"]').check()
    submit(reviewer, 'button:has-text("比较")')
    assert reviewer.locator("table.diff", has_text="1210").count() == 1
    assert no_horizontal_scroll(reviewer)
