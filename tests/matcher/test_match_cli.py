"""`saiaas match` end to end on the shipped examples (packaged ontology; one classification,
cached in a temporary folder through XDG_CACHE_HOME)."""

from __future__ import annotations

import json

import pytest
from saiaas.cli.app import app
from saiaas.ontologies import example_path, ontology_path
from typer.testing import CliRunner

pytestmark = pytest.mark.skipif(not ontology_path().exists(), reason="the ontology has not landed")
runner = CliRunner()


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


def ex(name: str) -> str:
    return str(example_path(name))


def catalogs() -> list[str]:
    return [
        str(p) for p in sorted(example_path("x").parent.glob("*.ttl")) if "request" not in p.name
    ]


def test_match_json_lists_every_asset_per_category() -> None:
    result = runner.invoke(app, ["match", ex("hospital-request.ttl"), *catalogs(), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["category"] for r in rows} == {"data", "algorithm", "infrastructure"}
    assert all({"category", "asset", "degree", "eligible", "reasons"} <= r.keys() for r in rows)
    by_asset = {r["asset"].rsplit("#", 1)[-1]: r for r in rows}
    assert by_asset["h100-tdx"]["eligible"] is True  # typed InfrastructureAsset, inferred GPUNode
    assert any(r["degree"] in ("exact", "plugin") and not r["eligible"] for r in rows)
    assert any(not r["eligible"] for r in rows)


def test_match_table_and_triplet() -> None:
    result = runner.invoke(app, ["match", ex("hospital-request.ttl"), *catalogs()])
    assert result.exit_code == 0 and "eligible" in result.stdout
    result = runner.invoke(
        app,
        [
            "match",
            ex("hospital-request.ttl"),
            "--json",
            "--triplet",
            "chest-xray-5k",
            "densenet121-chexnet",
            "h100-tdx",
            *[a for c in catalogs() for a in ("--catalog", c)],
        ],
    )
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["compatible"] is True and len(verdict["decisions"]) == 3
    result = runner.invoke(
        app,
        [
            "match",
            ex("hospital-request.ttl"),
            "--json",
            "--triplet",
            "chest-xray-5k",
            "xgboost-classifier",
            "h100-tdx",
            *catalogs(),
        ],
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["compatible"] is False


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["missing.ttl", "x.ttl"], "cannot read"),
        (
            ["REQ", "--triplet", "nope", "densenet121-chexnet", "h100-tdx", "CATS"],
            "no asset named 'nope'",
        ),
        (["REQ"], "at least one catalog"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(tmp_path, args: list[str], fragment: str) -> None:  # noqa: ANN001
    expanded: list[str] = []
    for a in args:
        expanded += catalogs() if a == "CATS" else [ex("hospital-request.ttl") if a == "REQ" else a]
    result = runner.invoke(app, ["match", *expanded])
    assert result.exit_code != 0
    assert fragment in result.output


def test_unknown_requested_class_is_named(tmp_path) -> None:  # noqa: ANN001
    text = (
        example_path("hospital-request.ttl")
        .read_text()
        .replace("saiaas:requestedClass saiaas:GPUNode", "saiaas:requestedClass saiaas:GPUNod")
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text(text)
    result = runner.invoke(app, ["match", str(bad), *catalogs()])
    assert result.exit_code == 3 and "GPUNod " in result.output


def test_json_ranks_the_eligible_assets_with_score_and_reasons() -> None:
    result = runner.invoke(app, ["match", ex("hospital-request.ttl"), *catalogs(), "--json"])
    rows = json.loads(result.stdout)
    for category in ("data", "algorithm", "infrastructure"):
        eligible = [r for r in rows if r["category"] == category and r["eligible"]]
        assert eligible, category
        assert [r["rank"] for r in eligible] == list(range(1, len(eligible) + 1))
        scores = [r["score"] for r in eligible]
        assert all(isinstance(s, float) and s > 0 for s in scores)
        assert all(r["score_reasons"] for r in eligible)
    assert not any("rank" in r for r in rows if not r["eligible"])


def test_a_catalog_that_is_not_turtle_is_one_line(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is { not turtle\n")
    result = runner.invoke(app, ["match", ex("hospital-request.ttl"), str(bad)])
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.ttl: not valid Turtle" in lines[0]
