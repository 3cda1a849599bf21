"""Confidence and error tags in the quiz, by keys: the answer is stored before the
confidence is asked, feedback waits for it, a confident error is pointed out, `w` tags a
miss (a comment with a disagreement), an exam asks confidence and tags from the results'
review, CBM marks on the results, and the Settings switches."""

from __future__ import annotations

from msgspec.structs import replace
from textual.widgets import Checkbox, Input, Static

from tests.tui.bank import (
    BUNDLED_COURSE,
    MULTI,
    NUMERIC,
    QUESTIONS,
    SINGLE,
    TRUE_FALSE,
    FakeClock,
)
from tests.tui.conftest import MakeApp
from tests.tui.helpers import (
    answer_correctly,
    answer_wrongly,
    burst,
    exam_at,
    quiz_key,
    settle,
    start_quiz,
)
from vpkp_tutor.domain.confidence import Confidence, ErrorTag, ScoringMode
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.dialogs.confidence import ConfidenceDialog, ErrorTagDialog
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.screens.results import ResultsScreen
from vpkp_tutor.tui.screens.review import ReviewScreen
from vpkp_tutor.tui.widgets.confidence_note import CONFIDENT_ERROR, ConfidenceNote
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.question_view import QuestionView


def _ask(app: VpkpApp, scoring: ScoringMode = ScoringMode.PLAIN) -> None:
    app.services.save_settings(replace(app.services.settings, ask_confidence=True,
                                       scoring=scoring))


def _stored(app: VpkpApp, qid: str) -> tuple[object, ...]:
    rows = app.services.store.query(
        "SELECT confidence, error_tag, error_comment, correct FROM response"
        " WHERE question_id = ?", (qid,))
    assert len(rows) == 1
    return tuple(rows[0])


def _note(quiz: QuizScreen | ReviewScreen) -> str:
    notes = quiz.query(ConfidenceNote)
    return str(notes.first().render()) if notes else ""


async def test_confidence_is_asked_after_the_answer_is_stored(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=6, seed=1))
        while quiz.question.id != SINGLE.id:
            await quiz_key(pilot, "n")
            await settle(pilot)
        await answer_wrongly(pilot, SINGLE)
        assert isinstance(app.screen, ConfidenceDialog)
        assert _stored(app, SINGLE.id) == (None, None, "", 0)  # stored before the question
        assert not quiz.query(FeedbackView)  # no feedback yet
        assert "✗" not in str(quiz.query_one("#quiz-strip", Static).render())
        await pilot.press("1")  # sure
        await settle(pilot)
        assert app.screen is quiz and quiz.query(FeedbackView)
        assert _stored(app, SINGLE.id)[0] == 1
        note = _note(quiz)
        assert "You said: sure" in note and CONFIDENT_ERROR.split(" —")[0] in note
        assert "w tags it" in note
        # why was it wrong: 5 disagrees and asks for a comment
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ErrorTagDialog)
        dialog = app.screen
        dialog.action_tag("disagree")  # what 5 does: the field has the focus at once, before
        assert dialog.focused is dialog.query_one(Input)  # the line asking for it is drawn
        dialog.action_cancel()  # (keys typed once it shows go into it, none lost)
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        field = app.screen.query_one(Input)
        assert field.has_focus and field.value == ""  # the 5 chose, it was not typed
        await pilot.press(*"Key is B", "enter")
        await settle(pilot)
        assert app.screen is quiz
        assert _stored(app, SINGLE.id) == (1, "disagree", "Key is B", 0)
        assert "Why it was wrong: disagree with the key" in _note(quiz)
        assert "Your comment: Key is B" in _note(quiz)  # (kept, and shown with the reason)


async def test_skipping_confidence_keeps_the_answer_and_feedback_follows(
        make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=6, seed=1))
        question = quiz.question
        await answer_correctly(pilot, question, quiz.query_one(QuestionView).input)
        assert isinstance(app.screen, ConfidenceDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is quiz and quiz.query(FeedbackView)
        assert _stored(app, question.id) == (None, None, "", 1)
        assert _note(quiz) == ""  # nothing stated, nothing missed
        await pilot.press("w")  # a right answer has nothing to tag
        await settle(pilot)
        assert app.screen is quiz


async def test_without_the_setting_feedback_comes_at_once(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=6, seed=1))
        while quiz.question.id != TRUE_FALSE.id:
            await quiz_key(pilot, "n")
            await settle(pilot)
        await answer_wrongly(pilot, TRUE_FALSE)
        assert app.screen is quiz and quiz.query(FeedbackView)
        await pilot.press("w", "2")  # misread
        await settle(pilot)
        assert _stored(app, TRUE_FALSE.id) == (None, "misread", "", 0)


async def test_exam_asks_confidence_tags_from_the_review_and_shows_cbm(
        make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app, ScoringMode.CBM)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.EXAM, count=6, seed=1))
        while quiz.question.id != SINGLE.id:
            await quiz_key(pilot, "n")
            await settle(pilot)
        position = quiz.index
        await answer_wrongly(pilot, SINGLE)
        assert isinstance(app.screen, ConfidenceDialog)
        await pilot.press("1")
        await settle(pilot)
        assert app.screen is quiz and not quiz.query(FeedbackView)  # exam: no feedback
        assert quiz.index == position + 1 or position == len(quiz.questions) - 1
        await pilot.press("w")  # not offered during an exam
        await settle(pilot)
        assert app.screen is quiz
        await quiz_key(pilot, "s")
        await settle(pilot)
        await pilot.press("y")  # submit with open items
        await settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        text = str(results.query_one("#results-confidence", Static).render())
        assert "sure 1 (1 wrong)" in text and "1 confident error" in text
        assert "CBM -6 of 18 marks" in text
        await pilot.press("i")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        while review.question_ids[review.index] != SINGLE.id:
            await quiz_key(pilot, "n")
            await settle(pilot)
        assert CONFIDENT_ERROR.split(" —")[0] in _note(review)
        await pilot.press("w", "4")  # slip
        await settle(pilot)
        assert _stored(app, SINGLE.id) == (1, "slip", "", 0)
        assert "Why it was wrong: slip" in _note(review)


async def test_settings_switch_confidence_and_cbm(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_open("settings")
        await settle(pilot)
        ask = app.screen.query_one("#ask-confidence", Checkbox)
        cbm = app.screen.query_one("#cbm-scoring", Checkbox)
        assert not ask.value and str(ask.label).endswith("off")
        ask.focus()
        await pilot.press("space")
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is cbm, app.focused
        await pilot.press("space")
        await settle(pilot)
        assert app.services.settings.ask_confidence is True
        assert app.services.settings.scoring is ScoringMode.CBM
        assert str(cbm.label).endswith("on")
        assert app.services.store.get_setting("scoring") == "cbm"


async def test_progress_confidence_tab_charts_calibration_and_error_profile(
        make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.learner is not None
        services = app.services
        attempt = services.build_quiz(app.learner.id, QuizSettings(
            mode=QuizMode.TUTOR, count=6, seed=1))
        services.record_answer(attempt.id, SINGLE.id, "A", 5)       # wrong, sure
        services.set_confidence(attempt.id, SINGLE.id, Confidence.SURE)
        services.set_error_tag(attempt.id, SINGLE.id, ErrorTag.SLIP)
        services.record_answer(attempt.id, TRUE_FALSE.id, "A", 5)   # right, guess
        services.set_confidence(attempt.id, TRUE_FALSE.id, Confidence.GUESS)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        chart = str(app.screen.query_one("#chart-calibration", Static).render())
        lines = {line.split()[0]: line for line in chart.splitlines() if line.strip()}
        assert "over-confident" in lines["sure"] and "0%" in lines["sure"]
        assert "under-confident" in lines["guess"] and "100%" in lines["guess"]
        assert "no answers yet" in lines["unsure"]
        errors = str(app.screen.query_one("#chart-errors", Static).render())
        row = next(line for line in errors.splitlines() if line.startswith(BUNDLED_COURSE.label(SINGLE.topic)))
        assert row.split()[-5:] == ["·", "·", "·", "1", "·"]  # one slip
        table = chart.split("\n\n")[0] + "\n" + errors  # (the help text below wraps)
        assert all(len(line) <= 78 for line in table.splitlines())


async def test_exam_time_running_out_during_the_question_keeps_the_answer(
        make: MakeApp, clock: FakeClock) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.EXAM, count=3, seed=1,
                                                    time_limit_s=60))
        first = quiz.question
        await answer_correctly(pilot, first, quiz.query_one(QuestionView).input)
        assert isinstance(app.screen, ConfidenceDialog)
        clock.advance(seconds=61)
        quiz.tick()
        await settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert results.result.points == 1.0  # the answer counted; confidence not stated
        assert _stored(app, first.id) == (None, None, "", 1)


async def test_a_lesson_check_asks_how_sure_before_its_feedback(make: MakeApp) -> None:
    from tests.tui.bank import NUMERIC
    from vpkp_tutor.tui.screens.lesson import LessonScreen
    from vpkp_tutor.tui.widgets.question_view import QuestionView

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("enter")  # the anatomy lesson; its first step has a check
        await settle(pilot)
        lesson = app.screen
        assert isinstance(lesson, LessonScreen)
        await pilot.press("a", "enter")  # a miss (keyed B)
        await settle(pilot)
        assert isinstance(app.screen, ConfidenceDialog)
        assert not lesson.query(FeedbackView)  # the feedback waits for the answer to it
        await pilot.press("1")
        await settle(pilot)
        assert app.screen is lesson
        view = lesson.query_one(QuestionView)
        assert view.query(FeedbackView)
        assert "You said: sure" in _note(lesson)  # type: ignore[arg-type]
        assert CONFIDENT_ERROR.split(" —")[0] in _note(lesson)  # type: ignore[arg-type]
        rows = app.services.store.query("SELECT confidence, correct, attempt_id FROM response")
        assert [tuple(r) for r in rows] == [(1, 0, "lesson:lesson-anatomy")]
        # skipped with Escape: the answer is kept, no confidence, feedback follows
        await quiz_key(pilot, "n")
        await settle(pilot)
        await pilot.press(*"23", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfidenceDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is lesson and lesson.query_one(QuestionView).query(FeedbackView)
        rows = app.services.store.query("SELECT confidence FROM response WHERE question_id = ?",
                                        (NUMERIC.id,))
        assert [r[0] for r in rows] == [None]


async def test_a_reason_given_under_a_long_item_is_brought_into_view(make: MakeApp) -> None:
    """At 80×24 the verdict of a long item sits low on the screen, and the note under it
    (how sure, the warning, then why it was wrong) below the fold: after the answer, and
    again after a reason is given, the note is scrolled into view, the verdict with it."""
    import msgspec

    from vpkp_tutor.domain.model import ContentBank

    stem = "\n\n".join(f"Finding {i}: a line of the history that the answer depends on."
                       for i in range(1, 9))
    long_item = msgspec.structs.replace(SINGLE, stem=stem)
    app = make(content=ContentBank(questions=(long_item,), fingerprint="long-item"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=1, seed=1))
        await answer_wrongly(pilot, long_item)
        await pilot.press("1")  # sure, and wrong
        await settle(pilot)
        body = quiz.query_one("#quiz-body")

        def in_view(selector: str) -> bool:
            region = quiz.query_one(selector).region
            return bool(region) and body.region.contains_region(region)

        assert body.max_scroll_y > 0  # the item is longer than the screen
        assert in_view("ConfidenceNote") and in_view(".verdict")
        await pilot.press("home")  # read the stem again, then give a reason
        await settle(pilot)
        assert not in_view("ConfidenceNote")
        await pilot.press("w", "5")
        await settle(pilot)
        await pilot.press(*"Key is B", "enter")
        await settle(pilot)
        assert "Why it was wrong: disagree with the key" in _note(quiz)
        assert "Your comment: Key is B" in _note(quiz)
        assert in_view("ConfidenceNote") and in_view(".verdict")


async def test_keys_sent_with_enter_go_to_the_confidence_question_not_the_answer(
        make: MakeApp) -> None:
    """`b Enter 1` as one burst (a fast typist, one packet over SSH): B is the answer, 1 says
    how sure. The 1 used to reach the options before the answer was taken, so A was stored
    and marked a confident error."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=len(QUESTIONS), seed=1))
        while quiz.question.id != SINGLE.id:
            await quiz_key(pilot, "n")
            await settle(pilot)
        burst(app, SINGLE.key.lower(), "enter", "1")
        await settle(pilot)
        assert app.screen is quiz and quiz.query(FeedbackView)
        assert _stored(app, SINGLE.id) == (1, None, "", 1)  # B, and sure
        assert quiz.answers[SINGLE.id] == SINGLE.key
        assert "You said: sure" in _note(quiz)
        target = next(i for i, q in enumerate(quiz.questions) if q.id == MULTI.id)
        while quiz.index != target:
            await quiz_key(pilot, "n" if quiz.index < target else "p")
            await settle(pilot)
        burst(app, "a", "c", "enter", "2")  # (1 would have unticked A)
        await settle(pilot)
        assert _stored(app, MULTI.id) == (2, None, "", 1)
        assert quiz.answers[MULTI.id] == ("A", "C")


async def test_keys_sent_with_enter_in_an_exam_go_to_the_next_item(make: MakeApp) -> None:
    """A number and Enter, then the next item's answer, in one burst: each item gets its
    own (the digit was added to the number before it was taken)."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, NUMERIC)
        following = quiz.questions[quiz.index + 1]
        assert following.id in {SINGLE.id, MULTI.id, TRUE_FALSE.id}, "a choice item next"
        burst(app, "2", "4", "enter", "a")
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 24.0
        assert quiz.question.id == following.id
        chosen = quiz.query_one(QuestionView).input.value
        assert chosen in ("A", ("A",))  # the a chose on the next item


async def test_keys_sent_with_enter_in_a_lesson_check_say_how_sure(make: MakeApp) -> None:
    from vpkp_tutor.tui.screens.lesson import LessonScreen

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _ask(app)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("enter")  # the anatomy lesson; its first step has a check (B)
        await settle(pilot)
        lesson = app.screen
        assert isinstance(lesson, LessonScreen)
        burst(app, "b", "enter", "3")
        await settle(pilot)
        assert app.screen is lesson
        rows = app.services.store.query("SELECT confidence, correct FROM response")
        assert [tuple(r) for r in rows] == [(3, 1)]  # B, a guess
        await quiz_key(pilot, "n")
        await settle(pilot)
        burst(app, "2", "4", "enter", "2")  # the number, then unsure
        await settle(pilot)
        assert app.screen is lesson
        rows = app.services.store.query(
            "SELECT confidence, correct FROM response WHERE question_id = ?", (NUMERIC.id,))
        assert [tuple(r) for r in rows] == [(2, 1)]
