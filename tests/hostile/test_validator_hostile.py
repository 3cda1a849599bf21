"""Hostile content meets the validator: numbers at the edge of the float range, look-alike
options, the same folder named twice. Whatever validates must also show and export."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.services.tinybank import FakeClock
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.services import Services
from vpkp_tutor.storage.store import open_store

DATA = Path(__file__).resolve().parents[1] / "data" / "errors"
TODAY = dt.date(2026, 11, 23)

NUMERIC = """kind: questions
questions:
  - id: fix-q001
    type: numeric
    topic: anatomy
    objectives: [fix.one]
    difficulty: medium
    stem: How many millilitres?
    explanation: Because.
    references: [R]
    last_reviewed: 2026-11-01
    answer: {answer}
    tolerance: {tolerance}
"""

_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2e9, max_value=2e9),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from([1e308, -1e308, 1e9, -1e9, 1e-300, 5e-324, 0.0, -0.0]),
)


def _yaml_number(value: float | int) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=_numbers, tolerance=_numbers)
@example(answer=1e308, tolerance=1e308)  # accepted before, and the xAPI range overflowed
def test_every_numeric_question_the_schema_accepts_exports_everywhere(
    tmp_path_factory: object, answer: float | int, tolerance: float | int
) -> None:
    import pytest

    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    root = tmp_path_factory.mktemp("numeric")
    content = root / "content"
    content.mkdir()
    shutil.copy(DATA / "_lesson_ok.yaml", content / "lesson.yaml")
    (content / "q.yaml").write_text(
        NUMERIC.format(answer=_yaml_number(answer), tolerance=_yaml_number(tolerance)),
        encoding="utf-8",
    )
    bank = load_content([content], today=TODAY)
    if not bank.questions:
        assert any(p.path.endswith("q.yaml") for p in bank.errors)
        return
    question = bank.question("fix-q001")
    assert question.answer is not None and math.isfinite(question.answer)
    services = Services(bank, open_store(root / "data"), FakeClock())
    try:
        learner = services.create_learner("Ada").id
        services.answer_lesson_check(learner, "fixture-lesson", "fix-q001", question.answer, 3)
        services.answer_lesson_check(learner, "fixture-lesson", "fix-q001",
                                     question.answer - question.tolerance / 2, 3)
        for fmt, name in (("xapi", "out.jsonl"), ("json", "out.json"), ("csv", "out.csv")):
            written = services.export(learner, fmt, root / name)
            text = written.read_text(encoding="utf-8")
            if fmt == "xapi":
                for line in text.splitlines():
                    json.loads(line)
            elif fmt == "json":
                json.loads(text)
            else:
                assert "fix-q001" in text
    finally:
        services.store.close()
    assert abs(question.answer) <= 1e9 and 0 <= question.tolerance <= 1e9


REPO = Path(__file__).resolve().parents[2]


def _validate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "validate", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_naming_the_same_folder_twice_checks_it_once() -> None:
    once = _validate("lessons", "question_bank")
    twice = _validate("lessons", "lessons", "question_bank", "./question_bank/",
                      "lessons/anatomy.yaml")
    assert once.returncode == 0, once.stdout + once.stderr
    assert twice.returncode == 0, twice.stdout
    assert "duplicate" not in twice.stdout
    assert twice.stdout == once.stdout
    assert twice.stderr == ""


def test_a_folder_reached_by_a_link_and_by_its_name_loads_once(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(DATA / "_lesson_ok.yaml", content / "lesson.yaml")
    (content / "q.yaml").write_text(NUMERIC.format(answer=5, tolerance=1), encoding="utf-8")
    (tmp_path / "link").symlink_to(content, target_is_directory=True)
    single = load_content([content], today=TODAY)
    bank = load_content([content, tmp_path / "link", content / "q.yaml"], today=TODAY)
    assert [str(p) for p in bank.problems] == [str(p) for p in single.problems] == []
    assert [q.id for q in bank.questions] == ["fix-q001"]
    assert bank.files_checked == 2
