"""The content problems dialog: files left out of the bank and why, shown literally."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from vpkp_tutor.domain.model import ContentProblem
from vpkp_tutor.tui.widgets.text import literal


class ProblemsDialog(ModalScreen[None]):
    """Every content problem as `path:line:col: severity: message`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="problems.close"),
    ]
    """Close the list."""

    def __init__(self, problems: tuple[ContentProblem, ...]) -> None:
        super().__init__(classes="dialog-screen")
        self.problems = problems

    def compose(self) -> ComposeResult:
        if self.problems:
            body = Content("\n").join(
                literal(str(p), "$error" if p.severity == "error" else "$warning")
                for p in self.problems
            )
        else:
            body = Content("No problems: every content file loaded.")
        with Vertical(classes="dialog wide-dialog"):
            yield Static(Content.styled("Content problems", "bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(body)
            yield Static(
                Content.styled("Run `vpkp-tutor validate` for details · escape closes", "dim"),
                classes="dialog-foot",
            )
