"""The course picker: the courses opened together (`--content A --content B`), each with its
title, version and how many of its questions the learner has answered; it dismisses with
the id of the course chosen, or None.

Titles come from content files: they are shown literally. The counts are read in a thread
once the list is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.model import Course
from vpkp_tutor.tui.dialogs.base import Dialog
from vpkp_tutor.tui.widgets.text import literal


def course_prompt(course: Course, open_now: bool, answered: int | None) -> Content:
    """One course in the list: its title, version, and (once read) the learner's answers."""
    head = Content.assemble(literal(course.title or course.id, "bold"),
                            literal(f"  version {course.version}" if course.version else "",
                                    "dim"))
    what = ("" if answered is None
            else f"{answered} question{'s' if answered != 1 else ''} answered")
    note = " · ".join(x for x in ("open now" if open_now else "", what) if x)
    return Content.assemble(head, "\n", Content.styled(note or " ", "$text-muted"))


class CoursePickerDialog(Dialog[str | None]):
    """Choose which of the open courses to study (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="course_picker.close"),
    ]
    """Escape closes without switching; Enter (or a click) chooses."""

    def __init__(self, courses: tuple[Course, ...], open_id: str,
                 answered: Callable[[], dict[str, int]]) -> None:
        super().__init__(id="course-picker")
        self.courses = courses
        """The courses to choose from, in the order named on the command line."""
        self.open_id = open_id
        """The id of the course open now."""
        self._answered = answered

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Switch course", "bold"), classes="dialog-title")
            yield OptionList(
                *[Option(course_prompt(c, c.id == self.open_id, None), id=c.id)
                  for c in self.courses], id="courses")
            yield Static(Content.styled("enter: study this course   escape: stay", "dim"),
                         classes="dialog-foot")

    def on_mount(self) -> None:
        courses = self.query_one("#courses", OptionList)
        courses.highlighted = next(
            (i for i, c in enumerate(self.courses) if c.id == self.open_id), 0)
        courses.focus()
        self._read_counts()

    @work(thread=True, exit_on_error=False)
    def _read_counts(self) -> None:
        counts = self._answered()
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        options = self.query_one("#courses", OptionList)
        for c in self.courses:
            options.replace_option_prompt(
                c.id, course_prompt(c, c.id == self.open_id, counts.get(c.id, 0)))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
