"""Hostile inputs to `report` and hostile output paths for `export`, through the real
command in a subprocess: every one ends in one located message, exit status 1 or 2, no
traceback, and no file created or changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.export.conftest import populate

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vpkp_tutor", *argv], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def assert_refused(proc: subprocess.CompletedProcess[str], *located: str) -> None:
    assert proc.returncode in (1, 2), (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vpkp-tutor: error: "), proc.stderr
    for part in located:
        assert part in lines[0], (part, lines[0])


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("hostile")
    p = populate(base / "data", name="Ana")
    out = p.services.export(p.learner_id, "json", base / "ana.json")
    p.services.store.close()
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def _points(value: str) -> Callable[[str], str]:
    return lambda text: text.replace('"points": 1.0', f'"points": {value}', 1)


CASES: list[tuple[str, Callable[[str], str], str]] = [
    ("nan", _points("NaN"), "not valid JSON"),
    ("infinity", _points("Infinity"), "not valid JSON"),
    ("minus-infinity", _points("-Infinity"), "not valid JSON"),
    ("1e999", _points("1e999"), "responses[0].points: number out of range"),
    ("huge-int", _points("9" * 5000), "responses[0].points: number out of range"),
    ("more-than-max", _points("7"), "responses[0].points: 7 is outside 0 to max_points"),
    ("negative-points", _points("-5"), "responses[0].points: -5 is outside 0 to max_points"),
    ("bad-date", lambda t: t.replace('"answered_at": "', '"answered_at": "0001-01-01T00:00:00'
                                     '+05:00", "x": "', 1),
     "responses[0].answered_at: not a real date"),
    ("far-date", lambda t: t.replace('"answered_at": "', '"answered_at": "9999-12-31T23:59:59'
                                     '-05:00", "x": "', 1),
     "responses[0].answered_at: not a real date"),
    ("nested", lambda t: t.replace('"flags": [', '"extra": ' + "[" * 100_000 + "]" * 100_000
                                   + ', "flags": [', 1), "nested too deeply"),
    ("nested-in-field", lambda t: t.replace('"flags": [', '"flags": [' + "[" * 100_000
                                            + "]" * 100_000 + ",", 1), "flags[0]"),
    ("surrogate", lambda t: t.replace('"display_name": "Ana"', '"display_name": "A\\ud800na"'),
     "lone surrogate \\ud800"),
    ("low-surrogate", lambda t: t.replace('"display_name": "Ana"', '"display_name": "\\udc00"'),
     "lone surrogate \\udc00"),
    ("negative-seconds", lambda t: t.replace('"seconds": 12.5', '"seconds": -1', 1),
     "responses[0].seconds"),
    ("huge-name", lambda t: t.replace('"display_name": "Ana"',
                                      '"display_name": "' + "A" * 20_000 + '"'),
     "learner.display_name: expected text of length"),
]


@pytest.mark.parametrize(("name", "mutate", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_export_is_refused_with_its_place(tmp_path: Path, good: dict[str, Any],
                                                   name: str, mutate: Callable[[str], str],
                                                   message: str) -> None:
    text = json.dumps(good, indent=1)
    bad = mutate(text)
    assert bad != text, "the mutation found nothing to change"
    path = tmp_path / f"{name}.json"
    path.write_text(bad, encoding="utf-8", errors="surrogatepass")
    fine = tmp_path / "fine.json"
    fine.write_text(text, encoding="utf-8")
    proc = run("report", str(fine), str(path), "-o", "cohort.csv", cwd=tmp_path)
    assert_refused(proc, str(path), message)
    assert not (tmp_path / "cohort.csv").exists()
    assert proc.stdout == ""


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    proc = run("report", "/dev/zero", "-o", "cohort.csv", cwd=tmp_path, timeout=30)
    assert_refused(proc, "/dev/zero", "not a regular file")
    assert not (tmp_path / "cohort.csv").exists()


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    proc = run("report", str(fifo), "-o", "cohort.csv", cwd=tmp_path, timeout=30)
    assert_refused(proc, str(fifo), "not a regular file")
    assert not (tmp_path / "cohort.csv").exists()


def test_a_folder_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    assert_refused(run("report", str(tmp_path), cwd=tmp_path), str(tmp_path), "a folder")
    missing = tmp_path / "nope.json"
    assert_refused(run("report", str(missing), cwd=tmp_path), str(missing), "cannot read")


def test_an_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    from vpkp_tutor.export.json_export import MAX_EXPORT_BYTES

    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # sparse: costs no disk and, refused by size, no memory
        fh.truncate(MAX_EXPORT_BYTES + 1)
    proc = run("report", str(big), "-o", "cohort.csv", cwd=tmp_path)
    assert_refused(proc, str(big), "too large")
    assert not (tmp_path / "cohort.csv").exists()


@pytest.mark.parametrize("grown_to, whole", [(300, True), (2_000, False)])
def test_a_file_that_grows_after_its_size_is_taken_is_read_to_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grown_to: int, whole: bool) -> None:
    """The size found first only sets the first read: a file that grew since is read on,
    whole when it stays within the limit, refused when it passes it."""
    from vpkp_tutor.export import files
    from vpkp_tutor.export.files import ExportError, read_bounded

    path = tmp_path / "growing.json"
    path.write_bytes(b"x" * grown_to)
    real_stat = os.stat

    def stat_when_it_was_small(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        found = real_stat(target, *args, **kwargs)
        if str(target) != str(path):
            return found
        fields = list(found)
        fields[6] = 100  # st_size, as it was when looked at
        return os.stat_result(fields)

    monkeypatch.setattr(files.os, "stat", stat_when_it_was_small)
    assert os.stat(path).st_size == 100
    if whole:
        assert read_bounded(path, limit=1_000) == b"x" * grown_to
    else:
        with pytest.raises(ExportError, match="too large"):
            read_bounded(path, limit=1_000)


def test_a_report_meeting_a_full_disk(tmp_path: Path) -> None:
    """Files may grow by 4 KB at most (`RLIMIT_FSIZE`, a limit the kernel enforces as a full
    disk would be met): the reading processes cannot hand back what they read through their
    temporary files, so the report's own process reads the exports and the summary is the
    same as with room to spare; the HTML cannot be written, which is said in one located
    line, and nothing is left behind."""
    from tests.report.gen import make_cohort
    from vpkp_tutor.export.json_read import PARALLEL_FROM

    cohort = make_cohort(tmp_path / "exports", learners=PARALLEL_FROM + 8, pool=15,
                         practice=3, seed=9)
    folder = str(cohort.paths[0].parent)
    out = tmp_path / "out"
    out.mkdir()

    def report(*extra: str, room: int | None = None) -> subprocess.CompletedProcess[str]:
        limit = ("import resource\n"
                 f"resource.setrlimit(resource.RLIMIT_FSIZE, ({room}, {room}))\n"
                 if room else "")
        code = (f"{limit}import sys\nfrom vpkp_tutor.cli import main\n"
                f"sys.exit(main({['--data-dir', str(tmp_path / 'data'), 'report', folder, *extra]!r}))")
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})

    roomy = report()
    assert roomy.returncode == 0, roomy.stderr
    squeezed = report(room=4096)
    assert squeezed.returncode == 0, squeezed.stderr
    assert squeezed.stdout == roomy.stdout and "Cohort report" in roomy.stdout

    html = out / "report.html"
    refused = report("--html", str(html), room=4096)
    assert_refused(refused, f"cannot write {html}: File too large")
    assert list(out.iterdir()) == []


def test_a_nan_in_a_stored_export_never_reaches_the_cohort(tmp_path: Path,
                                                          good: dict[str, Any]) -> None:
    """Python's json module writes NaN when asked; such a file is refused, not averaged."""
    doc = json.loads(json.dumps(good))
    doc["responses"][2]["max_points"] = float("nan")
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    proc = run("report", str(path), "-o", "cohort.csv", cwd=tmp_path)
    assert_refused(proc, str(path))
    assert "nan" not in proc.stdout.lower()
    assert not (tmp_path / "cohort.csv").exists()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    p = populate(tmp_path / "data", name="Ana")
    p.services.store.close()
    return tmp_path / "data"


@pytest.mark.parametrize("name", ["progress.sqlite3", "progress.sqlite3-wal",
                                  "progress.sqlite3-shm", "backups/daily-x.sqlite3"])
def test_export_onto_the_data_folder_is_refused(data_dir: Path, tmp_path: Path,
                                                name: str) -> None:
    (data_dir / "backups").mkdir(exist_ok=True)
    (data_dir / "backups/daily-x.sqlite3").write_bytes(b"backup bytes")
    kept = [data_dir / "progress.sqlite3", data_dir / "backups/daily-x.sqlite3"]
    export = tmp_path / "ana.json"
    assert run("--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", "json",
               "-o", str(export), cwd=tmp_path).returncode == 0
    before = [p.read_bytes() for p in kept]
    for fmt in ("csv", "json", "xapi"):
        proc = run("--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", fmt,
                   "-o", str(data_dir / name), "--force", cwd=tmp_path)
        assert_refused(proc, str(data_dir / name), "progress database")
    proc = run("--data-dir", str(data_dir), "report", str(export), "-o",
               str(data_dir / name), "--force", cwd=tmp_path)
    assert_refused(proc, "progress database")
    assert [p.read_bytes() for p in kept] == before
    assert not [p for p in data_dir.rglob("*") if p.name.endswith(".part")]


def test_existing_output_is_refused_without_force(data_dir: Path, tmp_path: Path) -> None:
    for fmt, name in (("csv", "a.csv"), ("csv", "b-summary.csv"), ("json", "a.json"),
                      ("xapi", "a.jsonl")):
        target = tmp_path / name
        target.write_bytes(b"precious\r\n")
        out = tmp_path / name.replace("-summary", "")
        proc = run("--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", fmt,
                   "-o", str(out), cwd=tmp_path)
        assert_refused(proc, str(target), "already exists", "--force")
        assert target.read_bytes() == b"precious\r\n"
        target.unlink()
