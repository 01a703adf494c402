"""The ontology keeps the agreed vocabulary, documents every term, and is consistent under HermiT
with the shipped catalogs (the inferences the matcher relies on are checked here too)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from saiaas.ontologies import (
    SAIAAS,
    example_paths,
    ontology_graph,
    ontology_ntriples,
    ontology_path,
)

VOCABULARY_MD = Path(__file__).resolve().parents[2] / "ontologies" / "VOCABULARY.md"
DECLARATIONS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    OWL.Ontology,
)


def _declared(graph: Graph) -> set[URIRef]:
    return {s for t in DECLARATIONS for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def test_every_term_has_a_label_and_a_comment() -> None:
    graph = ontology_graph()
    terms = _declared(graph)
    assert len(terms) > 150
    missing = [
        str(t)
        for t in terms
        if graph.value(t, RDFS.label) is None or graph.value(t, RDFS.comment) is None
    ]
    assert missing == []


def test_every_saiaas_term_used_is_declared() -> None:
    graph = ontology_graph()
    declared = {str(t) for t in _declared(graph)}
    used = {
        str(n)
        for triple in graph
        for n in triple
        if isinstance(n, URIRef) and str(n).startswith(SAIAAS)
    }
    assert used - declared == set()


def test_external_terms_used_in_axioms_are_declared() -> None:
    graph = ontology_graph()
    declared = {str(t) for t in _declared(graph)}
    for term in (
        "http://www.w3.org/ns/dcat#Dataset",
        "http://www.w3.org/ns/mls#Implementation",
        "http://www.w3.org/ns/mls#Task",
    ):
        assert term in declared
    assert (
        URIRef(SAIAAS + "DataAsset"),
        RDFS.subClassOf,
        URIRef("http://www.w3.org/ns/dcat#Dataset"),
    ) in graph
    assert (
        URIRef(SAIAAS + "MLTask"),
        RDFS.subClassOf,
        URIRef("http://www.w3.org/ns/mls#Task"),
    ) in graph


# The bare names VOCABULARY.md lists (its `saiaas:X` names are read from the file itself).
CONTRACT = [
    "Asset",
    "DataAsset",
    "AlgorithmAsset",
    "InfrastructureAsset",
    "Provider",
    "offeredBy",
    "ImageDataset",
    "MedicalImageDataset",
    "XRayDataset",
    "ChestXRayDataset",
    "CTDataset",
    "MRIDataset",
    "DermatoscopyDataset",
    "TextDataset",
    "TabularDataset",
    "TimeSeriesDataset",
    "AudioDataset",
    "VideoDataset",
    "NeuralNetwork",
    "CNN",
    "ResNet",
    "ViT",
    "Transformer",
    "GradientBoosting",
    "SVM",
    "RandomForest",
    "LogisticRegression",
    "CPUNode",
    "GPUNode",
    "ConfidentialNode",
    "SGXNode",
    "TDXNode",
    "SEVSNPNode",
    "Modality",
    "Image",
    "MedicalImaging",
    "XRayImaging",
    "CTImaging",
    "MRIImaging",
    "DermatoscopyImaging",
    "Text",
    "Tabular",
    "TimeSeries",
    "Audio",
    "Video",
    "DataFormat",
    "PNG",
    "JPEG",
    "DICOM",
    "NIfTI",
    "CSV",
    "Parquet",
    "JSONLines",
    "WAV",
    "MP4",
    "NPY",
    "MLTask",
    "Classification",
    "ImageClassification",
    "Segmentation",
    "ObjectDetection",
    "Regression",
    "Forecasting",
    "Clustering",
    "Framework",
    "PyTorch",
    "TensorFlow",
    "ScikitLearn",
    "XGBoost",
    "JAX",
    "AcceleratorKind",
    "GPU",
    "TPU",
    "NoAccelerator",
    "AcceleratorModel",
    "NvidiaT4",
    "NvidiaL4",
    "NvidiaA100",
    "NvidiaH100",
    "TEETechnology",
    "IntelSGX",
    "IntelTDX",
    "AMDSEVSNP",
    "ArmCCA",
    "ConfidentialityPolicy",
    "NoConfidentialityRequirement",
    "TEERequired",
    "SGXRequired",
    "acceptsTEE",
    "Region",
    "EU",
    "EUWest",
    "EUCentral",
    "US",
    "USEast",
    "Asia",
    "narrowerThan",
    "hasModality",
    "hasFormat",
    "hasPrimaryFormat",
    "labelledFor",
    "sampleCount",
    "labelledSampleCount",
    "classCount",
    "isLabelled",
    "containsPersonalData",
    "spdxLicense",
    "requiresConfidentiality",
    "solvesTask",
    "acceptsModality",
    "acceptsFormat",
    "requiresAcceleratorKind",
    "runsOnFramework",
    "minAcceleratorMemoryGB",
    "minRamGB",
    "parameterCount",
    "acceleratorKind",
    "acceleratorModel",
    "acceleratorCount",
    "acceleratorMemoryGB",
    "ramGB",
    "vCPUs",
    "teeTechnology",
    "region",
    "supportsFramework",
    "RadiographDataset",
    "ConvolutionalNeuralNetwork",
    "LabelledDataset",
    "LargeDataset",
    "ImageClassifier",
]


def test_every_name_of_the_vocabulary_contract_exists() -> None:
    text = VOCABULARY_MD.read_text()
    names = set(re.findall(r"saiaas:([A-Za-z][A-Za-z0-9]*)", text)) | set(CONTRACT)
    declared = {
        str(t)[len(SAIAAS) :] for t in _declared(ontology_graph()) if str(t).startswith(SAIAAS)
    }
    assert len(names) > 150
    assert sorted(names - declared) == []


def test_constructs_the_matcher_relies_on_are_present() -> None:
    graph = ontology_graph()
    s = lambda name: URIRef(SAIAAS + name)  # noqa: E731
    assert (s("XRayDataset"), OWL.equivalentClass, s("RadiographDataset")) in graph
    assert (s("CNN"), OWL.equivalentClass, s("ConvolutionalNeuralNetwork")) in graph
    assert (s("hasPrimaryFormat"), RDFS.subPropertyOf, s("hasFormat")) in graph
    assert (s("labelledSampleCount"), RDFS.subPropertyOf, s("sampleCount")) in graph
    assert (s("narrowerThan"), RDF.type, OWL.TransitiveProperty) in graph
    assert (s("offeredBy"), RDF.type, OWL.FunctionalProperty) in graph
    for defined in (
        "LabelledDataset",
        "LargeDataset",
        "MedicalImageDataset",
        "GPUNode",
        "ConfidentialNode",
        "ImageClassifier",
    ):
        equivalents = list(graph.objects(s(defined), OWL.equivalentClass))
        assert any(graph.value(e, OWL.intersectionOf) is not None for e in equivalents), defined
    for value in ("PNG", "XRayImaging", "GPU", "IntelSGX", "TEERequired", "EUWest"):
        assert (s(value), RDF.type, OWL.NamedIndividual) in graph


def test_ntriples_helper_holds_the_same_triples() -> None:
    graph = Graph().parse(data=ontology_ntriples(), format="nt")
    assert len(graph) == len(ontology_graph())


HERMIT_READY = shutil.which("java") is not None


@pytest.mark.hermit
@pytest.mark.skipif(not HERMIT_READY, reason="HermiT needs a Java runtime")
def test_ontology_and_catalogs_are_consistent_under_hermit(tmp_path: Path) -> None:
    import owlready2

    graph = Graph().parse(ontology_path(), format="turtle")
    for path in example_paths():
        if "request" not in path.name:  # requests are data about the vocabulary, not assertions
            graph.parse(path, format="turtle")
    ntriples = tmp_path / "all.nt"
    graph.serialize(ntriples, format="nt", encoding="utf-8")

    world = owlready2.World()
    onto = world.get_ontology(ntriples.as_uri()).load()
    with onto:  # raises OwlReadyInconsistentOntologyError if the whole is inconsistent
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    assert list(world.inconsistent_classes()) == []

    def types(iri: str) -> set[str]:
        return {c.name for c in world[iri].is_a if hasattr(c, "name")}

    def values(iri: str, prop: str) -> set[str]:
        return {getattr(v, "name", v) for v in getattr(world[iri], prop)}

    large = "https://example.org/chest-imaging-lab#chest-xray-60k"
    assert {"LargeDataset", "LabelledDataset"} <= types(large)  # datatype facet, hasValue
    assert "XRayImaging" in values(large, "hasModality")  # class-implied value
    assert "LargeDataset" not in types("https://example.org/radiology-archive#chest-xray-5k")
    gpu_tdx = "https://example.org/confidential-gpu-cloud#h100-tdx"
    assert {"GPUNode", "ConfidentialNode"} <= types(gpu_tdx)  # defined classes from facts
    sev = "https://example.org/sev-gpu-hosting#a100-sevsnp"
    assert "AMDSEVSNP" in values(sev, "teeTechnology")  # implied by SEVSNPNode
    vit = "https://example.org/vision-transformers#vit-b16-medical"
    assert "ImageClassifier" in types(vit)
    assert "Image" in values(vit, "acceptsModality")
    assert "ImageClassifier" not in types("https://example.org/tabular-boost#xgboost-classifier")
    assert "GPUNode" not in types("https://example.org/cpu-cluster#xeon-sgx")
    assert "ConfidentialNode" not in types("https://example.org/plain-gpu#l4-node")
