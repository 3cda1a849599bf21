"""The help dialog (`?` / F1): how to use the screen underneath and every key it answers to."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from vpkp_tutor.tui.dialogs.base import Dialog

GLOBAL_KEYS: tuple[tuple[str, str], ...] = (
    ("app.help", "this help, from anywhere (also inside a text field)"),
    ("app.help_key", "this help, outside text fields (in a field, ? is typed)"),
    ("app.command_palette", "command palette: open a lesson or case by name, start a quiz, "
                            "export…"),
    ("app.theme", "change theme (remembered)"),
    ("screen.back", "go back"),
    ("tab / shift+tab", "move between parts of the screen"),
    ("app.quit", "quit (your progress is already saved)"),
)
"""What works on every screen: a binding id (its keys are looked up in the live bindings,
so they follow the keymap) or, for Textual's focus keys, the keys themselves."""


class HelpDialog(Dialog[None]):
    """Keys and how-to for one screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help.close"),
    ]
    """Close the help."""

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.target = screen

    def _screen_keys(self) -> list[tuple[str, str]]:
        """The app's own bindings active on the screen (they all have ids), by action."""
        by_action: dict[str, tuple[list[str], str]] = {}
        for active in self.target.active_bindings.values():
            binding = active.binding
            if not binding.id or not binding.description or active.node is self.app:
                continue
            if not active.enabled:
                continue
            keys, _ = by_action.setdefault(binding.action, ([], binding.description))
            keys.append(binding.key_display or self.app.get_key_display(binding))
        return [(" / ".join(dict.fromkeys(keys)), what) for keys, what in by_action.values()]

    def _global_keys(self) -> list[tuple[str, str]]:
        """`GLOBAL_KEYS` with the keys each binding answers to now."""
        keys: dict[str, list[str]] = {}
        for active in self.target.active_bindings.values():
            binding = active.binding
            if binding.id:
                keys.setdefault(binding.id, []).append(
                    binding.key_display or self.app.get_key_display(binding))
        return [(" / ".join(dict.fromkeys(keys.get(what, [what]))), text)
                for what, text in GLOBAL_KEYS if what in keys or "." not in what]

    def compose(self) -> ComposeResult:
        how_to_text = getattr(self.target, "how_to", None)
        how_to = how_to_text() if callable(how_to_text) else str(getattr(self.target, "HOW_TO", ""))
        lines: list[Content] = []
        if how_to:
            lines += [Content(how_to), Content("")]
        lines.append(Content.styled("Keys on this screen", "bold"))
        for keys, what in self._screen_keys():
            lines.append(Content.assemble((f"{keys:>16}", "bold $accent"), f"  {what}"))
        lines.append(Content(""))
        lines.append(Content.styled("Everywhere", "bold"))
        for keys, what in self._global_keys():
            lines.append(Content.assemble((f"{keys:>16}", "bold $accent"), f"  {what}"))
        with Vertical(classes="dialog help-dialog"):
            yield Static(Content.styled("Help", "bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Content("\n").join(lines))
            yield Static(Content.styled("escape closes", "dim"), classes="dialog-foot")
