"""The jinja2 environment shared by the HTML and Markdown writers."""

from __future__ import annotations

import functools
import re

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jixiao.render.narrative import Para, Table

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md_escape(text: str) -> str:
    """Escape what Markdown would read as markup; table cells must not break on | or newlines."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jixiao.render", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["para"] = lambda block: isinstance(block, Para)
    env.tests["table"] = lambda block: isinstance(block, Table)
    env.filters["md"] = md_escape
    return env
