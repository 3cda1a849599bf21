"""The learner picker: choose a profile or create one (display name; optional program and
PGY level). Posts `LearnerChosen`; the app takes it from there.

Names are unique: creating a name another profile has (case and spacing do not matter) is
refused, and the picker offers to open that profile instead. Opened by "Switch learner",
escape goes back to the learner who was studying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.progress import Learner
from vpkp_tutor.services.learners import MAX_NAME_LENGTH, NameTakenError, name_key
from vpkp_tutor.tui.burst import runs_here, type_in_focused_field
from vpkp_tutor.tui.messages import LearnerChosen
from vpkp_tutor.tui.widgets.field import Field
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.text import literal

if TYPE_CHECKING:
    from vpkp_tutor.services import Services
    from vpkp_tutor.tui.app import VpkpApp

NEW = "__new__"


def learner_label(learner: Learner, detail: str = "") -> Content:
    """Name, program and level (and `detail`) on one line, shown literally."""
    extra = " · ".join(x for x in (learner.program, learner.level, detail) if x)
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
        Binding("escape", "back", "Back", id="screen.back"),
    ]
    """Jump to the new-profile form; go back to the learner who was studying."""

    _resumed = False
    """Set once the screen has been shown (later showings list the profiles again)."""
    _in_dialog = False
    """Set while the picker's own dialog is open."""

    def __init__(self, previous: Learner | None = None) -> None:
        super().__init__()
        self.previous = previous
        """The learner who was studying when "Switch learner" opened the picker (escape
        goes back to them), or None on the first screen."""

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
                yield Field(placeholder="Display name (required)", id="name",
                            max_length=MAX_NAME_LENGTH)
                with Horizontal(id="learner-extra"):
                    yield Field(placeholder="Program (optional)", id="program", max_length=60)
                    yield Field(placeholder="PGY level, e.g. PGY-3", id="level", max_length=20)
                yield Static(id="learner-error")
                yield Button("Create profile", id="create", variant="primary", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Choose a profile"
        self._list_learners()

    def on_screen_suspend(self) -> None:
        """A learner was chosen (the dashboard opens over the picker): remember them, so
        that escape goes back to them when "Switch learner" returns here."""
        learner = cast("VpkpApp", self.app).learner
        if learner is not None:
            self.previous = learner

    def on_screen_resume(self) -> None:
        """Coming back to the picker (switch learner): list the profiles again and clear the
        form (not after a dialog of its own)."""
        if self._resumed and not self._in_dialog:
            for field in self.query(Input):
                field.value = ""
            self.query_one("#learner-error", Static).update("")
            self._list_learners()
            self.refresh_bindings()
        self._resumed = True
        self._in_dialog = False

    def _list_learners(self) -> None:
        learners = self.services.list_learners()
        last = self.services.settings.last_learner
        options = self.query_one("#learners", OptionList)
        options.clear_options()
        options.display = True
        highlight = 0
        keys = [name_key(x.display_name) for x in learners]
        shared = {k for k in keys if keys.count(k) > 1}
        details = {s.learner.id: f"{s.answers} answers · last active {s.last_active_text}"
                   for s in self.services.learner_summaries(
                       [x for x, k in zip(learners, keys, strict=True) if k in shared])}
        for i, learner in enumerate(learners):  # a name two profiles share: tell them apart
            options.add_option(Option(learner_label(learner, details.get(learner.id, "")),
                                      id=learner.id))
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
        """Focus the new-profile form (at once: the name typed next goes there)."""
        self.set_focus(self.query_one("#name", Input))

    def on_key(self, event: events.Key) -> None:
        """ctrl+n acts where it arrives, and a name typed right after it (one burst) is
        typed in the form, not lost on the list of profiles."""
        if runs_here(self, event.key, "new_profile"):
            event.stop()
            self.action_new_profile()
        elif type_in_focused_field(self, event):
            event.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """"Back" only when there is a learner to go back to."""
        if action == "back":
            return self.previous is not None
        return True

    def action_back(self) -> None:
        """Back to the learner who was studying (as their profile is now)."""
        if self.previous is None:
            return
        learner = self.services.find_learner(self.previous.id)
        if learner is None:
            self._say(f"The profile {self.previous.display_name!r} was deleted; choose "
                      "another or create one.")
            self.previous = None
            self.refresh_bindings()
            self._list_learners()
            return
        self.post_message(LearnerChosen(learner))

    def _say(self, message: str) -> None:
        self.query_one("#learner-error", Static).update(Content.styled(message, "$error"))

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        name_input = self.query_one("#name", Input)
        program = self.query_one("#program", Input).value.strip()
        level = self.query_one("#level", Input).value.strip()
        try:
            learner = self.services.create_learner(name_input.value, program, level)
        except NameTakenError as exc:
            self._offer_existing(exc.existing)
            return
        except ValueError as exc:
            self._say(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            name_input.focus()
            return
        except Exception as exc:
            from vpkp_tutor.tui.disk import is_disk_full

            if not is_disk_full(exc):
                raise
            self._say("The disk is full: the profile was not saved. Free some space and "
                      "press Enter again.")
            return
        self.post_message(LearnerChosen(learner))

    def _offer_existing(self, existing: Learner) -> None:
        """Refuse a name another profile has, and offer to open that profile."""
        from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog

        summary = self.services.learner_summaries([existing])[0]
        extra = " · ".join(x for x in (existing.program, existing.level) if x)
        who = f"{existing.display_name}{f' ({extra})' if extra else ''}"
        self._say(f"A profile called {existing.display_name!r} already exists: names must "
                  "differ by more than case or spaces.")

        def chosen(open_it: bool | None) -> None:
            if open_it:
                self.post_message(LearnerChosen(existing))
            else:
                name_input = self.query_one("#name", Input)
                name_input.focus()
                name_input.select_all()

        self._in_dialog = True
        self.app.push_screen(ConfirmDialog(
            f"A profile called “{who}” already exists ({summary.answers} answer"
            f"{'' if summary.answers == 1 else 's'}, last "
            f"active {summary.last_active_text}). Names must differ by more than case or "
            "spaces. Open that profile?",
            yes="Open it", no="Choose another name"), chosen)
