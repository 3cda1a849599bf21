"""The choices at a case node: ↑/↓ (or 1–9) and Enter; posts `CaseChoices.Chosen`.

Only ↑/↓ and Enter are bound here (the option list's Home/End/PgUp/PgDn are left out), so that
those keys reach the screen, which uses them to scroll the story above the choices.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from vpkp_tutor.domain.model import Choice
from vpkp_tutor.tui.widgets.text import literal


class CaseChoices(OptionList, inherit_bindings=False):
    """A numbered list of choices, shown literally."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("enter", "select", "Choose", show=False),
    ]
    """Move and choose; every other key is left to the screen."""

    DEFAULT_CSS = """
    CaseChoices {
        height: auto;
        max-height: 12;
        border: none;
        border-left: outer $panel;
        padding: 0 0 0 1;
    }
    CaseChoices:focus {
        border: none;
        border-left: outer $accent;
    }
    """

    class Chosen(Message):
        """The learner made a choice."""

        def __init__(self, choice_id: str) -> None:
            super().__init__()
            self.choice_id = choice_id
            """The choice made."""

    def __init__(self, choices: tuple[Choice, ...], *, id: str | None = None) -> None:
        super().__init__(
            *[
                Option(Content.assemble((f"{i + 1}. ", "bold"), literal(c.text)), id=c.id)
                for i, c in enumerate(choices)
            ],
            id=id,
            markup=False,
        )
        self.choices = choices

    def on_mount(self) -> None:
        self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Turn the selection into a `Chosen` message."""
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id))

    def choose(self, number: int) -> bool:
        """Make choice `number` (1-based); False when there is no such choice."""
        if self.disabled or not 1 <= number <= len(self.choices):
            return False
        self.highlighted = number - 1
        self.post_message(self.Chosen(self.choices[number - 1].id))
        return True

    def on_key(self, event: events.Key) -> None:
        """A digit makes that choice."""
        char = event.character or ""
        if char.isdigit() and self.choose(int(char)):
            event.stop()
            event.prevent_default()
