"""Review of a submitted quiz: each item with the learner's answer beside the key, the
per-option explanations and the references, the confidence stated, and — for a miss — why
it was wrong (`w` tags it; the only place a timed exam's misses are tagged)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from vpkp_tutor.domain.confidence import Confidence, ErrorTag, confidence_from, error_tag_from
from vpkp_tutor.domain.model import Score
from vpkp_tutor.domain.progress import QuizResult
from vpkp_tutor.tui.dialogs.confidence import ErrorTagDialog
from vpkp_tutor.tui.disk import saved
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.confidence_note import show_confidence_note
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.question_view import QuestionView
from vpkp_tutor.tui.widgets.screen_body import ScreenBody


class ReviewScreen(VpkpScreen):
    """Step through the items of a finished quiz."""

    HOW_TO: ClassVar[str] = (
        "n / p step through the items; ✓ marks the key, ✗ your wrong choices. {tag_error} "
        "tags why a missed item was wrong (optional). ↑/↓ and PgUp/PgDn scroll; escape "
        "returns to the results."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,right", "move(1)", "Next", id="review.next"),
        Binding("p,left", "move(-1)", "Previous", id="review.previous"),
        Binding("w", "tag_error", "Why wrong?", id="review.tag_error"),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
    ]
    """Step through the items."""

    def __init__(self, result: QuizResult, question_ids: list[str], *, incorrect_only: bool) -> None:
        super().__init__()
        self.result = result
        self.question_ids = question_ids
        self.incorrect_only = incorrect_only
        self.index = 0
        responses = result.attempt.responses
        self.confidences: dict[str, Confidence | None] = {
            qid: confidence_from(r.confidence) for qid, r in responses.items()}
        self.tags: dict[str, ErrorTag | None] = {
            qid: error_tag_from(r.error_tag) for qid, r in responses.items()}
        self.comments = {qid: r.error_comment for qid, r in responses.items()}
        self._view: QuestionView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-status", classes="position-line")
        yield ScreenBody(id="review-body", classes="screen-body")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.sub_title = "Review"
        await self.show_item()

    async def show_item(self) -> None:
        """Show the current item, revealed."""
        qid = self.question_ids[self.index]
        question = self.services.question(qid)
        record = self.result.attempt.responses.get(qid)
        which = "incorrect only" if self.incorrect_only else "all items"
        position = self.result.attempt.question_ids.index(qid) + 1
        self.query_one("#review-status", Static).update(
            Content.assemble(
                (f"Review ({which}) · {self.index + 1} of {len(self.question_ids)}", "bold"),
                (f" · quiz item {position} · {self.services.topic_label(question.topic)}", "$text-muted"),
            )
        )
        body = self.query_one("#review-body", VerticalScroll)
        await body.remove_children()
        view = QuestionView(
            question, answer=record.answer if record else None, seed=self.result.attempt.id
        )
        await body.mount(view)
        score = Score(record.points, record.max_points) if record else None
        await view.show_feedback(score)
        self._view = view
        if record is not None:
            await show_confidence_note(view, self.confidences.get(qid), record.correct,
                                       self.tags.get(qid), can_tag=True,
                                       comment=self.comments.get(qid, ""))
        body.scroll_home(animate=False)
        body.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`w` shows only on an answered item that missed."""
        if action == "tag_error":
            record = self.result.attempt.responses.get(self.question_ids[self.index])
            return record is not None and not record.correct
        return super().check_action(action, parameters)

    def action_tag_error(self) -> None:
        """Say why the missed item on screen was wrong (optional)."""
        qid = self.question_ids[self.index]
        record = self.result.attempt.responses.get(qid)
        if record is None or record.correct:
            return

        async def tagged(choice: tuple[ErrorTag, str] | None) -> None:
            if choice is None:
                return
            tag, comment = choice
            if not saved(self, lambda: self.services.set_error_tag(
                    self.result.attempt.id, qid, tag, comment), "the reason"):
                return
            self.tags[qid] = tag
            self.comments[qid] = comment
            self.notify(f"Noted: {tag.label}.", timeout=3)
            if self._view is not None and self.question_ids[self.index] == qid:
                await show_confidence_note(self._view, self.confidences.get(qid), False,
                                           tag, can_tag=True, comment=comment)

        self.app.push_screen(ErrorTagDialog(self.tags.get(qid)), tagged)

    async def action_move(self, delta: int) -> None:
        """Next or previous item."""
        target = self.index + delta
        if 0 <= target < len(self.question_ids):
            self.index = target
            await self.show_item()

    def action_page(self, delta: int) -> None:
        """Scroll by a page."""
        body = self.query_one("#review-body", ScreenBody)
        body.page(delta)
