"""A whole bundled lesson read and answered by keyboard at 80×24: after each check is
answered, the next unanswered check has the focus and the letters typed next land there —
even when the learner has tabbed back onto a check already answered."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widget import Widget

from tests.journeys.pilot import bundled, isolated_dirs, pilot_app  # noqa: F401  (fixtures)
from tests.tui.helpers import answer_correctly, settle
from vpkp_tutor.domain.model import QuestionType
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.dialogs.confidence import ConfidenceDialog
from vpkp_tutor.tui.screens.lesson import LessonScreen
from vpkp_tutor.tui.screens.library import LibraryScreen
from vpkp_tutor.tui.widgets.question_view import QuestionView


async def _focus(pilot: Pilot[None], app: VpkpApp, target: Widget, key: str) -> None:
    for _ in range(8):
        if app.focused is target:
            return
        await pilot.press(key)
        await settle(pilot)


async def test_a_whole_lesson_is_read_and_answered_by_keyboard(
    pilot_app: Callable[[], VpkpApp],  # noqa: F811
) -> None:
    app = pilot_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        lesson = screen.lesson
        answered = 0
        typed_from_an_answered_check = 0
        for step in range(len(lesson.steps)):
            assert screen.position == step
            views = list(screen.query(QuestionView))
            for i, view in enumerate(views):
                where = f"{lesson.id} step {step + 1} check {i + 1}"
                target = view.input.focus_target
                if i == 0:
                    await _focus(pilot, app, target, "tab")
                elif app.focused is not target:  # out of view after the last feedback:
                    assert not screen.in_view(view), f"{where} is on screen but not focused"
                    await pilot.press("enter")  # Enter goes to it (and brings it up)
                    await settle(pilot)
                assert app.focused is target, f"{where} does not have the focus"
                question = view.question
                if i > 0 and question.type in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
                    # back onto the check just answered: letters still go to this one
                    await _focus(pilot, app, views[i - 1].input.focus_target, "shift+tab")
                    assert app.focused is views[i - 1].input.focus_target
                    typed_from_an_answered_check += 1
                await answer_correctly(pilot, question, view.input)
                assert isinstance(app.screen, ConfidenceDialog), f"{where}: not asked how sure"
                await pilot.press("1")
                await settle(pilot)
                assert question.id in screen.answered, f"{where}: the answer went nowhere"
                assert screen.answered[question.id][1].correct, where
                answered += 1
            await pilot.press("n")
            await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert answered == sum(len(s.checks) for s in lesson.steps)
        assert typed_from_an_answered_check > 0
        progress = app.services.lesson_progress(app.learner.id)[lesson.id]
        assert progress.completed
