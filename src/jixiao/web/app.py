"""The FastAPI application factory. All state lives in the database (and attachment files under the data
folder), so several processes can serve one PostgreSQL database behind a proxy."""

from __future__ import annotations

import logging
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from jixiao.errors import InputError, JixiaoError
from jixiao.store import ConflictError, NotFoundError, Store
from jixiao.store.db import is_sqlite
from jixiao.web.access import AuthRequired, Forbidden
from jixiao.web.auth import BadCredentials, Throttled, current_actor
from jixiao.web.engine import FrameworkCatalog
from jixiao.web.messages import pydantic_message
from jixiao.web.security import CookieSigner, make_hasher
from jixiao.web.settings import WebSettings

log = logging.getLogger("jixiao.web")
HERE = Path(__file__).parent


@dataclass
class AppState:
    settings: WebSettings
    store: Store
    signer: CookieSigner
    hasher: object
    templates: Jinja2Templates
    catalog: FrameworkCatalog


class FieldErrors(InputError):
    """A validation failure with messages per field (→ 422)."""

    def __init__(self, errors: dict[str, str], message: str = "提交的内容有误，请按提示修改") -> None:
        super().__init__(message)
        self.errors = errors


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(
    request: Request, status: int, message: str, errors: dict[str, str] | None = None, **extra: object
) -> Response:
    if wants_json(request):
        body: dict[str, object] = {"detail": message}
        if errors:
            body["errors"] = errors
        body.update(extra)
        return JSONResponse(body, status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    jx: AppState = request.app.state.jx
    try:
        actor = current_actor(request)
    except JixiaoError:
        actor = None
    return jx.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "errors": errors or {}, "actor": actor},
        status_code=status,
    )


STATUS_FOR = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (Forbidden, 403),
    (AuthRequired, 401),
    (Throttled, 429),
    (BadCredentials, 401),
    (InputError, 422),
)


async def jixiao_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JixiaoError)
    status = next((code for cls, code in STATUS_FOR if isinstance(exc, cls)), 422)
    extra: dict[str, object] = {}
    if isinstance(exc, ConflictError) and exc.current_version is not None:
        extra["current_version"] = exc.current_version
    return error_response(request, status, str(exc), getattr(exc, "errors", None), **extra)


async def validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form")]
        errors.setdefault(".".join(loc) or "请求", pydantic_message(err))
    return error_response(request, 422, "提交的内容有误，请按提示修改", errors)


HTTP_MESSAGES = {404: "页面或资源不存在", 405: "不支持该请求方法", 413: "请求内容过大"}


async def http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = HTTP_MESSAGES.get(exc.status_code) or (
        exc.detail if isinstance(exc.detail, str) else "请求无效"
    )
    if not any("\u4e00" <= ch <= "\u9fff" for ch in message):
        message = "请求无效"
    return error_response(request, exc.status_code, message)


class CatchAll:
    """Last line: an unexpected error is logged with its traceback and the user sees a Chinese 500 page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict) -> None:  # type: ignore[type-arg]
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            api = str(scope.get("path", "")).startswith("/api")
            response: Response = (
                JSONResponse(
                    {"detail": "服务器内部错误，已记录日志，请稍后重试或联系管理员"}, status_code=500
                )
                if api
                else HTMLResponse(
                    (HERE / "templates" / "500.html").read_text(encoding="utf-8"), status_code=500
                )
            )
            await response(scope, receive, send)


class BodyLimit:
    """Reject oversized request bodies with a Chinese 413 before the app reads them: file uploads
    (multipart) up to the upload limit, forms and JSON up to a much smaller one. A declared Content-Length
    is refused at once; a body sent without one is cut off as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, limit: int, form_limit: int) -> None:
        self.app, self.limit, self.form_limit = app, limit, form_limit

    def _limit_for(self, headers: dict[bytes, bytes]) -> tuple[int, str]:
        if headers.get(b"content-type", b"").startswith(b"multipart/form-data"):
            return self.limit, "上传内容"
        return self.form_limit, "表单或 JSON 请求"

    @staticmethod
    def _too_large(scope: Scope, what: str, limit: int) -> Response:
        message = f"{what}过大，上限为 {limit / 1048576:g} MB"
        if str(scope.get("path", "")).startswith("/api"):
            return JSONResponse({"detail": message}, status_code=413)
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{message}</p>", status_code=413)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit, what = self._limit_for(headers)
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._too_large(scope, what, limit)(scope, receive, send)
            return
        seen, exceeded, responded = 0, False, False

        async def limited_receive() -> dict:  # type: ignore[type-arg]
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # The app sees the client go away (whatever it makes of that is dropped below) and
                    # never holds more than the limit in memory.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:  # type: ignore[type-arg]
            nonlocal responded
            if exceeded and not responded:
                return
            responded = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded or responded:
                raise
        if exceeded and not responded:
            await self._too_large(scope, what, limit)(scope, receive, send)


# Sync routes run on a thread pool and every database call releases the GIL. With the default 5 ms switch
# interval a thread coming back from the database waits up to 5 ms per call behind a thread that is scoring,
# and a page makes a dozen such calls: under 20 concurrent users p95 went from 70 ms to 43 ms at 1 ms.
GIL_SWITCH_INTERVAL = 0.001


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings.from_env()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    store = Store(settings.database_url, settings.data_dir / "files")
    upgrade = settings.auto_upgrade if settings.auto_upgrade is not None else is_sqlite(settings.database_url)
    if upgrade:
        store.upgrade()
    elif not store.is_up_to_date():
        raise JixiaoError("数据库结构不是最新版本：请先运行 jixiao db upgrade")

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    from jixiao.web import view_helpers

    view_helpers.install(templates.env)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        store.dispose()

    app = FastAPI(
        title="jixiao 绩效 API",
        description="预算绩效自评：单位填报、财政局复核。所有界面功能均可通过本 JSON API 调用；"
        "认证方式为会话 Cookie（写操作须带 X-CSRF-Token 头）或 `Authorization: Bearer` 令牌。",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's Swagger page loads its script from a CDN; /api/docs is ours (pages.py)
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.jx = AppState(
        settings=settings,
        store=store,
        signer=CookieSigner(store.secret_key()),
        hasher=make_hasher(settings.argon2_time_cost, settings.argon2_memory_cost),
        templates=templates,
        catalog=FrameworkCatalog(settings.data_dir / "frameworks"),
    )
    app.add_exception_handler(JixiaoError, jixiao_error_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_handler)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from jixiao.web import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    # multipart adds its boundaries and the other form fields to the file itself
    app.add_middleware(
        BodyLimit, limit=settings.max_upload_bytes + 1024 * 1024, form_limit=settings.max_form_bytes
    )
    app.add_middleware(CatchAll)
    return app
