"""CLI commands: ontology (registered on the groups of saiaas.cli.app)."""

from __future__ import annotations
