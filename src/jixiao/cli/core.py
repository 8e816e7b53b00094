"""Core commands: init, validate, score, frameworks, framework show, schema."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from jixiao.cli.app import JixiaoTyper, app, user_errors  # noqa: F401  (user_errors: re-exported for cli/web.py)
from jixiao.cli.display import framework_tree, print_scorecard
from jixiao.errors import FrameworkError, InputError, JixiaoError
from jixiao.frameworks import Framework, framework_ids, load_framework, scan_frameworks
from jixiao.frameworks.model import FRAMEWORK_SCHEMA
from jixiao.inputs import DOSSIER_SUFFIXES, REPORT_SUFFIXES, load_input
from jixiao.model import SCORECARD_SCHEMA, Dossier, Scorecard
from jixiao.yamlio import load_data, validate_data

if TYPE_CHECKING:
    from jixiao.ingest.document import Document

EXAMPLE_NAME = "example-dossier.yaml"
DEFAULT_FRAMEWORK = "guangzhou-district-overall"

framework_app = JixiaoTyper(help="查看单个指标体系。", no_args_is_help=True)
app.add_typer(framework_app, name="framework")


def _out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _say(message: str) -> None:
    # A message is one logical line (file names, ids): the terminal wraps it, never in mid-name; no markup.
    Console(highlight=False, soft_wrap=True).print(message, markup=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


class ScoreFormat(StrEnum):
    text = "text"
    json = "json"


class ShowFormat(StrEnum):
    text = "text"
    yaml = "yaml"
    json = "json"


class SchemaName(StrEnum):
    dossier = "dossier"
    framework = "framework"
    scorecard = "scorecard"


# ------------------------------------------------------------------ init


def example_dossier_path() -> Path:
    """The example dossier: inside an installed package (jixiao/examples) or in the source tree."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[1] / "examples" / EXAMPLE_NAME,
        here.parents[3] / "examples" / EXAMPLE_NAME,
    ):
        if candidate.is_file():
            return candidate
    raise JixiaoError(f"找不到示例档案 {EXAMPLE_NAME}（安装包不完整）")


@app.command()
def init(
    out: Annotated[Path, typer.Option("--out", "-o", help="写入的档案文件")] = Path("dossier.yaml"),
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="档案使用的指标体系 id")] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
) -> None:
    """写出一份带中文注释的示例档案，照着填写即可评分。"""
    if out.exists() and not force:
        raise InputError("文件已存在；如确需覆盖请加 --force", file=str(out))
    text = example_dossier_path().read_text(encoding="utf-8")
    if framework is not None:
        chosen = load_framework(framework)
        text, count = re.subn(r"(?m)^framework: *\S+", f"framework: {chosen.id}", text, count=1)
        if count != 1:
            raise JixiaoError("示例档案中没有 framework 字段，无法设置指标体系")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    _say(f"已写出示例档案：{out}\n下一步：编辑后运行 jixiao validate {out} 与 jixiao score {out}")


# ------------------------------------------------------------------ validate


def _looks_like_framework(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    schema = str(data.get("schema") or "")
    if schema.startswith("jixiao.framework/"):
        return True
    # A dossier always has a unit; a framework always has an id (and items or extends).
    return (
        not schema.startswith("jixiao.dossier/")
        and "unit" not in data
        and ("items" in data or "extends" in data or "id" in data)
    )


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="档案（YAML/JSON）、指标体系 YAML、填报模板或自评报告")],
) -> None:
    """校验档案或指标体系文件：通过则输出 OK，否则指出文件、行号和原因。"""
    if file.suffix.lower() in DOSSIER_SUFFIXES:
        data, lines = load_data(file)
        if _looks_like_framework(data):
            framework = load_framework(file)
            leaves = [i for i in framework.walk() if not i.children]
            _say(
                f"OK：指标体系 {framework.id}（{framework.name}）有效，共 {len(leaves)} 个末级指标，"
                f"总分 {framework.max_total}"
            )
            return
        dossier = validate_data(Dossier, data, lines, str(file))  # parsed once, not again by load_input
    else:
        dossier = load_input(file)
    message = f"OK：档案有效（{dossier.unit.name}，{dossier.year} 年度，{dossier.kind}）"
    if dossier.framework:
        try:
            load_framework(dossier.framework)
        except FrameworkError as exc:
            raise InputError(f"档案指定的指标体系无法使用：{exc}", file=str(file)) from None
        message += f"，指标体系 {dossier.framework}"
    _say(message)


# ------------------------------------------------------------------ score


def load_with_document(file: Path) -> tuple[Dossier, Document | None]:
    """``load_input``, keeping a report's read ``Document`` so that framework detection does not read it
    again (spreadsheets go through ``load_input``: a filled template names its framework)."""
    suffix = file.suffix.lower()
    if suffix in REPORT_SUFFIXES and suffix not in {".xlsx", ".xlsm", ".xls"} and file.is_file():
        from jixiao.ingest import read_document
        from jixiao.ingest.extract import extract_document

        document = read_document(file)
        return extract_document(document).dossier, document
    return load_input(file), None


def detect_for(dossier: Dossier, file: Path, document: Document | None = None) -> Framework:
    """The framework recognised from the report itself, announced on stderr; an error listing the
    candidates with their evidence when none is clear."""
    from jixiao.frameworks.detect import detect_framework, evidence_from_document, known_frameworks

    if document is None:
        from jixiao.ingest import read_document

        document = read_document(file)
    frameworks = known_frameworks()
    detection = detect_framework(evidence_from_document(document, dossier), frameworks)
    if detection.framework_id is None:
        raise InputError(detection.failure(sorted(f.id for f in frameworks)), file=str(file))
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"提示：{detection.summary()}", markup=False)
    return next(f for f in frameworks if f.id == detection.framework_id)


def framework_for(
    dossier: Dossier, option: str | None, file: Path, document: Document | None = None
) -> Framework:
    """The --framework option, else the dossier's own framework, else (for a report) the one recognised
    from its content; a Chinese error naming the file if none."""
    if option:
        return load_framework(option)
    if dossier.framework:
        return load_framework(dossier.framework)
    if file.suffix.lower() not in DOSSIER_SUFFIXES:
        return detect_for(dossier, file, document)
    raise InputError(
        "未指定指标体系：请在档案中写 framework: <id>，或使用 --framework。可用的指标体系："
        + "、".join(framework_ids()),
        file=str(file),
    )


def scorecard_json(card: Scorecard) -> str:
    data = card.model_dump(mode="json", by_alias=True)
    data["schema"] = SCORECARD_SCHEMA
    return json.dumps(data, ensure_ascii=False, indent=2)


@app.command()
def score(
    file: Annotated[Path, typer.Argument(help="档案（YAML/JSON）、填报模板或自评报告")],
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework", "-f", help="指标体系 id 或 YAML 路径（默认取档案中的 framework；报告则按内容识别）"
        ),
    ] = None,
    fmt: Annotated[ScoreFormat, typer.Option("--format", help="输出格式")] = ScoreFormat.text,
) -> None:
    """按指标体系评分：逐项得分、推导过程、与自评分的差异、缺失数据和等级。

    未指定指标体系且档案中也没有时，按报告内容识别（在标准错误输出说明识别结果与依据）。
    """
    from jixiao.scoring import score as score_dossier

    dossier, document = load_with_document(file)
    chosen = framework_for(dossier, framework, file, document)
    card = score_dossier(dossier, chosen)
    if fmt is ScoreFormat.json:
        typer.echo(scorecard_json(card))
    else:
        print_scorecard(card, _out())


# ------------------------------------------------------------------ frameworks


@app.command()
def frameworks() -> None:
    """列出内置与用户自定义的指标体系。"""
    infos, errors = scan_frameworks()
    table = Table(title="指标体系", expand=True)
    table.add_column("id", no_wrap=True)
    table.add_column("名称", overflow="fold", min_width=12, ratio=3)
    table.add_column("类型", no_wrap=True)
    table.add_column("来源", overflow="fold", min_width=4, ratio=2)
    for info in infos:
        source = "内置" if info.builtin else info.source
        if info.parent:
            source += f"\n继承 {info.parent}"
        table.add_row(info.id, info.name, info.kind, source)
    console = _out()
    console.print(table)
    for error in errors:
        _err().print(f"[yellow]警告[/]：未能加载 {error}", markup=True)
    console.print(
        "自定义：把 *.yaml 放入 ./frameworks/、~/.config/jixiao/frameworks/ 或环境变量 JIXIAO_FRAMEWORKS_DIR "
        "指定的目录，即可新增或覆盖指标体系。"
    )


@framework_app.command("show")
def framework_show(
    framework_id: Annotated[str, typer.Argument(metavar="ID", help="指标体系 id 或 YAML 路径")],
    fmt: Annotated[ShowFormat, typer.Option("--format", help="输出格式")] = ShowFormat.text,
) -> None:
    """显示指标体系的指标树、分值与评分规则（已展开继承）。"""
    chosen = load_framework(framework_id)
    # The resolved framework, tagged like every JSON/YAML document jixiao writes.
    data = {
        "schema": FRAMEWORK_SCHEMA,
        **chosen.model_dump(mode="json", exclude_none=True, exclude_defaults=False),
    }
    if fmt is ShowFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt is ShowFormat.yaml:
        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    else:
        _out().print(framework_tree(chosen))


# ------------------------------------------------------------------ schema


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="dossier | framework | scorecard")] = SchemaName.dossier,
) -> None:
    """输出档案、指标体系或评分结果的 JSON Schema。"""
    if name is SchemaName.framework:
        from jixiao.frameworks.schema import framework_schema

        data = framework_schema()
    else:
        model, mode = (
            (Scorecard, "serialization") if name is SchemaName.scorecard else (Dossier, "validation")
        )
        # Identified the way the framework schema file is: a JSON Schema document names its dialect and itself.
        data = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://jixiao.invalid/schemas/{name.value}-1.json",
            **model.model_json_schema(by_alias=True, mode=mode),
        }
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
