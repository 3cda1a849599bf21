"""Several courses on the command line (`--content A --content B`, `bundled` naming the
bundled course): what the app refuses at the start (a manifest with errors, one course id in
two folders, loose items beside several courses), and each command that reads content:
`export` writes every course into one CSV or xAPI file (JSON holds one course), `sync`
works over them all, `report` refuses them — each in one clear line, never a traceback."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from tests.content.test_course import copy_course
from vpkp_tutor.bootstrap import LaunchOptions, load_bank
from vpkp_tutor.cli import main
from vpkp_tutor.content import bundled_manifest
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store, resolve_paths

COURSE = Path(__file__).resolve().parent / "data" / "courses" / "stats"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VPKP_TUTOR_DATA", raising=False)
    monkeypatch.chdir(tmp_path)


def studied(data: Path, *courses: Path) -> None:
    """Ann answers one question in each course (a bundled course by its manifest)."""
    store = open_store(data, daily_backups=False)
    try:
        for folder in courses:
            bank = load_bank(LaunchOptions(data_dir=data, content_paths=(folder,)))
            services = Services(bank, store)
            ann = services.open_learner("Ann")
            lesson, check = next((x, step.checks[0]) for x in bank.lessons
                                 for step in x.steps if step.checks)
            services.answer_lesson_check(ann.id, lesson.id, check, "A", 3.0)
    finally:
        store.close()


def test_a_course_with_errors_among_several_is_refused_at_the_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = copy_course(tmp_path, "bad", **{"title:": "titel:"})
    assert main(["--content", str(COURSE), "--content", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vpkp-tutor: error: cannot open the course: {bad}/course.yaml:4:1: "
                          "error: unknown field 'titel'"), err
    assert "Traceback" not in err


def test_one_course_id_in_two_folders_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    twin = copy_course(tmp_path, "twin")
    assert main(["--content", str(COURSE), "--content", str(twin)]) == 2
    assert capsys.readouterr().err == (
        f"vpkp-tutor: error: cannot open the course: {twin}/course.yaml: the course id "
        f"'stats-basics' is also the id of {COURSE}/course.yaml; progress is kept per course "
        "id, so two courses open at once need two ids\n")


def test_items_beside_several_courses_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other"})
    items = tmp_path / "items"
    items.mkdir()
    assert main(["--content", str(COURSE), "--content", str(items), "--content",
                 str(other)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vpkp-tutor: error: cannot open the course: --content {items}: a "
                          "folder of items (no course.yaml) beside several courses"), err
    assert err.endswith(f"with --add {items}\n")


def test_several_good_courses_get_past_the_course_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal the app does not start, but only after the courses were checked
    (`bundled` names the bundled course)."""
    assert main(["--data-dir", str(tmp_path / "d"), "--content", "bundled",
                 "--content", str(COURSE)]) == 2
    assert "needs a terminal" in capsys.readouterr().err


def test_export_writes_every_course_into_one_csv(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    studied(data, bundled_manifest(), COURSE)
    out = tmp_path / "ann.csv"
    assert main(["--data-dir", str(data), "--content", "bundled", "--content", str(COURSE),
                 "export", "--learner", "Ann", "--format", "csv", "-o", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["course_id"], r["kind"]) for r in rows] == [("vpkp", "answered"),
                                                          ("stats-basics", "answered")]
    assert rows[1]["course_version"] == "0.3"
    with open(tmp_path / "ann-summary.csv", newline="", encoding="utf-8") as fh:
        summary = list(csv.DictReader(fh))
    assert {r["course_id"] for r in summary} == {"vpkp", "stats-basics"}
    assert [r["topic_label"] for r in summary if r["course_id"] == "stats-basics"] == [
        "Descriptive statistics", "Probability basics"]
    assert sum(int(r["responses"]) for r in summary) == 2

    # one course named: that course only, as before, and the others' answers are pointed to
    capsys.readouterr()
    alone = tmp_path / "stats.csv"
    assert main(["--data-dir", str(data), "--content", str(COURSE), "export", "--learner",
                 "Ann", "--format", "csv", "-o", str(alone)]) == 0
    with open(alone, newline="", encoding="utf-8") as fh:
        assert [r["course_id"] for r in csv.DictReader(fh)] == ["stats-basics"]
    err = capsys.readouterr().err
    assert err == ("vpkp-tutor: warning: Ann also answered 1 question in the course 'vpkp', "
                   "which this export does not cover: name that course's folder with "
                   "--content (or add it with --add) to export them\n")


def test_export_of_xapi_names_each_course_and_json_holds_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other"})
    studied(data, COURSE, other)
    out = tmp_path / "ann.xapi.json"
    args = ["--data-dir", str(data), "--content", str(COURSE), "--content", str(other),
            "export", "--learner", "Ann"]
    assert main([*args, "--format", "xapi", "-o", str(out)]) == 0
    statements = json.loads(out.read_text(encoding="utf-8"))
    courses = [st["context"]["contextActivities"]["grouping"][0]["id"].rsplit("/", 1)[1]
               for st in statements]
    assert set(courses) == {"stats-basics", "stats-other"}
    capsys.readouterr()
    assert main([*args, "--format", "json", "-o", str(tmp_path / "ann.json")]) == 2
    assert capsys.readouterr().err == (
        "vpkp-tutor: error: a json export holds one course (the cohort report reads one "
        "course per file): export each course with its own --content, or choose csv, xapi "
        "or xapi-lines, which keep the courses apart in one file\n")
    assert not (tmp_path / "ann.json").exists()


def test_report_refuses_several_courses_and_sync_reads_them_all(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other"})
    studied(data, COURSE)
    export = tmp_path / "ann.json"
    assert main(["--data-dir", str(data), "--content", str(COURSE), "export", "--learner",
                 "Ann", "--format", "json", "-o", str(export)]) == 0
    capsys.readouterr()
    several = ["--data-dir", str(data), "--content", str(COURSE), "--content", str(other)]
    assert main([*several, "report", str(export), "--html", str(tmp_path / "r.html")]) == 2
    assert capsys.readouterr().err == (
        f"vpkp-tutor: error: cannot open the course: --content names 2 courses ({COURSE}, "
        f"{other}); this reads one course: name only that course's folder with --content\n")
    assert main([*several, "sync", "--status", "--all"]) == 0
    assert capsys.readouterr().out == "1 waiting · never sent\n"


def test_a_folder_called_bundled_is_reached_as_dot_slash_bundled(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_course(tmp_path, "bundled", **{"id: stats-basics": "id: my-bundled"})
    data = tmp_path / "data"
    studied(data, tmp_path / "bundled")
    out = tmp_path / "mine.csv"
    assert main(["--data-dir", str(data), "--content", "./bundled", "export", "--learner",
                 "Ann", "--format", "csv", "-o", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as fh:
        assert [r["course_id"] for r in csv.DictReader(fh)] == ["my-bundled"]


def test_sync_brings_the_history_of_every_course_named_to_the_lrs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Answers from before the outbox (its table emptied here) are queued course by course:
    naming both courses sends both courses' history."""
    from tests.lrs.ralph import KEY, SECRET, Ralph

    data = tmp_path / "data"
    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other"})
    studied(data, COURSE, other)
    db = sqlite3.connect(resolve_paths(data).db_path)
    with db:
        db.execute("DELETE FROM xapi_statement")
    db.close()
    monkeypatch.setenv("VPKP_TUTOR_LRS_KEY", KEY)
    monkeypatch.setenv("VPKP_TUTOR_LRS_SECRET", SECRET)
    ralph = Ralph(tmp_path / "ralph").start()
    try:
        for key, value in (("lrs_endpoint", ralph.endpoint),
                           ("xapi_base", "https://lms.example.org/xapi/vpkp/"),
                           ("xapi_home_page", "https://lms.example.org")):
            assert main(["--data-dir", str(data), "config", key, value]) == 0
        assert main(["--data-dir", str(data), "--content", str(COURSE), "--content",
                     str(other), "sync", "--all"]) == 0
        assert "0 waiting · last sent" in capsys.readouterr().out
        courses = {st["context"]["contextActivities"]["grouping"][0]["id"].rsplit("/", 1)[1]
                   for st in ralph.statements()}
        assert courses == {"stats-basics", "stats-other"}
    finally:
        ralph.stop()


def test_bundled_names_the_bundled_course_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """`--content bundled validate` checks the bundled course as `validate` does, with its
    manifest."""
    assert main(["validate"]) == 0
    plain = capsys.readouterr().out.splitlines()[-1]
    assert main(["--content", "bundled", "validate"]) == 0
    named = capsys.readouterr().out.splitlines()[-1]
    files = int(plain.split()[1])
    assert named == plain.replace(f"checked {files} files", f"checked {files + 1} files")
