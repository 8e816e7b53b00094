"""Backup, restore and a full JSON export/import.

SQLite is backed up with its online backup API (consistent while the app runs). PostgreSQL, and any
database, can be exported to one JSON document holding every table and every attachment file.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, DateTime, func, insert, select, text

from jixiao.errors import InputError
from jixiao.store.models import Base
from jixiao.store.repo import Store

EXPORT_SCHEMA = "jixiao.export/1"

# Parents before children, so foreign keys hold while importing.
TABLE_ORDER = (
    "app_settings",
    "units",
    "users",
    "sessions",
    "api_tokens",
    "login_throttle",
    "frameworks",
    "dossiers",
    "dossier_versions",
    "attachments",
)


def _sqlite_file(store: Store) -> Path:
    database = store.engine.url.database
    if not store.is_sqlite or not database or database == ":memory:":
        raise InputError("在线备份仅适用于 SQLite 数据库文件；PostgreSQL 请使用 jixiao db export")
    return Path(database)


def _copy_sqlite(source: Path, dest: Path) -> None:
    """SQLite's online backup: a consistent copy even while other connections write."""
    src, out = sqlite3.connect(source), sqlite3.connect(dest)
    try:
        src.backup(out)
    finally:
        out.close()
        src.close()


def backup_sqlite(store: Store, dest: Path) -> Path:
    """A consistent copy of the live SQLite database (attachments are files under the data folder)."""
    source = _sqlite_file(store)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise InputError(f"备份文件已存在，不会覆盖：{dest}")
    _copy_sqlite(source, dest)
    return dest


def restore_sqlite(store: Store, backup: Path) -> None:
    """Replace the SQLite database with a backup (stop the app first)."""
    target = _sqlite_file(store)
    if not backup.is_file():
        raise InputError("备份文件不存在", file=str(backup))
    check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        check.execute("SELECT count(*) FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise InputError("不是 jixiao 的 SQLite 备份文件", file=str(backup)) from None
    finally:
        check.close()
    store.dispose()
    _copy_sqlite(backup, target)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def export_data(store: Store, *, with_files: bool = True) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        for name in TABLE_ORDER:
            table = Base.metadata.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            tables[name] = [{k: _json_value(v) for k, v in row.items()} for row in rows]
    out: dict[str, Any] = {"schema": EXPORT_SCHEMA, "tables": tables}
    if with_files:
        files: dict[str, str] = {}
        for row in tables["attachments"]:
            path = store.blob_path(row["sha256"])
            if path.exists() and row["sha256"] not in files:
                files[row["sha256"]] = base64.b64encode(path.read_bytes()).decode("ascii")
        out["files"] = files
    return out


def _from_json(table_name: str, row: dict[str, Any]) -> dict[str, Any]:
    table = Base.metadata.tables[table_name]
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key not in table.c:
            raise InputError(f"导出文件中表 {table_name} 有未知字段“{key}”")
        column_type = table.c[key].type
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Boolean):
            value = bool(value)
        out[key] = value
    return out


def import_data(store: Store, data: dict[str, Any], *, replace: bool = False) -> dict[str, int]:
    """Load an export into the database in one transaction. Refuses a non-empty database unless ``replace``."""
    if not isinstance(data, dict) or data.get("schema") != EXPORT_SCHEMA:
        raise InputError(f'不是 jixiao 导出文件（应有 "schema": "{EXPORT_SCHEMA}"）')
    tables = data.get("tables") or {}
    counts: dict[str, int] = {}
    with store.engine.begin() as conn:
        existing = conn.execute(select(func.count()).select_from(Base.metadata.tables["users"])).scalar() or 0
        existing += (
            conn.execute(select(func.count()).select_from(Base.metadata.tables["units"])).scalar() or 0
        )
        if existing and not replace:
            raise InputError("目标数据库已有数据；如确定要整体替换，请加 --replace")
        for name in reversed(TABLE_ORDER):
            conn.execute(Base.metadata.tables[name].delete())
        for name in TABLE_ORDER:
            rows = [_from_json(name, row) for row in tables.get(name, [])]
            if rows:
                conn.execute(insert(Base.metadata.tables[name]), rows)
            counts[name] = len(rows)
        if store.engine.dialect.name == "postgresql":
            # Explicit ids were inserted; move each serial sequence past them.
            for name in TABLE_ORDER:
                table = Base.metadata.tables[name]
                if (
                    "id" in table.c
                    and isinstance(table.c.id.type.python_type, type)
                    and table.c.id.type.python_type is int
                ):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                        )
                    )
    for digest, encoded in (data.get("files") or {}).items():
        path = store.blob_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(encoded))
    return counts


def write_export(store: Store, dest: Path, *, with_files: bool = True) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(
        json.dumps(export_data(store, with_files=with_files), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return dest


def read_export(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("导出文件不存在", file=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"导出文件不是有效的 JSON：{exc}", file=str(path)) from None
