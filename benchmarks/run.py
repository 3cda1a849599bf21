"""`make bench`: every figure beside a floor measured in the same run, as a ratio.

    python benchmarks/run.py [--quick] [--only NAME ...] [--skip-make-test]

Figures (targets from the performance issue):

| figure | floor | target |
|---|---|---|
| start-up, bundled content | minimal Textual app (Header, Static, Footer) | ≤ 1.3× (issue 13; was 1.15×) |
| start-up, 10,000-question bank | the same minimal app | ≤ 1.3× |
| load + validate the 10,000-question bank | PyYAML's C safe loader parsing the same files | ≤ 1.5× |
| key press → next question rendered | — (absolute) | median ≤ 20 ms, p99 ≤ 60 ms |
| needle drill: key → step drawn at 80×24 | — (absolute) | median < 50 ms (issue 18) |
| peak RSS with the 10,000-question bank | the minimal app | ≤ 1.5× |
| CSV export of 1,000,000 responses | the sqlite3 CLI's CSV dump of the same rows | ≤ 2× |
| longest frame gap while the TUI exports 1,000,000 responses | — (absolute) | ≤ 100 ms |
| cohort report over 200 learner exports | — (absolute) | ≤ 2 s |
| director report (HTML) over 500 learners × 2,000 responses | — (absolute); DuckDB's per-item statistics | < 10 s, < 1 GB; ≤ 3× |
| `vpkp-tutor import` of a 10,000-question GIFT file | — (absolute; lark alone parsing the same questions shown beside it) | ≤ 5 s |
| `validate` of the bundled course (with the lint) | — (absolute) | < 0.5 s |
| `validate --watch` re-check of one changed file, 10,000 questions | — (absolute) | < 0.3 s |
| preview reload of one changed file, 10,000 questions | — (absolute) | < 0.3 s |
| `make test` | — (absolute) | ≤ 300 s (the CI limit: five minutes on a fresh machine) |
| sync 100,000 queued statements to a local Ralph LRS | bare httpx posting the same batches | ≤ 1.25× the time (≥ 0.8× the rate) |
| queueing an answer's xAPI statement | — (absolute) | ≤ 2 ms added to the answer's transaction |

Start-up is measured as a person sees it: each program runs in a pseudo-terminal and the
clock stops when its first screen's text has been drawn. Runs of the app and of its floor
are interleaved, and medians are compared, so machine load affects both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pty
import select
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PY = sys.executable


@dataclass
class Figure:
    """One benchmark result."""

    name: str
    value: float
    unit: str
    floor: float | None
    target: float
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        """Value over floor, when there is a floor."""
        return self.value / self.floor if self.floor else None

    @property
    def ok(self) -> bool:
        """Whether the target holds (a ratio target when there is a floor)."""
        measured = self.ratio if self.ratio is not None else self.value
        return measured <= self.target

    def line(self) -> str:
        """A printable row."""
        floor = f"{self.floor:10.3f} {self.unit:<3}" if self.floor is not None else " " * 14
        ratio = f"{self.ratio:6.2f}×" if self.ratio is not None else "      -"
        target = f"≤ {self.target:g}{'×' if self.floor is not None else ' ' + self.unit}"
        mark = "ok  " if self.ok else "MISS"
        return (f"{mark} {self.name:<44} {self.value:10.3f} {self.unit:<3} {floor} "
                f"{ratio}  {target:<10} {self.detail}")


# -- start-up in a pseudo-terminal -----------------------------------------------------------

MINIMAL_APP = """
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("minimal-ready")
        yield Footer()

Minimal().run()
"""


def run_in_pty(argv: Sequence[str], marker: bytes, env: dict[str, str],
               timeout: float = 30.0) -> tuple[float, int]:
    """Run argv in an 80×24 pseudo-terminal; return (seconds until `marker` was drawn,
    peak RSS in KiB). Once the marker appears the program is quit as a user quits it
    (Ctrl+Q), so the next run starts as after a normal exit — killing it would leave a
    -wal file that the next start must back up (the start after a crash, not measured
    here); a program that does not quit within 10 s is killed."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], list(argv), env)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    elapsed = float("nan")
    deadline = started + timeout
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if marker in seen:
                elapsed = time.perf_counter() - started
                break
    finally:
        if elapsed == elapsed:  # the marker was drawn: quit as a user does
            with contextlib.suppress(OSError):
                os.write(fd, b"\x11")
        quit_by = time.perf_counter() + 10
        while time.perf_counter() < quit_by:  # drain until the child's side closes
            ready, _, _ = select.select([fd], [], [], 0.05)
            try:
                if ready and not os.read(fd, 65536):
                    break
            except OSError:
                break
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while True:  # drain until the child's side closes
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    if elapsed != elapsed:  # NaN: marker never seen
        tail = seen[-400:].decode("utf-8", "replace")
        raise RuntimeError(f"{argv} never drew {marker!r}; last output: {tail!r}")
    return elapsed, usage.ru_maxrss


def startup_pair(app_argv: Sequence[str], app_marker: bytes, env: dict[str, str],
                 runs: int) -> tuple[list[float], list[float], list[int], list[int]]:
    """Interleaved runs of the app and the minimal app."""
    minimal = Path(tempfile.mkdtemp()) / "minimal.py"
    minimal.write_text(MINIMAL_APP)
    app_t: list[float] = []
    min_t: list[float] = []
    app_rss: list[int] = []
    min_rss: list[int] = []
    for _ in range(runs):
        t, rss = run_in_pty([PY, str(minimal)], b"minimal-ready", env)
        min_t.append(t)
        min_rss.append(rss)
        t, rss = run_in_pty(app_argv, app_marker, env)
        app_t.append(t)
        app_rss.append(rss)
    return app_t, min_t, app_rss, min_rss


# -- helpers ---------------------------------------------------------------------------------

def best_of(fn: Callable[[], object], runs: int) -> float:
    """Fastest wall time of `runs` calls."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def generated_bank(work: Path, questions: int, lessons: int, cases: int) -> Path:
    """A generated bank under work/bank (made once per run)."""
    from gen_bank import generate

    out = work / f"bank-{questions}"
    if not out.exists():
        generate(out, questions, lessons, cases)
    return out


# -- figures ---------------------------------------------------------------------------------

def fig_load_validate(work: Path, quick: bool) -> list[Figure]:
    """Load + validate the 10,000-question bank vs PyYAML's C loader alone."""
    import yaml

    from vpkp_tutor.content.loader import load_content

    bank = generated_bank(work, 10_000, 200, 200)
    files = sorted(bank.rglob("*.yaml"))
    paths = [bank / "lessons", bank / "question_bank"]

    def floor() -> None:
        for f in files:
            yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)

    def ours() -> None:
        result = load_content(paths)
        assert len(result.questions) == 10_000 and not result.errors

    runs = 2 if quick else 3
    floor_t, ours_t = [], []
    for _ in range(runs):  # interleaved
        floor_t.append(best_of(floor, 1))
        ours_t.append(best_of(ours, 1))
    return [Figure("load + validate, 10,000 questions", min(ours_t), "s", min(floor_t), 1.5,
                   f"{len(files)} files")]


def fig_startup(work: Path, quick: bool) -> list[Figure]:
    """Process start → home screen drawn, bundled and 10k banks; peak RSS."""
    data = work / "startup-data"
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
           "VPKP_TUTOR_DATA": str(data)}
    env.pop("TEXTUAL", None)
    # An installed app runs from bytecode (pip compiles it; an editable checkout may not
    # when PYTHONDONTWRITEBYTECODE is set), as does Textual for the minimal app.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "vpkp_tutor")], check=True)
    runs = 7 if quick else 21  # the machine is noisy: many interleaved runs, medians
    marker = b"Welcome"
    figures = []
    app = [PY, "-m", "vpkp_tutor", "--data-dir", str(data), "--learner", "Bench Learner"]
    run_in_pty(app, marker, env)  # warm the content cache
    a, m, _, _ = startup_pair(app, marker, env, runs)
    # (the redesign, issue 13, set 1.3× for the bundled course too: simpler code is worth a
    # few milliseconds; it had been 1.15×)
    figures.append(Figure("start-up → home, bundled content", statistics.median(a), "s",
                          statistics.median(m), 1.3, f"median of {runs}"))
    bank = generated_bank(work, 10_000, 200, 200)
    big = [*app, "--content", str(bank / "lessons"), "--content", str(bank / "question_bank")]
    run_in_pty(big, marker, env, timeout=120)  # warm the content cache for this bank
    a, m, ar, mr = startup_pair(big, marker, env, runs)
    figures.append(Figure("start-up → home, 10,000-question bank", statistics.median(a), "s",
                          statistics.median(m), 1.3, f"median of {runs}"))
    figures.append(Figure("peak RSS, 10,000-question bank", max(ar) / 1024, "MiB",
                          max(mr) / 1024, 1.5, "max over runs"))
    return figures


def fig_keypress(work: Path, quick: bool) -> list[Figure]:
    """Key press → next question rendered (Pilot, 200-question exam; see keypress.py)."""
    from keypress import measure_keypress, summary

    samples = 100 if quick else 200
    median, p99 = summary(measure_keypress(samples))
    detail = f"{samples} presses of n/p"
    return [Figure("key press → next question, median", median, "s", None, 0.020, detail),
            Figure("key press → next question, p99", p99, "s", None, 0.060, detail)]


def fig_drill(work: Path, quick: bool) -> list[Figure]:
    """Needle drill: key press → the step drawn at 80×24 (Pilot; see drill_render.py)."""
    from drill_render import measure_drill, summary

    samples = 100 if quick else 200
    median, p99 = summary(measure_drill(samples))
    detail = f"{samples} needle steps, p99 {p99 * 1000:.0f} ms"
    return [Figure("needle drill: key → step drawn, median", median, "s", None, 0.050,
                   detail)]


def _fill_responses(db: Path, n: int) -> str:
    """A store with one learner and n responses; returns the learner id."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.services import Services
    from vpkp_tutor.storage import open_store

    store = open_store(db, daily_backups=False)
    bank = load_content(bundled_paths())
    services = Services(bank, store)
    learner = services.create_learner("Bench Learner", "Bench Program", "PGY-3")
    store.close()
    ids = [q.id for q in bank.questions]
    conn = sqlite3.connect(db / "progress.sqlite3")
    conn.execute("PRAGMA synchronous=OFF")
    rows = (  # times and answers in the form the store writes them (`iso_utc`, JSON)
        (f"r{i:07d}", learner.id, f"a{i // 50:06d}", "tutor", ids[i % len(ids)], "h" * 16,
         json.dumps("B"), 1.0 if i % 3 else 0.0, 1.0, 1 if i % 3 else 0, 12.5,
         f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000000Z")
        for i in range(n)
    )
    conn.executemany(
        "INSERT INTO response (id, learner_id, attempt_id, mode, question_id, content_hash, "
        "answer_json, points, max_points, correct, seconds, answered_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    return learner.id


def fig_csv_export(work: Path, quick: bool) -> list[Figure]:
    """CSV export of 1,000,000 responses vs the sqlite3 CLI dumping the same rows."""
    n = 200_000 if quick else 1_000_000
    data, learner = _export_data(work, n)
    db = data / "progress.sqlite3"
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli is None:
        raise RuntimeError("the sqlite3 command-line tool is needed (apt-get install sqlite3)")
    out = work / "export.csv"

    def floor() -> None:
        with open(work / "dump.csv", "wb") as fh:
            subprocess.run([sqlite_cli, "-csv", "-header", str(db),
                            f"SELECT * FROM response WHERE learner_id = '{learner}'"],
                           stdout=fh, check=True)

    def ours() -> None:
        subprocess.run([PY, "-m", "vpkp_tutor", "--data-dir", str(data), "export",
                        "--learner", learner, "--format", "csv", "-o", str(out), "--force"],
                       check=True, capture_output=True)

    floor_t, ours_t = [], []
    for _ in range(1 if quick else 2):
        floor_t.append(best_of(floor, 1))
        ours_t.append(best_of(ours, 1))
    with open(out, "rb") as fh:
        lines = sum(1 for _ in fh) - 1
    assert lines == n, f"export wrote {lines} rows, expected {n}"
    return [Figure(f"CSV export, {n:,} responses", min(ours_t), "s", min(floor_t), 2.0,
                   "incl. process start")]


def _export_data(work: Path, n: int) -> tuple[Path, str]:
    """The data folder with one learner and n responses (made once per run), and the
    learner's id."""
    data = work / f"export-{n}"
    if not data.exists():
        data.mkdir()
        learner = _fill_responses(data, n)
        (data / "learner").write_text(learner)
    return data, (data / "learner").read_text()


def fig_export_frames(work: Path, quick: bool) -> list[Figure]:
    """Longest frame gap while the TUI's export dialog writes 1,000,000 responses as CSV
    (the export runs in a thread worker; see export_frames.py)."""
    from export_frames import measure_export_gaps

    n = 200_000 if quick else 1_000_000
    data, learner = _export_data(work, n)
    out = work / "tui-export.csv"
    for stale in work.glob("tui-export*"):
        stale.unlink()
    gap, wall, frames = measure_export_gaps(data, learner, out)
    return [Figure(f"longest frame gap, TUI export of {n:,}", gap, "s", None, 0.100,
                   f"{wall:.1f} s export, {frames} frames")]


def fig_import(work: Path, quick: bool) -> list[Figure]:
    """Import of a generated 10,000-question GIFT file (benchmarks/import_bank.py)."""
    from import_bank import measure

    n = 2_000 if quick else 10_000
    wall, cpu, alone = measure(work, n)
    return [Figure(f"import, {n:,}-question GIFT file", wall, "s", None, 5.0,
                   f"CPU {cpu:.2f} s; lark alone parses it in {alone:.2f} s")]


def fig_cohort(work: Path, quick: bool) -> list[Figure]:
    """Cohort report over 200 learner JSON exports."""
    exports = work / "exports"
    if not exports.exists():
        exports.mkdir()
        data = work / "export-small"
        data.mkdir(exist_ok=True)
        learner = _fill_responses(data, 400)
        template = exports / "template.json"
        subprocess.run([PY, "-m", "vpkp_tutor", "--data-dir", str(data), "export",
                        "--learner", learner, "--format", "json", "-o", str(template)],
                       check=True, capture_output=True)
        record = json.loads(template.read_text())
        template.unlink()
        raw = json.dumps(record)
        for i in range(200):
            new_id = f"{i:032x}"
            (exports / f"learner-{i:03d}.json").write_text(
                raw.replace(learner, new_id).replace("Bench Learner", f"Resident {i:03d}"))
    files = sorted(str(p) for p in exports.glob("learner-*.json"))

    def ours() -> None:
        subprocess.run([PY, "-m", "vpkp_tutor", "report", *files, "-o",
                        str(work / "cohort.csv")], check=True, capture_output=True)

    t = min(best_of(ours, 1) for _ in range(1 if quick else 3))
    return [Figure("cohort report, 200 learner exports", t, "s", None, 2.0,
                   "400 responses each, incl. process start")]


def fig_report_scale(work: Path, quick: bool) -> list[Figure]:
    """The director's report over 500 learners × 2,000 responses, beside DuckDB."""
    import report_scale

    learners, responses = (100, 2000) if quick else (500, 2000)
    m = report_scale.measure(work / "report-scale", learners, responses, 1 if quick else 3)
    rows = f"{learners * responses:,} rows"
    return [Figure("director report (HTML + item CSV)", m["report_s"], "s", None,
                   report_scale.TIME_LIMIT, f"{rows}; {m['report_cpu_s']:.1f} s CPU"),
            Figure("director report, peak memory", m["report_mb"], "MB", None,
                   report_scale.MEMORY_LIMIT_MB, rows),
            Figure("director report vs DuckDB item statistics", m["report_s"], "s",
                   m["duckdb_s"], report_scale.DUCKDB_RATIO,
                   f"CPU {m['report_cpu_s']:.1f} s vs {m['duckdb_cpu_s']:.1f} s "
                   f"({m['report_cpu_s'] / m['duckdb_cpu_s']:.1f}×); DuckDB checks "
                   f"nothing and computes only these two (report_scale.py); largest "
                   f"difference {m['max_diff']:.1g}")]


def fig_studio(work: Path, quick: bool) -> list[Figure]:
    """The educator's tools: validate of the bundled course, a `--watch` re-check and a
    preview reload of one changed file in a 10,000-question course (benchmarks/
    validate_watch.py)."""
    import shutil as _shutil

    from validate_watch import preview_reload, validate_bundled, watch_recheck

    source = generated_bank(work, 10_000, 200, 200)
    bank = work / "studio-bank"  # edited by the figures: a copy
    if not bank.exists():
        _shutil.copytree(source, bank)
    runs = 2 if quick else 3
    return [
        Figure("validate, bundled course", validate_bundled(runs), "s", None, 0.5),
        Figure("watch re-check, 10,000 questions", watch_recheck(bank, runs), "s", None, 0.3),
        Figure("preview reload, 10,000 questions", preview_reload(bank, runs), "s", None, 0.3),
    ]


def fig_make_test(work: Path, quick: bool) -> list[Figure]:
    """Wall time of `make test` (lint + the whole suite)."""
    t = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError("make test failed:\n" + done.stdout[-2000:] + done.stderr[-2000:])
    return [Figure("make test", elapsed, "s", None, 300.0, f"{os.cpu_count()} cores")]


def fig_lrs_sync(work: Path, quick: bool) -> list[Figure]:
    from lrs_sync import fig_lrs_sync as run

    return run(work, quick)


def fig_lrs_queue(work: Path, quick: bool) -> list[Figure]:
    from lrs_sync import fig_queue_cost

    return fig_queue_cost(work, quick)


FIGURES: dict[str, Callable[[Path, bool], list[Figure]]] = {
    "startup": fig_startup,
    "load": fig_load_validate,
    "keypress": fig_keypress,
    "drill": fig_drill,
    "csv": fig_csv_export,
    "export-frames": fig_export_frames,
    "cohort": fig_cohort,
    "report-scale": fig_report_scale,
    "lrs-queue": fig_lrs_queue,
    "lrs-sync": fig_lrs_sync,
    "import": fig_import,
    "studio": fig_studio,
    "make-test": fig_make_test,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description="VP/KP Tutor benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller export")
    parser.add_argument("--only", nargs="*", choices=list(FIGURES), help="run only these")
    parser.add_argument("--skip-make-test", action="store_true")
    parser.add_argument("--work", type=Path, help="keep generated data here between runs")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="vpkp-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    names = args.only or [n for n in FIGURES if not (args.skip_make_test and n == "make-test")]
    print(f"{'':4} {'figure':<44} {'value':>14} {'floor':>14} {'ratio':>7}  target")
    results: list[Figure] = []
    failed = False
    for name in names:
        try:
            figures = FIGURES[name](work, args.quick)
        except Exception as exc:  # report and go on with the other figures
            print(f"FAIL {name}: {exc}")
            failed = True
            continue
        for fig in figures:
            print(fig.line(), flush=True)
            results.append(fig)
    missed = [f.name for f in results if not f.ok]
    print(f"\n{len(results) - len(missed)} of {len(results)} targets hold"
          + (f"; missed: {', '.join(missed)}" if missed else ""))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if missed or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
