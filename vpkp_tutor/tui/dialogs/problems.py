"""The content problems dialog: files left out of the bank and why, shown literally.

However many problems the content has, the dialog shows at most `MAX_LISTED` of them (errors
first), each cut to `MAX_LINE` characters, and says how many more there are, so that
opening it stays instant; `vpkp-tutor validate` lists them all.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from vpkp_tutor.domain.model import ContentProblem
from vpkp_tutor.tui.dialogs.base import Dialog
from vpkp_tutor.tui.widgets.text import literal

MAX_LISTED = 200
"""Most problems listed in the dialog."""
MAX_LINE = 400
"""Longest problem line shown, in characters (a message may quote a long value)."""


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def problem_lines(problems: tuple[ContentProblem, ...]) -> Content:
    """The dialog's body: up to `MAX_LISTED` problems, errors first, then a count of the
    rest."""
    if not problems:
        return Content("No problems: every content file loaded.")
    ordered = [p for p in problems if p.severity == "error"] + [
        p for p in problems if p.severity != "error"]
    lines = []
    for p in ordered[:MAX_LISTED]:
        text = str(p)
        if len(text) > MAX_LINE:
            text = text[: MAX_LINE - 1] + "…"
        lines.append(literal(text, "$error" if p.severity == "error" else "$warning"))
    rest = ordered[MAX_LISTED:]
    if rest:
        errors = sum(1 for p in rest if p.severity == "error")
        lines.append(Content.styled(
            f"… and {_plural(len(rest), 'more problem')} ({_plural(errors, 'error')}, "
            f"{_plural(len(rest) - errors, 'warning')}): run `vpkp-tutor validate` to list "
            "them all", "bold"))
    return Content("\n").join(lines)


class ProblemsDialog(Dialog[None]):
    """Content problems as `path:line:col: severity: message` (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="problems.close"),
    ]
    """Close the list."""

    def __init__(self, problems: tuple[ContentProblem, ...]) -> None:
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Static(Content.styled("Content problems", "bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(problem_lines(self.problems), id="problems-list")
            yield Static(
                Content.styled("Run `vpkp-tutor validate` for details · escape closes", "dim"),
                classes="dialog-foot",
            )
