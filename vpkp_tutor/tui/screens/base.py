"""The base of every screen after the learner picker: access to services and the learner,
`escape` to go back, and the per-screen help text shown by `?`/F1.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

from vpkp_tutor.domain.progress import Learner

if TYPE_CHECKING:
    from vpkp_tutor.services import Services
    from vpkp_tutor.tui.app import VpkpApp

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
"""The space after a full stop, `!` or `?`: where `fill_keys` cuts a help text."""

LOAD_GROUP = "load"
"""Worker group of the thread workers that read what a screen shows (the dashboard,
progress and history), so the UI keeps answering while they run."""


def fill_keys(template: str, keys: dict[str, str]) -> str:
    """`template` with each `{name}` replaced by `keys[name]`; a sentence naming a `name`
    that `keys` lacks (an action with no key now: hidden on this screen, or unbound) is
    left out whole, so the help never names a key that does nothing."""
    kept = []
    for sentence in _SENTENCE_END.split(template.strip()):
        names = {name for _, name, _, _ in Formatter().parse(sentence) if name is not None}
        if names <= keys.keys():
            kept.append(sentence.format_map(keys))
    return " ".join(kept)


class VpkpScreen(Screen[None]):
    """A screen of the study app."""

    HOW_TO: ClassVar[str] = ""
    """Plain-text help for this screen, shown by the help dialog. `{name}` stands for the
    keys now bound to the screen's binding whose id ends in `.name`; a sentence naming an
    action that has no key now is left out (see `fill_keys`), so an action that is only
    sometimes there gets a sentence of its own."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="screen.back"),
    ]
    """`escape` goes back to the previous screen."""

    def how_to(self) -> str:
        """`HOW_TO` with the keys its bindings answer to now, so it follows the keymap;
        sentences about actions not available now are left out."""
        keys: dict[str, list[str]] = {}
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.id:
                keys.setdefault(binding.id.rsplit(".", 1)[-1], []).append(
                    self.app.get_key_display(binding))
        return fill_keys(self.HOW_TO, {name: "/".join(dict.fromkeys(k))
                                       for name, k in keys.items()})

    @property
    def study_app(self) -> VpkpApp:
        """The app, typed."""
        return cast("VpkpApp", self.app)

    @property
    def services(self) -> Services:
        """The services facade."""
        return self.study_app.services

    @property
    def learner(self) -> Learner:
        """The learner studying (always set once past the picker)."""
        learner = self.study_app.learner
        assert learner is not None, "no learner chosen"
        return learner

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide "Back" on the bottom screen."""
        if action == "back":
            return len(self.app.screen_stack) > 1
        return True

    def action_back(self) -> None:
        """Go back to the previous screen."""
        if len(self.app.screen_stack) > 1:
            self.dismiss()
