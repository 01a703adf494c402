"""Validation of requirement files and catalogs: SHACL shapes plus the checks that every term
exists in the ontology, that prices add up and that each category asks for the right classes.

`validate()` never raises for a bad file: every problem (empty, binary, not Turtle, unknown term,
wrong datatype, absurd number, ...) is a `Violation` with the file, the line where possible, the
subject, the property, what was expected and what was found. Only a file that does not exist or
an unknown `kind` raise a `SaiaasError` (usage errors).
"""

from __future__ import annotations

from saiaas.shapes._context import MAX_VIOLATIONS
from saiaas.shapes._report import VIOLATION, WARNING, ValidationReport, Violation
from saiaas.shapes._semantic import MAX_DURATION_DAYS
from saiaas.shapes._shacl import shapes_path
from saiaas.shapes._source import MAX_FILE_BYTES
from saiaas.shapes._validate import KINDS, FileMissingError, UnknownKindError, validate, warm

__all__ = [
    "validate",
    "warm",
    "ValidationReport",
    "Violation",
    "VIOLATION",
    "WARNING",
    "KINDS",
    "MAX_FILE_BYTES",
    "MAX_VIOLATIONS",
    "MAX_DURATION_DAYS",
    "FileMissingError",
    "UnknownKindError",
    "shapes_path",
]
