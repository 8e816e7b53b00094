"""The JSON Schema of the framework file format.

``framework.schema.json`` is generated from ``FrameworkDocument`` (run ``python -m jixiao.frameworks.schema``
after changing the model; a test keeps the two in step) and is what the loader enforces.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jixiao.frameworks.model import FrameworkDocument

SCHEMA_PATH = Path(__file__).with_name("framework.schema.json")
SCHEMA_ID = "https://jixiao.invalid/schemas/framework-1.json"


def generate_schema() -> dict[str, Any]:
    schema = FrameworkDocument.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "jixiao 指标体系（framework）",
        "description": "预算绩效自评指标体系的 YAML 格式：指标树、分值、指标解释、评分标准与评分规则。",
    }


def schema_text() -> str:
    return json.dumps(generate_schema(), ensure_ascii=False, indent=2) + "\n"


@cache
def framework_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
