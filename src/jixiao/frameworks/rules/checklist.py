"""Checklist rule: criteria each worth part of the weight, answered in ``dossier.management``.

An answer is 是/否 (or true/false), 部分 (the rule's ``partial_share`` of the criterion), or a number of
points. A criterion nobody answered is missing — never 0 — so the total says it is incomplete.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.errors import NumberParseError
from jixiao.frameworks.model import ChecklistRule, Criterion, FrameworkItem
from jixiao.frameworks.rules.base import NO_DEDUCTION_NOTE, Compiled, Outcome, RuleContext, finish
from jixiao.frameworks.values import points, rounded
from jixiao.model import Answer, Dossier, ItemStatus

_YES = {"是", "符合", "有", "已完成", "完成", "yes", "y", "true", "✓", "√"}
_NO = {"否", "不符合", "无", "未完成", "no", "n", "false", "×", "✗"}
_PARTIAL = {"部分", "部分符合", "基本符合"}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CACHE_LIMIT = 4096  # answer readings per criterion, answer combinations per rule


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


class _Criterion:
    """One criterion with its texts worked out once; an answer's reading is remembered per text answer."""

    __slots__ = ("_read", "criterion", "fact", "key", "mark", "missing", "share", "unanswered")

    def __init__(self, criterion: Criterion, n: int, share: Decimal) -> None:
        self.criterion, self.fact, self.key, self.share = criterion, criterion.fact, criterion.key, share
        self.mark = _CIRCLED[n] if n < len(_CIRCLED) else f"({n + 1})"
        self.missing = f"management“{criterion.fact}”（是/否/部分/得分，未作答）"
        self.unanswered = f"{self.mark}{criterion.fact}：未作答"
        self._read: dict[tuple[type, Answer], tuple[Decimal | None, str]] = {}

    def read(self, answer: Answer) -> tuple[Decimal | None, str]:
        """(points, the derivation's part), or (None, the invalid-answer message)."""
        # keyed on the type too: True == 1 == Decimal(1); Decimals are read afresh (their exponent shows)
        key = (type(answer), answer)
        if type(answer) is not Decimal:
            hit = self._read.get(key)
            if hit is not None:
                return hit
        got, reading = _answer_points(answer, self.criterion, self.share)
        full = self.criterion.points
        if got is None or got < 0 or got > full:
            result: tuple[Decimal | None, str] = (
                None,
                f"“{self.fact}”的回答“{reading}”无法计分（应为 是/否/部分 或 0～{points(full)} 的分数）",
            )
        else:
            result = (got, f"{self.mark}{self.fact}：{reading}，{points(got)}/{points(full)} 分")
        if type(answer) is not Decimal:
            if len(self._read) >= _CACHE_LIMIT:
                self._read.clear()
            self._read[key] = result
        return result


def compile_checklist(rule: ChecklistRule, item: FrameworkItem, finished: bool = False) -> Compiled:
    """The rule for one item. Outcomes are remembered by the answers given: answers come from a small
    vocabulary (是/否/部分), so most units of a framework share them. ``finished``: remembered as the
    scorecard shows them (rounded, with the points lost), so a repeated answer set costs no arithmetic."""
    criteria = [_Criterion(c, n, rule.partial_share) for n, c in enumerate(rule.criteria)]
    weight = item.weight
    memo: dict[tuple[object, ...], tuple[Decimal | None, ItemStatus, str, tuple[str, ...], bool]] = {}

    def outcome(
        answers: list[Answer | None],
    ) -> tuple[Decimal | None, ItemStatus, str, tuple[str, ...], bool]:
        """(score, status, derivation, missing, derivation is also the flag)."""
        parts: list[str] = []
        missing: list[str] = []
        total = Decimal(0)
        answered = 0
        for criterion, answer in zip(criteria, answers, strict=True):
            if answer is None:
                missing.append(criterion.missing)
                parts.append(criterion.unanswered)
                continue
            got, part = criterion.read(answer)
            if got is None:
                return None, "invalid", part, (), True
            answered += 1
            total += got
            parts.append(part)
        detail = "；".join(parts)
        if missing:
            return (
                total if answered else None,
                "partial" if answered else "missing",
                f"{detail}。{len(missing)} 项未作答，暂不能完整评分",
                tuple(missing),
                False,
            )
        score = min(total, weight)
        return score, "scored", f"{detail}；合计 {points(score)} 分", (), False

    facts = [c.fact for c in criteria]
    note = "checklist" not in NO_DEDUCTION_NOTE
    fallbacks = [(n, c.fact, c.key) for n, c in enumerate(criteria) if c.key]

    def run(dossier: Dossier) -> Outcome:
        management = dossier.management
        answers: tuple[Answer | None, ...] = tuple(map(management.get, facts))
        if fallbacks and None in answers:
            given = list(answers)
            for n, fact, key in fallbacks:  # the short key, when the fact itself is not answered
                if given[n] is None and fact not in management:
                    given[n] = management.get(key)
            answers = tuple(given)
        # keyed by type too (True == 1 == Decimal(1)); equal Decimals score alike (points print without
        # trailing zeros, scores are rounded to 2 places)
        key = (answers, tuple(map(type, answers)))
        found = memo.get(key)
        if found is None:
            if len(memo) >= _CACHE_LIMIT:
                memo.clear()
            found = outcome(list(answers))
            if finished:
                shown, text = finish(found[0], found[2], weight, note)
                found = (shown, found[1], text, found[3], found[4])
            memo[key] = found
        score, status, derivation, missing, flagged = found
        # positional: keywords cost a third of the call
        return Outcome(
            score, status, derivation, [*missing], [derivation] if flagged else [], [], None, finished
        )

    return run


def score_checklist(rule: ChecklistRule, ctx: RuleContext) -> Outcome:
    return compile_checklist(rule, ctx.item)(ctx.dossier)
