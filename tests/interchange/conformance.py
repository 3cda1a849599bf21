"""The GIFT conformance corpus: where it is, and our items in its JSON model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vpkp_tutor.interchange.gift import Choice, GiftItem, NumberSpec, Text

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "gift"
"""The 50 GIFT files with their expected structure (beside the project checkout)."""
if not CORPUS.is_dir():  # a worktree under /work/wt
    CORPUS = Path("/work/shared/conformance/gift")


def text(t: Text | None) -> dict[str, str] | None:
    return None if t is None else {"format": t.format, "text": t.text}


def weight(w: float | None) -> float | None:
    return w


def number(spec: NumberSpec) -> dict[str, Any]:
    if spec.kind == "simple":
        return {"type": "simple", "number": spec.number}
    if spec.kind == "range":
        return {"type": "range", "number": spec.number, "range": spec.tolerance}
    return {"type": "high-low", "numberHigh": spec.high, "numberLow": spec.low}


def choice(c: Choice) -> dict[str, Any]:
    if c.number is not None:
        shown: dict[str, Any] | None = number(c.number)
    elif c.text is None or (c.text.text == "" and c.number is None and c.weight is None
                            and not c.correct):
        shown = {"format": "moodle", "text": "*"}
    else:
        shown = text(c.text)
    return {"isCorrect": c.correct, "weight": weight(c.weight), "text": shown,
            "feedback": text(c.feedback)}


def reference(item: GiftItem) -> dict[str, Any]:
    """`item` in the corpus's JSON model (GIFT-grammar-PEG.js)."""
    if item.type == "Category":
        return {"type": "Category", "title": item.title}
    out: dict[str, Any] = {
        "id": item.id, "tags": item.tags, "type": item.type, "title": item.title,
        "stem": text(item.stem), "hasEmbeddedAnswers": item.embedded,
        "globalFeedback": text(item.general),
    }
    match item.type:
        case "MC" | "Short":
            out["choices"] = [choice(c) for c in item.choices]
        case "TF":
            out["isTrue"] = item.is_true
            out["trueFeedback"] = text(item.true_feedback)
            out["falseFeedback"] = text(item.false_feedback)
        case "Numerical":
            out["choices"] = (number(item.numeric) if item.numeric is not None
                              else [choice(c) for c in item.choices])
        case "Matching":
            out["matchPairs"] = [{"subquestion": text(p.sub), "subanswer": p.answer}
                                 for p in item.pairs]
    return out
