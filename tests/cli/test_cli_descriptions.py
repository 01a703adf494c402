import pytest
from rdflib import Graph
from saiaas.ontologies import example_path
from saiaas.ontologies.descriptions import UnknownAssetError, asset_description

ASSET = "https://example.org/radiology-archive#chest-xray-5k"


def _catalog() -> Graph:
    return Graph().parse(example_path("data-radiology-archive.ttl"), format="turtle")


def test_description_is_deterministic_and_self_contained():
    first, second = asset_description(_catalog(), ASSET), asset_description(_catalog(), ASSET)
    assert first == second
    reparsed = Graph().parse(data=first.decode(), format="nt")
    assert len(reparsed) == len(_catalog().cbd(__import__("rdflib").URIRef(ASSET))) + 3
    assert b"labelledSampleCount" in first and b"Radiology Archive" in first


def test_unknown_asset_is_refused_by_name():
    with pytest.raises(UnknownAssetError, match="nothing about https://example.org/x#nope"):
        asset_description(_catalog(), "https://example.org/x#nope")
