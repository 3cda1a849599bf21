"""Fixtures: a store holding one learner's quiz, lesson checks, a case run and lessons."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.tinybank import FakeClock, make_services
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services import Services

ANSWERS: dict[str, AnswerValue] = {"anat.sb1": "B", "anat.tf1": "B", "anat.mr1": ("A", "C"), "comp.or1": (0, 2, 1),
           "comp.ma1": ("22510", None), "comp.nu1": -2.0}


@dataclass
class Populated:
    services: Services
    learner_id: str
    clock: FakeClock


def populate(data_dir: Path, name: str = "=Ada, \"MD\"",
             answers: dict[str, AnswerValue] | None = None,
             fingerprint: str = "fp-1") -> Populated:
    """One learner with an exam, a lesson check, a critical case run and a lesson done."""
    from tests.services.tinybank import tiny_bank

    clock = FakeClock()
    svc = make_services(data_dir, clock, tiny_bank(fingerprint))
    lid = svc.create_learner(name, "@Metro IR", "PGY-4").id
    attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=10, seed=1))
    for qid, answer in (answers or ANSWERS).items():
        clock.advance(seconds=30)
        svc.record_answer(attempt.id, qid, answer, 12.5)
    svc.finish_quiz(attempt.id)
    clock.advance(minutes=5)
    svc.answer_lesson_check(lid, "anat-basics", "anat.sb1", "A", 4)
    svc.complete_lesson(lid, "anat-basics")
    svc.save_lesson_position(lid, "comp-leaks", 0)
    run = svc.start_case(lid, "case.leak")
    clock.advance(minutes=1)
    svc.record_case_choice(run.id, "push")
    good = svc.start_case(lid, "case.leak")
    svc.record_case_choice(good.id, "stop")
    svc.record_case_choice(good.id, "ct")
    svc.set_flag(lid, "comp.nu1", True)
    return Populated(svc, lid, clock)


@pytest.fixture
def populated(tmp_path: Path) -> Iterator[Populated]:
    p = populate(tmp_path / "data")
    yield p
    p.services.store.close()
