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
    Trajectory,
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
    if isinstance(question, Trajectory):
        return trajectory_as_seen(question, answer)
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
        case (SingleBest() | MultipleResponse() | TrueFalse() | Numeric() | Trajectory()
              | ShortAnswer() | None):
            return ", ".join("–" if x is None else str(x) for x in items)
        case _:
            assert_never(question)


def trajectory_as_seen(question: Trajectory, answer: AnswerValue) -> str:
    """A drill's answer in words: bone contact, steps taken, the final tip (share of the body
    depth on lateral, of the half-width from the midline on AP) or the never event, and the
    three parts' points — e.g. `contact 15,4 mm; 24 steps; final tip 74% deep, 9% off the
    midline; entry 0.25/0.25, safety 0.35/0.35, position 0.4/0.4`."""
    from vpkp_tutor.domain.trajectory import judge_path, parse, tip_of

    path = parse(answer)
    if path is None:
        return str(answer) if isinstance(answer, str) else ""
    g = question.geometry
    verdict = judge_path(question, answer)
    last = path.states[-1]
    tip = tip_of(last, g)
    if verdict.never_event:
        end = "never event (medial wall crossed before the posterior wall)"
    elif path.final:
        end = (f"final tip {tip.z / g.body_depth:.0%} deep, "
               f"{abs(tip.x) / (g.body_width / 2):.0%} off the midline")
    else:
        end = "no final position"
    parts = ", ".join(f"{name} {p.points:g}/{p.max_points:g}" for name, p in
                      (("entry", verdict.entry), ("safety", verdict.safety),
                       ("position", verdict.position)))
    return f"contact {last.ex},{last.ey} mm; {len(path.states)} steps; {end}; {parts}"
