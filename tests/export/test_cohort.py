"""The cohort report: three residents, idempotent merges, content-version flags, the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from tests.export.conftest import populate
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.export import ExportError
from vpkp_tutor.export.cohort import build_report, write_cohort_csv
from vpkp_tutor.export.csv_export import read_csv

RIGHT: dict[str, AnswerValue] = {"anat.sb1": "B", "anat.tf1": "A", "anat.mr1": ("A", "C"), "comp.or1": (0, 1, 2),
         "comp.ma1": ("22510", "22513"), "comp.nu1": 5.0}
WRONG: dict[str, AnswerValue] = {"anat.sb1": "A", "anat.tf1": "B", "anat.mr1": ("B",), "comp.or1": (2, 1, 0),
         "comp.ma1": (None, None), "comp.nu1": 9.0}


def three_residents(tmp_path: Path, fingerprints: tuple[str, str, str] = ("fp", "fp", "fp")
                    ) -> list[Path]:
    paths = []
    for i, (name, answers) in enumerate((("Ana", RIGHT), ("Ben", WRONG), ("=Cy", None))):
        p = populate(tmp_path / name, name=name, answers=answers,
                     fingerprint=fingerprints[i])
        paths.append(p.services.export(p.learner_id, "json", tmp_path / f"{i}-{name}.json"))
        p.services.store.close()
    return paths


def rows_of(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["learner_name"], r["topic"]): r for r in read_csv(path)}


def test_three_residents(tmp_path: Path) -> None:
    report = build_report(three_residents(tmp_path))
    assert [m.learner.display_name for m in report.learners] == ["=Cy", "Ana", "Ben"]
    assert not report.fingerprint_mismatch and report.duplicates_ignored == 0
    out = write_cohort_csv(report, tmp_path / "cohort.csv")
    rows = rows_of(out)
    assert len(rows) == 6
    ana, ben = rows[("Ana", "anatomy")], rows[("Ben", "anatomy")]
    # Ana: three right in the exam, then one lesson-check miss on anat.sb1
    assert (ana["responses"], ana["items_answered"], float(ana["accuracy"])) == ("4", "3", 0.75)
    assert (ben["responses"], float(ben["points"])) == ("4", 0.0)
    assert (ana["lessons_completed"], ana["lessons_total"]) == ("1", "1")
    comp = rows[("Ana", "complications")]
    assert (comp["case_runs"], comp["case_runs_with_critical_errors"]) == ("2", "1")
    assert comp["fingerprint_differs"] == "false"
    assert {c.learner.display_name for c in report.critical_cases} == {"Ana", "Ben", "=Cy"}
    top = report.most_missed[0]
    assert (top.question_id, top.misses, top.learners_missing) == ("anat.sb1", 4, 3)
    with open(out, encoding="utf-8", newline="") as f:
        names = [r[1] for r in csv.reader(f)][1:]
    assert "'=Cy" in names  # neutralised for the spreadsheet, restored by read_csv


def test_cohort_csv_accuracy_is_empty_when_nothing_was_answered(tmp_path: Path) -> None:
    """As in the learner's summary CSV: all wrong is 0.0, nothing answered an empty cell."""
    p = populate(tmp_path / "dee", name="Dee", answers={"anat.sb1": "A"})  # the key is B
    try:
        path = p.services.export(p.learner_id, "json", tmp_path / "dee.json")
    finally:
        p.services.store.close()
    rows = rows_of(write_cohort_csv(build_report([path]), tmp_path / "cohort.csv"))
    anat, comp = rows[("Dee", "anatomy")], rows[("Dee", "complications")]
    assert (anat["responses"], anat["accuracy"]) == ("2", "0.0")
    assert (comp["responses"], comp["max_points"], comp["accuracy"]) == ("0", "0.0", "")


def test_same_export_twice_counts_once(tmp_path: Path) -> None:
    paths = three_residents(tmp_path)
    once = build_report(paths)
    twice = build_report([*paths, paths[0], paths[1]])
    assert twice.duplicates_ignored == 2 * 7
    assert [r for r in twice.rows] == [r for r in once.rows]
    assert twice.most_missed == once.most_missed


def test_older_and_newer_export_of_one_learner_merge(tmp_path: Path) -> None:
    p = populate(tmp_path / "d", name="Ana")
    old = p.services.export(p.learner_id, "json", tmp_path / "old.json")
    p.clock.advance(days=1)
    p.services.answer_lesson_check(p.learner_id, "comp-leaks", "comp.nu1", 5.0, 9)
    new = p.services.export(p.learner_id, "json", tmp_path / "new.json")
    p.services.store.close()
    report = build_report([new, old])
    (learner,) = report.learners
    assert len(learner.responses) == 8 and report.duplicates_ignored == 7


def test_different_content_versions_are_flagged(tmp_path: Path) -> None:
    paths = three_residents(tmp_path, ("fp-A", "fp-A", "fp-B"))
    report = build_report(paths)
    assert report.fingerprint_mismatch
    assert report.fingerprints == {"fp-A": (str(paths[0]), str(paths[1])),
                                   "fp-B": (str(paths[2]),)}
    rows = rows_of(write_cohort_csv(report, tmp_path / "c.csv"))
    assert rows[("=Cy", "anatomy")]["content_fingerprint"] == "fp-B"
    assert all(r["fingerprint_differs"] == "true" for r in rows.values())


def test_a_bad_file_is_named(tmp_path: Path) -> None:
    paths = three_residents(tmp_path)
    doc = json.loads(paths[1].read_text(encoding="utf-8"))
    del doc["responses"][0]["question_id"]
    paths[1].write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ExportError, match=r"1-Ben\.json: responses\[0\]: missing field"):
        build_report(paths)


def test_exports_sorted_by_time_newest_profile_wins(tmp_path: Path) -> None:
    p = populate(tmp_path / "d", name="Ana")
    first = p.services.export(p.learner_id, "json", tmp_path / "a.json")
    doc = json.loads(first.read_text(encoding="utf-8"))
    doc["learner"]["program"] = "Renamed"
    doc["exported_at"] = (p.clock.now + dt.timedelta(days=1)).isoformat()
    later = tmp_path / "b.json"
    later.write_text(json.dumps(doc), encoding="utf-8")
    p.services.store.close()
    report = build_report([later, first])
    assert report.learners[0].learner.program == "Renamed"


def test_printed_report_has_a_line_per_learner_within_80_columns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from rich.cells import cell_len

    from vpkp_tutor.cli import main

    paths = three_residents(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["report", *map(str, paths), "-o", str(tmp_path / "c.csv")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(cell_len(line) for line in lines if not line.startswith("wrote ")) <= 80
    top = lines.index(next(line for line in lines if line.startswith("Learner ")))
    assert lines[top].split() == [
        "Learner", "Acc", "Items", "Lessons", "Crit", "│", "Ana", "Cmp"]
    grid = lines[top + 2:top + 5]  # one line per learner, under the header's rule
    by_name = {line.split()[0]: line.split()[1:] for line in grid}
    assert list(by_name) == ["=Cy", "Ana", "Ben"]
    # Ana: 6 of 7 points (86%), every item answered, 1 of 2 lessons, one critical run,
    # anatomy 3 of 4 (75%), complications 3 of 3 (100%); Ben scored nothing
    assert by_name["Ana"] == ["86", "100", "1/2", "1", "│", "75", "100"]
    assert by_name["Ben"] == ["0", "100", "1/2", "1", "│", "0", "0"]
    cohort = next(line for line in lines if line.startswith("Cohort (3)"))
    assert cohort.split()[2:] == ["44", "100", "3/6", "3", "│", "42", "46"]
    assert any("Ana Anatomy, Cmp Complications" in line for line in lines)
    assert any(line.split()[:3] == ["anat.sb1", "Anatomy", "4/6"] for line in lines)
