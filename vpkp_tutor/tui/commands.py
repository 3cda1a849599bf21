"""The app's palette commands: its own system commands (home, lessons, quiz, review, cases,
progress, export, switch learner, content problems, reload content, switch course (with
several courses open), help, settings; shown beside Textual's by
`VpkpApp.get_system_commands`) and a provider of "Open lesson: …" and "Start case: …" for
every lesson and case.

Titles come from content files, so hits are built from literal `Content` and highlighted by
offsets, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from vpkp_tutor.tui.messages import OpenCase, OpenLesson
from vpkp_tutor.tui.widgets.text import clean

if TYPE_CHECKING:
    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.tui.app import VpkpApp


@dataclass(frozen=True)
class Command:
    """One palette entry."""

    name: str
    """Shown and matched against the query."""
    help: str
    """Second line in the palette."""
    run: Callable[[], object]
    """Called when chosen."""
    discoverable: bool = True
    """Listed before anything is typed."""


def app_commands(app: VpkpApp) -> list[SystemCommand]:
    """The app's own commands beside Textual's (theme, quit, keys, screenshot); "Switch
    course" only when several courses are open."""
    several = [SystemCommand("Switch course", "Study another of the courses opened together",
                             app.action_switch_course)] if len(app.courses) > 1 else []
    return [
        SystemCommand("Home", "Back to the dashboard", app.action_go_home),
        SystemCommand("Lessons", "The lesson library, by topic", partial(app.action_open, "library")),
        SystemCommand("Start a quiz", "Build a tutor, exam or review quiz",
                      partial(app.action_open, "quiz-builder")),
        SystemCommand("Spaced review", "Answer the questions due for review", app.action_start_review),
        SystemCommand("Cases", "Branching clinical cases", partial(app.action_open, "cases")),
        SystemCommand("Progress", "Charts and history", partial(app.action_open, "progress")),
        SystemCommand("Export scores", "Write your scores as CSV, JSON or xAPI", app.action_export),
        SystemCommand("Switch learner", "Choose or create another profile", app.action_switch_learner),
        *several,
        SystemCommand("Content problems", "Content files left out and why",
                      app.action_content_problems),
        SystemCommand("Reload content", "Read changed content files again; your place is kept",
                      partial(reload_content, app)),
        SystemCommand("Help", "Keys and how-to for this screen", app.action_help),
        SystemCommand("Settings", "Desired retention and key bindings",
                      partial(app.action_open, "settings")),
    ]


def reload_content(app: VpkpApp) -> None:
    """Read the content again in a thread; then serve it to every screen. The screens open
    stay where they are (a lesson at its step, a quiz at its question, a case at its node);
    what is no longer in the content is said when reached, as after a restart."""
    load = app.content_reload
    if load is None:
        app.notify("This app cannot reload its content.", severity="warning")
        return

    def swap(bank: ContentBank) -> None:
        old = app.services
        if old.content.course.id and bank.course.id != old.content.course.id:
            app.notify(f"The course's id is now '{bank.course.id}' (it was "
                       f"'{old.content.course.id}'): progress is kept per course, so restart "
                       "the app to open it. The content in use is kept.",
                       title="Content not reloaded", severity="warning", markup=False)
            return
        app.serve_content(bank)
        problems = sum(p.severity == "error" for p in bank.problems)
        app.notify(
            f"{len(bank.lessons)} lessons, {len(bank.questions)} questions and "
            f"{len(bank.cases)} cases"
            + (f"; {problems} content errors (Content problems lists them)" if problems else ""),
            title="Content reloaded", markup=False)

    _load(app, load, swap, "Content not reloaded", "fix the manifest and reload again")


def switch_course(app: VpkpApp, course_id: str) -> None:
    """Read the course with this id (one of `app.courses`) in a thread; then study it from
    Home, as the same learner. The course in use is kept when it cannot be read."""
    load = app.course_loader
    if load is None:
        return

    def swap(bank: ContentBank) -> None:
        app.serve_content(bank)
        app.remember_course(bank.course.id)
        course = bank.course
        app.notify(f"{course.title}" + (f" (version {course.version})" if course.version
                                        else ""), title="Course opened", markup=False)

    _load(app, partial(load, course_id), swap, "Course not opened",
          "fix its manifest and try again")


def _load(app: VpkpApp, load: Callable[[], ContentBank], swap: Callable[[ContentBank], None],
          title: str, advice: str) -> None:
    """Run `load` in a thread worker (one at a time: a new one cancels the last); `swap`
    its content in on the event loop, or say why it could not be read."""
    def work() -> None:
        try:
            bank = load()
        except ValueError as exc:  # the course cannot be opened now (its manifest has errors)
            app.call_from_thread(
                app.notify, f"{exc}\nThe content in use is kept; {advice}.",
                title=title, severity="error", markup=False)
            return
        app.call_from_thread(swap, bank)

    app.run_worker(work, thread=True, exclusive=True, group="reload-content",
                   name="load content")


class StudyCommands(Provider):
    """The study app's commands that name content: "Open lesson: …" and "Start case: …"."""

    @property
    def study_app(self) -> VpkpApp:
        """The app, typed."""
        return cast("VpkpApp", self.app)

    def commands(self) -> list[Command]:
        """Every command available now."""
        app = self.study_app
        if app.learner is None:
            return []
        lessons = [
            Command(
                f"Open lesson: {clean(lesson.title)}",
                f"{app.services.topic_label(lesson.topic)} · {lesson.estimated_minutes} min",
                _poster(app, OpenLesson(lesson.id)),
                discoverable=False,
            )
            for lesson in app.services.lessons()
        ]
        cases = [
            Command(
                f"Start case: {clean(case.title)}",
                app.services.topic_label(case.topic),
                _poster(app, OpenCase(case.id)),
                discoverable=False,
            )
            for case in app.services.cases()
        ]
        return lessons + cases

    async def discover(self) -> Hits:
        """The app commands, before anything is typed."""
        for command in self.commands():
            if command.discoverable:
                yield DiscoveryHit(
                    Content(command.name), command.run, text=command.name, help=command.help
                )

    async def search(self, query: str) -> Hits:
        """Commands matching the query, best first."""
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    highlight(command.name, matcher),
                    command.run,
                    text=command.name,
                    help=command.help,
                )


def highlight(candidate: str, matcher: Matcher) -> Content:
    """`candidate` as literal Content with the matched letters highlighted."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _poster(app: VpkpApp, message: OpenLesson | OpenCase) -> Callable[[], object]:
    def post() -> object:
        return app.post_message(message)

    return post
