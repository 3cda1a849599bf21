"""Markdown for the fields that are Markdown by design (stem, body, explanation, narrative,
vignette, debrief).

Links are never followed: a click shows the address in a notification instead of opening a
browser or a file. Importing this module loads Textual's Markdown support, so screens import
it lazily.
"""

from __future__ import annotations

from textual.widgets import Markdown

from vpkp_tutor.tui.widgets.text import clean


class SafeMarkdown(Markdown):
    """A Markdown widget that does not open links."""

    DEFAULT_CSS = """
    SafeMarkdown {
        margin: 0;
        padding: 0;
        height: auto;
    }
    """

    def __init__(self, markdown: str = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(clean(markdown), id=id, classes=classes, open_links=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Show the address instead of opening it."""
        event.stop()
        self.notify(f"Link (not opened): {event.href}", markup=False, timeout=4)
