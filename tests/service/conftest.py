"""A data folder with the paper's demo on its embedded chain, then an auction opened with the
command line, made once per session: what `saiaas serve --demo` and a CLI flow leave behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from saiaas.cli.app import app
    from saiaas.cli.serve import demo_into_data_folder
    from saiaas.market import Settings
    from saiaas.ontologies import example_path
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("demo-home")
    saved = {k: os.environ.get(k) for k in ("SAIAAS_HOME", "SAIAAS_CONFIG")}
    os.environ["SAIAAS_HOME"] = str(folder)
    os.environ["SAIAAS_CONFIG"] = str(folder / "no-config.toml")
    try:
        demo = demo_into_data_folder(Settings())
        result = CliRunner().invoke(
            app, ["auction", "create", str(example_path("hospital-request.ttl")), "--json"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        import json

        opened = json.loads(result.stdout)["address"]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"home": folder, "demo": demo, "open": opened}


@pytest.fixture
def demo_home(demo_folder: dict[str, Any], home: Path, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[dict[str, Any]]:
    """The session's demo data folder as this test's SAIAAS_HOME."""
    monkeypatch.setenv("SAIAAS_HOME", str(demo_folder["home"]))
    yield demo_folder


@pytest.fixture
def client(demo_home: dict[str, Any]) -> Iterator[Any]:
    """A TestClient on the service over the demo folder, its index synced once."""
    from fastapi.testclient import TestClient
    from saiaas.market import Settings
    from saiaas.service import create_app

    app = create_app(Settings(), indexing=False, reasoning_workers=0)
    app.state.service.sync_once()
    with TestClient(app) as test_client:
        yield test_client
