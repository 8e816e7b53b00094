"""The Excel data-entry template: write one for a framework, read a filled one back into a Dossier."""

from __future__ import annotations

from jixiao.template.reader import is_template, read_template
from jixiao.template.writer import write_template

__all__ = ["is_template", "read_template", "write_template"]
