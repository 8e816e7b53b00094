"""Extraction: a read `Document` → figures, scores, indicators and mentions, each with its source.

The modules here are pure functions over a `Document`; `jixiao.ingest.extract` wires them together.
"""
