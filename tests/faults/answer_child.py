"""A learner in a child process: answers questions through the Services layer and prints an
acknowledgement line after each answer is recorded, for the crash and concurrency tests.

    python -m tests.faults.answer_child DATA_DIR --seed N [--learner NAME] [--count N]

Prints `READY <learner id>` once the store is open, then, after each recorded answer,

    ACK Q <attempt id> <question id> <answer as JSON>     (a quiz answer)
    ACK L <lesson id> <question id> <seconds>             (a lesson check; every one is kept)

written with one `os.write` so a line is either whole or missing. Runs until killed, or
until `--count` answers have been acknowledged (then exits 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

from tests.services.tinybank import tiny_bank
from vpkp_tutor.domain.model import Question, QuestionType
from vpkp_tutor.domain.progress import QuizMode, QuizSettings, answer_to_json
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store


def random_answer(question: Question, rng: random.Random) -> AnswerValue:
    """A plausible answer of the right shape (sometimes right, sometimes wrong)."""
    qtype = question.type
    if qtype in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
        return rng.choice("ABC"[: len(question.options)])
    if qtype is QuestionType.MULTIPLE_RESPONSE:
        return tuple(sorted(rng.sample("ABCD", rng.randint(1, 3))))
    if qtype is QuestionType.ORDERING:
        order = list(range(len(question.options)))
        rng.shuffle(order)
        return tuple(order)
    if qtype is QuestionType.MATCHING:
        return tuple(rng.choice([*question.right_choices, None]) for _ in question.pairs)
    return round(rng.uniform(0, 10), 3)


def say(line: str) -> None:
    """Write one whole line to stdout, unbuffered."""
    os.write(1, (line + "\n").encode())


def main() -> int:
    """Answer until killed (or `--count` answers)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learner", default="Crash Test")
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bank = tiny_bank()
    services = Services(bank, open_store(args.data_dir))
    learner = services.find_learner(args.learner) or services.create_learner(args.learner)
    say(f"READY {learner.id}")
    acked = 0
    while True:
        attempt = services.build_quiz(learner.id, QuizSettings(
            mode=rng.choice(list(QuizMode)[:2]), count=len(bank.questions),
            seed=rng.randrange(2**31)))
        for qid in attempt.question_ids:
            if rng.random() < 0.2:
                seconds = round(rng.uniform(0.001, 99.0), 6)
                services.answer_lesson_check(learner.id, "anat-basics", "anat.sb1",
                                             rng.choice("ABC"), seconds)
                say(f"ACK L anat-basics anat.sb1 {seconds!r}")
                acked += 1
            answer = random_answer(bank.question(qid), rng)
            services.record_answer(attempt.id, qid, answer, rng.uniform(0, 60))
            say(f"ACK Q {attempt.id} {qid} {json.dumps(answer_to_json(answer))}")
            acked += 1
            if args.count and acked >= args.count:
                services.store.close()
                return 0
        services.finish_quiz(attempt.id)


if __name__ == "__main__":
    raise SystemExit(main())
