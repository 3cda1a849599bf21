"""The line under an answer's verdict about confidence and why it was wrong: the confidence
stated, the confident-error warning, and the reason given with its comment (or, beside a
stated confidence, the key that gives one)."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from vpkp_tutor.domain.confidence import Confidence, ErrorTag, confident_error
from vpkp_tutor.tui.dialogs.confidence import CONFIDENCE_WORDS
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.text import literal

CONFIDENT_ERROR = ("⚠ You were sure — this is worth a second look. It comes back sooner in "
                   "spaced review.")
"""The warning under the verdict of a confident error."""


def confidence_note(confidence: Confidence | None, correct: bool, tag: ErrorTag | None,
                    *, can_tag: bool, comment: str = "") -> Content:
    """The note's text (empty when there is nothing to say)."""
    lines: list[Content] = []
    if confidence is not None:
        lines.append(Content.assemble(("You said: ", "dim"),
                                      (CONFIDENCE_WORDS[confidence], "bold")))
    if confident_error(correct, confidence):
        lines.append(Content.styled(CONFIDENT_ERROR, "bold $warning"))
    if tag is not None:
        lines.append(Content.assemble(("Why it was wrong: ", "dim"), (tag.label, "bold")))
        if comment:
            lines.append(Content.assemble(("Your comment: ", "dim"), literal(comment)))
    elif can_tag and not correct and lines:
        lines.append(Content.styled("Why was it wrong? w tags it (optional).", "dim italic"))
    return Content("\n").join(lines)


class ConfidenceNote(Static):
    """`confidence_note` under the verdict of a `FeedbackView`."""

    DEFAULT_CSS = """
    ConfidenceNote {
        height: auto;
        margin-bottom: 1;
    }
    """


async def show_confidence_note(view: Widget, confidence: Confidence | None, correct: bool,
                               tag: ErrorTag | None, *, can_tag: bool,
                               comment: str = "") -> None:
    """Show (or update) the note in the feedback inside `view`; nothing without feedback."""
    feedback = view.query(FeedbackView)
    if not feedback:
        return
    target = feedback.last()
    note = confidence_note(confidence, correct, tag, can_tag=can_tag, comment=comment)
    old = target.query(ConfidenceNote)
    if old:
        old.first().update(note)
        old.first().display = bool(note)
    elif note:
        await target.mount(ConfidenceNote(note), after=target.query_one(".verdict"))
