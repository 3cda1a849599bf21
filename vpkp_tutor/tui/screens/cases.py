"""The case list: every branching case with the learner's best result so far."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.model import Case
from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.tui.messages import OpenCase
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.bars import percent
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.text import literal


def case_prompt(case: Case, runs: list[CaseRun]) -> Content:
    """Title, topic and best finished result of one case."""
    finished = [r for r in runs if r.finished_at is not None]
    if finished:
        best = max(
            (0.0 if r.critical_errors or not r.max_points else r.points / r.max_points)
            for r in finished
        )
        status = Content.styled(f"best {percent(best):>4} ", "$success" if best >= 0.7 else "$warning")
    else:
        status = Content.styled("not played", "$text-muted")
    return Content.assemble(
        status, "  ", literal(case.title, "bold"), ("  " + case.topic.label, "dim")
    )


class CaseListScreen(VpkpScreen):
    """Pick a case to play."""

    HOW_TO: ClassVar[str] = "↑/↓ choose a case, Enter starts it. Each run is scored and kept."

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content.styled("Cases", "bold"), classes="screen-title")
        yield OptionList(id="cases")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Cases"
        self.fill()
        self.query_one("#cases", OptionList).focus()

    def on_screen_resume(self) -> None:
        """Refresh results after a run."""
        if self.study_app.learner is None:
            return
        options = self.query_one("#cases", OptionList)
        highlighted = options.highlighted
        self.fill()
        options.highlighted = highlighted

    def fill(self) -> None:
        """List the cases with the best result so far."""
        _, runs = self.services.history(self.learner.id)
        options = self.query_one("#cases", OptionList)
        options.clear_options()
        cases = self.services.cases()
        if not cases:
            options.add_option(Option(Content("No cases are loaded."), disabled=True))
        for case in cases:
            mine = [r for r in runs if r.case_id == case.id]
            options.add_option(Option(case_prompt(case, mine), id=case.id))
        if cases:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#cases")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(OpenCase(event.option.id))
