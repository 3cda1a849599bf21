"""Two one-key questions asked around an answer, both optional:

- `ConfidenceDialog`: how sure the learner is of the answer just stored (1 sure, 2 unsure,
  3 guess; escape or Enter skips). Dismisses with a `Confidence` or None.
- `ErrorTagDialog`: why a missed answer was wrong (1–5, see `domain.confidence.ErrorTag`);
  "disagree with the key" then asks for a short comment for the educator (Enter keeps it,
  empty is allowed). Escape cancels. Dismisses with `(tag, comment)` or None.

Both sit at the bottom of the screen so the question and the chosen answer stay in view.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from vpkp_tutor.domain.confidence import COMMENT_MAX, Confidence, ErrorTag
from vpkp_tutor.tui.dialogs.base import Dialog
from vpkp_tutor.tui.widgets.field import Field

CONFIDENCE_WORDS = {
    Confidence.SURE: "sure",
    Confidence.UNSURE: "unsure",
    Confidence.GUESS: "a guess",
}
"""How each level reads in a sentence ("You said: a guess")."""


class ConfidenceDialog(Dialog[Confidence | None]):
    """How sure are you? One key."""

    DEFAULT_CSS = """
    ConfidenceDialog.dialog-screen {
        align: center bottom;
        background: $background 20%;
    }
    ConfidenceDialog .dialog {
        width: 100%;
        max-width: 100%;
        padding: 0 1;
        border: tall $accent;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "choose(1)", "Sure", id="confidence.sure"),
        Binding("2", "choose(2)", "Unsure", id="confidence.unsure"),
        Binding("3", "choose(3)", "Guess", id="confidence.guess"),
        Binding("escape,enter", "choose(0)", "Skip", id="confidence.skip"),
    ]
    """1 sure, 2 unsure, 3 guess; escape or Enter skips."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.assemble(
                ("How sure are you? ", "bold"),
                ("1", "bold $accent"), " sure  ", ("2", "bold $accent"), " unsure  ",
                ("3", "bold $accent"), " guess", ("   (esc skips)", "dim")),
                id="confidence-question")

    def action_choose(self, level: int) -> None:
        """Dismiss with the level (0: skipped)."""
        self.dismiss(Confidence(level) if level else None)


class ErrorTagDialog(Dialog[tuple[ErrorTag, str] | None]):
    """Why was it wrong? One key; a comment for "disagree with the key"."""

    DEFAULT_CSS = """
    ErrorTagDialog.dialog-screen {
        align: center bottom;
        background: $background 20%;
    }
    ErrorTagDialog .dialog {
        width: 100%;
        max-width: 100%;
        padding: 0 1;
        border: tall $accent;
    }
    ErrorTagDialog Input {
        display: none;
    }
    ErrorTagDialog.commenting Input {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tag('not_known')", "Did not know", id="error_tag.not_known"),
        Binding("2", "tag('misread')", "Misread", id="error_tag.misread"),
        Binding("3", "tag('reasoning')", "Reasoning", id="error_tag.reasoning"),
        Binding("4", "tag('slip')", "Slip", id="error_tag.slip"),
        Binding("5", "tag('disagree')", "Disagree", id="error_tag.disagree"),
        Binding("escape", "cancel", "Cancel", id="error_tag.cancel"),
    ]
    """1–5 tag the miss; escape cancels."""

    def __init__(self, current: ErrorTag | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        lines: list[Content | str | tuple[str, str]] = [
            ("Why was it wrong? ", "bold"), ("(optional — esc cancels)", "dim")]
        for tag in ErrorTag:
            mark = " ◀ now" if tag is self.current else ""
            lines += ["\n", (f"{tag.key}", "bold $accent"), f" {tag.label}",
                      (mark, "dim")]
        with Vertical(classes="dialog"):
            yield Static(Content.assemble(*lines), id="error-tag-question")
            yield Field(placeholder="Your comment for the educator (Enter saves)",
                        max_length=COMMENT_MAX, id="error-comment", compact=True,
                        disabled=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the comment is typed, digits are text, not tags."""
        return not (action == "tag" and self.has_class("commenting"))

    def action_tag(self, value: str) -> None:
        """Dismiss with the tag, or ask for the comment of a disagreement."""
        tag = ErrorTag(value)
        if tag is not ErrorTag.DISAGREE:
            self.dismiss((tag, ""))
            return
        self.add_class("commenting")
        self.query_one("#error-tag-question", Static).update(Content.assemble(
            ("Disagree with the key: ", "bold"),
            "say why in a line, for the educator (Enter saves, may be empty; esc cancels)."))
        self._start_comment()

    def _start_comment(self) -> None:
        """Focus an empty comment field at once (`set_focus`, not the deferred `focus()`):
        keys typed straight after the tag's, queued before a deferred focus landed, fell on
        the dialog and were lost. (The key that chose the tag is spent: it is not typed.)"""
        field = self.query_one(Input)
        field.disabled = False
        field.value = ""
        self.set_focus(field)

    @on(Input.Submitted, "#error-comment")
    def _comment(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss((ErrorTag.DISAGREE, event.value))

    def action_cancel(self) -> None:
        """Leave without tagging."""
        self.dismiss(None)
