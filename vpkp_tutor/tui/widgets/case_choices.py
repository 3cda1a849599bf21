"""The choices at a case node: ↑/↓ (or 1–9) and Enter; posts `CaseChoices.Chosen`."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from vpkp_tutor.domain.model import Choice
from vpkp_tutor.tui.widgets.text import literal


class CaseChoices(OptionList):
    """A numbered list of choices, shown literally."""

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

    def on_key(self, event: events.Key) -> None:
        """A digit makes that choice."""
        char = event.character or ""
        if char.isdigit() and 1 <= int(char) <= len(self.choices):
            event.stop()
            event.prevent_default()
            self.highlighted = int(char) - 1
            self.post_message(self.Chosen(self.choices[int(char) - 1].id))
