"""Who may do what. Every route calls one of these; the access-matrix tests exercise each of them.

Unit users (单位填报人) see and change only their own unit; reviewers (复核人) see every unit and review;
admins manage units, users and frameworks and may act for any unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.errors import JixiaoError
from jixiao.store.models import DossierRow, Session, User


class AuthRequired(JixiaoError):
    """Not logged in (→ 401 in the API, a redirect to the login page in the UI)."""


class Forbidden(JixiaoError):
    """Logged in but not allowed (→ 403)."""


@dataclass(frozen=True)
class Actor:
    user: User
    session: Session | None  # None when authenticated by a bearer token
    via_token: bool = False

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"

    @property
    def is_unit(self) -> bool:
        return self.role == "unit"


def can_view_dossier(actor: Actor, row: DossierRow) -> bool:
    return actor.role in ("reviewer", "admin") or (actor.is_unit and actor.user.unit_id == row.unit_id)


def can_edit_dossier(actor: Actor, row: DossierRow) -> bool:
    """Content edits and submitting: the unit itself, or an admin acting for it."""
    return actor.is_admin or (actor.is_unit and actor.user.unit_id == row.unit_id)


def can_review(actor: Actor) -> bool:
    return actor.role in ("reviewer", "admin")


def require_view(actor: Actor, row: DossierRow) -> None:
    if not can_view_dossier(actor, row):
        raise Forbidden("您只能查看本单位的档案")


def require_edit(actor: Actor, row: DossierRow) -> None:
    require_view(actor, row)
    if not can_edit_dossier(actor, row):
        raise Forbidden("只有本单位填报人可以修改或提交档案")


def require_review(actor: Actor, row: DossierRow | None = None) -> None:
    if not can_review(actor):
        raise Forbidden("只有财政局复核人可以复核档案")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("只有管理员可以执行此操作")


def require_create_for(actor: Actor, unit_id: int) -> None:
    if actor.is_admin:
        return
    if actor.is_unit and actor.user.unit_id == unit_id:
        return
    raise Forbidden("您只能为本单位创建档案")


def require_dashboard(actor: Actor) -> None:
    if not can_review(actor):
        raise Forbidden("只有复核人和管理员可以查看汇总看板")
