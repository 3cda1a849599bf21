"""The export dialog: choose a format (the services' export formats: CSV, JSON, xAPI …) and
a file, then write it.

The export runs in a thread worker. A refusal (the progress database or its backups, a
missing folder) or a failure is shown in the dialog, which stays open so the path can be
corrected; an existing file is overwritten only after a yes in a confirmation. The dialog
dismisses with the path written, or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar, Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from vpkp_tutor.tui.dialogs.base import Dialog
from vpkp_tutor.tui.widgets.field import Field


class Format(Protocol):
    """What the dialog needs of an export format."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def suffix(self) -> str: ...
    @property
    def outputs(self) -> Callable[[Path], tuple[Path, ...]]: ...


Exporter = Callable[[str, Path, bool], Path]
"""Writes an export: (format, path, overwrite) → the path written. Raises FileExistsError
when the file exists and overwrite is False, ValueError or OSError when it cannot be
written."""


class ExportDialog(Dialog[Path | None]):
    """Pick a format and a path for the learner's scores, and write them."""

    DEFAULT_CSS = """
    ExportDialog #export-error {
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    """escape cancels."""

    def __init__(self, default_stem: Path, exporter: Exporter, formats: Sequence[Format]
                 ) -> None:
        super().__init__()
        self.default_stem = default_stem
        self.exporter = exporter
        self.formats = tuple(formats)
        """The formats offered, the default first."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Export scores", "bold"), classes="dialog-title")
            with RadioSet(id="format"):
                for i, fmt in enumerate(self.formats):
                    yield RadioButton(fmt.label, value=i == 0)
            yield Field(str(self.default_stem) + self.formats[0].suffix, id="path")
            yield Static(id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @property
    def fmt(self) -> str:
        """The chosen format."""
        index = self.query_one("#format", RadioSet).pressed_index
        return self.formats[max(0, index)].name

    def _say(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Content.styled(message, "$error"))

    @on(RadioSet.Changed)
    def _format_changed(self, event: RadioSet.Changed) -> None:
        suffix = self.formats[max(0, event.index)].suffix
        self.query_one("#path", Input).value = str(self.default_stem) + suffix

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#path")
    def _export(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self._say("Type a file path.")
            return
        self._start(self.fmt, Path(text).expanduser(), False)

    def _start(self, fmt: str, path: Path, overwrite: bool) -> None:
        self._say("")
        self.query_one("#export", Button).disabled = True
        self._write(fmt, path, overwrite)

    @work(thread=True, exclusive=True, group="export")
    def _write(self, fmt: str, path: Path, overwrite: bool) -> None:
        """Write the export off the event loop and report back on it."""
        try:
            written = self.exporter(fmt, path, overwrite)
        except FileExistsError as exc:
            self.app.call_from_thread(self._exists, fmt, path, str(exc))
        except (OSError, ValueError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
        else:
            self.app.call_from_thread(self.dismiss, written)

    def _failed(self, message: str) -> None:
        self.query_one("#export", Button).disabled = False
        self._say(message)

    def _exists(self, fmt: str, path: Path, message: str) -> None:
        from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog

        self.query_one("#export", Button).disabled = False
        entry = next((f for f in self.formats if f.name == fmt), None)
        taken = [str(p) for p in (entry.outputs(path) if entry else ()) if p.exists()]
        name = " and ".join(taken) or message.split(" already exists")[0] or str(path)

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(fmt, path, True)
            else:
                self._say(f"Not written: {name} {'exist' if len(taken) > 1 else 'exists'}. "
                          "Choose another name.")

        both = len(taken) > 1
        self.app.push_screen(ConfirmDialog(
            f"{name} already {'exist' if both else 'exists'}. Overwrite {'them' if both else 'it'}?",
            yes="Overwrite", no="Keep it"), answered)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
