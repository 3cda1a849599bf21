"""Fixtures for the in-process journeys (import them into a journey module) (Textual's pilot): isolated user folders, a real
store in the test's folder, and the app over the bundled content, built as the CLI builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vpkp_tutor.bootstrap import LaunchOptions, make_app
from vpkp_tutor.content import bundled_paths
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.storage import SqliteProgressStore, open_store
from vpkp_tutor.tui.app import VpkpApp


@pytest.fixture
def bundled() -> ContentBank:
    """The content shipped with the app."""
    return load_content(bundled_paths())


@pytest.fixture
def pilot_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              bundled: ContentBank) -> Iterator[Callable[[], VpkpApp]]:
    """Build the app over the bundled content for learner "Ann" (a new store per test)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("VPKP_TUTOR_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    stores: list[SqliteProgressStore] = []

    def build() -> VpkpApp:
        store = open_store(tmp_path / "data", daily_backups=False)
        stores.append(store)
        return make_app(LaunchOptions(learner="Ann"), bundled, store)

    yield build
    for store in stores:
        store.close()
