"""The educator's tools, timed: `validate` of the bundled course, a `validate --watch`
re-check of one changed file in a 10,000-question course, and a preview reload.

    python benchmarks/validate_watch.py [WORK_DIR]

`run.py` (`make bench`) runs these as the figures "validate, bundled course",
"watch re-check, 10,000 questions" and "preview reload, 10,000 questions".
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def validate_bundled(runs: int = 3) -> float:
    """Seconds to validate (with the lint) the bundled course, in process."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import validate_paths

    paths = bundled_paths()
    validate_paths(paths)  # imports and first-use set-up are not the figure

    def once() -> None:
        result = validate_paths(paths)
        assert result.errors == 0 and result.questions > 0

    return _best(once, runs)


def _touch_one(file: Path, n: int) -> None:
    """Change one question's stem in `file` (a real edit: new bytes, same shape)."""
    text = file.read_text(encoding="utf-8")
    marker = "    stem: |\n      "
    at = text.index(marker) + len(marker)
    file.write_text(text[:at] + f"Edit {n}. " + text[at:], encoding="utf-8")


def watch_recheck(bank: Path, runs: int = 3) -> float:
    """Seconds for `validate --watch` to re-check after one file of the bank changed."""
    from vpkp_tutor.content.loader import Checker

    target = bank / "question_bank"
    checker = Checker([target])
    first = checker.check()
    assert first.questions == 10_000, first.questions
    changed = sorted(target.glob("*.yaml"))[0]
    times = []
    for n in range(runs):
        _touch_one(changed, n)
        t = time.perf_counter()
        result = checker.check()
        times.append(time.perf_counter() - t)
        assert result.errors == 0, [str(p) for p in result.problems[:3]]
    return min(times)


def preview_reload(bank: Path, runs: int = 3) -> float:
    """Seconds for the preview to check its file again after a save."""
    from vpkp_tutor.services.preview import PreviewLoader

    file = sorted((bank / "question_bank").glob("*.yaml"))[1]
    loader = PreviewLoader(file, None)
    assert loader.load().questions
    times = []
    for n in range(runs):
        _touch_one(file, n)
        t = time.perf_counter()
        state = loader.load()
        times.append(time.perf_counter() - t)
        assert state.questions and not state.error
    return min(times)


def main() -> int:
    from gen_bank import generate

    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    bank = work / "studio-bank"
    if not bank.exists():
        generate(bank, 10_000, 200, 200)
    try:
        print(f"validate, bundled course        {validate_bundled():.3f} s (target < 0.5)")
        print(f"watch re-check, 10,000 questions {watch_recheck(bank):.3f} s (target < 0.3)")
        print(f"preview reload, 10,000 questions {preview_reload(bank):.3f} s (target < 0.3)")
    finally:
        if len(sys.argv) <= 1:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
