"""YAML/JSON loading that keeps exact numbers and the line of every value, for errors that say where.

Floats are constructed as ``Decimal`` from their literal text, so "3105.13" never passes through a float.
Validation errors (pydantic) are mapped back to the line of the offending key.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from jixiao.errors import InputError, JixiaoError

LinePath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class _DecimalLoader(yaml.SafeLoader):
    pass


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    # YAML 1.1 also calls ".inf", ".nan" and "1:20.5" floats; none of them is an amount or a score.
    if value is None or not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"“{node.value}”不是有限的十进制数", node.start_mark
        )
    return value


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _lines(node: yaml.Node, path: LinePath, out: dict[LinePath, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _lines(value_node, (*path, key), out)
            # An error about a key points at the key's line, not at where its (block) value starts.
            out[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), out)


def parse_yaml(text: str, file: str) -> tuple[Any, dict[LinePath, int]]:
    """Parse YAML text; return the data and a map from key path to 1-based line."""
    loader = _DecimalLoader(text)
    try:
        # Compose once, keep the node tree for the line map and construct the data from it.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(f"YAML 格式错误：{exc.problem or exc}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML 格式错误：{exc}", file=file) from None
    finally:
        loader.dispose()
    lines: dict[LinePath, int] = {}
    if node is not None:
        _lines(node, (), lines)
    return data, lines


def _json_decimal(text: str) -> Decimal:
    return Decimal(text)


def load_data(path: str | Path) -> tuple[Any, dict[LinePath, int]]:
    """Read a YAML or JSON file; JSON numbers become Decimal too."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("文件不存在", file=str(p)) from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror}", file=str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("文件不是 UTF-8 编码的文本，请另存为 UTF-8", file=str(p)) from None
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text, parse_float=_json_decimal), {}
        except json.JSONDecodeError as exc:
            raise InputError(f"JSON 格式错误：{exc.msg}", file=str(p), line=exc.lineno) from None
    return parse_yaml(text, str(p))


def line_of(lines: dict[LinePath, int], loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest known prefix of a pydantic error location."""
    path = tuple(x for x in loc if isinstance(x, str | int))
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（可能拼写错误）",
    "string_too_short": "不能为空",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文本",
    "dict_type": "应为键值映射",
    "list_type": "应为列表",
    "model_type": "应为键值映射",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "decimal_parsing": "应为数字",
    "bool_type": "应为是/否",
}


def describe_validation_error(exc: ValidationError, file: str, lines: dict[LinePath, int]) -> JixiaoError:
    """Turn the first few pydantic errors into one Chinese message that names file and line."""
    parts: list[str] = []
    first_line: int | None = None
    for err in exc.errors()[:5]:
        loc = err.get("loc", ())
        line = line_of(lines, loc)
        if first_line is None:
            first_line = line
        field = ".".join(str(x) for x in loc if not str(x).startswith("function-")) or "（根）"
        msg = _PYDANTIC_MESSAGES.get(err["type"])
        if msg is None:
            msg = str(err.get("msg", "")).removeprefix("Value error, ")
        elif err["type"] == "literal_error":
            expected = err.get("ctx", {}).get("expected")
            msg = f"{msg}（应为 {expected}）" if expected else msg
        # The first error's line heads the whole message (InputError); repeat only other lines.
        where = f"第 {line} 行 " if line and line != first_line else ""
        parts.append(f"{where}{field}：{msg}")
    more = len(exc.errors()) - 5
    if more > 0:
        parts.append(f"……另有 {more} 处错误")
    return InputError("；".join(parts), file=file, line=first_line)


def validate_data(model: type[M], data: Any, lines: dict[LinePath, int], file: str) -> M:
    """Data already read by ``load_data`` as ``model``, errors naming file and line."""
    if not isinstance(data, dict):
        raise InputError("文件内容应为键值映射（YAML 字典）", file=file, line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(exc, file, lines) from None


def load_model(model: type[M], path: str | Path) -> M:
    data, lines = load_data(path)
    return validate_data(model, data, lines, str(path))
