"""Operations shared by the HTML pages and the JSON API: each checks access, calls the core through
``engine`` and writes through the store, so both front ends behave identically."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from jixiao.errors import InputError
from jixiao.model import Dossier, Figure, Indicator, Project
from jixiao.store import Summary, WorkflowError
from jixiao.store.models import Attachment, DossierRow, FrameworkRow, Unit
from jixiao.web import engine
from jixiao.web.access import (
    Actor,
    Forbidden,
    require_create_for,
    require_edit,
    require_review,
    require_view,
)
from jixiao.web.engine import Evaluation
from jixiao.web.messages import field_errors
from jixiao.web.uploads import REPORT_SUFFIXES, CheckedUpload

if TYPE_CHECKING:
    from jixiao.web.app import AppState

log = logging.getLogger("jixiao.web")

KINDS = ("部门整体", "项目支出")


def framework_choices(
    jx: AppState, uploaded: list[FrameworkRow] | None = None
) -> list[engine.FrameworkChoice]:
    rows = jx.store.list_frameworks() if uploaded is None else uploaded
    ids = {r.id for r in rows}
    own = [engine.FrameworkChoice(r.id, r.name, "上传") for r in rows]
    return [c for c in jx.catalog.builtin() if c.id not in ids] + own


def dossier_of(row: DossierRow) -> Dossier:
    return Dossier.model_validate(row.data)


def dossier_data(dossier: Dossier) -> dict[str, Any]:
    return dossier.model_dump(mode="json", by_alias=True, exclude_none=True)


def source_file(jx: AppState, attachments: list[Attachment]) -> engine.SourceFile | None:
    """The latest uploaded report a dossier was created from, if its file is still there."""
    sources = [a for a in attachments if a.purpose == "source"]
    if not sources:
        return None
    latest = sources[-1]
    path = jx.store.blob_path(latest.sha256)
    return engine.SourceFile(path, latest.filename, latest.sha256) if path.exists() else None


def evaluate(
    jx: AppState,
    dossier: Dossier,
    dossier_id: int | None = None,
    *,
    attachments: list[Attachment] | None = None,
    uploaded: list[FrameworkRow] | None = None,
) -> Evaluation:
    """Score and check a dossier; a page that lists the attachments or frameworks anyway passes them in,
    which saves a database round trip each."""
    if attachments is None and uploaded is None:
        attachments, uploaded = jx.store.evaluation_inputs(dossier_id)
    if attachments is None:
        attachments = jx.store.list_attachments(dossier_id) if dossier_id is not None else []
    if uploaded is None:
        uploaded = jx.store.list_frameworks()
    sources = {r.id: r.source for r in uploaded}
    return engine.evaluate(dossier, jx.catalog, sources, source_file(jx, attachments))


def validate_dossier(data: Any) -> Dossier:
    if not isinstance(data, dict):
        raise InputError("档案内容应为 JSON 对象")
    try:
        return Dossier.model_validate(data)
    except ValidationError as exc:
        from jixiao.web.app import FieldErrors

        raise FieldErrors(field_errors(exc, "dossier")) from None


def view_row(jx: AppState, actor: Actor, dossier_id: int) -> DossierRow:
    row = jx.store.get_dossier(dossier_id)
    require_view(actor, row)
    return row


def edit_row(jx: AppState, actor: Actor, dossier_id: int) -> DossierRow:
    row = jx.store.get_dossier(dossier_id)
    require_edit(actor, row)
    return row


def visible_dossiers(jx: AppState, actor: Actor, **filters: Any) -> list[DossierRow]:
    if actor.is_unit:
        if filters.get("unit_id") not in (None, actor.user.unit_id):
            raise Forbidden("您只能查看本单位的档案")
        filters["unit_id"] = actor.user.unit_id
    return jx.store.list_dossiers(**filters)


def require_creator(actor: Actor) -> None:
    if not (actor.is_unit or actor.is_admin):
        raise Forbidden("只有单位填报人或管理员可以创建档案")


def _unit_for_create(jx: AppState, actor: Actor, unit_id: int | None) -> int:
    if unit_id is None:
        if actor.user.unit_id is None:
            raise InputError("请选择单位")
        unit_id = actor.user.unit_id
    require_create_for(actor, unit_id)
    jx.store.get_unit(unit_id)
    return unit_id


def _check_year(year: Any) -> int:
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        from jixiao.web.app import FieldErrors

        raise FieldErrors({"year": "年度应为四位数字，例如 2024"}) from None
    if not 1990 <= value <= 2100:
        from jixiao.web.app import FieldErrors

        raise FieldErrors({"year": "年度应在 1990 至 2100 之间"})
    return value


def _stamp(jx: AppState, unit_id: int, dossier: Dossier, unit: Unit | None = None) -> Dossier:
    """The dossier with its unit's current name, region and code (``unit``: already loaded, saves a read)."""
    unit = unit if unit is not None and unit.id == unit_id else jx.store.get_unit(unit_id)
    data = dossier_data(dossier)
    data["unit"] = {**data.get("unit", {}), "name": unit.name}
    if unit.region:
        data["unit"]["region"] = unit.region
    if unit.code:
        data["unit"]["code"] = unit.code
    return Dossier.model_validate(data)


def _create(jx: AppState, actor: Actor, unit_id: int, dossier: Dossier, action: str) -> DossierRow:
    dossier = _stamp(jx, unit_id, dossier)
    if not dossier.framework:
        dossier = dossier.model_copy(update={"framework": jx.catalog.default_for(dossier.kind)})
    summary = evaluate(jx, dossier).summary()
    return jx.store.create_dossier(
        unit_id,
        dossier_data(dossier),
        year=dossier.year,
        kind=dossier.kind,
        user_id=actor.user.id,
        summary=summary,
        action=action,
    )


def create_blank(
    jx: AppState,
    actor: Actor,
    *,
    unit_id: int | None,
    year: Any,
    kind: str = "部门整体",
    framework: str | None = None,
) -> DossierRow:
    unit_id = _unit_for_create(jx, actor, unit_id)
    if kind not in KINDS:
        from jixiao.web.app import FieldErrors

        raise FieldErrors({"kind": "类型应为“部门整体”或“项目支出”"})
    dossier = Dossier(
        unit={"name": "待定"},
        year=_check_year(year),
        kind=kind,
        framework=framework or jx.catalog.default_for(kind),
    )
    return _create(jx, actor, unit_id, dossier, "create")


def create_from_data(jx: AppState, actor: Actor, *, unit_id: int | None, data: Any) -> DossierRow:
    unit_id = _unit_for_create(jx, actor, unit_id)
    if isinstance(data, dict):
        data = {**data, "unit": data.get("unit") or {"name": "待定"}}
    return _create(jx, actor, unit_id, validate_dossier(data), "create")


def carry_forward(previous: Dossier, year: int) -> Dossier:
    """Last year's dossier as this year's start: its figures become ``prior_*``; projects and indicators
    keep names, weights and targets, and lose last year's results."""
    figures: dict[str, Figure] = {}
    for key, fig in previous.figures.items():
        if not key.startswith("prior_"):
            figures[f"prior_{key}"] = Figure(value=fig.value, unit=fig.unit, note=f"{previous.year}年度档案")
    projects = [
        Project(
            name=p.name,
            description=p.description,
            weight=p.weight,
            indicators=[
                Indicator(
                    name=i.name,
                    level1=i.level1,
                    level2=i.level2,
                    weight=i.weight,
                    target=i.target,
                    unit=i.unit,
                    direction=i.direction,
                )
                for i in p.indicators
            ],
        )
        for p in previous.projects
    ]
    return Dossier(
        unit=previous.unit,
        year=year,
        kind=previous.kind,
        framework=previous.framework,
        figures=figures,
        projects=projects,
    )


def create_from_previous(jx: AppState, actor: Actor, *, previous_id: int, year: Any) -> DossierRow:
    previous = view_row(jx, actor, previous_id)
    year_value = _check_year(year)
    if year_value == previous.year:
        raise InputError("新档案的年度应与上年档案不同")
    return _create(
        jx,
        actor,
        _unit_for_create(jx, actor, previous.unit_id),
        carry_forward(dossier_of(previous), year_value),
        "create_from_previous",
    )


AUTO_FRAMEWORK = "auto"  # the upload form's and API's "recognise it from the report"
SHOWN_CANDIDATES = 3  # candidates named in the "not recognised" warning
WHERE_TO_CHANGE = "请在“基本信息”的“指标体系”中"


@dataclass(frozen=True)
class FrameworkDecision:
    """How an uploaded report's dossier got its framework: the user's choice, the file's own (a filled
    template names it), recognition from the content, or the default for its kind."""

    framework_id: str | None
    origin: str  # choice / file / detected / default
    detection: Any = None  # jixiao.frameworks.detect.Detection, when recognition ran and finished
    warning: str | None = None

    def json(self) -> dict[str, Any]:
        detection = self.detection
        return {
            "id": self.framework_id,
            "origin": self.origin,
            "detection": None
            if detection is None
            else {
                "framework_id": detection.framework_id,
                "confidence": detection.confidence,
                "reasons": detection.reasons,
                "candidates": [
                    {"framework_id": c.framework_id, "name": c.name, "confidence": c.score}
                    for c in detection.candidates[:5]
                ],
            },
        }


def _check_framework_choice(choices: list[engine.FrameworkChoice], framework: str | None) -> str | None:
    """The explicitly chosen framework id, or None for automatic recognition; an unknown id is a field error."""
    choice = (framework or "").strip()
    if choice in ("", AUTO_FRAMEWORK):
        return None
    if choice not in {c.id for c in choices}:
        from jixiao.web.app import FieldErrors

        raise FieldErrors({"framework": f"未知的指标体系“{choice}”，请从列表中选择或选“自动识别”"})
    return choice


@dataclass(frozen=True)
class _Offered:
    """The frameworks the site offers, read once per upload: choices for the form, YAML of admin uploads."""

    choices: list[engine.FrameworkChoice]
    sources: dict[str, str]

    def name_of(self, framework_id: str | None) -> str:
        choice = next((c for c in self.choices if c.id == framework_id), None)
        return f"{choice.name}（{framework_id}）" if choice else str(framework_id)


def _recognise(jx: AppState, offered: _Offered, evidence: Any, kind: str) -> FrameworkDecision:
    """Recognition over every framework the site offers; anything short of a confident answer keeps the
    default for the kind and says so, and a failure never stops the upload."""
    default = jx.catalog.default_for(kind)
    fallback = (
        f"已暂按默认的{offered.name_of(default)}建档，{WHERE_TO_CHANGE}核对并选择"
        if default
        else f"没有{kind}类型的默认指标体系，{WHERE_TO_CHANGE}选择"
    )
    failed = FrameworkDecision(
        default, "default", None, f"未能按报告内容识别指标体系（识别时出错，已记录日志）；{fallback}"
    )
    if evidence is None:  # reading the report for it failed (logged there)
        return failed
    try:
        frameworks, _broken = jx.catalog.available(offered.sources)
        detection = engine.recognise(evidence, frameworks)
    except Exception:
        log.exception("framework recognition failed")
        return failed
    chosen = detection.chosen
    if detection.framework_id is not None and chosen is not None:
        why = "；".join(detection.reasons)
        warning = (
            f"已按报告内容识别指标体系：{chosen.name}（{chosen.framework_id}）——依据：{why}。"
            f"如不符，{WHERE_TO_CHANGE}更改"
        )
        return FrameworkDecision(chosen.framework_id, "detected", detection, warning)
    shown = [c for c in detection.candidates if c.score > 0][:SHOWN_CANDIDATES]
    named = "、".join(f"{c.name}（{c.framework_id}，把握度 {c.score:.2f}）" for c in shown)
    warning = (
        f"未能按报告内容确定指标体系（{'；'.join(detection.reasons)}）"
        + (f"，候选：{named}" if named else "，报告中未出现本站任何指标体系的指标名称或识别提示")
        + f"；{fallback}"
    )
    return FrameworkDecision(default, "default", detection, warning)


def _framework_for_upload(
    jx: AppState, offered: _Offered, dossier: Dossier, choice: str | None, evidence: Any
) -> tuple[Dossier, FrameworkDecision]:
    """The dossier with its framework: the user's explicit choice, else the one the file names, else the one
    recognised from the report; a report that does not state its type takes the framework's."""
    if choice is not None:
        decision = FrameworkDecision(choice, "choice")
    elif dossier.framework:
        decision = FrameworkDecision(dossier.framework, "file")
    else:
        decision = _recognise(jx, offered, evidence, dossier.kind)
    update: dict[str, Any] = {"framework": decision.framework_id}
    if evidence is not None and evidence.kind is None and decision.framework_id:
        try:
            kind = jx.catalog.load(decision.framework_id, offered.sources).kind
        except Exception:  # scoring reports a framework that does not load; the upload goes on
            kind = None
        if kind in KINDS and kind != dossier.kind:
            update["kind"] = kind
    return dossier.model_copy(update=update), decision


def create_from_upload(
    jx: AppState,
    actor: Actor,
    *,
    unit_id: int | None,
    year: Any,
    upload: CheckedUpload,
    framework: str | None = None,
) -> tuple[DossierRow, list[str], FrameworkDecision]:
    """A dossier from an uploaded report; ``framework`` is an explicit choice, or None/"auto" to recognise
    it from the report. The framework's line comes first among the warnings: the page shows the first few."""
    unit_id = _unit_for_create(jx, actor, unit_id)
    year_value = _check_year(year)
    rows = jx.store.list_frameworks()
    offered = _Offered(framework_choices(jx, rows), {r.id: r.source for r in rows})
    choice = _check_framework_choice(offered.choices, framework)
    if upload.suffix not in REPORT_SUFFIXES:
        raise InputError(
            f"不能从 {upload.suffix} 文件抽取档案：请上传自评报告（.txt/.docx/.pdf）或填报模板（.xlsx）"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / upload.filename
        path.write_bytes(upload.content)
        extracted = engine.extract_upload(path)
    warnings = list(extracted.warnings)
    if extracted.dossier.year != year_value:
        warnings.append(f"报告中的年度为 {extracted.dossier.year} 年，已按您选择的 {year_value} 年度建档")
    data = dossier_data(extracted.dossier)
    data["year"] = year_value
    dossier = _stamp(jx, unit_id, Dossier.model_validate(data))
    dossier, decision = _framework_for_upload(jx, offered, dossier, choice, extracted.evidence)
    if decision.warning:
        warnings.insert(0, decision.warning)
    # One transaction creates the dossier with its source report; the summary follows once the stored
    # report can be checked along with it.
    row = jx.store.create_dossier(
        unit_id,
        dossier_data(dossier),
        year=dossier.year,
        kind=dossier.kind,
        user_id=actor.user.id,
        summary=Summary(),
        action="create_from_upload",
        source=(upload.filename, upload.content_type, upload.content),
    )
    jx.store.update_summary(row.id, evaluate(jx, dossier, row.id).summary())
    return jx.store.get_dossier(row.id), warnings, decision


def save(jx: AppState, actor: Actor, row: DossierRow, version: Any, dossier: Dossier) -> DossierRow:
    """Save a dossier the caller has read with ``edit_row`` (so access is checked before the input is)."""
    dossier = _stamp(jx, row.unit_id, dossier, row.unit)
    if not dossier.framework:  # "（默认）" in the form
        dossier = dossier.model_copy(update={"framework": jx.catalog.default_for(dossier.kind)})
    summary = evaluate(jx, dossier, row.id).summary()
    return jx.store.save_dossier(
        row.id, parse_version(version), dossier_data(dossier), user_id=actor.user.id, summary=summary
    )


def parse_version(version: Any) -> int:
    try:
        return int(str(version))
    except (TypeError, ValueError):
        from jixiao.web.app import FieldErrors

        raise FieldErrors({"version": "缺少版本号（请刷新页面后重试）"}) from None


def transition(
    jx: AppState, actor: Actor, dossier_id: int, version: Any, action: str, comment: str = ""
) -> DossierRow:
    row = jx.store.get_dossier(dossier_id)
    if action == "submit":
        require_edit(actor, row)
    elif action in ("return", "approve", "reopen"):
        require_view(actor, row)
        require_review(actor, row)
    else:
        raise InputError(f"未知操作“{action}”")
    return jx.store.transition(
        dossier_id, parse_version(version), action, user_id=actor.user.id, comment=comment
    )


def save_review(jx: AppState, actor: Actor, dossier_id: int, version: Any, opinion: str) -> DossierRow:
    row = jx.store.get_dossier(dossier_id)
    require_review(actor, row)
    return jx.store.save_review(dossier_id, parse_version(version), opinion, user_id=actor.user.id)


def editable_row(jx: AppState, actor: Actor, dossier_id: int) -> DossierRow:
    """A dossier the actor may change and that is still in the unit's hands (草稿 or 已退回)."""
    from jixiao.store.workflow import unit_can_edit

    row = edit_row(jx, actor, dossier_id)
    if not unit_can_edit(row.status):
        raise WorkflowError(f"档案状态为“{row.status_name}”，不能再修改或增删附件；如需修改请由复核人退回")
    return row


def add_attachment(jx: AppState, actor: Actor, dossier_id: int, upload: CheckedUpload):  # type: ignore[no-untyped-def]
    editable_row(jx, actor, dossier_id)
    return jx.store.add_attachment(
        dossier_id, upload.filename, upload.content_type, upload.content, user_id=actor.user.id
    )


def attachment_for_view(jx: AppState, actor: Actor, attachment_id: int):  # type: ignore[no-untyped-def]
    att = jx.store.get_attachment(attachment_id)
    view_row(jx, actor, att.dossier_id)
    return att


def delete_attachment(jx: AppState, actor: Actor, attachment_id: int) -> int:
    att = jx.store.get_attachment(attachment_id)
    editable_row(jx, actor, att.dossier_id)
    jx.store.delete_attachment(attachment_id)
    return att.dossier_id


def document(jx: AppState, actor: Actor, dossier_id: int, fmt: str) -> tuple[bytes, str, str]:
    row = view_row(jx, actor, dossier_id)
    if fmt == "yaml":
        from jixiao.dossier_io import dump_dossier_yaml

        return (
            dump_dossier_yaml(dossier_of(row)).encode("utf-8"),
            f"{row.unit.name}-{row.year}-档案.yaml",
            "application/yaml; charset=utf-8",
        )
    if fmt not in engine.DOCUMENT_FORMATS:
        raise InputError(f"不支持的格式“{fmt}”")
    dossier = dossier_of(row)
    evaluation = evaluate(jx, dossier, dossier_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = engine.render_document(dossier, evaluation, fmt, Path(tmp))
        content = path.read_bytes()
    label, media = engine.DOCUMENT_FORMATS[fmt]
    return content, f"{row.unit.name}-{row.year}-{label}.{fmt}", media


# ------------------------------------------------------------------ dashboard

SORT_KEYS = {
    "unit": lambda r: r.unit.name,
    "year": lambda r: r.year,
    "score": lambda r: _dec(r.score_total),
    "rate": lambda r: _dec(r.execution_rate),
    "errors": lambda r: r.findings_error,
    "status": lambda r: r.status,
}


def _dec(value: str | None) -> Decimal:
    try:
        return Decimal(value) if value is not None else Decimal("-1")
    except InvalidOperation:
        return Decimal("-1")


@dataclass
class Dashboard:
    rows: list[DossierRow]
    years: list[int]
    year: int | None
    matrix_units: list[str]
    matrix: dict[tuple[str, int], DossierRow]
    chart: list[tuple[str, Decimal | None, str | None]]


def dashboard(
    jx: AppState,
    *,
    year: int | None = None,
    status: str | None = None,
    q: str = "",
    sort: str = "unit",
    desc: bool = False,
) -> Dashboard:
    every = jx.store.list_dossiers()
    years = sorted({r.year for r in every}, reverse=True)
    rows = [
        r
        for r in every
        if (year is None or r.year == year)
        and (not status or r.status == status)
        and (not q or q in r.unit.name)
    ]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["unit"]), reverse=desc)
    matrix_rows = [r for r in every if not q or q in r.unit.name]
    units = sorted({r.unit.name for r in matrix_rows})
    matrix = {(r.unit.name, r.year): r for r in matrix_rows if r.kind == "部门整体"}
    chart_year = year if year is not None else (years[0] if years else None)
    chart_rows = sorted(
        (r for r in every if r.year == chart_year and (not q or q in r.unit.name)),
        key=lambda r: _dec(r.score_total),
        reverse=True,
    )
    chart = [(r.unit.name, Decimal(r.score_total) if r.score_total else None, r.grade) for r in chart_rows]
    return Dashboard(rows, years, chart_year, units, matrix, chart)


# ------------------------------------------------------------------ history


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index + 1}]"))
    elif value is not None:
        out[prefix] = str(value)
    return out


PATH_LABELS = {
    "figures": "数值",
    "projects": "项目",
    "indicators": "指标",
    "texts": "文字",
    "stated": "自评",
    "management": "管理",
    "value": "值",
    "unit": "单位",
    "name": "名称",
    "weight": "分值",
    "target": "年度指标值",
    "actual": "实际完成值",
    "total": "总分",
    "grade": "等级",
    "stated_score": "自评得分",
    "source": "来源",
    "review_opinion": "复核意见",
}


def label_path(path: str) -> str:
    from jixiao.web.forms import figure_label

    parts = []
    for part in path.split("."):
        base, _, index = part.partition("[")
        label = PATH_LABELS.get(base) or figure_label(base)
        parts.append(label + (f"第{index[:-1]}项" if index else ""))
    return " › ".join(parts)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(label, before, after) for every leaf that differs; provenance detail is left out as noise."""
    a, b = flatten(old), flatten(new)
    out = []
    for key in sorted(set(a) | set(b)):
        if ".source." in key or key.startswith("stated.sources"):
            continue
        if a.get(key) != b.get(key):
            out.append((label_path(key), a.get(key), b.get(key)))
    return out


def version_diff(jx: AppState, actor: Actor, dossier_id: int, a: int, b: int):  # type: ignore[no-untyped-def]
    view_row(jx, actor, dossier_id)
    va, vb = jx.store.dossier_version(dossier_id, a), jx.store.dossier_version(dossier_id, b)
    old = {**va.data, "review_opinion": va.review_opinion}
    new = {**vb.data, "review_opinion": vb.review_opinion}
    return va, vb, diff(old, new)
