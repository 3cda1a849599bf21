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
    assert str(path) in bank.skipped_files
    assert [lesson.id for lesson in bank.lessons] == ["good-lesson"]
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
