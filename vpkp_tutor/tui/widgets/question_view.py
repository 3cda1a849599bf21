"""One question on screen: the stem (Markdown, see `prose`), the answer input, a key hint and, once
answered, the feedback.

The view never scores or stores anything: the answer input posts `AnswerInput.Submitted`,
which bubbles to the screen; the screen calls services and then `show_feedback()`.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from vpkp_tutor.domain.model import Question, Score
from vpkp_tutor.domain.scoring import AnswerValue, judge
from vpkp_tutor.tui.widgets.answers import AnswerInput, input_class, make_answer_input
from vpkp_tutor.tui.widgets.confidence_note import ConfidenceNote
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.prose import Prose, paragraphs, prose


def _discard(widget: Widget) -> None:
    """Hide `widget` at once and remove it in the background (once)."""
    if widget.display:
        widget.display = False
        widget.remove()


class QuestionView(Vertical):
    """Stem, answer input, hint and feedback of one question."""

    DEFAULT_CSS = """
    QuestionView {
        height: auto;
        margin-bottom: 1;
    }
    QuestionView .question-heading {
        height: auto;
    }
    QuestionView .hint {
        height: auto;
        margin-top: 0;
    }
    """

    def __init__(
        self,
        question: Question,
        *,
        answer: AnswerValue = None,
        heading: Content | None = None,
        id: str | None = None,
        classes: str = "",
        seed: str = "",
    ) -> None:
        super().__init__(id=id, classes=f"question-view {classes}".strip())
        self.question = question
        self.initial_answer = answer
        self.heading = heading
        self._warned = False
        self.seed = seed
        """Passed to the answer inputs (`AnswerInput.seed`): the quiz attempt's id."""
        self.input: AnswerInput[Any] = make_answer_input(question, seed=seed)
        self._set_aside: dict[type[AnswerInput[Any]], AnswerInput[Any]] = {}
        """Hidden inputs of the other kinds shown in this view, one per kind: moving among
        quiz items of mixed kinds re-targets them instead of mounting a new input each time
        (and leaving the old one to the garbage collector)."""
        if answer is not None:
            self.input.set_value(answer)

    def compose(self) -> ComposeResult:
        if self.heading is not None:
            yield Static(self.heading, classes="question-heading")
        yield prose(self.question.stem, classes="stem")
        yield Static(Content.styled(self.input.hint, "dim italic"), classes="hint")
        yield self.input

    def on_mount(self) -> None:
        if self.initial_answer is not None:
            self.input.set_value(self.initial_answer)

    async def show_question(self, question: Question, *, answer: AnswerValue = None) -> None:
        """Show another question in this view, reusing its widgets: the stem and hint are
        updated in place and an input of the right kind is re-targeted, so moving between
        quiz items mounts nothing in the common case (an input of another kind shown before is
        shown again, re-targeted). Widgets that go (feedback, a stem of another form) are
        hidden at once and removed in the background; an input of another kind is hidden
        and kept."""
        self.question = question
        self.initial_answer = answer
        for old in self.query_children(FeedbackView):
            _discard(old)
        stem = next(w for w in self.query_children(".stem") if w.display)
        content = paragraphs(question.stem)
        if isinstance(stem, Prose) and content is not None:
            stem.update(content)
        else:
            _discard(stem)
            await self.mount(prose(question.stem, classes="stem"), before=self.query_one(".hint"))
        kind = input_class(question)
        if type(self.input) is kind:
            self.input.retarget(question, answer, seed=self.seed)
        else:
            old_input = self.input
            kept = self._set_aside.pop(kind, None)
            if kept is not None:  # an input of this kind was shown before: shown again
                kept.retarget(question, answer, seed=self.seed)
                kept.display = True
                self.input = kept
            else:
                self.input = make_answer_input(question, seed=self.seed)
                if answer is not None:
                    self.input.set_value(answer)
                await self.mount(self.input, after=old_input)
            if old_input.has_focus_within:  # hand focus over before the old input hides
                self.focus_answer()
            old_input.display = False
            old_input.set_aside()
            self._set_aside[type(old_input)] = old_input
        hint = self.query_one(".hint", Static)
        hint.update(Content.styled(self.input.hint, "dim italic"))
        hint.display = True
        self._warned = False

    def on_answer_input_incomplete(self, event: AnswerInput.Incomplete) -> None:
        """Say what is missing in the hint line (until the answer changes)."""
        event.stop()
        self._warned = True
        self.query_one(".hint", Static).update(Content.styled(event.reason, "bold $warning"))

    def on_answer_input_changed(self, event: AnswerInput.Changed) -> None:
        """Once the answer changes after a warning, the hint shows the keys again."""
        event.stop()
        if self._warned and event.question_id == self.question.id:
            self._warned = False
            self._show_hint()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The keys may depend on where the focus is (a short answer's field)."""
        self._show_hint()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """As `on_descendant_focus`: the focus left for another place."""
        self._show_hint()

    def _show_hint(self) -> None:
        """The answer's key hint, unless a warning is showing (it stays until the answer
        changes); nothing is redrawn when the hint is the one shown (most focus changes)."""
        hint = self.query_one(".hint", Static)
        if not self._warned and hint.content != (
                shown := Content.styled(self.input.hint, "dim italic")):
            hint.update(shown)

    def bring_verdict_into_view(self) -> None:
        """Scroll the verdict into view with the note under it (how sure, why it was wrong),
        so a reason just given is seen where it is kept."""
        notes = [n for n in self.query(ConfidenceNote) if n.display]
        (notes[-1] if notes else self.query_one(".verdict")).scroll_visible(animate=False)

    def focus_answer(self) -> None:
        """Put the keyboard focus on the answer input (at once when it is mounted, so focus
        never passes through another widget on the way)."""
        target = self.input.focus_target
        if target.is_mounted:
            self.screen.set_focus(target)
        else:
            target.focus()

    async def show_feedback(self, score: Score | None, *, reveal: bool = True) -> None:
        """Lock the input, mark the key and show the explanations."""
        verdict = judge(self.question, self.input.shown)
        if reveal:
            self.input.reveal(verdict)
        else:
            self.input.freeze()
        self.query_one(".hint", Static).display = False
        for old in self.query(FeedbackView):
            await old.remove()
        view = FeedbackView(self.question, verdict, score)
        await self.mount(view)

    def freeze(self) -> None:
        """Stop accepting changes without showing feedback (exam mode after submission)."""
        self.input.freeze()
