"""How GIFT's question model is carried into the app's types, and what is reported."""

from __future__ import annotations

from typing import Any

from vpkp_tutor.interchange.gift import parse_gift_text
from vpkp_tutor.interchange.mapping import Mapped, to_app


def mapped(text: str) -> Mapped:
    parsed = parse_gift_text(text, "b.gift")
    assert parsed.errors == []
    return to_app(parsed.items, "b.gift", topic="anatomy", objective="o.x")


def only(text: str) -> dict[str, Any]:
    result = mapped(text)
    (item,) = result.imported
    return item.data


def test_true_false_feedback_goes_to_the_option_it_explains() -> None:
    # GIFT: the first feedback is shown for a wrong answer, the second for the right one
    q = only("Grant is buried in Grant's tomb.{FALSE#Wrong: he is.#Right: no one is.}")
    assert q["key"] == "B"
    assert [o["explanation"] for o in q["options"]] == ["Wrong: he is.", "Right: no one is."]
    q = only("The sun rises in the east.{TRUE#Not west.#Yes, east.}")
    assert q["key"] == "A"
    assert [o["explanation"] for o in q["options"]] == ["Yes, east.", "Not west."]


def test_numeric_range_becomes_middle_and_half_width() -> None:
    q = only("Pick a number from 1 to 5.{#1..5}")
    assert (q["answer"], q["tolerance"]) == (3, 2)
    q = only("Pi?{#3.1415:0.0005}")
    assert (q["answer"], q["tolerance"]) == (3.1415, 0.0005)


def test_several_numeric_answers_keep_the_full_credit_one_and_say_so() -> None:
    result = mapped("When was Grant born?{#\n=1822:0\n=%50%1822:2}")
    (q,) = result.imported
    assert (q.data["answer"], q.data["tolerance"]) == (1822, 0)
    (note,) = result.changed
    assert note.line == 1 and "1 other answer(s)" in note.reason


def test_weights_decide_single_or_multiple_and_changes_are_reported() -> None:
    result = mapped("Difficult.{~wrong ~%50%half =full ~other}")
    (q,) = result.imported
    assert q.data["type"] == "single_best" and q.data["key"] == "C"
    assert "partial credit" in result.changed[0].reason
    q = only("Two?{~%50%a ~%50%b ~%-50%c ~%-50%d}")  # the app's own rule: no note
    assert q["type"] == "multiple_response" and q["keys"] == ["A", "B"]
    result = mapped("Two?{~%50%a ~%50%b ~c ~d}")
    assert "weights replaced" in result.changed[0].reason


def test_too_few_options_and_pairs_are_skipped_with_the_reason() -> None:
    result = mapped("Who?{~Grant =no one}\n\nMatch.{=a -> 1}\n\nEssay?{}\n\nJust text.")
    assert [(r.line, r.reason) for r in result.skipped] == [
        (1, "2 options: a single-best item has 3 to 6"),
        (3, "1 pairs: a matching item has 2 to 8"),
        (5, "an essay question is not imported: the app cannot score an essay"),
        (7, "a description is not a question; it is not imported"),
    ]


def test_missing_word_and_html_stems() -> None:
    q = only("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q["stem"] == "Grant is _____ in Grant's tomb."
    q = only("[html]<p>Is <b>this</b> true?</p>{T}")
    assert q["stem"] == "Is **this** true?"


def test_ids_from_id_comments_titles_or_the_file() -> None:
    result = mapped("// [id:given-id]\n::Title::Q?{T}\n\n::Nice Title!::Q?{T}\n\nQ?{T}\n\n"
                    "::Nice Title!::Q?{F}")
    assert [i.data["id"] for i in result.imported] == [
        "given-id", "nice-title", "imp-003", "nice-title-2"]
    assert "nice-title" in result.changed[0].reason
