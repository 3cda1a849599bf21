"""Command palette provider: app commands (home, lessons, quiz, review, cases, progress,
export, switch learner, content problems, settings) plus "Open lesson: …" and "Start case: …" for every
lesson and case.

Titles come from content files, so hits are built from literal `Content` and highlighted by
offsets, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from vpkp_tutor.tui.messages import OpenCase, OpenLesson
from vpkp_tutor.tui.widgets.text import clean

if TYPE_CHECKING:
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


class StudyCommands(Provider):
    """The study app's commands."""

    @property
    def study_app(self) -> VpkpApp:
        """The app, typed."""
        return cast("VpkpApp", self.app)

    def commands(self) -> list[Command]:
        """Every command available now."""
        app = self.study_app
        if app.learner is None:
            return [
                Command("Theme", "Change the colours (remembered)", app.action_change_theme),
                Command("Quit", "Leave the app", app.action_quit),
            ]
        fixed = [
            Command("Home", "Back to the dashboard", app.action_go_home),
            Command("Lessons", "The lesson library, by topic", app.action_open_library),
            Command("Start a quiz", "Build a tutor, exam or review quiz", app.action_open_quiz_builder),
            Command("Spaced review", "Answer the questions due for review", app.action_start_review),
            Command("Cases", "Branching clinical cases", app.action_open_cases),
            Command("Progress", "Charts and history", app.action_open_progress),
            Command("Export scores", "Write your scores as CSV, JSON or xAPI", app.action_export),
            Command("Switch learner", "Choose or create another profile", app.action_switch_learner),
            Command("Content problems", "Content files left out and why", app.action_content_problems),
            Command("Help", "Keys for this screen", app.action_help),
            Command("Theme", "Change the colours (remembered)", app.action_change_theme),
            Command("Settings", "Desired retention and key bindings", app.action_open_settings),
            Command("Quit", "Leave the app (your progress is saved)", app.action_quit),
        ]
        lessons = [
            Command(
                f"Open lesson: {clean(lesson.title)}",
                f"{lesson.topic.label} · {lesson.estimated_minutes} min",
                _poster(app, OpenLesson(lesson.id)),
                discoverable=False,
            )
            for lesson in app.services.content.lessons
        ]
        cases = [
            Command(
                f"Start case: {clean(case.title)}",
                case.topic.label,
                _poster(app, OpenCase(case.id)),
                discoverable=False,
            )
            for case in app.services.cases()
        ]
        return fixed + lessons + cases

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
