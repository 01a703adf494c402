"""The fast path (issue 12): `Matcher.catalog` parses and infers a catalog once, caches its
index by the catalog's sha256, and `Catalog.match` ranks the eligible assets with reasons."""

# ruff: noqa: E501  (Turtle fixtures read best one statement a line)

from __future__ import annotations

from pathlib import Path

import pytest
from saiaas.matcher import (
    AssetContradictionError,
    Catalog,
    CatalogError,
    Matcher,
    UnknownTermError,
)
from saiaas.ontologies.requests import AssetSpecification, Category, Constraint
from saiaas.ontologies.requests import ConstraintKind as K

S = "https://w3id.org/saiaas#"
EX = "https://example.org/c#"
HEAD = (
    "@prefix saiaas: <https://w3id.org/saiaas#> .\n@prefix : <https://example.org/c#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
CATALOG = (
    HEAD
    + """
:chest a saiaas:ChestXRayDataset ; saiaas:sampleCount 5000 .
:chest-big a saiaas:ChestXRayDataset ; saiaas:sampleCount 90000 .
:chest-small a saiaas:ChestXRayDataset ; saiaas:sampleCount 1200 .
:radio a saiaas:RadiographDataset ; saiaas:sampleCount 1100 .
:img a saiaas:ImageDataset ; saiaas:sampleCount 2000 .
:tab a saiaas:TabularDataset ; saiaas:sampleCount 1000000 .
:resnet a saiaas:ResNet .
"""
).encode()


def spec(cls: str, *constraints: Constraint) -> AssetSpecification:
    return AssetSpecification(
        iri=EX + "spec", category=Category.DATA, requested_class=S + cls, constraints=constraints
    )


@pytest.fixture
def matcher(mini, tmp_path):  # noqa: ANN001, ANN201
    """The session's classified fixture ontology, with a private catalog cache folder."""
    return Matcher(mini.model, mini.key, cache_dir=tmp_path)


def _forbid_building(monkeypatch: pytest.MonkeyPatch) -> None:
    import saiaas.matcher._catalog as catalog

    def boom(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("parsed and inferred although the cache held the index")

    monkeypatch.setattr(catalog, "assets_from_rows", boom)


def test_the_index_is_cached_and_a_hit_does_not_parse(matcher, monkeypatch) -> None:  # noqa: ANN001
    first = matcher.catalog(CATALOG, "cat")
    assert isinstance(first, Catalog) and not first.from_cache
    assert len(list(Path(matcher.cache_dir).glob("catalog-*.bin"))) == 1
    _forbid_building(monkeypatch)
    again = matcher.catalog(CATALOG, "cat")
    assert again.from_cache and again.sha256 == first.sha256
    assert [a.iri for a in again.assets] == [a.iri for a in first.assets]
    s = spec("XRayDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=1000))
    assert [r.as_dict() for r in again.match(s)] == [r.as_dict() for r in first.match(s)]


def test_changed_bytes_are_a_new_index(matcher) -> None:  # noqa: ANN001
    first = matcher.catalog(CATALOG, "cat")
    changed = CATALOG + b":extra a saiaas:CTDataset ; saiaas:sampleCount 10 .\n"
    second = matcher.catalog(changed, "cat")
    assert not second.from_cache and second.sha256 != first.sha256
    assert EX + "extra" in [a.iri for a in second.assets]
    assert len(list(Path(matcher.cache_dir).glob("catalog-*.bin"))) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "header", "garbage"])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(matcher, damage: str) -> None:  # noqa: ANN001
    first = matcher.catalog(CATALOG, "cat")
    (path,) = Path(matcher.cache_dir).glob("catalog-*.bin")
    raw = path.read_bytes()
    head, _, payload = raw.partition(b"\n")
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        middle = len(payload) // 2
        payload = payload[:middle] + bytes([payload[middle] ^ 0xFF]) + payload[middle + 1 :]
        path.write_bytes(head + b"\n" + payload)
    elif damage == "header":
        path.write_bytes(head.replace(first.sha256.encode(), b"0" * 64) + b"\n" + payload)
    else:
        path.write_bytes(b"\x00not a cache\n")
    rebuilt = matcher.catalog(CATALOG, "cat")
    assert not rebuilt.from_cache
    assert [a.iri for a in rebuilt.assets] == [a.iri for a in first.assets]
    assert matcher.catalog(CATALOG, "cat").from_cache  # rewritten whole


def test_ranking_prefers_exact_then_nearest_class_then_closest_fit(matcher) -> None:  # noqa: ANN001
    cat = matcher.catalog(CATALOG, "cat")
    s = spec("XRayDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=1000))
    ranked = cat.match(s)
    names = [r.asset[len(EX) :] for r in ranked]
    # radio is a RadiographDataset == XRayDataset (exact), the chests are a level below
    assert names == ["radio", "chest-small", "chest", "chest-big"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert ranked[0].decision.degree == "exact" and ranked[1].decision.degree == "plugin"
    assert ranked[1].levels_below == 1
    assert ranked[1].margin < ranked[2].margin < ranked[3].margin
    assert ranked[0].score > ranked[1].score > ranked[2].score > ranked[3].score
    row = ranked[1].as_dict()
    assert row["rank"] == 2 and row["score"] == ranked[1].score and row["eligible"] is True
    assert any("1 level below XRayDataset" in r for r in row["score_reasons"])
    assert row["reasons"][1]["message"] == "sampleCount 1200 >= required 1000"
    # best() and the scan's best_iri() agree with the head of the ranking
    best = cat.best(s)
    assert best is not None and best.asset == EX + "radio" == cat.best_iri(s)
    only_chests = spec("ChestXRayDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=1000))
    assert cat.best_iri(only_chests) == EX + "chest-small" == cat.best(only_chests).asset  # type: ignore[union-attr]
    assert cat.best(spec("CTDataset")) is None and cat.best_iri(spec("CTDataset")) is None


def test_catalog_decisions_agree_with_the_per_pair_path(matcher, mini) -> None:  # noqa: ANN001
    cat = matcher.catalog(CATALOG, "cat")
    s = spec("ImageDataset", Constraint(K.MAX_INCLUSIVE, S + "sampleCount", value=5000))
    eligible = {r.asset for r in cat.match(s)}
    for decision in cat.decisions(s):
        assert decision.eligible == (decision.asset in eligible)
        asset = cat.find(decision.asset)
        assert mini.match(s, asset).as_dict() == decision.as_dict()
    assert eligible == {EX + "chest", EX + "chest-small", EX + "radio", EX + "img"}


def test_match_request_ranks_per_category(matcher) -> None:  # noqa: ANN001
    from saiaas.ontologies.requests import Request

    cat = matcher.catalog(CATALOG, "cat")
    specs = {
        Category.DATA: spec("XRayDataset"),
        Category.ALGORITHM: AssetSpecification(EX + "a", Category.ALGORITHM, S + "CNN"),
        Category.INFRASTRUCTURE: AssetSpecification(
            EX + "i", Category.INFRASTRUCTURE, S + "InfrastructureAsset"
        ),
    }
    out = cat.match_request(Request(EX + "r", 1, 1, specs=specs))
    assert [r.asset for r in out["algorithm"]] == [EX + "resnet"]
    assert out["infrastructure"] == [] and len(out["data"]) == 4


@pytest.mark.parametrize(
    ("body", "error", "fragment"),
    [
        (b"this is { not turtle", CatalogError, "cat: not valid Turtle"),
        (HEAD.encode() + b":x a saiaas:ChestXRayDatset .", UnknownTermError, "ChestXRayDatset"),
        (
            HEAD.encode() + b":x a saiaas:ImageDataset, saiaas:GPUNode .",
            AssetContradictionError,
            "disjoint",
        ),
    ],
)
def test_bad_catalogs_give_one_clear_line(matcher, body: bytes, error: type, fragment: str) -> None:  # noqa: ANN001
    with pytest.raises(error, match=fragment) as caught:
        matcher.catalog(body, "cat")
    assert "\n" not in str(caught.value)
    assert not list(Path(matcher.cache_dir).glob("catalog-*.bin"))  # nothing cached


def test_a_missing_catalog_file_is_named(matcher, tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(CatalogError, match="nowhere.ttl: cannot read"):
        matcher.catalog(tmp_path / "nowhere.ttl")
