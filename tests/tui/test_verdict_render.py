"""The answer inputs and the feedback render the domain's verdict: they compare nothing."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.tui.bank import MATCHING, NUMERIC, ORDERING, SINGLE
from vpkp_tutor.domain.model import Score
from vpkp_tutor.domain.scoring import (
    ChoiceVerdict,
    MatchingVerdict,
    MatchMark,
    NumericVerdict,
    OptionMark,
    OrderingVerdict,
)
from vpkp_tutor.tui.widgets.answers import make_answer_input
from vpkp_tutor.tui.widgets.feedback import option_notes

ZERO = Score(0.0, 1.0)


def test_choice_rows_mark_what_the_verdict_says() -> None:
    question = SINGLE
    widget = make_answer_input(question)
    n = len(question.options)
    # A verdict that keys the last option and says the first was chosen: the rows follow it.
    marks = tuple(OptionMark(i == n - 1, i == 0) for i in range(n))
    widget.reveal(ChoiceVerdict(marks, ZERO))
    assert widget.row(n - 1).marker.plain.startswith("✓")
    assert widget.row(0).marker.plain.startswith("✗")
    notes = option_notes(question, ChoiceVerdict(marks, ZERO))
    assert "(key)" in notes[n - 1][0].plain
    assert "(your answer)" in notes[0][0].plain


def test_ordering_rows_mark_the_verdict_positions() -> None:
    question = ORDERING
    widget = make_answer_input(question)
    n = len(question.options)
    widget.reveal(OrderingVerdict(None, tuple(i % 2 == 0 for i in range(n)), ZERO))
    assert [widget.row(i).marker.plain[0] for i in range(n)] == [
        "✓" if i % 2 == 0 else "✗" for i in range(n)]


def test_matching_rows_show_the_verdict_key() -> None:
    question = MATCHING
    widget = make_answer_input(question)
    pairs = tuple(MatchMark(None, f"key {i}", i == 0) for i in range(len(question.pairs)))
    widget.reveal(MatchingVerdict(pairs, ZERO))
    assert widget.row(0).marker.plain.startswith("✓")
    assert "key: key 1" in widget.row(1).right.plain  # type: ignore[union-attr]


async def test_numeric_reveal_shows_the_verdict_range() -> None:
    question = NUMERIC

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield make_answer_input(question, id="answer")

    async with Host().run_test() as pilot:
        widget = pilot.app.query_one("#answer")
        # The verdict says right although the field is empty: the widget does not recheck.
        widget.reveal(NumericVerdict(None, 7.0, 0.5, True, ZERO))  # type: ignore[attr-defined]
        await pilot.pause()
        shown = str(pilot.app.query_one(".numeric-error", Static).render())
        assert shown.startswith("✓") and "7 ± 0.5" in shown


def test_an_option_note_wraps_at_the_terminal_not_where_its_author_broke_it() -> None:
    """A note written in a YAML block keeps its author's line breaks in the text; shown as
    one paragraph, the terminal wraps it (at 80 columns the old breaks left a word or two
    alone on a line). Paragraphs and list items keep their breaks."""
    import msgspec

    from vpkp_tutor.tui.widgets.text import reflowed

    written = ("Two projections throughout are the standard; one view cannot show when the "
               "tip\nhas passed the posterior cortex.\n\nA second paragraph.\n- one\n- two\n")
    options = tuple(msgspec.structs.replace(o, explanation=written if i == 0 else o.explanation)
                    for i, o in enumerate(SINGLE.options))
    question = msgspec.structs.replace(SINGLE, options=options)
    n = len(options)
    marks = tuple(OptionMark(i == n - 1, i == 0) for i in range(n))
    note = option_notes(question, ChoiceVerdict(marks, ZERO))[0][1].plain
    assert note == reflowed(written) == (
        "Two projections throughout are the standard; one view cannot show when the tip has "
        "passed the posterior cortex.\n\nA second paragraph.\n- one\n- two")
