"""Upload checks: size limit and type sniffed from the content (the extension must agree with it)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from jixiao.errors import InputError

ALLOWED = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".doc": "application/msword",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
REPORT_SUFFIXES = {".txt", ".pdf", ".docx", ".xlsx", ".xls", ".doc"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    suffix: str
    content_type: str
    content: bytes


def safe_filename(name: str) -> str:
    # Browsers may send a full Windows path; keep only the last part and drop control characters.
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*').strip(" .")
    return cleaned[:200] or "未命名文件"


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return ".docx"
    if "xl/workbook.xml" in names:
        return ".xlsx"
    return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content[:8192]:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(content: bytes) -> set[str]:
    """The suffixes the content can honestly carry."""
    if content.startswith(b"%PDF-"):
        return {".pdf"}
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return {".png"}
    if content.startswith(b"\xff\xd8\xff"):
        return {".jpg", ".jpeg"}
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        return {kind} if kind else set()
    if content.startswith(_OLE):
        return {".xls", ".doc"}
    if _is_text(content):
        return {".txt", ".csv"}
    return set()


def check_upload(
    filename: str, content: bytes, max_bytes: int, *, allowed: set[str] | None = None
) -> CheckedUpload:
    name = safe_filename(filename)
    suffix = PurePosixPath(name).suffix.lower()
    permitted = allowed if allowed is not None else set(ALLOWED)
    if not content:
        raise InputError(f"文件“{name}”是空文件")
    if len(content) > max_bytes:
        raise InputError(
            f"文件“{name}”过大（{len(content) / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB"
        )
    if suffix not in permitted:
        kinds = "、".join(sorted(permitted))
        raise InputError(f"不支持的文件类型“{suffix or '无扩展名'}”，可上传：{kinds}")
    if suffix not in sniff(content):
        raise InputError(f"文件“{name}”的内容与扩展名 {suffix} 不符，已拒绝")
    return CheckedUpload(filename=name, suffix=suffix, content_type=ALLOWED[suffix], content=content)
