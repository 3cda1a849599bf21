"""Courses are content: a manifest (`course.yaml`) declares the topics, their labels and
order, objective codes and lint settings; items are checked against their course; the
command line opens courses (`--content`, one or several) and adds folders of items (`--add`); progress
is kept per course."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.services.tinybank import FakeClock
from vpkp_tutor.content import bundled_manifest, bundled_paths
from vpkp_tutor.content.cache import load_cached
from vpkp_tutor.content.course import (
    CourseError,
    course_folders,
    lint_settings,
    read_course,
    resolve_source,
    resolve_sources,
)
from vpkp_tutor.content.loader import load_content, validate_paths
from vpkp_tutor.domain.progress import QuizSettings
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store, schema

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "courses" / "stats"
TODAY = dt.date(2026, 12, 1)


def copy_course(tmp_path: Path, name: str = "course", **replace: str) -> Path:
    """A copy of the test course with text replaced in its manifest."""
    folder = tmp_path / name
    shutil.copytree(COURSE, folder)
    manifest = folder / "course.yaml"
    text = manifest.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    manifest.write_text(text, encoding="utf-8")
    return folder


# -- the manifest --------------------------------------------------------------------------
def test_the_bundled_course_declares_the_nine_topics_in_its_manifest() -> None:
    course, problems = read_course(bundled_manifest())
    assert problems == [] and course is not None
    assert (course.id, course.title) == ("vpkp", "Vertebroplasty and kyphoplasty")
    assert course.version
    assert [t.label for t in course.topics] == [
        "Anatomy", "Patient selection", "Imaging & classification",
        "Vertebroplasty technique", "Kyphoplasty technique", "Complications", "Evidence",
        "Billing & coding", "Aftercare & osteoporosis"]
    lint = lint_settings(course)
    assert lint.review_period_months == 24
    assert "wikipedia.org" in lint.warned_source_domains


def test_a_course_sets_its_topics_order_codes_and_lint_settings() -> None:
    course, problems = read_course(COURSE / "course.yaml")
    assert problems == [] and course is not None
    assert (course.id, course.version) == ("stats-basics", "0.3")
    assert [(t.id, t.label) for t in course.topics] == [  # by `order:`, not as listed
        ("descriptive", "Descriptive statistics"), ("probability", "Probability basics")]
    assert [t.code for t in course.topics] == ["Des", "Prb"]
    assert course.objective_code("stats.mean") == "M-STAT-1"
    assert course.objective_code("stats.unknown") == ""
    assert lint_settings(course).review_period_months == 12
    assert lint_settings(course).warned_source_domains == ("example-summaries.test",)
    assert course_folders(COURSE / "course.yaml") == [COURSE / "lessons",
                                                      COURSE / "question_bank"]


def test_no_code_names_the_bundled_topics() -> None:
    """The bundled course's topics live in its manifest only."""
    ids = [t.id for t in (read_course(bundled_manifest())[0] or pytest.fail()).topics]
    pattern = re.compile("|".join(rf"['\"]{re.escape(i)}['\"]" for i in ids if "_" in i))
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "vpkp_tutor").rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("label: Descriptive statistics, order: 1", "lable: Descriptive statistics",
     r"course\.yaml:8:\d+: error: unknown field 'lable' \(did you mean 'label'\?\)"),
    ("id: descriptive", "id: probability",
     r"course\.yaml:8:\d+: error: topic 'probability' is declared twice"),
    ('version: "0.3"\n', "",
     r"course\.yaml:\d+:\d+: error: .*version"),
])
def test_a_broken_manifest_is_refused_with_a_located_error(
        tmp_path: Path, old: str, new: str, expected: str) -> None:
    folder = copy_course(tmp_path, **{old: new})
    course, problems = read_course(folder / "course.yaml")
    assert course is None
    assert len([p for p in problems if p.severity == "error"]) == 1, problems
    assert re.search(expected, str(problems[0])), str(problems[0])
    checked = validate_paths([folder], today=TODAY)  # validate names the manifest's problem
    assert [str(p) for p in checked.problems] == [str(p) for p in problems]


def test_an_item_naming_a_topic_its_course_lacks_is_a_located_error(tmp_path: Path) -> None:
    folder = copy_course(tmp_path)
    bank_file = folder / "question_bank" / "stats.yaml"
    bank_file.write_text(bank_file.read_text(encoding="utf-8").replace(
        "topic: probability", "topic: anatomy", 1), encoding="utf-8")
    checked = validate_paths([folder], today=TODAY)
    assert [str(p) for p in checked.problems] == [
        f"{bank_file}:29:12: error: 'anatomy' is not a valid topic; expected 'descriptive' or "
        "'probability'"]


def test_an_objective_code_without_its_objective_is_a_warning_in_the_manifest(
        tmp_path: Path) -> None:
    folder = copy_course(tmp_path, **{"stats.coin: M-STAT-2": "stats.coins: M-STAT-2"})
    checked = validate_paths([folder], today=TODAY)
    assert [str(p) for p in checked.problems] == [
        f"{folder / 'course.yaml'}:13:5: warning: objective 'stats.coins' has a code but no "
        "lesson declares it (did you mean 'stats.coin'?)"]


def test_the_cache_keeps_the_course_and_sees_its_manifest_change(tmp_path: Path) -> None:
    folder = copy_course(tmp_path)
    manifest = folder / "course.yaml"
    cache = tmp_path / "cache"
    first = load_cached(course_folders(manifest), cache, TODAY, manifest=manifest)
    again = load_cached(course_folders(manifest), cache, TODAY, manifest=manifest)
    assert again.course == first.course and again.course.id == "stats-basics"
    text = manifest.read_text(encoding="utf-8").replace("Probability basics", "Chance")
    manifest.write_text(text + "\n", encoding="utf-8")  # a new size: a new cache key
    changed = load_cached(course_folders(manifest), cache, TODAY, manifest=manifest)
    assert [t.label for t in changed.topics] == ["Descriptive statistics", "Chance"]


# -- --content and --add -------------------------------------------------------------------
def test_content_opens_a_course_and_add_reads_items_beside_it(tmp_path: Path) -> None:
    source = resolve_source([COURSE])
    assert source.manifest == COURSE / "course.yaml"
    assert source.paths == (COURSE / "lessons", COURSE / "question_bank")
    extra = tmp_path / "mine"
    extra.mkdir()
    beside_bundled = resolve_source([], [extra])
    assert beside_bundled.manifest == bundled_manifest()
    assert beside_bundled.paths == (*bundled_paths(), extra)
    loose = resolve_source([extra])  # items in place of the bundled items, bundled topics
    assert (loose.manifest, loose.paths) == (bundled_manifest(), (extra,))
    assert resolve_source([COURSE / "course.yaml"]).manifest == COURSE / "course.yaml"


def test_several_course_folders_open_several_courses_in_the_order_named(
        tmp_path: Path) -> None:
    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other"})
    extra = tmp_path / "mine"
    extra.mkdir()
    sources = resolve_sources([other, COURSE, other / "course.yaml"], [extra])
    assert [s.manifest for s in sources] == [other / "course.yaml", COURSE / "course.yaml"]
    assert [s.paths for s in sources] == [
        (other / "lessons", other / "question_bank", extra),  # --add: beside each course
        (COURSE / "lessons", COURSE / "question_bank", extra)]
    # the bundled course is one of them when named by its manifest (`--content bundled`)
    with_bundled = resolve_sources([bundled_manifest(), COURSE])
    assert [(s.manifest, s.paths) for s in with_bundled] == [
        (bundled_manifest(), tuple(bundled_paths())),
        (COURSE / "course.yaml", (COURSE / "lessons", COURSE / "question_bank"))]


def test_a_command_that_reads_one_course_refuses_several(tmp_path: Path) -> None:
    other = copy_course(tmp_path, "other")
    with pytest.raises(CourseError) as caught:
        resolve_source([COURSE, other])
    assert str(caught.value) == (f"--content names 2 courses ({COURSE}, {other}); this reads "
                                 "one course: name only that course's folder with --content")
    assert resolve_source([COURSE, COURSE / "course.yaml"]).manifest == COURSE / "course.yaml"


def test_items_beside_several_courses_or_a_course_added_are_refused(tmp_path: Path) -> None:
    other = copy_course(tmp_path, "other")
    extra = tmp_path / "mine"
    extra.mkdir()
    with pytest.raises(CourseError) as caught:
        resolve_sources([COURSE, extra, other])
    assert str(caught.value) == (
        f"--content {extra}: a folder of items (no course.yaml) beside several courses "
        f"({COURSE}, {other}): which course is it part of? Read it beside whichever course "
        f"is open with --add {extra}")
    assert [s.paths for s in resolve_sources([COURSE, extra])] == [
        (COURSE / "lessons", COURSE / "question_bank", extra)]  # beside one course: kept
    with pytest.raises(CourseError, match=r"^--add .*stats: is a course"):
        resolve_sources([], [COURSE])


def test_added_items_use_the_course_topics(tmp_path: Path) -> None:
    extra = tmp_path / "mine"
    extra.mkdir()
    (extra / "q.yaml").write_text(
        (COURSE / "question_bank" / "stats.yaml").read_text(encoding="utf-8")
        .replace("id: stats-q", "id: mine-q"), encoding="utf-8")
    source = resolve_source([COURSE], [extra])
    bank = load_content(list(source.paths), TODAY, manifest=source.manifest)
    assert bank.problems == ()
    assert len(bank.questions) == 8
    assert {t.id for t in bank.topics} == {"descriptive", "probability"}


# -- progress per course -------------------------------------------------------------------
def test_a_learners_progress_in_one_course_never_mixes_with_anothers(tmp_path: Path) -> None:
    """Two courses with the same item ids, one store, one learner."""
    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other"})
    a = load_content(course_folders(COURSE / "course.yaml"), TODAY,
                     manifest=COURSE / "course.yaml")
    b = load_content(course_folders(other / "course.yaml"), TODAY,
                     manifest=other / "course.yaml")
    assert {q.id for q in a.questions} == {q.id for q in b.questions}
    clock = FakeClock()
    store = open_store(tmp_path / "data", daily_backups=False)
    try:
        in_a = Services(a, store, clock)
        learner = in_a.create_learner("Ann")
        attempt = in_a.build_quiz(learner.id, QuizSettings(count=4, seed=1))
        in_a.record_answer(attempt.id, "stats-q3", "C", 3.0)
        in_a.set_flag(learner.id, "stats-q3", True)
        in_a.complete_lesson(learner.id, "stats-probability")
        in_a.finish_quiz(attempt.id)

        in_b = Services(b, store, clock)
        dash = in_b.dashboard(learner.id)
        assert all(t.mastery.answered_items == 0 and t.lessons_done == 0 for t in dash.topics)
        assert in_b.store.responses(learner.id) == []
        assert in_b.store.flags(learner.id) == frozenset()
        assert in_b.store.finished_attempts(learner.id) == []
        export = in_b.learner_data(learner.id)
        assert list(export.responses()) == [] and export.attempts == ()

        in_a = Services(a, store, clock)  # back in the first course: all there
        assert [r.question_id for r in in_a.store.responses(learner.id)] == ["stats-q3"]
        assert in_a.store.flags(learner.id) == frozenset({"stats-q3"})
        probability = next(t for t in in_a.dashboard(learner.id).topics
                            if t.topic.id == "probability")
        assert probability.lessons_done == 1 and probability.mastery.answered_items == 1
    finally:
        store.close()


def test_progress_written_before_courses_is_the_bundled_courses(tmp_path: Path) -> None:
    db = tmp_path / "data" / "progress.sqlite3"
    db.parent.mkdir()
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[: schema.MIGRATIONS.index(schema.V_COURSE)])
    conn.execute("INSERT INTO learner VALUES ('l1', 'Ann', '', '', '2026-01-01T00:00:00Z')")
    conn.execute("INSERT INTO flag VALUES ('l1', 'anat-q001', '2026-01-01T00:00:00Z')")
    conn.execute("INSERT INTO lesson_progress VALUES ('l1', 'anatomy-core', 2, 1,"
                 " '2026-01-01T00:00:00Z')")
    conn.close()
    store = open_store(tmp_path / "data", daily_backups=False)
    try:
        assert store.course_id == schema.DEFAULT_COURSE == read_course(
            bundled_manifest())[0].id  # type: ignore[union-attr]
        assert store.flags("l1") == frozenset({"anat-q001"})
        assert store.lesson_progress("l1")["anatomy-core"].completed
        store.course_id = "stats-basics"
        assert store.flags("l1") == frozenset() and store.lesson_progress("l1") == {}
    finally:
        store.close()


def test_the_cohort_report_keeps_a_learners_courses_apart(tmp_path: Path) -> None:
    from vpkp_tutor.export.cohort import build_report, write_cohort_csv

    other = copy_course(tmp_path, "other", **{"id: stats-basics": "id: stats-other",
                                              'version: "0.3"': 'version: "1.0"'})
    exports = []
    store = open_store(tmp_path / "data", daily_backups=False)
    try:
        for n, folder in enumerate((COURSE, other)):
            manifest = folder / "course.yaml"
            services = Services(load_content(course_folders(manifest), TODAY,
                                             manifest=manifest), store, FakeClock())
            learner = (services.create_learner("Ann") if n == 0
                       else services.resolve_learner("Ann"))
            services.answer_lesson_check(learner.id, "stats-probability", "stats-q3",
                                         "C" if n == 0 else "A", 3.0)
            exports.append(services.export(learner.id, "json", tmp_path / f"ann-{n}.json"))
    finally:
        store.close()
    report = build_report(exports)
    assert [(m.course.id, len(m.responses)) for m in report.learners] == [
        ("stats-basics", 1), ("stats-other", 1)]
    probability = {(r.course.id, r.course_version): r.points for r in report.rows
                   if r.topic == "probability"}
    assert probability == {("stats-basics", "0.3"): 1.0, ("stats-other", "1.0"): 0.0}
    out = write_cohort_csv(report, tmp_path / "cohort.csv")
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[4:8] == ["course_id", "course_version", "topic", "topic_label"]


def test_two_topics_with_one_short_heading_are_warned_about(tmp_path: Path) -> None:
    """The first three letters of "The sacrum" and "The coccyx" are one heading: narrow
    tables could not tell the columns apart (VP511); a `short:` settles it."""
    manifest = tmp_path / "course.yaml"
    text = ('id: spine\ntitle: Spine\nversion: "1"\ntopics:\n'
            "  - {id: sacrum, label: The sacrum}\n  - {id: coccyx, label: The coccyx}\n")
    manifest.write_text(text, encoding="utf-8")
    course, problems = read_course(manifest)
    assert course is not None
    assert [(p.severity, p.code, p.line) for p in problems] == [("warning", "VP511", 6)]
    assert "give one of them a `short:`" in problems[0].message
    manifest.write_text(text.replace("The coccyx}", "The coccyx, short: Cocc}"),
                        encoding="utf-8")
    assert read_course(manifest)[1] == []
