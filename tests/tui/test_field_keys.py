"""A field's own keys (Backspace, the arrows) sent in one burst with characters act in the
order they were typed: Textual runs such keys as bindings once they have bubbled up, after
the characters sent with them were typed, so Backspace then 8 over "6" left "6", and a
corrected digit of a numeric answer went in before the one it replaced was deleted."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.bank import NUMERIC
from tests.tui.conftest import MakeApp
from tests.tui.helpers import burst, exam_at, settle
from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen


async def test_backspace_and_a_digit_together_in_the_builder(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QuizBuilderScreen)
        count = app.screen.query_one("#count", Input)
        count.focus()
        await settle(pilot)
        count.cursor_position = len(count.value)
        burst(app, "backspace", "backspace", "8")  # "10" → "8"
        await settle(pilot)
        assert count.value == "8"
        burst(app, "left", "2")  # before the 8
        await settle(pilot)
        assert count.value == "28"


async def test_a_numeric_answer_corrected_in_one_burst(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, NUMERIC)
        burst(app, "2", "5", "backspace", "4", "enter")
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 24.0
