"""Checklist rule: criteria each worth part of the weight, answered in ``dossier.management``.

An answer is 是/否 (or true/false), 部分 (the rule's ``partial_share`` of the criterion), or a number of
points. A criterion nobody answered is missing — never 0 — so the total says it is incomplete.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.errors import NumberParseError
from jixiao.frameworks.model import ChecklistRule, Criterion
from jixiao.frameworks.rules.base import Outcome, RuleContext
from jixiao.frameworks.values import points, rounded
from jixiao.model import Answer

_YES = {"是", "符合", "有", "已完成", "完成", "yes", "y", "true", "✓", "√"}
_NO = {"否", "不符合", "无", "未完成", "no", "n", "false", "×", "✗"}
_PARTIAL = {"部分", "部分符合", "基本符合"}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _answer_points(answer: Answer, criterion: Criterion, share: Decimal) -> tuple[Decimal | None, str]:
    """(points, how the answer reads); points None means the answer cannot be used."""
    if isinstance(answer, bool):
        return (criterion.points, "是") if answer else (Decimal(0), "否")
    if isinstance(answer, Decimal):
        return answer, "按得分填写"
    text = answer.strip()
    if text.lower() in _YES:
        return criterion.points, text
    if text.lower() in _NO:
        return Decimal(0), text
    if text in _PARTIAL:
        return rounded(criterion.points * share), f"{text}（按该项分值的 {points(share * 100)}% 计）"
    try:
        from jixiao.numbers import parse_number

        value = parse_number(text.removesuffix("分"))
    except NumberParseError:
        return None, text
    return value, "按得分填写"


def _lookup(management: dict[str, Answer], criterion: Criterion) -> Answer | None:
    if criterion.fact in management:
        return management[criterion.fact]
    if criterion.key and criterion.key in management:
        return management[criterion.key]
    return None


def score_checklist(rule: ChecklistRule, ctx: RuleContext) -> Outcome:
    parts: list[str] = []
    missing: list[str] = []
    flags: list[str] = []
    total = Decimal(0)
    answered = 0
    for n, criterion in enumerate(rule.criteria):
        mark = _CIRCLED[n] if n < len(_CIRCLED) else f"({n + 1})"
        answer = _lookup(ctx.dossier.management, criterion)
        if answer is None:
            missing.append(f"management“{criterion.fact}”（是/否/部分/得分，未作答）")
            parts.append(f"{mark}{criterion.fact}：未作答")
            continue
        got, reading = _answer_points(answer, criterion, rule.partial_share)
        if got is None or got < 0 or got > criterion.points:
            message = f"“{criterion.fact}”的回答“{reading}”无法计分（应为 是/否/部分 或 0～{points(criterion.points)} 的分数）"
            return Outcome(None, "invalid", message, flags=[message])
        answered += 1
        total += got
        parts.append(f"{mark}{criterion.fact}：{reading}，{points(got)}/{points(criterion.points)} 分")
    detail = "；".join(parts)
    if missing:
        status = "partial" if answered else "missing"
        score = total if answered else None
        return Outcome(
            score,
            status,
            f"{detail}。{len(missing)} 项未作答，暂不能完整评分",
            missing=missing,
            flags=flags,
        )
    score = min(total, ctx.weight)
    return Outcome(score, "scored", f"{detail}；合计 {points(score)} 分", flags=flags)
