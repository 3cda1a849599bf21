"""Waits for one key press: `KeyCaptureDialog(label)` dismisses with the key's name (as a
keymap writes it, e.g. `f`, `ctrl+f`, `f5`) or None when escape is pressed."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from vpkp_tutor.tui.dialogs.base import Dialog
from vpkp_tutor.tui.widgets.text import literal


class KeyCaptureDialog(Dialog[str | None]):
    """Press the new key for a binding; escape cancels."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.assemble("Press the new key for ", literal(self.what, "bold"),
                                          "."), classes="dialog-text")
            yield Static(Content.styled("escape cancels", "dim"), classes="dialog-foot")

    def on_key(self, event: events.Key) -> None:
        """The first key pressed is the answer."""
        event.stop()
        event.prevent_default()
        self.dismiss(None if event.key == "escape" else event.key)
