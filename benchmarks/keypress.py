"""Key press → next question rendered, measured with Pilot in a 200-question session.

    python benchmarks/keypress.py [--samples N] [--answer]

The app is built by `vpkp_tutor.bootstrap.make_app` over the bundled content and a store in
a temporary data folder, exactly as the command line builds it. A 200-question **exam** is
started (exam mode, because there moving on is one key: `n` goes to the next item; `p` goes
back). Each sample is one key press: `n` from item 1 to item 200, then `p` back down, and so
on, so every press puts a different question on screen.

Each key is sent with `Pilot.press` (headless, a 100×40 terminal). The clock starts just
before the call and stops at the first frame the app composes — hooked where it would be
written to the terminal, and encoded to escape sequences as for a real one — whose text shows
the new item's number ("Item 17 of 200") while that item's question view (stem, hint and
answer input) is mounted. `Pilot.press` then waits for the app to go idle (in ≥ 20 ms
sleeps) before the next key, so every key is measured on its own, as a person presses them.

With `answer=True` each sample is instead the exam's answer key: the option is chosen first
(not timed), then Enter is timed — it scores and commits the answer to SQLite and moves to
the next item — until the frame showing the next item.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SESSION_ITEMS = 200
"""Questions in the measured session."""
SIZE = (100, 40)
"""Terminal size for the run."""
TIMEOUT_S = 5.0
"""Give up on a sample after this long."""


def measure_keypress(samples: int = 200, *, answer: bool = False) -> list[float]:
    """Seconds from each key press to the frame showing the next question (see module doc).

    `answer=False` times the exam's `n`/`p` keys; `answer=True` times Enter on a chosen
    option (score, commit, move on)."""
    with tempfile.TemporaryDirectory(prefix="vpkp-keypress-") as tmp:
        return asyncio.run(_measure(Path(tmp), samples, answer))


async def _measure(data_dir: Path, samples: int, answer: bool) -> list[float]:
    from textual.widgets import Input

    from vpkp_tutor.bootstrap import LaunchOptions, load_bank, make_app, open_progress_store
    from vpkp_tutor.domain.model import QuestionType
    from vpkp_tutor.domain.progress import QuizMode, QuizSettings
    from vpkp_tutor.tui.dialogs.confidence import ConfidenceDialog
    from vpkp_tutor.tui.screens.quiz import QuizScreen
    from vpkp_tutor.tui.widgets.question_view import QuestionView

    settings = LaunchOptions(data_dir=data_dir, learner="Bench Learner")
    content = load_bank(settings)
    store = open_progress_store(settings)
    try:
        app = make_app(settings, content, store)
        watch: dict[str, Any] = {}  # while a key is timed: the awaited text and item, the stop
        display = app._display

        def capture(screen: Any, renderable: Any) -> None:
            """Encode each frame as a terminal would get it; stop the clock at the first
            frame showing the awaited item."""
            display(screen, renderable)
            if "marker" in watch and "stop" not in watch and renderable is not None:
                text = renderable.render_segments(app.console)
                if watch["marker"] in text and shown(screen, watch["index"]):
                    watch["stop"] = time.perf_counter()

        def shown(screen: Any, index: int) -> bool:
            """The question view of item `index` is mounted with all its parts."""
            if not isinstance(screen, QuizScreen) or screen.index != index:
                return False
            views = screen.query(QuestionView)
            if not views:
                return False
            view = views.first()
            return (view.question.id == screen.questions[index].id and view.is_mounted
                    and view.input.is_mounted and all(c.is_mounted for c in view.children))

        app._display = capture  # type: ignore[method-assign]
        times: list[float] = []
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.learner is not None
            attempt = app.services.build_quiz(
                app.learner.id, QuizSettings(mode=QuizMode.EXAM, count=SESSION_ITEMS, seed=7)
            )
            app.run_attempt(attempt)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, QuizScreen), screen
            total = len(screen.questions)
            assert total == SESSION_ITEMS, total
            step = 1
            for _ in range(samples):
                if not 0 <= screen.index + step < total:
                    step = -step
                if answer:
                    if step < 0:  # answers only move forward: rewind to item 1 untimed
                        await _rewind(pilot, screen)
                        step = 1
                    key = await _choose(pilot, screen.question,
                                        screen.question.id in screen.answers)
                    if app.services.settings.ask_confidence:  # asked before moving on
                        await pilot.press(key)  # the answer, stored; then how sure
                        asked = time.perf_counter()
                        while not isinstance(app.screen, ConfidenceDialog):
                            if time.perf_counter() > asked + TIMEOUT_S:
                                raise RuntimeError(f"no confidence question after {key!r} on a "
                                                   f"{screen.question.type} item")
                            await asyncio.sleep(0.001)
                        key = "2"  # the key that moves on is the confidence
                else:
                    key = "n" if step > 0 else "p"
                    if screen.question.type is QuestionType.SHORT_ANSWER and isinstance(
                            app.focused, Input):  # its field has the keys: leave it first,
                        await pilot.press("escape")  # as a person does (untimed)
                        await pilot.pause()
                target = screen.index + step
                watch.clear()
                watch.update(marker=f"Item {target + 1} of {total}", index=target)
                started = time.perf_counter()
                await pilot.press(key)
                while "stop" not in watch:
                    if time.perf_counter() > started + TIMEOUT_S:
                        raise RuntimeError(f"{watch['marker']!r} was never drawn")
                    await asyncio.sleep(0.001)
                times.append(watch["stop"] - started)
                watch.clear()
                await pilot.pause()
        return times
    finally:
        store.close()


async def _choose(pilot: Any, question: Any, answered: bool = False) -> str:
    """Give the item on screen an answer without submitting it (untimed); return the key
    that submits it (Enter; `f`, the final position, on a needle drill)."""
    from vpkp_tutor.domain.model import QuestionType

    keys = {QuestionType.ORDERING: (), QuestionType.MATCHING: ("1",),
            QuestionType.NUMERIC: ("1",), QuestionType.TRAJECTORY: ("+",)}.get(
                question.type, ("a",))  # (a short answer's field has the keys: "a" is typed)
    if question.type is QuestionType.MULTIPLE_RESPONSE and answered:
        keys = ()  # "a" again would take back the option chosen last time round
    if keys:
        await pilot.press(*keys)
    await pilot.pause()
    return "f" if question.type is QuestionType.TRAJECTORY else "enter"


async def _rewind(pilot: Any, screen: Any) -> None:
    """Back to item 1 (untimed)."""
    while screen.index > 0:
        await pilot.press("p")
    await pilot.pause()


def summary(times: list[float]) -> tuple[float, float]:
    """(median, 99th percentile) in seconds."""
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def main() -> int:
    """Print the median and p99."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--answer", action="store_true", help="time Enter on an answer")
    args = parser.parse_args()
    times = measure_keypress(args.samples, answer=args.answer)
    median, p99 = summary(times)
    print(f"{len(times)} presses: median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
