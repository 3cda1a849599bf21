"""Crash durability: a child answers questions through the services and acknowledges each
answer once `record_answer` has returned; the parent SIGKILLs it at random moments — during
start-up (opening, migrating, the daily backup) or in the middle of answering — and restarts
it on the same data folder. After every kill, every acknowledged answer is in the database
and `PRAGMA integrity_check` says ok.

`make test` runs 20 kills; `make soak` (VPKP_SOAK=1) runs 600.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.faults.children import Acks, check_database, spawn

STARTUP_WINDOW_S = 0.25
"""Kills 'during start-up' land uniformly within this long after the child is spawned."""


def kill_many(data_dir: Path, kills: int, seed: int, log: Path) -> Acks:
    """Start, kill and check a child `kills` times on one data folder."""
    rng = random.Random(seed)
    acks = Acks()
    for n in range(kills):
        proc = spawn(data_dir, seed * 100_000 + n, stderr_path=log)
        assert proc.stdout is not None
        if rng.random() < 0.25:
            time.sleep(rng.uniform(0, STARTUP_WINDOW_S))
        else:
            wanted = rng.randint(1, 25)
            seen = 0
            while seen < wanted:
                line = proc.stdout.readline()
                if not line:
                    break
                seen += acks.take(line)
            spin_until = time.perf_counter() + rng.uniform(0, 0.003)
            while time.perf_counter() < spin_until:
                pass
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        for line in proc.stdout.read().splitlines(keepends=True):
            acks.take(line)
        proc.stdout.close()
        assert code == -signal.SIGKILL, (
            f"kill {n}: the child ended by itself (exit {code}):\n{log.read_text()[-3000:]}")
        if (data_dir / "progress.sqlite3").exists():
            check_database(data_dir / "progress.sqlite3", acks)
    return acks


def test_sigkill_never_loses_an_acknowledged_answer(tmp_path: Path) -> None:
    acks = kill_many(tmp_path / "data", kills=20, seed=6, log=tmp_path / "child.log")
    assert len(acks) > 50  # most kills landed while answering


@pytest.mark.soak
@pytest.mark.skipif(not os.environ.get("VPKP_SOAK"), reason="soak test: run `make soak`")
def test_sigkill_soak(tmp_path: Path) -> None:
    acks = kill_many(tmp_path / "data", kills=600, seed=66, log=tmp_path / "child.log")
    assert len(acks) > 1000
