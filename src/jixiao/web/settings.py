"""Web app settings, from arguments or environment (JIXIAO_DATA, JIXIAO_DATABASE_URL, JIXIAO_SECURE_COOKIES)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from jixiao.store import ThrottlePolicy
from jixiao.store.db import data_dir as default_data_dir
from jixiao.store.db import database_url as default_database_url

# Types we accept as evidence or as a report to extract from; checked by content, not by name.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Forms and JSON bodies (everything but file uploads): the largest legitimate one is a framework's YAML
# (≤ 2 MB) sent as JSON, where escaping can double it.
MAX_FORM_BYTES = 5 * 1024 * 1024


@dataclass
class WebSettings:
    data_dir: Path
    database_url: str
    secure_cookies: bool = False
    session_ttl: timedelta = timedelta(hours=12)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_form_bytes: int = MAX_FORM_BYTES
    # argon2 cost; tests lower it, production keeps argon2-cffi's RFC 9106 "low memory" defaults.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    auto_upgrade: bool | None = None  # None: upgrade on start for SQLite only

    @classmethod
    def from_env(
        cls, data: str | Path | None = None, database_url: str | None = None, **kw: object
    ) -> WebSettings:
        folder = default_data_dir(data)
        secure = os.environ.get("JIXIAO_SECURE_COOKIES", "").lower() in {"1", "true", "yes"}
        kw.setdefault("secure_cookies", secure)
        return cls(data_dir=folder, database_url=default_database_url(folder, database_url), **kw)  # type: ignore[arg-type]
