"""The needle-trajectory drill in the app, by keys at 80×24: the ideal path scores full marks
and is stored, a never event ends the drill at once, the views switch, and nothing is
answered before the needle is in."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui.bank import TRAJECTORY
from tests.tui.conftest import MakeApp
from tests.tui.helpers import quiz_key, settle, start_quiz
from vpkp_tutor.domain import trajectory as tr
from vpkp_tutor.domain.model import ContentBank, DrillGeometry, Trajectory
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.trajectory import TrajectoryAnswer, ideal_keys

assert isinstance(TRAJECTORY, Trajectory)
GEOMETRY: DrillGeometry = TRAJECTORY.geometry
DRILL_ONLY = ContentBank(questions=(TRAJECTORY,), fingerprint="drill")


async def _open(pilot: Pilot[None], mode: QuizMode = QuizMode.TUTOR) -> TrajectoryAnswer:
    await settle(pilot)
    quiz = await start_quiz(pilot, QuizSettings(mode=mode, count=1, seed=1))
    assert isinstance(quiz, QuizScreen)
    drill = quiz.query_one(TrajectoryAnswer)
    drill.focus()
    await settle(pilot)
    return drill


def _text(drill: TrajectoryAnswer) -> str:
    return drill.draw(drill.content_size.width).plain


def _store_answers(app: VpkpApp) -> list[tuple[object, float]]:
    assert app.learner is not None
    return [(r.answer, r.points) for r in app.services.store.responses(app.learner.id)]


async def test_the_ideal_path_by_keys_scores_full_marks_and_is_stored(make: MakeApp) -> None:
    app = make(content=DRILL_ONLY)
    async with app.run_test(size=(80, 24)) as pilot:
        drill = await _open(pilot)
        assert "AP view" in _text(drill) and "Lateral view" in _text(drill)  # side by side
        keys = ideal_keys(GEOMETRY)
        await pilot.press(*keys[:-1])
        await settle(pilot)
        screen = _text(drill)
        assert "depth" in screen and screen.count("●") == 2  # the tip, in both views
        assert not app.screen.query(FeedbackView)
        await pilot.press("f")
        await settle(pilot)
        feedback = app.screen.query_one(FeedbackView)
        assert feedback.score is not None and feedback.score.correct
        notes = " ".join(str(s.render()) for s in feedback.query("Static"))
        assert "Entry" in notes and "Path safety" in notes and "Final position" in notes
        assert drill.frozen and drill.replay_length == len(tr.ideal_path(GEOMETRY))
        await pilot.pause(tr.DEPTH_STEP * 0.05 * drill.replay_length)
        await settle(pilot)
        assert "ant⅓" in _text(drill)  # the anterior third, only in feedback
    stored = _store_answers(app)
    assert len(stored) == 1 and stored[0][1] == 1.0
    path = tr.parse(stored[0][0])
    assert path is not None and path.final and path.states[-1] == tr.ideal_path(GEOMETRY)[-1]


async def test_a_never_event_ends_the_drill_at_once(make: MakeApp) -> None:
    app = make(content=DRILL_ONLY)
    async with app.run_test(size=(80, 24)) as pilot:
        drill = await _open(pilot)
        # contact at the centre of the oval, aim 30° medially, advance: the tip crosses the
        # medial wall on AP while still behind the posterior wall on lateral
        await pilot.press("plus", *["left"] * 15)
        for _ in range(12):
            await pilot.press("plus")
            if drill.never:
                break
        await settle(pilot)
        assert drill.never and drill.frozen
        assert "Never event" in _text(drill)
        feedback = app.screen.query_one(FeedbackView)
        assert feedback.score is not None and feedback.score.points == 0
        notes = " ".join(str(s.render()) for s in feedback.query("Static"))
        assert "stop and redirect" in notes
        before = drill.value
        await pilot.press("plus", "minus", "f")  # nothing moves any more
        await settle(pilot)
        assert drill.value == before
    stored = _store_answers(app)
    assert len(stored) == 1 and stored[0][1] == 0.0
    path = tr.parse(stored[0][0])
    assert path is not None and not path.final


async def test_final_before_the_needle_is_in_says_what_is_missing(make: MakeApp) -> None:
    app = make(content=DRILL_ONLY)
    async with app.run_test(size=(80, 24)) as pilot:
        drill = await _open(pilot)
        await pilot.press("right", "up", "f")
        await settle(pilot)
        hint = str(app.screen.query_one(".hint").render())
        assert "bone contact" in hint
        assert not app.screen.query(FeedbackView) and drill.value is None
        # + makes contact, - withdraws back to placing it: the contact point moves again
        await pilot.press("plus", "minus", "right")
        await settle(pilot)
        assert not drill.needle.entered and drill.needle.ex == tr.start(GEOMETRY).ex + 2
    assert _store_answers(app) == []


async def test_views_switch_with_v(make: MakeApp) -> None:
    app = make(content=DRILL_ONLY)
    async with app.run_test(size=(80, 24)) as pilot:
        drill = await _open(pilot)
        seen = []
        for _ in range(3):
            await pilot.press("v")
            await settle(pilot)
            title = _text(drill).splitlines()[0]
            seen.append(("AP view" in title, "Lateral view" in title))
        assert seen == [(True, False), (False, True), (True, True)]


async def test_narrow_shows_one_view_and_v_swaps_it(make: MakeApp) -> None:
    app = make(content=DRILL_ONLY)
    async with app.run_test(size=(60, 24)) as pilot:
        drill = await _open(pilot)
        title = _text(drill).splitlines()[0]
        assert "AP view" in title and "Lateral view" not in title
        await pilot.press("v")
        await settle(pilot)
        assert "Lateral view" in _text(drill).splitlines()[0]


async def test_exam_mode_keeps_the_path_and_moving_takes_back_the_declaration(
    make: MakeApp,
) -> None:
    app = make(content=DRILL_ONLY)
    async with app.run_test(size=(80, 24)) as pilot:
        drill = await _open(pilot, QuizMode.EXAM)
        await pilot.press(*ideal_keys(GEOMETRY))
        await settle(pilot)
        assert not app.screen.query(FeedbackView)  # exam: saved, no feedback
        assert drill.final and not drill.frozen
        await pilot.press("minus")
        await settle(pilot)
        assert not drill.final and drill.value is None
    stored = _store_answers(app)
    assert len(stored) == 1 and stored[0][1] == 1.0


async def test_the_next_drill_starts_afresh_and_the_replay_stops(make: MakeApp) -> None:
    import msgspec

    other = msgspec.structs.replace(
        TRAJECTORY, id="q-drill-2",
        geometry=msgspec.structs.replace(GEOMETRY, level="L2", side="left"))
    app = make(content=ContentBank(questions=(TRAJECTORY, other), fingerprint="drills"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        drill = quiz.query_one(TrajectoryAnswer)
        drill.focus()
        await settle(pilot)
        first = drill.question.geometry.level
        await pilot.press(*ideal_keys(drill.question.geometry))
        await settle(pilot)
        assert drill._timer is not None  # the ideal path is being replayed
        await quiz_key(pilot, "n")
        await settle(pilot)
        same = quiz.query_one(TrajectoryAnswer)
        assert same is drill  # re-targeted, not remounted
        assert drill._timer is None and drill.replay == 0 and not drill.frozen
        assert drill.question.geometry.level != first
        assert drill.needle == tr.start(drill.question.geometry) and drill.value is None
        assert f"{drill.question.geometry.level} · transpedicular" in _text(drill)


async def test_a_drill_set_aside_for_another_kind_stops_its_replay(make: MakeApp) -> None:
    """Moving from a drill whose ideal path is being replayed to an item of another kind hides
    the drill and stops the replay; coming back shows the same drill, afresh for its item."""
    from tests.tui.bank import SINGLE

    app = make(content=ContentBank(questions=(TRAJECTORY, SINGLE), fingerprint="drill+one"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        if quiz.question.id != TRAJECTORY.id:  # (the drill first)
            await quiz_key(pilot, "n")
            await settle(pilot)
        drill = quiz.query_one(TrajectoryAnswer)
        drill.focus()
        await settle(pilot)
        await pilot.press(*ideal_keys(drill.question.geometry))
        await settle(pilot)
        assert drill._timer is not None  # the ideal path is being replayed
        await pilot.press("n" if quiz.index == 0 else "p")
        await settle(pilot)
        assert quiz.question.id == SINGLE.id
        assert not drill.display and drill._timer is None  # hidden, nothing running
        replayed = drill.replay
        await pilot.pause(0.5)
        assert drill.replay == replayed
        await pilot.press("p" if quiz.index == 1 else "n")
        await settle(pilot)
        assert quiz.query_one(TrajectoryAnswer) is drill and drill.display
        assert drill.frozen  # answered: shown with its feedback again


async def test_the_quiz_keys_stay_in_the_footer_of_a_drill_at_80_columns(
        make: MakeApp) -> None:
    """The drill's advance, withdraw and views keys (named in its hint) pushed flag and
    submit off the footer; its final key stays."""
    from textual.widgets._footer import FooterKey

    from tests.tui.helpers import exam_at

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await exam_at(pilot, TRAJECTORY)
        await settle(pilot)
        shown = [k.description for k in quiz.query(FooterKey)]
        assert {"Final", "Flag", "Submit", "Help"} <= set(shown), shown
        assert not {"Advance", "Withdraw", "Views"} & set(shown)
