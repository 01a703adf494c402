"""Issue 10's attacks on py-evm (the same functions run on anvil in tests/integration)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _attacks  # noqa: E402


def _args(world):  # type: ignore[no-untyped-def]
    return world.chain, world.factory, world.client, world.providers


def test_31_throwaway_bidders_cannot_lock_out_an_honest_lower_bid(world):
    _attacks.lock_out(*_args(world), n=31)


@pytest.mark.slow
def test_300_throwaway_bidders_cannot_lock_out_an_honest_lower_bid(world):
    _attacks.lock_out(*_args(world), n=300)


def test_a_disqualification_of_the_best_cannot_be_dodged(world):
    _attacks.disqualification_dodge(*_args(world))


def test_an_early_close_cannot_cut_off_a_bid_in_flight(world):
    _attacks.early_close(*_args(world))


def test_absurd_windows_are_refused(world):
    _attacks.absurd_windows(*_args(world))


def test_a_bid_with_another_providers_asset_is_flagged_and_cannot_win(world):
    _attacks.borrowed_asset(*_args(world))
