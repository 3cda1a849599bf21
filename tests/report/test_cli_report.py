"""`vpkp-tutor report … --html/--csv/--anonymise`: real files, real subprocess for the
no-traceback promise, hostile names escaped."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.gen import HOSTILE_COMMENT, Cohort, make_cohort, two_courses
from vpkp_tutor.cli import main

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    names = [HOSTILE, "Ana \"A&B\" O'Neil", "=cmd|' /C calc'!A0"]
    return make_cohort(tmp_path_factory.mktemp("exports"), learners=40, names=names)


def run(*args: str, data: Path) -> int:
    return main(["--data-dir", str(data), "report", *args])


def test_html_from_a_folder(cohort: Cohort, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert run(str(cohort.paths[0].parent), "--html", str(out), data=tmp_path / "d") == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (HTML report)" in printed
    html = out.read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ana &#34;A&amp;B&#34; O&#39;Neil" in html
    assert html.count("<script>") == 1  # the sorting script, and nothing else
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html
    for section in ("summary", "behind", "learners", "heatmap", "items", "errors", "cases",
                    "method"):
        assert f'<section id="{section}"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no .part


def test_terminal_summary_has_the_flags(cohort: Cohort, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*map(str, cohort.paths), data=tmp_path / "d") == 0
    printed = capsys.readouterr().out
    assert "Item flags:" in printed
    flags = printed[printed.index("Item flags:"):]
    line = next(x for x in flags.splitlines() if x.startswith("q.miskey"))
    assert "possible" in line and "negative discrimination" in line
    assert not list(tmp_path.glob("*.html"))


def test_items_csv(cohort: Cohort, tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    assert run(*map(str, cohort.paths), "--csv", str(out), data=tmp_path / "d") == 0
    rows = {r["question_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert "possible_miskey" in rows["q.miskey"]["flags"].split(";")
    assert "too_easy" in rows["q.easy"]["flags"].split(";")
    assert rows["q.miskey"]["n"] == "40"
    assert rows["q.miskey"]["option_point_biserials"].startswith("A=-")
    # the "disagree with the key" answers and comments, as in the exports
    said: dict[str, list[str]] = {}
    for path in cohort.paths:
        for r in json.loads(path.read_text(encoding="utf-8"))["responses"]:
            if r.get("error_tag") == "disagree":
                said.setdefault(r["question_id"], []).append(r["error_comment"])
    assert set(said) == {"q.miskey"}
    for qid, row in rows.items():
        assert int(row["disagree"]) == len(said.get(qid, []))
        assert sorted(json.loads(row["disagree_comments"])) == sorted(
            c for c in said.get(qid, []) if c)
    assert HOSTILE_COMMENT in json.loads(rows["q.miskey"]["disagree_comments"])


def test_anonymise_uses_stable_codes(cohort: Cohort, tmp_path: Path) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for out in (first, second):
        assert run(*map(str, cohort.paths), "--html", str(out), "--anonymise",
                   data=tmp_path / "d") == 0
    a, b = (p.read_text(encoding="utf-8") for p in (first, second))
    assert "Learner 010" not in a and "alert(1)" not in a and "Metro IR" not in a
    assert "l0010" not in a  # nor the learner ids
    from vpkp_tutor.report.build import anonymous_code

    code = anonymous_code("l0010")
    assert code in a and code in b


def test_existing_output_is_kept_without_force(cohort: Cohort, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    out.write_text("old", encoding="utf-8")
    assert run(str(cohort.paths[0]), "--html", str(out), data=tmp_path / "d") == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "old"
    assert run(str(cohort.paths[0]), "--html", str(out), "--force", data=tmp_path / "d") == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_export_is_located_and_nothing_is_written(cohort: Cohort, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    doc = json.loads(cohort.paths[1].read_text(encoding="utf-8"))
    doc["responses"][3]["points"] = "ten"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "report.html"
    out.write_text("old", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "--data-dir", str(tmp_path / "d"), "report",
         str(cohort.paths[0]), str(bad), "--html", str(out), "--csv",
         str(tmp_path / "i.csv"), "--force"],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (f"vpkp-tutor: error: {bad}: responses[3].points: expected a "
                           "number, got text\n")
    assert out.read_text(encoding="utf-8") == "old"
    assert not (tmp_path / "i.csv").exists()


def test_folder_without_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(str(empty), "--html", str(tmp_path / "r.html"), data=tmp_path / "d") == 2
    assert f"{empty}: a folder with no JSON exports" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_the_same_file_twice_as_outputs(cohort: Cohort, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x"
    assert run(str(cohort.paths[0]), "--html", str(out), "--csv", str(out),
               data=tmp_path / "d") == 2
    assert "the same file as --html" in capsys.readouterr().err


def test_threshold_out_of_range(cohort: Cohort, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(cohort.paths[0]), "--threshold", "60", data=tmp_path / "d") == 2
    assert "not between 0 and 1" in capsys.readouterr().err
    # counts: at least one answer before an item is judged; no negative list length
    assert run(str(cohort.paths[0]), "--min-n", "-1", data=tmp_path / "d") == 2
    assert "argument --min-n: -1 is less than 1" in capsys.readouterr().err
    assert run(str(cohort.paths[0]), "--top", "-5", data=tmp_path / "d") == 2
    assert "-5 is less than 0" in capsys.readouterr().err
    assert run(str(cohort.paths[0]), "--top", "lots", data=tmp_path / "d") == 2
    assert "'lots' is not a whole number" in capsys.readouterr().err


def test_one_learner_in_two_courses_in_the_csv_and_html(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two rows for the learner in each output, each with its own course's numbers."""
    from html.parser import HTMLParser

    vp, kp, other = two_courses(tmp_path / "exports")
    out, html_out = tmp_path / "cohort.csv", tmp_path / "report.html"
    assert run(str(vp), str(kp), str(other), "-o", str(out), "--html", str(html_out),
               data=tmp_path / "d") == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert "2 learners in 2 courses" in capsys.readouterr().out
    mine = {(r["course_id"], r["topic"]): r for r in rows if r["learner_id"] == "l0000"}
    assert {c for c, _ in mine} == {"vp", "kp"}
    assert all(r["accuracy"] == ("1.0" if c == "vp" else "0.0") for (c, _), r in mine.items())
    assert {r["course_version"] for (c, _), r in mine.items() if c == "kp"} == {"kp-1"}
    assert sum(int(r["responses"]) for (c, _), r in mine.items() if c == "kp") == 12

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[tuple[str, str, list[str]]] = []
            self.cells: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "tr" and "data-learner" in a:
                self.rows.append((a["data-learner"] or "", a["data-course"] or "", []))
                self.cells = self.rows[-1][2]
            elif tag == "td" and self.cells is not None:
                self.cells.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "tr":
                self.cells = None

        def handle_data(self, data: str) -> None:
            if self.cells:
                self.cells[-1] += data

    parser = Rows()
    parser.feed(html_out.read_text(encoding="utf-8"))
    by_row = {(lid, course): cells for lid, course, cells in parser.rows}
    assert sorted(by_row) == [("Name l0000", "kp"), ("Name l0000", "vp"), ("Name l0001", "vp")]
    # name, course, programme, answers, accuracy
    mine = [by_row["Name l0000", c] for c in ("vp", "kp")]
    assert [cells[1].split()[0] for cells in mine] == ["vp", "kp"]
    assert [[c.strip() for c in cells[3:5]] for cells in mine] == [["12", "100%"], ["12", "0%"]]
    assert '<div class="card" data-figure="learners"><b>2</b>learners in 2 courses' in (
        html_out.read_text(encoding="utf-8"))


def test_topics_sharing_a_heading_are_told_apart_by_their_ids() -> None:
    from types import SimpleNamespace

    from vpkp_tutor.cli_report import headings
    from vpkp_tutor.domain.model import Topic

    topics = {t.id: t for t in (Topic("sacrum", "The sacrum"), Topic("coccyx", "The coccyx"),
                                Topic("anatomy", "Anatomy"))}
    report = SimpleNamespace(topic=topics.__getitem__)
    assert headings(report, topics) == {  # type: ignore[arg-type]
        "sacrum": "Sacr", "coccyx": "Cocc", "anatomy": "Ana"}


@pytest.mark.parametrize("columns", [80, 44])
def test_every_topic_column_is_printed_however_narrow_the_terminal(
        cohort: Cohort, tmp_path: Path, columns: int, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Topic columns that do not fit beside the others follow in a second table with the
    learners' names (they used to be dropped, or cut to `A…`, with nothing said)."""
    from vpkp_tutor.cli_report import headings
    from vpkp_tutor.export.cohort import build_report

    monkeypatch.setenv("COLUMNS", str(columns))
    paths = cohort.paths[:2]
    assert run(*map(str, paths), data=tmp_path / "d") == 0
    printed = capsys.readouterr().out
    table = printed[printed.index("Learners:"):printed.index("Acc: points")]
    assert max(len(line) for line in table.splitlines()) <= columns
    heads = [line.split("│")[1].split() for line in table.splitlines()
             if line.startswith("Learner ")]
    report = build_report(paths)
    topics = dict.fromkeys(row.topic for row in report.rows)
    assert [h for line in heads for h in line] == list(headings(report, topics).values())
    assert "Acc Items Lessons Crit" in table  # whole, in the first table
    cohort_lines = [line for line in table.splitlines() if line.startswith("Cohort (2)")]
    assert len(cohort_lines) == len(heads)  # each table has its figures for the cohort
