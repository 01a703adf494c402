"""Triplet compatibility (VOCABULARY.md "Triplet compatibility"): does the algorithm accept the
dataset, does the infrastructure meet the algorithm, does it satisfy the data's policy. Each rule
gives one reason, met or not, so the verdict explains itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saiaas.matcher._assets import Asset
from saiaas.matcher._decide import Reason
from saiaas.matcher._entail import lower_witness, some_value
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


def _shown(asset: Asset, prop: str) -> str:
    return _names(asset.values(prop))


def triplet(model: OntologyModel, data: Asset, algorithm: Asset, infra: Asset) -> TripletVerdict:
    s = SAIAAS
    reasons: list[Reason] = []

    def rule(name: Any, ok: bool, message: str, required: Any = None, actual: Any = None) -> None:
        reasons.append(
            Reason(
                "triplet-met" if ok else "triplet-unmet",
                message,
                sorted(map(str, required)) if isinstance(required, frozenset) else required,
                sorted(map(str, actual)) if isinstance(actual, frozenset) else actual,
                path=name if isinstance(name, tuple) else (name,),
            )
        )

    for asset, category in ((data, "data"), (algorithm, "algorithm"), (infra, "infrastructure")):
        if asset.category != category:
            rule(
                "category",
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

    def entails(asset: Asset, prop: str, ok: Any) -> tuple[bool, str]:
        """Whether some value of prop satisfying `ok` is entailed, and how it is shown."""
        value, one_of = some_value(asset, prop, ok)
        if value is not None:
            return True, show_value(value)
        if one_of is not None:
            return True, f"one of {{{_names(one_of)}}} by its class"
        return False, _shown(asset, prop)

    # the algorithm accepts the dataset (every rule: some entailed value fits)
    accepted = algorithm.values(s + "acceptsModality")
    ok, shown = entails(data, s + "hasModality", lambda m: any(sat(m, a) for a in accepted))
    rule(
        "modality",
        ok,
        f"algorithm accepts modality {_names(accepted)}; dataset has {shown}",
        accepted,
        data.values(s + "hasModality"),
    )
    formats = algorithm.values(s + "acceptsFormat")
    if formats:
        ok, shown = entails(data, s + "hasFormat", lambda f: any(sat(f, a) for a in formats))
        rule(
            "format",
            ok,
            f"algorithm accepts format {_names(formats)}; dataset has {shown}",
            formats,
            data.values(s + "hasFormat"),
        )
    tasks = data.values(s + "labelledFor")
    if tasks:
        ok, shown = entails(
            algorithm, s + "solvesTask", lambda t_alg: any(sat(t_alg, t) for t in tasks)
        )
        rule(
            "task",
            ok,
            f"dataset is labelled for {_names(tasks)}; algorithm solves {shown}",
            tasks,
            algorithm.values(s + "solvesTask"),
        )
    # the infrastructure meets the algorithm
    kinds = algorithm.values(s + "requiresAcceleratorKind")
    if kinds:
        ok, shown = entails(infra, s + "acceleratorKind", lambda h: any(sat(h, k) for k in kinds))
        rule(
            "accelerator",
            ok,
            f"algorithm requires accelerator {_names(kinds)}; infrastructure has {shown}",
            kinds,
            infra.values(s + "acceleratorKind"),
        )
    for need, offer in (("minAcceleratorMemoryGB", "acceleratorMemoryGB"), ("minRamGB", "ramGB")):
        needed = [v for v in algorithm.values(s + need) if is_number(v)]
        if not needed:
            continue
        want = max(needed)
        low = lower_witness(infra, s + offer)
        ok = low is not None and low >= (want, 0)
        if low is None:
            got = "not stated"
        elif low[1] == 0 and low[0] in infra.values(s + offer):
            got = str(low[0])
        else:
            got = f"{'>' if low[1] else '>='} {low[0]} by its class"
        rule(
            offer,
            ok,
            f"{offer} {got} {'>=' if ok else '<'} {need} {want}",
            str(want),
            None if low is None else str(low[0]),
        )
    frameworks = algorithm.values(s + "runsOnFramework")
    if frameworks:
        ok, shown = entails(infra, s + "supportsFramework", lambda f: f in frameworks)
        rule(
            "framework",
            ok,
            f"algorithm runs on {_names(frameworks)}; infrastructure supports {shown}",
            frameworks,
            infra.values(s + "supportsFramework"),
        )
    # the infrastructure meets the data's TEE duty (its confidentiality policy): the one duty of
    # a dataset's data-use conditions that depends on the infrastructure
    policies = data.values(s + "requiresConfidentiality") - {NO_REQUIREMENT}
    tees = infra.values(s + "teeTechnology")
    for policy in sorted(map(str, policies)):
        accepted_tee = model.accepts_tee.get(policy, frozenset())
        ok, shown = entails(infra, s + "teeTechnology", lambda t, a=accepted_tee: t in a)
        rule(
            ("confidentiality", policy),
            ok,
            f"TEE duty {'met' if ok else 'unmet'}: data policy {local_name(policy)} accepts "
            f"{_names(accepted_tee)}; infrastructure TEE is {shown}",
            accepted_tee,
            tees,
        )
    if not policies:
        rule("confidentiality", True, "the data states no confidentiality requirement")
    compatible = all(r.code == "triplet-met" for r in reasons)
    return TripletVerdict(data.iri, algorithm.iri, infra.iri, compatible, tuple(reasons))
