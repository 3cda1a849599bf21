"""The base of the answer inputs: `AnswerInput` (cursor, freezing, revealing the key, and the
`Submitted`/`Incomplete` messages) and `RowsAnswer`, an input drawn as rows — a marker
column, the literal text, optionally a right-hand column — in a single widget.

One widget rather than a widget per row and per column keeps showing a question cheap: on
every key press that moves to another item the quiz re-draws an input (re-targeted to the
item, one kept per kind: `retarget`, `set_aside`). Rows wrap with a
hanging indent under their text; the cursor row, a chosen row's text, the right-hand column
and a legend are styled by component classes (`answer-input--cursor` and so on, in
`AnswerInput.DEFAULT_CSS`), so themes apply as usual.

Inputs never call services: the screen handles their messages.

Enter takes the answer on screen at once, and the keys that arrive before the screen has
taken it (a fast typist's confidence key, or the next item's letter, sent with the Enter)
are held back, then handed on to wherever the focus is once it has (`hold`, `release`):
without that a key's binding runs only when the key has bubbled up, after the keys sent
with it have reached the input, so `b Enter 1` stored option A.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from vpkp_tutor.domain.model import Question
from vpkp_tutor.domain.scoring import AnswerValue, Verdict
from vpkp_tutor.tui.burst import runs_here
from vpkp_tutor.tui.widgets.field import Field

QuestionT = TypeVar("QuestionT", bound=Question)
"""The question type (or types) an input answers."""


class AnswerField(Field):
    """An `Input` inside an answer (a number, a short answer), let go when it is removed.

    `Input` subscribes to its screen's text-selection signal when mounted and never
    unsubscribes, and the signal's entry holds the field: every item with a field that the
    quiz showed stayed alive as long as the quiz screen did, and each full collection
    walked them all again. (Textual's footer unsubscribes the same way from its signal.)"""

    def on_unmount(self) -> None:
        self.screen.text_selection_started_signal.unsubscribe(self)

    @property
    def owner(self) -> AnswerInput[Question] | None:
        """The answer this field is part of."""
        return next((a for a in self.ancestors if isinstance(a, AnswerInput)), None)

    def held(self, event: events.Key) -> bool:
        """True when the key was held back: its answer was just posted (see the module
        doc)."""
        owner = self.owner
        return owner is not None and owner.hold(event)
    async def _on_key(self, event: events.Key) -> None:
        """Enter posts the answer at once (not when the key has bubbled up to the field's
        binding), and later keys wait until it is taken; others are typed as usual."""
        owner = self.owner
        if owner is not None and not owner.hold(event):
            owner.take_answer_key(event)


class AnswerInput(Widget, Generic[QuestionT], can_focus=True):
    """Base class of the answer inputs, for questions of type `QuestionT`."""

    HINT = ""
    """One line telling the learner which keys work."""

    DEFAULT_CSS = """
    AnswerInput {
        height: auto;
        padding: 0 1;
        border-left: outer $panel;
    }
    AnswerInput:focus-within, AnswerInput:focus {
        border-left: outer $accent;
    }
    AnswerInput > .answer-input--cursor {
        background: $boost;
    }
    AnswerInput:focus > .answer-input--cursor {
        background: $accent 30%;
    }
    AnswerInput > .answer-input--chosen {
        text-style: bold;
    }
    AnswerInput > .answer-input--right {
        color: $accent;
    }
    AnswerInput > .answer-input--legend {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("enter", "answer", "Answer", id="answer.submit"),
    ]
    """Cursor movement and submission; subclasses add their own keys."""

    class Submitted(Message):
        """The learner pressed Enter with an answer."""

        def __init__(self, control: AnswerInput[Any], answer: AnswerValue) -> None:
            super().__init__()
            self.input = control
            """The input that posted it: its handler calls `release` once the answer is
            taken (or refused)."""
            self.question_id = control.question.id
            """The question answered."""
            self.answer = answer
            """The answer, in the shape `domain.scoring` documents."""

        @property
        def control(self) -> AnswerInput[Any]:
            """The input that posted it (Textual's name for it in its own messages)."""
            return self.input

    class Incomplete(Message):
        """The learner pressed Enter without an answer to submit."""

        def __init__(self, question_id: str, reason: str) -> None:
            super().__init__()
            self.question_id = question_id
            self.reason = reason
            """What is missing."""

    class Changed(Message):
        """The answer being built changed (not just the cursor)."""

        def __init__(self, question_id: str) -> None:
            super().__init__()
            self.question_id = question_id
            """The question whose answer changed."""

    def __init__(self, question: QuestionT, *, id: str | None = None, seed: str = "") -> None:
        self._last_value: AnswerValue = None
        self._held: list[events.Key] | None = None
        """Keys that arrived since an answer was posted, until it is taken (`release`)."""
        super().__init__(id=id, classes="answer-input")
        self.seed = seed
        """What makes a shuffled starting state differ between attempts (the attempt id);
        the same seed and question always start the same way."""
        self.question = question
        self.cursor = 0
        self.frozen = False
        self.verdict: Verdict | None = None
        """Once revealed: the domain's verdict on the answer shown, which the rows render."""
        self.load(question)

    def load(self, question: QuestionT) -> None:
        """Take `question` with no answer: subclasses set up their state for it here."""
        self._last_value = None
        self.question = question
        self.cursor = 0
        self.frozen = False
        self.verdict = None

    def retarget(
        self, question: QuestionT, answer: AnswerValue = None, *, seed: str | None = None
    ) -> None:
        """Show another question of the same kind (one this input class is made for, see
        `answers.input_class`) without remounting: state is reset, then `answer` shown."""
        if seed is not None:
            self.seed = seed
        self.load(question)
        self.remove_class("-frozen")
        if answer is not None:
            self.set_value(answer)
        self.changed()

    def set_aside(self) -> None:
        """Hidden, to be re-targeted when an item of its kind comes again (`QuestionView`):
        stop anything still running. Nothing to stop by default."""

    @property
    def focus_target(self) -> Widget:
        """The widget that takes the keyboard focus for this input."""
        return self

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
        self.changed()

    def thaw(self) -> None:
        """Accept changes again."""
        self.frozen = False
        self.verdict = None
        self.remove_class("-frozen")
        self.changed()

    @property
    def shown(self) -> AnswerValue:
        """The answer on screen, as judged when revealed: `value`, except where the input
        shows a starting state that is not yet an answer (an ordering's first order)."""
        return self.value

    def reveal(self, verdict: Verdict) -> None:
        """Lock and mark the key beside the learner's answer, as `verdict` (the domain's
        judgement of `shown`) says."""
        self.verdict = verdict
        self.freeze()

    # -- rows --------------------------------------------------------------------------
    def row_count(self) -> int:
        """Rows the cursor moves over (none in the base class)."""
        return 0

    def changed(self) -> None:
        """Redraw after the answer, the cursor or the state changed."""
        self.note_change()
        self.refresh()

    def note_change(self) -> None:
        """Post `Changed` when the answer differs from the one last noted."""
        value = self.value
        if value != self._last_value:
            self._last_value = value
            self.post_message(self.Changed(self.question.id))

    def pick_row(self, index: int) -> None:
        """A row was clicked."""
        self.cursor = index
        self.changed()

    def scroll_to_row(self, index: int) -> None:
        """Scroll the row at `index` into view (rows answers only)."""

    def action_cursor(self, delta: int) -> None:
        """Move the cursor; when locked, let the container scroll instead."""
        count = self.row_count()
        if self.frozen or not count:
            for ancestor in self.ancestors:
                if isinstance(ancestor, ScrollableContainer):
                    ancestor.scroll_relative(y=delta, animate=False)
                    break
            return
        self.cursor = (self.cursor + delta) % count
        self.changed()
        self.scroll_to_row(self.cursor)

    def action_answer(self) -> None:
        """Post the answer, or say what is missing."""
        self.post_answer()

    def post_answer(self) -> None:
        """Post the answer on screen now, holding the keys that follow until it is taken;
        or say what is missing."""
        if self.frozen or self._held is not None:
            return
        answer = self.value
        if answer is None:
            self.post_message(self.Incomplete(self.question.id, self.missing_reason()))
            return
        self._held = []
        self.post_message(self.Submitted(self, answer))

    def take_answer_key(self, event: events.Key) -> bool:
        """Act at once on the key that answers (Enter, unless a keymap moved it) where the
        focus is now: in this input, or in its field. True when it did (the event is
        stopped)."""
        focused = self.screen.focused
        if isinstance(focused, AnswerField) and focused.owner is self:
            act = self.post_answer if runs_here(focused, event.key, "submit") else None
        else:
            act = self.action_answer if runs_here(self, event.key, "answer") else None
        if act is None:
            return False
        event.stop()
        event.prevent_default()  # (not a character for `accept_char` either)
        act()
        return True

    def hold(self, event: events.Key) -> bool:
        """Keep a key back while a posted answer waits to be taken. True when held."""
        if self._held is None:
            return False
        event.stop()
        event.prevent_default()
        self._held.append(event)
        return True

    def release(self) -> None:
        """The posted answer was taken (or refused): the keys held back go on, in order, to
        wherever the focus is now (a confidence question, the next item)."""
        held, self._held = self._held or [], None
        for event in held:
            self.app.post_message(events.Key(event.key, event.character))

    @property
    def hint(self) -> str:
        """The key hint to show under the answer now (`HINT`, unless the keys depend on
        where the focus is)."""
        return self.HINT

    def missing_reason(self) -> str:
        """Why Enter did not submit."""
        return "Choose an answer first."

    def accept_char(self, char: str) -> bool:
        """Handle a typed character (a letter or digit choosing something); True if used."""
        return False

    def on_key(self, event: events.Key) -> None:
        """Enter answers at once (see the module doc); letters and digits go to
        `accept_char`."""
        if self.hold(event) or self.take_answer_key(event):
            return
        if event.character and self.accept_char(event.character):
            event.stop()
            event.prevent_default()


class Row(NamedTuple):
    """One row of a `RowsAnswer`."""

    marker: Content
    """The marker column (choice box, position, ✓/✗)."""
    text: Content
    """The row's literal text."""
    right: Content | None = None
    """The right-hand column (matching), if any."""
    chosen: bool = False
    """Whether the row is chosen (its text is shown bold)."""


class RowsAnswer(AnswerInput[QuestionT]):
    """An answer input drawn as rows in one widget (see module doc)."""

    MARKER_WIDTH: ClassVar[int] = 7
    """Cells of the marker column."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "answer-input--cursor",
        "answer-input--chosen",
        "answer-input--right",
        "answer-input--legend",
    }
    """The cursor row, a chosen row's text, the right-hand column and the legend."""

    def __init__(self, question: QuestionT, *, id: str | None = None, seed: str = "") -> None:
        self._version = 0
        self._heights: tuple[tuple[int, int], int] | None = None
        self._row_lines: list[tuple[int, int]] = []
        super().__init__(question, id=id, seed=seed)

    def row(self, index: int) -> Row:
        """The row at display position `index`."""
        raise NotImplementedError

    def legend(self) -> Content | None:
        """Lines shown above the rows (matching's list of matches), if any."""
        return None

    def changed(self) -> None:
        self.note_change()
        self._version += 1
        self.refresh(layout=True)

    def row_span(self, index: int) -> tuple[int, int]:
        """First line and the line after the last of row `index`, within the content as
        last drawn."""
        if 0 <= index < len(self._row_lines):
            return self._row_lines[index]
        return (0, 0)

    # -- drawing -----------------------------------------------------------------------
    def _lines(self, width: int) -> tuple[list[Content], list[tuple[int, int]]]:
        width = max(width, self.MARKER_WIDTH + 2)
        marker_width = self.MARKER_WIDTH
        text_width = width - marker_width
        lines: list[Content] = []
        spans: list[tuple[int, int]] = []
        cursor_style = self.get_visual_style("answer-input--cursor", partial=True)
        chosen_style = self.get_visual_style("answer-input--chosen", partial=True)
        right_style = self.get_visual_style("answer-input--right", partial=True)
        legend = self.legend()
        if legend is not None:
            legend_style = self.get_visual_style("answer-input--legend", partial=True)
            lines.extend(line.stylize_before(legend_style) for line in legend.wrap(width))
            lines.append(Content(""))
        indent = Content(" " * marker_width)
        for index in range(self.row_count()):
            marker, text, right, chosen = self.row(index)
            if chosen:
                text = text.stylize_before(chosen_style)
            marker = marker.truncate(marker_width).extend_right(
                marker_width - min(marker.cell_length, marker_width)
            )
            if right is None:
                left_lines = text.wrap(text_width) or [Content("")]
                right_lines: list[Content] = []
                left_width = text_width
            else:
                left_width = (text_width + 1) // 2
                left_lines = text.wrap(left_width) or [Content("")]
                right_lines = right.stylize_before(right_style).wrap(text_width - left_width)
            first = len(lines)
            for n in range(max(len(left_lines), len(right_lines))):
                left = left_lines[n] if n < len(left_lines) else Content("")
                line = (marker if n == 0 else indent) + left.extend_right(
                    max(0, left_width - left.cell_length)
                )
                if n < len(right_lines):
                    line += right_lines[n]
                line = line.extend_right(max(0, width - line.cell_length))
                if index == self.cursor and not self.frozen:
                    line = line.stylize_before(cursor_style)
                lines.append(line)
            spans.append((first, len(lines)))
        return lines, spans

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Lines the rows take at `width`."""
        key = (width, self._version)
        if self._heights is not None and self._heights[0] == key:
            return self._heights[1]
        height = len(self._lines(width)[0])
        self._heights = (key, height)
        return height

    def render(self) -> Content:
        """The rows at the current width."""
        lines, self._row_lines = self._lines(self.content_size.width)
        return Content("\n").join(lines)

    # -- mouse and scrolling -----------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        """A click picks the row under the pointer."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for index, (first, end) in enumerate(self._row_lines):
            if first <= offset.y < end:
                event.stop()
                self.focus()
                self.pick_row(index)
                return

    def scroll_to_row(self, index: int) -> None:
        self.call_after_refresh(self._scroll_to_row, index)

    def _scroll_to_row(self, index: int) -> None:
        container = next(
            (a for a in self.ancestors if isinstance(a, ScrollableContainer)), None
        )
        if container is None or not self.is_mounted:
            return
        first, end = self.row_span(index)
        top = self.content_region.y + first
        bottom = self.content_region.y + end
        view = container.scrollable_content_region
        if top < view.y:
            container.scroll_relative(y=top - view.y, animate=False)
        elif bottom > view.bottom:
            container.scroll_relative(y=min(bottom - view.bottom, top - view.y), animate=False)
