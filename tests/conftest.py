"""Fixtures for every test."""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(autouse=True)
def _app_start_without_a_full_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's one full garbage collection once its first screen is drawn
    (`gc_pacing.settle_heap`, called by `VpkpApp.start_up_drawn`) walks the whole process:
    in a test worker that is pytest, Hypothesis, every test module and what earlier tests
    left, and it took 0.2–0.5 s per app (a quarter of a minute over `test_app.py` and
    `test_quiz.py` alone). Apps started by tests freeze the heap without collecting it first;
    everything else about the start-up is as in the app. The pacing itself is tested by
    calling `gc_pacing` directly (`tests/tui/test_fast_paths.py`), and every app started in a
    terminal (the journeys in tmux, the CLI tests) is a process of its own, unchanged."""
    from vpkp_tutor.tui import app, gc_pacing

    def settle_heap() -> None:
        gc.freeze()
        gc_pacing.resume_collection()

    monkeypatch.setattr(app, "settle_heap", settle_heap)
