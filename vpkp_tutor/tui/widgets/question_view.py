"""One question on screen: the stem (Markdown), the answer input, a key hint and, once
answered, the feedback.

The view never scores or stores anything: the answer input posts `AnswerInput.Submitted`,
which bubbles to the screen; the screen calls services and then `show_feedback()`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from vpkp_tutor.domain.model import Question, Score
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.tui.widgets.answers import AnswerInput, make_answer_input
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.markdown import SafeMarkdown


class QuestionView(Vertical):
    """Stem, answer input, hint and feedback of one question."""

    def __init__(
        self,
        question: Question,
        *,
        answer: AnswerValue = None,
        heading: Content | None = None,
        id: str | None = None,
        classes: str = "",
    ) -> None:
        super().__init__(id=id, classes=f"question-view {classes}".strip())
        self.question = question
        self.initial_answer = answer
        self.heading = heading
        self.input: AnswerInput = make_answer_input(question)
        if answer is not None:
            self.input.set_value(answer)

    def compose(self) -> ComposeResult:
        if self.heading is not None:
            yield Static(self.heading, classes="question-heading")
        yield SafeMarkdown(self.question.stem, classes="stem")
        yield Static(Content.styled(self.input.HINT, "dim italic"), classes="hint")
        yield self.input

    def on_mount(self) -> None:
        if self.initial_answer is not None:
            self.input.set_value(self.initial_answer)

    def on_answer_input_incomplete(self, event: AnswerInput.Incomplete) -> None:
        """Say what is missing in the hint line."""
        event.stop()
        self.query_one(".hint", Static).update(Content.styled(event.reason, "bold $warning"))

    def focus_answer(self) -> None:
        """Put the keyboard focus on the answer input."""
        self.input.focus()

    async def show_feedback(self, score: Score | None, *, reveal: bool = True) -> None:
        """Lock the input, mark the key and show the explanations."""
        if reveal:
            self.input.reveal()
        else:
            self.input.freeze()
        self.query_one(".hint", Static).display = False
        for old in self.query(FeedbackView):
            await old.remove()
        view = FeedbackView(self.question, self.input.value, score)
        await self.mount(view)

    def freeze(self) -> None:
        """Stop accepting changes without showing feedback (exam mode after submission)."""
        self.input.freeze()
