"""Text from content files is shown literally: markup such as `[@click=app.quit]` or
`[link=file:///etc/passwd]x[/link]` in a stem, an option, a lesson title or a palette entry
is displayed as typed and does nothing when clicked; Markdown links are never opened."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from tests.tui.bank import CLICK_QUIT, FILE_LINK, HOSTILE, LESSON_BILLING
from tests.tui.conftest import MakeApp
from tests.tui.helpers import settle
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import QuizSettings
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.widgets.answers import ChoiceAnswer, RowsAnswer
from vpkp_tutor.tui.widgets.markdown import SafeMarkdown
from vpkp_tutor.tui.widgets.prose import paragraphs

HOSTILE_LESSON = replace(
    LESSON_BILLING, id="lesson-hostile", title=f"Codes {CLICK_QUIT} {FILE_LINK}"
)
LINKED = replace(
    HOSTILE, stem=HOSTILE.stem + "\n\nSee [the file](https://example.org/passwd)."
)
"""A stem with a real Markdown link, so it is shown by the full Markdown widget."""


def row_text_offset(answer: RowsAnswer, index: int) -> tuple[int, int]:
    """Where the text of row `index` is drawn, relative to the input."""
    gutter = answer.styles.gutter
    return gutter.left + answer.MARKER_WIDTH + 4, gutter.top + answer.row_span(index)[0]


def hostile_bank() -> ContentBank:
    return ContentBank(lessons=(HOSTILE_LESSON,), questions=(LINKED,), fingerprint="hostile")


async def test_markup_in_content_is_literal_and_inert(make: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make(content=hostile_bank())
    opened: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
        await settle(pilot)
        attempt = app.services.build_quiz(app.learner.id, QuizSettings(count=1, seed=1))
        app.run_attempt(attempt)
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        answer = quiz.query_one(ChoiceAnswer)
        rows = [answer.row(i).text for i in range(answer.row_count())]
        assert rows[0].plain.endswith(CLICK_QUIT)
        assert rows[1].plain.endswith(FILE_LINK)
        assert rows[2].plain.endswith("[bold red]plain[/]")
        drawn = answer.render()
        for content in (*rows, drawn):
            assert all("@click" not in str(span.style) and "link" not in str(span.style)
                       for span in content.spans)
        stem = quiz.query_one(SafeMarkdown)
        stem_text = "\n".join(str(block._content) for block in stem.children if hasattr(block, "_content"))
        assert CLICK_QUIT in stem_text and FILE_LINK in stem_text
        # Clicking the literal markup does nothing: the app keeps running, nothing opens.
        await pilot.click(answer, offset=row_text_offset(answer, 0))
        await pilot.click(answer, offset=row_text_offset(answer, 1))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert quiz.query_one("ChoiceAnswer").value == "B"  # the click only chose the row
        # A Markdown link is shown, not followed.
        stem.post_message(SafeMarkdown.LinkClicked(stem, "file:///etc/passwd"))
        await settle(pilot)
        assert opened == []
        assert any("file:///etc/passwd" in str(n.message) for n in app._notifications)
        # The palette lists the lesson title literally.
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open lesson")
        await settle(pilot)
        from textual.command import CommandList

        prompts = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
        assert any(CLICK_QUIT in p and FILE_LINK in p for p in prompts)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


def test_plain_stem_is_literal() -> None:
    """Stems of plain paragraphs skip the Markdown widget; markup in them stays text."""
    content = paragraphs(f"**Bold** {CLICK_QUIT}\nand {FILE_LINK}\n\nSecond *para*.")
    assert content is not None
    assert content.plain == f"Bold {CLICK_QUIT} and {FILE_LINK}\n\nSecond para."
    assert {str(span.style) for span in content.spans} == {"bold", "italic"}
    assert paragraphs("See [the file](https://example.org/x).") is None  # links: full widget
    assert paragraphs("- a list") is None
