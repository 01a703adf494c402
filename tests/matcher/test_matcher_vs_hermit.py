"""The matcher's fast path against HermiT on a generated corpus (issue 4).

Two checks, both on the packaged ontology (or the fixture ontology if it is absent):
1. realization: 300 assets over the three categories, realized by `sync_reasoner` over the full
   ABox; every asset's inferred named classes must equal the matcher's, and every object value
   HermiT entails must be among the matcher's inferred facts. Every eligibility decision of 50
   requests x the assets of each spec's category then agrees on its class part by construction.
2. eligibility: requests written as OWL class expressions (requested class and one restriction
   per constraint, see `hermit_eligible`), their instances compared with the matcher's eligible
   assets. HermiT takes ~50 ms per (asset, query class) instance test here, so this runs on the
   first 10 requests x 45 assets; pairs whose Max/Allowed constraint would need closed-world
   reasoning ("every value") are compared only where the asset has at most one value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.hermit, pytest.mark.slow]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from rdflib import Graph
    from saiaas.benchmarks.matcher import generate
    from saiaas.matcher import Matcher
    from saiaas.ontologies import ontology_path

    path = ontology_path()
    if not path.exists():
        path = Path(__file__).parent / "data" / "mini.ttl"
    matcher = Matcher.for_ontology(path, cache_dir=tmp_path_factory.mktemp("cache"))
    corpus = generate(matcher.model, assets=300, requests=50, seed=4)
    return matcher, Graph().parse(path, format="turtle"), corpus


def test_corpus_covers_the_constructs(setup) -> None:  # noqa: ANN001
    matcher, _, corpus = setup
    from saiaas.benchmarks.matcher import corpus_graph

    assets = matcher.assets(corpus_graph(corpus.assets))
    assert len(assets) == 300 and {a.category for a in assets} == {
        "data",
        "algorithm",
        "infrastructure",
    }
    model = matcher.model
    defined = set(model.definitions)
    inferred_defined = [a for a in assets if (a.types - model.close(a.asserted_types)) & defined]
    assert len(inferred_defined) >= 30  # defined classes reached from facts
    assert any(model.equivalents[t] - {t} for a in assets for t in a.asserted_types)  # equivalences
    assert any(set(a.facts) - set(a.asserted_facts) for a in assets)  # sub-properties / implied
    assert len(corpus.requests) == 50


def test_realization_equals_hermit(setup) -> None:  # noqa: ANN001
    from saiaas.benchmarks.matcher import corpus_graph, hermit_realize

    matcher, graph, corpus = setup
    hermit = hermit_realize(graph, corpus.assets)
    assets = {a.iri: a for a in matcher.assets(corpus_graph(corpus.assets))}
    type_diffs, value_diffs = [], []
    for iri, (types, values) in hermit.items():
        ours = assets[iri]
        if types != set(ours.types):
            type_diffs.append((iri, types - ours.types, ours.types - types))
        for prop, found in values.items():
            if not found <= ours.values(prop):
                value_diffs.append((iri, prop, found - ours.values(prop)))
    assert not type_diffs, type_diffs[:5]
    assert not value_diffs, value_diffs[:5]
    # every decision's class part follows: requested class in HermiT's types <=> exact/plugin
    decisions = 0
    for request in corpus.requests:
        for category, spec in request.specs.items():
            for iri, (types, _) in hermit.items():
                if assets[iri].category != category.value:
                    continue
                degree = matcher.match(spec, assets[iri]).degree
                assert (degree in ("exact", "plugin")) == (spec.requested_class in types), (
                    spec,
                    iri,
                )
                decisions += 1
    assert decisions == 50 * 300


def test_eligibility_equals_hermit(setup) -> None:  # noqa: ANN001
    from saiaas.benchmarks.matcher import comparable, corpus_graph, hermit_eligible

    matcher, graph, corpus = setup
    raw = corpus.assets[:45]
    specs = [s for r in corpus.requests[:10] for s in r.specs.values()]
    hermit = hermit_eligible(graph, matcher.model, raw, specs)
    assets = matcher.assets(corpus_graph(raw))
    compared = eligible = 0
    disagreements = []
    for spec in specs:
        for asset in assets:
            if asset.category != spec.category.value or not comparable(asset, spec):
                continue
            ours = matcher.match(spec, asset).eligible
            compared += 1
            eligible += ours
            if ours != (asset.iri in hermit[spec.iri]):
                disagreements.append((spec.iri, asset.iri, ours))
    assert not disagreements, disagreements[:5]
    assert compared >= 400 and eligible >= 5
