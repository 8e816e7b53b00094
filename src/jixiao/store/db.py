"""Engines and sessions: SQLite (WAL, foreign keys on) in the data folder by default, or any SQLAlchemy URL
(``postgresql+psycopg://…``) from ``JIXIAO_DATABASE_URL``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from jixiao.errors import InputError

DEFAULT_DATA_DIR = ".jixiao"


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data folder: explicit argument, else ``JIXIAO_DATA``, else ``./.jixiao``."""
    return Path(explicit or os.environ.get("JIXIAO_DATA") or DEFAULT_DATA_DIR)


def database_url(data: Path, explicit: str | None = None) -> str:
    url = explicit or os.environ.get("JIXIAO_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{(data / 'jixiao.sqlite3').resolve()}"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, and far fewer fsyncs
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise InputError(f"数据库地址无效：{url}（{exc}）") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per worker thread (FastAPI runs sync routes on a pool of 40 threads).
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=20, max_overflow=30
        )
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            # A write transaction takes the write lock at BEGIN so concurrent writers queue on busy_timeout
            # instead of failing with "database is locked" when a read lock cannot be upgraded.
            immediate = conn.get_execution_options().get("jixiao_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return create_engine(url)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        if write:
            session.connection(execution_options={"jixiao_write": True})
        yield session
