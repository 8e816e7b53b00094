"""Store errors: each is a user-facing JixiaoError with a Chinese message; the web maps them to 404/409/422."""

from __future__ import annotations

from jixiao.errors import InputError, JixiaoError


class NotFoundError(JixiaoError):
    """An id that does not exist (→ 404)."""


class ConflictError(JixiaoError):
    """Someone else changed the row since the form was loaded (→ 409)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class WorkflowError(InputError):
    """A status change that the workflow does not allow (e.g. approving a draft)."""
