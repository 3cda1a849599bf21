"""Keyboard helpers for the TUI tests: answer any question correctly (or not) by keys."""

from __future__ import annotations

from typing import TypeVar, assert_never

from textual import events
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from vpkp_tutor.domain.model import (
    LETTERS,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleBest,
    Trajectory,
    TrueFalse,
)
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.screens.base import LOAD_GROUP
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.widgets.answers import AnswerInput, MatchingAnswer, OrderingAnswer
from vpkp_tutor.tui.widgets.short_answer import TextField

M = TypeVar("M", bound=Message)


async def settle(pilot: Pilot[None]) -> None:
    """Let pending messages, mounts and refreshes finish, and the thread workers that read
    what a screen shows."""
    await pilot.pause()
    loading = [w for w in pilot.app.workers if w.group == LOAD_GROUP]
    if loading:  # (an empty list would wait for every worker, a dialog's included)
        await pilot.app.workers.wait_for_complete(loading)
    await pilot.pause()
    await pilot.pause()


async def quiz_key(pilot: Pilot[None], *keys: str) -> None:
    """Press quiz keys (`n`, `p`, `m`, Escape to leave…) as a learner does: a short answer's
    field has the keys on arrival, where every letter is typed, so Escape leaves it first."""
    for key in keys:
        if isinstance(pilot.app.focused, TextField):
            await pilot.press("escape")
        await pilot.press(key)


async def answer_correctly(pilot: Pilot[None], question: Question, widget: AnswerInput) -> None:
    """Type the keyed answer into `widget` (which must be focused) and press Enter."""
    match question:
        case SingleBest() | TrueFalse():
            await pilot.press(question.key.lower())
        case MultipleResponse():
            await pilot.press(*[k.lower() for k in question.keys])
        case Ordering():
            assert isinstance(widget, OrderingAnswer)
            for target in range(len(widget.order)):
                current = widget.order.index(target)
                while widget.cursor > current:
                    await pilot.press("up")
                while widget.cursor < current:
                    await pilot.press("down")
                for _ in range(current - target):
                    await pilot.press("shift+up")
        case Matching():
            assert isinstance(widget, MatchingAnswer)
            for pair in question.pairs:
                await pilot.press(str(widget.choices.index(pair.right) + 1))
        case Numeric():
            await pilot.press(*f"{question.answer:g}")
        case Trajectory():  # f answers; Enter would advance the needle
            from vpkp_tutor.tui.widgets.trajectory import ideal_keys

            await pilot.press(*ideal_keys(question.geometry))
            await settle(pilot)
            return
        case ShortAnswer():
            await pilot.press(*question.answers[0].text)  # the field has the keys on arrival
        case _:
            assert_never(question)
    await pilot.press("enter")
    await settle(pilot)


async def answer_wrongly(pilot: Pilot[None], question: Question) -> None:
    """Choose a wrong option of a single-best or true/false question and press Enter."""
    wrong = next(LETTERS[i] for i in range(len(question.options)) if LETTERS[i] != question.key)
    await pilot.press(wrong.lower(), "enter")
    await settle(pilot)


def burst(app: App[None], *keys: str) -> None:
    """Queue keys all at once, none awaited (a fast typist, or one packet over SSH): each
    is handled after the ones before it, but a focus moved by one may not have landed when
    the next is handed on. A one-character key is that character; longer ones are key names
    ("enter", "tab")."""
    names = {" ": "space", "-": "minus", ".": "full_stop", ",": "comma"}
    characters = {"enter": "\r", "tab": "\t", "escape": "\x1b"}
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(names.get(key, key), key))
        else:
            app.post_message(events.Key(key, characters.get(key)))


def posted(messages: list[Message], kind: type[M]) -> list[M]:
    """Distinct messages of one kind seen by the hook (a bubbling message is seen once per
    node it reaches)."""
    seen: dict[int, M] = {}
    for message in messages:
        if isinstance(message, kind):
            seen.setdefault(id(message), message)
    return list(seen.values())


def link_offset(screen: Screen[None], text: str) -> tuple[int, int]:
    """Where the home dashboard draws `text` (the start of a link), relative to the
    `#dashboard` widget; the dashboard does not wrap its lines."""
    dashboard = screen.query_one("#dashboard", Static)
    for y, line in enumerate(str(dashboard.content).splitlines()):
        if text in line:
            return dashboard.styles.gutter.left + line.index(text) + 2, dashboard.styles.gutter.top + y
    raise AssertionError(f"{text!r} is not on the dashboard")


async def start_quiz(pilot: Pilot[None], settings: QuizSettings) -> QuizScreen:
    """Build an attempt for the app's learner and open it."""
    app = pilot.app
    assert isinstance(app, VpkpApp) and app.learner is not None
    attempt = app.services.build_quiz(app.learner.id, settings)
    app.run_attempt(attempt)
    await settle(pilot)
    quiz = app.screen
    assert isinstance(quiz, QuizScreen)
    return quiz


async def exam_at(pilot: Pilot[None], question: Question) -> QuizScreen:
    """An exam of every question in the app's bank, on `question` (moved to with `n`)."""
    app = pilot.app
    assert isinstance(app, VpkpApp)
    count = len(app.services.content.questions)
    quiz = await start_quiz(pilot, QuizSettings(mode=QuizMode.EXAM, count=count, seed=1))
    while quiz.question.id != question.id:
        await quiz_key(pilot, "n")
        await settle(pilot)
    return quiz


def hint_text(quiz: Screen[None]) -> str:
    """The key hint (or what is missing) under the current item."""
    return str(quiz.query_one(".hint", Static).render())
