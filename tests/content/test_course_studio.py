"""The educator's tools on a course of one's own: the lint reads the course manifest's
`lint:` block, `new` and `preview` take their topics from the course, `validate --watch`
re-checks items when the manifest changes, and `validate --add` is checked like `--content`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from vpkp_tutor.cli import main
from vpkp_tutor.content.loader import Checker, validate_paths
from vpkp_tutor.content.scaffold import ScaffoldError, write_new

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "courses" / "stats"
TODAY = dt.date(2026, 12, 1)

EXTRA = """\
kind: questions
questions:
  - id: stats-x1
    type: numeric
    topic: {topic}
    objectives: [stats.mean]
    difficulty: easy
    last_reviewed: {reviewed}
    stem: What is the median of the numbers 1, 3 and 8 taken together?
    answer: 3
    tolerance: 0
    explanation: The middle value.
    references:
      - "{ref}"
"""


def _course(tmp_path: Path, *, topic: str = "descriptive", reviewed: str = "2026-11-01",
            ref: str = "A statistics textbook") -> Path:
    folder = tmp_path / "stats"
    shutil.copytree(COURSE, folder)
    (folder / "question_bank" / "extra.yaml").write_text(
        EXTRA.format(topic=topic, reviewed=reviewed, ref=ref), encoding="utf-8")
    return folder


def _codes(folder: Path) -> list[str]:
    result = validate_paths([folder / "question_bank" / "extra.yaml"], today=TODAY)
    return [p.code for p in result.problems]


def test_the_lint_warns_about_the_domains_the_course_lists(tmp_path: Path) -> None:
    listed = _course(tmp_path / "a", ref="Means, https://example-summaries.test/means")
    assert _codes(listed) == ["VP504"]
    # wikipedia.org is on the bundled course's list, not on this course's
    other = _course(tmp_path / "b", ref="Means, https://en.wikipedia.org/wiki/Mean")
    assert _codes(other) == []


def test_the_review_period_is_the_courses(tmp_path: Path) -> None:
    # 13 months old: stale in this course (12 months), not in the bundled one (24)
    assert _codes(_course(tmp_path / "a", reviewed="2025-11-01")) == ["VP502"]
    assert _codes(_course(tmp_path / "b", reviewed="2025-12-02")) == []
    loose = tmp_path / "loose" / "question_bank"
    loose.mkdir(parents=True)
    (loose / "q.yaml").write_text(EXTRA.format(topic="anatomy", reviewed="2025-11-01",
                                               ref="x"), encoding="utf-8")
    assert "VP502" not in [p.code for p in validate_paths([loose], today=TODAY).problems]


def test_new_offers_the_courses_topics(tmp_path: Path) -> None:
    folder = _course(tmp_path)
    made = write_new("question", folder / "question_bank" / "new.yaml", today=TODAY)
    text = made.path.read_text(encoding="utf-8")
    # the first topic in the course's order (descriptive, order 1) and its objective
    assert "topic: descriptive" in text and "objectives: [stats.mean]" in text
    with pytest.raises(ScaffoldError, match="expected one of descriptive, probability"):
        write_new("question", folder / "question_bank" / "other.yaml", topic="anatomy")
    made = write_new("case", folder / "question_bank" / "c.yaml", topic="probability",
                     today=TODAY)
    assert "objectives: [stats.coin]" in made.path.read_text(encoding="utf-8")
    assert validate_paths([folder], today=TODAY).errors == 0


def test_a_watch_recheck_sees_a_topic_the_manifest_now_declares(tmp_path: Path) -> None:
    folder = _course(tmp_path, topic="inference")
    checker = Checker([folder])
    first = checker.check(TODAY)
    assert [(p.code, "'inference' is not a valid topic" in p.message)
            for p in first.problems if p.severity == "error"] == [("VP206", True)]
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "topics:\n", "topics:\n  - {id: inference, label: Inference, order: 3}\n"),
        encoding="utf-8")
    again = checker.check(TODAY)  # extra.yaml's bytes did not change; its course did
    assert again.errors == 0 and again.questions == first.questions + 1


def test_preview_checks_a_file_against_its_own_course(tmp_path: Path) -> None:
    from vpkp_tutor.services.preview import PreviewLoader

    folder = _course(tmp_path)
    state = PreviewLoader(folder / "question_bank" / "extra.yaml", None).load()
    assert not state.error and [q.id for q in state.questions] == ["stats-x1"]
    assert state.bank is not None and state.bank.course.id == "stats-basics"
    assert [t.id for t in state.bank.topics] == ["descriptive", "probability"]


@pytest.mark.parametrize("flag", ["--content", "--add"])
def test_validate_refuses_a_missing_content_or_add_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    missing = tmp_path / "nowhere"
    assert main(["validate", flag, str(missing)]) == 2
    assert capsys.readouterr().err == (f"vpkp-tutor: error: {flag} {missing}: no such file "
                                       "or folder\n")


def test_validate_checks_an_added_folder(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    added = tmp_path / "mine"
    added.mkdir()
    (added / "q.yaml").write_text(EXTRA.format(topic="anatomie", reviewed="2026-11-01",
                                               ref="x"), encoding="utf-8")
    assert main(["validate", "--no-lint", "--add", str(added)]) == 1
    out = capsys.readouterr().out
    assert "'anatomie' is not a valid topic" in out and "did you mean 'anatomy'" in out
    assert "[VP206 invalid-value]" in out
