"""Command-line interface. Each module in this package registers its commands on ``app``.

User errors (``JixiaoError``) are printed in Chinese with file and line and exit with status 2;
only programming errors show a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from jixiao.cli.app import app
from jixiao.errors import JixiaoError

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    try:
        app()
    except JixiaoError as exc:
        from rich.console import Console

        Console(stderr=True).print(f"[bold red]错误[/]：{exc}", highlight=False, markup=True)
        sys.exit(2)


__all__ = ["app", "main"]
