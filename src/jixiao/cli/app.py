"""The Typer application object that every command module registers on.

Every command registered here reports a user error (``JixiaoError``) the same way: the Chinese
message with file and line on stderr, exit status 2, no traceback — under the console script and
under typer's CliRunner alike, so a command module needs no error handling of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from jixiao.errors import JixiaoError

F = TypeVar("F", bound=Callable[..., Any])
USER_ERROR_EXIT = 2


def print_user_error(exc: JixiaoError) -> None:
    # The message is user data (file names, quoted cells): never interpret it as markup.
    # soft_wrap: the terminal wraps it; rich would break a path or an id across lines.
    Console(stderr=True, highlight=False, soft_wrap=True).print(Text("错误：", style="bold red") + Text(str(exc)))


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a user error in Chinese (file and line) and exit 2."""
    try:
        yield
    except JixiaoError as exc:
        print_user_error(exc)
        raise typer.Exit(USER_ERROR_EXIT) from None


class JixiaoTyper(typer.Typer):
    """A Typer whose commands all report user errors through ``user_errors``."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            @functools.wraps(func)  # typer reads the signature through __wrapped__
            def reporting(*a: Any, **kw: Any) -> Any:
                with user_errors():
                    return func(*a, **kw)

            register(reporting)
            return func

        return decorator


app = JixiaoTyper(
    name="jixiao",
    help="jixiao 绩效：预算绩效自评 —— 指标体系、评分、报告抽取、核查与文书生成。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
