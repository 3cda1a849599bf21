"""Rules the schema cannot express: keys within range, case graphs, dates, and references
between files. Each rule records a located problem on the document it concerns."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar, assert_never

from vpkp_tutor.content.yamlsource import Document, Path_
from vpkp_tutor.domain.model import (
    LETTERS,
    Case,
    ContentProblem,
    Lesson,
    Matching,
    MultipleResponse,
    Numeric,
    Option,
    Ordering,
    Question,
    ShortAnswer,
    SingleBest,
    Trajectory,
    TrueFalse,
)

T = TypeVar("T")



@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A loaded item with the document and path it came from."""

    item: T
    doc: Document
    path: Path_


def check_reviewed(
    doc: Document, path: Path_, reviewed: dt.date, today: dt.date, months: int = 24
) -> None:
    """Future dates are errors; dates older than `months` (the course's review period,
    24 by default) are warnings."""
    where = doc.where((*path, "last_reviewed"))
    if reviewed > today:
        doc.error(*where, f"last_reviewed {reviewed} is in the future", "VP308")
    elif reviewed < months_before(today, months):
        period = "2 years" if months == 24 else f"{months} months"
        doc.warning(*where, f"last_reviewed {reviewed} is more than {period} old; review it",
                    "VP502")


def months_before(today: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when shorter)."""
    import calendar

    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def _letters(n: int) -> str:
    return f"{LETTERS[0]}–{LETTERS[n - 1]}"


_LOOKALIKES = str.maketrans({
    # Cyrillic capitals and small letters drawn like Latin ones
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h",
    # Greek capitals and small letters drawn like Latin ones
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "ο": "o", "ν": "v", "ι": "i", "ρ": "p",
})
"""Common Latin look-alikes (Unicode confusables) from Cyrillic and Greek, as documented in
docs/authoring.md."""

def skeleton(text: str) -> str:
    """What a text looks like on screen, for comparing authored options: NFKC-normalised
    (composed accents, full-width and ligature forms folded), invisible format characters
    (zero-width spaces and joiners, soft hyphens, direction marks) removed, Cyrillic and
    Greek look-alikes mapped to Latin, case folded and runs of white space collapsed."""
    if not text.isascii():  # ASCII is NFKC already and holds no format characters
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
        text = text.translate(_LOOKALIKES)
    return " ".join(text.casefold().split())


def _shown(text: str) -> str:
    """`text` for a message, with invisible format characters written as `\\uXXXX`."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) == "Cf" else ch for ch in text
    )


def _repeats(texts: list[str] | tuple[str, ...]) -> list[tuple[int, int]]:
    """(i, j) for every text `i` that looks the same as an earlier text `j` (the first)."""
    first: dict[str, int] = {}
    out: list[tuple[int, int]] = []
    for i, text in enumerate(texts):
        j = first.setdefault(skeleton(text), i)
        if j != i:
            out.append((i, j))
    return out


def _looks_like(a: str, b: str) -> str:
    """'' when `a` and `b` are the same apart from case and outer spaces, else a note that
    they only look alike."""
    if a.strip().casefold() == b.strip().casefold():
        return ""
    return (" (they differ only in invisible characters, accent encoding or look-alike "
            "letters)")


def check_question(doc: Document, path: Path_, q: Question) -> None:
    """Keys within the options, distinct options, the True/False shape, matching sanity.

    Options, left and right sides of matching pairs and distractors are compared by how
    they look (`skeleton`), so that two options a learner cannot tell apart are refused."""
    match q:
        case SingleBest():
            _check_options(doc, path, q.options)
            _check_key(doc, path, q.key, len(q.options))
        case TrueFalse():
            _check_options(doc, path, q.options)
            _check_key(doc, path, q.key, len(q.options))
            if [o.text for o in q.options] != ["True", "False"]:
                doc.error(*doc.where((*path, "options")),
                          "a true_false question has exactly the options 'True' then 'False'", "VP303")
        case MultipleResponse():
            _check_options(doc, path, q.options)
            n = len(q.options)
            seen: set[str] = set()
            for i, k in enumerate(q.keys):
                where = doc.where((*path, "keys", i))
                if LETTERS.index(k) >= n:
                    doc.error(*where,
                              f"'{k}' is not one of this question's options ({_letters(n)})", "VP301")
                if k in seen:
                    doc.error(*where, f"key '{k}' is listed twice", "VP302")
                seen.add(k)
        case Ordering():
            _check_options(doc, path, q.options)
        case Matching():
            _check_matching(doc, path, q)
        case Numeric():
            pass  # the schema bounds the answer and tolerance
        case Trajectory():
            _check_geometry(doc, path, q)
        case ShortAnswer():
            _check_short(doc, path, q)
        case _:
            assert_never(q)


_GEOMETRY_PATHS = {
    "pedicle_offset": ("pedicle", "offset"), "pedicle_height": ("pedicle", "height"),
    "pedicle_width": ("pedicle", "width"), "medial_angle": ("pedicle", "medial_angle"),
}


def _check_geometry(doc: Document, path: Path_, q: Trajectory) -> None:
    """The drill's vertebra hangs together and has a safe full-marks path
    (`domain.trajectory.geometry_problems`)."""
    from vpkp_tutor.domain.trajectory import geometry_problems

    for name, message in geometry_problems(q.geometry):
        doc.error(*doc.where((*path, "geometry", *_GEOMETRY_PATHS.get(name, ()))),
                  f"geometry: {message}", "VP207")


def _check_short(doc: Document, path: Path_, q: ShortAnswer) -> None:
    """Some answer earns full marks; no answer is empty once trimmed; no two answers are the
    same as a learner's typing is compared (trimmed, spaces collapsed, case folded unless the
    question is case-sensitive)."""
    from vpkp_tutor.domain.scoring import normal_text

    if q.answers and not any(a.weight >= 1.0 - 1e-9 for a in q.answers):
        doc.error(*doc.where((*path, "answers")),
                  "no accepted answer earns full marks: give one 'weight: 1' (the default)",
                  "VP206")
    first: dict[str, int] = {}
    for i, a in enumerate(q.answers):
        norm = normal_text(a.text, q.case_sensitive)
        where = doc.where((*path, "answers", i, "text"))
        if not norm:
            doc.error(*where, "an accepted answer is only white space", "VP207")
            continue
        j = first.setdefault(norm, i)
        if j != i:
            how = "" if q.case_sensitive else " (answers are compared ignoring letter case)"
            doc.error(*where, f"answer {i + 1} repeats answer {j + 1}{how}", "VP302")


def _check_options(doc: Document, path: Path_, options: Sequence[Option]) -> None:
    texts = [o.text for o in options]
    for i, j in _repeats(texts):
        doc.error(*doc.where((*path, "options", i, "text")),
                  f"option {LETTERS[i]} repeats option {LETTERS[j]}"
                  + _looks_like(texts[i], texts[j]), "VP302")


def _check_key(doc: Document, path: Path_, key: str, n: int) -> None:
    if LETTERS.index(key) >= n:
        doc.error(*doc.where((*path, "key")),
                  f"'{key}' is not one of this question's options ({_letters(n)})", "VP301")


def _check_matching(doc: Document, path: Path_, q: Matching) -> None:
    lefts = [p.left for p in q.pairs]
    rights = [p.right for p in q.pairs]
    for i, j in _repeats(lefts):
        doc.error(*doc.where((*path, "pairs", i, "left")),
                  f"'{_shown(lefts[i])}' appears twice on the left"
                  + _looks_like(lefts[i], lefts[j]), "VP302")
    for i, j in _repeats(rights):
        doc.error(*doc.where((*path, "pairs", i, "right")),
                  f"'{_shown(rights[i])}' is the right-hand side of pair {j + 1} too; each "
                  "pair needs its own answer" + _looks_like(rights[i], rights[j]), "VP302")
    right_looks = {skeleton(r): r for r in rights}
    twice = dict(_repeats(q.distractors))
    for i, d in enumerate(q.distractors):
        match = right_looks.get(skeleton(d))
        where = doc.where((*path, "distractors", i))
        if match is not None:
            doc.error(*where, f"distractor '{_shown(d)}' is also a correct match"
                      + _looks_like(d, match), "VP302")
        elif i in twice:
            doc.error(*where, f"distractor '{_shown(d)}' is listed twice"
                      + _looks_like(d, q.distractors[twice[i]]), "VP302")


def check_case(doc: Document, path: Path_, case: Case) -> None:
    """The case graph: ids, links, reachability, dead ends and the expert path."""
    nodes = {n.id: n for n in case.nodes}
    node_index: dict[str, int] = {}
    choice_at: dict[str, tuple[int, int]] = {}
    for i, node in enumerate(case.nodes):
        npath = (*path, "nodes", i)
        if node.id in node_index:
            doc.error(*doc.where((*npath, "id")), f"node id '{node.id}' is used twice", "VP307")
        node_index.setdefault(node.id, i)
        if node.outcome is not None and node.choices:
            doc.error(*doc.where((*npath, "outcome"), key=True),
                      f"node '{node.id}' has both choices and an outcome; an end node has "
                      "only an outcome", "VP304")
        if node.outcome is None and not node.choices:
            doc.error(*doc.where((*npath, "id")),
                      f"node '{node.id}' is a dead end: give it choices or an outcome", "VP304")
        for j, ch in enumerate(node.choices):
            cpath = (*npath, "choices", j)
            if ch.id in choice_at:
                doc.error(*doc.where((*cpath, "id")), f"choice id '{ch.id}' is used twice", "VP307")
            choice_at.setdefault(ch.id, (i, j))
            if ch.critical and ch.next is not None:
                doc.error(*doc.where((*cpath, "next")),
                          "a critical choice ends the case, so it has no 'next'", "VP304")
            elif not ch.critical and ch.next is None:
                doc.error(*doc.where((*cpath, "id")),
                          f"choice '{ch.id}' needs 'next' (or 'critical: true')", "VP304")
            elif ch.next is not None and ch.next not in nodes:
                doc.error(*doc.where((*cpath, "next")),
                          f"'next' names no node: '{ch.next}'", "VP304")
    if case.start not in nodes:
        doc.error(*doc.where((*path, "start")), f"'start' names no node: '{case.start}'", "VP304")
        return
    reachable = _reachable(case, case.start)
    for node in case.nodes:
        if node.id not in reachable:
            doc.error(*doc.where((*path, "nodes", node_index[node.id], "id")),
                      f"node '{node.id}' cannot be reached from '{case.start}'", "VP304")
    ends = {n.id for n in case.nodes if n.is_end}
    for node in case.nodes:
        if node.id in reachable and not node.is_end and node.choices:
            if not (_reachable(case, node.id) & ends):
                doc.error(*doc.where((*path, "nodes", node_index[node.id], "id")),
                          f"no end node can be reached from node '{node.id}'", "VP304")
    _check_loops(doc, path, case, node_index)
    _check_expert_path(doc, path, case, nodes)


def _check_loops(doc: Document, path: Path_, case: Case, node_index: dict[str, int]) -> None:
    """Refuse a loop on which a choice scores: a learner could go round and score it again.

    A choice lies on a loop when its own node can be reached again from where it leads.
    Each loop is reported once, at the choice that closes it in a walk from the start (the
    choice leading back to a node the walk is still inside), naming the scoring choices of
    that loop. Loops whose choices all score 0 ("go back and ask again") are allowed; the
    score counts each decision node once anyway (see `domain.scoring.score_case_run`)."""
    nodes = {n.id: n for n in case.nodes}
    reach = {nid: _reachable(case, nid) for nid in nodes}

    def same_loop(a: str, b: str) -> bool:
        return b in reach[a] and a in reach[b]

    state: dict[str, int] = {case.start: 1}  # 1: on the walk's stack, 2: finished
    stack: list[tuple[str, int]] = [(case.start, 0)]
    while stack:
        nid, j = stack.pop()
        node = nodes[nid]
        if j >= len(node.choices):
            state[nid] = 2
            continue
        stack.append((nid, j + 1))
        ch = node.choices[j]
        if ch.critical or ch.next is None or ch.next not in nodes:
            continue
        seen = state.get(ch.next)
        if seen is None:
            state[ch.next] = 1
            stack.append((ch.next, 0))
        elif seen == 1:
            scoring = [
                c for n in case.nodes if same_loop(n.id, ch.next)
                for c in n.choices
                if c.score > 0 and c.next is not None and c.next in nodes
                and same_loop(c.next, ch.next)
            ]
            if scoring:
                named = ", ".join(f"'{c.id}' (+{c.score})" for c in scoring)
                cpath = (*path, "nodes", node_index[nid], "choices", j, "next")
                doc.error(*doc.where(cpath),
                          f"choice '{ch.id}' leads back to node '{ch.next}', closing a loop "
                          f"on which {named} could be scored again; give every choice on a "
                          "loop score 0, or remove the loop", "VP305")


def _reachable(case: Case, start: str) -> set[str]:
    nodes = {n.id: n for n in case.nodes}
    seen = {start}
    todo = deque([start])
    while todo:
        node = nodes.get(todo.popleft())
        if node is None:
            continue
        for ch in node.choices:
            if ch.next is not None and ch.next in nodes and ch.next not in seen:
                seen.add(ch.next)
                todo.append(ch.next)
    return seen


def _check_expert_path(
    doc: Document, path: Path_, case: Case, nodes: Mapping[str, object]
) -> None:
    current = case.node(case.start)
    for i, cid in enumerate(case.expert_path):
        where = doc.where((*path, "expert_path", i))
        choice = next((c for c in current.choices if c.id == cid), None)
        if choice is None:
            doc.error(*where, f"expert path: '{cid}' is not a choice at node '{current.id}'", "VP306")
            return
        if choice.critical:
            doc.error(*where, f"expert path: '{cid}' is a critical (never-event) choice", "VP306")
            return
        if choice.next is None or choice.next not in nodes:
            return
        current = case.node(choice.next)
        if current.is_end and i != len(case.expert_path) - 1:
            doc.error(*doc.where((*path, "expert_path", i + 1)),
                      f"expert path: the case has already ended at '{current.id}'", "VP306")
            return
    if not current.is_end:
        doc.error(*doc.where((*path, "expert_path")),
                  f"expert path stops at node '{current.id}', which is not an end node", "VP306")


@dataclass(slots=True)
class Held:
    """What was left out for errors, as far as its raw value tells: links into it are not
    checked (one VP404 note per referring file instead of an error per link)."""

    questions: dict[str, str] = field(default_factory=dict)
    """Question id → the file it is in."""
    objectives: dict[str, str] = field(default_factory=dict)
    """Objective id → the lesson file declaring it."""
    used_objectives: set[str] = field(default_factory=set)
    """Objectives that left-out questions and cases test."""
    unreadable: list[str] = field(default_factory=list)
    """Files left out that tell nothing of what they hold (YAML that does not parse, a
    `kind:` that is none): any link found nowhere else may point into them."""


class _Unchecked:
    """Links not checked, gathered per (referring file, file with errors)."""

    def __init__(self) -> None:
        self.sites: dict[tuple[str, str], tuple[Document, Path_, list[str]]] = {}

    def add(self, doc: Document, path: Path_, ident: str, failed: str) -> None:
        _, _, ids = self.sites.setdefault((doc.path, failed), (doc, path, []))
        ids.append(ident)

    def report(self) -> None:
        for (_, failed), (doc, path, ids) in self.sites.items():
            more = f" and {len(ids) - 1} more link{'s' if len(ids) > 2 else ''}" if len(ids) > 1 else ""
            line, col = doc.where(path)
            doc.problems.append(ContentProblem(
                doc.path, line, col,
                f"'{ids[0]}'{more} not checked because {failed} has errors", "note", "VP404"))


def check_cross_references(
    lessons: list[Located[Lesson]],
    questions: list[Located[Question]],
    cases: list[Located[Case]],
    held: Held | None = None,
) -> None:
    """Duplicate ids across files, step checks, objective references, unused objectives.
    A link to something in `held` (left out for its own errors) is noted, not an error."""
    held = held or Held()
    unreadable = held.unreadable[0] if held.unreadable else ""
    """A file left out that may hold what a link names (the first, when several)."""
    unchecked = _Unchecked()
    _duplicates("lesson", [(x.item.id, x.doc, (*x.path, "id")) for x in lessons])
    _duplicates("question", [(x.item.id, x.doc, (*x.path, "id")) for x in questions])
    _duplicates("case", [(x.item.id, x.doc, (*x.path, "id")) for x in cases])
    objective_sites = [
        (o.id, x.doc, (*x.path, "objectives", i, "id"))
        for x in lessons
        for i, o in enumerate(x.item.objectives)
    ]
    _duplicates("objective", objective_sites)
    declared = {oid for oid, _, _ in objective_sites}
    question_ids = {x.item.id for x in questions}
    used: set[str] = set()
    for x in lessons:
        for i, step in enumerate(x.item.steps):
            for j, qid in enumerate(step.checks):
                if qid not in question_ids and (qid in held.questions or unreadable):
                    unchecked.add(x.doc, (*x.path, "steps", i, "checks", j), qid,
                                  held.questions.get(qid, unreadable))
                elif qid not in question_ids:
                    x.doc.error(*x.doc.where((*x.path, "steps", i, "checks", j)),
                                f"check names no question: '{qid}'", "VP402")
    referrers: list[tuple[tuple[str, ...], Document, Path_]] = [
        (x.item.objectives, x.doc, x.path) for x in questions
    ] + [(x.item.objectives, x.doc, x.path) for x in cases]
    used |= held.used_objectives
    for objectives, doc, path in referrers:
        for i, oid in enumerate(objectives):
            used.add(oid)
            if oid not in declared and (oid in held.objectives or unreadable):
                unchecked.add(doc, (*path, "objectives", i), oid,
                              held.objectives.get(oid, unreadable))
            elif oid not in declared:
                doc.error(
                    *doc.where((*path, "objectives", i)),
                    f"objective '{oid}' is not declared by any lesson" + _suggest(oid, declared), "VP402",
                )
    for oid, doc, opath in objective_sites:
        if oid not in used and not unreadable:  # (else it may be tested in there)
            doc.warning(*doc.where(opath), f"objective '{oid}' is not tested by any question "
                                           "or case", "VP403")
    unchecked.report()


def _suggest(word: str, choices: set[str]) -> str:
    from vpkp_tutor.content.errors import did_you_mean

    return did_you_mean(word, choices)


def _duplicates(kind: str, sites: list[tuple[str, Document, Path_]]) -> None:
    first: dict[str, tuple[Document, Path_]] = {}
    for ident, doc, p in sites:
        if ident in first:
            fdoc, fpath = first[ident]
            line, _ = fdoc.where(fpath)
            doc.error(*doc.where(p),
                      f"duplicate {kind} id '{ident}' (first defined at {fdoc.path}:{line})", "VP401")
        else:
            first[ident] = (doc, p)
