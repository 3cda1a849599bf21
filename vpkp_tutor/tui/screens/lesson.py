"""The lesson reader: one step at a time (Markdown body, monospace diagram), embedded check
questions answered in place with feedback, the position remembered, completion recorded.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Static

from vpkp_tutor.domain.confidence import Confidence
from vpkp_tutor.domain.model import Lesson, Score
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.tui.burst import runs_here
from vpkp_tutor.tui.dialogs.confidence import ConfidenceDialog
from vpkp_tutor.tui.disk import saved
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.answers import AnswerInput
from vpkp_tutor.tui.widgets.confidence_note import show_confidence_note
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.markdown import SafeMarkdown
from vpkp_tutor.tui.widgets.question_view import QuestionView
from vpkp_tutor.tui.widgets.screen_body import ScreenBody
from vpkp_tutor.tui.widgets.text import clean, literal


class LessonScreen(VpkpScreen):
    """Read a lesson step by step."""

    HOW_TO: ClassVar[str] = (
        "n / → next step, p / ← previous step; ↑/↓ and PgUp/PgDn scroll. Check questions at "
        "the end of a step are answered in place (their keys are shown under each one; Enter "
        "goes to the first one still open). On the last step, n finishes the lesson. Your "
        "place is remembered."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next", id="lesson.next"),
        Binding("p", "step(-1)", "Previous", id="lesson.previous"),
        Binding("right", "step(1)", "Next", show=False),
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("enter", "answer_check", "Answer", id="lesson.answer", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
    ]
    """Step through the lesson."""

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.position = 0
        self.answered: dict[str, tuple[AnswerValue, Score]] = {}
        self.confidences: dict[str, Confidence] = {}
        """How sure the learner said they were of each check (when asked)."""
        self._shown_at = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="lesson-position", classes="position-line")
        yield ScreenBody(id="lesson-body", classes="screen-body")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.sub_title = clean(self.lesson.title)
        progress = self.services.lesson_progress(self.learner.id).get(self.lesson.id)
        if progress is not None and not progress.completed:
            self.position = max(0, min(progress.position, len(self.lesson.steps) - 1))
        await self.show_step()

    @property
    def at_last_step(self) -> bool:
        """True on the final step."""
        return self.position >= len(self.lesson.steps) - 1

    async def show_step(self) -> None:
        """Render the current step and remember it."""
        step = self.lesson.steps[self.position]
        total = len(self.lesson.steps)
        self.query_one("#lesson-position", Static).update(
            Content.assemble(
                literal(self.lesson.title, "bold"),
                (f"  ·  Step {self.position + 1} of {total}  ·  ", "$text-muted"),
                literal(step.title, "bold $accent"),
            )
        )
        body = self.query_one("#lesson-body", VerticalScroll)
        await body.remove_children()
        widgets: list[Static | SafeMarkdown | HorizontalScroll | QuestionView] = [
            SafeMarkdown(step.body, classes="step-body")
        ]
        if step.diagram:
            widgets.append(
                HorizontalScroll(Static(literal(step.diagram), classes="diagram"), classes="diagram-box")
            )
        checks = self.services.known_questions(step.checks)
        for i, qid in enumerate(checks):
            question = self.services.question(qid)
            heading = Content.styled(f"Check {i + 1} of {len(checks)}", "bold $accent")
            widgets.append(QuestionView(question, heading=heading, id=f"check-{i}"))
        last = (
            "Last step — press n to finish the lesson."
            if self.position == total - 1
            else "Press n for the next step."
        )
        widgets.append(Static(Content.styled(last, "dim italic"), classes="step-foot"))
        await body.mount_all(widgets)
        body.scroll_home(animate=False)
        for view in body.query(QuestionView):
            previous = self.answered.get(view.question.id)
            if previous is not None:
                view.input.set_value(previous[0])
                await view.show_feedback(previous[1])
                await show_confidence_note(view, self.confidences.get(view.question.id),
                                           previous[1].correct, None, can_tag=False)
        self._shown_at = time.monotonic()
        saved(self, lambda: self.services.save_lesson_position(
            self.learner.id, self.lesson.id, self.position), "the lesson step you are on")
        self.refresh_bindings()
        body.focus()

    async def action_step(self, delta: int) -> None:
        """Go to the next or previous step; past the last one, finish the lesson."""
        target = self.position + delta
        if target < 0:
            return
        if target >= len(self.lesson.steps):
            if not saved(self, lambda: self.services.complete_lesson(self.learner.id,
                                                                     self.lesson.id),
                         "the lesson's completion"):
                return
            self.notify(
                Content.assemble("Lesson complete: ", literal(self.lesson.title)).plain,
                title="✓ Done",
                markup=False,
            )
            self.dismiss()
            return
        self.position = target
        await self.show_step()

    def action_answer_check(self) -> None:
        """Enter while reading: into the check still open on screen, else the first one
        still open (a short answer's field, where its answer is typed)."""
        view = self.open_check()
        if view is not None:
            view.focus_answer()
            view.input.scroll_visible(animate=False)

    def action_page(self, delta: int) -> None:
        """Scroll the step by a page."""
        body = self.query_one("#lesson-body", ScreenBody)
        body.page(delta)

    def next_unanswered(self, after: str | None = None) -> QuestionView | None:
        """The first check of this step not yet answered, looking from the one after `after`
        (a question id) and wrapping round; None when every check is answered."""
        views = list(self.query(QuestionView))
        start = next((i + 1 for i, v in enumerate(views) if v.question.id == after), 0)
        ordered = views[start:] + views[:start]
        return next((v for v in ordered if v.question.id not in self.answered), None)

    def in_view(self, view: QuestionView, *, whole: bool = False) -> bool:
        """True when some (`whole`: all) of the check's answer is on screen, not scrolled
        out of the step's body."""
        body = self.query_one("#lesson-body", ScreenBody)
        top = body.scroll_y
        bottom = top + body.scrollable_content_region.height
        answer = view.input.virtual_region.translate(view.virtual_region.offset)
        if whole:
            return answer.y >= top and answer.bottom <= bottom
        return answer.y < bottom and answer.bottom > top

    def open_check(self) -> QuestionView | None:
        """The check a key typed while reading is for: the first one still open whose
        answer is wholly on screen, else partly, else the first one still open (it is then
        scrolled into view)."""
        open_views = [v for v in self.query(QuestionView) if v.question.id not in self.answered]
        return next((v for v in open_views if self.in_view(v, whole=True)),
                    next((v for v in open_views if self.in_view(v)),
                         open_views[0] if open_views else None))

    def on_key(self, event: events.Key) -> None:
        """A letter or digit typed while reading (or on a check already answered) goes to the
        check still open on screen (else the first one still open, brought into view).

        A key that reaches the screen while a check still open has the focus is one its input
        did not take, or one sent on its way before the focus moved into the check's field (a
        burst of keys: the "4" and "patients" of "24 patients" after the "2" that opened the
        field); that check is offered it again, so that it lands where it was typed and is
        never taken as n or p. Its Enter answers at once, and a key sent after that waits for
        the answer to be taken (`AnswerInput.hold`)."""
        char = event.character
        focused = self.focused
        owner = next((node for node in (focused, *(focused.ancestors if focused else ()))
                      if isinstance(node, AnswerInput)), None)
        if owner is not None and owner.hold(event):  # sent after its Enter: kept for later
            return
        if owner is not None and owner.take_answer_key(event):  # (its Enter, reaching it
            return  # here: answered at once, as there)
        if not char:
            return
        if owner is not None and not owner.frozen:
            if owner.accept_char(char):
                event.stop()
            return
        if isinstance(focused, Input):
            return
        if runs_here(self, event.key, "answer_check"):  # into a field: at once
            event.stop()
            self.action_answer_check()
            return
        view = self.open_check()
        if view is not None and view.input.accept_char(char):
            event.stop()
            # at once: a key sent right after this one (Enter) goes to the check
            self.set_focus(view.input.focus_target, scroll_visible=False)
            view.input.scroll_visible(animate=False)

    async def on_answer_input_submitted(self, event: AnswerInput.Submitted) -> None:
        """Score and record a check, show its feedback, and move the focus to the next check
        still unanswered (so that the next letters typed land there); then the keys sent
        after Enter go on (`AnswerInput.release`)."""
        event.stop()
        try:
            await self._check_answered(event)
        finally:
            event.control.release()

    async def _check_answered(self, event: AnswerInput.Submitted) -> None:
        seconds = time.monotonic() - self._shown_at
        qid = event.question_id
        score = self.services.answer_lesson_check(
            self.learner.id, self.lesson.id, qid, event.answer, seconds
        )
        self.answered[qid] = (event.answer, score)
        if self.services.settings.ask_confidence:  # how sure, before the feedback

            async def given(confidence: Confidence | None) -> None:
                if confidence is not None and saved(
                        self, lambda: self.services.set_lesson_confidence(
                            self.learner.id, self.lesson.id, qid, confidence),
                        "your confidence"):
                    self.confidences[qid] = confidence
                if self.is_current:
                    await self._show_check_feedback(qid, score)

            self.app.push_screen(ConfidenceDialog(), given)
            return
        await self._show_check_feedback(qid, score)

    def _focus_after_feedback(self, question_id: str) -> None:
        """The next check still open takes the focus when it is on screen; else the step's
        body (keys for a check out of view would act unseen: typed letters, and Enter, go
        to the check still open on screen, else bring it up)."""
        if not self.is_current:
            return
        following = self.next_unanswered(after=question_id)
        if following is None or not self.in_view(following):
            self.query_one("#lesson-body", ScreenBody).focus()
        else:
            self.set_focus(following.input.focus_target, scroll_visible=False)

    async def _show_check_feedback(self, question_id: str, score: Score) -> None:
        for view in self.query(QuestionView):
            if view.question.id == question_id:
                await view.show_feedback(score)
                await show_confidence_note(view, self.confidences.get(question_id),
                                           score.correct, None, can_tag=False)
                view.bring_verdict_into_view()
                # where the focus goes is known once the feedback is laid out and scrolled
                # to (it can push the next check off the screen)
                self.call_after_refresh(self._focus_after_feedback, question_id)
