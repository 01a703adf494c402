"""The classification cache: used only for the exact ontology bytes, rebuilt when corrupted or
mismatched, never consulted through a JVM-free path that could be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from saiaas.matcher import Matcher, OntologyError

MINI = Path(__file__).parent / "data" / "mini.ttl"


def _forbid_classification(monkeypatch: pytest.MonkeyPatch) -> None:
    import saiaas.matcher._cache as cache

    def boom(graph):  # noqa: ANN001, ANN202
        raise AssertionError("classified although the cache held the model")

    monkeypatch.setattr(cache, "classify", boom)


def test_second_load_comes_from_the_cache_without_a_jvm(mini, cache_dir, monkeypatch) -> None:  # noqa: ANN001
    _forbid_classification(monkeypatch)
    again = Matcher.for_ontology(MINI, cache_dir=cache_dir)
    assert again.from_cache and again.key == mini.key
    assert again.model.classes == mini.model.classes


def test_corrupted_or_foreign_cache_files_are_rebuilt(mini, cache_dir, tmp_path) -> None:  # noqa: ANN001
    files = list(Path(cache_dir).glob(f"model-*-{mini.key}.json"))
    assert len(files) == 1
    target = tmp_path / files[0].name
    target.write_text("{ not json")
    rebuilt = Matcher.for_ontology(MINI, cache_dir=tmp_path)
    assert not rebuilt.from_cache and rebuilt.model.classes == mini.model.classes
    record = json.loads(target.read_text())
    assert record["key"] == mini.key  # rewritten atomically, whole
    record["key"] = "0" * 64  # a file whose recorded key is not these bytes' key
    record["model"]["classes"] = []
    target.write_text(json.dumps(record))
    again = Matcher.for_ontology(MINI, cache_dir=tmp_path)
    assert not again.from_cache and again.model.classes == mini.model.classes


def test_changed_bytes_get_their_own_key(mini, cache_dir, monkeypatch) -> None:  # noqa: ANN001
    data = MINI.read_bytes() + b"\n# a comment changes the version\n"
    other = Matcher.for_ontology(data, cache_dir=cache_dir)
    assert other.key != mini.key and not other.from_cache


def test_missing_or_broken_ontology_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(OntologyError, match="ontology bytes missing"):
        Matcher.for_ontology(tmp_path / "nowhere.ttl", cache_dir=tmp_path)
    with pytest.raises(OntologyError, match="not valid Turtle"):
        Matcher.for_ontology(b"@prefix : <x> . :a :b", cache_dir=tmp_path)
    assert not list(tmp_path.glob("model-*.json"))


@pytest.mark.hermit
def test_inconsistent_ontology_is_refused_and_not_cached(tmp_path) -> None:  # noqa: ANN001
    data = MINI.read_bytes() + (
        b"\n<https://example.org/x> a saiaas:DataAsset, saiaas:InfrastructureAsset .\n"
    )
    with pytest.raises(OntologyError, match="inconsistent"):
        Matcher.for_ontology(data, cache_dir=tmp_path)
    assert not list(tmp_path.glob("model-*.json"))
