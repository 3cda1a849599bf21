"""A generated cohort of learner exports with known properties (for the report's tests and
the scale benchmark).

Learners have an ability θ ~ N(0, 1); item i has a difficulty b_i, and a learner answers it
right with probability 1 / (1 + exp(-1.7 (θ - b_i))). Wrong answers fall on the distractors.
Planted items:

- `q.easy`: b = -2.6, so nearly everyone gets it right (facility > 0.90);
- `q.miskey`: the content says A but B is the true answer: strong learners choose B and are
  scored wrong; weak learners pick A more often than B.

Every learner sits the same exam form (`FORM`, 10 items) first, then a practice attempt of
random items from the pool.

In practice (tutor mode) about half the misses carry the learner's reason (`error_tag`),
drawn from a second random stream so the answers are the same with or without them: a
learner who chose `q.miskey`'s true answer tags the miss "disagree" with a comment (every
third without one, the first one hostile markup); other misses get one of the other four
tags, "misread" twice as likely on imaging.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vpkp_tutor.report.items import ItemContent

LETTERS = "ABCD"
TOPICS = ("anatomy", "imaging", "complications")
FORM = tuple(f"q.{i:03d}" for i in range(10))
HOSTILE_COMMENT = '<img src=x onerror="alert(2)"> B is right & the key is not'
"""The first "disagree" comment of a generated cohort."""
OTHER_TAGS = ("not_known", "misread", "reasoning", "slip")
EPOCH = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@dataclass
class Item:
    id: str
    topic: str
    objective: str
    b: float
    key: str = "A"
    true_key: str = "A"
    weights: tuple[float, ...] = (1.0, 1.0, 1.0)

    def content(self) -> ItemContent:
        return ItemContent(stem=f"Stem of {self.id}",
                           options=tuple((x, f"Option {x} of {self.id}") for x in LETTERS),
                           keys=frozenset({self.key}))


@dataclass
class Cohort:
    items: dict[str, Item]
    paths: list[Path] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def content(self, qid: str) -> ItemContent | None:
        item = self.items.get(qid)
        return item.content() if item else None


STATED = ("sure", "unsure", "guess", None, None)
"""The confidence each answer states, picked by a checksum of its ids (None: not stated)."""

def make_items(pool: int, rng: random.Random) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for i in range(pool):
        qid = f"q.{i:03d}"
        topic = TOPICS[i % len(TOPICS)]
        items[qid] = Item(qid, topic, f"{topic}.obj{i % 4}", rng.gauss(0, 1),
                          key=LETTERS[i % 4], true_key=LETTERS[i % 4],
                          weights=(1.0, 0.8, 0.6))
    items["q.easy"] = Item("q.easy", "anatomy", "anatomy.obj0", -2.6, key="C", true_key="C")
    items["q.miskey"] = Item("q.miskey", "imaging", "imaging.obj1", 0.0, key="A",
                             true_key="B", weights=(3.0, 1.0, 1.0))
    return items


def _answer(item: Item, theta: float, rng: random.Random) -> str:
    p = 1 / (1 + math.exp(-1.7 * (theta - item.b)))
    if rng.random() < p:
        return item.true_key
    wrong = [x for x in LETTERS if x != item.true_key]
    return rng.choices(wrong, weights=item.weights)[0]


class Why:
    """The reasons learners give for their misses (see the module's note)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 1)
        self.disagreed = 0

    def __call__(self, item: Item, answer: str, mode: str) -> tuple[str, str] | None:
        if mode != "tutor":
            return None
        if item.true_key != item.key and answer == item.true_key:
            self.disagreed += 1
            if self.disagreed == 1:
                return "disagree", HOSTILE_COMMENT
            return "disagree", "" if self.disagreed % 3 == 0 else (
                f"{answer} is right, not {item.key} (comment {self.disagreed})")
        if self.rng.random() < 0.5:
            return None
        weights = (1, 2, 1, 1) if item.topic == "imaging" else (1, 1, 1, 1)
        return self.rng.choices(OTHER_TAGS, weights=weights)[0], ""


def make_cohort(folder: Path, learners: int = 120, pool: int = 40, practice: int = 20,
                seed: int = 7, names: list[str] | None = None) -> Cohort:
    """Write one JSON export per learner into `folder`."""
    rng = random.Random(seed)
    why = Why(seed)
    items = make_items(pool, rng)
    cohort = Cohort(items)
    folder.mkdir(parents=True, exist_ok=True)
    everything = list(items)
    for n in range(learners):
        theta = rng.gauss(0, 1)
        name = names[n] if names and n < len(names) else f"Learner {n:03d}"
        exam = (*FORM, "q.easy", "q.miskey")
        drill = rng.sample(everything, min(practice, len(everything)))
        doc = learner_doc(f"l{n:04d}", name, items,
                          [("exam-" + str(n), "exam", exam), ("drill-" + str(n), "tutor", drill)],
                          theta, rng, case_critical=(n % 5 == 0), lessons_done=n % 3,
                          why=why)
        path = folder / f"learner-{n:04d}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        cohort.paths.append(path)
        cohort.names.append(name)
    return cohort


def learner_doc(lid: str, name: str, items: dict[str, Item],
                attempts: list[tuple[str, str, tuple[str, ...] | list[str]]], theta: float,
                rng: random.Random, *, case_critical: bool = False,
                lessons_done: int = 0,
                why: Callable[[Item, str, str], tuple[str, str] | None] | None = None
                ) -> dict[str, object]:
    """One learner's export document."""
    at = EPOCH + dt.timedelta(days=rng.randrange(30))
    responses = []
    attempt_docs = []
    for aid, mode, qids in attempts:
        attempt_docs.append({"id": aid, "mode": mode, "question_ids": list(qids),
                             "started_at": _iso(at)})
        for qid in qids:
            item = items[qid]
            answer = _answer(item, theta, rng)
            right = answer == item.key
            at += dt.timedelta(seconds=40)
            responses.append({
                "id": f"{lid}-{aid}-{qid}", "attempt_id": aid, "mode": mode,
                "question_id": qid, "topic": item.topic, "objectives": [item.objective],
                "type": "single_best", "difficulty": "medium", "content_hash": "h",
                "answer": answer, "points": 1.0 if right else 0.0, "max_points": 1.0,
                "correct": right, "seconds": 30.0, "answered_at": _iso(at)})
            stated = STATED[zlib.crc32(f"{lid}/{aid}/{qid}".encode()) % len(STATED)]
            if stated is not None:  # (drawn without the generator, so figures stay put)
                responses[-1]["confidence"] = stated
            reason = why(item, answer, mode) if why is not None and not right else None
            if reason is not None:
                responses[-1].update(error_tag=reason[0], error_comment=reason[1])
    case_runs = [{
        "id": f"{lid}-run1", "case_id": "case.leak", "title": "Cement leak", "topic":
        "complications", "choice_path": ["push"] if case_critical else ["stop", "ct"],
        "points": 0 if case_critical else 4, "max_points": 4,
        "critical_errors": ["push"] if case_critical else [], "started_at": _iso(at),
        "finished_at": _iso(at + dt.timedelta(minutes=3))}]
    lessons = [{"lesson_id": f"lesson-{i}", "topic": TOPICS[i], "position": 3,
                "completed": i < lessons_done, "updated_at": _iso(at)} for i in range(3)]
    return {
        "format": "vpkp-tutor/learner-export", "format_version": 1, "app_version": "test",
        "exported_at": _iso(at + dt.timedelta(hours=1)),
        "content": {"fingerprint": "fp-gen", "topics": {
            t: {"questions": sum(1 for i in items.values() if i.topic == t), "lessons": 1,
                "cases": 1 if t == "complications" else 0} for t in TOPICS}},
        "learner": {"id": lid, "display_name": name, "program": "Metro IR", "level": "PGY-4"},
        "lesson_progress": lessons, "attempts": attempt_docs, "case_runs": case_runs,
        "flags": [], "responses": responses,
    }


def two_courses(folder: Path) -> tuple[Path, Path, Path]:
    """Learner l0000 in course "vp" (every answer right) and in course "kp" (every answer
    wrong, on objectives of its own), and a second learner in "vp" only."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    items = make_items(12, rng)
    qids = [q for q in items if q.startswith("q.0")][:12]
    paths = []
    for lid, course, right in (("l0000", "vp", True), ("l0000", "kp", False),
                               ("l0001", "vp", True)):
        doc = learner_doc(lid, f"Name {lid}", items, [(f"{course}-a", "tutor", qids)],
                          theta=0.0, rng=rng)
        doc["content"].update(course_id=course, course_version=f"{course}-1",  # type: ignore[union-attr]
                              course_title=f"Course {course.upper()}")
        for r in doc["responses"]:  # type: ignore[union-attr]
            r.update(id=f"{r['id']}-{course}", points=1.0 if right else 0.0, correct=right,
                     answer=items[r["question_id"]].key if right else "Z")
            if course == "kp":
                r["objectives"] = [f"kp.{o}" for o in r["objectives"]]
        path = folder / f"{lid}-{course}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1], paths[2]


def _iso(when: dt.datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")
