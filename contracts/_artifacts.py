"""The committed compiler output, read once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def artifact(name: str) -> dict[str, Any]:
    """The artifact JSON of contract `name` (abi, bytecode, deployedBytecode, compiler settings)."""
    text = resources.files("saiaas.contracts").joinpath("artifacts", f"{name}.json").read_text()
    return json.loads(text)


def abi(name: str) -> list[dict[str, Any]]:
    return artifact(name)["abi"]
