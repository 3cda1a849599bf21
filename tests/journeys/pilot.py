"""Fixtures for the in-process journeys (import them into a journey module) (Textual's pilot): isolated user folders, a real
store in the test's folder, and the app over the bundled content, built as the CLI builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.bundled import bundled_bank
from tests.tui.conftest import isolated_dirs  # noqa: F401 (a fixture pilot_app uses)
from vpkp_tutor.bootstrap import LaunchOptions, make_app
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.storage import SqliteProgressStore, open_store
from vpkp_tutor.tui.app import VpkpApp


@pytest.fixture
def bundled() -> ContentBank:
    """The content shipped with the app (read once per test process: it is immutable)."""
    return bundled_bank()


@pytest.fixture
def pilot_app(tmp_path: Path, isolated_dirs: None,  # noqa: F811 (the fixture)
              bundled: ContentBank) -> Iterator[Callable[[], VpkpApp]]:
    """Build the app over the bundled content for learner "Ann" (a new store per test), with
    every user folder inside the test's folder (`isolated_dirs`, as the TUI tests have)."""
    stores: list[SqliteProgressStore] = []

    def build() -> VpkpApp:
        store = open_store(tmp_path / "data", daily_backups=False)
        stores.append(store)
        return make_app(LaunchOptions(learner="Ann"), bundled, store)

    yield build
    for store in stores:
        store.close()


async def until(pilot: object, ok: Callable[[], object], what: str,
                seconds: float = 15) -> None:
    """Let the app run until `ok()` holds (failing with `what` after `seconds`)."""
    import time

    deadline = time.monotonic() + seconds
    while not ok():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)  # type: ignore[attr-defined]
