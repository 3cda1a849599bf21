"""Every mistake is reported once: all of a file's problems in one run, no cascades into
other files, item-level isolation, a stable code for each problem."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from vpkp_tutor.content.codes import CODES
from vpkp_tutor.content.loader import load_content, validate_paths

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    for folder in ("lessons", "question_bank"):
        shutil.copytree(ROOT / folder, course / folder)
    return course


def _edit(path: Path, before: str, after: str, count: int = 1) -> int:
    """Replace the first `count` occurrences; return the line of the first."""
    text = path.read_text(encoding="utf-8")
    assert before in text
    line = text[: text.index(before)].count("\n") + 1
    path.write_text(text.replace(before, after, count), encoding="utf-8")
    return line


def test_a_duplicate_key_does_not_hide_a_misspelt_field_on_the_next_line(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.yaml"
    text = (DATA / "errors" / "_lesson_ok.yaml").read_text(encoding="utf-8")
    assert text.startswith("kind: lesson\n") and "\ntitle: " in text
    lines = text.splitlines(keepends=True)
    i = next(n for n, t in enumerate(lines) if t.startswith("title: "))
    lines[i] = "kind: lesson\n" + lines[i].replace("title:", "titel:")
    lesson.write_text("".join(lines), encoding="utf-8")
    result = validate_paths([lesson], lint=False)
    found = sorted((p.line, p.code, p.message) for p in result.problems if p.severity == "error")
    assert found == [
        (i + 1, "VP101", "duplicate key 'kind' (first defined at line 1)"),
        (i + 2, "VP204", "unknown field 'titel' (did you mean 'title'?)"),
    ]


def test_one_misspelt_lesson_title_is_one_error_not_a_cascade(tmp_path: Path) -> None:
    """The issue's example: one `titel:` typo in a lesson gave 10 errors in 3 files (its
    objectives vanished, so every question testing them failed too)."""
    course = _course(tmp_path)
    lesson = course / "lessons" / "anatomy.yaml"
    line = _edit(lesson, "\ntitle: ", "\ntitel: ") + 1
    result = validate_paths([course / "lessons", course / "question_bank"], lint=False)
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.path, p.line, p.code) for p in errors] == [
        (str(lesson), line, "VP204")]
    notes = [p for p in result.problems if p.code == "VP404"]
    assert notes, "the links into the lesson are noted"
    assert all(p.severity == "note" and f"not checked because {lesson} has errors" in p.message
               for p in notes)
    assert len({p.path for p in notes}) == len(notes), "one note per referring file"
    assert not [p for p in result.problems if p.code == "VP403"]


def test_one_bad_key_leaves_out_that_question_only(tmp_path: Path) -> None:
    """The issue's example: one bad `key: E` removed a whole file's questions from the app."""
    course = _course(tmp_path)
    bank_file = course / "question_bank" / "anatomy.yaml"
    before = load_content([course / "lessons", course / "question_bank"])
    in_file = [q.id for q in before.questions if q.source.endswith("question_bank/anatomy.yaml")]
    assert len(in_file) > 6
    _edit(bank_file, "    key: B\n", "    key: E\n")
    after = load_content([course / "lessons", course / "question_bank"])
    loaded = [q.id for q in after.questions if q.source.endswith("question_bank/anatomy.yaml")]
    errors = [p for p in after.problems if p.severity == "error"]
    assert [(p.code, p.message.split(" (")[0]) for p in errors] == [
        ("VP301", "'E' is not one of this question's options")]
    assert len(loaded) == len(in_file) - 1
    assert str(bank_file) not in after.skipped_files
    # a lesson step that checks the left-out question is noted, not an error of its own
    left_out = (set(in_file) - set(loaded)).pop()
    assert left_out not in {q.id for q in after.questions}


def test_a_lesson_check_naming_a_left_out_question_is_noted_once(tmp_path: Path) -> None:
    course = _course(tmp_path)
    lessons = (course / "lessons" / "anatomy.yaml").read_text(encoding="utf-8")
    checked = re.search(r"checks: \[([a-z0-9-]+)", lessons)
    assert checked
    qid = checked.group(1)
    bank_file = next(f for f in (course / "question_bank").glob("*.yaml")
                     if f"id: {qid}\n" in f.read_text(encoding="utf-8"))
    text = bank_file.read_text(encoding="utf-8")
    start = text.index(f"id: {qid}\n")
    stem = text.index("    stem:", start)
    bank_file.write_text(text[:stem] + "    stme: x\n" + text[stem:], encoding="utf-8")
    result = validate_paths([course / "lessons", course / "question_bank"], lint=False)
    assert [p.code for p in result.problems if p.severity == "error"] == ["VP204"]
    notes = [p for p in result.problems if p.code == "VP404"]
    assert [p.path for p in notes] == [str(course / "lessons" / "anatomy.yaml")]
    assert result.items_left_out == 1


def test_every_problem_of_the_error_fixtures_has_a_registered_code() -> None:
    seen: set[str] = set()
    for folder in ("errors", "bad"):
        for f in sorted((DATA / folder).glob("*.yaml")):
            for p in load_content([f]).problems:
                assert p.code in CODES, (f.name, p)
                assert p.code != "VP299", (f.name, str(p))
                seen.add(p.code)
    assert {"VP101", "VP204", "VP301", "VP402"} <= seen


def test_a_file_beside_a_cases_folder_is_checked_against_its_whole_course(
    tmp_path: Path,
) -> None:
    """A course laid out like the bundle (`question_bank/cases/`): a question file named on
    the command line is checked against the course's lessons, not against `cases/` alone."""
    course = _course(tmp_path)
    assert (course / "question_bank" / "cases").is_dir()
    result = validate_paths([course / "question_bank" / "anatomy.yaml"], lint=False)
    assert [str(p) for p in result.problems if p.severity == "error"] == []
    assert result.questions > 0


def test_a_file_that_does_not_parse_is_one_error_and_its_links_one_note_each(
        tmp_path: Path) -> None:
    """A YAML syntax error stops the reading of a file, so what it declares cannot be told:
    links to anything not found elsewhere are noted (VP404), never errors of their own, and
    the files that link to it still load; no objective is called untested (VP403) while a
    file it may be tested in cannot be read."""
    course = _course(tmp_path)
    lesson = course / "lessons" / "anatomy.yaml"
    line = _edit(lesson, "\nobjectives:\n  - id:", "\nobjectives:\n\t- id:") + 2
    folders = [course / "lessons", course / "question_bank"]
    result = validate_paths(folders, lint=False)
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.path, p.line, p.code) for p in errors] == [(str(lesson), line, "VP004")]
    noted = {p.path for p in result.problems if p.code == "VP404"}
    assert str(course / "question_bank" / "anatomy.yaml") in noted
    assert all("not checked because" in p.message and str(lesson) in p.message
               for p in result.problems if p.code == "VP404")
    bank = load_content(folders)
    assert len(bank.lessons) == 8 and len(bank.questions) == 283  # all but the broken file
    # a question file that does not parse: the lessons checking its questions load, noted
    _edit(lesson, "\nobjectives:\n\t- id:", "\nobjectives:\n  - id:")
    questions = course / "question_bank" / "anatomy.yaml"
    _edit(questions, "\n    topic: anatomy\n", "\n      topic: anatomy\n")
    result = validate_paths(folders, lint=False)
    assert [p.code for p in result.problems if p.severity == "error"] == ["VP004"]
    assert not [p for p in result.problems if p.code == "VP403"]
    assert len(load_content(folders).lessons) == 9
