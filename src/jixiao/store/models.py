"""SQLAlchemy 2 tables. Every row users can edit carries a ``version`` column so concurrent edits conflict
instead of silently overwriting each other. Times are naive UTC (SQLite keeps no zone anyway)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("unit", "reviewer", "admin")
ROLE_NAMES = {"unit": "单位填报人", "reviewer": "财政局复核人", "admin": "管理员"}
STATUSES = ("draft", "submitted", "returned", "approved")
STATUS_NAMES = {"draft": "草稿", "submitted": "已提交", "returned": "已退回", "approved": "已通过"}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}  # noqa: RUF012


class Setting(Base):
    """Key/value settings shared by every app process (the cookie signing secret lives here)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


class Session(Base):
    """A login session: the cookie carries the signed id, the row carries the user and the CSRF token."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class ApiToken(Base):
    """A bearer token for integrations; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed logins per account+IP, kept in the database so every app process sees the same counts."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()


class FrameworkRow(Base):
    """A framework uploaded by an admin (validated by ``jixiao.frameworks`` before it is stored)."""

    __tablename__ = "frameworks"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DossierRow(Base):
    """One unit's dossier for one year. ``data`` is the Dossier as JSON (decimals as strings); the summary
    columns are recomputed on every save so the dashboard never re-scores on read."""

    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("unit_id", "year", "kind", name="uq_dossier_unit_year_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="部门整体")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    score_total: Mapped[str | None] = mapped_column(String(32))  # exact decimal as text
    grade: Mapped[str | None] = mapped_column(String(8))
    execution_rate: Mapped[str | None] = mapped_column(String(32))  # percent, exact decimal as text
    findings_error: Mapped[int] = mapped_column(Integer, default=0)
    findings_warning: Mapped[int] = mapped_column(Integer, default=0)
    findings_info: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unit: Mapped[Unit] = relationship(lazy="joined", innerjoin=True)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


class DossierVersion(Base):
    """A snapshot after every change: who, when, what action, the full data — history and diffs read these."""

    __tablename__ = "dossier_versions"
    __table_args__ = (UniqueConstraint("dossier_id", "version", name="uq_dossier_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User | None] = relationship(lazy="joined")


class Attachment(Base):
    """An uploaded file (佐证材料, or the source report a dossier was extracted from), stored under the
    data folder by content hash, never under the web root."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="evidence")  # evidence | source
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


ALL_TABLES = (
    Setting,
    Unit,
    User,
    Session,
    ApiToken,
    LoginThrottle,
    FrameworkRow,
    DossierRow,
    DossierVersion,
    Attachment,
)
