"""Parts of a large cohort's report worked out in a forked copy of the process: the same
report as worked out in one process, errors raised where the result is asked for, and a
copy that dies costs time, not the result."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.gen import make_cohort


def test_a_report_worked_out_beside_equals_one_worked_out_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vpkp_tutor.cli_report import summary_text
    from vpkp_tutor.report import forked
    from vpkp_tutor.report.build import build_director_report

    cohort = make_cohort(tmp_path, learners=40, pool=30, practice=12, seed=5)
    alone = build_director_report(cohort.paths)
    alone_text = summary_text(alone)
    calls: list[int] = []
    real_fork = multiprocessing.get_context

    def counting(method: str | None = None) -> object:
        calls.append(os.getpid())
        return real_fork(method)

    monkeypatch.setattr(forked, "PARALLEL_FROM", 1)
    monkeypatch.setattr(multiprocessing, "get_context", counting)
    beside = build_director_report(cohort.paths)
    assert calls, "the roll-ups were not worked out in a forked copy"
    assert beside.rollup == alone.rollup and beside.errors == alone.errors
    assert beside.items == alone.items and beside.forms == alone.forms
    assert beside.rollup.learners and len(beside.rollup.by_topic) > 10
    assert forked.beside(lambda: summary_text(beside), 1)() == alone_text


def test_what_the_copy_raises_is_raised_where_the_result_is_asked_for(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from vpkp_tutor.export.files import ExportError
    from vpkp_tutor.report import forked

    monkeypatch.setattr(forked, "PARALLEL_FROM", 1)
    parent = os.getpid()

    def refuse() -> int:
        raise ExportError(f"refused in {'a copy' if os.getpid() != parent else 'here'}")

    result = forked.beside(refuse, 1)
    with pytest.raises(ExportError, match="refused in a copy"):
        result()


def test_a_copy_that_dies_costs_time_not_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from vpkp_tutor.report import forked

    monkeypatch.setattr(forked, "PARALLEL_FROM", 1)
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            os._exit(9)  # killed before it wrote anything
        return "worked out here"

    assert forked.beside(work, 1)() == "worked out here"


def test_small_cohorts_are_not_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    from vpkp_tutor.report import forked

    parent = os.getpid()
    assert forked.beside(os.getpid, forked.PARALLEL_FROM - 1)() == parent
    assert forked.beside(os.getpid, forked.PARALLEL_FROM)() != parent


def test_text_written_before_forking_is_printed_once(tmp_path: Path) -> None:
    script = ("import sys\nfrom vpkp_tutor.report import forked\n"
              "sys.stdout.write('before\\n')\n"
              "sys.stdout.write(forked.beside(lambda: 'after\\n', forked.PARALLEL_FROM)())\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2], env=env)
    assert out.stdout == "before\nafter\n"


def test_the_heap_is_set_aside_for_the_block_and_its_copies_then_as_it_was() -> None:
    import gc

    from vpkp_tutor.report import forked

    frozen_by_others = gc.get_freeze_count()  # (a test worker freezes when an app starts)
    gc.unfreeze()
    try:
        with forked.heap_set_aside():
            held = gc.get_freeze_count()
            in_copy = forked.beside(gc.get_freeze_count, forked.PARALLEL_FROM)()
        assert held > 1000 and in_copy > held // 2  # (less what the copy freed)
        assert gc.get_freeze_count() == 0
        with pytest.raises(OSError), forked.heap_set_aside():  # (a write that failed)
            raise OSError(28, "No space left on device")
        assert gc.get_freeze_count() == 0
        gc.freeze()
        before = gc.get_freeze_count()
        with forked.heap_set_aside():
            pass
        assert gc.get_freeze_count() >= before  # frozen by someone else: left frozen
    finally:
        if frozen_by_others:
            gc.freeze()
