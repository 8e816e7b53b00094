"""`jixiao extract FILE...`: figures, scores and indicators from reports, each with its source."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jixiao.cli.app import app
from jixiao.errors import InputError, JixiaoError

if TYPE_CHECKING:
    from jixiao.model import Dossier

FORMATS = ("text", "json", "yaml")
# (file, extraction data, Chinese error, how the dossier's framework was recognised when it was)
Result = tuple[str, dict[str, Any] | None, str | None, str | None]


def _extract(path: str, ocr: bool, framework: str | None) -> tuple[dict[str, Any], str | None]:
    """Extraction data with ``dossier.framework`` filled: the one given, else the one recognised from the
    report (the recognition also goes into the warnings, so the user sees it was not stated)."""
    from jixiao.frameworks.detect import detect_framework, evidence_from_document, known_frameworks
    from jixiao.ingest import read_document
    from jixiao.ingest.extract import extract_document

    document = read_document(path, ocr=ocr)
    ex = extract_document(document)
    data = ex.model_dump(mode="json", by_alias=True, exclude_none=True)
    if framework is not None:
        data["dossier"]["framework"] = framework
        return data, None
    detection = detect_framework(evidence_from_document(document, ex.dossier), known_frameworks())
    data.setdefault("warnings", []).append(detection.warning())
    if detection.framework_id is None:
        return data, None
    data["dossier"]["framework"] = detection.framework_id
    return data, detection.summary()


def _extract_one(path: str, ocr: bool, framework: str | None = None) -> Result:
    """Worker: never raises, so one broken file does not stop a batch. Runs in a child process."""
    try:
        data, note = _extract(path, ocr, framework)
    except JixiaoError as exc:
        return path, None, str(exc), None
    except Exception as exc:  # one broken file must not stop a batch; say which file and what
        return path, None, f"文件 {path}：抽取失败（{type(exc).__name__}: {exc}）", None
    return path, data, None, note


def _run(paths: list[str], ocr: bool, jobs: int, err: Console, framework: str | None) -> list[Result]:
    results: dict[str, Result] = {}
    with Progress(
        TextColumn("[bold]抽取[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("", total=len(paths))
        if jobs <= 1:
            for p in paths:
                results[p] = _extract_one(p, ocr, framework)
                progress.update(task, advance=1, description=Path(p).name)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {pool.submit(_extract_one, p, ocr, framework): p for p in paths}
                for fut in as_completed(futures):
                    p = futures[fut]
                    try:
                        results[p] = fut.result()
                    except Exception as exc:  # a worker that died (e.g. out of memory)
                        results[p] = (p, None, f"文件 {p}：抽取进程异常退出（{type(exc).__name__}）", None)
                    progress.update(task, advance=1, description=Path(p).name)
    return [results[p] for p in paths]


def _dump(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _where(src: dict[str, Any] | None) -> str:
    if not src:
        return ""
    from jixiao.model import Provenance

    p = Provenance.model_validate({**src, "file": None})
    return p.describe()


def _print_text(console: Console, data: dict[str, Any]) -> None:
    from jixiao.ingest.extraction.synonyms import key_name

    d = data["dossier"]
    stated = d.get("stated", {})
    console.rule(f"[bold]{data['file']}[/]")
    console.print(
        f"单位：[bold]{d['unit']['name']}[/]　年度：[bold]{d['year']}[/]　类型：[bold]{d.get('kind', '')}[/]"
        f"　自评总分：[bold]{stated.get('total', '—')}[/]　等级：[bold]{stated.get('grade', '—')}[/]",
        highlight=False,
    )
    figs = Table(title="主要数据", show_lines=False)
    for col in ("键", "名称", "数值", "出处", "原文", "表述"):
        figs.add_column(col)
    for key, fig in d.get("figures", {}).items():
        n = len(data.get("statements", {}).get(key, []))
        values = {(f["value"], f.get("unit", "")) for f in data.get("statements", {}).get(key, [])}
        mark = f"{n}处" + ("（不一致）" if len(values) > 1 else "")
        src = fig.get("source")
        figs.add_row(
            key,
            key_name(key),
            f"{fig['value']}{fig.get('unit', '')}",
            _where(src),
            (src or {}).get("quote", ""),
            mark,
        )
    console.print(figs)
    if data.get("sub_scores"):
        subs = Table(title="分项自评分")
        for col in ("名称", "分值", "自评分", "出处"):
            subs.add_column(col)
        for s in data["sub_scores"]:
            subs.add_row(s["name"], s.get("max", ""), s["score"], _where(s.get("source")))
        console.print(subs)
    if data.get("indicators"):
        ind = Table(title="指标")
        for col in ("一级", "二级", "三级指标", "分值", "指标值", "完成值", "得分", "出处"):
            ind.add_column(col, overflow="fold")
        for r in data["indicators"]:
            ind.add_row(
                r.get("level1", ""),
                (r.get("level2") or "")[:16],
                (r["name"] + ("（拟定）" if r.get("name_inferred") else ""))
                if r.get("name")
                else (r.get("explanation") or "")[:16] + "…",
                r.get("weight", ""),
                r.get("target", ""),
                r.get("actual", ""),
                r.get("stated_score", ""),
                _where(r.get("source")),
            )
        console.print(ind)
    for w in data.get("warnings", []):
        console.print(f"[yellow]注意[/]：{w}", highlight=False)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="自评报告（.txt/.docx/.pdf/.xlsx），可多个")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text | json | yaml")] = "text",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="把抽取出的档案写入此文件（多个文件时为目录）")
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="并行进程数（默认为 CPU 数）")] = None,
    ocr: Annotated[bool, typer.Option("--ocr", help="扫描版 PDF 用 OCR 识别文字")] = False,
    framework: Annotated[
        str | None,
        typer.Option("--framework", help="写入档案的指标体系 id（默认按报告内容识别，识别不出则留空）"),
    ] = None,
) -> None:
    """从自评报告中抽取数据、自评分和指标，每项都注明出处；并识别报告所依据的指标体系。"""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InputError(f"不支持的输出格式“{fmt}”，可选 text、json、yaml")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs 应为正整数，实际为 {jobs}")
    err = Console(stderr=True)
    console = Console()
    paths = [str(f) for f in files]
    if framework is not None:
        from jixiao.frameworks import load_framework

        load_framework(framework)  # an unknown id fails here, listing the available ones

    results: list[Result]
    if len(paths) == 1:
        data, note = _extract(paths[0], ocr, framework)  # a JixiaoError here is printed in Chinese, exit 2
        results = [(paths[0], data, None, note)]
    else:
        n = min(jobs or os.cpu_count() or 1, len(paths))
        results = _run(paths, ocr, n, err, framework)

    if out is not None:
        _write_dossiers(results, out, len(paths) > 1, err)

    ok = [data for _, data, _e, _n in results if data is not None]
    failed = [(p, e) for p, data, e, _n in results if data is None]
    if fmt == "text":
        for data in ok:
            _print_text(console, data)
    elif len(paths) == 1:
        typer.echo(_dump(ok[0], fmt))
    else:
        items = [data if data is not None else {"file": p, "error": e} for p, data, e, _n in results]
        typer.echo(_dump(items, fmt))
    for _p, e in failed:
        err.print(f"[bold red]错误[/]：{e}", highlight=False, markup=True)
    if failed:
        err.print(f"{len(failed)}/{len(paths)} 个文件未能抽取", highlight=False)
        raise typer.Exit(code=2)


def _dossier_text(dossier: Dossier, target: Path, note: str | None) -> str:
    """The dossier as YAML or JSON; a recognised framework is marked in YAML by a comment above it."""
    from jixiao.dossier_io import dump_dossier_json, dump_dossier_yaml

    if target.suffix.lower() == ".json":
        text = dump_dossier_json(dossier)
    else:
        text = dump_dossier_yaml(dossier)
        if note is not None:
            comment = f"# framework 非报告所写：{note}\n"
            text = re.sub(r"(?m)^framework:", lambda m: comment + m.group(0), text, count=1)
    return text if text.endswith("\n") else text + "\n"


def _write_dossiers(results: list[Result], out: Path, many: bool, err: Console) -> None:
    from jixiao.model import Dossier

    if many:
        if out.exists() and not out.is_dir():
            raise InputError("抽取多个文件时 --out 应为目录", file=str(out))
        out.mkdir(parents=True, exist_ok=True)
    stems = [Path(p).stem for p, _, _, _ in results]
    for path, data, _, note in results:
        if data is None:
            continue
        dossier = Dossier.model_validate(data["dossier"])
        p = Path(path)
        # report.txt and report.pdf in one batch must not overwrite each other's dossier
        name = f"{p.stem}.yaml" if stems.count(p.stem) == 1 else f"{p.stem}.{p.suffix.lstrip('.')}.yaml"
        target = out / name if many else out
        if not many and target.suffix.lower() not in {".yaml", ".yml", ".json"}:
            raise InputError("--out 应为 .yaml/.yml/.json 文件", file=str(target))
        target.write_text(_dossier_text(dossier, target, note), encoding="utf-8")
        err.print(f"已写入档案：{target}", highlight=False)
        if note is not None:
            err.print(f"注意：framework 非报告所写：{note}", highlight=False, markup=False, soft_wrap=True)
