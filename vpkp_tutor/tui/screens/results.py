"""Quiz results: score, time used, per-topic breakdown, confidence (and, with the `cbm`
scoring setting, the certainty-based marks), and the way into the item review (all items or
incorrect only), where misses can be tagged with why they were wrong.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Header, Static

from vpkp_tutor.domain.confidence import CbmTotal, Confidence, confidence_from
from vpkp_tutor.domain.progress import QuizResult
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.bars import bar, duration, percent, points
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.screen_body import ScreenBody

MODE_NAMES = {"tutor": "Tutor quiz", "exam": "Timed exam", "review": "Spaced review"}


def summary(result: QuizResult) -> Content:
    """Score, share, time used (`domain.progress.time_used`) and items answered."""
    share = result.points / result.max_points if result.max_points else 0.0
    used = result.seconds_used  # `domain.progress.time_used`, as History and exports
    answered = len(result.attempt.responses)
    total = len(result.attempt.question_ids)
    style = "bold $success" if share >= 0.8 else ("bold $warning" if share >= 0.5 else "bold $error")
    return Content.assemble(
        ("Score ", "bold"),
        (f"{points(result.points)} / {points(result.max_points)}", style),
        (f"  ({percent(share)})", style),
        "   ",
        bar(share, 20),
        "\n",
        ("Time used ", "bold"),
        duration(used),
        ("   Answered ", "bold"),
        f"{answered}/{total}",
        (f" ({total - answered} unanswered)", "bold $warning") if answered < total else "",
    )


def topic_breakdown(result: QuizResult) -> Content:
    """One line per topic."""
    lines = [Content.styled(f"{'Topic':<26} {'Items':<6} {'Points':>9}  Share", "bold")]
    for row in result.by_topic:
        share = row.points / row.max_points if row.max_points else 0.0
        lines.append(
            Content.assemble(
                f"{row.topic.label:<26.26} {row.answered:>2}/{row.total:<3} ",
                f"{points(row.points) + '/' + points(row.max_points):>9}  ",
                bar(share, 10),
                f" {percent(share):>4}",
            )
        )
    return Content("\n").join(lines)


def confidence_summary(result: QuizResult, cbm: CbmTotal | None) -> Content:
    """How many answers were given at each confidence and how many of those were wrong,
    the confident errors called out, and the CBM marks when `cbm` is given; empty when no
    confidence was stated and no CBM is asked for."""
    counts = {c: [0, 0] for c in Confidence}
    for record in result.attempt.responses.values():
        level = confidence_from(record.confidence)
        if level is not None:
            counts[level][0] += 1
            counts[level][1] += 0 if record.correct else 1
    parts: list[Content | str | tuple[str, str]] = []
    if any(n for n, _ in counts.values()):
        parts.append(("Confidence ", "bold"))
        parts.append(" · ".join(
            f"{c.label} {n}" + (f" ({wrong} wrong)" if wrong else "")
            for c, (n, wrong) in counts.items() if n))
        confident_errors = counts[Confidence.SURE][1]
        if confident_errors:
            parts += ["\n", (f"⚠ {confident_errors} confident error"
                             f"{'' if confident_errors == 1 else 's'} — worth a second look "
                             "(i reviews the misses)", "bold $warning")]
    if cbm is not None:
        if parts:
            parts.append("\n")
        best = 3 * cbm.items
        parts += [("CBM ", "bold"), f"{points(cbm.marks)} of {points(best)} marks",
                  (f"  (average {cbm.average:.2f} per item, from −6 to 3)", "dim")]
    return Content.assemble(*parts)


class ResultsScreen(VpkpScreen):
    """The outcome of a submitted quiz."""

    HOW_TO: ClassVar[str] = (
        "a reviews every item with your answer beside the key and the explanations; i reviews "
        "only the items you missed (w there tags why one was wrong); escape returns home. "
        "With CBM scoring (Settings) the certainty-based marks show under the score."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review(False)", "Review all", id="results.review_all"),
        Binding("i", "review(True)", "Review incorrect", id="results.review_incorrect"),
        Binding("escape", "app.go_home", "Home", id="screen.back"),
    ]
    """Review or go home."""

    def __init__(self, result: QuizResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        mode = MODE_NAMES.get(self.result.attempt.settings.mode.value, "Quiz")
        yield Header()
        yield Static(Content.styled(f"Results — {mode}", "bold"), classes="screen-title")
        with ScreenBody(id="results-body", classes="screen-body"):
            yield Static(summary(self.result), id="results-summary")
            yield Static(id="results-confidence")
            yield Static(topic_breakdown(self.result), id="results-topics")
            with Horizontal(classes="button-row"):
                yield Button("Review all (a)", id="review-all", compact=True, variant="primary")
                yield Button("Review incorrect (i)", id="review-incorrect", compact=True)
                yield Button("Home (esc)", id="home", compact=True, action="app.go_home")
        yield KeyFooter()

    def on_mount(self) -> None:
        from vpkp_tutor.domain.confidence import ScoringMode

        self.sub_title = "Results"
        cbm = (self.services.cbm(self.result.attempt)
               if self.services.settings.scoring is ScoringMode.CBM else None)
        line = self.query_one("#results-confidence", Static)
        note = confidence_summary(self.result, cbm)
        line.update(note)
        line.display = bool(note)
        self.query_one("#review-all", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True

    @on(Button.Pressed, "#review-all")
    def _all(self) -> None:
        self.action_review(False)

    @on(Button.Pressed, "#review-incorrect")
    def _incorrect(self) -> None:
        self.action_review(True)

    def action_review(self, incorrect_only: bool) -> None:
        """Step through the items."""
        from vpkp_tutor.tui.screens.review import ReviewScreen

        ids = self.incorrect_ids() if incorrect_only else list(self.result.attempt.question_ids)
        ids = self.services.known_questions(ids)
        if not ids:
            self.notify("Nothing to review — every item was answered correctly.", title="Review")
            return
        self.app.push_screen(ReviewScreen(self.result, ids, incorrect_only=incorrect_only))

    def incorrect_ids(self) -> list[str]:
        """Items without full marks (unanswered included), in quiz order."""
        responses = self.result.attempt.responses
        return [
            q
            for q in self.result.attempt.question_ids
            if q not in responses or not responses[q].correct
        ]
