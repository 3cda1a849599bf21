"""Display injection: content (and learner names) holding Textual/Rich markup, ANSI/OSC/DCS
escape sequences, C0/C1 control characters and bidi overrides.

- The loader strips escapes, controls and bidi overrides (with a warning) and keeps markup
  as plain text.
- The lesson reader, quiz, case player, debrief, home screen and learner picker show the
  markup literally; clicking across it runs no action and opens nothing.
- No escape sequence from content reaches the host terminal: a full redraw of every screen
  is rendered to the byte stream the terminal would receive, and apart from the cursor
  moves and colours Textual itself writes, it holds no escape, control or bidi character.
  A bank built straight from domain objects (bypassing the loader) checks the TUI's own
  second line of defence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from msgspec import Struct, structs
from rich.text import Text
from textual.content import Content
from textual.widgets import OptionList

from tests.faults.hostile import FORBIDDEN, MARKUP, PAYLOAD, write_content
from tests.tui.helpers import settle
from vpkp_tutor.bootstrap import LaunchOptions, make_app
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.storage import SqliteProgressStore, open_store
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.messages import OpenCase, OpenLesson

SIZE = (160, 60)
HOSTILE_NAME = "Dr [@click=app.quit]Q[/] [link=file:///etc/passwd]x[/link] \x1b]0;T\x07\u202eN"
"""A learner name typed with markup, an escape sequence and a bidi override."""
EXTRA_MARKS = "\u200e\u200f"
"""Bidi marks the TUI removes too (used in the raw bank)."""


# -- helpers -----------------------------------------------------------------------------------

def field_names(value: Any) -> list[str]:
    """The public fields of a domain record."""
    return [f.name for f in structs.fields(value) if not f.name.startswith("_")]


def strings(value: Any) -> Iterator[str]:
    """Every string inside a bank (records, tuples; enums' values excluded)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Struct):
        for name in field_names(value):
            yield from strings(getattr(value, name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from strings(item)


def assert_terminal_clean(app: VpkpApp, *, header: bool = True) -> None:
    """A full redraw of the screen, as the terminal would get it, carries no escape, control
    or bidi character inside its text, and no hyperlink: the only escape sequences written
    are Textual's own cursor moves and colours. `header=False` leaves out the top row (see
    `test_header_title_of_raw_content`)."""
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens)
    bad: set[str] = set()
    links: set[str] = set()
    for row, line in enumerate(update.strips):  # type: ignore[attr-defined]
        if row == 0 and not header:
            continue
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue
                bad |= set(segment.text) & (FORBIDDEN | set(EXTRA_MARKS))
                if segment.style is not None and segment.style.link:
                    links.add(segment.style.link)
    assert not bad, f"{type(app.screen).__name__}: {sorted(bad)!r} would reach the terminal"
    assert not links, f"{type(app.screen).__name__}: hyperlinks {links}"


def rendered_text(app: VpkpApp) -> str:
    """The text every widget on the screen renders, one widget per line."""
    out = []
    for widget in app.screen.query("*"):
        try:
            r = widget.render()
        except Exception:  # some containers render nothing useful
            continue
        if isinstance(r, Content | Text | str):
            out.append(str(r))
        if isinstance(widget, OptionList):
            out += [str(option.prompt) for option in widget.options]
    return "\n".join(out)


def assert_markup_literal(app: VpkpApp, label: str, times: int = 1) -> None:
    """The labelled text is on screen with every piece of markup exactly as typed (line
    wrapping aside: runs of whitespace count as one space)."""
    text = " ".join(rendered_text(app).split())
    shown = text.split(f"{label}:")[1:]
    assert len(shown) >= times, (
        f"{label!r} not shown on {type(app.screen).__name__}:\n" + "\n".join(screen_lines(app)))
    for after in shown:
        for piece in MARKUP:
            assert piece in after[:400], f"{piece!r} missing from {label!r}: {after[:200]!r}"


def screen_lines(app: VpkpApp) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens)
    return ["".join(seg.text for strip in line for seg in strip if not seg.control)
            for line in update.strips]  # type: ignore[attr-defined]


async def click_the_markup(pilot: Any, app: VpkpApp, limit: int = 4) -> int:
    """Click on every visible spot where markup would have made an action or a link (the
    text of `[@click=app.quit]Quit now[/]` and of `[link=…]x[/link]`); return how many."""
    spots = []
    for y, line in enumerate(screen_lines(app)):
        for needle, shift in (("Quit now", 2), ("passwd]x", 7), ("]Q[", 1)):
            x = line.find(needle)
            while x != -1:
                spots.append((x + shift, y))
                x = line.find(needle, x + 1)
    for x, y in spots[:limit]:
        await pilot.click(offset=(x, y))
    await settle(pilot)
    return len(spots[:limit])


def assert_still_running(app: VpkpApp, opened: list[str]) -> None:
    assert app.is_running and app.return_code is None
    assert opened == [], f"opened {opened}"


ANSWER_BY_TYPE: dict[str, Any] = {
    "single_best": lambda q: "A", "true_false": lambda q: "B",
    "multiple_response": lambda q: ("A", "C"), "ordering": lambda q: (1, 0, 2),
    "matching": lambda q: (q.right_choices[0], q.right_choices[1]), "numeric": lambda q: 3.0,
}
"""An answer to give each question type (set on the input, then Enter)."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteProgressStore]:
    st = open_store(tmp_path / "data", daily_backups=False)
    yield st
    st.close()


@pytest.fixture
def hostile_bank(tmp_path: Path) -> ContentBank:
    bank = load_content([write_content(tmp_path / "content")])
    assert not bank.errors, bank.errors
    return bank


def raw(text: str) -> str:
    """Replace a cleaned field with the raw payload again (keeping its label)."""
    label = text.split(":", 1)[0]
    return f"{label}: {PAYLOAD}{EXTRA_MARKS}"


def raw_bank(bank: ContentBank) -> ContentBank:
    """The hostile bank with the raw, uncleaned payload back in every labelled field."""

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return raw(value) if ":" in value and "[@click" in value else value
        if isinstance(value, Struct):
            changes = {n: fix(getattr(value, n)) for n in field_names(value)}
            if isinstance(value, ContentBank):  # derived again from the fixed questions
                changes.update(question_meta=(), _index={})
            return structs.replace(value, **changes)
        if isinstance(value, tuple):
            return tuple(fix(v) for v in value)
        return value

    fixed = fix(bank)
    assert isinstance(fixed, ContentBank)
    return fixed


def app_for(bank: ContentBank, store: SqliteProgressStore, monkeypatch: pytest.MonkeyPatch,
            learner: str = "Dr Test") -> tuple[VpkpApp, list[str]]:
    store.set_setting("ask_confidence", "off")  # hostile text, not confidence, is tested
    app = make_app(LaunchOptions(learner=learner), bank, store)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    return app, opened


# -- the loader ------------------------------------------------------------------------------

def test_loader_strips_escapes_controls_and_bidi_and_keeps_markup(
        hostile_bank: ContentBank) -> None:
    texts = [s for s in strings(hostile_bank) if "[@click" in s]
    assert len(texts) >= 50  # every hostile field made it through
    for s in texts:
        assert not set(s) & FORBIDDEN, repr(s)
        assert all(piece in s for piece in MARKUP)
        assert "PWNED-TITLE" not in s and "cHduZWQ" not in s  # OSC payloads go entirely
    warned = [p for p in hostile_bank.warnings if "control characters" in p.message]
    assert len(warned) == len(texts)


# -- the screens -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw_content", [False, True], ids=["loaded", "raw"])
async def test_lesson_reader(hostile_bank: ContentBank, store: SqliteProgressStore,
                             monkeypatch: pytest.MonkeyPatch, raw_content: bool) -> None:
    bank = raw_bank(hostile_bank) if raw_content else hostile_bank
    app, opened = app_for(bank, store, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(OpenLesson("hostile-lesson"))
        await settle(pilot)
        assert type(app.screen).__name__ == "LessonScreen"
        for label in ("lesson title", "step title", "step body", "diagram", "stem host-sb",
                      "option 0", "option 2"):
            assert_markup_literal(app, label)
        assert_terminal_clean(app, header=not raw_content)
        assert await click_the_markup(pilot, app, limit=6) >= 6
        assert_still_running(app, opened)
        await pilot.press("a", "enter")  # answer the check: its feedback is hostile too
        await settle(pilot)
        assert_markup_literal(app, "explanation")
        assert_markup_literal(app, "option 0 why")
        assert_terminal_clean(app, header=not raw_content)
        await pilot.press("n", "n")  # finish: the notification names the lesson
        await settle(pilot)
        assert_still_running(app, opened)
        notes = [str(n.message) for n in app._notifications]
        assert any(all(p in n for p in MARKUP) for n in notes), notes
        assert_terminal_clean(app, header=not raw_content)


@pytest.mark.parametrize("raw_content", [False, True], ids=["loaded", "raw"])
async def test_quiz_every_question_type(hostile_bank: ContentBank, store: SqliteProgressStore,
                                        monkeypatch: pytest.MonkeyPatch,
                                        raw_content: bool) -> None:
    bank = raw_bank(hostile_bank) if raw_content else hostile_bank
    app, opened = app_for(bank, store, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.learner is not None
        attempt = app.services.build_quiz(
            app.learner.id, QuizSettings(mode=QuizMode.TUTOR, count=6, seed=3))
        app.run_attempt(attempt)
        await settle(pilot)
        seen = set()
        for _ in range(6):
            question = app.screen.question  # type: ignore[attr-defined]
            seen.add(question.type)
            assert_markup_literal(app, f"stem {question.id}")
            assert_terminal_clean(app, header=not raw_content)
            if not raw_content and len(seen) <= 2:  # clicks are slow: the first two items
                assert await click_the_markup(pilot, app, limit=3) >= 1
                assert_still_running(app, opened)
                app.screen.query_one("QuestionView").focus_answer()  # clicks moved the focus
            view = app.screen.query_one("QuestionView")
            view.input.set_value(ANSWER_BY_TYPE[question.type.value](question))
            view.focus_answer()
            await pilot.press("enter")
            await settle(pilot)
            assert_markup_literal(app, "explanation")
            assert_terminal_clean(app, header=not raw_content)
            await pilot.press("n")
            await settle(pilot)
        assert len(seen) == 6
        await pilot.press("s")
        await settle(pilot)
        assert_terminal_clean(app, header=not raw_content)
        assert_still_running(app, opened)
        assert len(store.responses(app.learner.id)) == 6


@pytest.mark.parametrize("raw_content", [False, True], ids=["loaded", "raw"])
async def test_case_and_debrief(hostile_bank: ContentBank, store: SqliteProgressStore,
                                monkeypatch: pytest.MonkeyPatch, raw_content: bool) -> None:
    bank = raw_bank(hostile_bank) if raw_content else hostile_bank
    app, opened = app_for(bank, store, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(OpenCase("hostile-case"))
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        for label in ("case title", "vignette", "narrative", "finding", "choice good",
                      "choice never"):
            assert_markup_literal(app, label)
        assert_terminal_clean(app, header=not raw_content)
        assert await click_the_markup(pilot, app) >= 4
        assert_still_running(app, opened)
        app.screen.query_one("#choices").focus()  # clicks moved the focus
        await pilot.press("2")  # the never event
        await settle(pilot)
        assert_markup_literal(app, "feedback never")
        assert_terminal_clean(app, header=not raw_content)
        assert await click_the_markup(pilot, app) >= 1
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "DebriefScreen"
        for label in ("case title", "debrief", "case reference"):
            assert_markup_literal(app, label)
        assert_terminal_clean(app, header=not raw_content)
        assert await click_the_markup(pilot, app) >= 2
        assert_still_running(app, opened)


async def test_hostile_learner_name(hostile_bank: ContentBank, store: SqliteProgressStore,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    app, opened = app_for(hostile_bank, store, monkeypatch, learner=HOSTILE_NAME)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.learner is not None
        assert type(app.screen).__name__ == "HomeScreen"
        text = rendered_text(app)
        assert "[@click=app.quit]Q[/]" in text and "[link=file:///etc/passwd]x[/link]" in text
        assert_terminal_clean(app)
        assert await click_the_markup(pilot, app) >= 1
        assert_still_running(app, opened)
        app.action_switch_learner()  # the picker lists the name too
        await settle(pilot)
        assert type(app.screen).__name__ == "LearnerScreen"
        assert "[@click=app.quit]Q[/]" in rendered_text(app)
        assert_terminal_clean(app)
        assert_still_running(app, opened)


async def test_header_title_of_raw_content(hostile_bank: ContentBank, store: SqliteProgressStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = app_for(raw_bank(hostile_bank), store, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(OpenLesson("hostile-lesson"))
        await settle(pilot)
        assert type(app.screen).__name__ == "LessonScreen"
        assert_terminal_clean(app)


async def test_header_of_a_stored_raw_name(hostile_bank: ContentBank, store: SqliteProgressStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from vpkp_tutor.domain.progress import Learner

    store.add_learner(Learner("raw-1", HOSTILE_NAME))
    app, _ = app_for(hostile_bank, store, monkeypatch, learner="raw-1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert_terminal_clean(app)
