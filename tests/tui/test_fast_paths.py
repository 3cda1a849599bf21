"""The start-up and key-press fast paths keep behaving: one question view re-targeted from
item to item (answers, hints and feedback follow the item), a footer that is not rebuilt
while its keys stay the same and lets go of the keys it replaces, styles of later screens parsed after the first frame, the
garbage-collector pacing, and the home screen's keys."""

from __future__ import annotations

import gc

from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tests.tui.bank import QUESTIONS
from tests.tui.conftest import MakeApp
from tests.tui.helpers import answer_correctly, quiz_key, settle
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui import gc_pacing
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.widgets.answers import input_class
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.prose import Prose
from vpkp_tutor.tui.widgets.question_view import QuestionView


async def test_one_view_follows_the_items(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        quiz = await exam_of_every_item(app, pilot, QuizMode.TUTOR)
        view = quiz.query_one(QuestionView)
        first = quiz.question
        await answer_correctly(pilot, first, view.input)
        assert view.query(FeedbackView)
        for _ in range(len(QUESTIONS) - 1):
            await quiz_key(pilot, "n")
            await settle(pilot)
            assert quiz.query_one(QuestionView) is view  # re-targeted, not remounted
            q = quiz.question
            assert view.question is q and view.input.question is q
            assert type(view.input) is input_class(q)
            assert not view.query(FeedbackView)  # the last item's feedback went with it
            assert not view.input.frozen and view.input.value is None
            assert str(view.query_one(Prose).content).startswith(q.stem.split("**")[0][:10])
            assert view.input.focus_target.has_focus
        for _ in range(len(QUESTIONS) - 1):
            await quiz_key(pilot, "p")
        await settle(pilot)
        assert quiz.question is first and view.question is first
        assert view.query(FeedbackView) and view.input.frozen  # answered: feedback again


async def test_an_input_of_each_kind_is_made_once(make: MakeApp) -> None:
    """Once an item of each kind has been shown, moving among items of mixed kinds makes no
    new input: the one of the item's kind is shown again, re-targeted; the others stay
    hidden, out of the focus chain, with nothing running."""
    from vpkp_tutor.tui.widgets.answers import AnswerInput

    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        quiz = await exam_of_every_item(app, pilot, QuizMode.TUTOR)
        view = quiz.query_one(QuestionView)
        while quiz.index < len(quiz.questions) - 1:
            await quiz_key(pilot, "n")
            await settle(pilot)
        made = set(quiz.query(AnswerInput))
        assert len(made) == len({input_class(q) for q in quiz.questions}) > 2
        for key in ("p",) * (len(QUESTIONS) - 1):
            await quiz_key(pilot, key)
            await settle(pilot)
            q = quiz.question
            assert set(quiz.query(AnswerInput)) == made
            shown = [w for w in made if w.display]
            assert shown == [view.input] and view.input.question is q
            assert type(view.input) is input_class(q) and view.input.focus_target.has_focus
            assert str(view.query_one(".hint", Static).render()) == view.input.HINT
        # an answer given to one item of a kind does not show on the next of that kind
        await answer_correctly(pilot, quiz.question, view.input)
        assert view.input.frozen
        for _ in range(len(QUESTIONS) - 1):
            await quiz_key(pilot, "n")
            await settle(pilot)
            assert not view.input.frozen and view.input.value is None


async def test_footer_keys_survive_item_changes(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        quiz = await exam_of_every_item(app, pilot)
        keys = list(quiz.query(FooterKey))
        moved = 0
        while quiz.index < len(quiz.questions) - 1:
            before, after = quiz.question, quiz.questions[quiz.index + 1]
            await quiz_key(pilot, "n")
            await settle(pilot)
            kinds = {input_class(before).__name__, input_class(after).__name__}
            # the number field has no "Answer" key; the drill has its own keys (+ - f v)
            if not kinds & {"NumericAnswer", "TrajectoryAnswer"}:
                assert list(quiz.query(FooterKey)) == keys
                moved += 1
            keys = list(quiz.query(FooterKey))
        assert moved


async def test_replaced_footer_keys_are_let_go(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        quiz = await exam_of_every_item(app, pilot)
        shown = list(quiz.query(FooterKey))
        replaced = 0
        while quiz.index < len(quiz.questions) - 1:  # every kind of item: the keys change
            await quiz_key(pilot, "n")
            await settle(pilot)
            replaced += len(set(shown) - set(quiz.query(FooterKey)))
            shown = list(quiz.query(FooterKey))
        assert replaced
        gc.collect()
        kept = [k for k in gc.get_objects() if isinstance(k, FooterKey) and not k.is_attached]
        assert kept == []


async def test_widgets_of_items_left_behind_are_let_go(make: MakeApp) -> None:
    """Every item shown and left (forth and back, fields of numbers and short answers among
    them) is freed: nothing removed from the quiz stays alive for the collector to walk. (The
    quiz keeps one input per kind, hidden: a field removed for good is the next test's.)"""
    from textual.widget import Widget

    from vpkp_tutor.tui.widgets.answer_base import AnswerField

    gc.collect()
    earlier = [w for w in gc.get_objects() if isinstance(w, Widget)]  # (other tests' apps)
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        quiz = await exam_of_every_item(app, pilot)
        fields = 0
        for key, more in (("n", lambda: quiz.index < len(quiz.questions) - 1),
                          ("p", lambda: quiz.index > 0)):
            while more():
                await quiz_key(pilot, key)
                await settle(pilot)
                fields += len(quiz.query(AnswerField))
        assert fields >= 2  # items with a field were shown and left
        # A field's cursor-blink timer, cancelled when it was removed, stays in asyncio's
        # queue (its context naming the field) until its half-second comes round: wait for it
        def left_behind() -> list[str]:
            gc.collect()
            return [repr(w) for w in gc.get_objects() if isinstance(w, Widget)
                    and not w.is_attached and not any(w is e for e in earlier)]

        for _ in range(20):
            if not left_behind():
                break
            await pilot.pause(0.1)
        assert left_behind() == []
        # nor the removed widgets' rendered lines (Textual issue #6665 kept their caches)
        from textual._styles_cache import StylesCache

        live = {id(w._styles_cache) for w in gc.get_objects() if isinstance(w, Widget)}
        caches = [c for c in gc.get_objects() if isinstance(c, StylesCache)]
        assert caches and [c for c in caches if id(c) not in live] == []


async def test_a_removed_answer_field_is_let_go() -> None:
    """A number or short-answer field removed while its screen stays (a lesson's checks are
    replaced page by page; the quiz keeps one input per kind) is freed: Textual's `Input`
    subscribes to its screen's text-selection signal and never unsubscribes."""
    import weakref

    from textual.app import App

    from vpkp_tutor.tui.widgets.answer_base import AnswerField

    app: App[None] = App()
    async with app.run_test(size=(40, 8)) as pilot:
        await app.screen.mount(Static("the rest of the page"))
        field = AnswerField()
        await app.screen.mount(field)
        field.focus()
        await pilot.pause()
        gone = weakref.ref(field)
        await field.remove()
        del field
        await app.screen.mount(Static("the next page"))  # (the screen lays out afresh)
        for _ in range(20):  # (its cancelled blink timer holds it for up to half a second)
            await pilot.pause(0.1)
            gc.collect()
            if gone() is None:
                break
        assert gone() is None


async def test_the_screens_styles_apply(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 1
        app.run_attempt(app.services.build_quiz(app.learner.id, QuizSettings(count=1, seed=1)))
        await settle(pilot)
        strip = app.screen.query_one("#quiz-strip")
        assert strip.styles.height is not None and strip.styles.height.value == 1


async def test_home_keys_continue_and_resume(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", "u", "escape")  # nothing to continue: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 1
        attempt = app.services.build_quiz(app.learner.id, QuizSettings(count=2, seed=1))
        app.screen.refresh_dashboard()
        await settle(pilot)
        assert "↻ Resume tutor quiz" in str(app.screen.query_one("#dashboard").content)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen) and app.screen.attempt.id == attempt.id


def test_gc_pacing() -> None:
    assert gc.isenabled()
    try:
        gc_pacing.resume_collection()  # harmless without a hold
        assert gc.isenabled()
        gc.disable()  # a pause begun before the app (the command line may do this)
        gc_pacing.hold_start_up()
        assert not gc.isenabled()
        gc_pacing.settle_heap()
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc_pacing.release_heap()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_full_collection_that_is_due_runs_when_asked() -> None:
    """`collect_if_due` runs the full collection Python would soon start itself (and only
    then), so that a quiz can have it while the learner reads, not on their next key."""
    gc.collect()
    for _ in range(gc_pacing.FULL_SOON - 1):
        gc.collect(1)
    assert gc.get_count()[2] == gc_pacing.FULL_SOON - 1
    gc_pacing.collect_if_due()  # not due yet: nothing runs
    assert gc.get_count()[2] == gc_pacing.FULL_SOON - 1
    gc.collect(1)
    gc_pacing.collect_if_due()
    assert gc.get_count()[2] == 0


async def test_the_quiz_collects_while_the_learner_reads(make: MakeApp) -> None:
    """Moving on with a full collection due: it runs once the new item is drawn."""
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        quiz = await exam_of_every_item(app, pilot)
        gc.collect()
        for _ in range(gc_pacing.FULL_SOON):
            gc.collect(1)
        await quiz_key(pilot, "n")
        await settle(pilot)
        assert quiz.index == 1 and gc.get_count()[2] < gc_pacing.FULL_SOON


async def exam_of_every_item(app: VpkpApp, pilot: Pilot[None],
                             mode: QuizMode = QuizMode.EXAM) -> QuizScreen:
    """An exam (or a quiz in `mode`) of every question in the test bank, open on its first
    item."""
    await settle(pilot)
    attempt = app.services.build_quiz(
        app.learner.id, QuizSettings(mode=mode, count=len(QUESTIONS), seed=2)
    )
    app.run_attempt(attempt)
    await settle(pilot)
    quiz = app.screen
    assert isinstance(quiz, QuizScreen)
    return quiz
