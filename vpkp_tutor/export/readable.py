"""What a person reads in an export beside the ids: a question's stem cut short, objective
texts, the answer as the learner saw it, times in local ISO 8601 with their offset."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import assert_never

from vpkp_tutor.domain.model import (
    LETTERS,
    ContentBank,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleBest,
    TrueFalse,
)
from vpkp_tutor.domain.scoring import AnswerValue

SHORT = 80
"""Characters of a stem, narrative or choice a CSV cell shows."""
ARROW = " → "
"""Between the steps of an ordering answer."""
_EMPHASIS = re.compile(r"\*\*|__|`")


def short(text: str, limit: int = SHORT) -> str:
    """`text` on one line (runs of whitespace made one space, Markdown bold and code marks
    dropped), cut to `limit` characters with an ellipsis."""
    flat = " ".join(_EMPHASIS.sub("", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def local_iso(when: dt.datetime) -> str:
    """ISO 8601 in the computer's local time with its UTC offset, to the second, e.g.
    `2026-03-02T13:00:30+01:00`."""
    return when.astimezone().isoformat(timespec="seconds")


def objective_texts(bank: ContentBank) -> dict[str, str]:
    """Objective id → its text, from the lessons that declare them."""
    return {o.id: o.text for lesson in bank.lessons for o in lesson.objectives}


def _letter(index: object) -> str:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(LETTERS):
        return LETTERS[index]
    return str(index)


def answer_as_seen(question: Question | None, answer: AnswerValue) -> str | float:
    """The answer the way the learner gave it: the letter(s) chosen (`B`, `A, C`; the
    option's text for true/false), the steps in the learner's order by the letter of their
    place in the correct order (`B → D → A → C`), each prompt's letter with the number of its
    right-hand match, as on screen (`A→2, B→1`, `–` for none), or the number. Empty when
    unanswered."""
    if answer is None or answer == () or answer == "":
        return ""
    if isinstance(answer, bool):  # not an answer shape; shown as stored
        return str(answer).lower()
    if isinstance(answer, float | int):
        return float(answer) if math.isfinite(answer) else ""
    if isinstance(answer, str):
        if isinstance(question, TrueFalse) and answer in LETTERS:
            i = LETTERS.index(answer)
            if i < len(question.options):
                return question.options[i].text
        return answer
    items = list(answer)
    match question:
        case Ordering():
            return ARROW.join(_letter(x) for x in items)
        case Matching():
            rights = question.right_choices
            return ", ".join(
                f"{_letter(n)}→" + ("–" if x is None else str(rights.index(x) + 1)
                                    if x in rights else str(x))
                for n, x in enumerate(items))
        case None if all(isinstance(x, int) for x in items):  # an order, question gone
            return ARROW.join(_letter(x) for x in items)
        case SingleBest() | MultipleResponse() | TrueFalse() | Numeric() | ShortAnswer() | None:
            return ", ".join("–" if x is None else str(x) for x in items)
        case _:
            assert_never(question)
