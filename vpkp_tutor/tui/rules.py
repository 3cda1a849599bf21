"""The checks of settings that only the user interface can make (`services.settings.UiRules`):
which themes exist and which key bindings a keymap may move. Used by the app and by
`vpkp-tutor config`, so both accept and refuse the same values."""

from __future__ import annotations

import difflib
from collections.abc import Collection


class TextualRules:
    """Themes known to Textual (or to the app), and the app's key bindings."""

    def __init__(self, themes: Collection[str] | None = None) -> None:
        if themes is None:
            from textual.theme import BUILTIN_THEMES

            themes = BUILTIN_THEMES
        self.themes = themes

    def theme(self, name: str) -> str:
        """`name` when a theme has it; ValueError with the closest name and the list."""
        if name not in self.themes:
            close = difflib.get_close_matches(name, list(self.themes), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"no theme is called {name!r}; {hint}themes: "
                             + ", ".join(sorted(self.themes)))
        return name

    def keymap(self, raw: str) -> dict[str, str]:
        """The keymap in `raw`, checked as the Settings screen checks a key."""
        from vpkp_tutor.tui.keymap import parse_keymap

        return parse_keymap(raw)
