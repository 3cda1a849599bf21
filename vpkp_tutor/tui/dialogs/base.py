"""`Dialog`: the base of the modal dialogs, which carries their shared look.

A dialog composes a `Vertical(classes="dialog")` (add `wide-dialog` or `help-dialog` for a
large one) holding any of `dialog-title`, `dialog-text`, `dialog-buttons` (a row of compact
buttons) and `dialog-foot` (a dim line of keys).
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")
"""What the dialog dismisses with."""


class Dialog(ModalScreen[ResultT]):
    """A modal screen that shows one centred box over the dimmed screen beneath."""

    DEFAULT_CSS = """
    Dialog.dialog-screen {
        align: center middle;
        background: $background 60%;
    }
    Dialog .dialog {
        width: 70;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    Dialog .dialog.wide-dialog, Dialog .dialog.help-dialog {
        width: 100;
        height: 90%;
    }
    Dialog .dialog VerticalScroll {
        height: 1fr;
    }
    Dialog .dialog-title {
        height: auto;
        margin-bottom: 1;
    }
    Dialog .dialog-text {
        height: auto;
        margin-bottom: 1;
    }
    Dialog .dialog-foot {
        height: auto;
        margin-top: 1;
    }
    Dialog .dialog RadioSet {
        width: 100%;
        height: auto;
        margin-bottom: 1;
    }
    Dialog .dialog-buttons {
        height: auto;
    }
    Dialog .dialog-buttons Button {
        margin-right: 2;
        width: auto;
        min-width: 0;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=f"dialog-screen {classes}".strip())
