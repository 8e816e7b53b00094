"""Which framework a report follows: its indicator names and the framework's ``match`` hints.

    detect_framework(document_or_dossier, frameworks) -> Detection

Pure.
Each candidate gets a score in [0, 1] from

* the indicator names (一级/二级/三级) and ``match.keywords`` found in the report — a name at the start of a
  line, in a heading or a table cell counts in full, one inside running text half; a name that several
  framework families share counts as a share (预算执行率 says little, 一般公共预算支出年度平均执行率 a lot);
* ``match.region_keywords`` in the title or unit name (in the body only: half) and ``match.title_keywords``
  in the title;
* a report type (部门整体/项目支出) stated in the title that differs from the framework's halves its score.

A framework that ``extends`` another (a district variant) shares its parent's names, so it is preferred
only when its *own* hints (those that differ from the parent's) match the title or unit name; otherwise it
ranks just below the parent. A choice is made only when the best score reaches ``THRESHOLD`` and no
unrelated candidate comes within ``MARGIN`` of it; otherwise the result lists the candidates with their
evidence and the user is asked to pass ``--framework``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.frameworks.model import Framework, MatchHints
from jixiao.model import Dossier

if TYPE_CHECKING:
    from jixiao.ingest.document import Document

THRESHOLD = 0.6  # the least score that is a choice
MARGIN = 0.15  # an unrelated runner-up this close makes the choice ambiguous
FULL_EVIDENCE = 4.0  # weighted indicator names that count as full evidence (less for a small framework)
MIN_EVIDENCE = 2.0
WEIGHTS = {"indicators": 0.6, "region": 0.25, "title": 0.15}
HEAD_CHARS = 200  # the title and opening lines, where the unit names itself
SHOWN_NAMES = 6  # indicator names quoted in a reason
VARIANT_STEP = 0.01  # how far a variant ranks above (own hints match) or below (not) its parent

_DROP = re.compile(r"[\s“”\"'‘’「」『』《》〈〉·•]")
# Outline numbering before a heading-like line: "一、", "（二）", "1.", "2、", "(3)", "①".
_NUMBERING = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十百\d]{1,3}[)）]|[一二三四五六七八九十百\d]{1,3}[、.．]|[①-⑳])+"
)


def normalise(text: str) -> str:
    """Full-width folded, spaces, quotes and book-title marks dropped: “三公”经费 and 三公经费 are one name."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text))


# ------------------------------------------------------------------ what detection reads


@dataclass(frozen=True)
class Evidence:
    """The parts of a report (or dossier) that detection reads, normalised."""

    head: str  # title, opening lines and the unit name
    lines: tuple[str, ...]  # heading-like text: headings, table cells, line starts without their numbering
    body: str  # all text
    kind: str | None  # 部门整体 / 项目支出 when the report says so
    kind_from: str = ""  # where it says so: 标题 / 正文 / 档案


def _stated_kind(head: str, body: str) -> tuple[str | None, str]:
    """The report type the title states; failing that, the one the body names far more often."""
    whole = "部门整体" in head or "整体支出" in head
    project = "项目支出" in head or "项目绩效" in head
    if whole != project:
        return ("部门整体" if whole else "项目支出"), "标题"
    whole_n = body.count("部门整体") + body.count("整体支出")
    project_n = body.count("项目支出绩效") + body.count("项目绩效自评")
    if max(whole_n, project_n) >= 2 and max(whole_n, project_n) >= 2 * min(whole_n, project_n):
        return ("部门整体" if whole_n > project_n else "项目支出"), "正文"
    return None, ""


def evidence_from_document(doc: Document, dossier: Dossier | None = None) -> Evidence:
    """Evidence from a read report; ``dossier`` (its extraction) adds the unit name found there."""
    lines: list[str] = []
    for block in doc.blocks:
        if block.rows is not None:
            lines.extend(normalise(cell) for row in block.rows for cell in row if cell.strip())
            continue
        for line in block.text.split("\n"):
            lines.append(_NUMBERING.sub("", normalise(line)))
    unit = dossier.unit.name if dossier is not None else None
    body = normalise(doc.text)
    kind, kind_from = _stated_kind(normalise(doc.text[:HEAD_CHARS]), body)
    return Evidence(
        head=normalise(doc.text[:HEAD_CHARS]) + normalise(unit or ""),
        lines=tuple(line for line in lines if line),
        body=body,
        kind=kind,
        kind_from=kind_from,
    )


def evidence_from_dossier(dossier: Dossier) -> Evidence:
    """Evidence from a dossier alone: the names it states scores, answers and indicators under."""
    names = [*dossier.stated.items, *dossier.manual_scores, *dossier.management]
    for project in dossier.projects:
        names.append(project.name)
        for ind in project.indicators:
            names.extend(n for n in (ind.level1, ind.level2, ind.name) if n)
    lines = tuple(normalise(n) for n in names if n.strip())
    head = normalise(dossier.unit.name)
    body = "\n".join((head, *lines))
    return Evidence(head=head, lines=lines, body=body, kind=dossier.kind, kind_from="档案")


# ------------------------------------------------------------------ hints of a framework


def hints_for(framework: Framework, by_id: dict[str, Framework]) -> MatchHints:
    """The resolved hints (the loader merges ``match`` through ``extends``); none written → empty hints."""
    return framework.match if framework.match is not None else MatchHints()


def _parent_of(framework: Framework, by_id: dict[str, Framework]) -> Framework | None:
    """The framework ``framework`` extends: in ``by_id``, else loaded (a path, or the built-in it shadows)."""
    ref = framework.parent
    if ref is None:
        return None
    parent = by_id.get(ref)
    if parent is not None and parent.source != framework.source:
        return parent
    from jixiao.errors import FrameworkError
    from jixiao.frameworks.registry import BUILTIN_DIR, load_framework

    here = Path(framework.source) if framework.source else None
    if ref.endswith((".yaml", ".yml")) and here is not None:
        options: list[str | Path] = [here.parent / ref]
    elif ref == framework.id:  # a user file extending the built-in of the same id
        options = sorted(BUILTIN_DIR.glob("*.y*ml"))
    else:
        options = [ref]
    for option in options:
        try:
            found = load_framework(option)
        except FrameworkError:
            continue
        if found.source != framework.source and (found.id == ref or len(options) == 1):
            return found
    return None


def known_frameworks() -> list[Framework]:
    """Every framework the registry finds (built-in and user folders) that loads; broken files are left out."""
    from jixiao.frameworks.registry import list_frameworks, load_framework

    return [load_framework(info.source) for info in list_frameworks()]


# ------------------------------------------------------------------ result


@dataclass(frozen=True)
class Candidate:
    framework_id: str
    name: str
    score: float
    reasons: list[str]  # the evidence for it, then what speaks against it
    indicators: list[str] = field(default_factory=list)  # names found, best evidence first
    support: list[str] = field(default_factory=list)  # the evidence for it only

    def describe(self) -> str:
        return f"{self.framework_id}（{self.name}）把握度 {self.score:.2f}：{'；'.join(self.reasons)}"


@dataclass(frozen=True)
class Detection:
    framework_id: str | None  # None: not recognised (nothing close enough, or two close candidates)
    confidence: float
    reasons: list[str]  # why this framework, or why none
    candidates: list[Candidate]  # ranked, best first

    @property
    def chosen(self) -> Candidate | None:
        return next((c for c in self.candidates if c.framework_id == self.framework_id), None)

    def summary(self) -> str:
        """One line: which framework was recognised and why (for stderr and dossier comments)."""
        chosen = self.chosen
        if chosen is None:
            return "未能识别报告所依据的指标体系：" + "；".join(self.reasons)
        return (
            f"据报告内容识别指标体系为 {chosen.framework_id}（{chosen.name}，把握度 {chosen.score:.2f}）："
            f"{'；'.join(chosen.support)}。如不符，请用 --framework 指定"
        )

    def warning(self) -> str:
        """One line for an extraction's warnings: what was recognised, or that nothing was."""
        if self.framework_id is not None:
            return self.summary()
        top = "、".join(f"{c.framework_id}（{c.score:.2f}）" for c in self.candidates[:3] if c.score > 0)
        return (
            "未能识别报告所依据的指标体系（"
            + "；".join(self.reasons)
            + "）"
            + (f"，候选：{top}" if top else "")
            + "；评分时请用 --framework 指定"
        )

    def failure(self, available: Iterable[str] = ()) -> str:
        """The error when no framework was chosen: the candidates with their evidence, and what to do."""
        shown = [c for c in self.candidates if c.score > 0][:4] or self.candidates[:2]
        lines = ["未能确定报告所依据的指标体系：" + "；".join(self.reasons) + "。"]
        if shown:
            lines.append("候选：")
            lines.extend(f"  · {c.describe()}" for c in shown)
        ids = "、".join(available)
        lines.append("请使用 --framework <id> 指定指标体系" + (f"（可用：{ids}）" if ids else "") + "。")
        return "\n".join(lines)


# ------------------------------------------------------------------ scoring one framework


@dataclass
class _Score:
    framework: Framework
    hints: MatchHints
    family: str
    names: dict[str, str]  # normalised → as printed
    found: dict[str, float] = field(default_factory=dict)  # normalised name → place weight (1 or 0.5)
    evidence: float = 0.0
    indicator_score: float = 0.0
    region: tuple[float, str | None] = (0.0, None)
    title: tuple[float, str | None] = (0.0, None)
    kind_clash: str | None = None
    score: float = 0.0
    preferred: int = (
        0  # a variant against its parent at an equal (capped) score: +1 own hints matched, -1 not
    )
    notes: list[tuple[bool, str]] = field(default_factory=list)


def _names(framework: Framework, hints: MatchHints) -> dict[str, str]:
    names: dict[str, str] = {}
    for printed in [*(i.name for i in framework.walk()), *(hints.keywords or [])]:
        key = normalise(printed)
        if len(key) >= 2:
            names.setdefault(key, printed)
    return names


def _place(name: str, ev: Evidence) -> float:
    """1 when the name heads a line, heading or cell; 0.5 inside running text; 0 when absent."""
    if name not in ev.body:
        return 0.0
    return 1.0 if any(line.startswith(name) for line in ev.lines) else 0.5


def _first(keywords: list[str] | None, text: str) -> str | None:
    return next((k for k in keywords or [] if normalise(k) and normalise(k) in text), None)


def _region(hints: MatchHints, ev: Evidence) -> tuple[float, str | None]:
    found = _first(hints.region_keywords, ev.head)
    if found:
        return 1.0, found
    found = _first(hints.region_keywords, ev.body)
    return (0.5, found) if found else (0.0, None)


def _family(framework: Framework, by_id: dict[str, Framework]) -> str:
    seen = {framework.id}
    while framework.parent in by_id and framework.parent not in seen:
        framework = by_id[framework.parent]
        seen.add(framework.id)
    return framework.id


def _ancestors(framework: Framework, by_id: dict[str, Framework]) -> list[str]:
    out: list[str] = []
    current = framework
    while current.parent in by_id and current.parent not in out and current.parent != framework.id:
        out.append(current.parent)
        current = by_id[current.parent]
    return out


def _score_one(s: _Score, ev: Evidence, share: dict[str, float]) -> None:
    for name in s.names:
        place = _place(name, ev)
        if place:
            s.found[name] = place
    s.evidence = sum(share[n] * p for n, p in s.found.items())
    # Half a framework's (shared-weighted) names is full evidence, but never fewer than two distinct ones:
    # a four-name tree must not be recognised from 产出指标 alone.
    full = min(FULL_EVIDENCE, max(MIN_EVIDENCE, 0.5 * sum(share[n] for n in s.names)))
    s.indicator_score = min(1.0, s.evidence / full)
    total = WEIGHTS["indicators"] * s.indicator_score
    weight = WEIGHTS["indicators"]
    if s.hints.region_keywords:
        s.region = _region(s.hints, ev)
        total += WEIGHTS["region"] * s.region[0]
        weight += WEIGHTS["region"]
    if s.hints.title_keywords:
        found = _first(s.hints.title_keywords, ev.head)
        s.title = (1.0, found) if found else (0.0, None)
        total += WEIGHTS["title"] * s.title[0]
        weight += WEIGHTS["title"]
    s.score = total / weight
    expected = s.hints.kind or s.framework.kind
    if ev.kind is not None and ev.kind != expected:
        s.kind_clash = f"报告（据{ev.kind_from}）为{ev.kind}绩效自评，本体系用于{expected}"
        s.score /= 2


def _reasons(s: _Score) -> list[tuple[bool, str]]:
    """(for, text) pairs: evidence for this framework, and what speaks against it."""
    out: list[tuple[bool, str]] = []
    if s.title[1]:
        out.append((True, f"标题含“{s.title[1]}”"))
    elif s.hints.title_keywords:
        out.append((False, "标题未含本体系的标题关键词"))
    if s.region[1]:
        where = "单位名称或标题" if s.region[0] >= 1 else "正文"
        out.append((True, f"{where}提到“{s.region[1]}”（{s.framework.region or '本体系地区'}）"))
    elif s.hints.region_keywords:
        out.append((False, f"未提到本体系的地区（{s.framework.region or s.hints.region_keywords[0]}）"))
    if s.found:
        ranked = sorted(s.found, key=lambda n: -s.found[n])
        more = "等" if len(ranked) > SHOWN_NAMES else ""
        shown = "、".join(s.names[n] for n in ranked[:SHOWN_NAMES]) + more
        out.append((True, f"出现本体系 {len(s.names)} 个指标名称中的 {len(s.found)} 个（{shown}）"))
    else:
        out.append((False, "未出现本体系的指标名称"))
    if s.kind_clash:
        out.append((False, s.kind_clash))
    return out + s.notes


def _own_fields(child: MatchHints, parent: MatchHints) -> dict[str, Any]:
    return {
        name: getattr(child, name)
        for name in MatchHints.model_fields
        if getattr(child, name) and getattr(child, name) != getattr(parent, name)
    }


def _own_match(own: dict[str, Any], ev: Evidence) -> str | None:
    """The first of a variant's own hints found in the title or unit name (the body is not enough)."""
    for name in ("region_keywords", "title_keywords", "keywords"):
        found = _first(own.get(name), ev.head if name != "keywords" else ev.body)
        if found:
            return f"“{found}”"
    if own.get("kind") and own["kind"] == ev.kind:
        return f"类型“{ev.kind}”"
    return None


def _apply_variants(scores: dict[str, _Score], ev: Evidence) -> None:
    """A variant outranks its parent only when its own hints match; otherwise it ranks just below it."""
    by_id = {k: s.framework for k, s in scores.items()}
    # Parents first, so a variant of a variant compares with its parent's final score.
    for fid in sorted(scores, key=lambda k: len(_ancestors(by_id[k], by_id))):
        s = scores[fid]
        parent_id = s.framework.parent
        if parent_id not in scores or parent_id == fid:
            continue
        parent = scores[parent_id]
        own = _own_fields(s.hints, parent.hints)
        matched = _own_match(own, ev)
        if matched:
            s.score = min(1.0, max(s.score, parent.score) + VARIANT_STEP)
            s.preferred = parent.preferred + 1
            s.notes.append(
                (True, f"继承自 {parent_id}，本体系自身的识别提示 {matched} 相符，取更具体的本体系")
            )
        else:
            s.score = max(0.0, min(s.score, parent.score) - VARIANT_STEP)
            s.preferred = parent.preferred - 1
            why = "未在标题或单位名称中出现" if own else "本体系未写自身的识别提示（match）"
            s.notes.append((False, f"继承自 {parent_id}，{why}，不优先于上级体系"))


def detect_framework(source: Document | Dossier | Evidence, frameworks: Sequence[Framework]) -> Detection:
    """Rank ``frameworks`` for a report (a read ``Document``), a ``Dossier`` or prepared ``Evidence``."""
    if isinstance(source, Evidence):
        ev = source
    elif isinstance(source, Dossier):
        ev = evidence_from_dossier(source)
    else:
        ev = evidence_from_document(source)
    by_id = {f.id: f for f in frameworks}
    scores: dict[str, _Score] = {}
    for f in frameworks:
        hints = hints_for(f, by_id)
        scores[f.id] = _Score(f, hints, _family(f, by_id), _names(f, hints))
    families: dict[str, set[str]] = {}
    for s in scores.values():
        for name in s.names:
            families.setdefault(name, set()).add(s.family)
    share = {name: 1 / len(fams) for name, fams in families.items()}
    for s in scores.values():
        _score_one(s, ev, share)
    _apply_variants(scores, ev)

    ranked = sorted(scores.values(), key=lambda s: (-s.score, -s.preferred, s.framework.id))
    candidates = [
        Candidate(
            s.framework.id,
            s.framework.name,
            round(s.score, 2),
            [text for ok, text in sorted(_reasons(s), key=lambda r: not r[0])],
            [s.names[n] for n in sorted(s.found, key=lambda n: -s.found[n])],
            [text for ok, text in _reasons(s) if ok],
        )
        for s in ranked
    ]
    if not ranked:
        return Detection(None, 0.0, ["没有可用的指标体系"], [])
    best = ranked[0]
    related = {best.framework.id, *_ancestors(best.framework, by_id)}
    # Not rivals: the best one's ancestors and descendants, and variants whose own hints did not match (each
    # only shadows its parent, which competes in its place).
    rival = next(
        (
            s
            for s in ranked[1:]
            if s.framework.id not in related
            and best.framework.id not in _ancestors(s.framework, by_id)
            and s.preferred >= 0
        ),
        None,
    )
    if best.score < THRESHOLD:
        why = f"最接近的 {best.framework.id} 把握度 {best.score:.2f}，低于 {THRESHOLD:.2f}"
        return Detection(None, round(best.score, 2), [why], candidates)
    if rival is not None and best.score - rival.score < MARGIN:
        why = (
            f"{best.framework.id}（{best.score:.2f}）与 {rival.framework.id}（{rival.score:.2f}）把握度接近，"
            "无法区分"
        )
        return Detection(None, round(best.score, 2), [why], candidates)
    return Detection(best.framework.id, round(best.score, 2), candidates[0].support, candidates)
