"""Indicator frameworks (指标体系) as data: YAML files validated by a JSON Schema, with inheritance."""

from __future__ import annotations

from jixiao.frameworks.model import Framework, FrameworkInfo, FrameworkItem, GradeBand
from jixiao.frameworks.registry import framework_ids, list_frameworks, load_framework, scan_frameworks

__all__ = [
    "Framework",
    "FrameworkInfo",
    "FrameworkItem",
    "GradeBand",
    "framework_ids",
    "list_frameworks",
    "load_framework",
    "scan_frameworks",
]
