"""ASGI entry point for multi-process serving (``uvicorn jixiao.web.asgi:app``); settings from environment."""

from __future__ import annotations

from jixiao.web.app import create_app

app = create_app()
