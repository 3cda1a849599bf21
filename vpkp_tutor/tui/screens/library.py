"""The lesson library: lessons grouped by topic with their completion state."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.model import Lesson
from vpkp_tutor.domain.progress import LessonProgress
from vpkp_tutor.tui.messages import OpenLesson
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.text import literal


def lesson_prompt(lesson: Lesson, progress: LessonProgress | None) -> Content:
    """Status mark, title, time and summary of one lesson, shown literally."""
    steps = len(lesson.steps)
    if progress is not None and progress.completed:
        status = Content.styled("✓ done    ", "$success")
    elif progress is not None:
        status = Content.styled(f"◐ {min(progress.position + 1, steps)}/{steps:<5}", "$warning")
    else:
        status = Content.styled("○ new     ", "$text-muted")
    return Content.assemble(
        status, literal(lesson.title, "bold"), (f"  {lesson.estimated_minutes} min", "dim")
    )


def lesson_detail(lesson: Lesson) -> Content:
    """Summary and objectives of the highlighted lesson, shown literally."""
    lines = [literal(lesson.summary)]
    lines += [Content.assemble(("• ", "$accent"), literal(o.text, "dim")) for o in lesson.objectives]
    return Content("\n").join(lines)


class LibraryScreen(VpkpScreen):
    """Pick a lesson to read."""

    HOW_TO: ClassVar[str] = (
        "Lessons by topic. ↑/↓ choose, Enter opens the lesson at the step you reached. "
        "✓ done · ◐ started · ○ new."
    )

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Content.assemble(
                ("Lessons", "bold"), ("  ↑/↓ choose · Enter reads · ✓ done ◐ started ○ new", "dim")
            ),
            classes="screen-title",
        )
        yield OptionList(id="lessons", classes="browse-list")
        yield Static(id="lesson-detail", classes="browse-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Lessons"
        self.fill()
        options = self.query_one("#lessons", OptionList)
        options.focus()
        options.highlighted = next(
            (
                i
                for i in range(options.option_count)
                if not options.get_option_at_index(i).disabled
            ),
            None,
        )

    def on_screen_resume(self) -> None:
        """Refresh completion marks after reading."""
        if self.study_app.learner is None:
            return
        options = self.query_one("#lessons", OptionList)
        highlighted = options.highlighted
        self.fill()
        options.highlighted = highlighted

    def fill(self) -> None:
        """List the lessons by topic with the learner's progress."""
        progress = self.services.lesson_progress(self.learner.id)
        options = self.query_one("#lessons", OptionList)
        options.clear_options()
        grouped = self.services.lessons_by_topic()
        if not grouped:
            options.add_option(Option(Content("No lessons are loaded."), disabled=True))
        for topic, lessons in grouped.items():
            done = sum(1 for x in lessons if (p := progress.get(x.id)) and p.completed)
            options.add_option(
                Option(
                    Content.styled(f"{topic.label} — {done}/{len(lessons)} done", "bold $accent"),
                    disabled=True,
                )
            )
            for lesson in lessons:
                options.add_option(
                    Option(lesson_prompt(lesson, progress.get(lesson.id)), id=lesson.id)
                )

    @on(OptionList.OptionHighlighted, "#lessons")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        lesson = None if event.option.id is None else self.services.lesson(event.option.id)
        detail = self.query_one("#lesson-detail", Static)
        detail.update("" if lesson is None else lesson_detail(lesson))

    @on(OptionList.OptionSelected, "#lessons")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(OpenLesson(event.option.id))
