"""Issue 11's attacks on py-evm (the same functions run on anvil in tests/integration)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _restitution_attacks as attacks  # noqa: E402


def _args(world):  # type: ignore[no-untyped-def]
    return world.chain, world.factory, world.client, world.providers


def test_non_delivery_pays_the_data_and_algorithm_winners_from_the_forfeited_bond(world):
    attacks.non_delivery(*_args(world))


def test_a_garbage_model_can_be_rejected_and_the_ruling_forfeits_its_pay(world):
    attacks.garbage_model(*_args(world))


def test_an_unfair_disqualification_is_appealed_and_costs_the_client(world):
    attacks.unfair_disqualification(*_args(world))


def test_an_appeal_ruled_against_is_a_lost_dispute(world):
    attacks.unfair_disqualification_lost(*_args(world))


def test_cheap_and_self_dealt_references_do_not_count(world):
    attacks.cheap_references(*_args(world))
