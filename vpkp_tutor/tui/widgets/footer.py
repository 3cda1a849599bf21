"""The key footer every screen shows.

Textual's `Footer` rebuilds all of its key widgets whenever the screen's bindings *might*
have changed — on every focus change. Moving from one quiz item to the next changes focus
several times while the keys on show stay the same, so `KeyFooter` rebuilds only when the
keys it would show differ from the ones on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[object, ...], ...]


class KeyFooter(Footer):
    """A `Footer` that is rebuilt only when the keys it shows change."""

    _shown: Shown | None = None

    def _keys(self, screen: Screen[object]) -> Shown:
        """What the footer would show for `screen` now."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        keys = [
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             enabled, tooltip, binding.group)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        ]
        return (*keys, (self.show_command_palette, self.compact, _help_typed(screen)))

    def bindings_changed(self, screen: Screen[object]) -> None:
        """After the next refresh, rebuild if the keys on show changed by then (focus often
        leaves and comes back within one refresh)."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        if self.is_attached and (self._shown is None or self._keys(self.screen) != self._shown):
            await self.recompose()

    def compose(self) -> ComposeResult:
        """The keys, remembering what is shown; help is shown as F1 where the focused text
        field takes `?` as typing."""
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        f1_only = self._bindings_ready and _help_typed(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in F1_ACTIONS and not f1_only:
                continue  # `?` is shown for help here; F1 still works
            yield widget


F1_ACTIONS = frozenset({"help", "app.help"})
"""The action of the F1 help binding (shown only where `?` would be typed)."""

HELP_ACTIONS = F1_ACTIONS | {"help_key", "app.help_key"}
"""The actions of the help bindings (`f1` and `?`, bound on the app)."""


def _help_typed(screen: Screen[object]) -> bool:
    """Whether help is bound but `?` would be typed into the focused field."""
    active = screen.active_bindings
    has_help = any(b.binding.action in HELP_ACTIONS for b in active.values())
    question = active.get("question_mark")
    return has_help and (question is None or question.binding.action not in HELP_ACTIONS)
