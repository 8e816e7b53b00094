"""Where frameworks come from: the built-in folder and the user folders.

User folders, searched first (so a finance bureau can replace a built-in framework by id): every
folder in ``JIXIAO_FRAMEWORKS_DIR`` (os.pathsep-separated), ``./frameworks/``, ``~/.config/jixiao/frameworks/``.
Dropping a ``*.yaml`` there adds a framework; no code changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from jixiao.errors import FrameworkError
from jixiao.frameworks.loader import Origins, read_document, resolve_document
from jixiao.frameworks.model import Framework, FrameworkInfo

BUILTIN_DIR = Path(__file__).with_name("builtin")
ENV_VAR = "JIXIAO_FRAMEWORKS_DIR"


def user_dirs() -> list[Path]:
    dirs = [Path(p).expanduser() for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    dirs.append(Path.cwd() / "frameworks")
    dirs.append(Path.home() / ".config" / "jixiao" / "frameworks")
    return dirs


@dataclass(frozen=True)
class _Entry:
    id: str
    path: Path
    builtin: bool


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())


# Ids by (path, mtime, size): the index is rebuilt on every lookup (so a dropped-in file is seen at once),
# but a file is only parsed again when it changed.
_IDS: dict[tuple[str, int, int], str | None] = {}


def _peek_id(path: Path) -> str | None:
    """The id of a framework file without full validation (for the index)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _IDS:
        _IDS[key] = _read_id(path)
    return _IDS[key]


def _read_id(path: Path) -> str | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str) and "name" in data:
        return data["id"]
    return None


def _index() -> tuple[dict[str, _Entry], list[Path]]:
    """id → first file that defines it (user folders before built-ins), and files that are not frameworks."""
    entries: dict[str, _Entry] = {}
    unreadable: list[Path] = []
    for folder, builtin in [*((d, False) for d in user_dirs()), (BUILTIN_DIR, True)]:
        for path in _files(folder):
            fid = _peek_id(path)
            if fid is None:
                unreadable.append(path)
            elif fid not in entries:
                entries[fid] = _Entry(fid, path, builtin)
    return entries, unreadable


# Parsed files by (path, mtime): parsing and schema checks dominate; resolving inheritance is cheap and
# redone each time, so an edited parent is always seen by its children.
_PARSED: dict[tuple[str, int, int], tuple[object, object]] = {}


def _load_file(path: Path, seen: frozenset[str] = frozenset()) -> tuple[Framework, Origins]:
    resolved = path.resolve()
    try:
        stat = resolved.stat()
    except OSError:
        raise FrameworkError("指标体系文件不存在", file=str(path)) from None
    key = (str(resolved), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = read_document(path)
    document, lines = _PARSED[key]
    return resolve_document(document, lines, path, _load_parent, seen)  # type: ignore[arg-type]


def _load_parent(ref: str, child: Path, seen: frozenset[str]) -> tuple[Framework, Origins]:
    candidate = (child.parent / ref) if ref.endswith((".yaml", ".yml")) else None
    if candidate is not None and candidate.is_file():
        return _load_file(candidate, seen)
    entries, _ = _index()
    entry = entries.get(ref)
    if entry is None:
        raise FrameworkError(_unknown_message(ref, entries))
    if entry.path.resolve() == child.resolve():
        # A user file that extends the built-in framework of the same id.
        builtin = next((p for p in _files(BUILTIN_DIR) if _peek_id(p) == ref), None)
        if builtin is None:
            raise FrameworkError(f"指标体系“{ref}”不能继承自身")
        return _load_file(builtin, seen)
    return _load_file(entry.path, seen)


def _unknown_message(ref: str, entries: dict[str, _Entry]) -> str:
    available = "、".join(sorted(entries)) or "（无）"
    return f"未知的指标体系“{ref}”。可用的指标体系：{available}"


def load_framework(id_or_path: str | Path) -> Framework:
    """A built-in id, a user framework id, or a YAML file path."""
    text = str(id_or_path)
    path = Path(text)
    if isinstance(id_or_path, Path) or text.endswith((".yaml", ".yml")) or os.sep in text:
        if not path.is_file():
            raise FrameworkError("指标体系文件不存在", file=text)
        return _load_file(path)[0]
    entries, _ = _index()
    entry = entries.get(text)
    if entry is None:
        raise FrameworkError(_unknown_message(text, entries))
    return _load_file(entry.path)[0]


def framework_ids() -> list[str]:
    return sorted(_index()[0])


def list_frameworks() -> list[FrameworkInfo]:
    """Every framework found (built-in and user), loaded and checked; broken files are left out."""
    return scan_frameworks()[0]


def scan_frameworks() -> tuple[list[FrameworkInfo], list[FrameworkError]]:
    """Frameworks that load, and the errors of those that do not (for ``jixiao frameworks`` to show)."""
    entries, unreadable = _index()
    infos: list[FrameworkInfo] = []
    errors: list[FrameworkError] = [
        FrameworkError("不是指标体系文件（缺少 id/name，或 YAML 无法解析）", file=str(p)) for p in unreadable
    ]
    for entry in sorted(entries.values(), key=lambda e: (not e.builtin, e.id)):
        try:
            framework = _load_file(entry.path)[0]
        except FrameworkError as exc:
            errors.append(exc)
            continue
        infos.append(
            FrameworkInfo(
                id=framework.id,
                name=framework.name,
                kind=framework.kind,
                source=str(entry.path),
                parent=framework.parent,
                builtin=entry.builtin,
            )
        )
    return infos, errors
