"""The committed artifacts are exactly what the sources compile to (solc-js, same settings)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "contracts" / "artifacts"


@pytest.mark.slow
def test_artifacts_match_a_fresh_compile(tmp_path):
    if not (ROOT / "node_modules" / "solc").is_dir():
        pytest.skip("node_modules/solc is absent: run `npm ci` to check the artifacts")
    node = shutil.which("node")
    assert node, "node is needed to compile the contracts"
    out = subprocess.run(
        [node, str(ROOT / "contracts" / "compile.mjs"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    fresh = sorted(p.name for p in tmp_path.glob("*.json"))
    assert fresh == sorted(p.name for p in ARTIFACTS.glob("*.json"))
    for name in fresh:
        assert (tmp_path / name).read_bytes() == (ARTIFACTS / name).read_bytes(), (
            f"contracts/artifacts/{name} is stale: run `make contracts` and commit it"
        )


def test_artifacts_record_the_compiler_and_settings():
    for name in ("Factory", "Auction"):
        art = json.loads((ARTIFACTS / f"{name}.json").read_text())
        assert art["compiler"]["version"].startswith("0.8.37")
        assert art["settings"]["evmVersion"] == "prague"
        assert art["settings"]["optimizer"]["enabled"] is True
        assert art["bytecode"].startswith("0x6") and len(art["deployedBytecode"]) > 2
        assert all(len(h) == 64 for h in art["sourceHashes"].values())
