"""Triplet compatibility (VOCABULARY.md "Triplet compatibility"): does the algorithm accept the
dataset, does the infrastructure meet the algorithm, does it satisfy the data's policy. Each rule
gives one reason, met or not, so the verdict explains itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saiaas.matcher._assets import Asset
from saiaas.matcher._decide import Reason
from saiaas.matcher._model import OntologyModel
from saiaas.matcher._values import is_number
from saiaas.ontologies import SAIAAS
from saiaas.ontologies.requests import local_name, show_value

NO_REQUIREMENT = SAIAAS + "NoConfidentialityRequirement"


@dataclass(frozen=True)
class TripletVerdict:
    data: str
    algorithm: str
    infrastructure: str
    compatible: bool
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "algorithm": self.algorithm,
            "infrastructure": self.infrastructure,
            "compatible": self.compatible,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def _names(values: Any) -> str:
    return ", ".join(sorted(show_value(v) for v in values)) or "none"


def triplet(model: OntologyModel, data: Asset, algorithm: Asset, infra: Asset) -> TripletVerdict:
    s = SAIAAS
    reasons: list[Reason] = []

    def rule(ok: bool, message: str, required: Any = None, actual: Any = None) -> None:
        reasons.append(
            Reason(
                "triplet-met" if ok else "triplet-unmet",
                message,
                sorted(map(str, required)) if isinstance(required, frozenset) else required,
                sorted(map(str, actual)) if isinstance(actual, frozenset) else actual,
            )
        )

    for asset, category in ((data, "data"), (algorithm, "algorithm"), (infra, "infrastructure")):
        if asset.category != category:
            rule(
                False,
                f"{local_name(asset.iri)} is not a {category} asset "
                f"(it is {asset.category or 'of no category'})",
                category,
                asset.category,
            )
    if any(r.code == "triplet-unmet" for r in reasons):
        return TripletVerdict(data.iri, algorithm.iri, infra.iri, False, tuple(reasons))

    def sat(actual: Any, wanted: Any) -> bool:
        return model.satisfies_value(actual, wanted)

    # the algorithm accepts the dataset
    modalities, accepted = data.values(s + "hasModality"), algorithm.values(s + "acceptsModality")
    ok = any(sat(m, a) for m in modalities for a in accepted)
    rule(
        ok,
        f"algorithm accepts modality {_names(accepted)}; dataset has {_names(modalities)}",
        accepted,
        modalities,
    )
    formats = algorithm.values(s + "acceptsFormat")
    if formats:
        have = data.values(s + "hasFormat")
        rule(
            any(sat(f, a) for f in have for a in formats),
            f"algorithm accepts format {_names(formats)}; dataset has {_names(have)}",
            formats,
            have,
        )
    tasks = data.values(s + "labelledFor")
    if tasks:
        solves = algorithm.values(s + "solvesTask")
        rule(
            any(sat(t_alg, t) for t in tasks for t_alg in solves),
            f"dataset is labelled for {_names(tasks)}; algorithm solves {_names(solves)}",
            tasks,
            solves,
        )
    # the infrastructure meets the algorithm
    kinds = algorithm.values(s + "requiresAcceleratorKind")
    if kinds:
        have = infra.values(s + "acceleratorKind")
        rule(
            any(sat(h, k) for h in have for k in kinds),
            f"algorithm requires accelerator {_names(kinds)}; infrastructure has {_names(have)}",
            kinds,
            have,
        )
    for need, offer in (("minAcceleratorMemoryGB", "acceleratorMemoryGB"), ("minRamGB", "ramGB")):
        needed = [v for v in algorithm.values(s + need) if is_number(v)]
        if not needed:
            continue
        offered = [v for v in infra.values(s + offer) if is_number(v)]
        want, got = max(needed), max(offered) if offered else None
        ok = got is not None and got >= want
        rule(
            ok,
            f"{offer} {got if got is not None else 'not stated'} "
            f"{'>=' if ok else '<'} {need} {want}",
            str(want),
            None if got is None else str(got),
        )
    frameworks = algorithm.values(s + "runsOnFramework")
    if frameworks:
        have = infra.values(s + "supportsFramework")
        rule(
            bool(frameworks & have),
            f"algorithm runs on {_names(frameworks)}; infrastructure supports {_names(have)}",
            frameworks,
            have,
        )
    # the infrastructure satisfies the data's confidentiality policy
    policies = data.values(s + "requiresConfidentiality") - {NO_REQUIREMENT}
    tees = infra.values(s + "teeTechnology")
    for policy in sorted(map(str, policies)):
        accepted_tee = model.accepts_tee.get(policy, frozenset())
        rule(
            bool(accepted_tee & tees),
            f"data policy {local_name(policy)} accepts "
            f"{_names(accepted_tee)}; infrastructure TEE is {_names(tees)}",
            accepted_tee,
            tees,
        )
    if not policies:
        rule(True, "the data states no confidentiality requirement")
    compatible = all(r.code == "triplet-met" for r in reasons)
    return TripletVerdict(data.iri, algorithm.iri, infra.iri, compatible, tuple(reasons))
