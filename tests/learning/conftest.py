"""Shared fixtures of the learning tests: a temporary store and the digits."""

from __future__ import annotations

from pathlib import Path

import pytest
from saiaas.learning import load_digits_arrays, pack_dataset
from saiaas.storage import LocalStore


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.fixture(scope="session")
def digits():
    return load_digits_arrays()


@pytest.fixture(scope="session")
def small_data(digits) -> bytes:
    X, y = digits
    return pack_dataset(X[:200], y[:200])
