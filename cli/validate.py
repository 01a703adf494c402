"""`saiaas validate FILE...`: check requirement files and catalogs before they reach the chain.

Exit codes: 0 when every file is valid, 1 when any is invalid (an unreadable or non-Turtle file
counts as invalid), 2 on usage errors (a file that does not exist, an unknown --kind), checked
before any file is validated. `--json` prints every violation of every file as one list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from saiaas.cli.errors import EXIT_INVALID
from saiaas.cli.output import console, print_json, reports_errors
from saiaas.ontologies.errors import UsageError

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

    Exit 0: all valid; 1: any invalid; 2: usage error. Files over 1 MB are refused.
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
            contents.append(read_file(path, "Turtle", missing=UsageError))
        except TooBig as error:
            contents.append(ValidationReport(name, kind, [too_big(name, error.size or 0)]))
    reports = [
        c if isinstance(c, ValidationReport)
        else validate(c, kind, name="<stdin>" if str(p) == "-" else str(p))
        for p, c in zip(files, contents, strict=True)
    ]
    if json_output:
        print_json([v for report in reports for v in report.as_dicts()])
    else:
        for report in reports:
            _render(report)
    if not all(report.conforms for report in reports):
        raise typer.Exit(EXIT_INVALID)


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
