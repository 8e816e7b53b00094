"""`jixiao audit FILE...`: check reports for what does not add up, one or many, in parallel."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jixiao.audit.runner import (
    AuditResult,
    audit_dossier,
    audit_file_document,
    dossier_document,
    read_document,
)
from jixiao.cli.app import app
from jixiao.errors import InputError, JixiaoError
from jixiao.frameworks import load_framework
from jixiao.ingest import Document
from jixiao.inputs import DOSSIER_SUFFIXES, load_input
from jixiao.model import AUDIT_SCHEMA
from jixiao.scoring import score
from jixiao.template import is_template


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    docx = "docx"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


def _audit_path(path: Path, framework: str | None) -> tuple[Document, AuditResult]:
    """A report is read and checked as written; a dossier or filled template has its figures checked."""
    if path.suffix.lower() in DOSSIER_SUFFIXES or (path.suffix.lower() in {".xlsx", ".xlsm"} and is_template(path)):
        dossier = load_input(path)
        fid = framework or dossier.framework
        if not fid:
            raise InputError("档案未指定指标体系，请用 --framework 指定", file=str(path))
        fw = load_framework(fid)
        card = score(dossier, fw)
        result = audit_dossier(dossier, fw, name=str(path), scorecard=card)
        return dossier_document(dossier, card, name=str(path)), result
    doc = read_document(path)
    return doc, audit_file_document(doc, framework)


def audit_one(path: str, fmt: str, framework: str | None) -> tuple[str, dict[str, Any] | None, str | None, str | None]:
    """(path, result as JSON data, rendered text/html, error message). Runs in a worker process."""
    try:
        doc, result = _audit_path(Path(path), framework)
    except JixiaoError as exc:
        return path, None, None, str(exc)
    except Exception as exc:  # a bug in one document must not stop the batch
        return path, None, None, f"{path}：核查时发生内部错误（{type(exc).__name__}: {exc}）"
    rendered = None
    if fmt == "text":
        from jixiao.audit.output.text import render_text

        rendered = render_text(result)
    elif fmt == "html":
        from jixiao.audit.output.html import render_html

        rendered = render_html(result, doc)
    return path, result.to_json_dict(), rendered, None


def _run(files: list[str], fmt: str, framework: str | None, jobs: int, err: Console) -> list[tuple[str, Any, Any, Any]]:
    if len(files) == 1 or jobs <= 1:
        out = []
        progress = _progress(err) if len(files) > 1 else None
        if progress:
            progress.start()
            task = progress.add_task("核查", total=len(files))
        for f in files:
            out.append(audit_one(f, fmt, framework))
            if progress:
                progress.advance(task)
        if progress:
            progress.stop()
        return out
    results: dict[str, tuple[str, Any, Any, Any]] = {}
    with _progress(err) as progress, ProcessPoolExecutor(max_workers=jobs) as pool:
        task = progress.add_task("核查", total=len(files))
        futures = {pool.submit(audit_one, f, fmt, framework): f for f in files}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            progress.advance(task)
    return [results[f] for f in files]


def _progress(err: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=False,
    )


def _summary_table(rows: list[tuple[str, Any, Any, Any]]) -> Table:
    table = Table(title="核查汇总")
    table.add_column("文件")
    table.add_column("错误", justify="right", style="red")
    table.add_column("警告", justify="right", style="yellow")
    table.add_column("提示", justify="right", style="cyan")
    for path, data, _r, _error in rows:
        if data is None:
            table.add_row(Path(path).name, "—", "—", "—", style="red")
            continue
        s = data["summary"]
        table.add_row(Path(path).name, str(s.get("error", 0)), str(s.get("warning", 0)), str(s.get("info", 0)))
    return table


@app.command()
def audit(
    files: Annotated[list[Path], typer.Argument(help="自评报告（.txt/.docx/.pdf/.xlsx），可多个")],
    format: Annotated[AuditFormat, typer.Option("--format", "-f", help="输出格式")] = AuditFormat.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出文件（多个文件的 html 为目录）")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="并行进程数（默认为 CPU 核数）")] = 0,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="有此级别的问题时以状态 1 退出")] = FailOn.never,
    framework: Annotated[str | None, typer.Option("--framework", help="按此指标体系复算得分")] = None,
) -> None:
    """核查自评报告：分项合计、占比、执行率、增减幅度、单位、前后矛盾、重复段落、缺项与评分。"""
    err = Console(stderr=True)
    fmt = format.value
    if fmt == "docx" and out is None:
        raise InputError("输出 docx 复核意见需要用 --out 指定文件路径，例如 --out 复核意见.docx")
    paths = [str(f) for f in files]
    n_jobs = jobs if jobs > 0 else min(len(paths), os.cpu_count() or 1)
    rows = _run(paths, fmt, framework, n_jobs, err)
    failures = [(p, e) for p, _d, _r, e in rows if e]
    good = [(p, d, r) for p, d, r, e in rows if not e]
    for _p, e in failures:
        err.print(f"[bold red]错误[/]：{e}", highlight=False, soft_wrap=True)
    if fmt == "json":
        data: Any = good[0][1] if len(paths) == 1 and good else {"schema": AUDIT_SCHEMA, "documents": [d for _p, d, _r in good]}
        _emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", out)
    elif fmt == "text":
        _emit("\n".join(r for _p, _d, r in good), out)
    elif fmt == "html":
        _write_html(good, out)
    elif fmt == "docx":
        from jixiao.audit.output.review_docx import write_review
        from jixiao.audit.runner import AuditResult

        assert out is not None
        write_review([AuditResult.model_validate(d) for _p, d, _r in good], out)
        err.print(f"复核意见已写入 {out}")
    if len(paths) > 1:
        err.print(_summary_table(rows))
    if failures:
        raise typer.Exit(2)
    worst = {s for _p, d, _r in good for s, n in d["summary"].items() if n}
    if (fail_on is FailOn.error and "error" in worst) or (fail_on is FailOn.warning and worst & {"error", "warning"}):
        raise typer.Exit(1)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _write_html(good: list[tuple[str, Any, Any]], out: Path | None) -> None:
    if len(good) == 1 and (out is None or out.suffix.lower() in (".html", ".htm")):
        _emit(good[0][2], out)
        return
    if out is None:
        raise InputError("多个文件输出 html 需要用 --out 指定目录")
    out.mkdir(parents=True, exist_ok=True)
    for path, _d, page in good:
        (out / f"{Path(path).stem}.audit.html").write_text(page, encoding="utf-8")
