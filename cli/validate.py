"""`saiaas validate FILE...`: check requirement files and catalogs before they reach the chain.

Exit codes: 0 when every file is valid, 1 when any is invalid (an unreadable or non-Turtle file
counts as invalid), 2 on usage errors (an unknown --kind), 3 when a file does not exist (unusable
input, as for every command), checked before any file is validated. `--json` prints every
violation of every file as one list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from saiaas.cli.errors import EXIT_INVALID
from saiaas.cli.output import console, print_json, reports_errors
from saiaas.ontologies.errors import InputError, UsageError

if TYPE_CHECKING:
    from saiaas.shapes import ValidationReport

__all__ = ["validate_files"]

_KINDS = ("request", "catalog")


@reports_errors
def validate_files(
    files: Annotated[
        list[Path],
        typer.Argument(help="Requirement files and catalogs (Turtle); '-' reads stdin.",
                       show_default=False),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Treat every file as a 'request' or a 'catalog' (default: detected per file).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the violations as a JSON list.")
    ] = False,
) -> None:
    """Check files against the ontology and the SHACL shapes; print what is wrong and where.

    Exit 0: all valid; 1: any invalid; 2: usage error; 3: a file that does not exist. Files
    over 1 MB are refused.
    """
    if kind is not None and kind not in _KINDS:
        raise UsageError(f"unknown --kind {kind!r}; expected 'request' or 'catalog'")
    from saiaas.cli.files import TooBig, read_file
    from saiaas.shapes import ValidationReport, validate
    from saiaas.shapes._source import too_big

    contents: list[bytes | ValidationReport] = []
    for path in files:  # all read (and refused) before any is validated
        name = "<stdin>" if str(path) == "-" else str(path)
        try:
            contents.append(read_file(path, "Turtle", missing=InputError))
        except TooBig as error:
            contents.append(ValidationReport(name, kind, [too_big(name, error.size or 0)]))
    reports = [
        c if isinstance(c, ValidationReport)
        else _validated(c, kind, "<stdin>" if str(p) == "-" else str(p), validate)
        for p, c in zip(files, contents, strict=True)
    ]
    if json_output:
        print_json([v for report in reports for v in report.as_dicts()])
    else:
        for report in reports:
            _render(report)
    if not all(report.conforms for report in reports):
        raise typer.Exit(EXIT_INVALID)


def _validated(data: bytes, kind: str | None, name: str, validate: Any) -> ValidationReport:
    """The report on `data`: kept in <data dir>/cache/validate under the SHA-256 of the bytes,
    the kind, the name and the stamp of the installed code (the packaged ontology and shapes
    included), so validating the same file again does not import rdflib and pyshacl (a report
    depends on nothing else). SAIAAS_NO_READ_CACHE=1 turns it off."""
    import hashlib
    import json
    import os

    from saiaas.shapes import ValidationReport, Violation

    if os.environ.get("SAIAAS_NO_READ_CACHE", "") not in ("", "0"):
        return validate(data, kind, name=name)
    from saiaas.market.config import data_dir
    from saiaas.market.readcache import code_stamp, keep_json

    described = json.dumps([hashlib.sha256(data).hexdigest(), kind, name, code_stamp()])
    key = hashlib.sha256(described.encode()).hexdigest()
    path = data_dir() / "cache" / "validate" / f"{key}.json"
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return ValidationReport(
            kept["file"], kept["kind"], [Violation(**v) for v in kept["violations"]],
            int(kept["omitted_errors"]), int(kept["omitted_warnings"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    report = validate(data, kind, name=name)
    keep_json(path, {"file": report.file, "kind": report.kind,
                     "violations": [v.as_dict() for v in report.violations],
                     "omitted_errors": report.omitted_errors,
                     "omitted_warnings": report.omitted_warnings}, _KEEP)
    return report


_KEEP = 256


def _render(report: ValidationReport) -> None:
    from rich.markup import escape

    for v in report.violations:
        colour = "red" if v.severity == "Violation" else "yellow"
        where = escape(v.location())
        about = " ".join(escape(x) for x in (v.subject, v.property) if x)
        console.print(f"[bold]{where}[/]  {about}", highlight=False, soft_wrap=True)
        console.print(f"  [{colour}]{escape(v.message)}[/]", highlight=False, soft_wrap=True)
        details = []
        if v.expected:
            details.append(f"expected {v.expected}")
        if v.found:
            details.append(f"found {v.found}")
        if details:
            text = escape("; ".join(details))
            console.print(f"  [dim]{text}[/]", highlight=False, soft_wrap=True)
    what = report.kind or "file"
    name = escape(report.file)
    if report.omitted:
        console.print(f"  [dim]... and {report.omitted} more not shown (the first "
                      f"{len(report.violations)} are)[/]", highlight=False)
    errors = len(report.errors) + report.omitted_errors
    warnings = len(report.warnings) + report.omitted_warnings
    extra = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    if report.conforms:
        console.print(f"[green]✓[/] {name}: valid {what}{extra}", highlight=False, soft_wrap=True)
    else:
        plural = "s" if errors != 1 else ""
        console.print(
            f"[red]✗[/] {name}: invalid {what}, {errors} violation{plural}{extra}",
            highlight=False,
            soft_wrap=True,
        )
