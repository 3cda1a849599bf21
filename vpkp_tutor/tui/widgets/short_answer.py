"""The short answer: a text field answered on Enter; after answering, the key beside it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from vpkp_tutor.domain.model import ShortAnswer
from vpkp_tutor.domain.scoring import AnswerValue, ShortAnswerVerdict, Verdict
from vpkp_tutor.tui.widgets.answer_base import AnswerInput
from vpkp_tutor.tui.widgets.text import literal

NOTHING_TYPED = "Type an answer, then Enter."
MAX_ANSWER_CHARS = 200
"""Longest answer the field takes (accepted answers are words or short phrases)."""


class ShortAnswerInput(AnswerInput[ShortAnswer], can_focus=False):
    """A word or phrase typed in a field."""

    HINT = "Type the answer · Enter answers · Tab leaves the field"

    DEFAULT_CSS = """
    ShortAnswerInput Input {
        width: 1fr;
        max-width: 60;
    }
    ShortAnswerInput .short-key {
        height: auto;
    }
    """

    def load(self, question: ShortAnswer) -> None:
        super().load(question)
        self._initial = ""
        self.HINT = ("Type the answer (letter case counts) · Enter answers · Tab leaves the field"
                     if question.case_sensitive else type(self).HINT)
        field = self._field()
        if field is not None:
            field.value = ""
            field.disabled = False
            self.query_one(".short-key", Static).update("")

    def compose(self) -> ComposeResult:
        yield Input(self._initial, placeholder="your answer", id="text",
                    max_length=MAX_ANSWER_CHARS, select_on_focus=False)
        yield Static(classes="short-key")

    @property
    def input(self) -> Input:
        """The text field."""
        return self.query_one("#text", Input)

    def _field(self) -> Input | None:
        return next(iter(self.query("#text").results(Input)), None)

    @property
    def focus_target(self) -> Widget:
        """The text field."""
        return self.input

    def focus(self, scroll_visible: bool = True) -> ShortAnswerInput:
        """Focus the text field."""
        self.input.focus(scroll_visible)
        return self

    @property
    def value(self) -> AnswerValue:
        field = self._field()
        text = field.value if field is not None else self._initial
        return text if text.strip() else None

    def set_value(self, answer: AnswerValue) -> None:
        if isinstance(answer, str):
            self._initial = answer
            field = self._field()
            if field is not None:
                field.value = answer

    def freeze(self) -> None:
        super().freeze()
        field = self._field()
        if field is not None:
            field.disabled = True

    def thaw(self) -> None:
        super().thaw()
        field = self._field()
        if field is not None:
            field.disabled = False

    def reveal(self, verdict: Verdict) -> None:
        super().reveal(verdict)
        if not isinstance(verdict, ShortAnswerVerdict):
            return
        ok = verdict.right
        mark = ("✓ " if ok else ("◐ " if verdict.score.points > 0 else "✗ "),
                "bold $success" if ok else "bold $error")
        shown = ("accepted: ", self.question.answers[verdict.matched].text) if ok and (
            verdict.matched is not None) else ("key: ", verdict.best)
        self.query_one(".short-key", Static).update(
            Content.assemble(mark, shown[0], literal(shown[1], "bold")))

    def missing_reason(self) -> str:
        return NOTHING_TYPED

    def accept_char(self, char: str) -> bool:
        """Typed while the field is not focused: focus it and type there."""
        if self.frozen or not char.isprintable() or char.isspace():
            return False
        self.input.focus()
        self.input.insert_text_at_cursor(char)
        return True

    @on(Input.Submitted, "#text")
    def _text_submitted(self, event: Input.Submitted) -> None:
        """Enter answers, or (`Incomplete`) the hint says nothing was typed."""
        event.stop()
        self.action_answer()

    @on(Input.Changed, "#text")
    def _text_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.frozen:
            self.post_message(self.Changed(self.question.id))
