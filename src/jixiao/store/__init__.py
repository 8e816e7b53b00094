"""Persistence for the web app: SQLAlchemy 2 models, Alembic migrations, queries, backup and export."""

from __future__ import annotations

from pathlib import Path

from jixiao.store.db import data_dir, database_url
from jixiao.store.errors import ConflictError, NotFoundError, WorkflowError
from jixiao.store.repo import Store, Summary, ThrottlePolicy


def open_store(data: str | Path | None = None, url: str | None = None) -> Store:
    """The store for a data folder (files live in ``DATA/files``) and database URL (default: SQLite in DATA)."""
    folder = data_dir(data)
    return Store(database_url(folder, url), folder / "files")


__all__ = [
    "ConflictError",
    "NotFoundError",
    "Store",
    "Summary",
    "ThrottlePolicy",
    "WorkflowError",
    "open_store",
]
