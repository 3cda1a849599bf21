"""The learner picker: choose a profile or create one (display name; optional program and
PGY level). Posts `LearnerChosen`; the app takes it from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.progress import Learner
from vpkp_tutor.tui.messages import LearnerChosen
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.text import literal

if TYPE_CHECKING:
    from vpkp_tutor.services import Services
    from vpkp_tutor.tui.app import VpkpApp

NEW = "__new__"


def learner_label(learner: Learner) -> Content:
    """Name, program and level on one line, shown literally."""
    extra = " · ".join(x for x in (learner.program, learner.level) if x)
    label = literal(learner.display_name, "bold")
    return Content.assemble(label, "  ", literal(extra, "dim")) if extra else label


class LearnerScreen(Screen[None]):
    """Pick or create a learner profile."""

    HOW_TO: ClassVar[str] = (
        "Choose your profile with ↑/↓ and Enter, or create one: type your name (program and "
        "PGY level are optional) and press Enter. Your progress is stored under your profile."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_profile", "New profile", id="learner.new"),
    ]
    """Jump to the new-profile form."""

    _resumed = False
    """Set once the screen has been shown (later showings list the profiles again)."""

    @property
    def services(self) -> Services:
        """The services facade."""
        return cast("VpkpApp", self.app).services

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="learner-body"):
            yield Static(
                Content.styled("Who is studying?", "bold"), id="learner-title"
            )
            yield OptionList(id="learners")
            with Vertical(id="new-learner"):
                yield Static(Content.styled("New profile", "bold"))
                yield Input(placeholder="Display name (required)", id="name", max_length=60)
                with Horizontal(id="learner-extra"):
                    yield Input(placeholder="Program (optional)", id="program", max_length=60)
                    yield Input(placeholder="PGY level, e.g. PGY-3", id="level", max_length=20)
                yield Static(id="learner-error")
                yield Button("Create profile", id="create", variant="primary", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Choose a profile"
        self._list_learners()

    def on_screen_resume(self) -> None:
        """Coming back to the picker (switch learner): list the profiles again."""
        if self._resumed:
            self._list_learners()
        self._resumed = True

    def _list_learners(self) -> None:
        learners = self.services.list_learners()
        last = self.services.get_setting("last_learner", "")
        options = self.query_one("#learners", OptionList)
        options.clear_options()
        options.display = True
        highlight = 0
        for i, learner in enumerate(learners):
            options.add_option(Option(learner_label(learner), id=learner.id))
            if learner.id == last:
                highlight = i
        options.add_option(Option(Content.styled("＋ New profile…", "italic"), id=NEW))
        if learners:
            options.highlighted = highlight
            options.focus()
        else:
            options.display = False
            self.query_one("#name", Input).focus()

    @on(OptionList.OptionSelected, "#learners")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if option_id == NEW or option_id is None:
            self.action_new_profile()
            return
        learner = self.services.find_learner(option_id)
        if learner is not None:
            self.post_message(LearnerChosen(learner))

    def action_new_profile(self) -> None:
        """Focus the new-profile form."""
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#learner-error", Static).update(
                Content.styled("Type a display name first.", "$error")
            )
            self.query_one("#name", Input).focus()
            return
        program = self.query_one("#program", Input).value.strip()
        level = self.query_one("#level", Input).value.strip()
        learner = self.services.create_learner(name, program, level)
        self.post_message(LearnerChosen(learner))
