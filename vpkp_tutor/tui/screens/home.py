"""The home dashboard: per-topic progress, items due for review, continue where you left off,
weakest objectives and quick actions.

This is the first screen after the picker, so it is built to draw fast: the whole dashboard
is one `Static` between the header and the footer (the screen itself scrolls). Every action
is a key (shown beside it and in the footer) and a link that can be clicked; it imports only
light widgets, and every other screen is imported by the app when it is opened.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.style import Style
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from vpkp_tutor.domain.model import Lesson
from vpkp_tutor.domain.progress import Dashboard
from vpkp_tutor.tui.messages import OpenLesson, RunQuiz
from vpkp_tutor.tui.screens.base import LOAD_GROUP, VpkpScreen
from vpkp_tutor.tui.widgets.bars import ACCURACY_HELP, MASTERY_HELP, bar, percent
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.text import clean, literal

TOPIC_WIDTH = 26

QUICK_ACTIONS = (
    ("Lessons", "l", "app.open('library')"),
    ("Quiz", "q", "app.open('quiz-builder')"),
    ("Review", "r", "app.start_review"),
    ("Cases", "c", "app.open('cases')"),
    ("Progress", "g", "app.open('progress')"),
)
"""(label, key, action) of the quick-action links, in order."""

FIRST_FRAME_WAIT_S = 0.1
"""How long Home's first showing waits for the dashboard before it is drawn without it."""


async def _ended(worker: Worker[None]) -> None:
    """Once `worker` has ended, however it ended (a failure is Textual's to report)."""
    with contextlib.suppress(WorkerCancelled, WorkerFailed):
        await worker.wait()


def link(label: Content | str, action: str) -> Content:
    """`label` as a link that runs `action` when clicked (styled by the widget's
    `link-*` rules)."""
    content = label if isinstance(label, Content) else Content(label)
    return content.stylize(Style.from_meta({"@click": action}))


def topic_table(dashboard: Dashboard) -> Content:
    """Per-topic rows: lessons done, accuracy and a mastery bar."""
    head = Content.styled(
        f"{'Topic':<{TOPIC_WIDTH}} {'Lessons':>7} {'Accuracy':>8}  Mastery", "bold"
    )
    lines = [head]
    if not dashboard.topics:
        lines.append(Content.styled("No lessons or questions are loaded.", "$text-muted"))
        return Content("\n").join(lines)
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
    lines += [Content.styled(ACCURACY_HELP, "$text-muted"), Content.styled(MASTERY_HELP, "$text-muted")]
    return Content("\n").join(lines)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells with "…" when longer."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class HomeScreen(VpkpScreen):
    """The dashboard."""

    HOW_TO: ClassVar[str] = (
        "Your progress by topic. Press {lessons} for lessons, {quiz} to build a quiz, {review} "
        "for spaced review, {cases} for cases and {progress} for progress charts; {continue} "
        "continues the lesson you were reading and {resume} resumes an unfinished quiz. When "
        "content files could not be loaded a warning says so and {problems} lists them. Every "
        "underlined action can also be clicked. ↑/↓ and page up/down scroll. "
        + ACCURACY_HELP + ". " + MASTERY_HELP + ". Weakest objectives are those with a miss, "
        "lowest mastery first; one you answered all correctly is never listed. Several "
        "courses are open: the line under the greeting names the one you are studying, and "
        "{switch_course} switches to another (your progress is kept per course)."
    )
    """The help text; each {name} is the key now bound to `home.name`, and a sentence whose
    action is not there now (no problems to list, a single course) is left out (see
    `VpkpScreen.how_to`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "app.open('library')", "Lessons", id="home.lessons"),
        Binding("q", "app.open('quiz-builder')", "Quiz", id="home.quiz"),
        Binding("r", "app.start_review", "Review", id="home.review"),
        Binding("c", "app.open('cases')", "Cases", id="home.cases"),
        Binding("g", "app.open('progress')", "Progress", id="home.progress"),
        Binding("n", "continue_lesson", "Continue", id="home.continue", show=False),
        Binding("u", "resume_quiz", "Resume quiz", id="home.resume", show=False),
        Binding("p", "list_problems", "Problems", id="home.problems", show=False),
        Binding("s", "switch_course", "Course", id="home.switch_course",
                tooltip="Study another of the courses opened together"),
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]
    """Quick actions; continue and resume (their keys are shown beside them); switch course
    (only when several courses are open); scrolling."""

    def __init__(self) -> None:
        super().__init__(id="home")
        self.dashboard: Dashboard | None = None
        self._resumed = False
        self._keys: dict[str, str] | None = None
        self.sync_status = ""
        """The xAPI outbox line ("12 waiting · last sent 10:42"; "" with no LRS set)."""
        self._synced = 0
        """Background syncs shown so far (a dashboard read before the last one keeps its
        line)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="dashboard")
        yield KeyFooter()

    async def on_mount(self) -> None:
        """Read the dashboard (in a thread). The first showing waits for it, up to
        `FIRST_FRAME_WAIT_S`, before the screen is drawn: its first frame is the whole
        dashboard, not an empty screen with the dashboard a frame later; a longer read
        (a long history) is drawn when it ends."""
        read = asyncio.ensure_future(_ended(self._load_dashboard(self.learner.id)))
        await asyncio.wait([read], timeout=FIRST_FRAME_WAIT_S)

    def on_screen_resume(self) -> None:
        """Reload when coming back from another screen (the first showing was drawn by
        `on_mount`)."""
        if self._resumed and self.dashboard is not None and self.study_app.learner is not None:
            self.refresh_dashboard()
            self.study_app.sync_in_background()  # what was just answered goes out now
        self._resumed = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Never "Back": the dashboard is where going back ends."""
        if action == "back":
            return False
        if action == "list_problems":
            return bool(self.services.content_problems())
        if action == "switch_course":
            return len(self.study_app.courses) > 1
        return super().check_action(action, parameters)

    def refresh_dashboard(self) -> None:
        """Read the dashboard from services (in a thread: the UI keeps answering) and show
        it."""
        self._load_dashboard(self.learner.id)

    @work(thread=True, exclusive=True, group=LOAD_GROUP)
    def _load_dashboard(self, learner_id: str) -> None:
        synced = self._synced
        services = self.services
        dashboard = services.dashboard(learner_id)
        status = services.sync_status(learner_id)
        self.app.call_from_thread(self._dashboard_loaded, dashboard, status, synced,
                                  services.course.id)

    def _dashboard_loaded(self, dashboard: Dashboard, status: str, synced: int,
                          course_id: str) -> None:
        if self.study_app.learner is None or self.study_app.learner.id != dashboard.learner.id:
            return  # the learner changed while it was read
        if course_id != self.services.course.id:
            return  # so did the course (another course was opened meanwhile)
        if synced == self._synced:  # (a sync that ended meanwhile showed a newer line)
            self.sync_status = status
        self.dashboard = dashboard
        self._keys = None  # looked up again: a keymap may have changed them
        self.sub_title = clean(dashboard.learner.display_name)
        self.show_dashboard()
        self.app.call_after_refresh(self.study_app.start_up_drawn)

    def on_resize(self) -> None:
        """Lines fitted to the width (the lesson to continue) are fitted again."""
        if self.dashboard is not None:
            self.show_dashboard()

    @property
    def text_width(self) -> int:
        """Cells a dashboard line may use: the screen's width less the padding and room for
        the scroll bar (shown when the dashboard is taller than the screen)."""
        width = self.size.width or self.app.size.width
        return max(20, width - 4)

    def show_dashboard(self) -> None:
        """Draw the dashboard read last."""
        dashboard = self.dashboard
        if dashboard is None:
            return
        top = [self._greeting(dashboard), self._course(), self._problems(),
               self._continue(dashboard), self._sync_line()]
        parts = [Content("\n").join(part for part in top if part), self._actions(),
                 topic_table(dashboard), self._weakest(dashboard)]
        self.query_one("#dashboard", Static).update(
            Content("\n\n").join(part for part in parts if part)
        )

    def show_sync_status(self, status: str | None) -> None:
        """A background sync ended: show the outbox as it left it (`None`: as it was)."""
        if status is not None:
            self.sync_status = status
            self._synced += 1
        self.show_dashboard()

    def _sync_line(self) -> Content | None:
        if not self.sync_status:
            return None
        line = Content.styled(f"Learning Record Store: {self.sync_status}", "dim")
        problem = self.study_app.sync_problem
        if problem:
            line = Content.assemble(line, Content.styled(f"\nNot sent: {problem}",
                                                         "$text-warning"))
        return line

    def key_for(self, action: str, default: str) -> str:
        """The key that runs `action` here now (a keymap may have moved it)."""
        if self._keys is None:
            self._keys = {}
            for active in self.active_bindings.values():
                self._keys.setdefault(active.binding.action,
                                      self.app.get_key_display(active.binding))
        return self._keys.get(action, default)

    # -- parts -----------------------------------------------------------------------------
    def _greeting(self, dashboard: Dashboard) -> Content:
        learner = dashboard.learner
        extra = " · ".join(x for x in (learner.program, learner.level) if x)
        due = dashboard.due_count
        due_text = (
            Content.styled(
                f"{due} item{'s' if due != 1 else ''} due for spaced review "
                f"({self.key_for('app.start_review', 'r')})", "bold $warning"
            )
            if due
            else Content.styled("Nothing due for spaced review", "$text-muted")
        )
        return Content.assemble(
            ("Welcome, ", "bold"), literal(learner.display_name, "bold"),
            ("  " if extra else ""), literal(extra, "dim"), "\n", due_text,
        )

    def _course(self) -> Content | None:
        """With several courses open: which one this is, and the key that switches."""
        if len(self.study_app.courses) < 2:
            return None
        course = self.services.course
        key = self.key_for("switch_course", "s")
        version = f" · version {course.version}" if course.version else ""
        switch = f"Switch course ({key})"
        room = self.text_width - len("Course: ") - len(version) - len(switch) - 2
        label = Content.assemble(("Course: ", "bold"),
                                 literal(fit(clean(course.title or course.id), room)),
                                 literal(version, "dim"))
        return Content.assemble(label, "  ", link(switch, "screen.switch_course"))

    def _problems(self) -> Content | None:
        """A warning when content files were left out, with the key that lists them."""
        count = self.services.files_left_out()
        if not count:
            return None
        key = self.key_for("list_problems", "p")
        label = Content.styled(
            f"⚠ {count} content file{'s have' if count != 1 else ' has'} problems"
            f" and {'were' if count != 1 else 'was'} left out — press {key} to list them",
            "bold $error",
        )
        return link(label, "screen.list_problems")

    def _continue_lesson(self) -> Lesson | None:
        """The lesson to continue, if it is still in the content."""
        dashboard = self.dashboard
        if dashboard is None or dashboard.continue_lesson is None:
            return None
        return self.services.lesson(dashboard.continue_lesson.lesson_id)

    def _continue(self, dashboard: Dashboard) -> Content:
        lines: list[Content] = []
        lesson = self._continue_lesson()
        if lesson is not None and dashboard.continue_lesson is not None:
            step = min(dashboard.continue_lesson.position + 1, len(lesson.steps))
            key = self.key_for("continue_lesson", "n")
            tail = f" (step {step}/{len(lesson.steps)})"
            room = self.text_width - len("▶ Continue: ") - len(tail) - len(f"  ({key})")
            label = Content.assemble("▶ Continue: ", literal(fit(clean(lesson.title), room)),
                                     tail)
            lines.append(Content.assemble(link(label, "screen.continue_lesson"), f"  ({key})"))
        attempt = dashboard.unfinished_attempt
        if attempt is not None:
            mode = attempt.settings.mode.value
            label = Content(
                f"↻ Resume {mode} quiz · {len(attempt.responses)}/{len(attempt.question_ids)} "
                "answered"
            ).stylize("bold $warning")
            key = self.key_for("resume_quiz", "u")
            lines.append(Content.assemble(link(label, "screen.resume_quiz"), f"  ({key})"))
        return Content("\n").join(lines)

    def _actions(self) -> Content:
        pieces: list[Content | str] = []
        for label, default, action in QUICK_ACTIONS:
            key = self.key_for(action, default)
            if pieces:
                pieces.append("   ")
            pieces.append(link(f"{label} ({key})", action))
        return Content.assemble(*pieces)

    def _weakest(self, dashboard: Dashboard) -> Content:
        if not dashboard.weakest_objectives:
            answered = any(t.mastery.answered_items for t in dashboard.topics)
            if answered:
                return Content.assemble(
                    ("Weakest objectives: ", "bold"),
                    ("none yet: you got every objective you answered right.",
                     "$text-muted"),
                )
            return Content.styled(
                "Weakest objectives appear here once you have answered some questions.",
                "$text-muted",
            )
        texts = self.services.objective_texts()
        lines = [Content.assemble(
            ("Weakest objectives", "bold"),
            ("  lowest mastery first; never one you got all right", "$text-muted"),
        )]
        for m in dashboard.weakest_objectives[:3]:
            lines.append(
                Content.assemble(
                    bar(m.value, 6), f" {percent(m.value):>4}  ", literal(texts.get(m.key, m.key))
                )
            )
        return Content("\n").join(lines)

    # -- actions ---------------------------------------------------------------------------
    def action_continue_lesson(self) -> None:
        """Open the lesson where the learner left off."""
        lesson = self._continue_lesson()
        if lesson is not None:
            self.post_message(OpenLesson(lesson.id))

    def action_switch_course(self) -> None:
        """Choose another of the courses opened together."""
        self.study_app.action_switch_course()

    def action_list_problems(self) -> None:
        """List the content files left out and why."""
        self.study_app.action_content_problems()

    def action_resume_quiz(self) -> None:
        """Resume the unfinished quiz."""
        attempt = self.services.unfinished_attempt(self.learner.id)
        if attempt is not None:
            self.post_message(RunQuiz(attempt))
        else:
            self.refresh_dashboard()
