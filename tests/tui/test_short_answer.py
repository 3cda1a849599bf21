"""A short-answer item answered by keyboard at 80×24: typed, Enter, recorded and explained."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.tui.conftest import MakeApp
from tests.tui.helpers import exam_at, hint_text, settle, start_quiz
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
        assert app.focused is field  # on arrival, what is typed is the answer
        assert "Type the answer" in hint_text(quiz)
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


async def test_a_word_typed_on_arrival_is_the_answer_never_the_quiz_keys(make: MakeApp) -> None:
    """Typed straight away, "kyphoplasty" goes into the field: its `p` does not go back an
    item, its `s` does not open Submit, nor does its `y` then submit the quiz. Escape leaves
    the field for the quiz's keys; Enter goes back in."""
    from tests.tui.bank import SINGLE

    app = make(content=ContentBank(questions=(SINGLE, SHORT), fingerprint="short-two"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, SHORT)
        arrived = quiz.index
        field = quiz.query_one(ShortAnswerInput).query_one("#text", Input)
        assert app.focused is field
        await pilot.press(*"kyphoplasty")
        await settle(pilot)
        assert field.value == "kyphoplasty"
        assert app.screen is quiz and not quiz.finished and quiz.index == arrived
        assert not quiz.flags and quiz.answers == {}
        await pilot.press("escape")  # out of the field: the quiz's keys work
        await settle(pilot)
        assert app.focused is quiz.query_one(ShortAnswerInput)
        await pilot.press("m")
        await settle(pilot)
        assert SHORT.id in quiz.flags and field.value == "kyphoplasty"
        await pilot.press("enter", "backspace", "enter")  # back in, edit, answer
        await settle(pilot)
        assert quiz.answers[SHORT.id] == "kyphoplast"


async def test_home_keeps_its_keys_after_a_quiz_left_from_a_short_answer(
        make: MakeApp) -> None:
    """While a short answer's field has the keys, `?` is typed there, not help; Home, under
    the quiz, keeps showing `?` for help and is not rebuilt meanwhile."""
    from textual.widgets._footer import FooterKey

    from vpkp_tutor.tui.screens.home import HomeScreen

    app = make(content=ContentBank(questions=(SHORT,), fingerprint="short"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        keys = list(home.query(FooterKey))
        assert "question_mark" in [k.key for k in keys]
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=1, seed=1))
        assert isinstance(app.focused, Input)
        assert "question_mark" not in [k.key for k in quiz.query(FooterKey)]  # typed here
        assert list(home.query(FooterKey)) == keys  # not rebuilt behind the quiz
        await pilot.press("escape", "escape")  # out of the field, out of the quiz
        await settle(pilot)
        assert app.screen is home
        assert "question_mark" in [k.key for k in home.query(FooterKey)]
