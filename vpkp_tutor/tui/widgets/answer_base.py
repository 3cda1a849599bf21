"""The base of the answer inputs: `AnswerRow` (marker + literal text) and `AnswerInput`
(cursor, freezing, revealing the key, and the `Submitted`/`Incomplete` messages).

Inputs never call services: the screen handles their messages.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from vpkp_tutor.domain.model import Question
from vpkp_tutor.domain.scoring import AnswerValue


class AnswerRow(Horizontal):
    """One line of an answer input: a marker column and the literal text."""

    def __init__(self, index: int, text: Content, *, right: Content | None = None) -> None:
        super().__init__(classes="answer-row")
        self.index = index
        self._text = text
        self._right = right

    def compose(self) -> ComposeResult:
        yield Static(classes="marker")
        yield Static(self._text, classes="row-text")
        if self._right is not None:
            yield Static(self._right, classes="row-right")

    def set_marker(self, marker: Content | str) -> None:
        """Show `marker` in the marker column."""
        self.query_one(".marker", Static).update(marker)

    def set_right(self, right: Content) -> None:
        """Show `right` in the right-hand column (matching)."""
        self.query_one(".row-right", Static).update(right)

    def on_click(self, event: events.Click) -> None:
        """A click picks the row."""
        parent = self.parent
        if isinstance(parent, AnswerInput):
            event.stop()
            parent.focus()
            parent.pick_row(self.index)


class AnswerInput(Widget, can_focus=True):
    """Base class of the answer inputs."""

    HINT = ""
    """One line telling the learner which keys work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("enter", "answer", "Answer", id="answer.submit"),
    ]
    """Cursor movement and submission; subclasses add their own keys."""

    class Submitted(Message):
        """The learner pressed Enter with an answer."""

        def __init__(self, question_id: str, answer: AnswerValue) -> None:
            super().__init__()
            self.question_id = question_id
            """The question answered."""
            self.answer = answer
            """The answer, in the shape `domain.scoring` documents."""

    class Incomplete(Message):
        """The learner pressed Enter without an answer to submit."""

        def __init__(self, question_id: str, reason: str) -> None:
            super().__init__()
            self.question_id = question_id
            self.reason = reason
            """What is missing."""

    def __init__(self, question: Question, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="answer-input")
        self.question = question
        self.cursor = 0
        self.frozen = False
        self._revealed = False

    # -- state -------------------------------------------------------------------------
    @property
    def value(self) -> AnswerValue:
        """The answer as built so far (None when nothing is chosen)."""
        raise NotImplementedError

    def set_value(self, answer: AnswerValue) -> None:
        """Show a stored answer (resume, review)."""
        raise NotImplementedError

    def freeze(self) -> None:
        """Stop accepting changes (after a tutor answer or in review)."""
        self.frozen = True
        self.add_class("-frozen")
        self.refresh_rows()

    def thaw(self) -> None:
        """Accept changes again."""
        self.frozen = False
        self._revealed = False
        self.remove_class("-frozen")
        self.refresh_rows()

    def reveal(self) -> None:
        """Lock and mark the key beside the learner's answer."""
        self._revealed = True
        self.freeze()

    # -- rows --------------------------------------------------------------------------
    @property
    def rows(self) -> list[AnswerRow]:
        """The rows, in display order."""
        return list(self.query(AnswerRow))

    def refresh_rows(self) -> None:
        """Redraw markers and the cursor."""
        for row in self.rows:
            row.set_class(row.index == self.cursor and not self.frozen, "-cursor")

    def pick_row(self, index: int) -> None:
        """A row was clicked."""
        self.cursor = index
        self.refresh_rows()

    def on_mount(self) -> None:
        self.refresh_rows()

    def action_cursor(self, delta: int) -> None:
        """Move the cursor; when locked, let the container scroll instead."""
        count = len(self.rows)
        if self.frozen or not count:
            for ancestor in self.ancestors:
                if isinstance(ancestor, ScrollableContainer):
                    ancestor.scroll_relative(y=delta, animate=False)
                    break
            return
        self.cursor = (self.cursor + delta) % count
        self.refresh_rows()
        self.rows[self.cursor].scroll_visible(animate=False)

    def action_answer(self) -> None:
        """Post the answer, or say what is missing."""
        if self.frozen:
            return
        answer = self.value
        if answer is None:
            self.post_message(self.Incomplete(self.question.id, self.missing_reason()))
            return
        self.post_message(self.Submitted(self.question.id, answer))

    def missing_reason(self) -> str:
        """Why Enter did not submit."""
        return "Choose an answer first."

    def accept_char(self, char: str) -> bool:
        """Handle a typed character (a letter or digit choosing something); True if used."""
        return False

    def on_key(self, event: events.Key) -> None:
        """Letters and digits go to `accept_char`."""
        if event.character and self.accept_char(event.character):
            event.stop()
            event.prevent_default()

    def changed(self) -> None:
        """Redraw after the answer changed."""
        self.refresh_rows()
