"""The service's JSON follows the command line's contract (README, "JSON output"): the read model
after the demo and a CLI flow, and the provider matches, checked by the same checker."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from saiaas.ontologies import example_path

_PATH = Path(__file__).resolve().parents[1] / "cli" / "_json_contract.py"
_spec = importlib.util.spec_from_file_location("saiaas_tests_json_contract", _PATH)
assert _spec is not None and _spec.loader is not None
_checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_checker)

CATALOGS = [example_path(n) for n in ("data-chest-imaging-lab.ttl", "algo-densenet-chexnet.ttl",
                                      "infra-sev-gpu-hosting.ttl")]


def test_the_read_model_keeps_the_json_contract(client: Any, demo_home: dict[str, Any]) -> None:
    listed = client.get("/api/auctions").json()
    documents = {"/api/auctions": listed, "/api/status": client.get("/api/status").json()}
    for row in listed["auctions"]:
        url = f"/api/auctions/{row['address']}"
        documents[url] = client.get(url).json()
        documents[url + "/sla"] = client.get(url + "/sla").json()
    matches = client.post("/api/provider/matches", json={
        "catalogs": [p.read_text() for p in CATALOGS],
        "catalog_names": [str(p) for p in CATALOGS], "all": True}).json()
    documents["/api/provider/matches"] = matches
    broken = [f"{url}: {v}" for url, doc in documents.items() for v in _checker.violations(doc)]
    assert broken == [], "\n".join(broken)
    detail = documents[f"/api/auctions/{demo_home['demo']}"]
    assert detail["reserve_wei"] == str(10**18) and detail["sla"]["total_price_wei"].isdigit()
    assert all(int(p["amount_wei"]) > 0 for p in detail["payouts"])
