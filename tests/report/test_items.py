"""Item analysis checked against an independent numpy/scipy computation on a generated cohort
with a planted miskeyed item and a planted easy item."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from tests.report.gen import FORM, Cohort, make_cohort
from vpkp_tutor.export.cohort import build_report
from vpkp_tutor.report.items import (
    ItemStats,
    analyse_forms,
    analyse_items,
)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    return make_cohort(tmp_path_factory.mktemp("cohort"), learners=120)


@pytest.fixture(scope="module")
def analysed(cohort: Cohort) -> dict[str, ItemStats]:
    report = build_report(cohort.paths)
    return {s.question_id: s for s in analyse_items(report, cohort.content)}


class Matrix:
    """The cohort as numpy arrays, read from the export files with the json module."""

    def __init__(self, paths: list[Path]) -> None:
        firsts: list[dict[str, tuple[str, float, str]]] = []
        self.ids: list[str] = []
        for path in paths:
            doc = json.loads(path.read_text(encoding="utf-8"))
            self.ids.append(doc["learner"]["id"])
            first: dict[str, tuple[str, float, str]] = {}
            for r in doc["responses"]:
                q = r["question_id"]
                if q not in first or r["answered_at"] < first[q][0]:
                    first[q] = (r["answered_at"], r["points"] / r["max_points"], r["answer"])
            firsts.append(first)
        self.items = sorted({q for f in firsts for q in f})
        shape = (len(firsts), len(self.items))
        self.score = np.full(shape, np.nan)
        self.answer = np.full(shape, "", dtype=object)
        for i, f in enumerate(firsts):
            for j, q in enumerate(self.items):
                if q in f:
                    self.score[i, j] = f[q][1]
                    self.answer[i, j] = f[q][2]

    def column(self, qid: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows that answered `qid`: item scores, rest scores (mean of the others), answers,
        learner ids."""
        j = self.items.index(qid)
        mask = ~np.isnan(self.score[:, j])
        others = np.delete(self.score, j, axis=1)[mask]
        rest = np.nanmean(others, axis=1)
        return (self.score[mask, j], rest, self.answer[mask, j],
                np.array(self.ids, dtype=object)[mask])


@pytest.fixture(scope="module")
def matrix(cohort: Cohort) -> Matrix:
    return Matrix(cohort.paths)


def items_to_check(cohort: Cohort) -> Iterator[str]:
    yield from ("q.easy", "q.miskey", *FORM[:4], "q.020", "q.033")


def test_facility_and_n_match_numpy(analysed: dict[str, ItemStats], matrix: Matrix,
                                    cohort: Cohort) -> None:
    for qid in items_to_check(cohort):
        x, _, _, _ = matrix.column(qid)
        assert analysed[qid].n == len(x)
        assert analysed[qid].facility == pytest.approx(float(np.mean(x)), abs=1e-12)


def test_corrected_point_biserial_matches_scipy(analysed: dict[str, ItemStats],
                                                matrix: Matrix, cohort: Cohort) -> None:
    for qid in items_to_check(cohort):
        x, rest, _, _ = matrix.column(qid)
        if np.ptp(x) == 0:  # undefined: nobody differs
            assert analysed[qid].point_biserial is None
            continue
        expected = stats.pearsonr(x, rest).statistic
        assert analysed[qid].point_biserial == pytest.approx(expected, abs=1e-9), qid


def test_upper_lower_index_matches_numpy(analysed: dict[str, ItemStats], matrix: Matrix,
                                         cohort: Cohort) -> None:
    for qid in items_to_check(cohort):
        x, rest, _, ids = matrix.column(qid)
        order = np.lexsort((ids, rest))  # by rest score, ties by learner id
        g = max(1, int(np.floor(0.27 * len(x) + 0.5)))
        expected = x[order[-g:]].mean() - x[order[:g]].mean()
        assert analysed[qid].upper_lower == pytest.approx(expected, abs=1e-12), qid


def test_option_proportions_and_point_biserials_match_scipy(
        analysed: dict[str, ItemStats], matrix: Matrix, cohort: Cohort) -> None:
    for qid in items_to_check(cohort):
        _, rest, answers, _ = matrix.column(qid)
        for opt in analysed[qid].options:
            chose = (answers == opt.letter).astype(float)
            assert opt.proportion == pytest.approx(chose.mean(), abs=1e-12)
            if 0 < chose.sum() < len(chose):
                expected = stats.pointbiserialr(chose, rest).statistic
                assert opt.point_biserial == pytest.approx(expected, abs=1e-9), (qid, opt)
            else:
                assert opt.point_biserial is None


def test_planted_items_are_flagged(analysed: dict[str, ItemStats]) -> None:
    assert "too_easy" in analysed["q.easy"].flags
    miskey = analysed["q.miskey"]
    assert "possible_miskey" in miskey.flags
    assert "negative_discrimination" in miskey.flags
    b = next(o for o in miskey.options if o.letter == "B")
    a = next(o for o in miskey.options if o.letter == "A")
    assert a.keyed and not b.keyed
    assert b.point_biserial is not None and b.point_biserial > 0.2
    ordinary = [s for q, s in analysed.items() if q not in ("q.easy", "q.miskey")]
    assert not any("possible_miskey" in s.flags for s in ordinary)


def test_small_n_is_suppressed(cohort: Cohort, tmp_path: Path) -> None:
    few = make_cohort(tmp_path, learners=6)
    report = build_report(few.paths)
    stats_ = analyse_items(report, few.content)
    assert stats_ and all(s.flags == ("too_few",) for s in stats_)


def test_form_reliability_matches_kr20(cohort: Cohort, matrix: Matrix) -> None:
    report = build_report(cohort.paths)
    forms = analyse_forms(report)
    exam = tuple(sorted((*FORM, "q.easy", "q.miskey")))
    form = next(f for f in forms if f.question_ids == exam)
    assert form.learners == len(cohort.paths)
    assert form.dichotomous
    # KR-20 from p·q and the population variance of totals: a different formula
    cols = [matrix.items.index(q) for q in exam]
    # every learner's exam answers come first, so the first responses are the exam's
    x = matrix.score[:, cols]
    k = x.shape[1]
    p = x.mean(axis=0)
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() / x.sum(axis=1).var(ddof=0))
    assert form.alpha == pytest.approx(kr20, abs=1e-9)
    sem = x.sum(axis=1).std(ddof=1) * np.sqrt(1 - kr20)
    assert form.sem == pytest.approx(sem, abs=1e-9)



def test_an_item_takes_the_first_topic_and_type_its_answers_name() -> None:
    """Answers that name no topic or type (older exports) are passed over."""
    from vpkp_tutor.report.items import _first_named

    rng = np.random.default_rng(3)
    for _ in range(200):
        rows = int(rng.integers(1, 60))
        names = ["", "spine", "safety", "anatomy"][: int(rng.integers(1, 5))]
        codes = rng.integers(0, len(names), rows)
        drawn = rng.integers(0, 8, rows).tolist()
        number = {q: i for i, q in enumerate(dict.fromkeys(drawn))}  # by first appearance
        item = np.array([number[q] for q in drawn], dtype=np.int64)
        first_row = np.array([drawn.index(q) for q in number], dtype=np.int64)
        expected = [""] * len(number)
        for q, c in zip(item.tolist(), codes.tolist(), strict=True):
            expected[q] = expected[q] or names[c]
        assert _first_named(item, codes, names, first_row) == expected
