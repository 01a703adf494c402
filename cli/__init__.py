"""The saiaas command line: one typer application, one module per role.

Heavy libraries (rdflib, pyshacl, web3, owlready2) are imported inside the commands, never at
module level, so `saiaas --help` stays fast.
"""

from __future__ import annotations

from saiaas.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
