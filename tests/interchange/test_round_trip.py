"""Every bundled question a format can express comes back the same after export and import:
stem, options (text and explanation), key, explanation, pairs, numbers, accepted answers and
the id (GIFT title, Moodle idnumber)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from vpkp_tutor.content import bundled_paths
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import (
    AcceptedAnswer,
    Difficulty,
    Matching,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    Trajectory,
)
from vpkp_tutor.interchange import importer
from vpkp_tutor.interchange.gift_writer import write_gift
from vpkp_tutor.interchange.moodle_xml_writer import write_moodle_xml

TODAY = dt.date(2026, 12, 1)


def essentials(q: Question) -> dict[str, Any]:
    """What a round trip must keep."""
    out: dict[str, Any] = {"id": q.id, "type": q.type, "stem": q.stem.strip(),
                           "explanation": q.explanation.strip()}
    for name in ("key", "keys", "answer", "tolerance", "distractors"):
        if hasattr(q, name):
            out[name] = getattr(q, name)
    if hasattr(q, "options"):
        out["options"] = [(o.text, o.explanation.strip()) for o in q.options]
    if isinstance(q, Matching):
        out["pairs"] = [(p.left, p.right) for p in q.pairs]
    if isinstance(q, ShortAnswer):
        out["answers"] = [(a.text, a.weight, a.feedback.strip()) for a in q.answers]
    return out


EXTRA = ShortAnswer(
    id="extra-short", topic="anatomy", objectives=("anat.pedicle-landmarks",),
    difficulty=Difficulty.EASY, stem="Which structure: {braces}, #hash, a:colon and ~tilde?\n\n"
    "Second paragraph = more.", explanation="Because\nof lines.", references=("r",),
    answers=(AcceptedAnswer("pedicle"), AcceptedAnswer("lamina", 0.25, "Close.")),
)


def round_trip(tmp_path: Path, fmt: str) -> tuple[list[Question], dict[str, Question], list[str]]:
    bank = load_content(bundled_paths())
    originals = [*bank.questions, EXTRA]
    text, skipped = (write_gift if fmt == "gift" else write_moodle_xml)(originals)
    source = tmp_path / ("bank.gift" if fmt == "gift" else "bank.xml")
    source.write_text(text, encoding="utf-8")
    course = tmp_path / "course"
    plan = importer.plan_import([source], course, topic="anatomy", today=TODAY,
                                topics=[t.id for t in bank.topics])
    assert not [r for f in plan.files for r in f.mapped.skipped]
    stage = importer.stage_and_validate(plan, course, today=TODAY)
    importer.commit(plan, stage, course)
    back = load_content([course], today=TODAY)
    assert back.errors == ()
    return originals, {q.id: q for q in back.questions}, [qid for qid, _ in skipped]


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
def test_round_trip_keeps_every_expressible_item(tmp_path: Path, fmt: str) -> None:
    originals, back, skipped = round_trip(tmp_path, fmt)
    expressible = [q for q in originals if q.id not in skipped]
    drills = {q.id for q in originals if isinstance(q, Trajectory)}  # no LMS format has them
    if fmt == "gift":
        assert {q.id for q in originals if q.id in skipped} == drills | {
            q.id for q in originals if isinstance(q, Ordering)}
    else:
        assert set(skipped) == drills
    assert len(expressible) > 250
    assert sorted(back) == sorted(q.id for q in expressible)
    for q in expressible:
        again = back[q.id]
        assert essentials(again) == essentials(q), q.id
        assert again.topic == q.topic  # categories carry the topic
        if isinstance(q, Numeric) and fmt == "moodle-xml":
            assert isinstance(again, Numeric) and again.unit == q.unit
