"""Quiz journeys by keyboard at 80×24, reading what to press from the screen: a tutor quiz
meeting every question type, a timed exam left with open items and submitted after its
limit (Results and History agree on the time used), and a spaced review session."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot

from tests.tui.bank import (
    CASE,
    MATCHING,
    NUMERIC,
    ORDERING,
    QUESTIONS,
    SINGLE,
    FakeClock,
    make_bank,
)
from tests.tui.conftest import MakeApp
from tests.tui.helpers import quiz_key, settle
from vpkp_tutor.bootstrap import LaunchOptions, make_app
from vpkp_tutor.domain.model import ContentBank, Question, QuestionType
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.storage import open_store
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.progress import ProgressScreen
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen
from vpkp_tutor.tui.screens.results import ResultsScreen

SIZE = (80, 24)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         clock: FakeClock) -> Iterator[Callable[..., VpkpApp]]:
    """The app as the CLI builds it, over a real store in `tmp_path`, with the test bank
    (or `content`), the frozen clock and a learner (no picker); user folders kept inside
    `tmp_path`."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("VPKP_TUTOR_DATA", str(tmp_path / "data"))
    store = open_store(tmp_path / "data", daily_backups=False)

    def build(content: ContentBank | None = None) -> VpkpApp:
        app = make_app(LaunchOptions(learner="Dr Test"), content or make_bank(), store)
        app.services.clock = clock
        return app

    yield build
    store.close()


def screen_text(pilot: Pilot[None]) -> str:
    """The characters on the 80×24 screen, as the terminal shows them."""
    app = pilot.app
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()


async def press_until(pilot: Pilot[None], key: str, done, limit: int = 20) -> None:  # type: ignore[no-untyped-def]
    """Press `key` until `done()` holds."""
    for _ in range(limit):
        if done():
            return
        await pilot.press(key)
        await settle(pilot)
    assert done(), f"pressing {key} {limit} times did not get there"


async def set_field(pilot: Pilot[None], field_id: str, text: str) -> None:
    """Tab to a builder field and type `text` over its value."""
    await press_until(pilot, "tab", lambda: getattr(pilot.app.focused, "id", None) == field_id)
    await pilot.press("end", *["backspace"] * 4, *text)


def letter_of(screen: str, text: str) -> str:
    """The option letter the screen shows before `text`."""
    match = re.search(rf"\b([A-H])\. {re.escape(text)}", screen)
    assert match, f"{text!r} is not on screen:\n{screen}"
    return match.group(1).lower()


def shown_order(screen: str, question: Question) -> list[int]:
    """The ordering item's rows as on screen, as indexes into the key order."""
    texts = [o.text for o in question.options]
    rows = re.findall(r"^\W*(\d+)\.\s+(.+?)\s*$", screen, re.MULTILINE)
    order = [texts.index(t) for _, t in rows if t in texts]
    assert sorted(order) == list(range(len(texts))), screen
    return order


async def answer_from_screen(pilot: Pilot[None], question: Question,
                             screen: str | None = None) -> None:
    """Answer `question` correctly with the keys the screen shows (`screen`, as read before
    any key was pressed on this item, or now), then Enter."""
    screen = screen or screen_text(pilot)
    qtype = question.type
    if qtype in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
        assert "choose · Enter answers" in screen
        keyed = question.options["ABCDEFGH".index(question.key or "A")].text
        await pilot.press(letter_of(screen, keyed))
    elif qtype is QuestionType.MULTIPLE_RESPONSE:
        assert "toggle · Enter answers" in screen
        for key in question.keys:
            await pilot.press(letter_of(screen, question.options["ABCDEFGH".index(key)].text))
    elif qtype is QuestionType.ORDERING:
        assert "shift+↑/shift+↓" in screen
        cursor = 0  # a fresh item's cursor is on the top row
        for target in range(len(question.options)):
            row = shown_order(screen_text(pilot), question).index(target)
            await pilot.press(*["down"] * (row - cursor), *["shift+up"] * (row - target))
            await settle(pilot)
            cursor = target
        assert shown_order(screen_text(pilot), question) == list(range(len(question.options)))
    elif qtype is QuestionType.MATCHING:
        assert "match it, moves down" in screen
        legend = dict((text.strip(), n) for n, text in
                      re.findall(r"^\W*(\d) (\S.*?)\s*$", screen.split("Matches:")[1],
                                 re.MULTILINE))
        for pair in question.pairs:  # each digit moves down a row, as the hint says
            await pilot.press(legend[pair.right])
    elif qtype is QuestionType.TRAJECTORY:  # the ideal path; f declares the final position
        assert "f final" in screen
        from vpkp_tutor.tui.widgets.trajectory import ideal_keys

        await pilot.press(*ideal_keys(question.geometry))  # type: ignore[union-attr]
        await settle(pilot)
        await say_how_sure(pilot)
        return
    elif qtype is QuestionType.SHORT_ANSWER:
        assert "Type the answer" in screen
        await pilot.press(*question.answers[0].text)
    else:
        assert "Type a number" in screen
        await pilot.press(*f"{question.answer:g}")
    await pilot.press("enter")
    await settle(pilot)
    await say_how_sure(pilot)


async def say_how_sure(pilot: Pilot[None], key: str = "1") -> None:
    """Answer the confidence question the app asks after each answer (on by default)."""
    screen = screen_text(pilot)
    assert "How sure are you?" in screen, screen
    await pilot.press(key)
    await settle(pilot)


async def test_tutor_quiz_meets_every_question_type(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QuizBuilderScreen)
        await set_field(pilot, "count", str(len(QUESTIONS)))
        await pilot.press("ctrl+s")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        met = set()
        for i in range(len(QUESTIONS)):
            question = quiz.question
            screen = screen_text(pilot)
            assert f"Item {i + 1} of {len(QUESTIONS)}" in screen
            assert f"[{i + 1}·]" in screen  # the strip shows where we are
            if question.type in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
                await pilot.press("enter")  # nothing chosen: nothing submitted
                await settle(pilot)
                assert "Choose an option first" in screen_text(pilot)
                assert question.id not in quiz.answers
            await answer_from_screen(pilot, question, screen)
            assert "✓ Correct" in screen_text(pilot), question.type
            met.add(question.type)
            await quiz_key(pilot, "n")
            await settle(pilot)
        assert met == set(QuestionType)
        await quiz_key(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        screen = screen_text(pilot)
        assert f"Score {len(QUESTIONS)} / {len(QUESTIONS)}" in screen
        assert f"Answered {len(QUESTIONS)}/{len(QUESTIONS)}" in screen


async def test_timed_exam_left_open_then_submitted_past_its_limit(make: MakeApp, clock: FakeClock) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("down", "enter")  # the mode box has the focus: Timed exam
        await set_field(pilot, "count", "3")
        await set_field(pilot, "minutes", "1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.mode is QuizMode.EXAM
        assert "⏱ 1:00" in screen_text(pilot)
        await answer_from_screen(pilot, quiz.question)  # saved, moves to item 2
        assert "1/3 answered" in screen_text(pilot)
        clock.advance(seconds=20)
        await quiz_key(pilot, "escape")  # leave with two items open
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Resume" in screen_text(pilot)
        clock.advance(seconds=51)  # back after the limit (71 s since the start)
        await pilot.press("u")
        await settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)  # submitted at once
        screen = screen_text(pilot)
        assert "Time used 1:00" in screen and "Answered 1/3" in screen
        assert "2 unanswered" in screen
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        await pilot.press("4")
        await settle(pilot)
        row = next(line for line in screen_text(pilot).splitlines() if "exam · " in line)
        assert "1/3 answered" in row and "1:00" in row  # as on Results


async def test_spaced_review_session_by_keyboard(make: MakeApp, clock: FakeClock) -> None:
    app = make(content=ContentBank(questions=(SINGLE, ORDERING, MATCHING, NUMERIC),
                                   fingerprint="review"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.services.build_quiz(app.learner.id, QuizSettings(count=4, seed=2))
        for qid in first.question_ids:  # all missed: all come back for review
            app.services.record_answer(first.id, qid, None, 5.0)
        app.services.finish_quiz(first.id)
        clock.advance(days=30)
        due = app.services.due_count(app.learner.id)
        assert due == 4
        await pilot.press("r")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.mode is QuizMode.REVIEW
        assert "Review · Item 1 of 4" in screen_text(pilot)
        for _ in range(due):
            await answer_from_screen(pilot, quiz.question)
            assert "✓ Correct" in screen_text(pilot)  # review shows feedback at once
            await quiz_key(pilot, "n")
            await settle(pilot)
        await quiz_key(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert "Results — Spaced review" in screen_text(pilot)
        assert app.services.due_count(app.learner.id) == 0
        await pilot.press("escape")
        await settle(pilot)
        assert "Nothing due for spaced review" in screen_text(pilot)


async def test_history_shows_score_and_time_beside_a_long_case_title(make: MakeApp) -> None:
    """At 80×24 the history's Score and Time stay on screen whatever the case's title: what
    was done comes last, and only it is cut."""
    import msgspec

    long_case = msgspec.structs.replace(
        CASE, title="A lytic L1 metastasis with a broken posterior wall, seen late at night")
    app = make(content=ContentBank(questions=(SINGLE,), cases=(long_case,),
                                   fingerprint="long-case"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run = app.services.start_case(app.learner.id, long_case.id)
        app.services.record_case_choice(run.id, "inject-now")  # a never event ends it
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        row = next(line for line in screen_text(pilot).splitlines() if "never event" in line)
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d +never event +\d+:\d\d +Case · A lytic",
                         row), row
