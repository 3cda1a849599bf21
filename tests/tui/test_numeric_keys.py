"""A number field at 80×24: the quiz's letter keys work on an empty field; once a number is
begun, a unit typed after it ("24 vertebrae") is neither typed nor taken as those keys."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.bank import NUMERIC, SINGLE
from tests.tui.conftest import MakeApp
from tests.tui.helpers import exam_at, hint_text, quiz_key, settle, start_quiz
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.widgets.feedback import FeedbackView


async def test_a_unit_typed_after_the_number_is_not_a_quiz_key(make: MakeApp) -> None:
    app = make(content=ContentBank(questions=(SINGLE, NUMERIC), fingerprint="numeric-keys"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, NUMERIC)
        at = quiz.index
        field = app.focused
        assert isinstance(field, Input) and field.value == ""
        await pilot.press("m")  # an empty field leaves the quiz's keys alone: m flags
        await settle(pilot)
        assert NUMERIC.id in quiz.flags
        await pilot.press("m")
        await settle(pilot)
        assert not quiz.flags
        # "24 vertebrae": the letters hold p, s, m… back from the quiz and are not typed
        await pilot.press(*"24 vertebrae")
        await settle(pilot)
        assert field.value == "24" and app.screen is quiz and quiz.index == at
        assert not quiz.flags and not quiz.finished and quiz.answers == {}
        assert "Just the number — vertebrae is given beside it" in hint_text(quiz)
        await pilot.press(*"3 patients")  # (s, t, p: no submit, no move)
        await settle(pilot)
        assert field.value == "243" and app.screen is quiz and quiz.index == at
        await pilot.press("backspace")  # the number changes: the hint shows the keys again
        await settle(pilot)
        assert "Just the number" not in hint_text(quiz)
        await pilot.press("enter")
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 24.0


async def test_a_large_number_comes_back_as_typed(make: MakeApp) -> None:
    """1234567 answered, then shown again (its feedback, and its field on coming back to
    the item): every digit, never 1.23457e+06, which the field would read back as 1234570."""
    app = make(content=ContentBank(questions=(SINGLE, NUMERIC), fingerprint="numeric-keys"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, NUMERIC)
        await pilot.press(*"1234567", "enter")
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 1234567.0
        await quiz_key(pilot, "p" if quiz.index else "n")  # away, and back
        await settle(pilot)
        await quiz_key(pilot, "n" if quiz.index == 0 else "p")
        await settle(pilot)
        assert quiz.question.id == NUMERIC.id
        field = app.focused
        assert isinstance(field, Input) and field.value == "1234567"
        await pilot.press("enter")  # answered again as shown: the same number
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 1234567.0
        # the feedback of a tutor quiz says it the same way
        await quiz_key(pilot, "escape")
        await settle(pilot)
        app.services.abandon_attempt(quiz.attempt.id)
        tutor = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        while tutor.question.id != NUMERIC.id:
            await quiz_key(pilot, "n")
            await settle(pilot)
        await pilot.press(*"1234567", "enter")
        await settle(pilot)
        notes = " ".join(str(s.render()) for s in tutor.query_one(FeedbackView).query("Static"))
        assert "Your answer: 1234567 vertebrae" in notes


async def test_an_answered_number_shown_again_leaves_the_quiz_keys_alone(
        make: MakeApp) -> None:
    """Back on an answered numeric item of an exam, its number is shown in the field: n, p
    and m work as on any item until the number is changed (then the unit rule applies)."""
    app = make(content=ContentBank(questions=(SINGLE, NUMERIC), fingerprint="numeric-keys"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, NUMERIC)
        at = quiz.index
        await pilot.press("2", "4", "enter")
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 24.0
        away, back = ("p", "n") if at else ("n", "p")
        if quiz.index == at:  # (the last item keeps its place after the answer)
            await quiz_key(pilot, away)
            await settle(pilot)
        await quiz_key(pilot, back)  # back on the item, its number shown again
        await settle(pilot)
        assert quiz.index == at
        field = app.focused
        assert isinstance(field, Input) and field.value == "24"
        await pilot.press("m")  # flags, as on any item
        await settle(pilot)
        assert NUMERIC.id in quiz.flags and field.value == "24"
        await pilot.press(away)  # and moves
        await settle(pilot)
        assert quiz.index != at
        await quiz_key(pilot, back)
        await settle(pilot)
        field = app.focused
        assert isinstance(field, Input) and quiz.index == at
        await pilot.press("end", "backspace", "5", *" vertebrae")  # changed: the unit is held back
        await settle(pilot)
        assert field.value == "25" and quiz.index == at
        assert "Just the number" in hint_text(quiz)
