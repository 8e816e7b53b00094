"""Web app and store commands: serve, user add, demo, db upgrade|backup|restore|export|import."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from jixiao.cli.app import app
from jixiao.cli.core import user_errors
from jixiao.errors import InputError

user_app = typer.Typer(help="账号管理", no_args_is_help=True)
db_app = typer.Typer(help="数据库：升级、备份、恢复、导出、导入", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")

DATA_HELP = "数据目录（默认 JIXIAO_DATA 或 ./.jixiao）"
DB_HELP = "数据库地址（默认 JIXIAO_DATABASE_URL 或数据目录中的 SQLite）"
DataOpt = Annotated[Path | None, typer.Option("--data", help=DATA_HELP)]
DbOpt = Annotated[str | None, typer.Option("--database-url", help=DB_HELP)]


def _store(data: Path | None, database_url: str | None, *, upgrade: bool = True):  # type: ignore[no-untyped-def]
    from jixiao.store import open_store

    store = open_store(data, database_url)
    if upgrade and store.is_sqlite:
        store.upgrade()
    elif not store.is_up_to_date():
        raise InputError("数据库结构不是最新版本：请先运行 jixiao db upgrade")
    return store


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    data: DataOpt = None,
    database_url: DbOpt = None,
    workers: Annotated[int, typer.Option(help="进程数（应用不在进程内保存状态，可多进程）")] = 1,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Cookie 只经 HTTPS 发送（经 HTTPS 反向代理部署时使用）")
    ] = False,
) -> None:
    """启动网页应用（默认使用数据目录中的内嵌 SQLite 数据库）。"""
    with user_errors():
        import uvicorn

        from jixiao.web.app import create_app
        from jixiao.web.settings import WebSettings

        if secure_cookies:
            os.environ["JIXIAO_SECURE_COOKIES"] = "1"  # also seen by --workers processes
        settings = WebSettings.from_env(data, database_url)
        application = create_app(settings)
        if application.state.jx.store.count_users() == 0:
            typer.echo(
                f"首次使用：请在浏览器打开 http://{host}:{port}/setup 创建管理员账号"
                "（或运行 jixiao user add 用户名 --role admin）"
            )
        typer.echo(f"数据目录：{settings.data_dir.resolve()}；访问 http://{host}:{port}/")
        if workers > 1:
            # Every worker reads the same database; the parent has already upgraded it.
            os.environ["JIXIAO_DATA"] = str(settings.data_dir)
            os.environ["JIXIAO_DATABASE_URL"] = settings.database_url
            uvicorn.run(
                "jixiao.web.asgi:app",
                host=host,
                port=port,
                workers=workers,
                proxy_headers=True,
                log_level="info",
            )
            return
        uvicorn.run(application, host=host, port=port, proxy_headers=True, log_level="info")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    password: Annotated[
        str,
        typer.Option(
            prompt="密码",
            hide_input=True,
            confirmation_prompt="再次输入密码",
            envvar="JIXIAO_PASSWORD",
            help="密码（不填则交互输入；也可用 JIXIAO_PASSWORD）",
        ),
    ],
    role: Annotated[
        str, typer.Option(help="角色：unit（单位填报人）、reviewer（复核人）、admin（管理员）")
    ] = "unit",
    unit: Annotated[str | None, typer.Option(help="单位名称（单位填报人必填；不存在时自动创建）")] = None,
    display_name: Annotated[str, typer.Option(help="显示名称")] = "",
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """新建账号。"""
    with user_errors():
        from jixiao.web.security import check_password_strength, make_hasher

        check_password_strength(password, username)
        store = _store(data, database_url)
        unit_id = None
        if role == "unit":
            if not unit:
                raise InputError("单位填报人须用 --unit 指定单位名称")
            existing = store.unit_by_name(unit)
            unit_id = existing.id if existing else store.create_unit(unit).id
        user = store.create_user(username, make_hasher().hash(password), role, unit_id, display_name)
        typer.echo(f"已创建账号 {user.username}（{user.role_name}）")


@app.command()
def demo(
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """载入示例单位、账号和档案（虚构单位，供试用）。"""
    with user_errors():
        from jixiao.web.app import create_app
        from jixiao.web.demo import DEMO_UNITS, answer_checklists, demo_dossier
        from jixiao.web.services import dossier_data, evaluate
        from jixiao.web.settings import WebSettings

        application = create_app(WebSettings.from_env(data, database_url))
        jx = application.state.jx
        store = jx.store
        accounts: list[tuple[str, str, str]] = []

        def account(username: str, role: str, unit_id: int | None) -> None:
            if store.user_by_name(username):
                return
            password = secrets.token_urlsafe(9)
            store.create_user(username, jx.hasher.hash(password), role, unit_id)
            accounts.append((username, role, password))

        account("demo-admin", "admin", None)
        account("demo-reviewer", "reviewer", None)
        created = 0
        for index, (name, region, quality) in enumerate(DEMO_UNITS, start=1):
            unit = store.unit_by_name(name) or store.create_unit(name, region)
            account(f"demo-unit{index}", "unit", unit.id)
            for year in (2023, 2024):
                if any(r.year == year for r in store.list_dossiers(unit_id=unit.id)):
                    continue
                dossier = demo_dossier(name, region, year, quality)
                dossier = dossier.model_copy(update={"framework": jx.catalog.default_for(dossier.kind)})
                if dossier.framework:
                    dossier = answer_checklists(dossier, jx.catalog.load(dossier.framework, {}), quality)
                store.create_dossier(
                    unit.id,
                    dossier_data(dossier),
                    year=year,
                    kind=dossier.kind,
                    user_id=None,
                    summary=evaluate(jx, dossier).summary(),
                    action="demo",
                )
                created += 1
        typer.echo(f"已载入 {len(DEMO_UNITS)} 个示例单位、{created} 份档案。")
        for username, role, password in accounts:
            typer.echo(f"  账号 {username}（{role}）密码：{password}")
        if not accounts:
            typer.echo("示例账号已存在，密码未改变。")


@db_app.command("upgrade")
def db_upgrade(
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """把数据库结构升级到最新版本（PostgreSQL 部署时在启动应用前运行）。"""
    with user_errors():
        from jixiao.store import open_store

        store = open_store(data, database_url)
        store.upgrade()
        store.secret_key()
        typer.echo("数据库已是最新版本")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


@db_app.command("backup")
def db_backup(
    out: Annotated[
        Path | None, typer.Option("--out", help="备份文件（默认数据目录 backups/ 下带时间的文件）")
    ] = None,
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """备份：SQLite 用在线备份（应用运行中也一致）；PostgreSQL 导出为 JSON。"""
    with user_errors():
        from jixiao.store.backup import backup_sqlite, write_export
        from jixiao.store.db import data_dir

        store = _store(data, database_url, upgrade=False)
        folder = data_dir(data) / "backups"
        if store.is_sqlite:
            path = backup_sqlite(store, out or folder / f"jixiao-{_stamp()}.sqlite3")
            typer.echo(f"已备份数据库到 {path}（附件文件在 {store.files_dir}，请一并备份）")
        else:
            path = write_export(store, out or folder / f"jixiao-{_stamp()}.json")
            typer.echo(f"已导出全部数据（含附件）到 {path}")


@db_app.command("restore")
def db_restore(
    backup: Annotated[Path, typer.Argument(help="备份文件（SQLite 备份或 JSON 导出）")],
    replace: Annotated[bool, typer.Option("--replace", help="目标数据库已有数据时整体替换")] = False,
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """从备份恢复（请先停止应用）。"""
    with user_errors():
        from jixiao.store.backup import import_data, read_export, restore_sqlite

        store = _store(data, database_url, upgrade=True)
        if backup.suffix.lower() == ".json":
            counts = import_data(store, read_export(backup), replace=replace)
            typer.echo(f"已导入：{sum(counts.values())} 行")
            return
        if not store.is_sqlite:
            raise InputError("SQLite 备份只能恢复到 SQLite；PostgreSQL 请使用 JSON 导出文件")
        if store.count_users() and not replace:
            raise InputError("目标数据库已有数据；如确定要整体替换，请加 --replace")
        restore_sqlite(store, backup)
        typer.echo(f"已从 {backup} 恢复数据库")


@db_app.command("export")
def db_export(
    out: Annotated[Path, typer.Argument(help="导出的 JSON 文件")],
    no_files: Annotated[bool, typer.Option("--no-files", help="不包含附件文件内容")] = False,
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """把全部数据（单位、账号、档案、历史、附件）导出为一个 JSON 文件。"""
    with user_errors():
        from jixiao.store.backup import write_export

        store = _store(data, database_url, upgrade=False)
        write_export(store, out, with_files=not no_files)
        typer.echo(f"已导出到 {out}")


@db_app.command("import")
def db_import(
    source: Annotated[Path, typer.Argument(help="jixiao db export 生成的 JSON 文件")],
    replace: Annotated[bool, typer.Option("--replace", help="目标数据库已有数据时整体替换")] = False,
    data: DataOpt = None,
    database_url: DbOpt = None,
) -> None:
    """导入 JSON 导出文件（在一个事务中完成，失败则不改动）。"""
    with user_errors():
        from jixiao.store.backup import import_data, read_export

        store = _store(data, database_url, upgrade=True)
        counts = import_data(store, read_export(source), replace=replace)
        typer.echo("已导入：" + "，".join(f"{k} {v} 行" for k, v in counts.items() if v))
