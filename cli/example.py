"""`saiaas example hospital DIR`: the hospital case's files, for running it by hand.

The files each party needs to play its role in its own terminal: the client's requirement file,
held-out labelled images and an image to label; every provider's catalog (the data and algorithm
catalogs state the saiaas:contentCID of what they sell) and the content itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from saiaas.cli.options import JsonOption
from saiaas.cli.output import console, print_json, reports_errors

__all__ = ["example_app"]

example_app = typer.Typer(help="Example files to run a case by hand.", no_args_is_help=True)


@example_app.command("hospital")
@reports_errors
def hospital(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the files to.",
                                           show_default=False)],
    json_output: JsonOption = False,
) -> None:
    """Write the hospital case's files into DIR (never replacing a file).

    The README's section "The hospital case by hand, five terminals" uses them. Exit codes: 0
    written, 2 DIR already holds one of the files.
    """
    from saiaas.market.learning_phase import write_hospital_example

    rows = write_hospital_example(folder)
    if json_output:
        print_json({"folder": str(folder), "files": rows})
        return
    for row in rows:
        extra = row.get("asset") or row.get("content_cid") or ""
        console.print(f"{row['party']:<32} {row['role']:<26} {row['file']}  {extra}",
                      highlight=False, soft_wrap=True)
