"""The JSON API under /api/ — everything the UI does, for integration with a province's budget system.

Authenticate with the session cookie (state-changing calls then need the ``X-CSRF-Token`` header, from
``POST /api/login`` or ``GET /api/me``) or with ``Authorization: Bearer <token>`` (no CSRF needed).
Errors are JSON ``{"detail": 中文说明, "errors": {字段: 说明}}`` with 401/403/404/409/413/422/429.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from jixiao.errors import InputError
from jixiao.store.models import STATUSES
from jixiao.web import services
from jixiao.web.access import Actor, require_admin, require_dashboard
from jixiao.web.auth import (
    end_session,
    login,
    open_session,
    require_actor,
    require_writer,
    set_session_cookie,
)
from jixiao.web.security import check_password_strength
from jixiao.web.uploads import check_upload

router = APIRouter(prefix="/api", tags=["jixiao"])


def _admin_reader(request: Request) -> Actor:
    actor = require_actor(request)
    require_admin(actor)
    return actor


async def _admin_writer(request: Request) -> Actor:
    actor = await require_writer(request)
    require_admin(actor)
    return actor


async def _actor(request: Request) -> Actor:
    # Run on the event loop like require_writer: a sync dependency costs a second worker-thread round trip
    # per request (more CPU than the indexed session read it would move off the loop).
    return require_actor(request)


ActorDep = Annotated[Actor, Depends(_actor)]
WriterDep = Annotated[Actor, Depends(require_writer)]
# Admin routes check the role in the dependency, before the body is validated, so others get 403 not 422.
AdminReader = Annotated[Actor, Depends(_admin_reader)]
AdminWriter = Annotated[Actor, Depends(_admin_writer)]

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "未登录或令牌无效"},
    403: {"description": "无权限或 CSRF 校验失败"},
    404: {"description": "不存在"},
    409: {"description": "版本冲突：他人已修改"},
    422: {"description": "输入有误（字段级中文说明）"},
}


def _jx(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.jx


# ------------------------------------------------------------------ bodies


class LoginBody(BaseModel):
    username: str
    password: str


class TokenBody(BaseModel):
    name: str = ""


class UnitBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    region: str | None = None
    code: str | None = None
    version: int | None = None


class UserBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str
    role: Literal["unit", "reviewer", "admin"]
    unit_id: int | None = None
    display_name: str = ""


class UserUpdateBody(BaseModel):
    version: int
    role: Literal["unit", "reviewer", "admin"] | None = None
    unit_id: int | None = None
    active: bool | None = None
    password: str | None = None
    display_name: str | None = None


class FrameworkBody(BaseModel):
    source: str = Field(description="指标体系 YAML 全文")
    filename: str = "framework.yaml"


class DossierCreateBody(BaseModel):
    year: int
    kind: Literal["部门整体", "项目支出"] = "部门整体"
    unit_id: int | None = Field(None, description="管理员可指定单位；单位填报人固定为本单位")
    framework: str | None = None
    previous_id: int | None = Field(None, description="以该档案（上年）为基础")
    dossier: dict[str, Any] | None = Field(None, description="完整档案 JSON（jixiao.dossier/1）")


class DossierSaveBody(BaseModel):
    version: int = Field(description="读取时的版本号；与当前版本不同则返回 409")
    dossier: dict[str, Any]


class ActionBody(BaseModel):
    version: int
    comment: str = ""


class ReviewBody(BaseModel):
    version: int
    opinion: str


# ------------------------------------------------------------------ views


def user_json(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_name": user.role_name,
        "unit_id": user.unit_id,
        "active": user.active,
        "version": user.version,
    }


def unit_json(unit: Any) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "region": unit.region,
        "code": unit.code,
        "version": unit.version,
    }


def row_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "unit_id": row.unit_id,
        "unit": row.unit.name,
        "year": row.year,
        "kind": row.kind,
        "status": row.status,
        "status_name": row.status_name,
        "version": row.version,
        "score_total": row.score_total,
        "grade": row.grade,
        "execution_rate": row.execution_rate,
        "findings": {"error": row.findings_error, "warning": row.findings_warning, "info": row.findings_info},
        "updated_at": row.updated_at.isoformat(),
    }


def row_json(row: Any) -> dict[str, Any]:
    return {
        **row_summary(row),
        "dossier": row.data,
        "review_opinion": row.review_opinion,
        "review_comment": row.review_comment,
    }


def evaluation_json(evaluation: Any) -> dict[str, Any]:
    return {
        "scorecard": evaluation.scorecard.model_dump(mode="json", by_alias=True)
        if evaluation.scorecard
        else None,
        "score_note": evaluation.score_note,
        "findings": [f.model_dump(mode="json") for f in evaluation.findings],
        "audit_note": evaluation.audit_note,
        "source_findings": [f.model_dump(mode="json") for f in evaluation.source_findings],
        "source_note": evaluation.source_note,
        "execution_rate": str(evaluation.execution_rate) if evaluation.execution_rate is not None else None,
    }


# ------------------------------------------------------------------ session


@router.post("/login", responses=ERRORS, summary="登录（设置会话 Cookie，返回 CSRF 令牌）")
def api_login(request: Request, body: LoginBody) -> JSONResponse:
    user = login(request, body.username, body.password)
    session = open_session(request, user)
    response = JSONResponse({"user": user_json(user), "csrf_token": session.csrf_token})
    set_session_cookie(request, response, session)
    return response


@router.post("/logout", summary="退出登录")
async def api_logout(request: Request) -> JSONResponse:
    await require_writer(request)
    response = JSONResponse({"ok": True})
    end_session(request, response)
    return response


@router.get("/me", responses=ERRORS, summary="当前用户")
def api_me(actor: ActorDep) -> JSONResponse:
    return JSONResponse({"user": user_json(actor.user), "csrf_token": actor.csrf_token or None})


@router.post("/tokens", responses=ERRORS, summary="为当前用户创建 API 令牌（只返回一次）")
def api_token(request: Request, body: TokenBody, actor: WriterDep) -> JSONResponse:
    return JSONResponse({"token": _jx(request).store.create_api_token(actor.user.id, body.name)})


# ------------------------------------------------------------------ units, users, frameworks


@router.get("/units", responses=ERRORS, summary="单位列表（单位填报人只看到本单位）")
def api_units(request: Request, actor: ActorDep) -> JSONResponse:
    units = _jx(request).store.list_units()
    if actor.is_unit:
        units = [u for u in units if u.id == actor.user.unit_id]
    return JSONResponse([unit_json(u) for u in units])


@router.post("/units", status_code=201, responses=ERRORS, summary="新建单位（管理员）")
def api_unit_create(request: Request, body: UnitBody, actor: AdminWriter) -> JSONResponse:
    require_admin(actor)
    return JSONResponse(
        unit_json(_jx(request).store.create_unit(body.name, body.region, body.code)), status_code=201
    )


@router.put("/units/{unit_id}", responses=ERRORS, summary="修改单位（管理员，带版本号）")
def api_unit_update(request: Request, unit_id: int, body: UnitBody, actor: AdminWriter) -> JSONResponse:
    require_admin(actor)
    if body.version is None:
        raise InputError("缺少版本号 version")
    return JSONResponse(
        unit_json(
            _jx(request).store.update_unit(
                unit_id, body.version, name=body.name, region=body.region, code=body.code
            )
        )
    )


def create_user_checked(
    jx: Any, username: str, password: str, role: str, unit_id: int | None, display_name: str
) -> Any:
    check_password_strength(password, username)
    return jx.store.create_user(username, jx.hasher.hash(password), role, unit_id, display_name)


def update_user_checked(
    jx: Any,
    actor: Actor,
    user_id: int,
    version: Any,
    *,
    role: str | None = None,
    unit_id: int | None = None,
    active: bool | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> Any:
    fields: dict[str, Any] = {}
    if role:
        fields["role"] = role
        fields["unit_id"] = unit_id if role == "unit" else None
    if active is not None:
        if user_id == actor.user.id and not active:
            raise InputError("不能停用自己的账号")
        fields["active"] = active
    if password:
        target = jx.store.get_user(user_id)
        check_password_strength(password, target.username)
        fields["password_hash"] = jx.hasher.hash(password)
    if display_name is not None:
        fields["display_name"] = display_name
    return jx.store.update_user(user_id, services.parse_version(version), **fields)


def upload_framework_checked(jx: Any, actor: Actor, filename: str, content: bytes) -> Any:
    from jixiao.web.engine import validate_framework_source

    if not filename.lower().endswith((".yaml", ".yml")):
        raise InputError("指标体系应为 YAML 文件（.yaml/.yml）")
    if len(content) > 2 * 1024 * 1024:
        raise InputError("指标体系文件过大（上限 2 MB）")
    try:
        source = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("指标体系文件不是 UTF-8 编码", file=filename) from None
    framework_id, name = validate_framework_source(source, filename)
    return jx.store.put_framework(framework_id, name, source, actor.user.id)


@router.get("/users", responses=ERRORS, summary="用户列表（管理员）")
def api_users(request: Request, actor: AdminReader) -> JSONResponse:
    require_admin(actor)
    return JSONResponse([user_json(u) for u in _jx(request).store.list_users()])


@router.post("/users", status_code=201, responses=ERRORS, summary="新建用户（管理员）")
def api_user_create(request: Request, body: UserBody, actor: AdminWriter) -> JSONResponse:
    require_admin(actor)
    return JSONResponse(
        user_json(
            create_user_checked(
                _jx(request), body.username, body.password, body.role, body.unit_id, body.display_name
            )
        ),
        status_code=201,
    )


@router.put("/users/{user_id}", responses=ERRORS, summary="修改用户角色、单位、状态或密码（管理员）")
def api_user_update(request: Request, user_id: int, body: UserUpdateBody, actor: AdminWriter) -> JSONResponse:
    require_admin(actor)
    return JSONResponse(
        user_json(
            update_user_checked(
                _jx(request),
                actor,
                user_id,
                body.version,
                role=body.role,
                unit_id=body.unit_id,
                active=body.active,
                password=body.password,
                display_name=body.display_name,
            )
        )
    )


@router.get("/frameworks", responses=ERRORS, summary="可用指标体系")
def api_frameworks(request: Request, actor: ActorDep) -> JSONResponse:
    return JSONResponse(
        [{"id": c.id, "name": c.name, "origin": c.origin} for c in services.framework_choices(_jx(request))]
    )


@router.post("/frameworks", status_code=201, responses=ERRORS, summary="上传指标体系 YAML（管理员，先校验）")
def api_framework_upload(request: Request, body: FrameworkBody, actor: AdminWriter) -> JSONResponse:
    require_admin(actor)
    row = upload_framework_checked(_jx(request), actor, body.filename, body.source.encode("utf-8"))
    return JSONResponse({"id": row.id, "name": row.name}, status_code=201)


# ------------------------------------------------------------------ dossiers


@router.get("/dossiers", responses=ERRORS, summary="档案列表（按权限过滤）")
def api_dossiers(
    request: Request,
    actor: ActorDep,
    year: int | None = None,
    unit_id: int | None = None,
    status: Literal["draft", "submitted", "returned", "approved"] | None = None,
) -> JSONResponse:
    rows = services.visible_dossiers(_jx(request), actor, year=year, unit_id=unit_id, status=status)
    return JSONResponse([row_summary(r) for r in rows])


@router.post(
    "/dossiers", status_code=201, responses=ERRORS, summary="新建档案：空白、以上年为基础或完整 JSON"
)
def api_dossier_create(request: Request, body: DossierCreateBody, actor: WriterDep) -> JSONResponse:
    jx = _jx(request)
    services.require_creator(actor)
    if body.previous_id is not None:
        row = services.create_from_previous(jx, actor, previous_id=body.previous_id, year=body.year)
    elif body.dossier is not None:
        data = {**body.dossier, "year": body.year, "kind": body.kind}
        if body.framework:
            data["framework"] = body.framework
        row = services.create_from_data(jx, actor, unit_id=body.unit_id, data=data)
    else:
        row = services.create_blank(
            jx, actor, unit_id=body.unit_id, year=body.year, kind=body.kind, framework=body.framework
        )
    return JSONResponse(row_json(row), status_code=201)


UPLOAD_DESCRIPTION = """\
上传自评报告（.txt/.docx/.pdf）或填报模板（.xlsx），抽取数值及其来源后新建档案。

指标体系（表单字段或查询参数 `framework`）：

* `auto`（默认）：按报告内容（指标名称、单位所在地区、标题）在本站全部指标体系（内置与管理员上传）中识别。
  把握度足够时采用识别结果；否则采用该类型的默认指标体系，并在 `warnings` 中列出候选、提示核对。
  识别出错时同样采用默认指标体系并给出提示，不会使上传失败。
* 指标体系 id（见 `GET /api/frameworks`）：按所选建档，不做识别；未知的 id 返回 422。

填报模板自带指标体系时（且未明确选择）采用模板中的指标体系。

响应在档案之外包含 `warnings`（抽取与识别提示，第一条说明指标体系如何确定）和 `framework`：
`id`（所用指标体系）、`origin`（`choice` 所选 / `file` 文件自带 / `detected` 识别 / `default` 默认）、
`detection`（识别结果：`framework_id`（未能确定时为 null）、`confidence`（0–1）、`reasons`（依据或未能确定的原因）、
`candidates`（候选及把握度）；未进行识别或识别出错时为 null）。
"""


@router.post(
    "/dossiers/upload",
    status_code=201,
    responses=ERRORS,
    summary="上传自评报告或填报模板，抽取后新建档案（识别指标体系，返回抽取警告）",
    description=UPLOAD_DESCRIPTION,
)
async def api_dossier_upload(
    request: Request,
    year: Annotated[int, Query()],
    file: Annotated[UploadFile, File()],
    actor: WriterDep,
    unit_id: int | None = None,
    framework: Annotated[str | None, Form(description="指标体系 id；auto（默认）为按报告内容识别")] = None,
    framework_query: Annotated[
        str | None, Query(alias="framework", description="同表单字段 framework（二者取其一）")
    ] = None,
) -> JSONResponse:
    jx = _jx(request)
    services.require_creator(actor)
    from jixiao.web.uploads import REPORT_SUFFIXES

    if framework and framework_query and framework != framework_query:
        from jixiao.web.app import FieldErrors

        raise FieldErrors({"framework": "表单字段与查询参数 framework 不一致，请只传一处"})
    checked = check_upload(
        file.filename or "", await file.read(), jx.settings.max_upload_bytes, allowed=REPORT_SUFFIXES
    )
    row, warnings, decision = services.create_from_upload(
        jx,
        actor,
        unit_id=unit_id if actor.is_admin else None,
        year=year,
        upload=checked,
        framework=framework or framework_query or services.AUTO_FRAMEWORK,
    )
    return JSONResponse(
        {**row_json(row), "warnings": warnings, "framework": decision.json()}, status_code=201
    )


@router.get("/dossiers/{dossier_id}", responses=ERRORS, summary="档案详情（含完整档案 JSON 与版本号）")
def api_dossier(request: Request, dossier_id: int, actor: ActorDep) -> JSONResponse:
    return JSONResponse(row_json(services.view_row(_jx(request), actor, dossier_id)))


@router.put("/dossiers/{dossier_id}", responses=ERRORS, summary="保存档案（版本不符返回 409）")
def api_dossier_save(
    request: Request, dossier_id: int, body: DossierSaveBody, actor: WriterDep
) -> JSONResponse:
    jx = _jx(request)
    row = services.edit_row(jx, actor, dossier_id)
    dossier = services.validate_dossier(body.dossier)
    return JSONResponse(row_json(services.save(jx, actor, row, body.version, dossier)))


@router.get("/dossiers/{dossier_id}/evaluation", responses=ERRORS, summary="评分结果与核查发现")
def api_evaluation(request: Request, dossier_id: int, actor: ActorDep) -> JSONResponse:
    jx = _jx(request)
    row = services.view_row(jx, actor, dossier_id)
    return JSONResponse(evaluation_json(services.evaluate(jx, services.dossier_of(row), row.id)))


@router.post("/dossiers/{dossier_id}/preview", responses=ERRORS, summary="不保存，按提交的档案即时评分与核查")
def api_preview(request: Request, dossier_id: int, body: dict[str, Any], actor: WriterDep) -> JSONResponse:
    jx = _jx(request)
    services.view_row(jx, actor, dossier_id)
    return JSONResponse(
        evaluation_json(
            services.evaluate(jx, services.validate_dossier(body.get("dossier", body)), dossier_id)
        )
    )


@router.put("/dossiers/{dossier_id}/review", responses=ERRORS, summary="保存复核意见草稿（复核人）")
def api_review(request: Request, dossier_id: int, body: ReviewBody, actor: WriterDep) -> JSONResponse:
    return JSONResponse(
        row_json(services.save_review(_jx(request), actor, dossier_id, body.version, body.opinion))
    )


@router.get("/dossiers/{dossier_id}/history", responses=ERRORS, summary="修改历史")
def api_history(request: Request, dossier_id: int, actor: ActorDep) -> JSONResponse:
    jx = _jx(request)
    services.view_row(jx, actor, dossier_id)
    return JSONResponse(
        [
            {
                "version": v.version,
                "action": v.action,
                "status": v.status,
                "comment": v.comment,
                "user": v.user.username if v.user else None,
                "at": v.created_at.isoformat(),
            }
            for v in jx.store.history(dossier_id)
        ]
    )


@router.get("/dossiers/{dossier_id}/versions/{version}", responses=ERRORS, summary="某一版本的完整内容")
def api_version(request: Request, dossier_id: int, version: int, actor: ActorDep) -> JSONResponse:
    jx = _jx(request)
    services.view_row(jx, actor, dossier_id)
    v = jx.store.dossier_version(dossier_id, version)
    return JSONResponse(
        {
            "version": v.version,
            "action": v.action,
            "status": v.status,
            "dossier": v.data,
            "review_opinion": v.review_opinion,
            "comment": v.comment,
            "at": v.created_at.isoformat(),
        }
    )


@router.get("/dossiers/{dossier_id}/diff", responses=ERRORS, summary="两个版本之间的差异")
def api_diff(request: Request, dossier_id: int, a: int, b: int, actor: ActorDep) -> JSONResponse:
    _va, _vb, changes = services.version_diff(_jx(request), actor, dossier_id, a, b)
    return JSONResponse([{"field": f, "before": old, "after": new} for f, old, new in changes])


@router.get("/dossiers/{dossier_id}/attachments", responses=ERRORS, summary="附件列表")
def api_attachments(request: Request, dossier_id: int, actor: ActorDep) -> JSONResponse:
    jx = _jx(request)
    services.view_row(jx, actor, dossier_id)
    return JSONResponse(
        [
            {
                "id": a.id,
                "filename": a.filename,
                "size": a.size,
                "purpose": a.purpose,
                "sha256": a.sha256,
                "content_type": a.content_type,
                "url": f"/api/attachments/{a.id}",
            }
            for a in jx.store.list_attachments(dossier_id)
        ]
    )


@router.post("/dossiers/{dossier_id}/attachments", status_code=201, responses=ERRORS, summary="上传佐证材料")
async def api_attachment_upload(
    request: Request, dossier_id: int, file: Annotated[UploadFile, File()], actor: WriterDep
) -> JSONResponse:
    jx = _jx(request)
    services.editable_row(jx, actor, dossier_id)  # access first: nothing is read for those not allowed
    checked = check_upload(file.filename or "", await file.read(), jx.settings.max_upload_bytes)
    att = services.add_attachment(jx, actor, dossier_id, checked)
    return JSONResponse({"id": att.id, "filename": att.filename, "size": att.size}, status_code=201)


@router.get("/attachments/{attachment_id}", responses=ERRORS, summary="下载附件")
def api_attachment(request: Request, attachment_id: int, actor: ActorDep) -> Response:
    jx = _jx(request)
    att = services.attachment_for_view(jx, actor, attachment_id)
    path = jx.store.blob_path(att.sha256)
    if not path.exists():
        from jixiao.store import NotFoundError

        raise NotFoundError("附件文件已丢失，请联系管理员")
    return Response(
        path.read_bytes(),
        media_type=att.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(att.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete("/attachments/{attachment_id}", responses=ERRORS, summary="删除附件")
def api_attachment_delete(request: Request, attachment_id: int, actor: WriterDep) -> JSONResponse:
    services.delete_attachment(_jx(request), actor, attachment_id)
    return JSONResponse({"ok": True})


@router.get(
    "/dossiers/{dossier_id}/documents/{fmt}",
    responses=ERRORS,
    summary="下载文书：xlsx 自评表、docx/md/html/pdf 自评报告、yaml 档案",
)
def api_document(request: Request, dossier_id: int, fmt: str, actor: ActorDep) -> Response:
    content, filename, media = services.document(_jx(request), actor, dossier_id, fmt)
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get("/dashboard", responses=ERRORS, summary="汇总看板：各单位各年度得分、等级、执行率、发现数")
def api_dashboard(
    request: Request,
    actor: ActorDep,
    year: int | None = None,
    status: Literal["draft", "submitted", "returned", "approved"] | None = None,
    q: str = "",
    sort: Literal["unit", "year", "score", "rate", "errors", "status"] = "unit",
    desc: bool = False,
) -> JSONResponse:
    require_dashboard(actor)
    board = services.dashboard(_jx(request), year=year, status=status, q=q, sort=sort, desc=desc)
    return JSONResponse(
        {"years": board.years, "rows": [row_summary(r) for r in board.rows], "statuses": list(STATUSES)}
    )


# Registered last so /dossiers/{id}/attachments and /preview are matched first.
@router.post(
    "/dossiers/{dossier_id}/{action}",
    responses=ERRORS,
    summary="流程操作：submit 提交 / return 退回（须填 comment）/ approve 通过 / reopen 撤回",
)
def api_action(
    request: Request,
    dossier_id: int,
    action: Literal["submit", "return", "approve", "reopen"],
    body: ActionBody,
    actor: WriterDep,
) -> JSONResponse:
    return JSONResponse(
        row_json(services.transition(_jx(request), actor, dossier_id, body.version, action, body.comment))
    )
