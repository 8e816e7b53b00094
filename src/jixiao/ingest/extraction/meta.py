"""Who, which year, which kind: the unit name, the evaluated year and 部门整体 vs 项目支出.

- unit: a "单位名称" cell; else the organisation named in the title; else the first organisation
  that a sentence early in the text is about ("X是…", "X（以下简称…"); a longer name elsewhere that
  ends with the one found (the full name in the signature) is preferred;
- year: the year in the title ("2023年度…报告", "(2021年度)"), else a year next to 绩效/自评, else
  the most frequent "YYYY年度" — never the year of a document number or a signature date;
- kind: 项目支出 when the title says 项目支出/项目绩效, else 部门整体.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from jixiao.ingest.document import Document
from jixiao.model import DossierKind, Provenance

from .spans import provenance

_ORG_SUFFIX = (
    r"(?:联合会|委员会|管理局|服务中心|中心|办公室|局|委|院|研究所|所|站|馆|学校|医院|协会|学会|"
    r"总工会|工会|基金会|红十字会|妇联|团委|政府|集团|公司|厅|队)"
)
_ORG_RE = re.compile(rf"[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX}")
_REGION_RE = re.compile(r"[省市区县州旗]")
_TITLE_WORDS_RE = re.compile(r"绩效|自评|评价报告|自评表|评价表")
_YEAR_TITLE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?")
_UNIT_CELL_RE = re.compile(r"^(?:单位名称|部门名称|单位|部门|项目单位|主管部门|实施单位)\s*[:：]?$")
_SUBJECT_RE = re.compile(
    rf"(?P<name>[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})(?:是|为|（以下简称|\(以下简称|成立于|作为)"
)
_LEAD_RE = re.compile(r"^[\s\d.,、（）()年度]*")


@dataclass(frozen=True)
class Meta:
    unit: str | None
    unit_source: Provenance | None
    year: int | None
    year_source: Provenance | None
    year_in_title: bool
    kind: DossierKind
    kind_stated: bool


def _title_span(doc: Document) -> tuple[int, int]:
    """The title: the first blocks before the first numbered heading or long paragraph."""
    end = 0
    for b in doc.blocks[:6]:
        t = b.text.strip()
        if b.kind == "table" or len(t) > 60 or re.match(r"^[一二三四五六七八九十]+、", t):
            break
        if "，" in t or t.endswith("。"):
            break  # a sentence: the body has begun
        end = b.end
        if _TITLE_WORDS_RE.search(doc.text[:end]) and _YEAR_TITLE_RE.search(doc.text[:end]):
            break
    return (0, end)


def _clean_org(name: str) -> str:
    name = _LEAD_RE.sub("", name)
    return re.sub(r"^(?:关于|中共)", "", name)


def _unit_from_cells(doc: Document) -> tuple[str, int] | None:
    for b in doc.tables():
        for r, row in enumerate(b.rows or []):
            for c, cell in enumerate(row):
                if _UNIT_CELL_RE.match(cell.strip()):
                    for nxt in row[c + 1 :]:
                        if nxt.strip():
                            lines = b.text.split("\n")
                            off = b.start + sum(len(x) + 1 for x in lines[:r])
                            pos = b.text.find(nxt.strip(), off - b.start)
                            return nxt.strip(), b.start + max(pos, 0)
    return None


def find_unit(doc: Document) -> tuple[str | None, Provenance | None]:
    found = _unit_from_cells(doc)
    if found is None:
        a, b = _title_span(doc)
        title = doc.text[a:b]
        for m in _ORG_RE.finditer(title.replace("\n", "")):
            name = _clean_org(m.group(0))
            if _REGION_RE.search(name) and len(name) >= 4:
                pos = doc.text.find(name[:4], a)
                found = (name, pos if pos >= 0 else a)
                break
    if found is None:
        early = doc.text[:3000]
        for m in _SUBJECT_RE.finditer(early):
            name = _clean_org(m.group("name"))
            if _REGION_RE.search(name):
                found = (name, m.start("name"))
                break
    if found is None:
        return None, None
    name, pos = found
    # The full name elsewhere (e.g. the signature) may add the city: "益阳市" + "赫山区残疾人联合会".
    if not re.match(r"^[\u4e00-\u9fff]{2,8}?[省市]", name):
        full = re.search(rf"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{{2,8}}?[省市州盟]{re.escape(name)}", doc.text)
        if full:
            name, pos = full.group(0), full.start()
    start = doc.text.find(name, max(pos - 20, 0))
    start = start if start >= 0 else pos
    return name, provenance(doc, start, start + len(name))


def find_year(doc: Document) -> tuple[int | None, Provenance | None, bool]:
    a, b = _title_span(doc)
    m = _YEAR_TITLE_RE.search(doc.text, a, b) if b > a else None
    in_title = m is not None
    if m is None:
        near = re.compile(
            r"(?<!\d)((?:19|20)\d{2})\s*年度?\s*(?:部门)?(?:整体)?(?:项目)?(?:支出)?(?:绩效|自评|预算|决算)"
        )
        m = near.search(doc.text)
    if m is None:
        years = Counter(int(x.group(1)) for x in re.finditer(r"(?<!\d)((?:19|20)\d{2})\s*年度", doc.text))
        if years:
            y = years.most_common(1)[0][0]
            m = re.search(rf"({y})\s*年度", doc.text)
    if m is None or not 1990 <= int(m.group(1)) <= 2100:
        return None, None, False
    return int(m.group(1)), provenance(doc, m.start(), m.end()), in_title


def find_kind(doc: Document) -> tuple[DossierKind, bool]:
    a, b = _title_span(doc)
    title = doc.text[a:b] or doc.text[:300]
    if re.search(r"项目(?:支出)?绩效", title) and not re.search(r"整体", title):
        return "项目支出", True
    if re.search(r"部门整体|整体支出|部门支出|整体绩效", title):
        return "部门整体", True
    whole = re.search(r"部门整体|整体支出|整体绩效", doc.text)
    project = re.search(r"项目支出绩效自评|项目绩效自评", doc.text)
    if whole and (not project or whole.start() < project.start()):
        return "部门整体", True
    if project:
        return "项目支出", True
    return "部门整体", False


def read_meta(doc: Document) -> Meta:
    unit, usrc = find_unit(doc)
    year, ysrc, in_title = find_year(doc)
    kind, stated = find_kind(doc)
    return Meta(unit, usrc, year, ysrc, in_title, kind, stated)
