"""Progress: charts of accuracy over time, accuracy per topic and reviews due over the next
14 days, and the history of quizzes and cases.

`textual_plotext` (and plotext) are imported here only, so they load when this screen opens.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from vpkp_tutor.domain.progress import CaseRun, QuizResult
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.bars import duration, percent, points
from vpkp_tutor.tui.widgets.footer import KeyFooter

MODE_NAMES = {"tutor": "Quiz · tutor", "exam": "Quiz · exam", "review": "Quiz · review"}
FORECAST_DAYS = 14


def short_topic(label: str) -> str:
    """A topic label short enough for a chart axis."""
    return label if len(label) <= 16 else label[:15] + "…"


class ProgressScreen(VpkpScreen):
    """Charts and history."""

    HOW_TO: ClassVar[str] = (
        "1–4 (or ←/→ on the tabs) switch between accuracy over time, accuracy by topic, "
        "reviews due in the next 14 days and the history of quizzes and cases."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('over-time')", "Over time", id="progress.over_time"),
        Binding("2", "tab('by-topic')", "By topic", id="progress.by_topic"),
        Binding("3", "tab('due')", "Due", id="progress.due"),
        Binding("4", "tab('history')", "History", id="progress.history"),
    ]
    """Switch tabs."""

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
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.sub_title = "Progress"
        learner_id = self.learner.id
        await self.chart_over_time(self.services.accuracy_over_time(learner_id))
        dashboard = self.services.dashboard(learner_id)
        topics = [
            (short_topic(t.topic.label), t.mastery.accuracy * 100)
            for t in dashboard.topics
            if t.mastery.answered_items
        ]
        await self.chart_by_topic(topics)
        await self.chart_due(self.services.due_forecast(learner_id, FORECAST_DAYS))
        quizzes, cases = self.services.history(learner_id)
        self.fill_history(quizzes, cases)

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

    async def chart_by_topic(self, rows: list[tuple[str, float]]) -> None:
        """Bar chart of accuracy by topic."""
        if not rows:
            await self._empty("by-topic-box", "No answers yet — accuracy by topic appears here.")
            return
        plot = PlotextPlot(id="chart-by-topic")
        await self.query_one("#by-topic-box", Vertical).mount(plot)
        plt = plot.plt
        plt.bar(
            [r[0] for r in rows], [round(r[1]) for r in rows], orientation="horizontal", width=0.6
        )
        plt.xlim(0, 100)
        plt.title("Accuracy by topic (%)")

    async def chart_due(self, counts: list[int]) -> None:
        """Bar chart of reviews falling due per day."""
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
        plt.title(f"Reviews due, next {len(counts)} days (total {sum(counts)})")

    def fill_history(self, quizzes: list[QuizResult], cases: list[CaseRun]) -> None:
        """Quizzes and cases, newest first."""
        table = self.query_one("#history-table", DataTable)
        table.add_columns("When", "What", "Score", "Time")
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
                        Text(f"{name} · {len(q.attempt.responses)}/{len(q.attempt.question_ids)}"
                             " answered"),
                        Text(f"{points(q.points)}/{points(q.max_points)} ({percent(share)})"),
                        Text(duration(q.seconds_used)),
                    ),
                )
            )
        for run in cases:
            when = run.finished_at or run.started_at
            try:
                title = self.services.content.case(run.case_id).title
            except KeyError:
                title = run.case_id
            status = "never event" if run.critical_errors else f"{run.points}/{run.max_points}"
            if run.finished_at is None:
                status += " (unfinished)"
            used = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
            rows.append(
                (
                    when,
                    (
                        Text(when.strftime("%Y-%m-%d %H:%M")),
                        Text(f"Case · {title}"),
                        Text(status),
                        Text(duration(used) if run.finished_at else "—"),
                    ),
                )
            )
        rows.sort(key=lambda r: r[0], reverse=True)
        if not rows:
            table.add_row(Text("—"), Text("No quizzes or cases yet"), Text(""), Text(""))
        for _, cells in rows:
            table.add_row(*cells)

    def action_tab(self, tab_id: str) -> None:
        """Show one tab."""
        self.query_one("#progress-tabs", TabbedContent).active = tab_id
