"""The study app: owns the services, the current learner, app-wide keys, themes and
navigation between screens.

Start-up is kept short: only the home screen is imported up front (the picker, the palette
commands and every other screen are imported when first needed); the first screen is the
bottom of the screen stack, with no empty default screen beneath it; and no garbage
collection runs until the first frame is drawn (see `gc_pacing`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from msgspec.structs import replace
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import get_current_worker

from vpkp_tutor.domain.progress import Attempt, Learner, QuizMode, QuizSettings
from vpkp_tutor.tui.disk import saved, saved_value
from vpkp_tutor.tui.gc_pacing import hold_start_up, release_heap, settle_heap
from vpkp_tutor.tui.messages import LearnerChosen, OpenCase, OpenLesson, RunQuiz
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.widgets.text import clean

SYNC_SOON = 3.0
"""Seconds after the start (or a learner is chosen) before the first background sync."""

if TYPE_CHECKING:
    from textual.command import Provider

    from vpkp_tutor.domain.model import ContentBank, Course
    from vpkp_tutor.services import Services


def study_commands() -> type[Provider]:
    """The palette provider, imported when the palette first opens."""
    from vpkp_tutor.tui.commands import StudyCommands

    return StudyCommands


def _library() -> Screen[None]:
    from vpkp_tutor.tui.screens.library import LibraryScreen

    return LibraryScreen()


def _quiz_builder() -> Screen[None]:
    from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen

    return QuizBuilderScreen()


def _cases() -> Screen[None]:
    from vpkp_tutor.tui.screens.cases import CaseListScreen

    return CaseListScreen()


def _progress() -> Screen[None]:
    from vpkp_tutor.tui.screens.progress import ProgressScreen

    return ProgressScreen()


def _settings() -> Screen[None]:
    from vpkp_tutor.tui.screens.settings import SettingsScreen

    return SettingsScreen()


def learner_screen(previous: Learner | None = None) -> Screen[None]:
    """A new learner picker (imported when first needed); `previous` is the learner who was
    studying, whom escape goes back to."""
    from vpkp_tutor.tui.screens.learner import LearnerScreen

    return LearnerScreen(previous)


class VpkpApp(App[None]):
    """VP/KP Tutor."""

    TITLE = "VP/KP Tutor"
    KEEPS_PROGRESS: ClassVar[bool] = True
    """False where answers go to a throwaway store (the preview): no "resume it later"."""
    CSS_PATH: ClassVar = ["app.tcss", "screens.tcss"]
    COMMANDS: ClassVar = App.COMMANDS | {study_commands}
    COMMAND_PALETTE_DISPLAY = "ctrl+p"
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        "library": _library,
        "quiz-builder": _quiz_builder,
        "cases": _cases,
        "progress": _progress,
        "settings": _settings,
    }
    """The screens reached by name (`app.open('library')`); each module is imported when its
    screen first opens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help", key_display="F1"),
        Binding("question_mark", "help_key", "Help", id="app.help_key", key_display="?"),
        Binding(
            "ctrl+p", "command_palette", "Commands", id="app.command_palette", priority=True,
            show=False,
        ),
        Binding("ctrl+t", "change_theme", "Theme", id="app.theme", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        # Tab moves the focus before the next key is handed on: keys typed ahead (or arriving
        # together over SSH) after a Tab land in the field it moved to, not the one it left.
        Binding("tab", "focus_next", "Next field", id="app.focus_next", priority=True,
                show=False),
        Binding("shift+tab", "focus_previous", "Previous field", id="app.focus_previous",
                priority=True, show=False),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]
    """App-wide keys; each has an id so a keymap can remap it."""

    def __init__(self, services: Services, learner: str | None = None) -> None:
        super().__init__()
        self.services = services
        """The facade every screen calls."""
        self.learner: Learner | None = None
        """The learner studying, once chosen."""
        self._learner_arg = learner
        self._theme_ready = False
        self._settled = False
        self.sync_problem = ""
        """Why the last background sync stopped short ("" when it did not)."""
        self._syncing = False
        self._caught_up: set[str] = set()
        self.content_reload: Callable[[], ContentBank] | None = None
        """Reads the content again ("Reload content"; set by `bootstrap.make_app`); raises
        ValueError with a message when the course cannot be opened now."""
        self.courses: tuple[Course, ...] = ()
        """The courses opened together (`--content A --content B`), in the order named;
        empty when one course is open (set by `bootstrap.make_app`)."""
        self.course_loader: Callable[[str], ContentBank] | None = None
        """Reads the course with this id among `courses` ("Switch course"); raises
        ValueError with a message when it cannot be opened now."""
        self._opened: set[str] = set()
        """Names of the `SCREENS` opened so far (another course needs new ones)."""
        self._screens_for: str | None = None
        """The learner the opened `SCREENS` were built for (another needs new ones)."""

    # -- start-up ------------------------------------------------------------------------
    def on_load(self) -> None:
        """No garbage collection while the first screen is built (see `gc_pacing`)."""
        hold_start_up()

    def on_unmount(self) -> None:
        """Leave the interpreter's collector as it was."""
        release_heap()

    def get_default_screen(self) -> Screen[None]:
        """The first screen, at the bottom of the stack: the dashboard when the command line
        named a learner, else the picker. (No empty screen sits beneath it.) The stored
        keymap is applied first, so the first screen shows the keys as moved."""
        self._load_keymap()
        learner: Learner | None = None
        if self._learner_arg:
            try:
                learner = self.services.open_learner(self._learner_arg)
            except ValueError as exc:  # the CLI refuses these before the app opens
                self.call_later(self.notify, str(exc), severity="error", markup=False)
        if learner is not None:
            self._set_learner(learner)
            self.call_after_refresh(self._remember, learner)
            self.call_after_refresh(self._open_learners_course, learner)
            return HomeScreen()
        return learner_screen()

    def on_mount(self) -> None:
        self.call_after_refresh(self._after_first_frame)
        self.set_timer(5, self.start_up_drawn)  # at the latest, should Home never draw
        self.theme = self.services.settings.theme
        self._theme_ready = True

    def _after_first_frame(self) -> None:
        for notice in self.services.store_notices:  # said on stderr too, hidden by the app
            self.notify(notice, title="Progress database", severity="warning", timeout=30,
                        markup=False)
        if not isinstance(self.screen, HomeScreen):
            self.start_up_drawn()  # the learner picker: drawn in full now

    def start_up_drawn(self) -> None:
        """The first screen the learner reads is on the terminal (Home calls this once its
        dashboard, read in a worker, is drawn): only now settle the heap, so its one full
        collection does not hold up what the learner is waiting to see."""
        if not self._settled:
            self._settled = True
            settle_heap()
            self._start_background_sync()

    def _load_keymap(self) -> None:
        """Load the settings, checked against this app's themes and bindings (a stored value
        that fails is reported and left out), and apply the keymap."""
        from vpkp_tutor.tui.rules import TextualRules

        refused = self.services.load_settings(TextualRules(self.available_themes))
        for key, why in refused.items():
            self.call_later(self.notify, f"The {key} setting was left out: {why}.",
                            severity="warning", timeout=10, markup=False)
        if self.services.settings.keymap:
            self.set_keymap(self.services.settings.keymap)

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the learner picks."""
        if self._theme_ready:
            saved(self, lambda: self.services.save_settings(
                replace(self.services.settings, theme=theme)), "the theme")

    def _set_learner(self, learner: Learner) -> None:
        self.learner = learner
        self.sub_title = clean(learner.display_name)
        self.sync_problem = ""
        if self._settled and self._sync_minutes():
            self.set_timer(SYNC_SOON, self.sync_in_background)

    # -- background sync to the Learning Record Store ------------------------------------
    def _sync_minutes(self) -> int:
        settings = self.services.settings
        return settings.lrs_sync_minutes if settings.lrs_endpoint else 0

    def _start_background_sync(self) -> None:
        """With `lrs_sync_minutes` set (and an LRS), send the learner's statements soon and
        then every so many minutes while the app is open."""
        minutes = self._sync_minutes()
        if minutes:
            self.set_interval(minutes * 60, self.sync_in_background, name="lrs-sync")
            self.set_timer(SYNC_SOON, self.sync_in_background)

    def sync_in_background(self) -> None:
        """Send the learner's waiting statements in a thread (unless one is on its way)."""
        learner = self.learner
        if learner is None or self._syncing or not self._sync_minutes():
            return
        self._syncing = True
        self._sync_worker(learner.id, learner.id not in self._caught_up)

    @work(thread=True, group="lrs-sync", exit_on_error=False)
    def _sync_worker(self, learner_id: str, catch_up: bool) -> None:
        stop = get_current_worker().cancelled_event
        try:
            result = self.services.sync_now(learner_id, catch_up, stop.is_set, stop.wait)
        except Exception as exc:
            self.call_from_thread(self._synced, learner_id, None, str(exc) or type(exc).__name__)
            return
        if not stop.is_set():
            self.call_from_thread(self._synced, learner_id, result.status, result.problem)

    def _synced(self, learner_id: str, status: str | None, problem: str) -> None:
        self._syncing = False
        if self.learner is None or self.learner.id != learner_id:
            return
        if status is not None and not problem:
            self._caught_up.add(learner_id)
        self.sync_problem = problem
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.show_sync_status(status)

    def _build_opened_again(self) -> None:
        """The `SCREENS` opened so far, not on the stack, built afresh the next time they
        are opened: they were built for another course or learner (a quiz builder kept the
        last learner's choices)."""
        for name in sorted(self._opened):
            screen = self.get_screen(name)
            if screen in self.screen_stack:
                continue
            self.uninstall_screen(name)
            screen.remove()
            self.install_screen(self.SCREENS[name](), name)

    def _enter(self, learner: Learner) -> None:
        other = self._screens_for not in (None, learner.id)
        self._set_learner(learner)
        self._remember(learner)
        self._open_learners_course(learner)
        home = next((s for s in self.screen_stack if isinstance(s, HomeScreen)), None)
        if home is None:
            self.push_screen(HomeScreen())
        else:  # back to the dashboard beneath the picker; it reloads for this learner
            while self.screen is not home:
                self.pop_screen()
        if other:
            self._build_opened_again()
            self._screens_for = None

    def _remember(self, learner: Learner) -> None:
        """Remember who studied last (the picker offers them first)."""
        saved(self, lambda: self.services.save_settings(
            replace(self.services.settings, last_learner=learner.id)), "who studied last")

    def on_learner_chosen(self, message: LearnerChosen) -> None:
        """Go to the dashboard of the chosen learner."""
        self._enter(message.learner)

    # -- navigation ----------------------------------------------------------------------
    def _open(self, screen: Screen[None]) -> None:
        if self.learner is not None:
            self.push_screen(screen)

    def action_open(self, name: str) -> None:
        """Go to the screen called `name` in `SCREENS` (kept once opened, so it keeps the
        learner's place): back down to it when it is already open beneath, else over the
        current one."""
        if self.learner is None or name not in self.SCREENS:
            return
        self._opened.add(name)
        self._screens_for = self.learner.id
        screen = self.get_screen(name)
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
            return
        self.push_screen(screen)

    def action_go_home(self) -> None:
        """Back to the dashboard."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands (theme, quit, keys, screenshot…) and, once a learner is
        studying, the app's own."""
        yield from super().get_system_commands(screen)
        if self.learner is None:
            return
        from vpkp_tutor.tui.commands import app_commands

        yield from app_commands(self)

    def action_start_review(self) -> None:
        """A spaced-review quiz over the due queue."""
        if self.learner is None:
            return
        due = self.services.due_count(self.learner.id)
        if not due:
            self.notify("Nothing is due for spaced review right now.", title="Review")
            return
        self.start_quiz(QuizSettings(mode=QuizMode.REVIEW, count=due))

    @work(exclusive=True, group="start-quiz")
    async def start_quiz(self, settings: QuizSettings) -> None:
        """Build and run a quiz, first offering to discard an unfinished one."""
        from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog

        if self.learner is None:
            return
        unfinished = self.services.unfinished_attempt(self.learner.id)
        if unfinished is not None:
            discard = await self.push_screen_wait(
                ConfirmDialog(
                    "You have an unfinished quiz "
                    f"({len(unfinished.responses)}/{len(unfinished.question_ids)} answered). "
                    "Discard it and start a new one?",
                    yes="Discard and start",
                    no="Keep it",
                )
            )
            if not discard:
                return
            if not saved(self, lambda: self.services.abandon_attempt(unfinished.id),
                         "discarding the unfinished quiz"):
                return
        learner = self.learner
        try:
            attempt = saved_value(self, lambda: self.services.build_quiz(learner.id, settings),
                                  "the new quiz")
        except ValueError as exc:
            self.notify(str(exc), title="No questions", severity="warning", markup=False)
            return
        if attempt is not None:
            self.run_attempt(attempt)

    def run_attempt(self, attempt: Attempt) -> None:
        """Show the quiz runner for an attempt (new or resumed)."""
        from vpkp_tutor.tui.screens.quiz import QuizScreen

        self._open(QuizScreen(attempt))

    def on_run_quiz(self, message: RunQuiz) -> None:
        """Run or resume the attempt."""
        self.run_attempt(message.attempt)

    def on_open_lesson(self, message: OpenLesson) -> None:
        """Open the lesson reader."""
        from vpkp_tutor.tui.screens.lesson import LessonScreen

        lesson = self.services.lesson(message.lesson_id)
        if lesson is None:
            self.notify("That lesson is not in the content any more.", severity="warning")
            return
        self._open(LessonScreen(lesson))

    def on_open_case(self, message: OpenCase) -> None:
        """Start a case."""
        from vpkp_tutor.tui.screens.case import CaseScreen

        case = self.services.case(message.case_id)
        if case is None:
            self.notify("That case is not in the content any more.", severity="warning")
            return
        self._open(CaseScreen(case))

    # -- dialogs -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`?` opens the help unless the focused field would type it (a text field; a
        number field takes no `?`); F1 works everywhere."""
        if action == "help_key":
            focused = self.focused
            return focused is None or not focused.check_consume_key("question_mark", "?")
        return super().check_action(action, parameters)

    def action_help_key(self) -> None:
        """`?` outside a text field: the help."""
        self.action_help()

    def action_help(self) -> None:
        """Keys and how-to for the current screen."""
        from vpkp_tutor.tui.dialogs.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))

    def action_switch_learner(self) -> None:
        """Back to the learner picker: the one at the bottom of the stack, or a new one over
        the dashboard."""
        previous = self.learner
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.learner = None
        self.sub_title = ""
        if isinstance(self.screen, HomeScreen):
            self.push_screen(learner_screen(previous))

    # -- courses -------------------------------------------------------------------------
    def action_switch_course(self) -> None:
        """Choose another of the courses opened together; it is read in a thread and then
        studied from Home (the learner stays)."""
        from vpkp_tutor.tui.commands import switch_course
        from vpkp_tutor.tui.dialogs.course_picker import CoursePickerDialog

        learner = self.learner
        if learner is None or len(self.courses) < 2:
            return
        self.action_go_home()

        def chosen(course_id: str | None) -> None:
            if course_id is not None and course_id != self.services.course.id:
                switch_course(self, course_id)

        self.push_screen(CoursePickerDialog(
            self.courses, self.services.course.id,
            lambda: self.services.answered_by_course(learner.id)), chosen)

    def _open_learners_course(self, learner: Learner) -> None:
        """With several courses open: the course this learner chose last, when it is not
        the one open (`bootstrap.run_app` opens it at the start for `--learner`)."""
        from vpkp_tutor.tui.commands import switch_course

        wanted = self.services.settings.last_courses.get(learner.id)
        if (wanted and wanted != self.services.course.id
                and any(c.id == wanted for c in self.courses)):
            switch_course(self, wanted)

    def remember_course(self, course_id: str) -> None:
        """Remember the course the learner studying chose (opened for them next time)."""
        learner = self.learner
        chosen = self.services.settings.last_courses
        if learner is None or len(self.courses) < 2 or chosen.get(learner.id) == course_id:
            return
        saved(self, lambda: self.services.save_settings(replace(
            self.services.settings, last_courses={**chosen, learner.id: course_id})),
            "the course chosen")

    def serve_content(self, content: ContentBank) -> None:
        """Serve this content from now on. Another course than the open one: back to Home,
        whose dashboard (and every screen opened after) shows that course only."""
        from vpkp_tutor.services import Services

        old = self.services
        self.services = Services(content, old.store, old.clock)
        if content.course.id == old.content.course.id:
            return
        self.action_go_home()
        self._build_opened_again()  # (built for the other course)
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen) and self.learner is not None:
                screen.refresh_dashboard()

    def action_export(self) -> None:
        """Export the learner's scores to a file the learner chooses."""
        from vpkp_tutor.tui.dialogs.export import ExportDialog

        learner = self.learner
        if learner is None:
            return
        slug = "".join(c if c.isalnum() else "-" for c in learner.display_name.lower()).strip("-")
        stamp = self.services.clock().strftime("%Y%m%d")
        stem = Path.cwd() / f"vpkp-scores-{slug or 'learner'}-{stamp}"

        formats = {f.name: f for f in self.services.export_formats()}
        files: list[Path] = []  # what the export wrote (a CSV's summary beside it too)

        def write(fmt: str, path: Path, overwrite: bool) -> Path:
            written = self.services.export(learner.id, fmt, path, overwrite=overwrite)
            files[:] = formats[fmt].outputs(written)
            return written

        def done(written: Path | None) -> None:
            if written is not None:
                self.notify("Scores written to " + " and ".join(map(str, files or [written])),
                            title="Exported", markup=False)

        self.push_screen(ExportDialog(stem, write, tuple(formats.values())), done)

    def action_content_problems(self) -> None:
        """List content files left out and why."""
        from vpkp_tutor.tui.dialogs.problems import ProblemsDialog

        self.push_screen(ProblemsDialog(self.services.content_problems()))
