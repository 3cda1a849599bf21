"""The case list: the branching cases grouped by topic, each with the learner's best result so
far, and the opening of the highlighted case below the list."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.model import Case
from vpkp_tutor.tui.messages import OpenCase
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.bars import percent
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.prose import paragraphs
from vpkp_tutor.tui.widgets.text import literal


def case_prompt(case: Case, best: float | None) -> Content:
    """Best finished result and title of one case (its topic is the heading above it)."""
    if best is None:
        status = Content.styled("not played", "$text-muted")
    else:
        status = Content.styled(f"best {percent(best):>4} ", "$success" if best >= 0.7 else "$warning")
    return Content.assemble(status, "  ", literal(case.title, "bold"))


def case_detail(case: Case) -> Content:
    """The opening paragraph of a case (bold and italic kept; other Markdown shown as
    typed)."""
    opening = case.vignette.strip().split("\n\n", 1)[0]
    return paragraphs(opening) or literal(" ".join(opening.split()))


class CaseListScreen(VpkpScreen):
    """Pick a case to play."""

    HOW_TO: ClassVar[str] = (
        "Cases by topic. ↑/↓ choose a case, Enter starts it (or goes on with a run you "
        "left). Each run is scored and kept; the list shows your best finished run."
    )

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Content.assemble(("Cases", "bold"), ("  ↑/↓ choose · Enter plays", "dim")),
            classes="screen-title",
        )
        yield OptionList(id="cases", classes="browse-list")
        yield Static(id="case-detail", classes="browse-detail")
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
        """List the cases by topic with the best result so far; highlight the first case."""
        bests = self.services.best_case_results(self.learner.id)
        options = self.query_one("#cases", OptionList)
        options.clear_options()
        grouped = self.services.cases_by_topic()
        if not grouped:
            options.add_option(Option(Content("No cases are loaded."), disabled=True))
        first: int | None = None
        for topic, cases in grouped.items():
            played = sum(1 for c in cases if c.id in bests)
            options.add_option(Option(
                Content.styled(f"{topic.label} — {played}/{len(cases)} played", "bold $accent"),
                disabled=True,
            ))
            for case in cases:
                if first is None:
                    first = options.option_count
                options.add_option(Option(case_prompt(case, bests.get(case.id)), id=case.id))
        options.highlighted = first

    @on(OptionList.OptionHighlighted, "#cases")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        detail = self.query_one("#case-detail", Static)
        case = None if event.option.id is None else self.services.case(event.option.id)
        detail.update("" if case is None else case_detail(case))

    @on(OptionList.OptionSelected, "#cases")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(OpenCase(event.option.id))
