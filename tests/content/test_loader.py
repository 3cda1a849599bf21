"""Loader behaviour beyond single error kinds: typing by schema, skipping, fingerprints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vpkp_tutor.content.loader import load_content
from vpkp_tutor.content.yamlsource import clean_text

TODAY = dt.date(2026, 11, 23)
LESSON = """\
kind: lesson
id: typing-lesson
title: NO
topic: anatomy
summary: 1.10
estimated_minutes: 7
last_reviewed: 2026-11-01
objectives:
  - id: typ.one
    text: yes
references: [12:30, on]
steps:
  - title: "[@click=app.quit]Quit[/]"
    body: "[link=file:///etc/passwd]x[/link] and an unbalanced ["
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml11_lookalikes_stay_the_text_the_author_wrote(tmp_path: Path) -> None:
    bank = load_content([write(tmp_path, "l.yaml", LESSON)], today=TODAY)
    assert [p for p in bank.problems if p.severity == "error"] == []
    lesson = bank.lessons[0]
    assert lesson.title == "NO"
    assert lesson.summary == "1.10"
    assert lesson.objectives[0].text == "yes"
    assert lesson.references == ("12:30", "on")
    assert lesson.estimated_minutes == 7
    assert lesson.steps[0].title == "[@click=app.quit]Quit[/]"


def test_broken_file_is_left_out_and_the_rest_loads(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", LESSON)
    bad = write(tmp_path, "bad.yaml", "kind: lesson\nid: [oops\n")
    bank = load_content([good, bad], today=TODAY)
    assert [lesson.id for lesson in bank.lessons] == ["typing-lesson"]
    assert bank.skipped_files == (str(bad),)
    assert bank.errors and all(p.path == str(bad) for p in bank.errors)


def test_folder_is_searched_recursively_and_fingerprint_tracks_content(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "l.yaml", LESSON)
    first = load_content([tmp_path], today=TODAY)
    assert len(first.lessons) == 1 and first.files_checked == 1
    again = load_content([tmp_path], today=TODAY)
    assert again.fingerprint == first.fingerprint
    write(tmp_path / "sub", "l.yaml", LESSON.replace("title: NO", "title: Changed"))
    assert load_content([tmp_path], today=TODAY).fingerprint != first.fingerprint


def test_clean_text_strips_escapes_controls_and_bidi() -> None:
    raw = "a\x1b[31mred\x1b[0m\x07b\u202ec\x1b]8;;http://x\x07link\x1b]8;;\x07\tok\nz\x9b"
    assert clean_text(raw) == "aredbclink\tok\nz"


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + LESSON.replace("\n", "\r\n").encode())
    bank = load_content([path], today=TODAY)
    assert bank.errors == ()
    assert bank.lessons[0].title == "NO"


# -- validating a file against the content set it belongs to -----------------------------

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted(
    p.relative_to(ROOT).as_posix()
    for folder in ("lessons", "question_bank")
    for p in (ROOT / folder).rglob("*.yaml")
)


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    from vpkp_tutor.cli import main

    code = main(["validate", *args])
    return code, capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_file_validated_alone_has_no_errors(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out = _validate(capsys, name)
    assert [line for line in out if ": error: " in line] == []
    assert code == 0
    assert out[-1].startswith("checked 1 file: ") and " 0 errors, " in out[-1]


def _copy_bundle(tmp_path: Path) -> Path:
    import shutil

    course = tmp_path / "course"
    for folder in ("lessons", "question_bank"):
        shutil.copytree(ROOT / folder, course / folder)
    return course


@pytest.mark.parametrize(("before", "after", "column", "message"), [
    ("estimated_minutes: 16", "estimated_minutes: sixteen", 20,
     "expected a whole number, got 'sixteen'"),
    ("checks: [anat-q015, anat-q026]", "checks: [anat-q915, anat-q026]", 14,
     "check names no question: 'anat-q915'"),
])
def test_a_planted_error_is_the_only_error_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    before: str, after: str, column: int, message: str,
) -> None:
    course = _copy_bundle(tmp_path)
    lesson = course / "lessons" / "anatomy.yaml"
    text = lesson.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if before in t)
    lesson.write_text(text.replace(before, after), encoding="utf-8")
    monkeypatch.chdir(course)
    code, out = _validate(capsys, "lessons/anatomy.yaml")
    assert [x.rsplit(" [VP", 1)[0] for x in out if ": error: " in x] == [
        f"lessons/anatomy.yaml:{line}:{column}: error: {message}"]
    assert code == 1


def test_files_in_a_course_are_checked_with_that_course_not_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course = _copy_bundle(tmp_path)
    (course / "lessons" / "anatomy.yaml").unlink()  # this course has no anatomy lesson
    code, out = _validate(capsys, str(course / "question_bank" / "anatomy.yaml"))
    errors = [x for x in out if ": error: " in x]
    assert code == 1 and errors
    assert all("is not declared by any lesson" in x for x in errors)
    assert all(x.startswith(str(course / "question_bank" / "anatomy.yaml")) for x in errors)


def test_a_loose_file_is_checked_against_the_bundled_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = tmp_path / "drafts" / "more-anatomy.yaml"
    loose.parent.mkdir()
    source = (ROOT / "question_bank" / "anatomy.yaml").read_text(encoding="utf-8")
    first = source.split("\n  - id: anat-q002")[0].replace("anat-q001", "draft-q001")
    loose.write_text(first + "\n", encoding="utf-8")
    code, out = _validate(capsys, str(loose))
    assert [x for x in out if ": error: " in x] == []  # its objective is a bundled lesson's
    assert code == 0
    assert out[-1].startswith("checked 1 file: 0 lessons, 1 question and 0 cases loaded")


def test_validate_with_missing_content_folder_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vpkp_tutor.cli import main

    missing = tmp_path / "no" / "such" / "dir"
    assert main(["--content", str(missing), "validate"]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "no such file or folder" in err


def test_validate_honours_content_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vpkp_tutor.cli import main

    (tmp_path / "broken.yaml").write_text("kind: lesson\n", encoding="utf-8")
    assert main(["--content", str(tmp_path), "validate"]) == 1
    assert f"{tmp_path / 'broken.yaml'}:1:1: error:" in capsys.readouterr().out


# -- the walk ------------------------------------------------------------------------------


def test_walk_reads_each_real_folder_once_and_stays_inside(tmp_path: Path) -> None:
    from vpkp_tutor.content.files import walk

    root = tmp_path / "content"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "x.yaml").write_text("kind: lesson\n")
    (root / "again").symlink_to(root / "a")  # a second way into a folder: read once
    (root / "a" / "up").symlink_to(root)  # a loop
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "y.yaml").write_text("kind: lesson\n")
    (root / "away").symlink_to(outside)
    found = walk(str(root))
    assert [rel for _p, rel in found.files] == ["a/b/x.yaml"]
    assert found.folders == 3
    messages = {Path(n.path).name: n.message for n in found.notes}
    assert "outside the content folder" in messages["away"]
    assert "already read" in messages["up"]


def test_walk_limits_say_where_they_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vpkp_tutor.content import files

    root = tmp_path / "content"
    deep = root.joinpath(*(f"d{i}" for i in range(6)))
    deep.mkdir(parents=True)
    (deep / "x.yaml").write_text("kind: lesson\n")
    for i in range(5):
        (root / f"f{i}.yaml").write_text("kind: lesson\n")
    monkeypatch.setattr(files, "MAX_DEPTH", 3)
    found = files.walk(str(root))
    assert not any(rel.endswith("x.yaml") for _p, rel in found.files)
    assert any("nested more than 3 deep" in n.message for n in found.notes)
    monkeypatch.setattr(files, "MAX_FILES", 2)
    found = files.walk(str(root))
    assert len(found.files) == 2
    assert [n.path for n in found.notes if "content files" in n.message] == [str(root)]
    assert "more than 2 content files" in found.notes[-1].message


def test_loose_folders_named_together_are_checked_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from vpkp_tutor.cli import main

    shutil.copytree(ROOT / "lessons", tmp_path / "my-lessons")
    shutil.copytree(ROOT / "question_bank", tmp_path / "my-questions")
    args = ["--content", str(tmp_path / "my-lessons"), "--content", str(tmp_path / "my-questions")]
    assert main([*args, "validate"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("checked 29 files: 9 lessons, 270 questions and 11 cases loaded;")
