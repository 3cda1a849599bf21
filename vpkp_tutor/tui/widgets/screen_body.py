"""The scrolling body of a reading screen (lesson, quiz, review, case, debrief, results)."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.containers import VerticalScroll


class ScreenBody(VerticalScroll):
    """A vertical scroll whose PgUp/PgDn, Home and End move at once.

    Textual's own paging is animated and applied after the next refresh, and each page is
    counted from the offset reached so far: a second PgDn sent before the first has landed
    (a quick double press, a slow link, a loaded machine) moved the reader one page, not
    two. End glided for a second, so what was read in that second was the middle of the
    step. Over SSH every step of an animation is also a frame sent down the link."""

    def page(self, pages: int) -> None:
        """Scroll by `pages` pages (up when negative), now."""
        self.scroll_to(y=self.scroll_y + pages * self.scrollable_content_region.height,
                       animate=False, immediate=True)

    def action_page_down(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.page(1)

    def action_page_up(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.page(-1)

    def action_scroll_home(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_home(animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_end(animate=False, immediate=True)
