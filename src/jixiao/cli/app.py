"""The Typer application object that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="jixiao",
    help="jixiao 绩效：预算绩效自评 —— 指标体系、评分、报告抽取、核查与文书生成。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
