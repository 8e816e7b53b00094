"""Reading and writing dossiers (YAML or JSON) with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from jixiao.model import Dossier
from jixiao.yamlio import load_model


def load_dossier(path: str | Path) -> Dossier:
    return load_model(Dossier, path)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line narrative text reads best as a literal block.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _represent_str)


def dossier_data(dossier: Dossier) -> dict[str, Any]:
    """Plain JSON-able data: decimals as strings, empty parts left out."""
    return dossier.model_dump(mode="json", by_alias=True, exclude_none=True)


def dump_dossier_yaml(dossier: Dossier) -> str:
    return yaml.dump(dossier_data(dossier), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def dump_dossier_json(dossier: Dossier) -> str:
    return json.dumps(dossier_data(dossier), ensure_ascii=False, indent=2)


def save_dossier(dossier: Dossier, path: str | Path) -> None:
    p = Path(path)
    text = dump_dossier_json(dossier) if p.suffix.lower() == ".json" else dump_dossier_yaml(dossier)
    p.write_text(text + ("\n" if not text.endswith("\n") else ""), encoding="utf-8")
