"""Running `answer_child` processes and checking what they acknowledged against the database.

An acknowledgement is a promise: the answer it names was committed before the line was
printed. `Acks` collects those promises across many runs; `check_database` opens the file
independently of the app (plain sqlite3) and verifies every promise and the file's integrity.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The project root (the child runs as `python -m tests.faults.answer_child` from here)."""


def spawn(data_dir: Path, seed: int, *, learner: str = "Crash Test", count: int = 0,
          stderr_path: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a child that answers questions in `data_dir`."""
    argv = [sys.executable, "-m", "tests.faults.answer_child", str(data_dir), "--seed",
            str(seed), "--learner", learner]
    if count:
        argv += ["--count", str(count)]
    err = open(stderr_path, "ab") if stderr_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=err,
                                env={**os.environ, "PYTHONHASHSEED": "0"})
    finally:
        if stderr_path:
            err.close()  # type: ignore[union-attr]


@dataclass
class Acks:
    """Every answer a child acknowledged."""

    quiz: dict[tuple[str, str], str] = field(default_factory=dict)
    """(attempt id, question id) → the answer's JSON."""
    lesson: list[tuple[str, str, float]] = field(default_factory=list)
    """(lesson attempt id, question id, seconds) of each lesson-check answer."""
    learners: set[str] = field(default_factory=set)
    """Learner ids the children announced."""

    def __len__(self) -> int:
        return len(self.quiz) + len(self.lesson)

    def take(self, line: bytes) -> bool:
        """Record one complete output line; True when it was an acknowledgement."""
        if not line.endswith(b"\n"):
            return False  # cut off by the kill: not an acknowledgement
        parts = line.decode().rstrip("\n").split(" ", 4)
        if parts[0] == "READY":
            self.learners.add(parts[1])
            return False
        if parts[:2] == ["ACK", "Q"]:
            self.quiz[(parts[2], parts[3])] = parts[4]
            return True
        if parts[:2] == ["ACK", "L"]:
            self.lesson.append((f"lesson:{parts[2]}", parts[3], float(parts[4])))
            return True
        raise AssertionError(f"unexpected child output: {line!r}")


def check_database(db: Path, acks: Acks) -> None:
    """The file passes `PRAGMA integrity_check` and holds every acknowledged answer (with its
    spaced-review log entry, written in the same transaction)."""
    conn = sqlite3.connect(db)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], f"integrity_check: {integrity[:5]}"
        quiz = {(a, q): j for a, q, j in conn.execute(
            "SELECT attempt_id, question_id, answer_json FROM response"
            " WHERE attempt_id NOT LIKE 'lesson:%'")}
        lesson = {(a, q, s) for a, q, s in conn.execute(
            "SELECT attempt_id, question_id, seconds FROM response"
            " WHERE attempt_id LIKE 'lesson:%'")}
        logged = {(a, q) for a, q in conn.execute(
            "SELECT attempt_id, question_id FROM review_log")}
    finally:
        conn.close()
    lost = [k for k in acks.quiz if k not in quiz]
    assert not lost, f"{len(lost)} acknowledged quiz answers lost, e.g. {lost[:3]}"
    wrong = [k for k, v in acks.quiz.items() if json.loads(quiz[k]) != json.loads(v)]
    assert not wrong, f"acknowledged answers changed: {wrong[:3]}"
    missing = [k for k in acks.lesson if k not in lesson]
    assert not missing, f"{len(missing)} acknowledged lesson checks lost, e.g. {missing[:3]}"
    unlogged = [k for k in acks.quiz if k not in logged]
    assert not unlogged, f"answers without their review log entry: {unlogged[:3]}"
