"""Who is asking: session cookie (signed id of a DB-backed session) or ``Authorization: Bearer`` token;
CSRF checks for cookie-authenticated writes; login with throttling per account + IP."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request, Response

from jixiao.errors import InputError
from jixiao.store.models import Session, User
from jixiao.web.access import Actor, AuthRequired, Forbidden
from jixiao.web.security import new_token, same_token, verify_password

SESSION_COOKIE = "jixiao_session"
ANON_CSRF_COOKIE = "jixiao_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Throttled(InputError):
    """Too many failed logins (→ 429)."""


class BadCredentials(InputError):
    """Wrong user name or password (→ 401)."""


def _state(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.jx


def current_actor(request: Request) -> Actor | None:
    if "actor" in request.state._state:
        return request.state.actor
    jx = _state(request)
    actor: Actor | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = jx.store.token_user(header[7:].strip())
        if user is None:
            raise AuthRequired("API 令牌无效或已停用")
        actor = Actor(user=user, session=None, via_token=True)
    else:
        sid = jx.signer.unsign(request.cookies.get(SESSION_COOKIE))
        if sid:
            found = jx.store.session_user(sid)
            if found:
                actor = Actor(user=found[1], session=found[0])
    request.state.actor = actor
    return actor


def require_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is None:
        raise AuthRequired("请先登录")
    return actor


async def submitted_csrf(request: Request) -> str | None:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def require_writer(request: Request) -> Actor:
    """An authenticated actor whose state-changing request carries the session's CSRF token."""
    actor = require_actor(request)
    if (
        request.method not in SAFE_METHODS
        and not actor.via_token
        and not same_token(await submitted_csrf(request), actor.csrf_token)
    ):
        raise Forbidden("安全校验失败（CSRF 令牌缺失或不匹配）：请刷新页面后重试")
    return actor


# ------------------------------------------------------------------ anonymous forms (login, first run)


def anon_csrf(request: Request, response: Response | None = None) -> str:
    """A double-submit token for forms shown before login; the cookie is signed so it cannot be forged."""
    jx = _state(request)
    token = jx.signer.unsign(request.cookies.get(ANON_CSRF_COOKIE))
    if token is None:
        token = new_token()
        request.state.new_anon_csrf = token
    if response is not None:
        set_anon_csrf_cookie(request, response, token)
    return token


def set_anon_csrf_cookie(request: Request, response: Response, token: str) -> None:
    jx = _state(request)
    response.set_cookie(
        ANON_CSRF_COOKIE,
        jx.signer.sign(token),
        httponly=True,
        samesite="lax",
        secure=jx.settings.secure_cookies,
        path="/",
    )


async def check_anon_csrf(request: Request) -> None:
    jx = _state(request)
    cookie = jx.signer.unsign(request.cookies.get(ANON_CSRF_COOKIE))
    if not same_token(await submitted_csrf(request), cookie):
        raise Forbidden("安全校验失败（CSRF 令牌缺失或不匹配）：请刷新登录页面后重试")


# ------------------------------------------------------------------ login


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _locked_message(until: datetime) -> str:
    return f"登录失败次数过多，该账号在此地址已被暂时锁定，请于 {until:%H:%M} (UTC) 后再试"


_DUMMY: dict[int, str] = {}


def _dummy_hash(jx) -> str:  # type: ignore[no-untyped-def]
    key = id(jx.hasher)
    if key not in _DUMMY:
        _DUMMY[key] = jx.hasher.hash(new_token())
    return _DUMMY[key]


def login(request: Request, username: str, password: str) -> User:
    """Check credentials with throttling; returns the user or raises a Chinese error."""
    jx = _state(request)
    username = (username or "").strip()
    if not username or not password:
        raise BadCredentials("请输入用户名和密码")
    key = f"{username.lower()}|{client_ip(request)}"
    locked = jx.store.throttle_locked_until(key)
    if locked:
        raise Throttled(_locked_message(locked))
    user = jx.store.user_by_name(username)
    # An unknown name still costs one hash check, so response time does not reveal which names exist.
    stored = user.password_hash if user is not None else _dummy_hash(jx)
    ok = verify_password(jx.hasher, stored, password) and user is not None and user.active
    if not ok:
        until = jx.store.throttle_failure(key, jx.settings.throttle)
        if until:
            raise Throttled(_locked_message(until))
        raise BadCredentials("用户名或密码错误")
    jx.store.throttle_clear(key)
    assert user is not None
    if jx.hasher.check_needs_rehash(user.password_hash):
        jx.store.update_user(user.id, user.version, password_hash=jx.hasher.hash(password))
        user = jx.store.get_user(user.id)
    return user


def open_session(request: Request, user: User) -> Session:
    """A new DB session (a fresh id and CSRF token at every login, so a planted id is worthless)."""
    jx = _state(request)
    return jx.store.create_session(user.id, jx.settings.session_ttl)


def set_session_cookie(request: Request, response: Response, session: Session) -> None:
    jx = _state(request)
    response.set_cookie(
        SESSION_COOKIE,
        jx.signer.sign(session.id),
        httponly=True,
        samesite="lax",
        secure=jx.settings.secure_cookies,
        path="/",
        max_age=int(jx.settings.session_ttl.total_seconds()),
    )


def start_session(request: Request, response: Response, user: User) -> str:
    """Create the DB session and set the cookie; returns the session's CSRF token."""
    session = open_session(request, user)
    set_session_cookie(request, response, session)
    return session.csrf_token


def end_session(request: Request, response: Response) -> None:
    jx = _state(request)
    sid = jx.signer.unsign(request.cookies.get(SESSION_COOKIE))
    if sid:
        jx.store.delete_session(sid)
    response.delete_cookie(SESSION_COOKIE, path="/")
