"""Feedback after an answer: the verdict, per-option explanations, the overall explanation
(Markdown) and the references.

Everything from the question is shown literally except the explanation, which is Markdown by
design.
"""

from __future__ import annotations

from typing import assert_never

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from vpkp_tutor.domain.model import (
    LETTERS,
    ChoiceQuestion,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    Score,
    ShortAnswer,
    SingleBest,
    Trajectory,
    TrueFalse,
)
from vpkp_tutor.domain.scoring import (
    ChoiceVerdict,
    MatchingVerdict,
    NumericVerdict,
    ShortAnswerVerdict,
    Verdict,
)
from vpkp_tutor.domain.trajectory import TrajectoryVerdict
from vpkp_tutor.tui.widgets.bars import points
from vpkp_tutor.tui.widgets.numeric import key_text, number_text
from vpkp_tutor.tui.widgets.prose import prose
from vpkp_tutor.tui.widgets.text import literal, literal_note


def verdict(score: Score | None) -> Content:
    """One line: correct, partly correct, incorrect, or unanswered."""
    if score is None:
        return Content.styled("○ Not answered", "bold $warning")
    if score.correct:
        return Content.styled("✓ Correct", "bold $success")
    if score.points > 0:
        return Content.styled(
            f"◐ Partly correct — {points(score.points)} of {points(score.max_points)} point",
            "bold $warning",
        )
    return Content.styled("✗ Incorrect", "bold $error")


def option_notes(question: Question, verdict: Verdict) -> list[tuple[Content, Content]]:
    """Per-option (or per-item, per-pair) explanations, marked as the verdict says, as
    (heading, explanation) pairs."""
    match question, verdict:
        case (SingleBest() | MultipleResponse() | TrueFalse()), ChoiceVerdict():
            return _choice_notes(question, verdict)
        case Ordering(), _:
            return _ordering_notes(question)
        case Matching(), MatchingVerdict():
            return _matching_notes(question, verdict)
        case Numeric(), NumericVerdict():
            return _numeric_notes(question, verdict)
        case Trajectory(), TrajectoryVerdict():
            return _trajectory_notes(verdict)
        case ShortAnswer(), ShortAnswerVerdict():
            return _short_notes(question, verdict)
        case (SingleBest() | MultipleResponse() | TrueFalse() | Matching() | Numeric()
              | Trajectory() | ShortAnswer()), _:
            return []  # a verdict on another type of question: nothing to mark
        case _:
            assert_never(question)


def _choice_notes(question: ChoiceQuestion, verdict: ChoiceVerdict,
                  ) -> list[tuple[Content, Content]]:
    lines: list[tuple[Content, Content]] = []
    for i, (option, mark) in enumerate(zip(question.options, verdict.options, strict=False)):
        tag = "key" if mark.right else ""
        if mark.chosen:
            tag = "your answer, key" if mark.right else "your answer"
        style = "bold $success" if mark.right else ("bold $error" if mark.chosen else "bold")
        head = Content.assemble((f"{LETTERS[i]}. ", style), literal(option.text))
        if tag:
            head = Content.assemble(head, (f"  ({tag})", "italic"))
        lines.append((head, literal_note(option.explanation, "dim")))
    return lines


def _ordering_notes(question: Ordering) -> list[tuple[Content, Content]]:
    lines: list[tuple[Content, Content]] = []
    for i, option in enumerate(question.options):
        head = Content.assemble((f"{i + 1}. ", "bold"), literal(option.text))
        if i == 0:
            head = Content.assemble(("Correct order:\n", "bold"), head)
        lines.append((head, literal_note(option.explanation, "dim")))
    return lines


def _matching_notes(question: Matching, verdict: MatchingVerdict,
                    ) -> list[tuple[Content, Content]]:
    lines: list[tuple[Content, Content]] = []
    for i, (pair, match) in enumerate(zip(question.pairs, verdict.pairs, strict=False)):
        head = Content.assemble(
            (f"{LETTERS[i]}. ", "bold $success" if match.right else "bold $error"),
            literal(pair.left),
            " → ",
            literal(match.key, "bold"),
        )
        lines.append((head, literal_note(pair.explanation, "dim")))
    return lines


def _numeric_notes(question: Numeric, verdict: NumericVerdict) -> list[tuple[Content, Content]]:
    mine = number_text(verdict.given) if verdict.given is not None else "—"
    head = Content.assemble(
        "Your answer: ", (mine, "bold"), " ", literal(question.unit),
        "   Key: ", (key_text(verdict), "bold"), " ", literal(question.unit),
    )
    return [(head, Content(""))]


def _trajectory_notes(verdict: TrajectoryVerdict) -> list[tuple[Content, Content]]:
    """Entry, path safety and final position, each with its points and why; the never event
    first when there was one; then how the ideal path is shown."""
    lines: list[tuple[Content, Content]] = []
    for name, part in (("Entry", verdict.entry), ("Path safety", verdict.safety),
                       ("Final position", verdict.position)):
        full = part.points >= part.max_points - 1e-9
        style = "bold $success" if full else ("bold $warning" if part.points > 0
                                              else "bold $error")
        head = Content.assemble(
            ("✓ " if full else "◐ " if part.points > 0 else "✗ ", style), (name, "bold"),
            f"  {points(part.points)} of {points(part.max_points)}")
        lines.append((head, Content(part.note)))
    lines.append((Content.assemble(("○ ", "bold $success"), ("Ideal path", "bold"),
                                   " replayed in both views (r replays it)"),
                  Content("Contact at the superolateral corner (or beside the pedicle on a "
                          "parapedicular route), lateral to the medial wall until past the "
                          "posterior wall, ending in the anterior third near the midline "
                          "(the green lines).")))
    return lines


def _short_notes(question: ShortAnswer, verdict: ShortAnswerVerdict,
                 ) -> list[tuple[Content, Content]]:
    """Your answer, then each accepted answer with its share of the point; the one matched
    is marked and its feedback shown."""
    mine = verdict.given if verdict.given is not None else "—"
    lines: list[tuple[Content, Content]] = [
        (Content.assemble("Your answer: ", literal(mine, "bold")), Content(""))]
    for i, accepted in enumerate(question.answers):
        share = "" if accepted.weight >= 1.0 - 1e-9 else f"  ({accepted.weight:.0%} credit)"
        matched = i == verdict.matched
        style = "bold $success" if accepted.weight >= 1.0 - 1e-9 else "bold"
        head = Content.assemble(("Accepted: ", "bold"), literal(accepted.text, style),
                                (share, "italic"))
        if matched:
            head = Content.assemble(head, ("  (your answer)", "italic"))
        lines.append((head, literal_note(accepted.feedback, "dim")))
    if question.case_sensitive:
        lines.append((Content.styled("Letter case counts in this answer.", "italic"),
                      Content("")))
    return lines


class FeedbackView(Vertical):
    """Verdict, option notes, explanation and references for one answered question."""

    DEFAULT_CSS = """
    FeedbackView {
        height: auto;
        border-top: hkey $primary;
        margin-top: 1;
    }
    FeedbackView Static {
        height: auto;
    }
    FeedbackView .verdict {
        margin-bottom: 1;
    }
    FeedbackView .note-text {
        padding-left: 3;
    }
    """

    def __init__(
        self, question: Question, verdict: Verdict, score: Score | None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="feedback")
        self.question = question
        self.verdict = verdict
        """The domain's verdict on the answer, which the notes render."""
        self.score = score

    def compose(self) -> ComposeResult:
        yield Static(verdict(self.score), classes="verdict")
        for head, note in option_notes(self.question, self.verdict):
            yield Static(head, classes="note-head")
            if note:
                yield Static(note, classes="note-text")
        yield Static(Content.styled("Explanation", "bold"), classes="section-title")
        yield prose(self.question.explanation, classes="explanation")
        if self.question.references:
            refs = Content("\n").join(
                Content.assemble("• ", literal(r)) for r in self.question.references
            )
            yield Static(
                Content.assemble(("References\n", "bold"), refs), classes="references"
            )
