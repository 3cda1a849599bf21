"""A number field at 80×24: the quiz's letter keys work on an empty field; once a number is
begun, a unit typed after it ("24 vertebrae") is neither typed nor taken as those keys."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.bank import NUMERIC, SINGLE
from tests.tui.conftest import MakeApp
from tests.tui.helpers import exam_at, hint_text, settle
from vpkp_tutor.domain.model import ContentBank


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
