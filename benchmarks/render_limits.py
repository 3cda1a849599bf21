"""How long, and how much memory, showing the largest content takes.

    python benchmarks/render_limits.py [--sizes paragraphs=5000 table=300 ...]

Each figure runs in its own process: the app is built headless at 80×24 by the same factory
the CLI uses, a lesson step (or the content problems dialog) is opened, and the clock stops
when the screen has settled (the Markdown blocks mounted and nothing left to refresh). Both
wall-clock and CPU time (all threads of the process) are shown: on a loaded machine the
wall clock mostly measures other programs. Peak memory is the growth of the process's
maximum resident set size while showing it. Opening a lesson with a one-line step is the
floor (`--sizes paragraphs=1`).

The default sizes are the content limits the validator enforces (docs/authoring.md,
`vpkp_tutor.content.schema` limits): content at the limit must show in under 1 s and
200 MB. Pass larger sizes to see what the limits protect against.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_body(kind: str, size: str) -> str:
    """A step body: `size` paragraphs, a `ROWSxCOLUMNS` table, a `size`-line code block or
    `size` characters of prose."""
    if kind == "table":
        rows, cols = (int(x) for x in size.split("x"))
        head = "| " + " | ".join(f"h{c}" for c in range(cols)) + " |"
        rule = "|" + "---|" * cols
        body = ["| " + " | ".join(f"r{r}c{c}" for c in range(cols)) + " |" for r in range(rows)]
        return "\n".join([head, rule, *body])
    n = int(size)
    if kind == "paragraphs":
        return "\n\n".join(f"Paragraph {i} about the **pedicle**." for i in range(n))
    if kind == "code":
        return "```\n" + "\n".join(f"line {i}" for i in range(n)) + "\n```"
    if kind == "max":  # every limit at once: the largest step that validates
        from vpkp_tutor.content.schema import (
            MAX_BLOCKS,
            MAX_CODE_LINES,
            MAX_MARKDOWN_CHARS,
            MAX_TABLE_COLUMNS,
            MAX_TABLE_ROWS,
        )

        parts = [step_body("table", f"{MAX_TABLE_ROWS}x{MAX_TABLE_COLUMNS}"),
                 step_body("code", str(MAX_CODE_LINES))]
        room = MAX_MARKDOWN_CHARS - sum(len(p) + 2 for p in parts)
        count = MAX_BLOCKS - len(parts)
        each = room // count - 2
        parts += [step_body("chars", str(each)) for _ in range(count)]
        return "\n\n".join(parts)
    if kind == "chars":
        words = "vertebral augmentation relieves pain in selected patients "
        return (words * (n // len(words) + 1))[:n]
    raise ValueError(kind)


def _child(kind: str, size: str) -> None:
    from vpkp_tutor.bootstrap import LaunchOptions, make_app
    from vpkp_tutor.domain.model import (
        ContentBank,
        ContentProblem,
        Lesson,
        Objective,
        Step,
    )
    from vpkp_tutor.storage import open_store

    lesson = Lesson(
        id="big", title="Big", topic="anatomy", summary="s",
        objectives=(Objective("o.one", "o"),), estimated_minutes=5,
        last_reviewed=dt.date(2026, 1, 1), references=("r",),
        steps=(Step("Big step", step_body(kind, size) if kind != "problems" else "x"),),
    )
    problems = tuple(
        ContentProblem(f"question_bank/broken-{i:05}.yaml", 3, 7, f"unknown field 'stme{i}'")
        for i in range(int(size) if kind == "problems" else 0)
    )
    bank = ContentBank(lessons=(lesson,), problems=problems,
                       skipped_files=tuple(p.path for p in problems))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "data", daily_backups=False)
        app = make_app(LaunchOptions(learner="Bench"), bank, store)

        async def run() -> tuple[float, float]:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                before = _rss_mb()
                started, cpu = time.perf_counter(), time.process_time()
                if kind == "problems":
                    app.action_content_problems()
                else:
                    from vpkp_tutor.tui.messages import OpenLesson

                    app.post_message(OpenLesson("big"))
                last = -1
                while True:
                    await pilot.pause()
                    count = len(app.screen.query("*"))
                    if count == last and app.screen.is_attached:
                        break
                    last = count
                await pilot.pause()
                _ = app.screen._compositor.render_update(full=True)
                elapsed = time.perf_counter() - started
                return elapsed, time.process_time() - cpu, _rss_mb() - before

        elapsed, cpu_seconds, grown = asyncio.run(run())
        store.close()
    print(json.dumps({"kind": kind, "size": size, "seconds": round(elapsed, 3),
                      "cpu_seconds": round(cpu_seconds, 3),
                      "peak_mb": round(grown, 1)}))


def measure(kind: str, size: str) -> dict[str, float]:
    """Run one figure in a fresh process and return its result."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, size],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", nargs="*", default=[], metavar="KIND=N",
                        help="paragraphs, table, code, chars or problems, e.g. table=300x300")
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1])
        return
    from vpkp_tutor.content.schema import (
        MAX_BLOCKS,
        MAX_CODE_LINES,
        MAX_MARKDOWN_CHARS,
        MAX_TABLE_COLUMNS,
        MAX_TABLE_ROWS,
    )

    sizes = [(k, v) for k, v in (s.split("=") for s in args.sizes)] or [
        ("paragraphs", str(MAX_BLOCKS)), ("table", f"{MAX_TABLE_ROWS}x{MAX_TABLE_COLUMNS}"),
        ("code", str(MAX_CODE_LINES)), ("chars", str(MAX_MARKDOWN_CHARS)), ("max", "1"),
        ("problems", "5000"),
    ]
    print(f"{'content':<12}{'size':>8}{'wall s':>9}{'CPU s':>8}{'peak MB':>9}  within 1 s CPU"
          " / 200 MB")
    for kind, n in sizes:
        r = measure(kind, n)
        ok = r["cpu_seconds"] < 1.0 and r["peak_mb"] < 200
        print(f"{kind:<12}{n:>8}{r['seconds']:>9.2f}{r['cpu_seconds']:>8.2f}"
              f"{r['peak_mb']:>9.1f}  {'yes' if ok else 'NO'}")

if __name__ == "__main__":
    main()
