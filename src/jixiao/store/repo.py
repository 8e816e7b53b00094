"""The store: every query and write the web app and CLI need, each write in one transaction."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError

from jixiao.errors import InputError
from jixiao.store import migrate
from jixiao.store.db import is_sqlite, make_engine, make_sessionmaker, transaction
from jixiao.store.errors import ConflictError, NotFoundError, WorkflowError
from jixiao.store.models import (
    ROLES,
    ApiToken,
    Attachment,
    DossierRow,
    DossierVersion,
    FrameworkRow,
    LoginThrottle,
    Session,
    Setting,
    Unit,
    User,
    utcnow,
)
from jixiao.store.workflow import next_status, unit_can_edit


@dataclass(frozen=True)
class Summary:
    """What the dashboard shows for a dossier, computed by the caller (scoring + checker) at save time."""

    score_total: str | None = None
    grade: str | None = None
    execution_rate: str | None = None
    errors: int = 0
    warnings: int = 0
    infos: int = 0


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


def _conflict(row: DossierRow | Unit | User | FrameworkRow, expected: int, what: str) -> ConflictError:
    return ConflictError(
        f"{what}已被他人修改（您编辑的是第 {expected} 版，当前为第 {row.version} 版）。"
        "您的修改尚未保存：请刷新页面，查看最新内容后再修改。",
        current_version=row.version,
    )


class Store:
    def __init__(self, url: str, files_dir: Path) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.factory = make_sessionmaker(self.engine)
        self.files_dir = files_dir
        self._sessions: dict[str, tuple[tuple[Any, ...], tuple[Session, User]]] = {}

    # ------------------------------------------------------------ lifecycle

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def upgrade(self) -> None:
        migrate.upgrade(self.engine)

    def is_up_to_date(self) -> bool:
        return migrate.is_up_to_date(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def tx(self, *, write: bool = True):  # type: ignore[no-untyped-def]
        return transaction(self.factory, write=write)

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.tx(write=False) as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def secret_key(self) -> str:
        """The cookie signing secret, created once and shared by every app process through the database."""
        existing = self.setting("secret_key")
        if existing:
            return existing
        try:
            with self.tx() as s:
                if s.get(Setting, "secret_key") is None:
                    s.add(Setting(key="secret_key", value=secrets.token_urlsafe(48)))
        except IntegrityError:
            pass  # another process created it first
        value = self.setting("secret_key")
        assert value is not None
        return value

    # ------------------------------------------------------------ units

    def create_unit(self, name: str, region: str | None = None, code: str | None = None) -> Unit:
        name = name.strip()
        if not name:
            raise InputError("单位名称不能为空")
        try:
            with self.tx() as s:
                if s.scalar(select(Unit).where(Unit.name == name)):
                    raise InputError(f"单位“{name}”已存在")
                unit = Unit(name=name, region=region or None, code=code or None)
                s.add(unit)
                s.flush()
                return unit
        except IntegrityError:
            raise InputError(f"单位“{name}”已存在") from None

    def update_unit(
        self, unit_id: int, expected_version: int, *, name: str, region: str | None, code: str | None
    ) -> Unit:
        try:
            with self.tx() as s:
                unit = s.get(Unit, unit_id)
                if unit is None:
                    raise NotFoundError(f"单位 {unit_id} 不存在")
                if unit.version != expected_version:
                    raise _conflict(unit, expected_version, "单位信息")
                unit.name, unit.region, unit.code = name.strip(), region or None, code or None
                return unit
        except StaleDataError:
            # PostgreSQL: a concurrent edit committed between our read and our versioned UPDATE.
            raise _conflict(self.get_unit(unit_id), expected_version, "单位信息") from None

    def list_units(self) -> list[Unit]:
        with self.tx(write=False) as s:
            return list(s.scalars(select(Unit).order_by(Unit.name)))

    def get_unit(self, unit_id: int) -> Unit:
        with self.tx(write=False) as s:
            unit = s.get(Unit, unit_id)
            if unit is None:
                raise NotFoundError(f"单位 {unit_id} 不存在")
            return unit

    def unit_by_name(self, name: str) -> Unit | None:
        with self.tx(write=False) as s:
            return s.scalar(select(Unit).where(Unit.name == name))

    # ------------------------------------------------------------ users

    def count_users(self) -> int:
        with self.tx(write=False) as s:
            return s.scalar(select(func.count()).select_from(User)) or 0

    def create_user(
        self, username: str, password_hash: str, role: str, unit_id: int | None = None, display_name: str = ""
    ) -> User:
        username = username.strip()
        if not username:
            raise InputError("用户名不能为空")
        if role not in ROLES:
            raise InputError(
                f"角色“{role}”无效，应为 unit（单位填报人）、reviewer（复核人）或 admin（管理员）"
            )
        if role == "unit" and unit_id is None:
            raise InputError("单位填报人必须属于一个单位")
        if role != "unit":
            unit_id = None
        try:
            with self.tx() as s:
                if s.scalar(select(User).where(User.username == username)):
                    raise InputError(f"用户名“{username}”已被使用")
                if unit_id is not None and s.get(Unit, unit_id) is None:
                    raise InputError(f"单位 {unit_id} 不存在")
                user = User(
                    username=username,
                    password_hash=password_hash,
                    role=role,
                    unit_id=unit_id,
                    display_name=display_name or username,
                )
                s.add(user)
                s.flush()
                s.refresh(user)
                return user
        except IntegrityError:
            raise InputError(f"用户名“{username}”已被使用") from None

    def update_user(self, user_id: int, expected_version: int, **fields: Any) -> User:
        try:
            with self.tx() as s:
                user = s.get(User, user_id)
                if user is None:
                    raise NotFoundError(f"用户 {user_id} 不存在")
                if user.version != expected_version:
                    raise _conflict(user, expected_version, "用户信息")
                role = fields.get("role", user.role)
                if role not in ROLES:
                    raise InputError(f"角色“{role}”无效")
                unit_id = fields.get("unit_id", user.unit_id)
                if role == "unit" and unit_id is None:
                    raise InputError("单位填报人必须属于一个单位")
                for key, value in fields.items():
                    setattr(user, key, value)
                if role != "unit":
                    user.unit_id = None
                if fields.get("active") is False or "password_hash" in fields:
                    s.execute(delete(Session).where(Session.user_id == user.id))
                s.flush()
                s.refresh(user)
                return user
        except StaleDataError:
            # PostgreSQL: a concurrent edit committed between our read and our versioned UPDATE.
            raise _conflict(self.get_user(user_id), expected_version, "用户信息") from None

    def get_user(self, user_id: int) -> User:
        with self.tx(write=False) as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFoundError(f"用户 {user_id} 不存在")
            return user

    def user_by_name(self, username: str) -> User | None:
        with self.tx(write=False) as s:
            return s.scalar(select(User).where(User.username == username.strip()))

    def list_users(self) -> list[User]:
        with self.tx(write=False) as s:
            return list(s.scalars(select(User).order_by(User.username)))

    # ------------------------------------------------------------ sessions and tokens

    def create_session(self, user_id: int, ttl: timedelta) -> Session:
        with self.tx() as s:
            now = utcnow()
            # Expired sessions are swept here, on login, so no background job is needed.
            s.execute(delete(Session).where(Session.expires_at < now))
            row = Session(
                id=secrets.token_urlsafe(32),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + ttl,
            )
            s.add(row)
            return row

    # What can change about a logged-in session: its row (gone on logout), expiry, and the user and unit rows,
    # whose version columns move with every update. One Core query reads them all.
    _SESSION_STAMP = (
        select(Session.expires_at, User.active, User.version, Unit.version)
        .join(User, User.id == Session.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(Session.id == bindparam("sid"))
    )
    _SESSION_CACHE_SIZE = 4096

    def session_user(self, session_id: str) -> tuple[Session, User] | None:
        """The session and its user, checked against the database on every call. Every request makes this
        call, and loading the ORM objects cost five times the query itself: they are kept per process and
        reused while the stamp (expiry, user and unit versions) read fresh from the database is unchanged,
        so a logout, deactivation or edit in any process is seen at once."""
        with self.engine.connect() as conn:
            stamp = conn.execute(self._SESSION_STAMP, {"sid": session_id}).first()
        if stamp is None:
            self._sessions.pop(session_id, None)
            return None
        expires_at, active, _user_version, _unit_version = stamp
        if expires_at < utcnow() or not active:
            return None
        cached = self._sessions.get(session_id)
        if cached is not None and cached[0] == tuple(stamp):
            return cached[1]
        with self.tx(write=False) as s:
            found = (
                s.execute(
                    select(Session, User)
                    .join(User, User.id == Session.user_id)
                    .where(Session.id == session_id)
                )
                .unique()
                .first()
            )
            if found is None:
                return None
            row, user = found
            if row.expires_at < utcnow() or not user.active:
                return None
            loaded = (row.expires_at, user.active, user.version, user.unit.version if user.unit else None)
        if len(self._sessions) >= self._SESSION_CACHE_SIZE:
            self._sessions.clear()
        self._sessions[session_id] = (loaded, (row, user))
        return row, user

    def delete_session(self, session_id: str) -> None:
        with self.tx() as s:
            s.execute(delete(Session).where(Session.id == session_id))

    def create_api_token(self, user_id: int, name: str = "") -> str:
        raw = "jx_" + secrets.token_urlsafe(32)
        with self.tx() as s:
            s.add(ApiToken(user_id=user_id, name=name, token_hash=hashlib.sha256(raw.encode()).hexdigest()))
        return raw

    def token_user(self, raw: str) -> User | None:
        digest = hashlib.sha256(raw.encode()).hexdigest()
        with self.tx(write=False) as s:
            token = s.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
            if token is None:
                return None
            user = s.get(User, token.user_id)
            return user if user is not None and user.active else None

    # ------------------------------------------------------------ login throttling

    def throttle_locked_until(self, key: str) -> datetime | None:
        with self.tx(write=False) as s:
            row = s.get(LoginThrottle, key)
            if row and row.locked_until and row.locked_until > utcnow():
                return row.locked_until
            return None

    def throttle_failure(self, key: str, policy: ThrottlePolicy) -> datetime | None:
        """Count a failed login; return the lock expiry when this failure locks the account+IP."""
        try:
            return self._throttle_failure(key, policy)
        except IntegrityError:
            # Another request inserted this key's first failure at the same moment: count on its row.
            return self._throttle_failure(key, policy)

    def _throttle_failure(self, key: str, policy: ThrottlePolicy) -> datetime | None:
        with self.tx() as s:
            now = utcnow()
            # Locked on PostgreSQL (SQLite write transactions are serial): parallel guesses, from any number
            # of app processes, must each be counted.
            row = s.get(LoginThrottle, key, with_for_update=not self.is_sqlite)
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                s.add(row)
            if now - row.window_start > policy.window:
                row.failures, row.window_start, row.locked_until = 0, now, None
            row.failures += 1
            if row.failures >= policy.max_failures:
                row.locked_until = now + policy.lockout
                row.failures, row.window_start = 0, now
                return row.locked_until
            return None

    def throttle_clear(self, key: str) -> None:
        with self.tx() as s:
            s.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

    # ------------------------------------------------------------ frameworks

    def put_framework(self, framework_id: str, name: str, source: str, user_id: int | None) -> FrameworkRow:
        with self.tx() as s:
            row = s.get(FrameworkRow, framework_id)
            if row is None:
                row = FrameworkRow(id=framework_id, name=name, source=source, uploaded_by=user_id)
                s.add(row)
            else:
                row.name, row.source, row.uploaded_by, row.created_at = name, source, user_id, utcnow()
            s.flush()
            return row

    def list_frameworks(self) -> list[FrameworkRow]:
        with self.tx(write=False) as s:
            return list(s.scalars(select(FrameworkRow).order_by(FrameworkRow.id)))

    def get_framework(self, framework_id: str) -> FrameworkRow | None:
        with self.tx(write=False) as s:
            return s.get(FrameworkRow, framework_id)

    def delete_framework(self, framework_id: str) -> None:
        with self.tx() as s:
            if s.get(FrameworkRow, framework_id) is None:
                raise NotFoundError(f"指标体系“{framework_id}”不存在")
            s.execute(delete(FrameworkRow).where(FrameworkRow.id == framework_id))

    # ------------------------------------------------------------ dossiers

    @staticmethod
    def _apply_summary(row: DossierRow, summary: Summary) -> None:
        row.score_total, row.grade, row.execution_rate = (
            summary.score_total,
            summary.grade,
            summary.execution_rate,
        )
        row.findings_error, row.findings_warning, row.findings_info = (
            summary.errors,
            summary.warnings,
            summary.infos,
        )

    @staticmethod
    def _snapshot(
        s: OrmSession, row: DossierRow, action: str, user_id: int | None, comment: str = ""
    ) -> None:
        s.flush()
        s.add(
            DossierVersion(
                dossier_id=row.id,
                version=row.version,
                action=action,
                status=row.status,
                data=row.data,
                review_opinion=row.review_opinion,
                comment=comment,
                user_id=user_id,
                created_at=row.updated_at,
            )
        )

    def create_dossier(
        self,
        unit_id: int,
        data: dict[str, Any],
        *,
        year: int,
        kind: str,
        user_id: int | None,
        summary: Summary,
        action: str = "create",
        source: tuple[str, str, bytes] | None = None,
    ) -> DossierRow:
        """A new draft; ``source`` (filename, content type, bytes) is the report it was extracted from,
        attached in the same transaction so a dossier never exists without the file it came from."""
        digest = self._put_blob(source[2]) if source else None
        try:
            with self.tx() as s:
                if s.get(Unit, unit_id) is None:
                    raise NotFoundError(f"单位 {unit_id} 不存在")
                exists = s.scalar(
                    select(DossierRow.id).where(
                        DossierRow.unit_id == unit_id, DossierRow.year == year, DossierRow.kind == kind
                    )
                )
                if exists:
                    raise InputError(
                        f"该单位 {year} 年度的{kind}自评档案已存在（编号 {exists}），请直接打开编辑"
                    )
                row = DossierRow(
                    unit_id=unit_id, year=year, kind=kind, data=data, updated_by=user_id, status="draft"
                )
                self._apply_summary(row, summary)
                s.add(row)
                s.flush()
                self._snapshot(s, row, action, user_id)
                if source is not None and digest is not None:
                    self._lock_blob(s, digest)
                    self._ensure_blob(digest, source[2])
                    s.add(
                        Attachment(
                            dossier_id=row.id,
                            purpose="source",
                            filename=source[0],
                            content_type=source[1],
                            size=len(source[2]),
                            sha256=digest,
                            uploaded_by=user_id,
                        )
                    )
                s.flush()
                s.refresh(row)
                return row
        except IntegrityError:
            raise InputError(f"该单位 {year} 年度的{kind}自评档案已存在") from None

    def update_summary(self, dossier_id: int, summary: Summary) -> None:
        """Refresh the derived dashboard columns; not a user edit, so no new version or history entry."""
        with self.tx() as s:
            s.execute(
                update(DossierRow)
                .where(DossierRow.id == dossier_id)
                .values(
                    score_total=summary.score_total,
                    grade=summary.grade,
                    execution_rate=summary.execution_rate,
                    findings_error=summary.errors,
                    findings_warning=summary.warnings,
                    findings_info=summary.infos,
                )
                .execution_options(synchronize_session=False)
            )

    def get_dossier(self, dossier_id: int) -> DossierRow:
        with self.tx(write=False) as s:
            row = s.get(DossierRow, dossier_id)
            if row is None:
                raise NotFoundError(f"档案 {dossier_id} 不存在")
            return row

    def list_dossiers(
        self, *, unit_id: int | None = None, year: int | None = None, status: str | None = None
    ) -> list[DossierRow]:
        # Lists and the dashboard read the summary columns only; decoding every dossier's JSON was most of
        # their time. Reading ``data`` from a listed row raises instead of loading it silently.
        query = (
            select(DossierRow)
            .options(defer(DossierRow.data, raiseload=True))
            .order_by(DossierRow.year.desc(), DossierRow.id)
        )
        if unit_id is not None:
            query = query.where(DossierRow.unit_id == unit_id)
        if year is not None:
            query = query.where(DossierRow.year == year)
        if status:
            query = query.where(DossierRow.status == status)
        with self.tx(write=False) as s:
            return list(s.scalars(query).unique())

    def _locked_row(self, s: OrmSession, dossier_id: int, expected_version: int) -> DossierRow:
        row = s.get(DossierRow, dossier_id, with_for_update=not self.is_sqlite)
        if row is None:
            raise NotFoundError(f"档案 {dossier_id} 不存在")
        if row.version != expected_version:
            raise _conflict(row, expected_version, "该档案")
        return row

    def _write(self, dossier_id: int, expected_version: int, change) -> DossierRow:  # type: ignore[no-untyped-def]
        try:
            with self.tx() as s:
                row = self._locked_row(s, dossier_id, expected_version)
                change(s, row)
                s.flush()  # the row already holds what was written, new version included: no re-read
                return row
        except StaleDataError:
            row = self.get_dossier(dossier_id)
            raise _conflict(row, expected_version, "该档案") from None

    def save_dossier(
        self,
        dossier_id: int,
        expected_version: int,
        data: dict[str, Any],
        *,
        user_id: int | None,
        summary: Summary,
        action: str = "edit",
        enforce_editable: bool = True,
    ) -> DossierRow:
        def change(s: OrmSession, row: DossierRow) -> None:
            if enforce_editable and not unit_can_edit(row.status):
                raise WorkflowError(f"档案状态为“{row.status_name}”，单位不能再修改；如需修改请由复核人退回")
            if data.get("year") != row.year or data.get("kind", row.kind) != row.kind:
                raise InputError("档案的年度和类型创建后不能修改")
            row.data, row.updated_at, row.updated_by = data, utcnow(), user_id
            self._apply_summary(row, summary)
            self._snapshot(s, row, action, user_id)

        return self._write(dossier_id, expected_version, change)

    def transition(
        self, dossier_id: int, expected_version: int, action: str, *, user_id: int | None, comment: str = ""
    ) -> DossierRow:
        def change(s: OrmSession, row: DossierRow) -> None:
            row.status = next_status(row.status, action)
            if action == "return":
                if not comment.strip():
                    raise InputError("退回时必须填写退回意见")
                row.review_comment = comment.strip()
            row.updated_at, row.updated_by = utcnow(), user_id
            self._snapshot(s, row, action, user_id, comment.strip())

        return self._write(dossier_id, expected_version, change)

    def save_review(
        self, dossier_id: int, expected_version: int, opinion: str, *, user_id: int | None
    ) -> DossierRow:
        def change(s: OrmSession, row: DossierRow) -> None:
            if row.status not in ("submitted", "returned", "approved"):
                raise WorkflowError("档案尚未提交，不能填写复核意见")
            row.review_opinion, row.updated_at, row.updated_by = opinion, utcnow(), user_id
            self._snapshot(s, row, "review", user_id)

        return self._write(dossier_id, expected_version, change)

    def history(self, dossier_id: int) -> list[DossierVersion]:
        with self.tx(write=False) as s:
            return list(
                s.scalars(
                    select(DossierVersion)
                    .where(DossierVersion.dossier_id == dossier_id)
                    .order_by(DossierVersion.version.desc())
                ).unique()
            )

    def dossier_version(self, dossier_id: int, version: int) -> DossierVersion:
        with self.tx(write=False) as s:
            row = s.scalar(
                select(DossierVersion).where(
                    DossierVersion.dossier_id == dossier_id, DossierVersion.version == version
                )
            )
            if row is None:
                raise NotFoundError(f"档案 {dossier_id} 没有第 {version} 版")
            return row

    # ------------------------------------------------------------ attachments

    def blob_path(self, sha256: str) -> Path:
        return self.files_dir / sha256[:2] / sha256

    def _put_blob(self, content: bytes) -> str:
        """Store file content under its SHA-256 (before the row that refers to it; an orphan is harmless)."""
        digest = hashlib.sha256(content).hexdigest()
        self._ensure_blob(digest, content)
        return digest

    def _ensure_blob(self, digest: str, content: bytes) -> None:
        path = self.blob_path(digest)
        if path.exists() and path.stat().st_size == len(content):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{secrets.token_hex(4)}")
        try:
            with tmp.open("wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())  # the row that will point here is durable once committed; so is the file
            tmp.replace(path)  # atomic: a reader never sees half a file
        except BaseException:
            tmp.unlink(missing_ok=True)  # a failed write (disk full) leaves no half file behind
            raise

    def _lock_blob(self, s: OrmSession, digest: str) -> None:
        """Serialise "add a row for this blob" against "delete the blob nobody uses": SQLite write
        transactions are serial already (BEGIN IMMEDIATE); PostgreSQL takes a lock on the digest."""
        if self.engine.dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(digest[:15], 16)})

    def add_attachment(
        self,
        dossier_id: int,
        filename: str,
        content_type: str,
        content: bytes,
        *,
        user_id: int | None,
        purpose: str = "evidence",
    ) -> Attachment:
        digest = self._put_blob(content)
        with self.tx() as s:
            if s.get(DossierRow, dossier_id) is None:
                raise NotFoundError(f"档案 {dossier_id} 不存在")
            # A delete of the last other row with this content may have removed the file since it was written.
            self._lock_blob(s, digest)
            self._ensure_blob(digest, content)
            att = Attachment(
                dossier_id=dossier_id,
                purpose=purpose,
                filename=filename,
                content_type=content_type,
                size=len(content),
                sha256=digest,
                uploaded_by=user_id,
            )
            s.add(att)
            s.flush()
            return att

    def list_attachments(self, dossier_id: int) -> list[Attachment]:
        with self.tx(write=False) as s:
            return list(
                s.scalars(
                    select(Attachment).where(Attachment.dossier_id == dossier_id).order_by(Attachment.id)
                )
            )

    def evaluation_inputs(self, dossier_id: int | None) -> tuple[list[Attachment], list[FrameworkRow]]:
        """A dossier's attachments and the uploaded frameworks, which every evaluation needs, in one read
        transaction instead of two (each costs more in session and pool overhead than in SQL)."""
        with self.tx(write=False) as s:
            attachments = (
                list(
                    s.scalars(
                        select(Attachment).where(Attachment.dossier_id == dossier_id).order_by(Attachment.id)
                    )
                )
                if dossier_id is not None
                else []
            )
            return attachments, list(s.scalars(select(FrameworkRow).order_by(FrameworkRow.id)))

    def get_attachment(self, attachment_id: int) -> Attachment:
        with self.tx(write=False) as s:
            att = s.get(Attachment, attachment_id)
            if att is None:
                raise NotFoundError(f"附件 {attachment_id} 不存在")
            return att

    def delete_attachment(self, attachment_id: int) -> None:
        with self.tx() as s:
            att = s.get(Attachment, attachment_id)
            if att is None:
                raise NotFoundError(f"附件 {attachment_id} 不存在")
            digest = att.sha256
            s.delete(att)
        # The file goes only once the row is gone for good (a crash in between leaves an orphan file, never a
        # row without its file), and under the blob lock, so an upload of the same content in the meantime
        # either is counted here or writes the file again.
        with self.tx() as s:
            self._lock_blob(s, digest)
            still_used = s.scalar(
                select(func.count()).select_from(Attachment).where(Attachment.sha256 == digest)
            )
            if not still_used:
                self.blob_path(digest).unlink(missing_ok=True)
