"""The longest the UI goes without drawing while a large export is written from the TUI.

    python benchmarks/export_frames.py DATA_DIR LEARNER_ID OUT

The app is built over the bundled content and the store in DATA_DIR (see `run.py`, which
fills one with 1,000,000 responses) and runs headless at 100×40 on the learner's dashboard.
The export dialog is opened, the CSV format kept, OUT typed as the path and Enter pressed;
the export then runs in the dialog's thread worker until the dialog closes.

While it runs, a timer asks the event loop for a callback every `TICK_S`. The figure is the
longest interval between two callbacks (from the key press to the dialog closing): the
longest time the app could not have answered a key or drawn a frame. Frames actually written
are counted too (the dialog's button and the footer are redrawn as the export starts and
ends), to show the app was drawing.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TICK_S = 0.01
"""How often the timer asks for a callback while the export runs."""
TIMEOUT_S = 600.0
"""Give up when the export has not finished after this long."""


def measure_export_gaps(data_dir: Path, learner_id: str, out: Path) -> tuple[float, float, int]:
    """(longest gap between timer callbacks, export wall time, frames drawn), in seconds, while
    the TUI exports the learner's scores as CSV to `out` (see the module doc)."""
    return asyncio.run(_measure(data_dir, learner_id, out))


async def _measure(data_dir: Path, learner_id: str, out: Path) -> tuple[float, float, int]:
    from textual.widgets import Input

    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.services import Services
    from vpkp_tutor.storage import open_store
    from vpkp_tutor.tui.app import VpkpApp
    from vpkp_tutor.tui.dialogs.export import ExportDialog
    from vpkp_tutor.tui.screens.base import LOAD_GROUP

    store = open_store(data_dir, daily_backups=False)
    try:
        app = VpkpApp(Services(load_content(bundled_paths()), store), learner=learner_id)
        frames: list[float] = []
        display = app._display

        def capture(screen: object, renderable: object) -> None:
            display(screen, renderable)  # type: ignore[arg-type]
            if renderable is not None:
                frames.append(time.perf_counter())

        app._display = capture  # type: ignore[method-assign]
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            loading = [w for w in app.workers if w.group == LOAD_GROUP]
            if loading:
                await app.workers.wait_for_complete(loading)
            await pilot.pause()
            app.action_export()
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog), dialog
            path = dialog.query_one("#path", Input)
            path.value = str(out)
            path.focus()
            await pilot.pause()
            ticks: list[float] = []
            timer = app.set_interval(TICK_S, lambda: ticks.append(time.perf_counter()))
            frames.clear()
            start = time.perf_counter()
            await pilot.press("enter")
            while dialog.is_attached and app.screen is dialog:
                if time.perf_counter() - start > TIMEOUT_S:
                    raise RuntimeError("the export did not finish")
                await asyncio.sleep(TICK_S)
            end = time.perf_counter()
            timer.stop()
            error = str(dialog.query_one("#export-error").render()) if dialog.is_attached else ""
            if error.strip():
                raise RuntimeError(f"the export failed: {error}")
        marks = [start, *(t for t in ticks if start <= t <= end), end]
        gap = max(b - a for a, b in itertools.pairwise(marks))
        return gap, end - start, sum(1 for t in frames if start <= t <= end)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    gap, wall, frames = measure_export_gaps(Path(args[0]), args[1], Path(args[2]))
    print(f"longest gap {gap * 1000:.1f} ms over a {wall:.1f} s export ({frames} frames)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
