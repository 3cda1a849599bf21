"""Library and reader: open a lesson, step with n/p, answer embedded checks in place,
position remembered, completion recorded."""

from __future__ import annotations

import msgspec
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.tui.bank import LESSON, NUMERIC, SHORT, SINGLE
from tests.tui.conftest import MakeApp
from tests.tui.helpers import burst, hint_text, link_offset, posted, settle
from vpkp_tutor.domain.model import ContentBank, Step
from vpkp_tutor.tui.messages import OpenLesson
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.lesson import LessonScreen
from vpkp_tutor.tui.screens.library import LibraryScreen
from vpkp_tutor.tui.widgets.answers import AnswerInput
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.question_view import QuestionView
from vpkp_tutor.tui.widgets.screen_body import ScreenBody
from vpkp_tutor.tui.widgets.short_answer import ShortAnswerInput


async def open_first_lesson(pilot: Pilot[None]) -> LessonScreen:
    """From Home, the library's first lesson, by its keys."""
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    return screen


async def test_read_answer_checks_and_complete(make: MakeApp) -> None:
    app = make()
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        options = app.screen.query_one("#lessons", OptionList)
        # "Anatomy" heading, the anatomy lesson, "Billing" heading, the billing lesson
        assert options.highlighted == 1
        await pilot.press("enter")
        await settle(pilot)
        assert [m.lesson_id for m in posted(messages, OpenLesson)] == ["lesson-anatomy"]
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.position == 0
        assert ".-." in str(screen.query_one(".diagram").render())
        # A letter typed while reading goes to the check; Enter answers it.
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.focused, AnswerInput)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(QuestionView).query(FeedbackView)
        learner_id = app.learner.id
        progress = app.services.lesson_progress(learner_id)["lesson-anatomy"]
        assert progress.position == 0 and not progress.completed
        responses = app.services.store.responses(learner_id)
        assert [(r.question_id, r.correct) for r in responses] == [(SINGLE.id, True)]

        await pilot.press("n")
        await settle(pilot)
        assert screen.position == 1
        assert app.services.lesson_progress(learner_id)["lesson-anatomy"].position == 1
        await pilot.press(*"23", "enter")  # typed while reading: goes into the number field
        await settle(pilot)
        assert screen.answered[NUMERIC.id][1].points == 0.0
        await pilot.press("p")
        await settle(pilot)
        assert screen.position == 0
        assert screen.query_one(QuestionView).query(FeedbackView)  # feedback kept on revisit
        await pilot.press("n", "n", "n")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.services.lesson_progress(learner_id)["lesson-anatomy"].completed
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_reopening_resumes_at_saved_step(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.services.save_lesson_position(app.learner.id, "lesson-anatomy", 2)
        app.screen.refresh_dashboard()
        await settle(pilot)
        await pilot.click("#dashboard", offset=link_offset(app.screen, "▶ Continue:"))
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.position == 2
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")  # the key does the same
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.position == 2


async def test_words_typed_in_a_check_field_are_not_the_lesson_keys(make: MakeApp) -> None:
    """In a check's field, n and p are letters, not next and previous step: "24 patients"
    typed after a number, or "pedicle" in a short answer, leaves the reader on its step, even
    when the keys come in one burst (the field gets the focus from the first of them)."""
    lesson = msgspec.structs.replace(LESSON, steps=(
        Step("Count", "How many?", checks=(NUMERIC.id,)),
        Step("Name", "The corridor.", checks=(SHORT.id,)),
        Step("Done", "That is all."),
    ))
    app = make(content=ContentBank(lessons=(lesson,), questions=(NUMERIC, SHORT),
                                   fingerprint="lesson-fields"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_lesson(pilot)
        assert screen.position == 0
        burst(app, *"24 patients")  # typed while reading: into the number field
        await settle(pilot)
        field = app.focused
        assert isinstance(field, Input) and field.value == "24"
        assert app.screen is screen and screen.position == 0
        assert "Just the number — vertebrae is given beside it" in hint_text(screen)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.answered[NUMERIC.id][1].correct
        await pilot.press("n")
        await settle(pilot)
        assert screen.position == 1
        # read, not typed in: the hint says how to get into the field
        assert hint_text(screen) == ShortAnswerInput.OUTSIDE_HINT
        await pilot.press("tab")  # onto the short answer
        await settle(pilot)
        assert isinstance(app.focused, ShortAnswerInput)
        burst(app, "enter", *"pedicle")  # into its field, and the word after it
        await settle(pilot)
        field = app.focused
        assert isinstance(field, Input) and field.value == "pedicle"
        assert app.screen is screen and screen.position == 1
        assert hint_text(screen) == ShortAnswerInput.HINT
        await pilot.press("escape")  # out of the field: letters are the lesson's keys
        await settle(pilot)
        assert hint_text(screen) == ShortAnswerInput.OUTSIDE_HINT
        await pilot.press("n")
        await settle(pilot)
        assert screen.position == 2
        await pilot.press("p")
        await settle(pilot)
        assert screen.position == 1 and hint_text(screen) == ShortAnswerInput.OUTSIDE_HINT
        burst(app, "enter", *"pedicle")  # while reading, Enter goes into the open check
        await settle(pilot)
        field = app.focused
        assert isinstance(field, Input) and field.value == "pedicle"
        assert hint_text(screen) == ShortAnswerInput.HINT
        await pilot.press("enter")
        await settle(pilot)
        assert screen.answered[SHORT.id][1].correct
        await pilot.press("p")  # the checks answered, n and p are the lesson's again
        await settle(pilot)
        assert screen.position == 0
        await pilot.press("n", "n")
        await settle(pilot)
        assert screen.position == 2


LONG_STEP = Step("Long", "\n\n".join(f"Paragraph {i} of a long step." for i in range(60)),
                 checks=(SINGLE.id,))


async def test_two_quick_page_downs_move_two_pages(make: MakeApp) -> None:
    """PgDn pages at once, not by an animation that a second PgDn, sent while it runs,
    would start from midway."""
    lesson = msgspec.structs.replace(LESSON, steps=(LONG_STEP,))
    app = make(content=ContentBank(lessons=(lesson,), questions=(SINGLE,),
                                   fingerprint="lesson-long"))
    async with app.run_test(size=(80, 24)) as pilot:
        body = (await open_first_lesson(pilot)).query_one("#lesson-body", ScreenBody)
        assert app.focused is body and body.scroll_y == 0
        page = body.scrollable_content_region.height
        burst(app, "pagedown", "pagedown")
        await settle(pilot)
        assert body.scroll_y == 2 * page
        burst(app, "pageup")
        await settle(pilot)
        assert body.scroll_y == page



async def test_a_letter_typed_answers_the_check_on_screen(make: MakeApp) -> None:
    """With the first check scrolled out of view, a letter typed while reading (and Enter
    right after it) answers the first check still open on screen: the one the learner
    sees. A check out of view (pushed off by the feedback above it, say) is not given the
    focus after an answer (its keys would act unseen)."""
    from tests.tui.bank import MULTI, TRUE_FALSE

    lesson = msgspec.structs.replace(LESSON, steps=(
        Step("Three checks", "Read on.", checks=(SINGLE.id, MULTI.id, TRUE_FALSE.id)),
        Step("Done", "That is all."),
    ))
    app = make(content=ContentBank(lessons=(lesson,), questions=(SINGLE, MULTI, TRUE_FALSE),
                                   fingerprint="lesson-three"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("end")
        await settle(pilot)
        views = {v.question.id: v for v in screen.query(QuestionView)}
        assert not screen.in_view(views[SINGLE.id]) and screen.in_view(views[MULTI.id])
        burst(app, "b", "enter")  # the second check's B, answered at once
        await settle(pilot)
        assert list(screen.answered) == [MULTI.id]
        # the feedback pushed the next check below the screen: the reader keeps the keys
        assert not screen.in_view(views[TRUE_FALSE.id])
        assert app.focused is screen.query_one("#lesson-body", ScreenBody)
        await pilot.press("end")
        await settle(pilot)
        assert screen.in_view(views[TRUE_FALSE.id])
        burst(app, "a", "enter")  # the check now on screen
        await settle(pilot)
        assert list(screen.answered) == [MULTI.id, TRUE_FALSE.id]
        # the one left is out of view: the reader keeps the keys
        assert app.focused is screen.query_one("#lesson-body", ScreenBody)
        await pilot.press("home")
        await settle(pilot)
        burst(app, "a", "enter")
        await settle(pilot)
        assert list(screen.answered) == [MULTI.id, TRUE_FALSE.id, SINGLE.id]


async def test_end_goes_to_the_end_at_once(make: MakeApp) -> None:
    """End jumps to the end of the step (it glided there for a second, and a PgUp sent
    meanwhile was undone); Home jumps back."""
    lesson = msgspec.structs.replace(LESSON, steps=(LONG_STEP,))
    app = make(content=ContentBank(lessons=(lesson,), questions=(SINGLE,),
                                   fingerprint="lesson-long"))
    async with app.run_test(size=(80, 24)) as pilot:
        body = (await open_first_lesson(pilot)).query_one("#lesson-body", ScreenBody)
        page = body.scrollable_content_region.height
        burst(app, "end", "pageup")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y - page > 0
        burst(app, "home", "pagedown")
        await settle(pilot)
        assert body.scroll_y == page


async def test_a_drill_being_read_says_how_to_give_it_the_keys(make: MakeApp) -> None:
    """While the lesson is read the arrows turn its steps, so the drill's hint says Enter
    gives it the keys (it said ←↑↓→ place, and → went to the next step); then it does."""
    from tests.tui.bank import TRAJECTORY
    from vpkp_tutor.tui.widgets.trajectory import TrajectoryAnswer

    lesson = msgspec.structs.replace(LESSON, steps=(
        Step("Aim", "Place it.", checks=(TRAJECTORY.id,)),
        Step("Done", "That is all."),
    ))
    app = make(content=ContentBank(lessons=(lesson,), questions=(TRAJECTORY,),
                                   fingerprint="lesson-drill"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_lesson(pilot)
        assert not isinstance(app.focused, TrajectoryAnswer)
        assert hint_text(screen) == TrajectoryAnswer.OUTSIDE_HINT
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, TrajectoryAnswer)
        assert hint_text(screen) == TrajectoryAnswer.HINT
        await pilot.press("right")  # the drill's now, not the next step
        await settle(pilot)
        assert screen.position == 0


async def test_a_check_pushed_off_the_screen_by_feedback_does_not_take_the_keys(
        make: MakeApp) -> None:
    """Two checks on screen; the first one's long feedback pushes the second below the
    screen: the second must not have the focus (a letter typed then chose in it unseen)."""
    from tests.tui.bank import MULTI

    long_single = msgspec.structs.replace(
        SINGLE, explanation="\n\n".join(f"Teaching point {i}." for i in range(30)))
    lesson = msgspec.structs.replace(LESSON, steps=(
        Step("Two checks", "Short.", checks=(long_single.id, MULTI.id)),
        Step("Done", "That is all."),
    ))
    app = make(content=ContentBank(lessons=(lesson,), questions=(long_single, MULTI),
                                   fingerprint="lesson-pushed"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_lesson(pilot)
        multi = next(v for v in screen.query(QuestionView) if v.question.id == MULTI.id)
        assert screen.in_view(multi)  # both on screen before the answer
        await pilot.press(SINGLE.key.lower(), "enter")
        await settle(pilot)
        assert screen.answered[SINGLE.id][1].correct
        assert not screen.in_view(multi)  # pushed off by the feedback
        assert not multi.input.has_focus
        await pilot.press("a")  # for the check on screen, or none: not the hidden one
        await settle(pilot)
        assert multi.input.value is None or screen.in_view(multi)
