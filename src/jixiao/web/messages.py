"""Chinese UI strings that several modules share, and pydantic errors turned into field-level Chinese."""

from __future__ import annotations

from pydantic import ValidationError

FLASH = {
    "saved": "已保存",
    "created": "档案已创建",
    "submitted": "已提交，等待财政局复核",
    "returned": "已退回单位修改",
    "approved": "复核通过",
    "reopened": "已撤回为待修改状态",
    "review_saved": "复核意见已保存",
    "uploaded": "附件已上传",
    "deleted": "附件已删除",
    "unit_created": "单位已创建",
    "unit_saved": "单位已保存",
    "user_created": "用户已创建",
    "user_saved": "用户已保存",
    "framework_saved": "指标体系已上传并通过校验",
    "token_created": "API 令牌已创建（只显示这一次，请妥善保存）",
    "logged_out": "已退出登录",
    "setup_done": "管理员账号已创建，请登录",
}

PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文本",
    "dict_type": "应为键值映射",
    "list_type": "应为列表",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "decimal_parsing": "应为数字",
    "bool_type": "应为是/否",
    "bool_parsing": "应为是/否",
    "json_invalid": "不是有效的 JSON",
    "value_error": "取值无效",
}


def pydantic_message(err: dict) -> str:  # type: ignore[type-arg]
    kind = err.get("type", "")
    msg = PYDANTIC_MESSAGES.get(kind)
    if kind in ("value_error", "assertion_error") or msg is None:
        raw = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        # Our own validators already speak Chinese; anything else gets the generic message.
        return raw if any("\u4e00" <= ch <= "\u9fff" for ch in raw) else (msg or "取值无效")
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected")
        return f"{msg}（应为 {expected}）" if expected else msg
    if kind in ("greater_than_equal", "greater_than") and err.get("ctx"):
        return f"{msg}（不小于 {next(iter(err['ctx'].values()))}）"
    if kind in ("less_than_equal", "less_than") and err.get("ctx"):
        return f"{msg}（不大于 {next(iter(err['ctx'].values()))}）"
    return msg


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if not str(x).startswith("function-")]
        key = ".".join(([prefix] if prefix else []) + loc) or "（根）"
        out.setdefault(key, pydantic_message(err))
    return out
