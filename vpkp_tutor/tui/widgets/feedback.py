"""Feedback after an answer: the verdict, per-option explanations, the overall explanation
(Markdown) and the references.

Everything from the question is shown literally except the explanation, which is Markdown by
design.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from vpkp_tutor.domain.model import LETTERS, Question, QuestionType, Score
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.tui.widgets.bars import points
from vpkp_tutor.tui.widgets.prose import prose
from vpkp_tutor.tui.widgets.text import literal


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


def option_notes(question: Question, answer: AnswerValue) -> list[tuple[Content, Content]]:
    """Per-option (or per-item, per-pair) explanations, marked against the key, as
    (heading, explanation) pairs."""
    lines: list[tuple[Content, Content]] = []
    qtype = question.type
    if qtype in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE, QuestionType.MULTIPLE_RESPONSE):
        keys = set(question.keys) if qtype is QuestionType.MULTIPLE_RESPONSE else {question.key}
        chosen: set[str] = set()
        if isinstance(answer, str):
            chosen = {answer}
        elif isinstance(answer, tuple):
            chosen = {a for a in answer if isinstance(a, str)}
        for i, option in enumerate(question.options):
            letter = LETTERS[i]
            is_key = letter in keys
            tag = "key" if is_key else ""
            if letter in chosen:
                tag = "your answer, key" if is_key else "your answer"
            style = "bold $success" if is_key else ("bold $error" if letter in chosen else "bold")
            head = Content.assemble((f"{letter}. ", style), literal(option.text))
            if tag:
                head = Content.assemble(head, (f"  ({tag})", "italic"))
            lines.append((head, literal(option.explanation, "dim")))
    elif qtype is QuestionType.ORDERING:
        for i, option in enumerate(question.options):
            head = Content.assemble((f"{i + 1}. ", "bold"), literal(option.text))
            if i == 0:
                head = Content.assemble(("Correct order:\n", "bold"), head)
            lines.append((head, literal(option.explanation, "dim")))
    elif qtype is QuestionType.MATCHING:
        given = answer if isinstance(answer, tuple) else ()
        for i, pair in enumerate(question.pairs):
            mine = given[i] if i < len(given) else None
            ok = mine == pair.right
            head = Content.assemble(
                (f"{LETTERS[i]}. ", "bold $success" if ok else "bold $error"),
                literal(pair.left),
                " → ",
                literal(pair.right, "bold"),
            )
            lines.append((head, literal(pair.explanation, "dim")))
    else:
        key = f"{question.answer:g}" if question.answer is not None else "?"
        tol = f" ± {question.tolerance:g}" if question.tolerance else ""
        mine = f"{answer:g}" if isinstance(answer, float | int) else "—"
        head = Content.assemble(
            "Your answer: ", (mine, "bold"), " ", literal(question.unit),
            "   Key: ", (key + tol, "bold"), " ", literal(question.unit),
        )
        lines.append((head, Content("")))
    return lines


class FeedbackView(Vertical):
    """Verdict, option notes, explanation and references for one answered question."""

    def __init__(
        self, question: Question, answer: AnswerValue, score: Score | None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="feedback")
        self.question = question
        self.answer = answer
        self.score = score

    def compose(self) -> ComposeResult:
        yield Static(verdict(self.score), classes="verdict")
        for head, note in option_notes(self.question, self.answer):
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
