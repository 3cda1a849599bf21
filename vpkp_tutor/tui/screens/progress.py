"""Progress: charts of accuracy over time, accuracy and mastery per topic and reviews due over
the next 14 days, the history of quizzes and cases, and confidence: the calibration chart
(stated confidence against how often the answer was right) and the error profile (why
misses were wrong, per topic).

The per-topic chart is text (one line per topic: its name, then its bars), so that every label
sits on the line of its own bars at any size.

`textual_plotext` (and plotext) are imported here only, so they load when this screen opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from vpkp_tutor.domain.confidence import CBM_BAND, CalibrationRow, ErrorTag
from vpkp_tutor.domain.progress import CaseRun, QuizResult, TopicProgress
from vpkp_tutor.tui.screens.base import LOAD_GROUP, VpkpScreen
from vpkp_tutor.tui.widgets.bars import (
    ACCURACY_HELP,
    MASTERY_HELP,
    bar,
    duration,
    percent,
    points,
)
from vpkp_tutor.tui.widgets.footer import KeyFooter

MODE_NAMES = {"tutor": "Quiz · tutor", "exam": "Quiz · exam", "review": "Quiz · review"}
FORECAST_DAYS = 14


LABEL_WIDTH = 24
"""Cells for a topic's name in the per-topic chart."""


def topic_chart(rows: list[TopicProgress], width: int) -> Content:
    """Accuracy and mastery per answered topic as text bars, each topic on one line, with a
    line explaining each figure."""
    bar_width = max(6, (width - LABEL_WIDTH - 2 - 2 * 5 - 2) // 2)
    head = Content.styled(
        f"{'Topic':<{LABEL_WIDTH}}  {'Accuracy':<{bar_width + 5}}  Mastery", "bold"
    )
    lines = [head]
    for row in rows:
        m = row.mastery
        label = row.topic.label
        if len(label) > LABEL_WIDTH:
            label = label[: LABEL_WIDTH - 1] + "…"
        lines.append(Content.assemble(
            f"{label:<{LABEL_WIDTH}}  ",
            bar(m.accuracy, bar_width), f" {percent(m.accuracy):>4}  ",
            bar(m.value, bar_width), f" {percent(m.value):>4}",
        ))
    lines += [Content(""), Content.styled(ACCURACY_HELP, "$text-muted"),
              Content.styled(MASTERY_HELP, "$text-muted")]
    return Content("\n").join(lines)


VERDICTS = {"over": ("over-confident", "bold $error"), "under": ("under-confident", "$warning"),
            "ok": ("well judged", "$success"), "": ("no answers yet", "dim")}
"""How a calibration row's verdict reads."""
TAG_HEADS = {ErrorTag.NOT_KNOWN: "Not known", ErrorTag.MISREAD: "Misread",
             ErrorTag.REASONING: "Reasoning", ErrorTag.SLIP: "Slip",
             ErrorTag.DISAGREE: "Disagree"}
"""Column heads of the error profile."""
CALIBRATION_HELP = ("Right: the share of answers at that confidence that earned full marks. "
                    "Aim: where that confidence pays best under certainty-based marking — "
                    "sure above 80%, unsure 67–80%, guess below 67%.")


def _band(low: float, high: float) -> str:
    if low <= 0:
        return f"below {high:.0%}"
    if high >= 1:
        return f"above {low:.0%}"
    return f"{low:.0%}–{high:.0%}"


def calibration_chart(rows: tuple[CalibrationRow, ...], width: int) -> Content:
    """Stated confidence against actual accuracy, one line per level, with the CBM aim."""
    bar_width = max(6, min(20, width - 58))
    lines = [Content.styled(
        f"{'Stated':<8}{'Answers':>8}  {'Right':<{bar_width + 6}} {'Verdict':<16} Aim", "bold")]
    for row in rows:
        accuracy = row.accuracy
        words, style = VERDICTS[row.verdict]
        lines.append(Content.assemble(
            f"{row.confidence.label:<8}{row.answers:>8}  ",
            bar(accuracy or 0.0, bar_width),
            f" {percent(accuracy) if accuracy is not None else '—':>4} ",
            (f"{words:<16}", style), " ", (_band(*CBM_BAND[row.confidence]), "dim"),
        ))
    lines += [Content(""), Content.styled(CALIBRATION_HELP, "$text-muted")]
    return Content("\n").join(lines)


def error_profile_table(profile: dict[str, dict[ErrorTag, int]],
                        labels: dict[str, str]) -> Content:
    """Tagged misses per topic and reason (`labels`: topic id → name), with a total
    line."""
    width = 22
    head = f"{'Topic':<{width}}" + "".join(f"{h:>10}" for h in TAG_HEADS.values())
    lines = [Content.styled(head, "bold")]
    totals = dict.fromkeys(ErrorTag, 0)
    for topic, counts in profile.items():
        label = labels.get(topic, topic) if topic else "(not in the bank)"
        if len(label) > width - 1:
            label = label[: width - 2] + "…"
        lines.append(Content(f"{label:<{width}}" + "".join(
            f"{counts[t] or '·':>10}" for t in ErrorTag)))
        for t in ErrorTag:
            totals[t] += counts[t]
    lines.append(Content.styled(f"{'All topics':<{width}}" + "".join(
        f"{totals[t]:>10}" for t in ErrorTag), "bold"))
    return Content("\n").join(lines)


@dataclass(frozen=True, slots=True)
class ProgressData:
    """Everything the progress screen shows, read in one go."""

    over_time: list[tuple[dt.date, float]]
    topics: list[TopicProgress]
    due: list[int]
    history: tuple[list[QuizResult], list[CaseRun]]
    due_now: int = 0
    """Reviews due at this moment (Home's figure; today's bar counts the rest of today)."""
    calibration: tuple[CalibrationRow, ...] = ()
    errors: dict[str, dict[ErrorTag, int]] | None = None


class ProgressScreen(VpkpScreen):
    """Charts and history."""

    HOW_TO: ClassVar[str] = (
        "1–5 (or ←/→ on the tabs) switch between accuracy over time, accuracy and mastery by "
        "topic, reviews due in the next 14 days, the history of quizzes and cases, and "
        "confidence (calibration and why misses were wrong). "
        + ACCURACY_HELP + ". " + MASTERY_HELP + ". " + CALIBRATION_HELP
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('over-time')", "Over time", id="progress.over_time"),
        Binding("2", "tab('by-topic')", "By topic", id="progress.by_topic"),
        Binding("3", "tab('due')", "Due", id="progress.due"),
        Binding("4", "tab('history')", "History", id="progress.history"),
        Binding("5", "tab('confidence')", "Confidence", id="progress.confidence"),
    ]
    """Switch tabs."""

    DEFAULT_CSS = """
    ProgressScreen #by-topic-scroll, ProgressScreen #confidence-scroll {
        padding: 1 1 0 1;
    }
    ProgressScreen #confidence-scroll Static {
        height: auto;
    }
    ProgressScreen #by-topic-scroll Static {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ProgressScreen .chart-title {
        margin-bottom: 1;
    }
    ProgressScreen .confidence-gap {
        margin-top: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.topic_rows: list[TopicProgress] = []
        """The answered topics the per-topic chart shows."""
        self._shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="progress-tabs"):
            with TabPane("1 Over time", id="over-time"):
                yield Vertical(id="over-time-box")
            with TabPane("2 By topic", id="by-topic"):
                yield Vertical(id="by-topic-box")
            with TabPane("3 Reviews due", id="due"):
                yield Vertical(id="due-box")
            with TabPane("4 History", id="history"):
                yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            with TabPane("5 Confidence", id="confidence"), VerticalScroll(
                    id="confidence-scroll"):
                yield Static(Content.styled("Calibration: how often you were right at each "
                                            "confidence", "bold"), classes="chart-title")
                yield Static(id="chart-calibration")
                yield Static(Content.styled("Why misses were wrong, by topic", "bold"),
                             classes="chart-title confidence-gap")
                yield Static(id="chart-errors")
        yield KeyFooter()

    due_title = ""
    """The title of the reviews-due chart (read by tests)."""

    def on_mount(self) -> None:
        self.sub_title = "Progress"
        self.load(self.learner.id)

    def on_screen_resume(self) -> None:
        """Read everything again when the screen is opened again (it is kept once opened)."""
        if self._shown and self.study_app.learner is not None:
            self.load(self.study_app.learner.id)

    @work(thread=True, exclusive=True, group=LOAD_GROUP)
    def load(self, learner_id: str) -> None:
        """Read the charts' figures and the history in a thread (the UI keeps answering),
        then show them."""
        services = self.services
        data = ProgressData(
            over_time=services.accuracy_over_time(learner_id),
            topics=[t for t in services.dashboard(learner_id).topics
                    if t.mastery.answered_items],
            due=services.due_forecast(learner_id, FORECAST_DAYS),
            due_now=services.due_count(learner_id),
            history=services.history(learner_id),
            calibration=services.calibration(learner_id),
            errors=services.error_profile(learner_id),
        )
        self.app.call_from_thread(self.call_later, self.show, data)

    async def show(self, data: ProgressData) -> None:
        """Draw the charts and fill the history (replacing what was shown)."""
        for box in ("#over-time-box", "#by-topic-box", "#due-box"):
            await self.query_one(box, Vertical).remove_children()
        self.topic_rows = []
        self.query_one("#history-table", DataTable).clear(columns=True)
        await self.chart_over_time(data.over_time)
        await self.chart_by_topic(data.topics)
        await self.chart_due(data.due, data.due_now)
        self.fill_history(*data.history)
        self.show_confidence(data)
        self._shown = True

    def show_confidence(self, data: ProgressData) -> None:
        """The calibration chart and the error profile (or what to do to fill them)."""
        chart = self.query_one("#chart-calibration", Static)
        if any(r.answers for r in data.calibration):
            width = max(40, (self.size.width or self.app.size.width) - 4)
            chart.update(calibration_chart(data.calibration, width))
        else:
            chart.update(Content.styled(
                "No confidence stated yet — turn on \"Ask how sure\" in Settings; each "
                "answer's 1 sure / 2 unsure / 3 guess is charted here.", "dim italic"))
        errors = self.query_one("#chart-errors", Static)
        if data.errors:
            errors.update(error_profile_table(
                data.errors, {t.id: t.label for t in self.services.topics()}))
        else:
            errors.update(Content.styled(
                "No misses tagged yet — after a miss, w says why it was wrong.", "dim italic"))

    async def _empty(self, box_id: str, text: str) -> None:
        await self.query_one(f"#{box_id}", Vertical).mount(
            Static(Content.styled(text, "dim italic"), classes="empty-chart")
        )

    async def chart_over_time(self, points: list[tuple[dt.date, float]]) -> None:
        """Line chart of daily accuracy."""
        if not points:
            await self._empty("over-time-box", "No answers yet — accuracy over time appears here.")
            return
        plot = PlotextPlot(id="chart-over-time")
        await self.query_one("#over-time-box", Vertical).mount(plot)
        xs: list[float] = [float(i) for i in range(len(points))]
        ys = [round(v * 100, 1) for _, v in points]
        plt = plot.plt
        plt.plot(xs, ys, marker="braille")
        plt.scatter(xs, ys, marker="●")
        plt.yticks([0, 25, 50, 75, 100])
        step = max(1, len(points) // 6)
        plt.xticks(xs[::step], [d.strftime("%m-%d") for d, _ in points][::step])
        plt.ylim(0, 100)
        plt.title("Accuracy per day (%)")

    async def chart_by_topic(self, rows: list[TopicProgress]) -> None:
        """Accuracy and mastery by topic, as text bars."""
        if not rows:
            await self._empty("by-topic-box", "No answers yet — accuracy by topic appears here.")
            return
        self.topic_rows = rows
        chart = Static(id="chart-by-topic")
        await self.query_one("#by-topic-box", Vertical).mount(
            VerticalScroll(
                Static(Content.styled("Accuracy and mastery by topic", "bold"),
                       classes="chart-title"),
                chart,
                id="by-topic-scroll",
            )
        )
        self.draw_by_topic()

    def draw_by_topic(self) -> None:
        """Draw the per-topic chart to the width of the screen."""
        if not self.topic_rows:
            return
        width = max(40, (self.size.width or self.app.size.width) - 4)
        self.query_one("#chart-by-topic", Static).update(topic_chart(self.topic_rows, width))

    def on_resize(self) -> None:
        """Bars fitted to the width again."""
        if self.is_mounted and self.topic_rows:
            self.draw_by_topic()

    async def chart_due(self, counts: list[int], due_now: int) -> None:
        """Bar chart of reviews falling due per day; the title says how many of today's are
        due already (Home's figure), the rest falling due later today."""
        plot = PlotextPlot(id="chart-due")
        await self.query_one("#due-box", Vertical).mount(plot)
        today = self.services.clock().date()
        labels = [
            "today" if i == 0 else (today + dt.timedelta(days=i)).strftime("%d")
            for i in range(len(counts))
        ]
        plt = plot.plt
        plt.bar(labels, counts, width=0.6)
        top = max(counts, default=0)
        step = max(1, -(-top // 5))
        plt.yticks(list(range(0, top + step, step)))
        later = max(0, counts[0] - due_now) if counts else 0
        self.due_title = (f"Reviews due, next {len(counts)} days (total {sum(counts)}); "
                          f"today: {due_now} now, {later} later")
        plt.title(self.due_title)

    def fill_history(self, quizzes: list[QuizResult], cases: list[CaseRun]) -> None:
        """Quizzes and cases, newest first. What was done comes last: a long case title is
        then what is cut at 80 columns, never the score or the time."""
        table = self.query_one("#history-table", DataTable)
        table.add_columns("When", "Score", "Time", "What")
        rows: list[tuple[dt.datetime, tuple[Text, Text, Text, Text]]] = []
        for q in quizzes:
            share = q.points / q.max_points if q.max_points else 0.0
            when = q.attempt.finished_at or q.attempt.started_at
            name = MODE_NAMES.get(q.attempt.settings.mode.value, "Quiz")
            rows.append(
                (
                    when,
                    (
                        Text(when.strftime("%Y-%m-%d %H:%M")),
                        Text(f"{points(q.points)}/{points(q.max_points)} ({percent(share)})"),
                        Text(duration(q.seconds_used)),
                        Text(f"{name} · {len(q.attempt.responses)}/{len(q.attempt.question_ids)}"
                             " answered"),
                    ),
                )
            )
        for run in cases:
            when = run.finished_at or run.started_at
            case = self.services.case(run.case_id)
            title = run.case_id if case is None else case.title
            status = "never event" if run.critical_errors else f"{run.points}/{run.max_points}"
            if run.finished_at is None:
                status += " (unfinished)"
            used = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
            rows.append(
                (
                    when,
                    (
                        Text(when.strftime("%Y-%m-%d %H:%M")),
                        Text(status),
                        Text(duration(used) if run.finished_at else "—"),
                        Text(f"Case · {title}"),
                    ),
                )
            )
        rows.sort(key=lambda r: r[0], reverse=True)
        if not rows:
            table.add_row(Text("—"), Text(""), Text(""), Text("No quizzes or cases yet"))
        for _, cells in rows:
            table.add_row(*cells)

    def action_tab(self, tab_id: str) -> None:
        """Show one tab."""
        self.query_one("#progress-tabs", TabbedContent).active = tab_id
