"""Quiz builder and runner: every question type by keys in tutor mode, flags, confirmation
before submitting with unanswered items, resume, the timed exam and its auto-submit, results
and the review of incorrect items."""

from __future__ import annotations

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, RadioSet, Static

from tests.tui.bank import QUESTIONS, FakeClock
from tests.tui.conftest import MakeApp
from tests.tui.helpers import (
    answer_correctly,
    answer_wrongly,
    hint_text,
    link_offset,
    posted,
    quiz_key,
    settle,
    start_quiz,
)
from vpkp_tutor.domain.model import ContentBank, QuestionType
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog
from vpkp_tutor.tui.messages import RunQuiz
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen
from vpkp_tutor.tui.screens.results import ResultsScreen
from vpkp_tutor.tui.screens.review import ReviewScreen
from vpkp_tutor.tui.widgets.answers import MatchingAnswer, OrderingAnswer
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.question_view import QuestionView


async def test_tutor_quiz_every_type_by_keys(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QuizBuilderScreen)
        count = app.screen.query_one("#count", Input)
        count.value = str(len(QUESTIONS))
        await pilot.press("ctrl+s")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.mode is QuizMode.TUTOR
        assert {q.type for q in quiz.questions} == set(QuestionType)
        for i in range(len(QUESTIONS)):
            question = quiz.question
            await answer_correctly(pilot, question, quiz.query_one(QuestionView).input)
            assert quiz.query(FeedbackView), question.type  # tutor: feedback at once
            assert quiz.scores[question.id].correct, question.type
            if i < len(QUESTIONS) - 1:
                await quiz_key(pilot, "n")
                await settle(pilot)
        await quiz_key(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        result = app.screen.result
        assert (result.points, result.max_points) == (len(QUESTIONS), len(QUESTIONS))
        await pilot.press("i")  # nothing incorrect: stays on the results
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
    store = app.services.store
    responses = store.responses(app.learner.id)
    assert len(responses) == len(QUESTIONS) and all(r.correct for r in responses)
    assert app.services.unfinished_attempt(app.learner.id) is None


async def test_flag_confirm_submit_and_review_incorrect(make: MakeApp) -> None:
    app = make()
    settings = QuizSettings(mode=QuizMode.TUTOR, count=3, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        learner_id = app.learner.id
        attempt = app.services.build_quiz(learner_id, settings)
        app.run_attempt(attempt)
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        first = quiz.question
        await quiz_key(pilot, "m")
        await settle(pilot)
        assert first.id in app.services.flagged(learner_id)
        if first.type in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
            await answer_wrongly(pilot, first)
        else:
            await answer_correctly(pilot, first, quiz.query_one(QuestionView).input)
        await quiz_key(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await quiz_key(pilot, "n")
        await settle(pilot)
        assert app.screen is quiz
        await quiz_key(pilot, "s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert results.result.attempt.finished_at is not None
        await pilot.press("i")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        expected = 3 if first.type in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE) else 2
        assert len(review.question_ids) == expected
        assert review.query(FeedbackView)
        await quiz_key(pilot, "n")
        await settle(pilot)
        assert review.index == 1
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_unfinished_quiz_resumes(make: MakeApp) -> None:
    app = make()
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await settle(pilot)
        attempt = app.services.build_quiz(app.learner.id, QuizSettings(count=4, seed=3))
        app.run_attempt(attempt)
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        await answer_correctly(pilot, quiz.question, quiz.query_one(QuestionView).input)
        await quiz_key(pilot, "n")
        await settle(pilot)
        await quiz_key(pilot, "escape")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.dashboard is not None and home.dashboard.unfinished_attempt is not None
        await pilot.click("#dashboard", offset=link_offset(home, "↻ Resume"))
        await settle(pilot)
        resumed = app.screen
        assert isinstance(resumed, QuizScreen)
        assert resumed.attempt.id == attempt.id
        assert resumed.index == 1
        assert len(resumed.answers) == 1
        await quiz_key(pilot, "p")
        await settle(pilot)
        assert resumed.query(FeedbackView)  # the earlier answer comes back with its feedback
    assert [m.attempt.id for m in posted(messages, RunQuiz)] == [attempt.id]


async def test_timed_exam_counts_down_and_auto_submits(make: MakeApp, clock: FakeClock) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        builder = app.screen
        assert isinstance(builder, QuizBuilderScreen)
        builder.query_one("#mode", RadioSet).focus()
        await pilot.press("down", "enter")  # Timed exam
        await settle(pilot)
        builder.query_one("#count", Input).value = "3"
        builder.query_one("#minutes", Input).value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.mode is QuizMode.EXAM
        assert "2:00" in str(quiz.query_one("#quiz-status").render())
        first = quiz.question
        await answer_correctly(pilot, first, quiz.query_one(QuestionView).input)
        assert not quiz.query(FeedbackView)  # exam: no feedback
        assert quiz.index == 1  # Enter saved and moved on
        await quiz_key(pilot, "p")
        await settle(pilot)
        assert quiz.index == 0
        clock.advance(seconds=61)
        quiz.tick()
        await settle(pilot)
        assert "0:59" in str(quiz.query_one("#quiz-status").render())
        clock.advance(seconds=60)
        quiz.tick()
        await settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert results.result.attempt.settings.mode is QuizMode.EXAM
        assert results.result.points == 1.0
    assert app.services.unfinished_attempt(app.learner.id) is None


async def test_review_mode_runs_the_due_queue(make: MakeApp, clock: FakeClock) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # nothing due yet
        attempt = app.services.build_quiz(app.learner.id, QuizSettings(count=2, seed=5))
        for qid in attempt.question_ids:
            app.services.record_answer(attempt.id, qid, None, 5.0)
        app.services.finish_quiz(attempt.id)
        clock.advance(days=30)
        assert app.services.due_count(app.learner.id) >= 1
        await pilot.press("r")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.mode is QuizMode.REVIEW
        assert set(quiz.attempt.question_ids) <= set(attempt.question_ids)


async def test_exam_moving_past_an_untouched_item_records_nothing(make: MakeApp) -> None:
    from tests.tui.bank import ORDERING, SINGLE
    from vpkp_tutor.domain.model import ContentBank

    app = make(content=ContentBank(questions=(ORDERING, SINGLE), fingerprint="two"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        attempt = app.services.build_quiz(
            app.learner.id, QuizSettings(mode=QuizMode.EXAM, count=2, seed=1, time_limit_s=600)
        )
        app.run_attempt(attempt)
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        await pilot.press("n", "p", "n", "p")  # past the untouched ordering item and back
        await settle(pilot)
        assert app.services.store.responses(app.learner.id) == []
        assert [q.id for q in quiz.questions] == [SINGLE.id, ORDERING.id]  # seed 1
        await pilot.press("1", "n")  # a choice made without Enter is kept when moving on
        await settle(pilot)
    recorded = [r.question_id for r in app.services.store.responses(app.learner.id)]
    assert recorded == [SINGLE.id]


# -- issue 11: what a keyboard walk at 80×24 found ----------------------------------------


async def test_enter_with_nothing_chosen_submits_nothing(make: MakeApp) -> None:
    from tests.tui.bank import SINGLE, TRUE_FALSE

    app = make(content=ContentBank(questions=(SINGLE, TRUE_FALSE), fingerprint="choice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(count=2, seed=1))
        for _ in range(2):
            question = quiz.question
            await pilot.press("enter")
            await settle(pilot)
            assert question.id not in quiz.answers
            assert "Choose an option first" in hint_text(quiz)
            await pilot.press("down", "enter")  # moving the cursor is not a choice
            await settle(pilot)
            assert question.id not in quiz.answers and not quiz.query(FeedbackView)
            assert "Choose an option first" in hint_text(quiz)
            await pilot.press("space")  # space chooses the cursor row
            await settle(pilot)
            assert "(or ↑↓ Space) choose · Enter answers" in hint_text(quiz)
            await pilot.press("enter")
            await settle(pilot)
            assert quiz.answers[question.id] == "B"
            await quiz_key(pilot, "n")
            await settle(pilot)
    recorded = {r.question_id: r.answer for r in app.services.store.responses(app.learner.id)}
    assert recorded == {SINGLE.id: "B", TRUE_FALSE.id: "B"}


async def test_decimal_comma_is_read_or_refused_never_dropped(make: MakeApp) -> None:
    from tests.tui.bank import NUMERIC

    app = make(content=ContentBank(questions=(NUMERIC,), fingerprint="num"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.EXAM, count=1, seed=1))
        field = quiz.query_one("#number", Input)
        for typed, message in (("1,900.5", "mixes separators"), ("2,400", "ambiguous")):
            await pilot.press(*typed)
            assert field.value == typed  # the comma is kept on screen
            await pilot.press("enter")
            await settle(pilot)
            assert NUMERIC.id not in quiz.answers
            assert message in hint_text(quiz)  # said once, in the hint line
            assert message not in str(quiz.query_one(".numeric-error", Static).render())
            field.value = ""
            await settle(pilot)
            assert "Type a number" in hint_text(quiz)  # editing brings the keys back
        await pilot.press("1", ",", "9", "enter")
        await settle(pilot)
        assert quiz.answers[NUMERIC.id] == 1.9
    assert [r.answer for r in app.services.store.responses(app.learner.id)] == [1.9]


async def test_ordering_starts_far_from_the_key_and_the_same_on_resume(make: MakeApp) -> None:
    from tests.tui.bank import ORDERING

    app = make(content=ContentBank(questions=(ORDERING,), fingerprint="order"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        starts = []
        for _ in range(4):
            quiz = await start_quiz(pilot, QuizSettings(count=1))
            widget = quiz.query_one(OrderingAnswer)
            starts.append(tuple(widget.order))
            await pilot.press("escape")
            await settle(pilot)
            resumed = await start_quiz_again(pilot, quiz.attempt.id)
            assert tuple(resumed.query_one(OrderingAnswer).order) == starts[-1]
            await pilot.press("enter")  # the untouched order, as it starts
            await settle(pilot)
            assert resumed.scores[ORDERING.id].points <= 0.5
            await pilot.press("escape")
            await settle(pilot)
            app.services.abandon_attempt(quiz.attempt.id)
        # never the key nor one swap from it (both rotations occur: tests/domain/test_ordering)
        assert set(starts) <= {(1, 2, 0), (2, 0, 1)}


async def start_quiz_again(pilot: Pilot[None], attempt_id: str) -> QuizScreen:
    app = pilot.app
    attempt = app.services.unfinished_attempt(app.learner.id)
    assert attempt is not None and attempt.id == attempt_id
    app.run_attempt(attempt)
    await settle(pilot)
    assert isinstance(app.screen, QuizScreen)
    return app.screen


async def test_strip_and_status_keep_the_current_item_in_view(make: MakeApp) -> None:
    from tests.tui.bank import long_bank

    app = make(content=long_bank(30))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(count=30, seed=1))
        strip = quiz.query_one("#quiz-strip", Static)
        for item in range(1, 31):
            text = str(strip.render())
            assert f"[{item}·]" in text, item
            assert len(text) <= strip.content_size.width <= 80, item  # all of it on screen
            assert text.startswith("«") == (item > 8) and text.endswith("»") == (item < 24)
            if item < 30:
                await quiz_key(pilot, "n")
                await settle(pilot)
        await quiz_key(pilot, "m")  # flagging widens the label; still in view
        await settle(pilot)
        assert "[30·⚑]" in str(strip.render())
        status = quiz.query_one("#quiz-status", Static)
        line = str(status.render())
        assert "Item 30 of 30" in line and "⚑ flagged" in line and "30 answered" in line
        assert len(line) <= status.content_size.width  # one line: the strip stays below it
        assert strip.region.y == status.region.y + 1


async def test_matching_hint_says_a_digit_moves_down(make: MakeApp) -> None:
    from tests.tui.bank import MATCHING

    app = make(content=ContentBank(questions=(MATCHING,), fingerprint="match"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(count=1, seed=1))
        assert "moves down" in hint_text(quiz)
        await pilot.press("1")
        await settle(pilot)
        assert quiz.query_one(MatchingAnswer).cursor == 1  # as the hint says


async def test_help_key_in_text_and_number_fields(make: MakeApp) -> None:
    from textual.widgets._footer import FooterKey

    from tests.tui.bank import NUMERIC
    from vpkp_tutor.tui.dialogs.help import HelpDialog

    def help_key(screen) -> str:  # type: ignore[no-untyped-def]
        keys = [k.key_display for k in screen.query(FooterKey)
                if k.action in ("help", "help_key")]
        assert len(keys) == 1
        return keys[0]

    app = make(content=ContentBank(questions=(NUMERIC,), fingerprint="num"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        builder = app.screen
        assert isinstance(builder, QuizBuilderScreen)
        assert help_key(builder) == "?"
        builder.query_one("#count", Input).focus()
        await settle(pilot)
        assert help_key(builder) == "F1"  # ? would be typed here
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen is builder
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(count=1, seed=1))
        assert quiz.query_one("#number", Input).has_focus
        assert help_key(quiz) == "?"
        await pilot.press("question_mark")  # a number field takes no `?`: help opens
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)


async def test_status_line_and_strip_follow_the_quiz_state(make) -> None:  # type: ignore[no-untyped-def]
    """The status line and the item strip are drawn from the quiz's reactive state: changing
    the state redraws them, with no call to redraw."""
    app = make()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=3, seed=1))

        def status() -> str:
            return str(quiz.query_one("#quiz-status", Static).render())

        def strip() -> str:
            return str(quiz.query_one("#quiz-strip", Static).render())

        assert "⚑ flagged" not in status() and "0/3 answered" in status()
        quiz.flags = quiz.flags | {quiz.question.id}
        assert "⚑ flagged" in status() and "[1·⚑]" in strip()
        quiz.answers[quiz.question.id] = "Z"
        quiz.mutate_reactive(QuizScreen.answers)
        assert "1/3 answered" in status() and "[1●⚑]" in strip()
        quiz.index = 1
        assert "Item 2 of 3" in status() and "⚑ flagged" not in status()


async def test_the_results_do_not_repeat_the_way_to_them(make: MakeApp) -> None:
    """"All items answered — press s to see your results" is done with once they show."""
    from tests.tui.bank import SINGLE

    app = make(content=ContentBank(questions=(SINGLE,), fingerprint="one"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=1, seed=1))
        await answer_correctly(pilot, SINGLE, quiz.query_one(QuestionView).input)
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert any("press s to see your results" in m for m in said)
        await quiz_key(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert not [n for n in app._notifications if "press s" in str(n.message)]
