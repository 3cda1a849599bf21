"""The export dialog: choose CSV, JSON or xAPI and a file; dismisses with (format, path)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

FORMATS: tuple[tuple[str, str, str], ...] = (
    ("csv", "CSV (responses + summary)", ".csv"),
    ("json", "JSON", ".json"),
    ("xapi", "xAPI statements (JSON)", ".xapi.json"),
)


class ExportDialog(ModalScreen[tuple[str, Path] | None]):
    """Pick a format and a path for the learner's scores."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    """escape cancels."""

    def __init__(self, default_stem: Path) -> None:
        super().__init__(classes="dialog-screen")
        self.default_stem = default_stem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Export scores", "bold"), classes="dialog-title")
            with RadioSet(id="format"):
                for i, (_, label, _) in enumerate(FORMATS):
                    yield RadioButton(label, value=i == 0)
            yield Input(str(self.default_stem) + FORMATS[0][2], id="path")
            yield Static(id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @property
    def fmt(self) -> str:
        """The chosen format."""
        index = self.query_one("#format", RadioSet).pressed_index
        return FORMATS[max(0, index)][0]

    @on(RadioSet.Changed)
    def _format_changed(self, event: RadioSet.Changed) -> None:
        suffix = FORMATS[max(0, event.index)][2]
        self.query_one("#path", Input).value = str(self.default_stem) + suffix

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#path")
    def _export(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one("#export-error", Static).update(
                Content.styled("Type a file path.", "$error")
            )
            return
        self.dismiss((self.fmt, Path(text).expanduser()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
