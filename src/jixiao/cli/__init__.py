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
        from rich.text import Text

        # The message is user data (file names, quoted cells): never interpret it as markup.
        Console(stderr=True).print(Text("错误：", style="bold red") + Text(str(exc)), highlight=False)
        sys.exit(2)


__all__ = ["app", "main"]
