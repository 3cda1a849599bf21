"""A short-answer item answered by keyboard at 80×24: typed, Enter, recorded and explained."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.tui.conftest import MakeApp
from tests.tui.helpers import hint_text, settle, start_quiz
from vpkp_tutor.domain.model import AcceptedAnswer, ContentBank, Difficulty, ShortAnswer
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.short_answer import ShortAnswerInput

SHORT = ShortAnswer(
    id="q-short", topic="anatomy", objectives=("anat.one",),
    difficulty=Difficulty.EASY, stem="Which bony corridor does the needle follow?",
    explanation="The transpedicular route.", references=("Anatomy reference",),
    answers=(AcceptedAnswer("pedicle"), AcceptedAnswer("lamina", 0.25, "Close, but no.")),
)


async def test_short_answer_typed_and_scored_in_tutor_mode(make: MakeApp) -> None:
    app = make(content=ContentBank(questions=(SHORT,), fingerprint="short"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=1, seed=1))
        widget = quiz.query_one(ShortAnswerInput)
        field = widget.query_one("#text", Input)
        assert app.focused is widget  # the quiz's keys work on arrival
        assert "Enter, then type the answer" in hint_text(quiz)
        await pilot.press("enter")  # into the field
        await settle(pilot)
        assert app.focused is field
        await pilot.press("enter")  # nothing typed: said, nothing recorded
        await settle(pilot)
        assert "Type an answer" in hint_text(quiz)
        assert SHORT.id not in quiz.answers
        await pilot.press(*"  Pen", "escape")  # Escape leaves the field, not the quiz
        await settle(pilot)
        assert app.focused is widget and quiz.is_current and field.value == "  Pen"
        await pilot.press("enter", "backspace", *"dicle", "enter")  # back in, edit, answer
        await settle(pilot)
        assert quiz.answers[SHORT.id] == "  Pedicle"
        (row,) = app.services.store.responses(app.learner.id)  # type: ignore[union-attr]
        assert row.answer == "  Pedicle" and row.correct  # stored as typed, scored trimmed
        assert field.disabled
        assert "accepted: pedicle" in str(widget.query_one(".short-key", Static).render())
        notes = " ".join(str(s.render()) for s in quiz.query_one(FeedbackView).query(Static))
        assert "Correct" in notes and "Your answer:" in notes and "25% credit" in notes
