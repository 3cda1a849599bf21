"""The app starts on the dashboard for a named learner."""

from __future__ import annotations

from tests.tui.conftest import MakeApp
from tests.tui.helpers import settle
from vpkp_tutor.tui.screens.home import HomeScreen


async def test_starts_on_home(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
