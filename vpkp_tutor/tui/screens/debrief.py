"""The case debrief: the final score, the path taken beside the expert path, the debrief
text (Markdown) and the references."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from vpkp_tutor.domain.model import Case
from vpkp_tutor.domain.scoring import CaseResult
from vpkp_tutor.tui.messages import OpenCase
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.bars import bar, percent
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.markdown import SafeMarkdown
from vpkp_tutor.tui.widgets.screen_body import ScreenBody
from vpkp_tutor.tui.widgets.text import literal


def path_column(case: Case, title: str, path: tuple[str, ...], other: tuple[str, ...]) -> Content:
    """A numbered list of choices; steps that differ from `other` are marked."""
    lines = [Content.styled(title, "bold")]
    if not path:
        lines.append(Content.styled("(no choices)", "dim"))
    for i, cid in enumerate(path):
        try:
            choice = case.choice(cid)
        except KeyError:
            continue
        same = i < len(other) and other[i] == cid
        mark = ("✓ ", "$success") if same else ("• ", "$warning")
        if choice.critical:
            mark = ("⚠ ", "bold $error")
        lines.append(
            Content.assemble(
                mark, f"{i + 1}. ", literal(choice.text), (f"  (+{choice.score})", "dim")
            )
        )
    return Content("\n").join(lines)


def result_line(result: CaseResult) -> Content:
    """Score, share and pass/fail: the points earned out of the best points available at
    the decisions this run met (`domain.scoring.score_case_run`)."""
    if result.critical_errors:
        verdict = ("Never event — scored 0", "bold $error")
    elif result.passed:
        verdict = ("Passed", "bold $success")
    else:
        verdict = ("Not passed (70% needed)", "bold $warning")
    return Content.assemble(
        ("Score ", "bold"),
        f"{result.points} / {result.max_points} ",
        bar(result.fraction, 16),
        f" {percent(result.fraction)}   ",
        verdict,
    )


class DebriefScreen(VpkpScreen):
    """How the run went, beside the expert's path."""

    HOW_TO: ClassVar[str] = (
        "The score is the points you earned out of the best points available at the "
        "decisions you met, so a sound shorter route can score 100%; 70% and no never event "
        "pass. Your path is on the left, the expert's on the right: ✓ where you chose as the "
        "expert did, • where you differed, ⚠ a never event. r plays the case again; escape "
        "goes back."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "replay", "Play again", id="debrief.replay"),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
    ]
    """Replay or scroll."""

    def __init__(self, case: Case, path: tuple[str, ...], result: CaseResult) -> None:
        super().__init__()
        self.case = case
        self.path = path
        self.result = result

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Content.assemble(("Debrief — ", "bold"), literal(self.case.title, "bold")),
            classes="screen-title",
        )
        with ScreenBody(id="debrief-body", classes="screen-body"):
            yield Static(result_line(self.result), id="debrief-result")
            with Horizontal(id="paths"):
                yield Static(
                    path_column(self.case, "Your path", self.path, self.case.expert_path),
                    classes="path-column",
                    id="your-path",
                )
                yield Static(
                    path_column(self.case, "Expert path", self.case.expert_path, self.path),
                    classes="path-column",
                    id="expert-path",
                )
            yield SafeMarkdown(self.case.debrief, classes="debrief")
            if self.case.references:
                refs = Content("\n").join(
                    Content.assemble("• ", literal(r)) for r in self.case.references
                )
                yield Static(Content.assemble(("References\n", "bold"), refs), classes="references")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Debrief"
        self.query_one("#debrief-body", VerticalScroll).focus()

    def action_replay(self) -> None:
        """Play the case again."""
        self.dismiss()
        self.app.post_message(OpenCase(self.case.id))

    def action_page(self, delta: int) -> None:
        """Scroll by a page."""
        body = self.query_one("#debrief-body", ScreenBody)
        body.page(delta)
