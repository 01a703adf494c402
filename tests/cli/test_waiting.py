"""`cli.output.waiting`: a wait over a second shows a spinner on stderr, only on a terminal and
never under --json (issue 15 point 6: reads are no longer silent)."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console


def _stderr(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> io.StringIO:
    from saiaas.cli import output

    buffer = io.StringIO()
    monkeypatch.setattr(output, "err_console",
                        Console(file=buffer, force_terminal=terminal, width=80))
    monkeypatch.setattr(output, "WAIT_SHOWN_AFTER", 0.2)
    return buffer


def test_a_long_wait_on_a_terminal_shows_the_spinner(monkeypatch) -> None:
    from saiaas.cli.output import waiting

    shown = _stderr(monkeypatch, terminal=True)
    with waiting("Reading the auction"):
        time.sleep(0.6)
    assert "Reading the auction" in shown.getvalue()


@pytest.mark.parametrize(("terminal", "quiet", "seconds"),
                         [(False, False, 0.6), (True, True, 0.6), (True, False, 0.0)])
def test_no_spinner_in_a_pipe_under_json_or_for_a_short_wait(monkeypatch, terminal, quiet,
                                                             seconds) -> None:
    from saiaas.cli.output import waiting

    shown = _stderr(monkeypatch, terminal=terminal)
    with waiting("Reading the auction", quiet):
        time.sleep(seconds)
    time.sleep(0.3)  # past the delay: a spinner cancelled in time never starts
    assert shown.getvalue() == ""
