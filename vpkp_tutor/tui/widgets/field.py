"""`Field`: the app's text input, whose own keys act where they arrive."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from vpkp_tutor.tui.burst import run_own_binding


class Field(Input):
    """An `Input` whose own keys (Backspace, Delete, the arrows, Home, End…) act as they
    arrive, in order with the characters typed around them (see `tui.burst`)."""

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
