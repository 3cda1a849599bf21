"""Needle-trajectory drill: key press → the step drawn, at 80×24.

    python benchmarks/drill_render.py [--samples N] [--drill ID]

A bundled drill (default `drill-l3-right`, the widest; `drill-t5-small` is the smallest) is
shown in a question view at 80×24 under Pilot, both views side by side. Each sample is one
key that moves the needle: the contact is placed on the ideal entry (untimed), then the
timed keys advance the needle (`+`) to the anterior third and withdraw it (`-`) back to
depth 0, over and over, with an aim key every tenth step (laterally, then back). The clock starts just
before `Pilot.press` and stops at the first frame the app composes — hooked where it would be
written to the terminal, encoded to escape sequences as for a real one — whose text shows the
needle's new state in the status line ("aim 18°← 0°· · depth 14 mm"). Target: under 50 ms
per step (issue 18).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from keypress import summary  # noqa: E402  (median and p99, as the key-press figure)

SIZE = (80, 24)
TIMEOUT_S = 5.0
DRILL = "drill-l3-right"


def measure_drill(samples: int = 200, drill: str = DRILL) -> list[float]:
    """Seconds from each needle key to the frame showing the needle's new state."""
    return asyncio.run(_measure(samples, drill))


async def _measure(samples: int, drill: str) -> list[float]:
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll

    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.domain import trajectory as tr
    from vpkp_tutor.domain.model import Trajectory
    from vpkp_tutor.tui.widgets.question_view import QuestionView
    from vpkp_tutor.tui.widgets.trajectory import TrajectoryAnswer, describe, ideal_keys

    bank = load_content([ROOT / "question_bank", ROOT / "lessons"], today=dt.date.today())
    question = bank.question(drill)
    assert isinstance(question, Trajectory)
    g = question.geometry
    deepest = tr.ideal_path(g)[-1].depth

    class DrillApp(App[None]):
        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield QuestionView(question)

    app = DrillApp()
    watch: dict[str, Any] = {}
    display = app._display

    def capture(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if "marker" in watch and "stop" not in watch and renderable is not None:
            if watch["marker"] in renderable.render_segments(app.console):
                watch["stop"] = time.perf_counter()

    app._display = capture  # type: ignore[method-assign]
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(TrajectoryAnswer)
        widget.focus()
        keys = ideal_keys(g)
        aim = keys.index("plus") + 1
        await pilot.press(*keys[:aim])  # the contact, untimed
        await pilot.pause()
        direction, n = 1, 0
        lateral = "right" if g.side == "right" else "left"
        medial = "left" if lateral == "right" else "right"
        aimed_out = False
        while len(times) < samples:
            needle = widget.needle
            if n % 10 == 9:  # aim laterally, and back to the ideal aim ten steps later
                key = medial if aimed_out else lateral
                aimed_out = not aimed_out
            elif direction > 0 and needle.depth >= deepest:
                direction, key = -1, "minus"
            elif direction < 0 and needle.depth <= tr.DEPTH_STEP:
                direction, key = 1, "plus"
            else:
                key = "plus" if direction > 0 else "minus"
            n += 1
            after = {"plus": tr.advance, "minus": tr.withdraw}.get(key)
            expected = after(needle) if after else tr.aim(needle, -1 if key == "left" else 1, 0)
            if expected == needle:
                continue
            watch.clear()
            watch["marker"] = describe(g, expected)
            started = time.perf_counter()
            await pilot.press(key)
            while "stop" not in watch:
                if time.perf_counter() > started + TIMEOUT_S:
                    raise RuntimeError(f"{watch['marker']!r} was never drawn")
                await asyncio.sleep(0.001)
            times.append(watch["stop"] - started)
            watch.clear()
            await pilot.pause()
            if widget.never:
                raise RuntimeError("the benchmark path broke the medial-wall rule")
    return times



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--drill", default=DRILL)
    args = parser.parse_args()
    median, p99 = summary(measure_drill(args.samples, args.drill))
    print(f"{args.drill}: {args.samples} steps at 80×24: median {median * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms (target < 50 ms per step)")


if __name__ == "__main__":
    main()
