"""The director's report at scale: 500 learners × 2,000 responses (1,000,000 rows).

    python benchmarks/report_scale.py [--learners N] [--responses N] [--runs N] [--work DIR]

Figures: wall time, CPU time and peak memory of `vpkp-tutor report FOLDER --html … --csv …`
(a fresh process, the bundled content loaded for stems and options), beside the time DuckDB
takes to compute the same per-item facility and corrected point-biserial. DuckDB's figures
are also compared with the report's CSV, as a check.

What each side does, so the ratio is read for what it is:

- Both start from the same export files in the same folder: DuckDB's `read_json` reads
  every file (on all cores, as the report's worker processes do) and takes each learner's
  first answer to each item (`arg_min` on `answered_at`), item score = points / max_points,
  rest score = the mean of the learner's other first answers, `corr` per item.
- DuckDB is given the easier job. It runs in this process, so its time leaves out the
  interpreter's start and `import duckdb`, which the report's time includes (with the
  content bank's loading). It checks nothing: the report refuses a file with any field
  out of bounds (and names it), merges exports by learner, course and response id (the
  same answer in two exports counts once), and then goes on to what DuckDB does not
  compute at all: the upper–lower index, option proportions and point-biserials, flags,
  form reliability, the learner × topic and × objective roll-ups, the error profile, the
  HTML page, the item CSV and the printed summary.
- On a shared machine the CPU times are the steadier figures; both ratios are printed,
  the target is on wall time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.report.gen import FORM, learner_doc, make_items  # noqa: E402

TIME_LIMIT = 10.0
MEMORY_LIMIT_MB = 1024.0
DUCKDB_RATIO = 3.0


def generate(folder: Path, learners: int, responses: int, seed: int = 11) -> None:
    """`learners` exports of `responses` answers each (an exam form, then practice)."""
    if (folder / ".complete").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    items = make_items(max(2500, responses + 100), rng)
    pool = list(items)
    exam = (*FORM, "q.easy", "q.miskey")
    for n in range(learners):
        drill = rng.sample(pool, responses - len(exam))
        doc = learner_doc(f"l{n:05d}", f"Resident {n:03d}", items,
                          [(f"exam-{n}", "exam", exam), (f"drill-{n}", "tutor", drill)],
                          rng.gauss(0, 1), rng, case_critical=n % 5 == 0, lessons_done=n % 3)
        (folder / f"learner-{n:05d}.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / ".complete").touch()


def run_report(folder: Path, out: Path, data: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of the report command in a fresh
    process (on a shared machine the CPU time is the steadier figure; it counts the
    processes the report starts to read exports, which it waits for)."""
    for name in ("report.html", "items.csv"):
        (out / name).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "vpkp_tutor", "--data-dir", str(data), "report", str(folder),
            "--html", str(out / "report.html"), "--csv", str(out / "items.csv")]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"report failed ({proc.returncode}): {err[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


DUCKDB_SQL = """
WITH resp AS (
  SELECT learner.id AS lid, unnest(responses) AS r
  FROM read_json(?, maximum_object_size = 67108864)
), first AS (
  SELECT lid, r.question_id AS q,
         arg_min(CASE WHEN r.max_points > 0 THEN r.points / r.max_points ELSE 0 END,
                 r.answered_at) AS s
  FROM resp GROUP BY lid, q
), tot AS (
  SELECT lid, sum(s) AS total, count(*) AS k FROM first GROUP BY lid
)
SELECT q, avg(s) AS facility,
       corr(s, CASE WHEN k > 1 THEN (total - s) / (k - 1) END) AS pb, count(*) AS n
FROM first JOIN tot USING (lid) GROUP BY q
"""


def run_duckdb(folder: Path
               ) -> tuple[float, float, dict[str, tuple[float, float | None, int]]]:
    """Wall and CPU seconds DuckDB takes (a fresh connection) and its per-item figures."""
    import duckdb

    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect()
    rows = con.execute(DUCKDB_SQL, [str(folder / "*.json")]).fetchall()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    con.close()
    return elapsed, cpu, {q: (f, pb, n) for q, f, pb, n in rows}


def compare(items_csv: Path, duck: dict[str, tuple[float, float | None, int]]) -> float:
    """Largest difference between the report's and DuckDB's facility and point-biserial."""
    worst = 0.0
    with items_csv.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            f, pb, n = duck[row["question_id"]]
            assert int(row["n"]) == n, row["question_id"]
            worst = max(worst, abs(float(row["facility"]) - f))
            if row["point_biserial"] and pb is not None:
                worst = max(worst, abs(float(row["point_biserial"]) - pb))
    return worst


def measure(work: Path, learners: int = 500, responses: int = 2000,
            runs: int = 1) -> dict[str, float]:
    """Generate (once) and measure; the best of `runs` for each timing."""
    folder = work / f"exports-{learners}x{responses}"
    t0 = time.perf_counter()
    generate(folder, learners, responses)
    generated = time.perf_counter() - t0
    out = work / "out"
    out.mkdir(exist_ok=True)
    report, duck = [], []
    for _ in range(runs):  # taken in turns: a shared machine's slower spells hit both
        report.append(run_report(folder, out, work / "data"))
        duck.append(run_duckdb(folder))
    worst = compare(out / "items.csv", duck[0][2])
    return {"report_s": min(r[0] for r in report), "report_cpu_s": min(r[1] for r in report),
            "report_mb": max(r[2] for r in report), "duckdb_s": min(d[0] for d in duck),
            "duckdb_cpu_s": min(d[1] for d in duck), "max_diff": worst,
            "generate_s": generated, "load": os.getloadavg()[0],
            "html_mb": (out / "report.html").stat().st_size / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="vpkp-report-bench-"))
    m = measure(work, args.learners, args.responses, args.runs)
    rows = args.learners * args.responses
    print(f"{rows:,} rows (generated in {m['generate_s']:.1f} s, in {work}); load average "
          f"{m['load']:.1f} on {os.cpu_count()} cores")
    print(f"report: {m['report_s']:.2f} s, {m['report_cpu_s']:.2f} s CPU "
          f"(target < {TIME_LIMIT:g} s), peak "
          f"{m['report_mb']:.0f} MB (target < {MEMORY_LIMIT_MB:g} MB), HTML "
          f"{m['html_mb']:.1f} MB")
    print(f"DuckDB facility + point-biserial: {m['duckdb_s']:.2f} s, "
          f"{m['duckdb_cpu_s']:.2f} s CPU; ratio "
          f"{m['report_s'] / m['duckdb_s']:.2f}× (target ≤ {DUCKDB_RATIO:g}×), CPU "
          f"{m['report_cpu_s'] / m['duckdb_cpu_s']:.2f}×; largest difference "
          f"{m['max_diff']:.2g}")
    ok = (m["report_s"] < TIME_LIMIT and m["report_mb"] < MEMORY_LIMIT_MB
          and m["max_diff"] < 1e-3)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
