"""A real Ralph LRS for the tests (see `ralph.py`), killed after each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.export.conftest import Populated, populate
from tests.lrs.ralph import Ralph


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    """A fresh Ralph (file backend, appending) on a free loopback port."""
    server = Ralph(tmp_path / "ralph").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def populated(tmp_path: Path) -> Iterator[Populated]:
    """One learner (Ana) with an exam, a lesson check, two case runs and a lesson done."""
    p = populate(tmp_path / "data", name="Ana")
    yield p
    p.services.store.close()
