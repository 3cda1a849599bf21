"""Home shows the xAPI outbox once a Learning Record Store is set: "N waiting · last sent
HH:MM" (nothing when none is set)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.export.conftest import Populated, populate
from tests.services.tinybank import tiny_bank
from tests.tui.helpers import settle
from vpkp_tutor.bootstrap import LaunchOptions, make_app
from vpkp_tutor.storage import open_store
from vpkp_tutor.storage.outbox import Outbox


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "home" / var.lower()))


@pytest.fixture
def ana(tmp_path: Path) -> Populated:
    p = populate(tmp_path / "data", name="Ana")
    return p


async def dashboard(data: Path) -> str:
    """The home dashboard's text for Ana at 80×24."""
    store = open_store(data, daily_backups=False)
    try:
        app = make_app(LaunchOptions(learner="Ana"), tiny_bank(), store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.pause(0.2)
            await settle(pilot)
            return str(app.screen.query_one("#dashboard", Static).content)
    finally:
        store.close()


async def test_home_shows_nothing_of_an_lrs_until_one_is_set(
        ana: Populated, tmp_path: Path) -> None:
    ana.services.store.close()
    assert "Learning Record Store" not in await dashboard(tmp_path / "data")


async def test_home_shows_the_outbox_once_an_lrs_is_set(
        ana: Populated, tmp_path: Path) -> None:
    ana.services.store.set_setting("lrs_endpoint", "http://127.0.0.1:9/xAPI/")
    box = Outbox(ana.services.store)  # type: ignore[arg-type]
    box.ack(box.claim([ana.learner_id], 4), ana.clock())  # four acknowledged
    ana.services.store.close()
    when = ana.clock().astimezone().strftime("%Y-%m-%d %H:%M")
    shown = await dashboard(tmp_path / "data")
    assert f"Learning Record Store: 10 waiting · last sent {when}" in shown
