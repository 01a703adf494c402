"""The result of validating one file, in a form a person can read and a program can consume."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Violation", "ValidationReport", "VIOLATION", "WARNING"]

#: Severity of a problem that makes the file invalid.
VIOLATION = "Violation"
#: Severity of a problem worth fixing that does not make the file invalid.
WARNING = "Warning"


@dataclass(frozen=True)
class Violation:
    """One problem in a file: where it is, what was expected, what was found.

    `line` is found by scanning the source text for the subject's or term's name (rdflib keeps no
    positions), so it is the first place that name is written, or None when it cannot be found
    (blank nodes written inline fall back to the line of their parent).
    """

    file: str
    message: str
    line: int | None = None
    subject: str | None = None
    property: str | None = None
    expected: str | None = None
    found: str | None = None
    severity: str = VIOLATION
    suggestion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass
class ValidationReport:
    """All problems of one file; `conforms` ignores warnings."""

    file: str
    kind: str | None
    violations: list[Violation] = field(default_factory=list)
    #: Problems found past the report's limit (saiaas.shapes MAX_VIOLATIONS): counted only.
    omitted_errors: int = 0
    omitted_warnings: int = 0

    @property
    def conforms(self) -> bool:
        return not self.omitted_errors and not any(
            v.severity == VIOLATION for v in self.violations
        )

    @property
    def omitted(self) -> int:
        """How many more problems were found than the report describes."""
        return self.omitted_errors + self.omitted_warnings

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == VIOLATION]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != VIOLATION]

    def as_dicts(self) -> list[dict[str, Any]]:
        """The violations as dicts; past the report's limit, one last entry counts the rest."""
        rows = [v.as_dict() for v in self.violations]
        if self.omitted:
            rest = Violation(
                file=self.file,
                message=f"... and {self.omitted} more problems not listed "
                f"({self.omitted_errors} violations, {self.omitted_warnings} warnings)",
                severity=VIOLATION if self.omitted_errors else WARNING,
            )
            rows.append({**rest.as_dict(), "omitted": self.omitted})
        return rows
