"""The quiz builder: mode (tutor, timed exam, spaced review), topics, number of items,
difficulty, pool and the exam time limit.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import (
    Button,
    Header,
    Input,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from vpkp_tutor.domain.model import Difficulty
from vpkp_tutor.domain.progress import Pool, QuizMode, QuizSettings
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.field import Field
from vpkp_tutor.tui.widgets.footer import KeyFooter

MODES: tuple[tuple[QuizMode, str], ...] = (
    (QuizMode.TUTOR, "Tutor — explain each answer"),
    (QuizMode.EXAM, "Timed exam — results at end"),
    (QuizMode.REVIEW, "Spaced review — due items"),
)
POOLS: tuple[tuple[Pool, str], ...] = (
    (Pool.ALL, "All items"),
    (Pool.UNUSED, "Unused (never answered)"),
    (Pool.INCORRECT, "Answered incorrectly"),
    (Pool.FLAGGED, "Flagged"),
)
MAX_ITEMS = 200


class QuizBuilderScreen(VpkpScreen):
    """Choose what to be quizzed on."""

    HOW_TO: ClassVar[str] = (
        "Tab moves between the boxes; ↑/↓ and Enter (or space) choose inside a box. Topics: "
        "tick none for all. Tutor mode explains each answer at once; a timed exam shows a "
        "countdown, lets you move freely between items and submits itself at zero; spaced "
        "review asks the items that are due. ctrl+s starts."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start quiz", id="builder.start", priority=True),
    ]
    """Start the quiz."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content.styled("Build a quiz", "bold"), classes="screen-title")
        with Horizontal(id="builder"):
            with Vertical(id="builder-left"):
                yield Static("Mode", classes="field-label")
                with RadioSet(id="mode"):
                    for i, (_, label) in enumerate(MODES):
                        yield RadioButton(Content(label), value=i == 0)
                yield Static("Pool", classes="field-label")
                with RadioSet(id="pool"):
                    for i, (_, label) in enumerate(POOLS):
                        yield RadioButton(Content(label), value=i == 0)
                with Horizontal(classes="field-row"):
                    yield Static("Difficulty", classes="field-label inline")
                    yield Select(
                        [(Content(d.value.title()), d.value) for d in Difficulty],
                        prompt="Any",
                        id="difficulty",
                        compact=True,
                    )
            with Vertical(id="builder-right"):
                yield Static("Topics (none ticked = all)", classes="field-label")
                yield SelectionList[str](
                    *[Selection(Content(t.label), t.id) for t in self.services.topics()],
                    id="topics",
                )
                with Horizontal(classes="field-row"):
                    yield Static("Items", classes="field-label inline")
                    yield Field("10", type="integer", id="count", compact=True, max_length=3)
                with Horizontal(classes="field-row", id="time-row"):
                    yield Static("Minutes", classes="field-label inline")
                    yield Field("15", type="integer", id="minutes", compact=True, max_length=3)
        with Horizontal(id="builder-foot"):
            yield Button("Start quiz (ctrl+s)", id="start", variant="primary", compact=True)
            yield Static(id="builder-note")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Quiz builder"
        self.query_one("#mode", RadioSet).focus()
        self._mode_changed()

    @property
    def mode(self) -> QuizMode:
        """The chosen mode."""
        return MODES[max(0, self.query_one("#mode", RadioSet).pressed_index)][0]

    @on(RadioSet.Changed, "#mode")
    def _mode_changed(self) -> None:
        mode = self.mode
        self.query_one("#time-row").display = mode is QuizMode.EXAM
        note = {
            QuizMode.TUTOR: "Feedback after every answer.",
            QuizMode.EXAM: "Countdown; results at the end.",
            QuizMode.REVIEW: "Topics and difficulty narrow the due items.",
        }[mode]
        self.query_one("#builder-note", Static).update(Content.styled(note, "dim"))

    def settings(self) -> QuizSettings | str:
        """The settings chosen, or a message saying what to fix."""
        count_text = self.query_one("#count", Input).value.strip()
        if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_ITEMS:
            return f"Items must be a whole number from 1 to {MAX_ITEMS}."
        mode = self.mode
        time_limit: int | None = None
        if mode is QuizMode.EXAM:
            minutes = self.query_one("#minutes", Input).value.strip()
            if not minutes.isdigit() or not 1 <= int(minutes) <= 300:
                return "Minutes must be a whole number from 1 to 300."
            time_limit = int(minutes) * 60
        difficulty_value = self.query_one("#difficulty", Select).value
        difficulty = (
            Difficulty(difficulty_value) if isinstance(difficulty_value, str) else None
        )
        topics = tuple(str(v) for v in self.query_one("#topics", SelectionList).selected)
        pool = POOLS[max(0, self.query_one("#pool", RadioSet).pressed_index)][0]
        return QuizSettings(
            mode=mode,
            topics=topics,
            count=int(count_text),
            difficulty=difficulty,
            pool=pool,
            time_limit_s=time_limit,
        )

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        """Build the quiz and run it."""
        settings = self.settings()
        if isinstance(settings, str):
            self.query_one("#builder-note", Static).update(Content.styled(settings, "$error"))
            return
        self.study_app.start_quiz(settings)
