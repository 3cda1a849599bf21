"""Fixtures: services over a tmp_path store with a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.tinybank import FakeClock, make_services
from vpkp_tutor.services import Services


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    svc = make_services(tmp_path / "data", clock)
    yield svc
    svc.store.close()
