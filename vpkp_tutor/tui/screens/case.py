"""The case player: the vignette, findings revealed as the case unfolds, choices with
feedback, a never event that ends the case with its explanation, and the way to the debrief.

The story (vignette, narrative, findings, feedback) scrolls in its own region; the choices sit
below it, always in view, with their digit keys. PgUp/PgDn/Home/End scroll the story whatever
has the focus; Tab moves the focus to the story, where ↑/↓ scroll it too.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Header, Static

from vpkp_tutor.domain.model import Case, CaseNode, Choice
from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.domain.scoring import CaseResult
from vpkp_tutor.tui.disk import saved_value
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.case_choices import CaseChoices
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.markdown import SafeMarkdown
from vpkp_tutor.tui.widgets.screen_body import ScreenBody
from vpkp_tutor.tui.widgets.text import clean, literal

OUTCOME_STYLE = {"good": "bold $success", "acceptable": "bold $warning", "poor": "bold $error"}


def reflow(text: str) -> str:
    """Plain text with its paragraphs' line breaks (as wrapped in the content file) joined,
    so that the terminal wraps it to the width it has."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip())


def digit_keys(count: int) -> str:
    """"1", "1–2", … "1–9": the digit keys of `count` choices."""
    return "1" if count == 1 else f"1–{count}"


class CaseScreen(VpkpScreen):
    """Play one case."""

    HOW_TO: ClassVar[str] = (
        "The story (narrative and findings) scrolls in its own region: PgUp/PgDn, Home/End "
        "(or Tab to it, then ↑/↓). The choices stay in view below it: press a choice's digit, "
        "or ↑/↓ and Enter. After each choice its feedback appears: press Enter or n to go on. "
        "A never event ends the case at once. At the end, Enter opens the debrief with your "
        "path beside the expert's."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "proceed", "Continue", id="case.continue"),
        Binding("enter", "proceed", "Continue", show=False),
        Binding("1", "choose(1)", "Choose", id="case.choose_first", key_display="1–9"),
        *[Binding(str(d), f"choose({d})", show=False) for d in range(2, 10)],
        Binding("pagedown", "page(1)", "Scroll story", id="case.story_down",
                key_display="PgDn/PgUp"),
        Binding("pageup", "page(-1)", "Scroll story up", id="case.story_up", show=False),
        Binding("home", "story_end(0)", "Story top", show=False),
        Binding("end", "story_end(1)", "Story end", show=False),
    ]
    """Go on after feedback; choose by digit; scroll the story."""

    DEFAULT_CSS = """
    CaseScreen #case-status {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CaseScreen #case-decide {
        height: auto;
        max-height: 70%;
        border-top: hkey $accent;
        padding: 0 1;
    }
    CaseScreen #decide-title {
        height: auto;
    }
    """

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self.run: CaseRun | None = None
        self.node: CaseNode = case.node(case.start)
        self.findings: list[str] = []
        self.path: list[str] = []
        self.result: CaseResult | None = None
        self.pending: Choice | None = None
        self.resumed = False
        """True while showing the decision a run left earlier was resumed at (the opening
        of the case is shown above it again)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="case-status", classes="position-line")
        yield ScreenBody(id="case-body", classes="screen-body")
        with Vertical(id="case-decide"):
            yield Static(id="decide-title")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.sub_title = clean(self.case.title)
        opened = saved_value(
            self, lambda: self.services.open_case_run(self.learner.id, self.case.id),
            "the start of this case")
        if opened is None:
            self.dismiss()
            return
        self.run, result = opened
        if self.run.choice_path:  # left before its end: go on from where it was left
            self.result = result
            for choice_id in self.run.choice_path:
                choice = self.case.choice(choice_id)
                self.findings += [f for f in self.node.findings if f not in self.findings]
                self.path.append(choice_id)
                self.node = self.case.node(choice.next or self.node.id)
            self.resumed = True
            self.notify(f"Resumed where you left this case: decision {len(self.path) + 1}.",
                        timeout=4)
        await self.show_node()

    def update_status(self) -> None:
        """Decision number, points so far and the title (cut with … when it is long)."""
        points = self.result.points if self.result else 0
        self.query_one("#case-status", Static).update(
            Content.assemble(
                (
                    f"Decision {len(self.path) + (0 if self.pending else 1)}"
                    f"  ·  {points} point{'' if points == 1 else 's'} so far  ·  ",
                    "$text-muted",
                ),
                literal(self.case.title, "bold"),
            )
        )

    def set_prompt(self, text: Content) -> None:
        """The line above the choices (or in their place once one is made)."""
        self.query_one("#decide-title", Static).update(text)

    def findings_panel(self, title: str, findings: list[str], classes: str) -> Static:
        """A boxed list of findings."""
        lines = [Content.styled(title, "bold")]
        lines += [Content.assemble("• ", literal(f)) for f in findings]
        return Static(Content("\n").join(lines), classes=f"findings {classes}")

    async def show_node(self) -> None:
        """Show the narrative and new findings of the current node in the story, and its
        choices (or how the case ended) below."""
        node = self.node
        earlier = list(self.findings)
        new = [f for f in node.findings if f not in self.findings]
        self.findings += new
        body = self.query_one("#case-body", VerticalScroll)
        await body.remove_children()
        await self.query("#case-decide CaseChoices").remove()
        widgets: list[Widget] = []
        if node.id == self.case.start or self.resumed:
            widgets.append(SafeMarkdown(self.case.vignette, classes="vignette"))
            self.resumed = False
        widgets.append(SafeMarkdown(node.narrative, classes="narrative"))
        if new:
            widgets.append(self.findings_panel("New findings", new, "new-findings"))
        if node.is_end:
            widgets.append(self.outcome_panel(node))
        if earlier:
            widgets.append(self.findings_panel("Earlier findings", earlier, "old-findings"))
        await body.mount_all(widgets)
        body.scroll_home(animate=False)
        self.update_status()
        if node.is_end:
            self.set_prompt(Content.styled("The case is over — press Enter for the debrief.",
                                           "bold"))
            body.focus()
            return
        self.set_prompt(Content.assemble(
            ("What do you do? ", "bold"),
            (f"Press {digit_keys(len(node.choices))} (or ↑/↓ and Enter)", "$text-muted"),
            ("  ·  PgUp/PgDn scroll the story", "$text-muted"),
        ))
        choices = CaseChoices(node.choices, id="choices")
        await self.query_one("#case-decide", Vertical).mount(choices)
        choices.focus(scroll_visible=False)

    def outcome_panel(self, node: CaseNode) -> Static:
        """How the case ended."""
        outcome = node.outcome
        kind = outcome.kind if outcome else "poor"
        text = Content.assemble(
            (f"Outcome: {kind}", OUTCOME_STYLE.get(kind, "bold")),
            "\n",
            literal(reflow(outcome.text) if outcome else ""),
            "\n\n",
            ("Press Enter for the debrief.", "dim italic"),
        )
        return Static(text, classes=f"outcome outcome-{kind}")

    async def on_case_choices_chosen(self, event: CaseChoices.Chosen) -> None:
        """Record the choice and show its feedback at the end of the story."""
        event.stop()
        if self.run is None or self.pending is not None or self.node.is_end:
            return
        choice = next((c for c in self.node.choices if c.id == event.choice_id), None)
        if choice is None:
            return
        run = self.run
        result = saved_value(self, lambda: self.services.record_case_choice(run.id, choice.id),
                             "this choice")
        if result is None:
            return
        self.result = result
        self.path.append(choice.id)
        self.pending = choice
        self.refresh_bindings()
        number = self.node.choices.index(choice) + 1
        await self.query("#case-decide CaseChoices").remove()
        body = self.query_one("#case-body", VerticalScroll)
        if choice.critical:
            panel = Static(
                Content.assemble(
                    ("⚠ Never event — the case ends here", "bold $error"),
                    "\n",
                    ("You chose: ", "bold"),
                    literal(choice.text),
                    "\n\n",
                    literal(reflow(choice.feedback)),
                    "\n\n",
                    ("Press Enter for the debrief.", "dim italic"),
                ),
                classes="never-event",
            )
            prompt = Content.assemble(
                (f"You chose {number}: a never event. ", "bold $error"),
                ("Press Enter for the debrief.", "bold"),
            )
        else:
            gained = f"+{choice.score} point{'s' if choice.score != 1 else ''}"
            panel = Static(
                Content.assemble(
                    ("You chose: ", "bold"),
                    literal(choice.text),
                    (f"  ({gained})", "$success" if choice.score else "$warning"),
                    "\n",
                    literal(reflow(choice.feedback)),
                    "\n\n",
                    ("Press Enter or n to continue.", "dim italic"),
                ),
                classes="choice-feedback",
            )
            prompt = Content.assemble(
                (f"You chose {number}. ", "bold"),
                ("Read the feedback above, then press Enter or n to continue.", "bold"),
            )
        self.set_prompt(prompt)
        await body.mount(panel)
        body.focus()
        self.call_after_refresh(body.scroll_to_widget, panel, animate=False, top=True)
        self.update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """"Continue" only after a choice or at the end; digits only while choosing."""
        if action == "proceed":
            return self.pending is not None or self.node.is_end
        if action == "choose":
            if self.pending is not None or self.node.is_end:
                return False
            number = parameters[0] if parameters else 0
            return isinstance(number, int) and 1 <= number <= len(self.node.choices)
        return super().check_action(action, parameters)

    def action_choose(self, number: int) -> None:
        """Make choice `number` (whichever part of the screen has the focus)."""
        for choices in self.query("#case-decide CaseChoices").results(CaseChoices):
            choices.choose(number)

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
        """Scroll the story by a page."""
        body = self.query_one("#case-body", ScreenBody)
        body.page(delta)

    def action_story_end(self, end: int) -> None:
        """Scroll the story to its top (0) or its end (1)."""
        body = self.query_one("#case-body", VerticalScroll)
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)
