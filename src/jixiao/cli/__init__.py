"""Command-line interface. Each module in this package registers its commands on ``app``.

User errors (``JixiaoError``) are printed in Chinese with file and line and exit with status 2;
only programming errors show a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from jixiao.cli.app import USER_ERROR_EXIT, app, print_user_error
from jixiao.errors import JixiaoError

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    # Commands report their own user errors (see app.py); this catches one raised while typer
    # resolves arguments or in a sub-application's callback.
    try:
        app()
    except JixiaoError as exc:
        print_user_error(exc)
        sys.exit(USER_ERROR_EXIT)


__all__ = ["app", "main"]
