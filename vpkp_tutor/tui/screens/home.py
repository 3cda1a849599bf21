"""The home dashboard: per-topic progress, items due for review, continue where you left off,
weakest objectives and quick actions.

This is the first screen after the picker, so it imports only light widgets; every other
screen is imported by the app when it is opened.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, Static

from vpkp_tutor.domain.progress import Dashboard
from vpkp_tutor.tui.messages import OpenLesson, RunQuiz
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.bars import bar, percent
from vpkp_tutor.tui.widgets.text import literal

TOPIC_WIDTH = 26


def topic_table(dashboard: Dashboard) -> Content:
    """Per-topic rows: lessons done, accuracy and a mastery bar."""
    head = Content.styled(
        f"{'Topic':<{TOPIC_WIDTH}} {'Lessons':>7} {'Accuracy':>8}  Mastery", "bold"
    )
    lines = [head]
    for row in dashboard.topics:
        m = row.mastery
        accuracy = m.accuracy if m.answered_items else None
        lines.append(
            Content.assemble(
                f"{row.topic.label:<{TOPIC_WIDTH}.{TOPIC_WIDTH}} ",
                f"{row.lessons_done:>3}/{row.lessons_total:<3} ",
                f"{percent(accuracy):>8}  ",
                bar(m.value),
                f" {percent(m.value):>4}",
            )
        )
    return Content("\n").join(lines)


class HomeScreen(VpkpScreen):
    """The dashboard."""

    HOW_TO: ClassVar[str] = (
        "Your progress by topic. Press l for lessons, q to build a quiz, r for spaced review, "
        "c for cases and g for progress charts. Tab moves between the buttons; Enter presses."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "app.open_library", "Lessons", id="home.lessons"),
        Binding("q", "app.open_quiz_builder", "Quiz", id="home.quiz"),
        Binding("r", "app.start_review", "Review", id="home.review"),
        Binding("c", "app.open_cases", "Cases", id="home.cases"),
        Binding("g", "app.open_progress", "Progress", id="home.progress"),
    ]
    """Quick actions."""

    def __init__(self) -> None:
        super().__init__(id="home")
        self.dashboard: Dashboard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home-body"):
            yield Static(id="greeting")
            with Horizontal(id="continue-row"):
                yield Button("Continue lesson", id="continue-lesson", compact=True)
                yield Button("Resume quiz", id="resume-quiz", compact=True, variant="warning")
            with Horizontal(id="actions"):
                yield Button("Lessons (l)", id="act-lessons", compact=True, action="app.open_library")
                yield Button("Quiz (q)", id="act-quiz", compact=True, action="app.open_quiz_builder")
                yield Button("Review (r)", id="act-review", compact=True, action="app.start_review")
                yield Button("Cases (c)", id="act-cases", compact=True, action="app.open_cases")
                yield Button("Progress (g)", id="act-progress", compact=True, action="app.open_progress")
            yield Static(id="topic-table")
            yield Static(id="weakest")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_dashboard()
        for button_id in ("#resume-quiz", "#continue-lesson", "#act-lessons"):
            button = self.query_one(button_id, Button)
            if button.display:
                button.focus(scroll_visible=False)
                break

    def on_screen_resume(self) -> None:
        """Reload when coming back from another screen."""
        if self.dashboard is not None and self.study_app.learner is not None:
            self.refresh_dashboard()

    def refresh_dashboard(self) -> None:
        """Read the dashboard from services and show it."""
        dashboard = self.services.dashboard(self.learner.id)
        self.dashboard = dashboard
        learner = dashboard.learner
        self.sub_title = learner.display_name
        extra = " · ".join(x for x in (learner.program, learner.level) if x)
        due = dashboard.due_count
        due_text = (
            Content.styled(f"{due} item{'s' if due != 1 else ''} due for spaced review (r)", "bold $warning")
            if due
            else Content.styled("Nothing due for spaced review", "$text-muted")
        )
        greeting = Content.assemble(
            ("Welcome, ", "bold"), literal(learner.display_name, "bold"),
            ("  " if extra else ""), literal(extra, "dim"), "\n", due_text,
        )
        self.query_one("#greeting", Static).update(greeting)
        self._show_continue(dashboard)
        self.query_one("#topic-table", Static).update(topic_table(dashboard))
        self.query_one("#weakest", Static).update(self._weakest(dashboard))

    def _show_continue(self, dashboard: Dashboard) -> None:
        lesson_button = self.query_one("#continue-lesson", Button)
        quiz_button = self.query_one("#resume-quiz", Button)
        progress = dashboard.continue_lesson
        lesson = None
        if progress is not None:
            try:
                lesson = self.services.content.lesson(progress.lesson_id)
            except KeyError:
                lesson = None
        lesson_button.display = lesson is not None
        if lesson is not None and progress is not None:
            step = min(progress.position + 1, len(lesson.steps))
            lesson_button.label = Content.assemble(
                "▶ Continue: ", literal(lesson.title), f" (step {step}/{len(lesson.steps)})"
            )
        attempt = dashboard.unfinished_attempt
        quiz_button.display = attempt is not None
        if attempt is not None:
            mode = attempt.settings.mode.value
            quiz_button.label = Content(
                f"↻ Resume {mode} quiz · {len(attempt.responses)}/{len(attempt.question_ids)} answered"
            )
        self.query_one("#continue-row").display = lesson is not None or attempt is not None

    def _weakest(self, dashboard: Dashboard) -> Content:
        if not dashboard.weakest_objectives:
            return Content.styled(
                "Weakest objectives appear here once you have answered some questions.",
                "$text-muted",
            )
        texts = {
            o.id: o.text for lesson in self.services.content.lessons for o in lesson.objectives
        }
        lines = [Content.styled("Weakest objectives", "bold")]
        for m in dashboard.weakest_objectives[:3]:
            lines.append(
                Content.assemble(
                    bar(m.value, 6), f" {percent(m.value):>4}  ", literal(texts.get(m.key, m.key))
                )
            )
        return Content("\n").join(lines)

    @on(Button.Pressed, "#continue-lesson")
    def _continue_lesson(self) -> None:
        if self.dashboard is not None and self.dashboard.continue_lesson is not None:
            self.post_message(OpenLesson(self.dashboard.continue_lesson.lesson_id))

    @on(Button.Pressed, "#resume-quiz")
    def _resume_quiz(self) -> None:
        attempt = self.services.unfinished_attempt(self.learner.id)
        if attempt is not None:
            self.post_message(RunQuiz(attempt))
        else:
            self.refresh_dashboard()
