"""The web app: units fill in and hand in their self-evaluation, finance-bureau reviewers review it.

``create_app(WebSettings)`` builds the FastAPI application (pages under ``/``, JSON API under ``/api/``);
``jixiao serve`` runs it. State lives only in the database and the data folder's attachment files.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # Lazy, so importing jixiao.web.forms or .uploads does not pull in FastAPI and the store.
    if name == "create_app":
        from jixiao.web.app import create_app

        return create_app
    raise AttributeError(name)
