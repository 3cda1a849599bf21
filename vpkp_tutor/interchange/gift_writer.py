"""The app's questions written as GIFT.

Each question is `// [tag:…]` comments, `$CATEGORY:` when its topic changes, `::id::` as
its title, `[markdown]` and the stem, then the answer block with per-option feedback (`#`)
and the explanation as general feedback (`####`). New lines inside a text are written `\\n`
(a blank line would end the question) and GIFT's special characters are escaped.

Not expressible in GIFT, hence skipped: ordering items, and texts that GIFT cannot hold
(a `->` in a matching prompt or in a short answer). Lost: difficulty, objectives,
references, last_reviewed, a numeric unit, a short answer's case rule and the explanation
of each matching pair (see docs/importing.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from vpkp_tutor.domain.model import (
    LETTERS,
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

_SPECIAL = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}",
            ":": "\\:", "\n": "\\n", "\r": ""}


def escape(text: str) -> str:
    """`text` as GIFT text: special characters escaped, new lines as `\\n`."""
    return "".join(_SPECIAL.get(ch, ch) for ch in text.strip())


def _num(x: float) -> str:
    return f"{x:.10g}"


def _weight(w: float) -> str:
    text = f"{w:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def question_gift(q: Question) -> str | None:
    """One question as GIFT, or None when GIFT cannot express it (see the module doc)."""
    head = f"::{escape(q.id)}::[markdown]{escape(q.stem)}"
    general = f"\n\t####{escape(q.explanation)}" if q.explanation.strip() else ""
    match q:
        case SingleBest():
            lines = [f"\t{'=' if LETTERS[i] == q.key else '~'}{escape(o.text)}"
                     f"#{escape(o.explanation)}" for i, o in enumerate(q.options)]
            body = "{\n" + "\n".join(lines) + general + "\n}"
        case MultipleResponse():
            k = len(q.keys)
            lines = [f"\t~%{_weight(100 / k if LETTERS[i] in q.keys else -100 / k)}%"
                     f"{escape(o.text)}#{escape(o.explanation)}"
                     for i, o in enumerate(q.options)]
            body = "{\n" + "\n".join(lines) + general + "\n}"
        case TrueFalse():
            key_true = q.key == "A"
            key_i = LETTERS.index(q.key)
            right = q.options[key_i].explanation
            wrong = q.options[1 - key_i].explanation if len(q.options) == 2 else ""
            body = (f"{{{'TRUE' if key_true else 'FALSE'}#{escape(wrong)}#{escape(right)}"
                    f"{general}\n}}")
        case Ordering():
            return None
        case Matching():
            if any("->" in p.left or "->" in p.right for p in q.pairs) or any(
                "->" in d for d in q.distractors
            ):
                return None
            lines = [f"\t={escape(p.left)} -> {escape(p.right)}" for p in q.pairs]
            lines += [f"\t= -> {escape(d)}" for d in q.distractors]
            body = "{\n" + "\n".join(lines) + general + "\n}"
        case Numeric():
            spec = _num(q.answer) + (f":{_num(q.tolerance)}" if q.tolerance else "")
            body = f"{{#{spec}{general}\n}}"
        case ShortAnswer():
            if any("->" in a.text or "*" in a.text for a in q.answers):
                return None
            lines = [f"\t=%{_weight(a.weight * 100)}%{escape(a.text)}"
                     + (f"#{escape(a.feedback)}" if a.feedback.strip() else "")
                     for a in q.answers]
            body = "{\n" + "\n".join(lines) + general + "\n}"
        case Trajectory():
            return None  # no LMS format holds a drill
        case _:
            assert_never(q)
    tags = "".join(f"[tag:{t}]" for t in q.tags if "]" not in t and "\n" not in t)
    meta = f"// [id:{q.id}] {tags}".rstrip() + "\n"
    return meta + head + body + "\n"


def write_gift(questions: Sequence[Question]) -> tuple[str, list[tuple[str, str]]]:
    """The questions as one GIFT file, and (id, reason) for each one left out."""
    parts = ["// Written by vpkp-tutor export-items. Question ids are the titles.\n"]
    skipped: list[tuple[str, str]] = []
    topic = None
    for q in questions:
        text = question_gift(q)
        if text is None:
            why = ("GIFT has no ordering questions" if isinstance(q, Ordering)
                   else "GIFT has no needle-trajectory drills" if isinstance(q, Trajectory)
                   else "a text holds '->' (or a '*' in a short answer), which GIFT cannot "
                        "hold")
            skipped.append((q.id, why))
            continue
        if q.topic != topic:
            topic = q.topic
            parts.append(f"\n$CATEGORY: $course$/top/{topic}\n")
        parts.append("\n" + text)
    return "".join(parts), skipped
