"""Item analysis over a cohort's pooled exports (classical test theory, as in Moodle's quiz
statistics report).

Method (docs/director-report.md says the same for directors):

- **Which answers.** Each learner's *first* response to an item (the earliest `answered_at`;
  an answer replaced in the same attempt keeps its id, so the newest version of that
  response counts). Later attempts are practice and would inflate facility.
- **Item score.** points / max_points, in 0..1 (partial credit stays partial).
- **Facility.** The mean item score over the learners who answered.
- **Rest score.** The cohort answers different random forms, so a learner's ability is
  estimated from *the other items they answered*: the mean of their first-response scores
  on every other item (a proportion, so forms of different lengths compare). A learner who
  answered only this item has no rest score and is left out of the discrimination figures.
- **Discrimination.** The corrected point-biserial: Pearson's r between the item score and
  the rest score (the item itself excluded). The upper–lower index: learners are ranked by
  rest score (ties by learner id), g = round(27 % of them) (at least 1) taken from each end,
  and D = mean item score of the upper group − mean of the lower group.
- **Options.** For single-best, true/false and multiple-response items: the proportion of
  learners choosing each option (for multiple response, ticking it) and each option's
  point-biserial (chose it or not vs rest score).
- **Flags** (only when n ≥ `MIN_N`; below it the item says "too few answers"):
  too easy (facility > 0.90), too hard (< 0.20), low discrimination (point-biserial
  < 0.20), negative discrimination (< 0), a non-functioning distractor (a wrong option
  chosen by < 5 %), possible miskey (a wrong option whose point-biserial is positive and
  above the keyed option's: strong learners prefer it).

Limits: with few learners the figures are noisy (a point-biserial from 20 learners has a
standard error near 0.2), and with random forms each item's rest score comes from a
different mix of items, so discrimination compares learners on partly different tests.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vpkp_tutor.export.cohort import distinct

if TYPE_CHECKING:
    from vpkp_tutor.export.cohort import Answers, CohortReport

MIN_N = 10
"""Fewer first answers than this: no flags, the item reads "too few answers"."""
TOO_EASY = 0.90
TOO_HARD = 0.20
LOW_DISCRIMINATION = 0.20
NON_FUNCTIONING = 0.05
UPPER_LOWER_SHARE = 0.27
MIN_FORM_LEARNERS = 5
"""A quiz form needs this many learners for its reliability to be shown."""

FLAG_LABELS = {
    "too_few": "too few answers",
    "too_easy": "too easy",
    "too_hard": "too hard",
    "low_discrimination": "low discrimination",
    "negative_discrimination": "negative discrimination",
    "non_functioning_distractor": "non-functioning distractor",
    "possible_miskey": "possible miskey",
}
"""Flag code → what the report says."""

_OPTION_TYPES = frozenset({"single_best", "true_false", "multiple_response"})


@dataclass(frozen=True, slots=True)
class ItemContent:
    """What the content bank says about an item (for the report's stem and options)."""

    stem: str
    options: tuple[tuple[str, str], ...]
    """(letter, text) in authored order; empty for items without options."""
    keys: frozenset[str]
    """The keyed letters."""


@dataclass(frozen=True, slots=True)
class OptionStats:
    """One option of an item."""

    letter: str
    text: str
    keyed: bool
    count: int
    proportion: float
    point_biserial: float | None


@dataclass(frozen=True, slots=True)
class ItemStats:
    """One item's figures and flags."""

    question_id: str
    topic: str
    type: str
    n: int
    facility: float
    point_biserial: float | None
    upper_lower: float | None
    options: tuple[OptionStats, ...]
    flags: tuple[str, ...]
    stem: str = ""

    @property
    def suppressed(self) -> bool:
        """True below the minimum n (figures shown, no flags)."""
        return "too_few" in self.flags


@dataclass(frozen=True, slots=True)
class FormStats:
    """Reliability of one quiz form taken by several learners."""

    question_ids: tuple[str, ...]
    learners: int
    alpha: float | None
    """Cronbach's α (equal to KR-20 when every item is scored right/wrong)."""
    sem: float | None
    """Standard error of measurement, in items (each item scores 0..1)."""
    mean: float
    sd: float
    dichotomous: bool


def first_responses(answers: Answers) -> Any:
    """Positions of each learner's first response to each item (the earliest answered_at;
    of two at the same moment, the one merged first), ordered by learner."""
    import numpy as np

    # by learner and item, each pair's answers in time order (a stable sort of the time
    # order: cheaper than sorting on four keys)
    in_time = answers.time_order()
    key = answers.learner[in_time] * max(1, len(answers.question_ids)) + answers.question[
        in_time]
    by_key = np.argsort(key, kind="stable")
    order = in_time[by_key]
    key = key[by_key]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = key[1:] != key[:-1]
    return order[starts]


def analyse_items(cohort: CohortReport,
                  content: Callable[[str], ItemContent | None] = lambda _q: None,
                  min_n: int = MIN_N) -> list[ItemStats]:
    """Item statistics over the learners' first responses, worst-flagged first (computed
    column-wise with numpy)."""
    import numpy as np

    answers = cohort.answers
    first = first_responses(answers)
    # items numbered in order of first appearance, learner by learner
    codes, where = np.unique(answers.question[first], return_index=True)
    by_seen = np.argsort(where, kind="stable")
    renumber = np.empty(len(answers.question_ids) or 1, dtype=np.int64)
    renumber[codes[by_seen]] = np.arange(len(codes))
    qindex = {answers.question_ids[c]: i for i, c in enumerate(codes[by_seen].tolist())}
    item = renumber[answers.question[first]]
    learner = answers.learner[first]
    scores = answers.fraction[first]
    nlearners = len(cohort.learners)
    k = np.bincount(learner, minlength=nlearners)
    total = np.bincount(learner, scores, minlength=nlearners)
    with np.errstate(invalid="ignore", divide="ignore"):
        rests = np.where(k[learner] > 1, (total[learner] - scores) / (k[learner] - 1), np.nan)
    nq = len(qindex)
    first_row = where[by_seen]  # each item's first row
    topics = _first_named(item, answers.topic[first], answers.topics, first_row)
    kinds = _first_named(item, answers.kind[first], answers.kinds, first_row)
    # options chosen: one letter per answer for most, each letter ticked for multiple response
    letter_code = {x: c for c, x in enumerate(answers.choices) if isinstance(x, str)}
    is_letter = np.array([isinstance(x, str) for x in answers.choices] or [False])
    choice = answers.choice[first]
    single = np.nonzero(is_letter[choice])[0]
    rows_parts, letter_parts = [single], [choice[single]]
    key_seen: list[set[str]] = [set() for _ in range(nq)]
    right = single[answers.correct[first][single]]
    width = max(1, len(answers.choices))
    for cell in distinct(item[right] * width + choice[right]).tolist():
        key_seen[cell // width].add(answers.choices[cell % width])
    if "multiple_response" in answers.kinds:
        multiple = answers.kinds.index("multiple_response")
        extra_rows, extra_letters = array("q"), array("q")
        for row in np.nonzero(~is_letter[choice] & (answers.kind[first] == multiple)
                              )[0].tolist():
            answer = answers.answer(int(first[row]))
            if isinstance(answer, tuple):
                for x in dict.fromkeys(answer):
                    if isinstance(x, str):
                        extra_rows.append(row)
                        extra_letters.append(letter_code.setdefault(x, len(letter_code)
                                                                    + width))
        rows_parts.append(np.frombuffer(extra_rows, dtype=np.int64) if extra_rows
                          else np.zeros(0, np.int64))
        letter_parts.append(np.frombuffer(extra_letters, dtype=np.int64) if extra_letters
                            else np.zeros(0, np.int64))
    prow = np.concatenate(rows_parts)
    pletter = np.concatenate(letter_parts)
    ids = [m.learner.id for m in cohort.learners]
    learner_col = learner
    if not qindex:
        return []
    nl = max(1, max(letter_code.values(), default=0) + 1)
    n = np.bincount(item, minlength=nq)
    facility = np.bincount(item, scores, minlength=nq) / n
    valid = ~np.isnan(rests)
    iv, xv, yv = item[valid], scores[valid], rests[valid]
    nv = np.bincount(iv, minlength=nq)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.bincount(iv, xv, minlength=nq) / nv
        my = np.bincount(iv, yv, minlength=nq) / nv
        dx, dy = xv - mx[iv], yv - my[iv]
        sxx = np.bincount(iv, dx * dx, minlength=nq)
        syy = np.bincount(iv, dy * dy, minlength=nq)
        sxy = np.bincount(iv, dx * dy, minlength=nq)
        defined = (nv >= 2) & (sxx > 1e-12) & (syy > 1e-12)
        r_item = np.where(defined, sxy / np.sqrt(sxx * syy), np.nan)
    # upper-lower: within each item, rank by rest score, ties by learner id
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    lv = id_rank[learner_col[valid]]
    order = np.lexsort((lv, yv, iv))
    csum = np.concatenate(([0.0], np.cumsum(xv[order])))
    ends = np.cumsum(nv)
    starts = ends - nv
    g = np.maximum(1, np.floor(UPPER_LOWER_SHARE * nv + 0.5)).astype(np.int64)
    low = (csum[np.minimum(starts + g, ends)] - csum[starts]) / g
    high = (csum[ends] - csum[np.maximum(ends - g, starts)]) / g
    d_index = np.where(nv >= 2, high - low, np.nan)
    # options: how many chose each letter, and the point-biserial of choosing it
    cell = item[prow] * nl + pletter
    chosen = np.bincount(cell, minlength=nq * nl).reshape(nq, nl)
    dy_full = np.zeros(len(scores))
    dy_full[valid] = dy
    chosen_v = np.bincount(cell[valid[prow]], minlength=nq * nl).reshape(nq, nl)
    sum_dy = np.bincount(cell, dy_full[prow], minlength=nq * nl).reshape(nq, nl)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = chosen_v * (1 - chosen_v / nv[:, None])
        ok = (chosen_v > 0) & (chosen_v < nv[:, None]) & (syy[:, None] > 1e-12)
        r_opt = np.where(ok, sum_dy / np.sqrt(spread * syy[:, None]), np.nan)
    letters = {code: x for x, code in letter_code.items()}
    out = []
    for qid, q in qindex.items():
        info = content(qid)
        kind = kinds[q]
        options: list[OptionStats] = []
        if kind in _OPTION_TYPES or (info is not None and info.options):
            if info is not None and info.options:
                shown, keys = info.options, info.keys
            else:  # not in this content: the options seen, the key from answers marked right
                seen = sorted(letters[c] for c in np.nonzero(chosen[q])[0].tolist())
                shown, keys = tuple((x, "") for x in seen), frozenset(key_seen[q])
            for letter, text in shown:
                c = letter_code.get(letter)
                count = 0 if c is None else int(chosen[q, c])
                r = None if c is None or math.isnan(r_opt[q, c]) else float(r_opt[q, c])
                options.append(OptionStats(letter, text, letter in keys, count,
                                           count / int(n[q]), _clip(r)))
        r_q = None if math.isnan(r_item[q]) else _clip(float(r_item[q]))
        d_q = None if math.isnan(d_index[q]) else float(d_index[q])
        flags = _flags(int(n[q]), float(facility[q]), r_q, options, min_n)
        out.append(ItemStats(qid, topics[q], kind, int(n[q]), float(facility[q]), r_q, d_q,
                             tuple(options), flags, info.stem if info else ""))
    out.sort(key=lambda s: (s.suppressed, -_severity(s.flags), s.question_id))
    return out


def _first_named(item: Any, codes: Any, names: list[str], first_row: Any) -> list[str]:
    """Per item, the first name (in row order) of its rows that is not "" (else ""):
    `codes` into `names` per row, `first_row` each item's first row."""
    import numpy as np

    out = [names[c] for c in codes[first_row].tolist()]
    if "" in out:  # an item whose first row names none: its first row naming one
        named = np.nonzero(np.array([bool(x) for x in names])[codes])[0]
        found, at = np.unique(item[named], return_index=True)
        for q, c in zip(found.tolist(), codes[named[at]].tolist(), strict=True):
            out[q] = names[c]
    return out


def _clip(r: float | None) -> float | None:
    return None if r is None else max(-1.0, min(1.0, r))


def _severity(flags: tuple[str, ...]) -> int:
    weights = {"possible_miskey": 8, "negative_discrimination": 4, "low_discrimination": 2,
               "too_hard": 2, "too_easy": 1, "non_functioning_distractor": 1}
    return sum(weights.get(f, 0) for f in flags)


def _flags(n: int, facility: float, r_item: float | None, options: Sequence[OptionStats],
           min_n: int) -> tuple[str, ...]:
    if n < min_n:
        return ("too_few",)
    flags = []
    if facility > TOO_EASY:
        flags.append("too_easy")
    if facility < TOO_HARD:
        flags.append("too_hard")
    if r_item is not None and r_item < 0:
        flags.append("negative_discrimination")
    elif r_item is not None and r_item < LOW_DISCRIMINATION:
        flags.append("low_discrimination")
    distractors = [o for o in options if not o.keyed]
    if any(o.proportion < NON_FUNCTIONING for o in distractors):
        flags.append("non_functioning_distractor")
    keyed = [o.point_biserial for o in options if o.keyed and o.point_biserial is not None]
    key_r = max(keyed) if keyed else (r_item if r_item is not None else 0.0)
    if any(o.point_biserial is not None and o.point_biserial > 0 and o.point_biserial > key_r
           for o in distractors):
        flags.append("possible_miskey")
    return tuple(flags)


def analyse_forms(cohort: CohortReport,
                  min_learners: int = MIN_FORM_LEARNERS) -> list[FormStats]:
    """Cronbach's α / KR-20 and the SEM of every quiz form (the same set of questions)
    taken by at least `min_learners` learners; each learner's first attempt at the form,
    an item left unanswered scoring 0."""
    import numpy as np

    shared: dict[frozenset[str], set[str]] = defaultdict(set)
    form_of: list[dict[str, frozenset[str]]] = []
    for m in cohort.learners:  # forms first, from the attempts alone: most are unique
        form_of.append({aid: frozenset(qids) for aid, qids in m.attempts.items()})
        for aid, questions in form_of[-1].items():
            if len(m.attempts[aid]) >= 2:
                shared[questions].add(m.learner.id)
    wanted = {questions: tuple(sorted(questions)) for questions, who in shared.items()
              if len(who) >= min_learners}
    answers = cohort.answers
    attempt_code = {a: i for i, a in enumerate(answers.attempt_ids)}
    takers: dict[tuple[str, ...], list[list[float]]] = defaultdict(list)
    fraction = answers.fraction
    for m, attempt_forms in zip(cohort.learners, form_of, strict=True):
        forms = {aid: wanted[questions] for aid, questions in attempt_forms.items()
                 if questions in wanted}
        if not forms:
            continue
        span = slice(m.responses.start, m.responses.stop)
        codes = [attempt_code[a] for a in forms if a in attempt_code]
        mine = np.nonzero(np.isin(answers.attempt[span], codes))[0] + m.responses.start
        by_attempt: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
        for i in mine.tolist():
            aid = answers.attempt_ids[answers.attempt[i]]
            qid = answers.question_ids[answers.question[i]]
            at = int(answers.answered_us[i])
            got = by_attempt[aid].get(qid)
            if got is None or at < got[0]:
                by_attempt[aid][qid] = (at, float(fraction[i]))
        started = sorted((min(at for at, _ in by_attempt[aid].values()), aid)
                         for aid in forms if by_attempt.get(aid))
        seen: set[tuple[str, ...]] = set()
        for _, aid in started:
            form = forms[aid]
            if form in seen:
                continue
            seen.add(form)
            got_all = by_attempt[aid]
            takers[form].append([got_all[q][1] if q in got_all else 0.0 for q in form])
    out = []
    for form, rows in takers.items():
        if len(rows) >= min_learners:
            out.append(form_reliability(form, rows))
    out.sort(key=lambda f: (-f.learners, f.question_ids))
    return out


def _var(values: Sequence[float]) -> float:
    n = len(values)
    mean = math.fsum(values) / n
    return math.fsum((v - mean) ** 2 for v in values) / (n - 1)


def form_reliability(form: tuple[str, ...], rows: Sequence[Sequence[float]]) -> FormStats:
    """α and SEM of a learners × items score matrix (sample variances)."""
    k = len(form)
    totals = [math.fsum(r) for r in rows]
    var_total = _var(totals)
    item_var = math.fsum(_var([r[j] for r in rows]) for j in range(k))
    alpha = None if var_total <= 1e-12 else k / (k - 1) * (1 - item_var / var_total)
    sd = math.sqrt(var_total)
    sem = None if alpha is None else sd * math.sqrt(max(0.0, 1 - alpha))
    dichotomous = all(v in (0.0, 1.0) for r in rows for v in r)
    return FormStats(form, len(rows), alpha, sem, math.fsum(totals) / len(rows), sd,
                     dichotomous)
