"""The bad-content corpus: every broken file yields a located message — no traceback,
within a second, in bounded memory — and the good content beside it still loads."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from vpkp_tutor.content.loader import load_content

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
GOOD = BAD / "_good"
FILES = sorted(BAD.glob("*.yaml"))
MEMORY_LIMIT = 64 * 1024 * 1024


@pytest.fixture(scope="module", autouse=True)
def _warm_schema() -> None:
    """Build the schema validators once, so the first file's time measures only the file."""
    load_content([GOOD])


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 100


def _load_bounded(path: Path) -> tuple[object, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        bank = load_content([path, GOOD])
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return bank, elapsed, peak


ITEM_LEVEL = {"dupid_questions_in_file.yaml": 1}
"""Files whose errors lie within questions: how many of their questions still load."""


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_bad_file_gets_a_located_error_and_good_content_survives(path: Path) -> None:
    bank, elapsed, peak = _load_bounded(path)
    from vpkp_tutor.domain.model import ContentBank

    assert isinstance(bank, ContentBank)
    errors = [p for p in bank.errors if p.path == str(path)]
    assert errors, f"no error reported for {path.name}"
    for problem in errors:
        assert problem.line >= 1 and problem.column >= 1
        assert "Traceback" not in problem.message
        assert str(problem).startswith(f"{path}:{problem.line}:{problem.column}: error: ")
    assert [lesson.id for lesson in bank.lessons] == ["good-lesson"]
    if path.name in ITEM_LEVEL:  # only the faulty question is left out
        assert [q.source for q in bank.questions].count(str(path)) == ITEM_LEVEL[path.name]
        assert [q.id for q in bank.questions if q.source != str(path)] == ["good-q001"]
    else:
        assert str(path) in bank.skipped_files
        assert [q.id for q in bank.questions] == ["good-q001"]
    assert elapsed < 1.0, f"{path.name} took {elapsed:.2f} s"
    assert peak < MEMORY_LIMIT, f"{path.name} peaked at {peak / 1e6:.0f} MB"


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.write(b"kind: lesson\ntitle: ")
        fh.seek(50 * 1024 * 1024)
        fh.write(b"x\n")
    bank, elapsed, peak = _load_bounded(big)
    from vpkp_tutor.domain.model import ContentBank

    assert isinstance(bank, ContentBank)
    assert [str(p) for p in bank.errors if p.path == str(big)] == [
        f"{big}:1:1: error: file is 50.0 MB; the limit is 5 MB — split it into smaller files"
    ]
    assert elapsed < 1.0
    assert peak < MEMORY_LIMIT


def _lesson_with_body(body: str) -> str:
    indented = "\n".join(f"      {line}" if line else "" for line in body.split("\n"))
    return (
        "kind: lesson\nid: big-lesson\ntitle: Big\ntopic: anatomy\nsummary: Too big to show.\n"
        "estimated_minutes: 5\nlast_reviewed: 2026-11-01\n"
        "objectives:\n  - {id: big.one, text: Know it.}\nreferences: [Fixture]\n"
        f"steps:\n  - title: Big\n    body: |\n{indented}\n"
    )


def _table(rows: int, cols: int) -> str:
    head = "| " + " | ".join(f"h{c}" for c in range(cols)) + " |"
    rule = "|" + "---|" * cols
    body = ["| " + " | ".join(f"r{r}c{c}" for c in range(cols)) + " |" for r in range(rows)]
    return "\n".join([head, rule, *body])


BIG_CONTENT = {
    # The sizes that took seconds and gigabytes to show before the limits: each is refused
    # at once, with the limit it breaks.
    "paragraphs_75000": (
        lambda: _lesson_with_body("\n\n".join(f"Paragraph {i}." for i in range(75_000))),
        "'body' is ",
    ),
    "paragraphs_1000_short": (
        lambda: _lesson_with_body("\n\n".join("P." for _ in range(1_000))),
        "'body' has more than 40 Markdown blocks",
    ),
    "table_300x300": (lambda: _lesson_with_body(_table(300, 300)), "'body' is "),
    "table_13x6": (lambda: _lesson_with_body(_table(13, 6)), "with 13 rows below its header"),
    "code_1000_lines": (
        lambda: _lesson_with_body("```\n" + "\n".join("x" for _ in range(1_000)) + "\n```"),
        "'body' has a code block (line 1 of the text) of 1000 lines",
    ),
}


@pytest.mark.parametrize("name", sorted(BIG_CONTENT))
def test_content_too_big_to_show_is_refused_quickly(name: str, tmp_path: Path) -> None:
    make, expected = BIG_CONTENT[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(make(), encoding="utf-8")
    bank, elapsed, peak = _load_bounded(path)
    from vpkp_tutor.domain.model import ContentBank

    assert isinstance(bank, ContentBank)
    errors = [str(p) for p in bank.errors if p.path == str(path)]
    assert len(errors) == 1 and expected in errors[0], errors
    assert errors[0].startswith(f"{path}:13:11: error: ")
    assert str(path) in bank.skipped_files
    assert elapsed < 1.0, f"{name} took {elapsed:.2f} s"
    assert peak < MEMORY_LIMIT, f"{name} peaked at {peak / 1e6:.0f} MB"
