"""`new` skeletons validate as written, for every question type, and never overwrite."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from vpkp_tutor.content.loader import validate_paths
from vpkp_tutor.content.scaffold import (
    QUESTION_BODIES,
    ScaffoldError,
    question_types,
    write_new,
)

TODAY = dt.date(2026, 12, 1)


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    for folder in ("lessons", "question_bank", "cases"):
        (root / folder).mkdir(parents=True)
    write_new("lesson", root / "lessons" / "intro.yaml", topic="anatomy", today=TODAY)
    return root


def test_every_question_type_the_schema_knows_has_a_skeleton() -> None:
    assert set(question_types()) == set(QUESTION_BODIES)


@pytest.mark.parametrize("qtype", sorted(QUESTION_BODIES))
def test_a_question_skeleton_validates_as_written(course: Path, qtype: str) -> None:
    path = course / "question_bank" / f"new-{qtype}.yaml"
    made = write_new("question", path, qtype=qtype, today=TODAY)
    assert made.note == ""
    result = validate_paths([path], today=TODAY)
    assert [str(p) for p in result.problems] == []
    assert result.questions == 1
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert f"type: {qtype}" in text and "objectives: [intro.first-objective]" in text


def test_lesson_and_three_node_case_skeletons_validate(course: Path) -> None:
    case = course / "cases" / "first-case.yaml"
    write_new("case", case, today=TODAY)
    write_new("question", course / "question_bank" / "q.yaml", today=TODAY)
    result = validate_paths([course], today=TODAY)
    assert [str(p) for p in result.problems if p.severity != "note"] == []
    assert (result.lessons, result.questions, result.cases) == (1, 1, 1)
    assert len(re.findall(r"^  - id: ", case.read_text(encoding="utf-8"), re.M)) == 3


def test_new_never_overwrites(course: Path) -> None:
    lesson = course / "lessons" / "intro.yaml"
    before = lesson.read_bytes()
    with pytest.raises(ScaffoldError, match="already exists"):
        write_new("lesson", lesson, today=TODAY)
    with pytest.raises(ScaffoldError, match="already exists"):
        write_new("question", lesson, qtype="numeric", today=TODAY)
    assert lesson.read_bytes() == before


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "question", "qtype": "single_bets"}, "did you mean 'single_best'"),
    ({"kind": "lesson", "topic": "anatomie"}, "did you mean 'anatomy'"),
    ({"kind": "lesson", "qtype": "numeric"}, "--type is for `new question`"),
])
def test_bad_options_are_refused_with_a_message(
    course: Path, kwargs: dict[str, str], message: str
) -> None:
    path = course / "lessons" / "other.yaml"
    kind = kwargs.pop("kind")
    with pytest.raises(ScaffoldError, match=message):
        write_new(kind, path, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert not path.exists()


@pytest.mark.parametrize("manifest", [False, True])
def test_the_schema_line_points_at_the_course_folders_schemas(tmp_path: Path,
                                                              manifest: bool) -> None:
    """With no `schemas/` yet, the skeleton's schema line and its hint name the course
    folder's `schemas/` (where the docs say they go), also when `question_bank/` holds a
    `cases/` folder; once a schema is written there, the line finds it."""
    root = tmp_path / "course"
    (root / "question_bank" / "cases").mkdir(parents=True)
    (root / "lessons").mkdir()
    if manifest:
        (root / "course.yaml").write_text(
            'id: c\ntitle: C\nversion: "1"\ntopics:\n  - {id: anatomy, label: Anatomy}\n',
            encoding="utf-8")
    path = root / "question_bank" / "q.yaml"
    write_new("question", path, qtype="single_best", today=TODAY)
    head = path.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0] == "# yaml-language-server: $schema=../schemas/questions.json"
    assert head[1].endswith("schemas/questions.json)") and "question_bank/" not in head[1]
    (root / "schemas").mkdir()
    (root / "schemas" / "lesson.json").write_text("{}", encoding="utf-8")
    write_new("lesson", root / "lessons" / "l.yaml", topic="anatomy", today=TODAY)
    first = (root / "lessons" / "l.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/lesson.json"
