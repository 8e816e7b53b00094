"""The review workflow as data: which action moves a dossier from which status to which."""

from __future__ import annotations

from jixiao.store.errors import WorkflowError
from jixiao.store.models import STATUS_NAMES

ACTIONS = {"submit": "提交", "return": "退回", "approve": "通过", "reopen": "撤回为草稿"}

TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "return"): "returned",
    ("submitted", "approve"): "approved",
    ("approved", "reopen"): "returned",
}

# The unit may change content only while the dossier is in its hands.
EDITABLE = frozenset({"draft", "returned"})


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise WorkflowError(
            f"档案当前状态为“{STATUS_NAMES.get(status, status)}”，不能执行“{ACTIONS.get(action, action)}”"
        ) from None


def unit_can_edit(status: str) -> bool:
    return status in EDITABLE
