"""The column-wise report against a plain per-answer computation from the export files
(the app's own mastery functions, one learner and one answer at a time): the same figures
on a generated cohort with repeated practice, reviews, a newer export of one learner, a
duplicate file, naive and offset timestamps, and items of several types."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.report.gen import make_cohort
from vpkp_tutor.domain.mastery import item_score, mastery_value
from vpkp_tutor.export.cohort import CohortReport, build_report
from vpkp_tutor.report.items import analyse_items
from vpkp_tutor.report.rollup import TREND_MIN, build_rollup
from vpkp_tutor.report.why import TAGS, disagreements, error_profile


def _when(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("columns")
    cohort = make_cohort(folder, learners=40, pool=30, practice=25, seed=5)
    rng = random.Random(2)
    for path in cohort.paths[:20]:  # reviews of earlier items, some at other offsets
        doc = json.loads(path.read_text(encoding="utf-8"))
        for i, r in enumerate(rng.sample(doc["responses"], 8)):
            again = dict(r, id=f"{r['id']}-review-{i}", mode="review",
                         attempt_id=f"review-{i}", points=float(rng.random() < 0.6))
            again["correct"] = again["points"] == 1.0
            again["answered_at"] = (_when(r["answered_at"]) + dt.timedelta(days=3, hours=i)
                                    ).astimezone(dt.timezone(dt.timedelta(hours=-5))
                                                 ).isoformat()
            doc["responses"].append(again)
        doc["responses"][-1]["answered_at"] = doc["responses"][-1]["answered_at"][:19]
        mr = dict(doc["responses"][0], id="mr-1", question_id="q.mr", type="multiple_response",
                  answer=["A", "C"], points=0.5, max_points=1.0, correct=False)
        doc["responses"].append(mr)
        path.write_text(json.dumps(doc), encoding="utf-8")
    newer = json.loads(cohort.paths[0].read_text(encoding="utf-8"))
    newer["exported_at"] = "2027-01-01T00:00:00Z"
    newer["responses"][3].update(points=0.0, correct=False,
                                 answered_at="2027-01-01T00:00:00+02:00")
    (folder / "z-newer.json").write_text(json.dumps(newer), encoding="utf-8")
    shutil.copy(cohort.paths[1], folder / "z-copy.json")
    return folder


def _merged(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Per learner, the newest version of each response (by id), in the order first seen."""
    docs = sorted((json.loads(p.read_text(encoding="utf-8")) for p in paths),
                  key=lambda d: _when(d["exported_at"]))
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for doc in docs:
        mine = out[doc["learner"]["id"]]
        for r in doc["responses"]:
            old = mine.get(r["id"])
            if old is None or not _when(old["answered_at"]) > _when(r["answered_at"]):
                mine[r["id"]] = r
    return {lid: list(rs.values()) for lid, rs in out.items()}


def _fraction(r: dict[str, Any]) -> float:
    return r["points"] / r["max_points"] if r["max_points"] > 0 else 0.0


@pytest.fixture(scope="module")
def report(folder: Path) -> CohortReport:
    return build_report(sorted(folder.glob("*.json")))


def test_roll_up_cells_match_a_plain_computation(folder: Path, report: CohortReport) -> None:
    merged = _merged(sorted(folder.glob("*.json")))
    rollup = build_rollup(report)
    topics_in_bank = {m.learner.id: m.topic_totals for m in report.learners}
    checked = 0
    for lid, responses in merged.items():
        (row,) = [s.key for s in rollup.learners if s.id == lid]  # one course each
        timeline = sorted(responses, key=lambda r: _when(r["answered_at"]))
        history: dict[str, list[float]] = defaultdict(list)
        for r in timeline:
            history[r["question_id"]].append(_fraction(r))
        scores = {q: item_score(fr) for q, fr in history.items()}
        for topic in {r["topic"] for r in responses}:
            mine = [r for r in timeline if r["topic"] == topic]
            cell = rollup.by_topic[row, topic]
            questions = {r["question_id"] for r in mine}
            fr = [_fraction(r) for r in mine]
            assert cell.responses == len(mine) and cell.items == len(questions)
            assert cell.accuracy == pytest.approx(sum(r["points"] for r in mine)
                                                  / sum(r["max_points"] for r in mine))
            assert cell.mastery == pytest.approx(mastery_value(
                [scores[q] for q in questions],
                topics_in_bank[lid].get(topic, {}).get("questions", 0)))
            assert cell.last_active == max(_when(r["answered_at"]) for r in mine)
            if len(fr) >= TREND_MIN:
                half = len(fr) // 2
                assert cell.trend == pytest.approx(sum(fr[half:]) / (len(fr) - half)
                                                   - sum(fr[:half]) / half)
            checked += 1
        summary = next(s for s in rollup.learners if s.id == lid)
        reviews = [r for r in responses if r["mode"] == "review"]
        assert summary.reviews_done == len(reviews)
        assert summary.review_days == len({_when(r["answered_at"]).astimezone(dt.UTC).date()
                                           for r in reviews})
    assert checked >= 100 and any(s.reviews_done for s in rollup.learners)


def test_cohort_rows_and_item_facility_match_a_plain_computation(
        folder: Path, report: CohortReport) -> None:
    merged = _merged(sorted(folder.glob("*.json")))
    assert report.duplicates_ignored == sum(
        len(json.loads(p.read_text(encoding="utf-8"))["responses"])
        for p in (folder / "z-newer.json", folder / "z-copy.json"))
    for row in report.rows:
        mine = sorted((r for r in merged[row.learner.id] if r["topic"] == row.topic),
                      key=lambda r: _when(r["answered_at"]))
        assert row.responses == len(mine)
        assert row.points == pytest.approx(sum(r["points"] for r in mine))
    first: dict[str, list[float]] = defaultdict(list)
    for responses in merged.values():
        earliest: dict[str, dict[str, Any]] = {}
        for r in responses:
            seen = earliest.get(r["question_id"])
            if seen is None or _when(r["answered_at"]) < _when(seen["answered_at"]):
                earliest[r["question_id"]] = r
        for qid, r in earliest.items():
            first[qid].append(_fraction(r))
    items = {s.question_id: s for s in analyse_items(report)}
    assert set(items) == set(first)
    for qid, scores in first.items():
        assert items[qid].n == len(scores)
        assert items[qid].facility == pytest.approx(sum(scores) / len(scores))
    ticked = {o.letter: o.count for o in items["q.mr"].options}
    assert ticked == {"A": 20, "C": 20}


def test_error_profile_and_disagreements_match_a_plain_computation(
        folder: Path, report: CohortReport) -> None:
    merged = _merged(sorted(folder.glob("*.json")))
    answers = [r for responses in merged.values() for r in responses]
    topics = ["imaging", "anatomy"]
    rows, total = error_profile(report, topics)
    assert [e.topic for e in rows][:2] == topics  # the order asked for, then the others
    assert {e.topic for e in rows} == {r["topic"] for r in answers if not r["correct"]}
    for e in (*rows, total):
        mine = [r for r in answers if e.topic in ("", r["topic"])]
        assert e.misses == sum(1 for r in mine if not r["correct"])
        assert e.counts == tuple(sum(1 for r in mine if r.get("error_tag") == tag.value)
                                 for tag in TAGS)
    assert total.tagged > 50 and all(total.counts)  # every reason is given somewhere
    found = disagreements(report)
    expected: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for lid, responses in merged.items():
        for r in responses:
            if r.get("error_tag") == "disagree":
                expected[r["question_id"]].append((lid, r["error_comment"]))
    assert set(found) == set(expected) == {"q.miskey"}
    for qid, d in found.items():
        assert sorted((a.learner[0], a.comment) for a in d.answers) == sorted(expected[qid])
        assert d.count == len(expected[qid]) and all(a.answer == "B" for a in d.answers)
        assert [a.answered_at for a in d.answers] == sorted(a.answered_at for a in d.answers)
        assert {a.comment for a in d.comments} == {c for _, c in expected[qid] if c}
    counts = [d.count for d in found.values()]
    assert counts == sorted(counts, reverse=True)


def test_calibration_and_confident_errors_match_a_plain_computation(
        folder: Path, report: CohortReport) -> None:
    from vpkp_tutor.report.why import calibration

    merged = _merged(sorted(folder.glob("*.json")))
    answers = [r for responses in merged.values() for r in responses]
    rows, confident = calibration(report)
    assert [x.level for x in rows] == ["sure", "unsure", "guess", ""]
    for x in rows:
        mine = [r for r in answers if r.get("confidence") == (x.level or None)]
        assert x.answers == len(mine) > 0
        assert x.right == sum(1 for r in mine if _fraction(r) >= 1.0)
    expected: dict[str, int] = defaultdict(int)
    for r in answers:
        if r.get("confidence") == "sure" and _fraction(r) < 1.0:
            expected[r["question_id"]] += 1
    assert confident == dict(expected) and sum(confident.values()) > 10


def test_many_exports_read_in_parallel_refuse_the_first_bad_one(tmp_path: Path) -> None:
    from vpkp_tutor.export.cohort import merge_columns
    from vpkp_tutor.export.files import ExportError
    from vpkp_tutor.export.json_read import CODED, PARALLEL_FROM, read_all

    cohort = make_cohort(tmp_path, learners=PARALLEL_FROM + 8, pool=15, practice=3, seed=9)
    one_by_one = read_all(cohort.paths, workers=1)
    together = read_all(cohort.paths, workers=2)
    for table, column in CODED:
        assert bytes(getattr(together[0], column)) == bytes(getattr(one_by_one[0], column))
        assert getattr(together[0], table).values() == getattr(one_by_one[0], table).values()
    assert bytes(together[0].why) == bytes(one_by_one[0].why)
    assert bytes(together[0].sure) == bytes(one_by_one[0].sure) and any(together[0].sure)
    assert together[0].whys.values() == one_by_one[0].whys.values()
    assert len(one_by_one[0].whys.values()) > 2  # untagged and some reasons
    assert together[0].ids == one_by_one[0].ids and len(together[0].ids) == len(together[0])
    # each export's record arrives whole from a worker: times, attempts, runs, lessons
    assert together[1] == one_by_one[1] and together[1][-1][0].attempts
    # an id holding the separator the workers send ids with still arrives as it was
    doc = json.loads(cohort.paths[3].read_text(encoding="utf-8"))
    doc["responses"][1]["id"] = "odd\u0000id"
    cohort.paths[3].write_text(json.dumps(doc), encoding="utf-8")
    odd = read_all(cohort.paths, workers=2)[0].ids
    assert odd == read_all(cohort.paths, workers=1)[0].ids and "odd\x00id" in odd
    # an export holding one response id twice: its newer answer counts, by either road
    doc["responses"][5]["id"] = doc["responses"][4]["id"]
    cohort.paths[3].write_text(json.dumps(doc), encoding="utf-8")
    merged = []
    for workers in (1, 2):
        columns, read = read_all(cohort.paths, workers=workers)
        assert columns.repeated == [read[3][1]]
        _, answers, _, duplicates = merge_columns(columns, read)
        assert duplicates == 1 and len(answers) == len(columns) - 1
        merged.append(answers.answered_us.tolist())
    assert merged[0] == merged[1]
    assert [(ex.source, rows) for ex, rows in together[1]] == [
        (ex.source, rows) for ex, rows in one_by_one[1]]
    for n, value in ((PARALLEL_FROM - 5, "7"), (PARALLEL_FROM + 5, "-1")):
        path = cohort.paths[n]
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["responses"][2]["points"] = float(value)
        path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ExportError) as refused:
        read_all(cohort.paths, workers=2)
    assert str(refused.value) == (f"{cohort.paths[PARALLEL_FROM - 5]}: responses[2].points: 7 "
                                  "is outside 0 to max_points (1)")
    # a bad file in the share this process reads itself comes first too
    path = cohort.paths[2]
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["responses"][0]["max_points"] = -1.0
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ExportError) as refused:
        read_all(cohort.paths, workers=2)
    assert str(refused.value).startswith(f"{path}: responses[0].max_points: ")


def _killed_once_it_claims(spill: int, names: list[str]) -> None:
    """A reading worker that claims a run of files, then is killed (killed all the same
    when the others have taken every run: a fake that returned instead would hand back
    nothing where the real worker hands back a list)."""
    import os
    import signal

    from vpkp_tutor.export import json_read

    assert json_read._inherited is not None
    for _ in json_read._inherited:
        break  # one run claimed, if this process came before the others took them all
    os.kill(os.getpid(), signal.SIGKILL)


def _out_of_room_once_it_claims(spill: int, names: list[str]) -> None:
    """A reading worker that claims a run of files, then cannot write out what it read."""
    import errno

    from vpkp_tutor.export import json_read

    assert json_read._inherited is not None
    for _ in json_read._inherited:
        break  # one run claimed, if this process came before the others took them all
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failing", [_killed_once_it_claims, _out_of_room_once_it_claims],
                         ids=["killed", "out-of-room"])
def test_a_reading_process_that_fails_only_costs_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        failing: Callable[[int, list[str]], None]) -> None:
    """A worker process killed while it reads (the system out of memory, say), or unable to
    hand back what it read (its temporary folder's disk full), takes what it had claimed with
    it: every export is then read again here, and nothing is missing."""
    from vpkp_tutor.export import json_read

    cohort = make_cohort(tmp_path, learners=json_read.PARALLEL_FROM + 8, pool=15, practice=3,
                         seed=9)
    one_by_one = json_read.read_all(cohort.paths, workers=1)

    monkeypatch.setattr(json_read, "_read_claimed", failing)
    columns, read = json_read.read_all(cohort.paths, workers=2)
    assert columns.ids == one_by_one[0].ids and len(columns) == len(one_by_one[0]) > 0
    assert bytes(columns.points) == bytes(one_by_one[0].points)
    assert read == one_by_one[1]


def test_review_adherence_from_the_exported_schedule(tmp_path: Path) -> None:
    from tests.export.conftest import populate

    p = populate(tmp_path / "data", name="Ana")
    path = p.services.export(p.learner_id, "json", tmp_path / "ana.json")
    dues = p.services.store.card_dues(p.learner_id)
    p.services.store.close()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert dues and [d["question_id"] for d in doc["review_due"]] == [q for q, _ in dues]
    exported = _when(doc["exported_at"])
    doc["responses"][0]["mode"] = "review"  # one review done
    for due in doc["review_due"][:2]:  # two past their date
        due["due"] = (exported - dt.timedelta(days=1)).isoformat()
    for due in doc["review_due"][2:]:
        due["due"] = (exported + dt.timedelta(days=1)).isoformat()
    path.write_text(json.dumps(doc), encoding="utf-8")
    (summary,) = build_rollup(build_report([path])).learners
    assert (summary.reviews_done, summary.reviews_overdue) == (1, 2)
    assert summary.review_adherence == pytest.approx(1 / 3)
    del doc["review_due"]  # an export from before the schedule was exported
    path.write_text(json.dumps(doc), encoding="utf-8")
    (older,) = build_rollup(build_report([path])).learners
    assert older.reviews_overdue is None and older.review_adherence is None


def test_records_read_already_give_the_report_of_their_files(
        folder: Path, report: CohortReport) -> None:
    """The LRS road (`report_of` on records in memory) builds the same columns as files."""
    from vpkp_tutor.export.cohort import report_of
    from vpkp_tutor.export.json_export import read_export
    from vpkp_tutor.report.items import analyse_forms

    paths = sorted(folder.glob("*.json"))
    records = report_of([read_export(p) for p in paths])
    assert records.rows == report.rows and records.most_missed == report.most_missed
    assert records.duplicates_ignored == report.duplicates_ignored > 0
    assert records.fingerprints == report.fingerprints
    assert [(m.learner, m.course, m.responses, m.attempts) for m in records.learners] == [
        (m.learner, m.course, m.responses, m.attempts) for m in report.learners]
    assert bytes(records.answers.answered_us) == bytes(report.answers.answered_us)
    assert records.answers.choices == report.answers.choices
    assert repr(analyse_items(records)) == repr(analyse_items(report))
    assert repr(analyse_forms(records)) == repr(analyse_forms(report))
    assert repr(build_rollup(records)) == repr(build_rollup(report))
    assert records.answers.whys == report.answers.whys
    assert bytes(records.answers.why) == bytes(report.answers.why)
    assert error_profile(records) == error_profile(report)
    assert disagreements(records) == disagreements(report)


def test_one_learners_two_courses_stay_apart_and_count_once_as_missing(
        tmp_path: Path) -> None:
    from vpkp_tutor.export.cohort import report_of
    from vpkp_tutor.export.json_export import read_export

    (path,) = make_cohort(tmp_path, learners=1, pool=10, practice=6, seed=3).paths
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["content"]["course_id"] = "other-course"
    for r in doc["responses"]:
        r.update(id=f"{r['id']}-other", points=0.0, correct=False)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc), encoding="utf-8")
    alone = {i.question_id: i.misses for i in build_report([other], 100).most_missed}
    for both in (build_report([path, other], 100),
                 report_of([read_export(path), read_export(other)], 100)):
        assert [m.course.id for m in both.learners] == sorted(
            [m.course.id for m in both.learners]) and len(both.learners) == 2
        assert {m.course.id: len(m.responses) for m in both.learners}[
            "other-course"] == len(doc["responses"])
        assert both.duplicates_ignored == 0
        missed_in_both = [i for i in both.most_missed if i.misses > alone[i.question_id]]
        assert missed_in_both  # one person missing it, in two courses
        assert {i.learners_missing for i in both.most_missed} == {1}


def test_the_column_reader_refuses_what_the_export_reader_refuses(tmp_path: Path) -> None:
    from vpkp_tutor.export.files import ExportError

    (path,) = make_cohort(tmp_path, learners=1, pool=10, practice=6, seed=4).paths
    doc = json.loads(path.read_text(encoding="utf-8"))
    for field_, value in (("confidence", "certain"), ("error_tag", "bad luck"),
                          ("error_comment", "x" * 10_000)):
        bad = dict(doc, responses=[dict(doc["responses"][0], **{field_: value})])
        path.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(ExportError, match=rf"responses\[0\]\.{field_}"):
            build_report([path])


def test_runs_of_files_are_claimed_once_each_in_order_and_shrink() -> None:
    import multiprocessing

    from vpkp_tutor.export.json_read import _Claims

    for files, processes in ((32, 2), (500, 2), (1001, 4), (37, 3)):
        claims = _Claims(multiprocessing.get_context("fork").Value("i", 0), files, processes)
        runs = list(claims)
        assert [i for run in runs for i in run] == list(range(files))  # each once, in order
        sizes = [len(run) for run in runs]
        assert sizes[0] == -(-files // processes) and sizes == sorted(sizes, reverse=True)
        assert min(sizes[:-1], default=claims.smallest) >= claims.smallest
        assert list(claims) == []  # all taken: a late process claims nothing
