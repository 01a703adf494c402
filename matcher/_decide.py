"""One decision: the degree of an asset against a requested class, and its constraints, with
the reasons a person reads ("sampleCount 80 < required 100").

Degrees on the inferred hierarchy (VOCABULARY.md, "Matching semantics", says which direction of
the literature's names this follows), R the requested class:
- exact: the asset is an instance of R and no class of it is strictly below R (its most
  specific classes within R's branch are R or equivalent to R);
- plugin: the asset is an instance of a class strictly below R;
- subsumes: the asset is not an instance of R, but one of its most specific classes is strictly
  above R (the asset is described more generally than asked);
- fail: anything else.
Eligible for a bid = (exact or plugin) and every constraint met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from saiaas.matcher._assets import Asset
from saiaas.matcher._entail import (
    implied_sets,
    lower_witness,
    non_numeric,
    outside,
    satisfying_set,
    upper_witness,
)
from saiaas.matcher._errors import UnknownTermError
from saiaas.matcher._model import OntologyModel
from saiaas.matcher._policy import decide_policy
from saiaas.matcher._values import Value, is_number
from saiaas.ontologies.requests import (
    AssetSpecification,
    Category,
    Constraint,
    ConstraintKind,
    local_name,
    show_value,
)

EXACT, PLUGIN, SUBSUMES, FAIL = "exact", "plugin", "subsumes", "fail"


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    required: Any = None
    actual: Any = None
    path: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "required": _jsonable(self.required),
            "actual": _jsonable(self.actual),
            "path": list(self.path),
        }


@dataclass(frozen=True)
class Decision:
    spec: str
    category: str
    asset: str
    degree: str
    eligible: bool
    reasons: tuple[Reason, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "category": self.category,
            "asset": self.asset,
            "degree": self.degree,
            "eligible": self.eligible,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_jsonable(v) for v in value), key=str)
    return str(value)


def check_spec(model: OntologyModel, spec: AssetSpecification) -> None:
    """Refuse a spec that names terms the ontology lacks, naming the term."""
    if spec.requested_class not in model.ancestors:
        raise UnknownTermError(
            f"{spec.iri}: requested class {spec.requested_class} is not a class of the ontology"
        )
    use = spec.data_use
    for prop, term in (("usePurpose", use and use.purpose), ("useDisease", use and use.disease)):
        if term and term not in model.ancestors:
            raise UnknownTermError(f"{spec.iri}: {prop} {term} is not a class of the ontology")
    for c in spec.constraints:
        kind = model.property_kinds.get(c.property)
        if kind is None or kind == "annotation":
            raise UnknownTermError(
                f"{spec.iri}: constraint property {c.property} is not a property of the ontology"
            )
        values = [c.value] if c.value is not None else list(c.allowed)
        for v in values:
            if kind == "object" and isinstance(v, str) and not model.is_known_term(v):
                raise UnknownTermError(
                    f"{spec.iri}: value {v} of {local_name(c.property)} is not in the ontology"
                )
            if (
                c.kind in (ConstraintKind.MIN_INCLUSIVE, ConstraintKind.MAX_INCLUSIVE)
                and kind != "datatype"
            ):
                raise UnknownTermError(
                    f"{spec.iri}: {c.kind.value} on {local_name(c.property)}, "
                    "which is not a numeric datatype property"
                )


def class_path(model: OntologyModel, low: str, high: str, types: frozenset[str]) -> tuple[str, ...]:
    """The asset's classes from `low` up to `high`, most specific first, one per equivalence."""
    between = [t for t in types if model.is_subclass(low, t) and model.is_subclass(t, high)]
    chosen: dict[frozenset[str], str] = {}
    for t in sorted(between):
        chosen.setdefault(model.equivalents.get(t, frozenset({t})), t)
    for eq, t in list(chosen.items()):
        preferred = low if low in eq else high if high in eq else t
        chosen[eq] = preferred
    return tuple(sorted(chosen.values(), key=lambda t: -len(model.ancestors.get(t, ()))))


def degree(model: OntologyModel, requested: str, asset: Asset) -> tuple[str, Reason]:
    r = local_name(requested)
    if requested in asset.types:
        below = [t for t in asset.most_specific if model.strictly_below(t, requested)]
        if below:
            low = sorted(below)[0]
            path = class_path(model, low, requested, asset.types)
            return PLUGIN, Reason(
                "plugin",
                f"{local_name(low)} is strictly below {r} ("
                + " < ".join(map(local_name, path))
                + ")",
                required=requested,
                actual=low,
                path=path,
            )
        eq = sorted(t for t in asset.most_specific if t in model.equivalents.get(requested, ()))
        actual = requested if requested in asset.most_specific else (eq[0] if eq else requested)
        how = "" if actual == requested else f" ({local_name(actual)} is equivalent to {r})"
        return EXACT, Reason(
            "exact", f"the asset is a {r}{how}", required=requested, actual=actual, path=(actual,)
        )
    above = sorted(t for t in asset.most_specific if model.strictly_below(requested, t))
    if above:
        path = class_path(model, requested, above[0], model.ancestors.get(requested, frozenset()))
        return SUBSUMES, Reason(
            "subsumes",
            f"the asset is only known as {local_name(above[0])}, more general than {r}",
            required=requested,
            actual=above[0],
            path=path,
        )
    shown = ", ".join(sorted(map(local_name, asset.most_specific))) or "no class"
    return FAIL, Reason(
        "fail",
        f"the asset ({shown}) is not a {r}",
        required=requested,
        actual=sorted(asset.most_specific),
    )


def implied_min(asset: Asset, prop: str) -> Value | None:
    """The largest lower bound an implied existential (p some xsd:integer[>= n]) puts on prop."""
    bounds = [
        b
        for c in asset.implied_some.get(prop, ())
        if c.datatype is not None
        for facet, b in c.facets
        if facet in ("minInclusive", "minExclusive") and is_number(b)
    ]
    return max(bounds) if bounds else None


def _show_key(key: tuple[Any, int], lower: bool) -> str:
    value, tie = key
    if lower:
        return f"> {value}" if tie else f">= {value}"
    return f"< {value}" if tie else f"<= {value}"


def check_constraint(model: OntologyModel, c: Constraint, asset: Asset) -> Reason:
    """One constraint, decided by what is entailed (see `_entail`): Min and Required need some
    value within (stated, class-implied, or an implied existential); Max and Allowed need some
    value within and no value entailed outside."""
    name = local_name(c.property)
    values = asset.values(c.property)
    required: Any = (
        c.value if c.kind is not ConstraintKind.ALLOWED_VALUES else sorted(c.allowed, key=str)
    )
    actual = sorted(values, key=str)
    if c.kind is ConstraintKind.MIN_INCLUSIVE:
        low = lower_witness(asset, c.property)
        stated = [v for v in values if is_number(v)]
        if low is None:
            return Reason(
                "constraint-unmet",
                f"no numeric {name} stated or implied (required >= {c.value})",
                required,
                None,
            )
        ok = low >= (c.value, 0)
        if stated and low == (max(stated), 0):
            best = max(stated)
            return Reason(
                "constraint-met" if ok else "constraint-unmet",
                f"{name} {best} {'>=' if ok else '<'} required {c.value}",
                required,
                best,
            )
        return Reason(
            "constraint-met" if ok else "constraint-unmet",
            f"{name} {_show_key(low, True)} by the asset's class, "
            f"{'' if ok else 'not enough for '}required >= {c.value}",
            required,
            _show_key(low, True),
        )
    if c.kind is ConstraintKind.MAX_INCLUSIVE:
        bound = (c.value, 0)
        bad = non_numeric(asset, c.property)
        if bad:
            return Reason(
                "constraint-unmet",
                f"{name} {', '.join(show_value(v) for v in bad)} is not a number "
                f"(required <= {c.value})",
                required,
                actual,
            )
        high = lower_witness(asset, c.property)
        if high is not None and high > bound:
            stated = [v for v in values if is_number(v)]
            if stated and high == (max(stated), 0):
                return Reason(
                    "constraint-unmet",
                    f"{name} {max(stated)} > allowed maximum {c.value}",
                    required,
                    max(stated),
                )
            return Reason(
                "constraint-unmet",
                f"{name} {_show_key(high, True)} by the asset's class, "
                f"above the allowed maximum {c.value}",
                required,
                _show_key(high, True),
            )
        low = upper_witness(asset, c.property)
        if low is None:
            return Reason(
                "constraint-unmet",
                f"no {name} stated or implied (required <= {c.value})",
                required,
                None,
            )
        if low > bound:
            return Reason(
                "constraint-unmet",
                f"{name} {_show_key(low, False)} by the asset's class, "
                f"not known to be <= {c.value}",
                required,
                _show_key(low, False),
            )
        stated = [v for v in values if is_number(v)]
        worst = max(stated) if stated else None
        if worst is not None:
            return Reason(
                "constraint-met", f"{name} {worst} <= allowed maximum {c.value}", required, worst
            )
        return Reason(
            "constraint-met",
            f"{name} {_show_key(low, False)} by the asset's class, within the maximum {c.value}",
            required,
            _show_key(low, False),
        )
    if c.kind is ConstraintKind.REQUIRED_VALUE:
        wanted: Value = c.value  # type: ignore[assignment]
        hits = [v for v in actual if model.satisfies_value(v, wanted)]
        if hits:
            via = (
                ""
                if wanted in hits
                else f" ({show_value(hits[0])} is narrower than {show_value(wanted)})"
            )
            return Reason(
                "constraint-met", f"{name} has {show_value(wanted)}{via}", required, actual
            )
        for one_of in implied_sets(asset, c.property):
            if all(model.satisfies_value(v, wanted) for v in one_of):
                return Reason(
                    "constraint-met",
                    f"the asset's class gives {name} one of "
                    f"{{{_names(one_of)}}}, each satisfying {show_value(wanted)}",
                    required,
                    sorted(one_of, key=str),
                )
        if not values:
            return Reason(
                "constraint-unmet",
                f"no {name} stated or implied (required {show_value(wanted)})",
                required,
                None,
            )
        return Reason(
            "constraint-unmet",
            f"{name} is {', '.join(show_value(v) for v in actual)}, required {show_value(wanted)}",
            required,
            actual,
        )
    allowed = ", ".join(sorted(show_value(a) for a in c.allowed))
    inside_set = satisfying_set(model, c.allowed)
    is_outside = outside(model, c.property, inside_set)
    bad = [v for v in actual if is_outside(v)]
    if bad:
        return Reason(
            "constraint-unmet",
            f"{name} {', '.join(show_value(v) for v in bad)} not in allowed {{{allowed}}}",
            required,
            actual,
        )
    for one_of in implied_sets(asset, c.property):
        if all(is_outside(v) for v in one_of):
            return Reason(
                "constraint-unmet",
                f"the asset's class gives {name} one of {{{_names(one_of)}}}, "
                f"none in allowed {{{allowed}}}",
                required,
                sorted(one_of, key=str),
            )
    within = [v for v in actual if v in inside_set]
    if within:
        shown = ", ".join(show_value(v) for v in actual)
        return Reason(
            "constraint-met", f"{name} {shown} within the allowed values", required, actual
        )
    for one_of in implied_sets(asset, c.property):
        if one_of <= inside_set:
            return Reason(
                "constraint-met",
                f"the asset's class gives {name} one of {{{_names(one_of)}}}, all allowed",
                required,
                sorted(one_of, key=str),
            )
    if values:
        return Reason(
            "constraint-unmet",
            f"{name} {', '.join(show_value(v) for v in actual)} not known to be among the "
            f"allowed {{{allowed}}}",
            required,
            actual,
        )
    return Reason(
        "constraint-unmet", f"no {name} stated or implied (allowed {{{allowed}}})", required, None
    )


def _names(values: Any) -> str:
    return ", ".join(sorted(show_value(v) for v in values))


def data_use_reasons(model: OntologyModel, spec: AssetSpecification, asset: Asset) -> list[Reason]:
    """The dataset's data-use conditions against the request's use (`_policy`), one reason per
    condition: codes condition-met / condition-unmet, path ("data-use", kind). None when the
    spec is not a data spec or the dataset states no conditions."""
    if asset.policy is None or spec.category is not Category.DATA:
        return []
    use = spec.data_use
    return [
        Reason(
            "condition-met" if part.met else "condition-unmet",
            part.message,
            required=part.condition,
            actual=use.describe() if use is not None else None,
            path=("data-use", part.kind),
        )
        for part in decide_policy(model, use, asset.policy)
    ]


def decide(model: OntologyModel, spec: AssetSpecification, asset: Asset) -> Decision:
    deg, why = degree(model, spec.requested_class, asset)
    reasons = [why]
    met = True
    for c in spec.constraints:
        reason = check_constraint(model, c, asset)
        reasons.append(reason)
        met = met and reason.code == "constraint-met"
    for reason in data_use_reasons(model, spec, asset):
        reasons.append(reason)
        met = met and reason.code == "condition-met"
    eligible = deg in (EXACT, PLUGIN) and met
    return Decision(
        spec=spec.iri,
        category=spec.category.value,
        asset=asset.iri,
        degree=deg,
        eligible=eligible,
        reasons=tuple(reasons),
    )


def value_satisfies(model: OntologyModel, values: frozenset[Value], required: Value) -> bool:
    return any(model.satisfies_value(v, required) for v in values)
