"""Server-rendered pages (Jinja2). Forms post back here; small JS refreshes the live score panel."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from jixiao.errors import InputError, JixiaoError
from jixiao.store import ConflictError
from jixiao.store.models import ROLES, STATUSES
from jixiao.store.workflow import unit_can_edit
from jixiao.web import forms, services
from jixiao.web.access import (
    Actor,
    AuthRequired,
    can_edit_dossier,
    can_review,
    require_admin,
    require_dashboard,
)
from jixiao.web.auth import (
    anon_csrf,
    check_anon_csrf,
    current_actor,
    end_session,
    login,
    require_actor,
    require_writer,
    set_anon_csrf_cookie,
    start_session,
)
from jixiao.web.security import check_password_strength
from jixiao.web.uploads import REPORT_SUFFIXES, check_upload

router = APIRouter(include_in_schema=False)


def _jx(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.jx


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    jx = _jx(request)
    context.setdefault("actor", current_actor(request))
    context.setdefault("flash", flash_message(request))
    response = jx.templates.TemplateResponse(request, name, context, status_code=status)
    token = getattr(request.state, "new_anon_csrf", None)
    if token:
        set_anon_csrf_cookie(request, response, token)
    return response


def flash_message(request: Request) -> str | None:
    from jixiao.web.messages import FLASH

    return FLASH.get(request.query_params.get("msg", ""))


def redirect(url: str, msg: str | None = None) -> RedirectResponse:
    if msg:
        url += ("&" if "?" in url else "?") + f"msg={msg}"
    return RedirectResponse(url, status_code=303)


async def form_of(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.multi_items()}


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------ login, logout, first run


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    jx = _jx(request)
    if jx.store.count_users() == 0:
        return redirect("/setup")
    actor = current_actor(request)
    if actor is None:
        return redirect("/login")
    if actor.is_reviewer:
        return redirect("/dashboard")
    return redirect("/dossiers")


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request) -> Response:
    if _jx(request).store.count_users() > 0:
        return redirect("/login")
    return render(request, "setup.html", csrf=anon_csrf(request), errors={}, values={})


@router.post("/setup", response_class=HTMLResponse)
async def setup_submit(request: Request) -> Response:
    jx = _jx(request)
    await check_anon_csrf(request)
    if jx.store.count_users() > 0:
        return redirect("/login")
    form = await form_of(request)
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "请填写用户名"
    try:
        check_password_strength(password, username)
    except InputError as exc:
        errors["password"] = exc.message
    if password != form.get("password2"):
        errors["password2"] = "两次输入的密码不一致"
    if errors:
        return render(request, "setup.html", 422, csrf=anon_csrf(request), errors=errors, values=form)
    jx.store.create_user(
        username, jx.hasher.hash(password), "admin", display_name=str(form.get("display_name") or "")
    )
    return redirect("/login", "setup_done")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    if _jx(request).store.count_users() == 0:
        return redirect("/setup")
    return render(
        request,
        "login.html",
        csrf=anon_csrf(request),
        error=None,
        username="",
        next=request.query_params.get("next", ""),
    )


def _safe_next(value: str) -> str:
    # Only local paths, never "//host" or "http://…", so login cannot redirect off-site.
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    await check_anon_csrf(request)
    form = await form_of(request)
    username = str(form.get("username", ""))
    try:
        user = login(request, username, str(form.get("password", "")))
    except InputError as exc:
        from jixiao.web.auth import Throttled

        status = 429 if isinstance(exc, Throttled) else 401
        return render(
            request,
            "login.html",
            status,
            csrf=anon_csrf(request),
            error=exc.message,
            username=username,
            next=str(form.get("next", "")),
        )
    response = redirect(_safe_next(str(form.get("next") or "/")))
    start_session(request, response, user)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await require_writer(request)
    response = redirect("/login", "logged_out")
    end_session(request, response)
    return response


# ------------------------------------------------------------------ dossiers


@router.get("/dossiers", response_class=HTMLResponse)
def dossier_list(request: Request) -> Response:
    jx = _jx(request)
    actor = require_actor(request)
    rows = services.visible_dossiers(jx, actor)
    return render(request, "dossiers.html", rows=rows)


def _new_context(request: Request, actor: Actor, **extra: Any) -> dict[str, Any]:
    jx = _jx(request)
    units = jx.store.list_units() if actor.is_admin else []
    previous = services.visible_dossiers(jx, actor)
    return {
        "units": units,
        "previous": previous,
        "frameworks": services.framework_choices(jx),
        "kinds": services.KINDS,
        "errors": {},
        "values": {},
        **extra,
    }


@router.get("/dossiers/new", response_class=HTMLResponse)
def dossier_new(request: Request) -> Response:
    actor = require_actor(request)
    services.require_creator(actor)
    return render(request, "new.html", **_new_context(request, actor))


@router.post("/dossiers/new", response_class=HTMLResponse)
async def dossier_create(request: Request) -> Response:
    jx = _jx(request)
    actor = await require_writer(request)
    services.require_creator(actor)
    form = await form_of(request)
    mode = form.get("mode", "blank")
    unit_id = _int(form.get("unit_id")) if actor.is_admin else None
    try:
        if mode == "previous":
            previous_id = _int(form.get("previous_id"))
            if previous_id is None:
                raise InputError("请选择上年档案")
            row = services.create_from_previous(jx, actor, previous_id=previous_id, year=form.get("year"))
            warnings: list[str] = []
        elif mode == "upload":
            upload = form.get("report")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InputError("请选择要上传的自评报告或填报模板")
            checked = check_upload(
                upload.filename, await upload.read(), jx.settings.max_upload_bytes, allowed=REPORT_SUFFIXES
            )
            row, warnings, _decision = services.create_from_upload(
                jx,
                actor,
                unit_id=unit_id,
                year=form.get("year"),
                upload=checked,
                framework=str(form.get("report_framework") or services.AUTO_FRAMEWORK),
            )
        else:
            row = services.create_blank(
                jx,
                actor,
                unit_id=unit_id,
                year=form.get("year"),
                kind=str(form.get("kind") or "部门整体"),
                framework=str(form.get("framework") or "") or None,
            )
            warnings = []
    except InputError as exc:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        errors = getattr(exc, "errors", None) or {"_": exc.message}
        return render(request, "new.html", 422, **_new_context(request, actor, errors=errors, values=values))
    url = f"/dossiers/{row.id}?msg=created"
    if mode == "upload":
        url += "&extracted=1" + "".join(f"&w={quote(w)}" for w in warnings[:5])
    return RedirectResponse(url, status_code=303)


def _dossier_page(
    request: Request,
    actor: Actor,
    row: Any,
    *,
    status: int = 200,
    dossier: Any = None,
    errors: dict[str, str] | None = None,
    conflict: str | None = None,
) -> Response:
    jx = _jx(request)
    shown = dossier or services.dossier_of(row)
    attachments, uploaded = jx.store.evaluation_inputs(row.id)
    evaluation = services.evaluate(jx, shown, attachments=attachments, uploaded=uploaded)
    inputs = forms.framework_inputs(evaluation.framework, shown)
    editable = can_edit_dossier(actor, row) and unit_can_edit(row.status)
    return render(
        request,
        "dossier.html",
        status,
        row=row,
        dossier=shown,
        evaluation=evaluation,
        figure_rows=forms.figure_rows(shown, inputs.needed_keys),
        inputs=inputs,
        blank_adjustments=forms.ADJUSTMENT_ROWS_BLANK,
        text_parts=_text_parts(shown),
        editable=editable,
        reviewer=can_review(actor),
        can_submit=can_edit_dossier(actor, row) and unit_can_edit(row.status),
        attachments=attachments,
        frameworks=services.framework_choices(jx, uploaded),
        errors=errors or {},
        conflict=conflict,
        extracted=request.query_params.get("extracted") == "1",
        warnings=request.query_params.getlist("w"),
        blank_rows=forms.BLANK_INDICATOR_ROWS,
        blank_projects=forms.BLANK_PROJECT_ROWS,
        blank_figures=forms.BLANK_EXTRA_FIGURES,
    )


def _text_parts(dossier: Any) -> list[str]:
    return list(forms.TEXT_PARTS) + [k for k in dossier.texts if k not in forms.TEXT_PARTS]


@router.get("/dossiers/{dossier_id}", response_class=HTMLResponse)
def dossier_page(request: Request, dossier_id: int) -> Response:
    actor = require_actor(request)
    row = services.view_row(_jx(request), actor, dossier_id)
    return _dossier_page(request, actor, row)


@router.post("/dossiers/{dossier_id}", response_class=HTMLResponse)
async def dossier_save(request: Request, dossier_id: int) -> Response:
    actor = await require_writer(request)
    form = await form_of(request)
    # Scoring, checking and rendering take milliseconds of CPU: a worker thread does them, so the event loop
    # keeps serving other requests meanwhile.
    return await run_in_threadpool(_dossier_save, request, actor, dossier_id, form)


def _dossier_save(request: Request, actor: Actor, dossier_id: int, form: dict[str, Any]) -> Response:
    jx = _jx(request)
    row = services.edit_row(jx, actor, dossier_id)
    dossier, errors = forms.dossier_from_form(form, services.dossier_of(row))
    if dossier is None:
        return _dossier_page(request, actor, row, status=422, errors=errors, dossier=services.dossier_of(row))
    try:
        services.save(jx, actor, row, form.get("version"), dossier)
    except ConflictError as exc:
        # Show the user's own input again next to the conflict message so nothing typed is lost.
        return _dossier_page(
            request, actor, jx.store.get_dossier(dossier_id), status=409, dossier=dossier, conflict=str(exc)
        )
    return redirect(f"/dossiers/{dossier_id}", "saved")


@router.post("/dossiers/{dossier_id}/preview", response_class=HTMLResponse)
async def dossier_preview(request: Request, dossier_id: int) -> Response:
    """The live panel for unsaved input: scorecard and findings, recomputed as the user types."""
    actor = await require_writer(request)
    form = await form_of(request)
    return await run_in_threadpool(_dossier_preview, request, actor, dossier_id, form)


def _dossier_preview(request: Request, actor: Actor, dossier_id: int, form: dict[str, Any]) -> Response:
    jx = _jx(request)
    row = services.view_row(jx, actor, dossier_id)
    stored = services.dossier_of(row)
    dossier, errors = forms.dossier_from_form(form, stored)
    evaluation = services.evaluate(jx, dossier or stored, row.id)
    return render(request, "_live.html", evaluation=evaluation, errors=errors, row=row, preview=True)


@router.post("/dossiers/{dossier_id}/{action}", response_class=HTMLResponse)
async def dossier_action(request: Request, dossier_id: int, action: str) -> Response:
    jx = _jx(request)
    actor = await require_writer(request)
    form = await form_of(request)
    if action == "review":
        services.save_review(jx, actor, dossier_id, form.get("version"), str(form.get("opinion", "")))
        return redirect(f"/dossiers/{dossier_id}", "review_saved")
    if action == "attachments":
        services.editable_row(jx, actor, dossier_id)  # access first: nothing is read for those not allowed
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("请选择要上传的文件")
        checked = check_upload(upload.filename, await upload.read(), jx.settings.max_upload_bytes)
        services.add_attachment(jx, actor, dossier_id, checked)
        return redirect(f"/dossiers/{dossier_id}", "uploaded")
    if action not in ("submit", "return", "approve", "reopen"):
        from jixiao.store import NotFoundError

        raise NotFoundError(f"未知操作“{action}”")
    services.transition(jx, actor, dossier_id, form.get("version"), action, str(form.get("comment", "")))
    return redirect(
        f"/dossiers/{dossier_id}",
        {"submit": "submitted", "return": "returned", "approve": "approved", "reopen": "reopened"}[action],
    )


@router.get("/dossiers/{dossier_id}/source", response_class=HTMLResponse)
def dossier_source(request: Request, dossier_id: int) -> Response:
    """The uploaded report's text with the checker's findings marked where their evidence is."""
    jx = _jx(request)
    actor = require_actor(request)
    row = services.view_row(jx, actor, dossier_id)
    attachments = jx.store.list_attachments(row.id)
    source = services.source_file(jx, attachments)
    if source is None:
        from jixiao.store import NotFoundError

        raise NotFoundError("该档案不是从上传的报告创建的，没有原文可看")
    evaluation = services.evaluate(jx, services.dossier_of(row), attachments=attachments)
    from jixiao.web.engine import source_with_findings

    pieces = source_with_findings(source, evaluation.source_findings)
    return render(request, "source.html", row=row, source=source, pieces=pieces, evaluation=evaluation)


@router.get("/dossiers/{dossier_id}/download/{fmt}")
def dossier_download(request: Request, dossier_id: int, fmt: str) -> Response:
    actor = require_actor(request)
    content, filename, media = services.document(_jx(request), actor, dossier_id, fmt)
    return Response(content, media_type=media, headers=_attachment_headers(filename))


def _attachment_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
    }


@router.get("/attachments/{attachment_id}")
def attachment_download(request: Request, attachment_id: int) -> Response:
    jx = _jx(request)
    actor = require_actor(request)
    att = services.attachment_for_view(jx, actor, attachment_id)
    path = jx.store.blob_path(att.sha256)
    if not path.exists():
        from jixiao.store import NotFoundError

        raise NotFoundError("附件文件已丢失，请联系管理员")
    return Response(path.read_bytes(), media_type=att.content_type, headers=_attachment_headers(att.filename))


@router.post("/attachments/{attachment_id}/delete")
async def attachment_delete(request: Request, attachment_id: int) -> Response:
    jx = _jx(request)
    actor = await require_writer(request)
    dossier_id = services.delete_attachment(jx, actor, attachment_id)
    return redirect(f"/dossiers/{dossier_id}", "deleted")


@router.get("/dossiers/{dossier_id}/history", response_class=HTMLResponse)
def dossier_history(request: Request, dossier_id: int) -> Response:
    jx = _jx(request)
    actor = require_actor(request)
    row = services.view_row(jx, actor, dossier_id)
    versions = jx.store.history(dossier_id)
    a, b = _int(request.query_params.get("a")), _int(request.query_params.get("b"))
    changes = None
    if a is not None and b is not None:
        _va, _vb, changes = services.version_diff(jx, actor, dossier_id, a, b)
    elif len(versions) >= 2:
        a, b = versions[1].version, versions[0].version
        _va, _vb, changes = services.version_diff(jx, actor, dossier_id, a, b)
    return render(request, "history.html", row=row, versions=versions, a=a, b=b, changes=changes)


# ------------------------------------------------------------------ dashboard


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request) -> Response:
    jx = _jx(request)
    actor = require_actor(request)
    require_dashboard(actor)
    qp = request.query_params
    status = qp.get("status") or None
    if status and status not in STATUSES:
        status = None
    board = services.dashboard(
        jx,
        year=_int(qp.get("year")),
        status=status,
        q=qp.get("q", "").strip(),
        sort=qp.get("sort", "unit"),
        desc=qp.get("desc") == "1",
    )
    return render(
        request,
        "dashboard.html",
        board=board,
        statuses=STATUSES,
        q=qp.get("q", ""),
        sort=qp.get("sort", "unit"),
        desc=qp.get("desc") == "1",
        status_filter=status or "",
    )


# ------------------------------------------------------------------ admin


def _admin(request: Request) -> Actor:
    actor = require_actor(request)
    require_admin(actor)
    return actor


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request) -> Response:
    _admin(request)
    return _admin_render(request)


def _admin_render(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    jx = _jx(request)
    return render(
        request,
        "admin.html",
        status,
        units=jx.store.list_units(),
        users=jx.store.list_users(),
        frameworks=services.framework_choices(jx),
        roles=ROLES,
        errors=extra.pop("errors", {}),
        **extra,
    )


@router.post("/admin/{section}", response_class=HTMLResponse)
async def admin_action(request: Request, section: str) -> Response:
    jx = _jx(request)
    actor = await require_writer(request)
    require_admin(actor)
    form = await form_of(request)
    try:
        if section == "units":
            jx.store.create_unit(
                str(form.get("name", "")), str(form.get("region") or ""), str(form.get("code") or "")
            )
            return redirect("/admin", "unit_created")
        if section == "users":
            from jixiao.web.api import create_user_checked

            create_user_checked(
                jx,
                str(form.get("username", "")),
                str(form.get("password", "")),
                str(form.get("role", "")),
                _int(form.get("unit_id")),
                str(form.get("display_name") or ""),
            )
            return redirect("/admin", "user_created")
        if section == "user":
            from jixiao.web.api import update_user_checked

            update_user_checked(
                jx,
                actor,
                _int(form.get("user_id")) or 0,
                form.get("version"),
                role=str(form.get("role") or "") or None,
                unit_id=_int(form.get("unit_id")),
                active=form.get("active") == "1",
                password=str(form.get("password") or ""),
            )
            return redirect("/admin", "user_saved")
        if section == "frameworks":
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InputError("请选择指标体系 YAML 文件")
            from jixiao.web.api import upload_framework_checked

            upload_framework_checked(jx, actor, upload.filename, await upload.read())
            return redirect("/admin", "framework_saved")
        if section == "token":
            token = jx.store.create_api_token(actor.user.id, str(form.get("name") or ""))
            return _admin_render(request, token=token)
    except JixiaoError as exc:
        if isinstance(exc, AuthRequired):
            raise
        errors = getattr(exc, "errors", None) or {section: str(exc)}
        return _admin_render(request, 422, errors=errors)
    raise InputError("未知的管理操作")


# ------------------------------------------------------------------ API description


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """A readable list of the JSON API, rendered from the OpenAPI description (no CDN scripts)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            schema = next(iter(body.values()), {}).get("schema", {}) if body else {}
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "body": schema.get("$ref", "").rsplit("/", 1)[-1],
                    "params": [p["name"] for p in op.get("parameters", [])],
                }
            )
    return render(
        request, "api_docs.html", operations=operations, description=spec["info"].get("description", "")
    )
