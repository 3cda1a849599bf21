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
        for fmt, name in (("xapi-lines", "out.jsonl"), ("json", "out.json"), ("csv", "out.csv")):
            written = services.export(learner, fmt, root / name)
            text = written.read_text(encoding="utf-8")
            if fmt == "xapi-lines":
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


def _lesson_at_the_limits() -> str:
    """A lesson whose steps each sit exactly at one content limit, and one step at all of
    them at once (the largest step that validates)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from render_limits import step_body

    from vpkp_tutor.content.schema import (
        MAX_BLOCKS,
        MAX_CODE_LINES,
        MAX_DIAGRAM_LINES,
        MAX_DIAGRAM_WIDTH,
        MAX_MARKDOWN_CHARS,
        MAX_TABLE_COLUMNS,
        MAX_TABLE_ROWS,
    )

    def block(text: str) -> str:
        return "|-\n" + "\n".join(f"      {line}" if line else "" for line in text.split("\n"))

    steps = [
        (f"{MAX_BLOCKS} paragraphs", step_body("paragraphs", str(MAX_BLOCKS)), None),
        ("Widest table", step_body("table", f"{MAX_TABLE_ROWS}x{MAX_TABLE_COLUMNS}"), None),
        ("Longest code", step_body("code", str(MAX_CODE_LINES)), None),
        ("Longest text", step_body("chars", str(MAX_MARKDOWN_CHARS)), None),
        ("Biggest diagram", "See below.",
         "\n".join("#" * MAX_DIAGRAM_WIDTH for _ in range(MAX_DIAGRAM_LINES))),
        ("Everything", step_body("max", "1"), None),
    ]
    out = ["kind: lesson", "id: fixture-lesson", "title: Limits", "topic: anatomy",
           "summary: At the limits.", "estimated_minutes: 5", "last_reviewed: 2026-11-01",
           "objectives:", "  - {id: fix.one, text: Know the limits.}",
           "references: [Fixture]", "steps:"]
    for title, body, diagram in steps:
        out += [f"  - title: {title}", "    body: " + block(body)]
        if diagram is not None:
            out.append("    diagram: " + block(diagram))
    return "\n".join(out) + "\n"


async def test_content_at_every_limit_validates_and_shows(tmp_path: Path) -> None:
    from textual.widgets import Markdown, Static
    from textual.widgets._markdown import MarkdownFence, MarkdownTable

    from vpkp_tutor.bootstrap import LaunchOptions, make_app
    from vpkp_tutor.tui.messages import OpenLesson
    from vpkp_tutor.tui.screens.lesson import LessonScreen

    content = tmp_path / "content"
    content.mkdir()
    (content / "lesson.yaml").write_text(_lesson_at_the_limits(), encoding="utf-8")
    bank = load_content([content], today=TODAY)
    assert [str(p) for p in bank.errors] == []
    lesson = bank.lessons[0]
    store = open_store(tmp_path / "data", daily_backups=False)
    app = make_app(LaunchOptions(learner="Ada"), bank, store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.post_message(OpenLesson(lesson.id))
            for index, step in enumerate(lesson.steps):
                for _ in range(50):  # the Markdown widget parses in a worker
                    await pilot.pause()
                    screen = app.screen
                    if (isinstance(screen, LessonScreen) and screen.position == index
                            and screen.query_one(".step-body", Markdown).children):
                        break
                screen = app.screen
                assert isinstance(screen, LessonScreen) and screen.position == index
                body = screen.query_one(".step-body", Markdown)
                assert body.children, f"step {step.title!r} showed nothing"
                if "|" in step.body:
                    assert body.query(MarkdownTable)
                if "```" in step.body:
                    assert body.query(MarkdownFence)
                if step.diagram:
                    assert "#" * 20 in str(screen.query_one(".diagram", Static).render())
                await pilot.press("n")
    finally:
        store.close()


async def test_problems_dialog_lists_a_bounded_number(tmp_path: Path) -> None:
    from textual.widgets import Static

    from vpkp_tutor.bootstrap import LaunchOptions, make_app
    from vpkp_tutor.domain.model import ContentBank, ContentProblem
    from vpkp_tutor.tui.dialogs.problems import MAX_LISTED, ProblemsDialog

    problems = tuple(
        ContentProblem(f"question_bank/broken-{i:05}.yaml", 3, 7, "unknown field 'stme'"
                       + "x" * (2000 if i == 1 else 0), "error" if i % 2 else "warning")
        for i in range(5000)
    )
    bank = ContentBank(problems=problems, skipped_files=tuple(p.path for p in problems))
    store = open_store(tmp_path / "data", daily_backups=False)
    app = make_app(LaunchOptions(learner="Ada"), bank, store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.action_content_problems()
            await pilot.pause()
            assert isinstance(app.screen, ProblemsDialog)
            text = str(app.screen.query_one("#problems-list", Static).render())
            lines = text.splitlines()
            shown = [line for line in lines if line.startswith("question_bank/")]
            assert len(shown) == MAX_LISTED
            assert all(": error: " in line for line in shown)  # errors come first
            assert lines[-1] == (f"… and {5000 - MAX_LISTED:,} more problems (2,300 errors, "
                                 "2,500 warnings): run `vpkp-tutor validate` to list them all")
            assert max(len(line) for line in lines) <= 400
    finally:
        store.close()


LOOP_CASE = """kind: case
id: fixture-loop
title: Fixture loop
topic: complications
last_reviewed: 2026-11-01
references: [Fixture]
vignette: A fixture.
start: a
nodes:
  - id: a
    narrative: Start.
    choices:
      - {id: x, text: X, feedback: ok, next: b}
      - {id: y, text: Y, feedback: ok, next: c}
      - {id: done, text: Done, feedback: ok, score: 3, next: end}
  - id: b
    narrative: B.
    choices:
      - {id: z, text: Z, feedback: ok, next: a}
  - id: c
    narrative: C.
    choices:
      - {id: w, text: W, feedback: Right, score: 2, next: b}
  - id: end
    narrative: End.
    outcome: {kind: good, text: Fine.}
expert_path: [done]
debrief: Done.
"""


def test_a_scoring_choice_off_the_first_loop_found_is_still_refused(tmp_path: Path) -> None:
    """The walk from the start first closes the 0-point loop a→b→a; the loop a→c→b→a that
    scores `w` shares its closing choice `z`, and is reported there, once."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(DATA / "_lesson_ok.yaml", content / "lesson.yaml")
    (content / "case.yaml").write_text(LOOP_CASE, encoding="utf-8")
    bank = load_content([content], today=TODAY)
    errors = [str(p) for p in bank.errors if p.path.endswith("case.yaml")]
    assert errors == [
        f"{content / 'case.yaml'}:19:46: error: choice 'z' leads back to node 'a', closing a "
        "loop on which 'w' (+2) could be scored again; give every choice on a loop score 0, "
        "or remove the loop"
    ]
    free = LOOP_CASE.replace("score: 2, next: b", "next: b")
    (content / "case.yaml").write_text(free, encoding="utf-8")
    assert [p for p in load_content([content], today=TODAY).errors
            if p.path.endswith("case.yaml")] == []
