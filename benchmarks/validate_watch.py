"""The educator's tools, timed: `validate` of the bundled course, a `validate --watch`
re-check of one changed file in a 10,000-question course, and a preview reload.

    python benchmarks/validate_watch.py [WORK_DIR] [--runs N]

Each figure is the median of N runs (default 7), as wall time and as CPU time (the CPU time
of this process: on a busy machine the wall time also counts waiting for a core). `run.py`
(`make bench`) runs these as the figures "validate, bundled course", "watch re-check, 10,000
questions" and "preview reload, 10,000 questions" (their median wall times).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


class Timing(NamedTuple):
    """Median seconds of several runs."""

    wall: float
    cpu: float


def _median(fn: Callable[[int], Callable[[], object]], runs: int) -> Timing:
    """Time `fn(n)()` for n in range(runs); `fn(n)` prepares run n (untimed)."""
    walls, cpus = [], []
    for n in range(runs):
        timed = fn(n)
        t, c = time.perf_counter(), time.process_time()
        timed()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return Timing(statistics.median(walls), statistics.median(cpus))


def validate_bundled(runs: int = 3) -> float:
    """Median seconds to validate (with the lint) the bundled course, in process."""
    return validate_bundled_timing(runs).wall


def validate_bundled_timing(runs: int = 3) -> Timing:
    """Median wall and CPU seconds to validate (with the lint) the bundled course."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import validate_paths

    paths = bundled_paths()
    validate_paths(paths)  # imports and first-use set-up are not the figure

    def once() -> None:
        result = validate_paths(paths)
        assert result.errors == 0 and result.questions > 0

    return _median(lambda _n: once, runs)


def _touch_one(file: Path, n: int) -> None:
    """Change one question's stem in `file` (a real edit: new bytes, same shape)."""
    text = file.read_text(encoding="utf-8")
    marker = "    stem: |\n      "
    at = text.index(marker) + len(marker)
    file.write_text(text[:at] + f"Edit {n}. " + text[at:], encoding="utf-8")


def watch_recheck(bank: Path, runs: int = 3) -> float:
    """Median seconds for `validate --watch` to re-check after one file of the bank
    changed."""
    return watch_recheck_timing(bank, runs).wall


def watch_recheck_timing(bank: Path, runs: int = 3) -> Timing:
    """Median wall and CPU seconds of a `validate --watch` re-check after one file of the
    bank changed (the other files were saved long before, as in an editing session)."""
    from vpkp_tutor.content.loader import Checker

    target = bank / "question_bank"
    checker = Checker([target])
    first = checker.check()
    assert first.questions == 10_000, first.questions
    changed = sorted(target.glob("*.yaml"))[0]

    def run(n: int) -> Callable[[], object]:
        _touch_one(changed, n)

        def once() -> None:
            result = checker.check()
            assert result.errors == 0, [str(p) for p in result.problems[:3]]
        return once

    return _median(run, runs)


def preview_reload(bank: Path, runs: int = 3) -> float:
    """Median seconds for the preview to check its file again after a save."""
    return preview_reload_timing(bank, runs).wall


def preview_reload_timing(bank: Path, runs: int = 3) -> Timing:
    """Median wall and CPU seconds for the preview to check its file again after a save."""
    from vpkp_tutor.services.preview import PreviewLoader

    file = sorted((bank / "question_bank").glob("*.yaml"))[1]
    loader = PreviewLoader(file, None)
    assert loader.load().questions

    def run(n: int) -> Callable[[], object]:
        _touch_one(file, n)

        def once() -> None:
            state = loader.load()
            assert state.questions and not state.error
        return once

    return _median(run, runs)


def main() -> int:
    import argparse

    from gen_bank import generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", nargs="?", type=Path, help="where to keep the generated bank")
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp())
    bank = work / "studio-bank"
    if not bank.exists():
        generate(bank, 10_000, 200, 200)
    figures = [
        ("validate, bundled course", lambda: validate_bundled_timing(args.runs), 0.5),
        ("watch re-check, 10,000 questions", lambda: watch_recheck_timing(bank, args.runs), 0.3),
        ("preview reload, 10,000 questions", lambda: preview_reload_timing(bank, args.runs),
         0.3),
    ]
    try:
        for name, measure, target in figures:
            t = measure()
            print(f"{name:34} wall {t.wall:.3f} s, CPU {t.cpu:.3f} s (median of {args.runs}; "
                  f"target < {target})", flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
