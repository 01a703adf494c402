"""A js-ipfs node for the integration tests that run the marketplace as separate processes.

The daemon recipe lives once, in tests/storage/conftest.py; it is loaded by path because
conftests are not importable under --import-mode=importlib.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _storage_nodes() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_saiaas_storage_nodes", ROOT / "tests" / "storage" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ipfs_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A js-ipfs daemon on 127.0.0.1 for one test module, stopped by its pid at teardown."""
    nodes = _storage_nodes()
    base = tmp_path_factory.mktemp("jsipfs")
    process, api_url = nodes.start_jsipfs(base / "repo", base / "daemon.log")
    try:
        yield api_url
    finally:
        nodes._stop(process)
