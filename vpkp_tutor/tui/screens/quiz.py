"""The quiz runner: one item at a time for every question type, flags, free navigation,
confirmation before submitting with unanswered items, resume, and the exam countdown with
auto-submit at zero.

Tutor and spaced-review modes show feedback after each answer; a timed exam saves answers
silently and shows everything on the results screen.

With the `ask_confidence` setting on, each answer is stored first and then the learner says
how sure they were with one key (1 sure, 2 unsure, 3 guess; escape skips); the confidence
updates the stored answer and its review schedule, and only then is feedback shown (or, in
an exam, the next item). A confident error is pointed out in the feedback. After a miss in
tutor or review mode, `w` tags why it was wrong (optional; never asked for). In a timed
exam confidence is asked too (the clock keeps running; at zero the question is dropped and
the exam submitted), and misses are tagged from the results' item review.

An answer that cannot be saved stays on screen: when the disk is full the learner is told so
and Enter saves it once there is room; when the quiz was submitted in another window (the
same database open twice) the learner is offered its results.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from vpkp_tutor.domain.confidence import Confidence, ErrorTag
from vpkp_tutor.domain.model import Question, Score
from vpkp_tutor.domain.progress import Attempt, QuizMode
from vpkp_tutor.domain.scoring import AnswerValue, is_answered
from vpkp_tutor.tui.dialogs.confidence import ConfidenceDialog, ErrorTagDialog
from vpkp_tutor.tui.disk import is_disk_full, saved
from vpkp_tutor.tui.gc_pacing import collect_if_due, let_go_of_old_styles
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.answers import AnswerInput
from vpkp_tutor.tui.widgets.bars import duration
from vpkp_tutor.tui.widgets.confidence_note import show_confidence_note
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.question_view import QuestionView
from vpkp_tutor.tui.widgets.screen_body import ScreenBody

MODE_NAMES = {QuizMode.TUTOR: "Tutor", QuizMode.EXAM: "Exam", QuizMode.REVIEW: "Review"}
STRIP_MARKER = 2
"""Cells of a « or » marker with its space."""


def strip_window(widths: list[int], current: int, width: int) -> tuple[int, int]:
    """The range [start, end) of items whose cells (`widths`) fit in `width` with the
    markers the range needs, grown around `current` (always included) one item at a time,
    alternately after and before it."""
    n = len(widths)
    if not n:
        return 0, 0
    start, end = current, current + 1
    used = widths[current]

    def fits(start: int, end: int, used: int) -> bool:
        markers = (STRIP_MARKER if start > 0 else 0) + (STRIP_MARKER if end < n else 0)
        return used + markers <= width

    grown = True
    while grown:
        grown = False
        if end < n and fits(start, end + 1, used + widths[end]):
            used += widths[end]
            end += 1
            grown = True
        if start > 0 and fits(start - 1, end, used + widths[start - 1]):
            start -= 1
            used += widths[start]
            grown = True
    return start, end


DISK_FULL = ("The disk is full: this answer was not saved. It stays selected: free some space, "
             "then press Enter to save it.")
"""What the learner is told when an answer could not be saved for want of space."""

class QuizScreen(VpkpScreen):
    """Answer the items of one attempt."""

    HOW_TO: ClassVar[str] = (
        "Answer with the keys shown above each answer (letters or digits choose, or ↑/↓ then "
        "space; shift+↑/↓ moves an ordering item; a digit gives a match and moves down; type "
        "a number, 1.5 or 1,5), then Enter — Enter with nothing chosen submits nothing. "
        "{next} / {previous} move to the next or previous item, {flag} marks (flags) an item for "
        "later, {submit} submits the quiz. {back} leaves for Home: the quiz is saved and resumed "
        "from there. In a timed "
        "exam the countdown starts the status line and the quiz submits itself at zero. "
        "With \"Ask how sure\" on in Settings, 1 sure / 2 unsure / 3 guess follows each "
        "answer (escape skips). After a miss, {tag_error} tags why it was wrong (optional)."
    )

    # Not priority bindings: the focused answer sees each key first, in the order typed
    # (a number field keeps a unit typed after the number from them, even when the keys
    # arrive in one burst over a slow link), and passes on the ones it does not use.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "move(1)", "Next", id="quiz.next"),
        Binding("p", "move(-1)", "Prev", id="quiz.previous"),
        Binding("m", "flag", "Flag", id="quiz.flag"),
        Binding("s", "submit_quiz", "Submit", id="quiz.submit"),
        Binding("w", "tag_error", "Why wrong?", id="quiz.tag_error"),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("escape", "back", "Leave", id="screen.back"),
    ]
    """Navigate, flag and submit."""

    index: var[int] = var(0, init=False)
    """Position of the item on screen among `questions`."""
    answers: var[dict[str, AnswerValue]] = var(dict, init=False)
    """Saved answers, by question id (changed in place, then `mutate_reactive`)."""
    scores: var[dict[str, Score]] = var(dict, init=False)
    """Scores of the saved answers, by question id (changed like `answers`)."""
    flags: var[frozenset[str]] = var(frozenset, init=False)
    """The learner's flagged items."""
    finished: var[bool] = var(False, init=False)
    """Submitted (or closed elsewhere): nothing more is recorded."""
    asking: var[bool] = var(False, init=False)
    """An answer is stored and its confidence is being asked: no feedback yet."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__()
        self.attempt = attempt
        self.mode = attempt.settings.mode
        self.questions: list[Question] = []
        self.set_reactive(QuizScreen.flags, frozenset(attempt.flagged))
        self._shown_at = time.monotonic()
        self._timer: Timer | None = None
        self._view: QuestionView | None = None
        self._leave_unsaved = False
        """Set when escape was refused for an unsaved answer: a second escape leaves."""
        self.confidences: dict[str, Confidence | None] = {}
        """Stated confidence of the saved answers, by question id."""
        self.tags: dict[str, ErrorTag | None] = {}
        self.comments: dict[str, str] = {}
        """The comment given with each reason (with "disagree with the key")."""
        """Error tags of the saved answers, by question id."""

    @property
    def question(self) -> Question:
        """The item on screen."""
        return self.questions[self.index]

    @property
    def unanswered(self) -> int:
        """Items without an answer."""
        return sum(1 for q in self.questions if not is_answered(self.answers.get(q.id)))

    @property
    def feedback_now(self) -> bool:
        """Tutor and review modes show feedback after each answer."""
        return self.mode is not QuizMode.EXAM

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="quiz-status", classes="position-line")
        yield Static(id="quiz-strip")
        yield ScreenBody(id="quiz-body", classes="screen-body")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.sub_title = f"{MODE_NAMES[self.mode]} quiz"
        self.questions = [self.services.question(q)
                          for q in self.services.known_questions(self.attempt.question_ids)]
        self.set_reactive(QuizScreen.answers, {
            qid: record.answer for qid, record in self.attempt.responses.items()})
        self.set_reactive(QuizScreen.scores, {
            qid: Score(record.points, record.max_points)
            for qid, record in self.attempt.responses.items()})
        self.confidences = {qid: Confidence(r.confidence) if r.confidence else None
                            for qid, r in self.attempt.responses.items()}
        self.tags = {qid: ErrorTag(r.error_tag) if r.error_tag else None
                     for qid, r in self.attempt.responses.items()}
        self.comments = {qid: r.error_comment for qid, r in self.attempt.responses.items()}
        if not self.questions:
            if self.is_current:  # (a screen replaced while it mounted is already gone)
                self.notify("This quiz's questions are no longer in the content.",
                            severity="warning")
                self.dismiss()
            return
        self.set_reactive(QuizScreen.index,
                          max(0, min(self.attempt.position, len(self.questions) - 1)))
        if self.mode is QuizMode.EXAM and self.attempt.settings.time_limit_s:
            self._timer = self.set_interval(1.0, self.tick)
            if self.tick():
                return
        await self.show_item()

    # -- display -------------------------------------------------------------------------
    def remaining_seconds(self) -> float | None:
        """Seconds left in a timed exam, or None when untimed."""
        limit = self.attempt.settings.time_limit_s
        if self.mode is not QuizMode.EXAM or not limit:
            return None
        used = (self.services.clock() - self.attempt.started_at).total_seconds()
        return limit - used

    # The status line and the strip follow the quiz state: each watcher redraws them once
    # the first item is on screen.
    def watch_index(self) -> None:
        self._state_changed()

    def watch_answers(self) -> None:
        self._state_changed()

    def watch_scores(self) -> None:
        self._state_changed()

    def watch_flags(self) -> None:
        self._state_changed()

    def watch_finished(self, finished: bool) -> None:
        """A submitted quiz's countdown stops."""
        if finished and self._timer is not None:
            self._timer.stop()

    def watch_asking(self) -> None:
        self._state_changed()

    def _state_changed(self) -> None:
        if self._view is not None and self.questions:
            self.update_status()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`w` (why was it wrong?) shows only on a missed item's feedback."""
        if action == "tag_error":
            return self.can_tag()
        return super().check_action(action, parameters)

    def can_tag(self) -> bool:
        """The item on screen is a miss whose feedback is shown."""
        if not self.feedback_now or self.asking or not self.questions:
            return False
        score = self.scores.get(self.question.id)
        return score is not None and not score.correct

    def update_status(self) -> None:
        """Redraw the status line and the item strip."""
        status = self.query_one("#quiz-status", Static)
        status.update(self.status_line(status.content_size.width or self.app.size.width))
        self.query_one("#quiz-strip", Static).update(self.strip())

    def status_line(self, width: int) -> Content:
        """Countdown, mode, position, topic, difficulty, flag and answered count on one line
        of `width` cells: the difficulty, then the topic, give way when it would wrap."""
        q = self.question
        answered = len(self.questions) - self.unanswered
        topic = self.services.topic_label(q.topic)
        for detail in (f" · {topic} · {q.difficulty.value}", f" · {topic}", ""):
            parts: list[Content | str | tuple[str, str]] = []
            remaining = self.remaining_seconds()
            if remaining is not None:
                style = "bold reverse $error" if remaining < 60 else "bold $accent"
                parts.append((f"⏱ {duration(max(0.0, remaining))}", style))
                parts.append("  ")
            parts += [
                (f"{MODE_NAMES[self.mode]} · Item {self.index + 1} of {len(self.questions)}",
                 "bold"),
                (detail, "$text-muted"),
            ]
            if q.id in self.flags:
                parts.append((" · ⚑ flagged", "bold $warning"))
            parts.append((f" · {answered}/{len(self.questions)} answered", "$text-muted"))
            line = Content.assemble(*parts)
            if line.cell_length <= width:
                break
        return line

    def strip(self, width: int | None = None) -> Content:
        """Item numbers around the current one, as many as fit in `width` cells (the strip's
        width by default): ✓ ✗ ◐ answered, · open, ⚑ flagged; « and » say more items lie
        to the left or right. The current item is always on show."""
        if width is None:
            width = self.query_one("#quiz-strip", Static).content_size.width or self.app.size.width
        labels: list[tuple[str, str]] = []
        for i, q in enumerate(self.questions):
            mark, style = "·", "$text-muted"
            if is_answered(self.answers.get(q.id)):
                mark, style = "●", "$primary"
                score = self.scores.get(q.id)
                if self.feedback_now and score is not None and not (
                        self.asking and i == self.index):
                    mark, style = (
                        ("✓", "$success")
                        if score.correct
                        else (("◐", "$warning") if score.points > 0 else ("✗", "$error"))
                    )
            flag = "⚑" if q.id in self.flags else ""
            label = f"{i + 1}{mark}{flag}"
            if i == self.index:
                labels.append((f"[{label}]", f"bold reverse {style}"))
            else:
                labels.append((f" {label} ", style))
        start, end = strip_window([len(text) + 1 for text, _ in labels], self.index, width)
        pieces: list[Content | str | tuple[str, str]] = []
        if start > 0:
            pieces.append(("« ", "$text-muted"))
        for text, style in labels[start:end]:
            pieces += [(text, style), " "]
        if end < len(labels):
            pieces.append(("»", "$text-muted"))
        return Content.assemble(*pieces)

    async def show_item(self) -> None:
        """Show the current item (with its saved answer and, in tutor mode, its feedback).

        One question view stays mounted and is re-targeted from item to item (see
        `QuestionView.show_question`), in one batch, so the first frame drawn shows the new
        item and focus stays on the answer input. The position is saved once that frame is
        out."""
        body = self.query_one("#quiz-body", VerticalScroll)
        q = self.question
        answer = self.answers.get(q.id)
        with self.app.batch_update():
            view = self._view
            first = view is None or not view.is_attached
            if view is None or first:
                view = self._view = QuestionView(q, answer=answer, seed=self.attempt.id)
                await body.mount(view)
            else:
                await view.show_question(q, answer=answer)
                let_go_of_old_styles()  # the last item's widgets (see its note)
            body.scroll_home(animate=False)
            if self.feedback_now and q.id in self.scores:
                await view.show_feedback(self.scores[q.id])
                await self.show_confidence(view, q.id)
                self.set_focus(body)
            else:
                view.focus_answer()
            self._shown_at = time.monotonic()
            if first:  # later items: the status followed the index (see `watch_index`)
                self.update_status()
        self.call_after_refresh(self._save_position)
        self.call_after_refresh(collect_if_due)  # (once the new item is on screen)

    def _save_position(self) -> None:
        if not self.finished:
            try:
                self.services.save_position(self.attempt.id, self.index)
            except Exception as exc:  # only a convenience: never worth stopping for
                if not is_disk_full(exc):
                    raise

    # -- answering -----------------------------------------------------------------------
    async def on_answer_input_submitted(self, event: AnswerInput.Submitted) -> None:
        """Record the answer (committed before anything acknowledges it); show feedback
        (tutor, review) or move on (exam)."""
        event.stop()
        try:
            if not self.finished:
                await self._answered(event)
        finally:  # the keys sent after Enter go on to the confidence question, the next item
            event.control.release()

    async def _answered(self, event: AnswerInput.Submitted) -> None:
        ask = self.services.settings.ask_confidence
        self.asking = ask  # (the strip keeps the verdict back while asking)
        score = self.record(event.question_id, event.answer)
        if score is None:  # not saved: the answer stays on screen (see `record`)
            self.asking = False
            return
        if ask:
            qid = event.question_id

            async def given(confidence: Confidence | None) -> None:
                await self.confidence_given(qid, score, confidence)

            self.app.push_screen(ConfidenceDialog(), given)
            return
        await self.after_answer(event.question_id, score)

    async def confidence_given(self, question_id: str, score: Score,
                               confidence: Confidence | None) -> None:
        """Keep the stated confidence with the stored answer (the answer is saved already:
        if this cannot be saved, only the confidence is lost, and the learner is told),
        then go on as after any answer."""
        self.asking = False
        if confidence is not None and saved(
                self, lambda: self.services.set_confidence(self.attempt.id, question_id,
                                                           confidence), "your confidence"):
            self.confidences[question_id] = confidence
        if self.finished or not self.is_current or question_id != self.question.id:
            return
        await self.after_answer(question_id, score)

    async def after_answer(self, question_id: str, score: Score) -> None:
        """Show feedback (tutor, review) or move on (exam) once an answer is stored."""
        if self.feedback_now:
            view = self.query_one(QuestionView)
            await view.show_feedback(score)
            await self.show_confidence(view, question_id)
            self.query_one("#quiz-body", ScreenBody).focus()
            view.bring_verdict_into_view()
            if not self.unanswered:
                self.notify("All items answered — press s to see your results.", title="Done")
        else:
            self.notify("Answer saved.", timeout=1.5)
            if self.index < len(self.questions) - 1:
                with self.app.batch_update():
                    self.index += 1
                    await self.show_item()
            else:
                if isinstance(self.focused, Input):  # a field on the last item: the keys
                    self.query_one("#quiz-body", ScreenBody).focus()  # named below work
                if self.unanswered:
                    self.notify(
                        f"{self.unanswered} item{'s' if self.unanswered != 1 else ''} still open — "
                        "p goes back, s submits.",
                        timeout=3,
                    )
                else:
                    self.notify("Last item saved — press s to submit the exam.", timeout=3)

    async def show_confidence(self, view: QuestionView, question_id: str) -> None:
        """Add the confidence note under the feedback on screen (`ConfidenceNote`)."""
        score = self.scores.get(question_id)
        if score is not None:
            await show_confidence_note(view, self.confidences.get(question_id), score.correct,
                                       self.tags.get(question_id), can_tag=self.feedback_now,
                                       comment=self.comments.get(question_id, ""))

    def action_tag_error(self) -> None:
        """Say why the missed item on screen was wrong (optional)."""
        if not self.can_tag():
            return
        qid = self.question.id

        async def tagged(choice: tuple[ErrorTag, str] | None) -> None:
            if choice is None:
                return
            tag, comment = choice
            if not saved(self, lambda: self.services.set_error_tag(
                    self.attempt.id, qid, tag, comment), "the reason"):
                return
            self.tags[qid] = tag
            self.comments[qid] = comment
            self.notify(f"Noted: {tag.label}.", timeout=3)
            if self.is_current and qid == self.question.id and self._view is not None:
                await self.show_confidence(self._view, qid)
                self._view.bring_verdict_into_view()

        self.app.push_screen(ErrorTagDialog(self.tags.get(qid)), tagged)

    def record(self, question_id: str, answer: AnswerValue) -> Score | None:
        """Store an answer through services and keep it for the strip and review. None
        when it was not saved, and the learner has been told why: the disk is full (the
        answer stays on screen to save again), the quiz was closed in another window (see
        `closed_elsewhere`), or the answer was refused."""
        seconds = time.monotonic() - self._shown_at
        try:
            score = self.services.record_answer(self.attempt.id, question_id, answer, seconds)
        except ValueError as exc:
            self.closed_elsewhere(exc)
            return None
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.notify(DISK_FULL, title="Disk full", severity="error",
                        timeout=10)
            return None
        self.answers[question_id] = answer
        self.scores[question_id] = score
        self.confidences[question_id] = None  # a changed answer is asked afresh
        self.tags[question_id] = None
        self.comments[question_id] = ""
        self.mutate_reactive(QuizScreen.scores)
        self.mutate_reactive(QuizScreen.answers)
        self._leave_unsaved = False
        return score

    def closed_elsewhere(self, error: ValueError) -> None:
        """An answer was refused: when another window submitted this quiz, say so and offer
        its results; when another window discarded it, say so and go back; otherwise show
        why the answer was refused."""
        from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog
        from vpkp_tutor.tui.screens.results import ResultsScreen

        try:
            result = self.services.attempt_result(self.attempt.id)
        except ValueError:
            result = None
        if result is None:
            current = self.services.unfinished_attempt(self.attempt.learner_id)
            if current is not None and current.id == self.attempt.id:  # still open
                self.notify(str(error), title="Not saved", severity="error", markup=False)
                return
        self.finished = True
        if result is None:
            self.notify("This quiz was discarded in another window, so this answer was not "
                        "saved.", title="Quiz closed", severity="warning", timeout=10)
            self.dismiss()
            return

        def chosen(see: bool | None) -> None:
            if see:
                self.app.switch_screen(ResultsScreen(result))
            else:
                self.dismiss()

        self.app.push_screen(ConfirmDialog(
            "This quiz was submitted in another window, so this answer was not saved. "
            "See the quiz's results?", yes="See results", no="Back to Home"), chosen)

    def save_pending(self) -> bool:
        """In an exam, keep an answer the learner changed but did not press Enter on. False
        when there was one and it could not be saved."""
        if self.mode is not QuizMode.EXAM or self.finished or not self.questions:
            return True
        views = self.query(QuestionView)
        if not views:
            return True
        value = views.first().input.value
        q = self.question
        if is_answered(value) and value != self.answers.get(q.id):
            return self.record(q.id, value) is not None
        return True

    async def action_move(self, delta: int) -> None:
        """Next or previous item."""
        if self.finished or not self.questions:
            return
        await self._move(delta)

    async def _move(self, delta: int) -> None:
        target = self.index + delta
        if not 0 <= target < len(self.questions):
            if target >= len(self.questions):
                self.save_pending()
                self.notify("That was the last item — press s to submit.", timeout=2.5)
            return
        self.save_pending()
        with self.app.batch_update():
            self.index = target
            await self.show_item()

    def action_flag(self) -> None:
        """Mark or unmark the item for later."""
        if not self.questions:
            return
        qid = self.question.id
        flagged = qid not in self.flags
        if not saved(self, lambda: self.services.set_flag(self.learner.id, qid, flagged),
                     "the flag"):
            return
        self.flags ^= {qid}

    def action_page(self, delta: int) -> None:
        """Scroll the item by a page."""
        body = self.query_one("#quiz-body", ScreenBody)
        body.page(delta)

    # -- submitting ----------------------------------------------------------------------
    @work(exclusive=True, group="submit")
    async def action_submit_quiz(self) -> None:
        """Submit the quiz, asking first when items are unanswered."""
        from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog

        if self.finished:
            return
        self.save_pending()
        open_items = self.unanswered
        if open_items:
            ok = await self.app.push_screen_wait(
                ConfirmDialog(
                    f"{open_items} of {len(self.questions)} items are unanswered and will score "
                    "0. Submit the quiz anyway?",
                    yes="Submit",
                    no="Keep answering",
                )
            )
            if not ok or self.finished:
                return
        self.finish()

    def finish(self) -> None:
        """Submit through services and show the results."""
        from vpkp_tutor.tui.screens.results import ResultsScreen

        if self.finished:
            return
        self.finished = True
        try:
            result = self.services.finish_quiz(self.attempt.id)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.finished = False
            self.notify("The disk is full: the quiz was not submitted (your answers are "
                        "saved). Free some space, then press s to submit.", title="Disk full",
                        severity="error", timeout=10)
            return
        self.app.clear_notifications()  # ("press s to see your results": done)
        self.app.switch_screen(ResultsScreen(result))

    def tick(self) -> bool:
        """Update the countdown; at zero, submit. True when the exam was submitted."""
        remaining = self.remaining_seconds()
        if remaining is None or self.finished:
            return False
        if remaining <= 0:
            if self.questions:
                self.save_pending()
                if self.finished:  # closed in another window; the learner has been told
                    return True
            self.notify("Time is up — the exam was submitted.", title="⏱ Time", severity="warning")
            if self.app.screen is not self:
                self.app.pop_screen()  # (a confidence question left open: not stated)
            self.asking = False
            self.finish()
            return True
        if self.questions and self.query(QuestionView):
            self.update_status()
        return False

    def on_resize(self) -> None:
        """The strip and the status line fit the new width."""
        if self.questions and self._view is not None:
            self.update_status()

    def action_back(self) -> None:
        """Leave the quiz for Home (not the builder it may have been started from), where it
        is offered for resuming; it stays saved."""
        if self.finished:
            self.dismiss()
            return
        saved = self.save_pending()
        if self.finished:  # closed in another window; the learner has been told
            return
        if not saved and not self._leave_unsaved:
            self._leave_unsaved = True
            self.notify("This answer is not saved — press escape again to leave "
                        "without it.", severity="warning", timeout=6)
            return
        self._save_position()
        if not self.study_app.KEEPS_PROGRESS:
            self.notify("Left the item (a preview keeps no answers).", timeout=3)
        else:
            self.notify("Quiz saved — resume it from Home (u)." if saved else
                        "Left without the unsaved answer; the rest of the quiz is saved.",
                        timeout=3)
        self.study_app.action_go_home()
