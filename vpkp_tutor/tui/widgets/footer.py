"""The key footer every screen shows.

Textual's `Footer` rebuilds all of its key widgets whenever the screen's bindings *might*
have changed — on every focus change. Moving from one quiz item to the next changes focus
several times while the keys on show stay the same, so `KeyFooter` rebuilds only when the
keys it would show differ from the ones on screen.

`KeyFooter` builds its keys itself rather than through `Footer.compose`, which ties each
key's `compact` to the footer's with `data_bind`: Textual keeps such a tie — and with it the
key widget — on the footer until the footer's `compact` changes (Textual issue #6666), so
every rebuild (a quiz going from a choice item to a numeric one) left its keys alive for as
long as the screen lived, and the garbage collector's full passes grew longer item by item.
Our footers never change `compact`, so each key is given the footer's value once.
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
        """Build the keys once, then rebuild them when they change, on the top screen only.
        A screen under another (Home under a quiz, or under the command palette) is brought
        up to date when it comes back (its stack and focus change then); keys rebuilt while
        it is covered would only wait in its layout until then (a quiz whose answer field
        takes `?` as typing changes what the app's keys would show)."""
        if not self.is_attached:
            return
        on_top = self.screen is self.app.screen
        if self._shown is None or (on_top and self._keys(self.screen) != self._shown):
            await self.recompose()

    def compose(self) -> ComposeResult:
        """The keys, remembering what is shown: as `Footer` shows them (the first key bound
        to each action, then the command palette's key on the right; the app's bindings have
        no groups), except that help is shown as F1 only where the focused text field takes
        `?` as typing."""
        if not self._bindings_ready:
            return
        screen = self.screen
        self._shown = self._keys(screen)
        f1_only = _help_typed(screen)
        actions: set[str] = set()
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            if binding.action in F1_ACTIONS and not f1_only:
                continue  # `?` is shown for help here; F1 still works
            key = FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled, tooltip=tooltip,
                            classes="-compact" if self.compact else "")
            key.set_reactive(FooterKey.compact, self.compact)
            yield key
        palette = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            binding = palette.binding
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not palette.enabled,
                            tooltip=binding.tooltip or binding.description,
                            classes="-command-palette")


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
