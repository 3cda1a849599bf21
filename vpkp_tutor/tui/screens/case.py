"""The case player: the vignette, findings revealed as the case unfolds, choices with
feedback, a never event that ends the case with its explanation, and the way to the debrief.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Header, Static

from vpkp_tutor.domain.model import Case, CaseNode, Choice
from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.domain.scoring import CaseResult
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.case_choices import CaseChoices
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.markdown import SafeMarkdown
from vpkp_tutor.tui.widgets.text import clean, literal

OUTCOME_STYLE = {"good": "bold $success", "acceptable": "bold $warning", "poor": "bold $error"}


class CaseScreen(VpkpScreen):
    """Play one case."""

    TRANSIENT: ClassVar[bool] = True

    HOW_TO: ClassVar[str] = (
        "Read the narrative and the findings, then choose with ↑/↓ and Enter (or a digit). "
        "After each choice its feedback appears: press Enter or n to go on. A never event "
        "ends the case at once. At the end, Enter opens the debrief with your path beside "
        "the expert's."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "proceed", "Continue", id="case.continue"),
        Binding("enter", "proceed", "Continue", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
    ]
    """Go on after feedback."""

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self.run: CaseRun | None = None
        self.node: CaseNode = case.node(case.start)
        self.findings: list[str] = []
        self.path: list[str] = []
        self.result: CaseResult | None = None
        self.pending: Choice | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="case-status", classes="position-line")
        yield VerticalScroll(id="case-body")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.sub_title = clean(self.case.title)
        self.run = self.services.start_case(self.learner.id, self.case.id)
        await self.show_node()

    def update_status(self) -> None:
        """Title, decision number and points so far."""
        points = self.result.points if self.result else 0
        self.query_one("#case-status", Static).update(
            Content.assemble(
                literal(self.case.title, "bold"),
                (
                    f"  ·  Decision {len(self.path) + (0 if self.pending else 1)}"
                    f"  ·  {points} points so far",
                    "$text-muted",
                ),
            )
        )

    def findings_panel(self, title: str, findings: list[str], classes: str) -> Static:
        """A boxed list of findings."""
        lines = [Content.styled(title, "bold")]
        lines += [Content.assemble("• ", literal(f)) for f in findings]
        return Static(Content("\n").join(lines), classes=f"findings {classes}")

    async def show_node(self) -> None:
        """Show the narrative, new findings and the choices of the current node."""
        node = self.node
        earlier = list(self.findings)
        new = [f for f in node.findings if f not in self.findings]
        self.findings += new
        body = self.query_one("#case-body", VerticalScroll)
        await body.remove_children()
        widgets: list[Widget] = []
        if node.id == self.case.start:
            widgets.append(SafeMarkdown(self.case.vignette, classes="vignette"))
        widgets.append(SafeMarkdown(node.narrative, classes="narrative"))
        if new:
            widgets.append(self.findings_panel("New findings", new, "new-findings"))
        if node.is_end:
            widgets.append(self.outcome_panel(node))
        else:
            widgets.append(Static(Content.styled("What do you do?", "bold"), classes="section-title"))
            widgets.append(CaseChoices(node.choices, id="choices"))
        if earlier:
            widgets.append(self.findings_panel("Earlier findings", earlier, "old-findings"))
        await body.mount_all(widgets)
        body.scroll_home(animate=False)
        self.update_status()
        if not node.is_end:
            self.query_one("#choices", CaseChoices).focus(scroll_visible=False)
        else:
            body.focus()

    def outcome_panel(self, node: CaseNode) -> Static:
        """How the case ended."""
        outcome = node.outcome
        kind = outcome.kind if outcome else "poor"
        text = Content.assemble(
            (f"Outcome: {kind}", OUTCOME_STYLE.get(kind, "bold")),
            "\n",
            literal(outcome.text if outcome else ""),
            "\n\n",
            ("Press Enter for the debrief.", "dim italic"),
        )
        return Static(text, classes=f"outcome outcome-{kind}")

    async def on_case_choices_chosen(self, event: CaseChoices.Chosen) -> None:
        """Record the choice and show its feedback."""
        event.stop()
        if self.run is None or self.pending is not None or self.node.is_end:
            return
        choice = next((c for c in self.node.choices if c.id == event.choice_id), None)
        if choice is None:
            return
        self.result = self.services.record_case_choice(self.run.id, choice.id)
        self.path.append(choice.id)
        self.pending = choice
        self.refresh_bindings()
        choices = self.query_one("#choices", CaseChoices)
        choices.disabled = True
        body = self.query_one("#case-body", VerticalScroll)
        if choice.critical:
            panel = Static(
                Content.assemble(
                    ("⚠ Never event — the case ends here", "bold $error"),
                    "\n",
                    ("You chose: ", "bold"),
                    literal(choice.text),
                    "\n\n",
                    literal(choice.feedback),
                    "\n\n",
                    ("Press Enter for the debrief.", "dim italic"),
                ),
                classes="never-event",
            )
        else:
            gained = f"+{choice.score} point{'s' if choice.score != 1 else ''}"
            panel = Static(
                Content.assemble(
                    ("You chose: ", "bold"),
                    literal(choice.text),
                    (f"  ({gained})", "$success" if choice.score else "$warning"),
                    "\n",
                    literal(choice.feedback),
                    "\n\n",
                    ("Press Enter or n to continue.", "dim italic"),
                ),
                classes="choice-feedback",
            )
        await body.mount(panel, after=choices)
        body.focus()
        panel.scroll_visible(animate=False)
        self.update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """"Continue" only after a choice or at the end."""
        if action == "proceed":
            return self.pending is not None or self.node.is_end
        return super().check_action(action, parameters)

    async def action_proceed(self) -> None:
        """After feedback, go to the next node; at the end, open the debrief."""
        if self.node.is_end or (self.pending is not None and self.pending.critical):
            self.open_debrief()
            return
        if self.pending is None:
            return
        choice = self.pending
        self.pending = None
        if choice.next is None:
            self.open_debrief()
            return
        self.node = self.case.node(choice.next)
        self.refresh_bindings()
        await self.show_node()

    def open_debrief(self) -> None:
        """Replace the player with the debrief."""
        from vpkp_tutor.tui.screens.debrief import DebriefScreen

        if self.result is None:
            return
        self.app.switch_screen(DebriefScreen(self.case, tuple(self.path), self.result))

    def action_page(self, delta: int) -> None:
        """Scroll by a page."""
        body = self.query_one("#case-body", VerticalScroll)
        if delta > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)
