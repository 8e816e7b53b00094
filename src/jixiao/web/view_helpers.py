"""Jinja filters and globals: exact numbers, Chinese status names, times, the SVG chart."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from jixiao.store.models import ROLE_NAMES, STATUS_NAMES
from jixiao.web.messages import FLASH

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def num(value: Any, places: int | None = None) -> str:
    if value is None or value == "":
        return "—"
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    from jixiao.numbers import format_decimal, round_half_up

    return format_decimal(round_half_up(d, places)) if places is not None else format_decimal(d)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") + " UTC" if value else ""


@pass_context
def err(context: Context, name: str) -> str:
    """The field's error from the page's ``errors``, or nothing. A Python global, not a Jinja macro: the
    dossier form asks for it about a hundred times per render and a macro call costs several times more."""
    errors = context.get("errors")
    message = errors.get(name) if errors else None
    if not message:
        return ""
    return Markup('<span class="field-error" data-field="{}">{}</span>').format(name, message)


def install(env: Environment) -> None:
    from jixiao.web.charts import bar_chart_svg

    env.filters["num"] = num
    env.filters["when"] = when
    env.globals["STATUS_NAMES"] = STATUS_NAMES
    env.globals["ROLE_NAMES"] = ROLE_NAMES
    env.globals["SEVERITY_NAMES"] = SEVERITY_NAMES
    env.globals["FLASH"] = FLASH
    env.globals["bar_chart_svg"] = bar_chart_svg
    env.globals["err"] = err
    # Templates ship with the package and do not change while the app runs: no stat() per render.
    env.auto_reload = False
