"""validate(): one file in, one report out, whatever the file holds."""

from __future__ import annotations

import time
from pathlib import Path

from saiaas.ontologies.errors import UsageError
from saiaas.shapes._context import Context
from saiaas.shapes._report import ValidationReport, Violation
from saiaas.shapes._semantic import check_catalog, check_request, detect_kind
from saiaas.shapes._shacl import check_shapes
from saiaas.shapes._source import MAX_FILE_BYTES, load, parse, too_big
from saiaas.shapes._terms import check_terms
from saiaas.shapes._vocabulary import vocabulary

__all__ = ["validate", "KINDS", "FileMissingError", "UnknownKindError"]

#: What a file can be.
KINDS = ("request", "catalog")


class FileMissingError(UsageError):
    """The file to validate does not exist or is not a file: a usage error, not an invalid file."""


class UnknownKindError(UsageError):
    """A kind of file other than request or catalog was asked for."""


def validate(
    path_or_bytes: str | Path | bytes, kind: str | None = None, *, name: str | None = None
) -> ValidationReport:
    """Validate a requirement file or a catalog; `kind` is detected when None.

    Everything wrong with the file's content is a Violation in the report (never an exception);
    only a missing file or an unknown `kind` raise, as usage errors.
    """
    if kind is not None and kind not in KINDS:
        raise UnknownKindError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    if isinstance(path_or_bytes, bytes | bytearray):
        data, label = bytes(path_or_bytes), name or "<bytes>"
    else:
        path = Path(path_or_bytes)
        label = name or str(path)
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "does not exist"
            raise FileMissingError(f"{label} {what}; expected a Turtle file to validate")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # refuse before reading it all
            return ValidationReport(label, kind, [too_big(label, size)])
        try:
            data = path.read_bytes()
        except OSError as error:
            return ValidationReport(
                label,
                kind,
                [Violation(file=label, message=f"cannot read the file: {error.strerror}")],
            )

    source, problem = load(data, label)
    if source is None:
        return ValidationReport(label, kind, [problem] if problem else [])
    graph, problem = parse(source)
    if graph is None:
        return ValidationReport(label, kind, [problem] if problem else [])

    ctx = Context(source=source, graph=graph, vocab=vocabulary())
    detected = detect_kind(ctx)
    effective = kind or detected
    unknown = check_terms(ctx)
    if effective is None:
        ctx.add(
            None,
            "neither a requirement file nor a catalog: "
            "no saiaas:Request, saiaas:Asset or saiaas:Provider in it",
            expected="a saiaas:Request, or assets of saiaas classes",
            found="none of them",
        )
    else:
        check_shapes(ctx, effective, unknown)
        if effective == "request":
            check_request(ctx, unknown)
        else:
            check_catalog(ctx, unknown)
    ctx.violations.sort(key=lambda v: v.line if v.line is not None else 0)
    return ValidationReport(
        label, effective, ctx.violations, ctx.omitted_errors, ctx.omitted_warnings
    )


def warm() -> float:
    """Load the ontology index and the shapes now (a server or benchmark calls this once)."""
    from saiaas.shapes._shacl import _compiled_shapes

    start = time.perf_counter()
    vocabulary()
    for kind in KINDS:
        _compiled_shapes(kind)
    return time.perf_counter() - start
