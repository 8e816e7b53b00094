"""`jixiao report` (自评表 / 自评报告 from a dossier, template or report) and `jixiao template`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jixiao.cli.app import app
from jixiao.cli.core import framework_for
from jixiao.errors import InputError
from jixiao.frameworks.values import points
from jixiao.inputs import DOSSIER_SUFFIXES, load_input
from jixiao.model import Finding


def _is_report(path: Path) -> bool:
    """A document to extract from (so its arithmetic can be checked), not a dossier or our template."""
    suffix = path.suffix.lower()
    if suffix in DOSSIER_SUFFIXES:
        return False
    if suffix in {".xlsx", ".xlsm"}:
        from jixiao.template import is_template

        return not is_template(path)
    return True


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="档案（.yaml/.json）、填报模板（.xlsx）或自评报告（.txt/.docx/.pdf/.xlsx）")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件：.xlsx 自评表；.docx/.pdf/.html/.md 自评报告")],
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="指标体系编号或 YAML 路径")] = None,
    audit: Annotated[bool, typer.Option("--audit/--no-audit", help="输入为报告时，把核查发现作为“存在的主要问题”草稿")] = True,
) -> None:
    """生成自评表（.xlsx）或自评报告（.docx/.pdf/.html/.md），格式由 --out 的扩展名决定。"""
    from jixiao.audit import audit_file
    from jixiao.render import FORMATS, render, supported_formats
    from jixiao.scoring import score

    if out.suffix.lower() not in FORMATS:
        raise InputError(f"不支持的输出格式“{out.suffix or '无扩展名'}”，支持：{supported_formats()}", file=str(out))
    dossier = load_input(file)
    spec = framework_for(dossier, framework, file)
    scorecard = score(dossier, spec)
    findings: list[Finding] = []
    if audit and _is_report(file) and out.suffix.lower() != ".xlsx":
        findings = audit_file(file, framework=framework).findings
    written = render(dossier, scorecard, out, findings=findings, framework=spec)
    total = "—" if scorecard.total is None else points(scorecard.total)
    if not scorecard.complete:
        total += "（不完整）"
    typer.echo(f"已生成 {FORMATS[written.suffix.lower()]}：{written}（{spec.name}，得分 {total}/{points(scorecard.max)}）")
    if findings:
        typer.echo(f"已将 {len(findings)} 条核查发现作为“存在的主要问题”草稿写入，请核实后修改。")
    if not scorecard.complete:
        typer.echo("注意：部分指标缺少数据，总分不完整（见文档中的说明）。", err=True)


@app.command()
def template(
    framework: Annotated[str, typer.Option("--framework", "-f", help="指标体系编号或 YAML 路径")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出的填报模板（.xlsx）")] = Path("填报模板.xlsx"),
    from_: Annotated[Path | None, typer.Option("--from", help="用已有档案预填模板")] = None,
) -> None:
    """生成 Excel 填报模板（可用已有档案预填），填好后可直接用于 score / report。"""
    from jixiao.frameworks import load_framework
    from jixiao.template import write_template

    if out.suffix.lower() != ".xlsx":
        raise InputError("填报模板须保存为 .xlsx 文件", file=str(out))
    if not out.parent.exists():
        raise InputError("输出目录不存在", file=str(out.parent))
    spec = load_framework(framework)
    dossier = load_input(from_) if from_ is not None else None
    write_template(spec, out, dossier)
    filled = f"，已按 {from_} 预填" if from_ is not None else ""
    typer.echo(f"已生成填报模板：{out}（{spec.name}{filled}）")
