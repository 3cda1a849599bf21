"""Import of a generated 10,000-question GIFT file, beside the time lark alone takes to
parse the same questions.

    python benchmarks/import_bank.py [N] [RUNS]

The file mixes the types GIFT carries (single and multiple choice with feedback and weights,
true/false, short answer, numeric with tolerance, matching, missing word). The import is
run as a person runs it (`vpkp-tutor import … --to COURSE`), so the figure includes
start-up, mapping, writing the YAML and validating it with the app's loader. It is run
RUNS times (default 3) and the median is given, wall clock and CPU (user + system): on a
shared machine the wall clock says how busy the machine was, the CPU time what the import
cost.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEMPLATES = (
    "::gen-{i}::Which level {i} is described?{{\n=T12#Right.\n~L1#No.\n~L2#No.\n"
    "~T11#No.\n####The thoracolumbar junction.\n}}\n",
    "::gen-{i}::Pick the veins ({i}).{{\n~%50%Basivertebral\n~%50%Epidural plexus\n"
    "~%-50%Pedicle\n~%-50%Lamina\n}}\n",
    "::gen-{i}::Statement {i} is true.{{TRUE#Wrong.#Right.}}\n",
    "::gen-{i}::Name the corridor {i}.{{=pedicle#Yes. =%50%pedicles#Nearly.}}\n",
    "::gen-{i}::Volume {i} in mL?{{#3:1}}\n",
    "::gen-{i}::Match the codes {i}.{{\n=VP lumbar -> 22511\n=KP thoracic -> 22513\n"
    "= -> 20225\n}}\n",
    "::gen-{i}::The cement goes into the {{~disc =body ~canal}} of vertebra {i}.\n",
)


def make_bank(path: Path, n: int = 10_000) -> None:
    """Write a GIFT file of `n` questions."""
    parts = ["$CATEGORY: $course$/top/anatomy\n\n"]
    parts += [TEMPLATES[i % len(TEMPLATES)].format(i=i) + "\n" for i in range(n)]
    path.write_text("".join(parts), encoding="utf-8")


def library_alone(path: Path) -> float:
    """Seconds lark takes to parse every question block of the file (best of 3)."""
    from vpkp_tutor.interchange.gift import blocks, parser

    text = path.read_text(encoding="utf-8")
    p = parser()
    found = [b.text.strip() for b in blocks(text)]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for body in found:
            p.parse(body)
        best = min(best, time.perf_counter() - start)
    return best


def full_import(path: Path, work: Path) -> tuple[float, float]:
    """Seconds `vpkp-tutor import` takes end to end in a new process: wall clock and CPU
    (the CPU time tells a loaded machine from a slow import)."""
    import resource

    course = work / "course"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "vpkp_tutor", "import", str(path), "--to",
                           str(course), "--topic", "anatomy", "--force"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(work: Path, n: int = 10_000, runs: int = 3) -> tuple[float, float, float]:
    """(import seconds, its CPU seconds, library-alone seconds) for an `n`-question file:
    the medians of `runs` imports."""
    bank = work / "bank-10k.gift"
    make_bank(bank, n)
    times = [full_import(bank, work) for _ in range(runs)]
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return wall, cpu, library_alone(bank)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        total, cpu, alone = measure(Path(tmp), count, repeat)
    print(f"import of {count:,} GIFT questions: {total:.2f} s (CPU {cpu:.2f} s; median of "
          f"{repeat}); lark alone: {alone:.2f} s")
