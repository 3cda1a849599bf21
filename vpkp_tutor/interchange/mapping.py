"""Imported items (GIFT's model, which Aiken and Moodle XML are read into too) made into the
app's question YAML, with a report of every item skipped or changed and why.

The rules, per type (documented in docs/importing.md):

- multiple choice with one correct answer → `single_best` (3–6 options); with several
  answers earning credit → `multiple_response` (3–8); weights other than the app's own
  partial-credit rule, and partial credit on a single-answer item, are reported as changed.
- true/false → `true_false`; the feedback for the wrong answer (GIFT's first `#`) explains
  the wrong option, the other the key.
- short answer → `short_answer`: each answer with its weight (a share of 100%); answers
  earning nothing (a `*` catch-all, a 0% answer) are dropped and reported.
- numerical → `numeric`: a value with a tolerance, or a range `low..high` as its middle
  ± half its width; when several answers are given, the first earning full marks is kept
  and the others reported.
- matching → `matching` (2–8 pairs; a pair with no left side becomes a distractor).
- ordering (Moodle XML) → `ordering`.
- missing word (an answer block inside the stem) → the same types, the blank shown as
  `_____` in the stem.
- description and essay → skipped, reported: a description is not a question, and the app
  cannot score an essay.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from vpkp_tutor.interchange.gift import GiftItem, Text
from vpkp_tutor.interchange.html2md import html_to_markdown, html_to_text, plain_to_markdown

ID_PATTERN = re.compile(r"^[a-z][a-z0-9._-]*$")
IMPORTED_TAG = "imported"
NO_EXPLANATION = "No general feedback was given in the imported bank."


@dataclass
class Report:
    """An item skipped or changed on import, where it is in its source file, and why."""

    path: str
    line: int
    reason: str
    item_id: str = ""

    def __str__(self) -> str:
        named = f" ({self.item_id})" if self.item_id else ""
        return f"{self.path}:{self.line}: {self.reason}{named}"


@dataclass
class Imported:
    """One question made into the app's YAML form."""

    line: int
    """Line of the source file where the question starts."""
    data: dict[str, Any]
    """The question as written to YAML."""
    source_type: str
    """Its type in the source format (for the summary)."""


@dataclass
class Mapped:
    """What an import made of a file's items."""

    imported: list[Imported] = field(default_factory=list)
    skipped: list[Report] = field(default_factory=list)
    changed: list[Report] = field(default_factory=list)
    skipped_types: dict[str, int] = field(default_factory=dict)


def slug(text: str) -> str:
    """`text` as an id: lower-case ASCII letters, digits, `-` (may be empty)."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = re.sub(r"[^a-z0-9]+", "-", flat).strip("-")
    out = out[:60].strip("-")
    if out and not out[0].isalpha():
        out = "q-" + out
    return out


class _Item:
    """Converting one item: its text and the notes made on the way."""

    def __init__(self, item: GiftItem, path: str) -> None:
        self.item = item
        self.path = path
        self.notes: list[str] = []

    def md(self, t: Text | None) -> str:
        if t is None or not t.text.strip():
            return ""
        if t.format == "html":
            text, notes = html_to_markdown(t.text)
            self.notes += [n for n in notes if n not in self.notes]
            return text
        if t.format == "markdown":
            return t.text.strip()
        return plain_to_markdown(t.text.strip())

    def plain(self, t: Text | None) -> str:
        if t is None:
            return ""
        if t.format == "html":
            text, notes = html_to_text(t.text)
            self.notes += [n for n in notes if n not in self.notes]
            return text
        return " ".join(t.text.split())


def _option(text: str, explanation: str, keyed: bool) -> dict[str, str]:
    return {"text": text, "explanation": explanation or (
        "This is the keyed answer." if keyed else "This is not the keyed answer.")}


def to_app(items: list[GiftItem], path: str, *, topic: str, objective: str,
           prefix: str = "imp", today: dt.date | None = None,
           topic_of: dict[str, str] | None = None) -> Mapped:
    """Map the items of one file; `topic_of` maps a category path to a topic."""
    today = today or dt.date.today()
    out = Mapped()
    used: set[str] = set()
    n = 0
    for item in items:
        if item.type == "Category":
            continue
        n += 1
        conv = _Item(item, path)
        conv.notes += item.media
        try:
            data = _convert(conv, out)
        except _Skip as skip:
            out.skipped.append(Report(path, item.line, skip.reason))
            out.skipped_types[item.type] = out.skipped_types.get(item.type, 0) + 1
            continue
        qid = _choose_id(item, prefix, n, used, conv)
        used.add(qid)
        item_topic = (topic_of or {}).get(item.category or "", topic)
        head: dict[str, Any] = {
            "id": qid, "type": data.pop("type"), "topic": item_topic,
            "objectives": [objective], "difficulty": "medium",
            "last_reviewed": today,
        }
        head.update(data)
        explanation = conv.md(item.general)
        if not explanation:
            explanation = NO_EXPLANATION
        head["explanation"] = explanation
        head["references"] = [f"Imported from {_name(path)}, line {item.line}"]
        tags = [t for t in (item.tags or []) if t.strip()]
        head["tags"] = [*dict.fromkeys([*tags, IMPORTED_TAG])][:20]
        out.imported.append(Imported(item.line, head, item.type))
        for note in conv.notes:
            out.changed.append(Report(path, item.line, note, qid))
    return out


def _name(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def _choose_id(item: GiftItem, prefix: str, n: int, used: set[str], conv: _Item) -> str:
    """The source's id (GIFT `[id:]`, Moodle `idnumber`) or title when it is a valid id,
    else a slug of the title, else `<prefix>-NNN`; made unique."""
    candidates = [c.strip() for c in (item.id, item.title) if c and c.strip()]
    qid = next((c for c in candidates if ID_PATTERN.match(c)), "")
    if not qid and candidates:
        qid = slug(candidates[0])
    if not qid:
        qid = f"{prefix}-{n:03d}"
    base, k = qid, 2
    while qid in used:
        qid = f"{base}-{k}"
        k += 1
    if qid != base:
        conv.notes.append(f"id '{base}' is used by an earlier item; this one is '{qid}'")
    return qid


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _convert(conv: _Item, out: Mapped) -> dict[str, Any]:
    item = conv.item
    match item.type:
        case "Essay":
            raise _Skip("an essay question is not imported: the app cannot score an essay")
        case "Description":
            raise _Skip("a description is not a question; it is not imported")
        case "TF":
            return _true_false(conv)
        case "MC":
            return _choice(conv)
        case "Short":
            return _short(conv)
        case "Numerical":
            return _numeric(conv)
        case "Matching":
            return _matching(conv)
        case "Ordering":
            return _ordering(conv)
        case other:
            raise _Skip(f"a {other} question is not a type the app has; it is not imported")


def _stem(conv: _Item) -> str:
    stem = conv.md(conv.item.stem)
    if not stem:
        raise _Skip("the question has no text")
    return stem


def _true_false(conv: _Item) -> dict[str, Any]:
    item = conv.item
    wrong = conv.md(item.true_feedback)  # GIFT: the first feedback is for a wrong answer
    right = conv.md(item.false_feedback)
    key = "A" if item.is_true else "B"
    true_expl, false_expl = (right, wrong) if item.is_true else (wrong, right)
    return {"type": "true_false", "stem": _stem(conv), "options": [
        _option("True", true_expl, key == "A"), _option("False", false_expl, key == "B")],
        "key": key}


def _weights(item: GiftItem) -> list[float]:
    """Each choice's credit in percent (a bare `=` is 100%, a bare `~` 0%)."""
    return [c.weight if c.weight is not None else (100.0 if c.correct else 0.0)
            for c in item.choices]


def _choice(conv: _Item) -> dict[str, Any]:
    item = conv.item
    weights = _weights(item)
    texts = [conv.plain(c.text) for c in item.choices]
    if any(not t for t in texts):
        raise _Skip("an option has no text")
    keyed = [i for i, w in enumerate(weights) if w > 0]
    n = len(item.choices)
    if not keyed:
        raise _Skip("no option earns credit")
    options = [_option(texts[i], conv.md(c.feedback), i in keyed)
               for i, c in enumerate(item.choices)]
    stem = _stem(conv)
    full = [i for i in keyed if weights[i] >= 100 - 1e-6]
    if len(full) == 1:
        if not 3 <= n <= 6:
            raise _Skip(f"{n} options: a single-best item has 3 to 6")
        partial = [i for i in keyed if i not in full]
        if partial or any(w < 0 for w in weights):
            conv.notes.append("partial credit and penalties are not kept: the keyed option "
                              "earns the point, others nothing")
        if partial:
            for i in partial:
                options[i]["explanation"] = options[i]["explanation"].replace(
                    "This is the keyed answer.", "This is not the keyed answer.")
        return {"type": "single_best", "stem": stem, "options": options,
                "key": "ABCDEFGHIJ"[full[0]]}
    if not 3 <= n <= 8:
        raise _Skip(f"{n} options: a multiple-response item has 3 to 8")
    k = len(keyed)
    if any(abs(weights[i] - 100 / k) > 0.01 for i in keyed) or any(
        abs(w + 100 / k) > 0.01 for i, w in enumerate(weights) if i not in keyed
    ):
        conv.notes.append("weights replaced by the app's partial-credit rule (each keyed "
                          "option +1/k, each wrong option chosen −1/k)")
    return {"type": "multiple_response", "stem": stem, "options": options,
            "keys": ["ABCDEFGHIJ"[i] for i in keyed]}


def _short(conv: _Item) -> dict[str, Any]:
    item = conv.item
    answers: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for c, w in zip(item.choices, _weights(item), strict=True):
        text = conv.plain(c.text)
        if text == "*" or "*" in text:
            conv.notes.append(f"the answer '{text}' uses a wildcard, which the app does not "
                              "match; dropped")
            continue
        if w <= 0:
            conv.notes.append(f"the answer '{text}' earns {w:g}%; dropped (only answers "
                              "earning credit are kept)")
            continue
        if not text:
            continue
        norm = " ".join(text.split()).casefold()
        if norm in seen:
            conv.notes.append(f"the answer '{text}' repeats an earlier one (letter case is "
                              "ignored); dropped")
            continue
        seen[norm] = len(answers)
        entry: dict[str, Any] = {"text": text}
        if w < 100:
            entry["weight"] = round(min(w, 100.0) / 100, 6)
        feedback = conv.md(c.feedback)
        if feedback:
            entry["feedback"] = feedback
        answers.append(entry)
    if not answers:
        raise _Skip("no accepted answer earns credit")
    if not any("weight" not in a for a in answers):
        raise _Skip("no accepted answer earns full marks")
    out: dict[str, Any] = {"type": "short_answer", "stem": _stem(conv), "answers": answers[:20]}
    if item.case_sensitive:
        out["case_sensitive"] = True
    return out


def _numeric(conv: _Item) -> dict[str, Any]:
    item = conv.item
    spec = item.numeric
    if spec is None:
        weights = _weights(item)
        full = [c for c, w in zip(item.choices, weights, strict=True)
                if c.number is not None and w >= 100 - 1e-6]
        if not full:
            raise _Skip("no numeric answer earns full marks")
        spec = full[0].number
        others = [c for c in item.choices if c is not full[0]]
        if others:
            conv.notes.append(f"{len(others)} other answer(s) (partial credit or feedback) "
                              "dropped: a numeric item has one answer and tolerance")
    assert spec is not None
    low, high = spec.bounds
    answer = (low + high) / 2 if spec.kind == "high-low" else spec.number
    tolerance = (high - low) / 2 if spec.kind == "high-low" else spec.tolerance
    out: dict[str, Any] = {"type": "numeric", "stem": _stem(conv),
                           "answer": _tidy(answer), "tolerance": _tidy(tolerance)}
    if item.unit:
        out["unit"] = item.unit
    return out


def _tidy(x: float) -> float | int:
    r = round(x, 9)
    return int(r) if r == int(r) and abs(r) < 1e15 else r


def _matching(conv: _Item) -> dict[str, Any]:
    item = conv.item
    pairs = []
    distractors = []
    for p in item.pairs:
        left = conv.plain(p.sub)
        right = " ".join(p.answer.split())
        if not left:
            distractors.append(right)
        else:
            pairs.append({"left": left, "right": right,
                          "explanation": f"{left} → {right}."})
    if not 2 <= len(pairs) <= 8:
        raise _Skip(f"{len(pairs)} pairs: a matching item has 2 to 8")
    out: dict[str, Any] = {"type": "matching", "stem": _stem(conv), "pairs": pairs}
    if distractors:
        out["distractors"] = distractors
    return out


def _ordering(conv: _Item) -> dict[str, Any]:
    item = conv.item
    texts = [conv.plain(c.text) for c in item.choices]
    if not 3 <= len(texts) <= 8:
        raise _Skip(f"{len(texts)} items: an ordering item has 3 to 8")
    return {"type": "ordering", "stem": _stem(conv), "options": [
        {"text": t, "explanation": conv.md(c.feedback) or f"Step {i + 1}."}
        for i, (t, c) in enumerate(zip(texts, item.choices, strict=True))]}
