"""One entry point for every kind of input a command accepts: FILE may be a dossier (YAML/JSON),
a filled data-entry template (.xlsx) or a report (.txt/.docx/.pdf/.xlsx) to extract from."""

from __future__ import annotations

from pathlib import Path

from jixiao.errors import InputError
from jixiao.model import Dossier

DOSSIER_SUFFIXES = {".yaml", ".yml", ".json"}
REPORT_SUFFIXES = {".txt", ".docx", ".pdf", ".xlsx", ".xlsm", ".xls", ".doc", ".wps"}


def load_input(path: str | Path) -> Dossier:
    p = Path(path)
    if not p.exists():
        raise InputError("文件不存在", file=str(p))
    suffix = p.suffix.lower()
    if suffix in DOSSIER_SUFFIXES:
        from jixiao.dossier_io import load_dossier

        return load_dossier(p)
    if suffix in {".xlsx", ".xlsm"}:
        from jixiao.template import is_template, read_template

        if is_template(p):
            return read_template(p)
    if suffix in REPORT_SUFFIXES:
        from jixiao.ingest.extract import extract_file

        return extract_file(p).dossier
    raise InputError(
        f"不支持的文件类型“{p.suffix or '无扩展名'}”：请提供档案（.yaml/.json）、填报模板（.xlsx）"
        "或自评报告（.txt/.docx/.pdf/.xlsx）",
        file=str(p),
    )
