"""Shared test fixtures: where the repository and the raw data folder are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "data" / "raw"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The raw official figures (``../shared/data/raw``); tests needing them skip without it."""
    if not RAW.is_dir():
        pytest.skip(f"raw data folder not present: {RAW}")
    return RAW
