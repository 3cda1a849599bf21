"""Reading JSON exports in columns, for the cohort report (hundreds of exports of thousands
of answers each).

`read_columns` checks a file against the same schema as `json_export.read_export` — the
same bounds on every field — but decodes the answers into lean records and turns them into
columns (numbers in arrays, texts as codes into shared tables) instead of several domain
objects per answer. The checks that `read_export` makes after decoding (points within 0 to
max_points, a moment that exists in UTC) are made on the whole column at once. When the
file fails any check, `read_export` reads it again to name the field at fault, so a bad
export gets the same located message by either road.
"""

from __future__ import annotations

import datetime as dt
import os
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from vpkp_tutor.domain.progress import answer_to_json
from vpkp_tutor.export.files import ExportError, read_bounded
from vpkp_tutor.export.json_export import (
    MAX_EXPORT_BYTES,
    MAX_TEXT,
    AnswerItem,
    ConfidenceName,
    ErrorComment,
    ErrorTagName,
    Finite,
    LearnerExport,
    Points,
    Seconds,
    SmallList,
    Text,
    _Attempt,
    _build,
    _Case,
    _Content,
    _Due,
    _Learner,
    _Lesson,
    _Timed,
    read_export,
)
from vpkp_tutor.export.record import FORMAT_VERSION

_FIRST_US = -62135596800 * 1_000_000
"""0001-01-01T00:00:00Z in microseconds since 1970 (the earliest moment a date holds)."""
_LAST_US = 253402300799 * 1_000_000 + 999_999
"""9999-12-31T23:59:59.999999Z."""


_Texts = Annotated[tuple[Text, ...], Meta(max_length=10_000)]
"""`SmallList` decoded as a tuple, so that it can be a key."""
_Answer = (Annotated[str, Meta(max_length=MAX_TEXT)] | Finite
           | Annotated[tuple[AnswerItem, ...], Meta(max_length=10_000)] | None)
"""`AnswerJson` with a list decoded as a tuple."""


class _LeanResponse(msgspec.Struct, gc=False):
    """A response as the schema checks it (the bounds of `json_export._Response`), with its
    cross-field checks left to the column pass. It holds no cycles, so the collector need not
    track it (`gc=False`: a measured fifth off decoding)."""

    id: Text
    attempt_id: Text
    mode: Text
    question_id: Text
    content_hash: Text
    points: Points
    max_points: Points
    correct: bool
    seconds: Seconds
    answered_at: dt.datetime
    answer: _Answer = None
    topic: Text | None = None
    objectives: _Texts | None = None
    type: Text | None = None
    difficulty: Text | None = None
    confidence: ConfidenceName | None = None
    error_tag: ErrorTagName | None = None
    error_comment: ErrorComment = ""


class _LeanDoc(_Timed):
    format: Literal["vpkp-tutor/learner-export"]
    format_version: Annotated[int, Meta(ge=1, le=FORMAT_VERSION)]
    app_version: Text
    content: _Content
    learner: _Learner
    lesson_progress: list[_Lesson]
    case_runs: list[_Case]
    responses: list[_LeanResponse]
    attempts: list[_Attempt]
    flags: SmallList
    exported_at: dt.datetime
    review_due: list[_Due] | None = None


_DOC = msgspec.json.Decoder(_LeanDoc)
_UTC = dt.UTC


NO_REASON: tuple[str | None, str] = (None, "")
"""(error tag, comment) of an answer without a reason given."""


class _Numbering(dict[Any, int]):
    """A dict that gives a value it has not seen the next number (in one lookup per value:
    the lookup of a known value is the dict's own, in C)."""

    def __missing__(self, value: Any) -> int:
        code = self[value] = len(self)
        return code


@dataclass(slots=True)
class Codes:
    """Texts shared by many answers (question ids, topics, …) as small integers."""

    index: dict[Any, int] = field(default_factory=_Numbering)

    def __post_init__(self) -> None:
        if not isinstance(self.index, _Numbering):
            self.index = _Numbering(self.index)

    def code(self, values: list[Any]) -> array[int]:
        """Each value's code (new values get the next numbers, in order of appearance)."""
        import numpy as np

        codes = array("q")  # (through numpy: `array` converts each number with a format parser)
        codes.frombytes(np.fromiter(map(self.index.__getitem__, values), np.int64,
                                    len(values)).tobytes())
        return codes

    def values(self) -> list[Any]:
        """The texts, by code."""
        return list(self.index)


@dataclass(slots=True)
class ExportHeader:
    """Everything of an export except its answers (a few dozen small records)."""

    source: str
    doc: Any
    """The checked document with its `responses` emptied."""
    rows: range
    """Where its answers are in the columns."""


@dataclass(slots=True)
class ResponseColumns:
    """The answers of many exports, one entry per answer in file order.

    What an answer says about its question (id, topic, type, objectives) is one code into
    `facts`, its attempt and mode one into `sittings`, its answer one into `answers`, why it
    was wrong (the learner's error tag and comment, mostly none) one into `whys`: a cohort
    repeats a few thousand of each a million times."""

    facts: Codes = field(default_factory=Codes)
    sittings: Codes = field(default_factory=Codes)
    answers: Codes = field(default_factory=Codes)
    whys: Codes = field(default_factory=lambda: Codes({NO_REASON: 0}))
    """Code 0 is `NO_REASON` (most answers)."""
    fact: array[int] = field(default_factory=lambda: array("q"))
    sitting: array[int] = field(default_factory=lambda: array("q"))
    answer: array[int] = field(default_factory=lambda: array("q"))
    why: array[int] = field(default_factory=lambda: array("q"))
    points: array[float] = field(default_factory=lambda: array("d"))
    max_points: array[float] = field(default_factory=lambda: array("d"))
    correct: array[int] = field(default_factory=lambda: array("b"))
    sure: array[int] = field(default_factory=lambda: array("b"))
    """The stated confidence: 1 sure, 2 unsure, 3 guess, 0 not stated."""
    answered_us: array[int] = field(default_factory=lambda: array("q"))
    """Microseconds since 1970-01-01T00:00:00Z."""
    repeated: list[range] = field(default_factory=list)
    """The rows of each export that holds a response id more than once."""
    _id_pieces: list[list[str] | str] = field(default_factory=list)
    """The response ids in pieces, in row order: lists of ids, or texts of ids joined by
    `_SEPARATOR` as worker processes send them. They are put together on first use: most
    reports never need them."""

    def __len__(self) -> int:
        return len(self.fact)

    @property
    def ids(self) -> list[str]:
        """Response ids, one per answer (for merging exports of one learner)."""
        pieces = self._id_pieces
        if len(pieces) == 1 and isinstance(pieces[0], list):
            return pieces[0]
        ids: list[str] = []
        for piece in pieces:
            ids.extend(piece.split(_SEPARATOR) if isinstance(piece, str) else piece)
        self._id_pieces = [ids]
        return ids


CODED = (("facts", "fact"), ("sittings", "sitting"), ("answers", "answer"), ("whys", "why"))
"""Each table of `ResponseColumns` and the column of its codes."""
_FACTS = attrgetter("question_id", "topic", "type", "objectives")
_SITTING = attrgetter("attempt_id", "mode")
_WHY = attrgetter("error_tag", "error_comment")
_TAG = attrgetter("error_tag")
_CONFIDENCE = attrgetter("confidence")
SURENESS = {None: 0, "sure": 1, "unsure": 2, "guess": 3}
"""A stated confidence as stored in `ResponseColumns.sure`."""
_NUMBERS = tuple(attrgetter(name) for name in ("points", "max_points", "answered_at"))
_ANSWER, _CORRECT, _ID = attrgetter("answer"), attrgetter("correct"), attrgetter("id")


def read_columns(path: Path, columns: ResponseColumns,
                 limit: int = MAX_EXPORT_BYTES) -> ExportHeader:
    """Check one export and append its answers to `columns`; ExportError names the file and
    the field of the first problem (nothing is appended then)."""
    import numpy as np

    source = str(path)
    data = read_bounded(Path(path), limit).removeprefix(b"\xef\xbb\xbf")
    try:  # msgspec refuses bytes that are not UTF-8 (the refusal then names them)
        doc = _DOC.decode(data)
    except (msgspec.DecodeError, RecursionError, ValueError):
        raise _refused(path, limit) from None
    rs = doc.responses
    start = len(columns)
    n = len(rs)
    points_a, most_a = (np.fromiter(map(get, rs), np.float64, n) for get in _NUMBERS[:2])
    moments = list(map(_NUMBERS[2], rs))
    if None in map(attrgetter("tzinfo"), moments):  # a naive time is taken as UTC
        moments = [a if a.tzinfo is not None else a.replace(tzinfo=_UTC) for a in moments]
    micros = np.round(np.fromiter(map(dt.datetime.timestamp, moments), np.float64, n)
                      * 1e6).astype(np.int64)
    if rs and not (bool((most_a >= 0).all()) and bool((points_a >= 0).all())
                   and bool((points_a <= most_a).all()) and int(micros.min()) >= _FIRST_US
                   and int(micros.max()) <= _LAST_US):
        raise _refused(path, limit)
    columns.fact.extend(columns.facts.code(list(map(_FACTS, rs))))
    columns.sitting.extend(columns.sittings.code(list(map(_SITTING, rs))))
    columns.answer.extend(columns.answers.code(list(map(_ANSWER, rs))))
    if list(map(_TAG, rs)).count(None) == len(rs):  # no reason given: all code 0
        columns.why.frombytes(bytes(columns.why.itemsize * len(rs)))
    else:  # (a comment without a tag is dropped when merged)
        columns.why.extend(columns.whys.code(list(map(_WHY, rs))))
    columns.points.frombytes(points_a.tobytes())
    columns.max_points.frombytes(most_a.tobytes())
    columns.correct.frombytes(np.fromiter(map(_CORRECT, rs), np.int8, len(rs)).tobytes())
    stated = list(map(_CONFIDENCE, rs))
    if stated.count(None) == len(stated):  # none stated: all 0
        columns.sure.frombytes(bytes(len(rs)))
    else:
        columns.sure.frombytes(np.fromiter(map(SURENESS.__getitem__, stated), np.int8,
                                           n).tobytes())
    columns.answered_us.frombytes(micros.tobytes())
    ids = list(map(_ID, rs))
    if len(set(ids)) != len(ids):
        columns.repeated.append(range(start, start + len(rs)))
    columns.ids.extend(ids)
    doc.responses = []
    return ExportHeader(source, doc, range(start, len(columns)))


def columns_of(exports: Sequence[LearnerExport]
               ) -> tuple[ResponseColumns, list[tuple[LearnerExport, range]]]:
    """The answers of learner records already read (an LRS's, `lrs.cohort`) in the columns
    `read_all` makes of files, with each record and where its answers are."""
    columns = ResponseColumns()
    read = []
    for ex in exports:
        start = len(columns)
        rs = ex.responses
        columns.fact.extend(columns.facts.code(
            [(r.event.record.question_id, r.meta.topic, r.meta.type, r.meta.objectives)
             for r in rs]))
        columns.sitting.extend(columns.sittings.code(
            [(r.event.record.attempt_id, r.event.mode) for r in rs]))
        columns.answer.extend(columns.answers.code(
            [_as_json(r.event.record.answer) for r in rs]))
        columns.why.extend(columns.whys.code(
            [(r.event.record.error_tag, r.event.record.error_comment) for r in rs]))
        columns.points.extend(float(r.event.record.points) for r in rs)
        columns.max_points.extend(float(r.event.record.max_points) for r in rs)
        columns.correct.extend(bool(r.event.record.correct) for r in rs)
        columns.sure.extend(r.event.record.confidence or 0 for r in rs)
        columns.answered_us.extend(_micros(r.event.record.answered_at) for r in rs)
        ids = [r.event.id for r in rs]
        if len(set(ids)) != len(ids):
            columns.repeated.append(range(start, start + len(rs)))
        columns.ids.extend(ids)
        read.append((ex, range(start, len(columns))))
    return columns, read


def _as_json(answer: Any) -> Any:
    """An answer as `read_columns` keeps it (its JSON value, a list as a tuple)."""
    value = answer_to_json(answer)
    return tuple(value) if isinstance(value, list) else value


def _micros(moment: dt.datetime) -> int:
    """Microseconds since 1970-01-01T00:00:00Z (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


def _refused(path: Path, limit: int) -> ExportError:
    """The located message of the validating reader for a file that failed a check."""
    try:
        read_export(path, limit)
    except ExportError as exc:
        return exc
    return ExportError(f"{path}: not a valid VP/KP Tutor learner export")  # pragma: no cover


PARALLEL_FROM = 32
"""Exports needed before they are read by several processes (below it, starting them costs
more than it saves)."""


def read_all(paths: Sequence[Path], workers: int | None = None
             ) -> tuple[ResponseColumns, list[tuple[LearnerExport, range]]]:
    """Read every export into one set of columns, with each export's header and where its
    answers are; ExportError names the first bad file in the order given.

    Many exports are read by up to `workers` processes (default: one per core, at most 4),
    this one among them. Each process claims the next run of consecutive files not yet
    taken until none is left, the runs shrinking as the files run out, so that a process
    slowed by another program reads fewer and nobody waits long for it (on a shared
    two-core machine the two halves of a fixed split took 10–35% apart, measured). The
    runs' columns are joined in file order, so the codes and rows are those of reading one
    file after another. (What a worker read comes back as `_read_claimed` tells: its
    arrays through a temporary file, its exports' records as MessagePack.)"""
    workers = workers or min(4, os.cpu_count() or 1)
    names = [str(p) for p in paths]
    parts = None
    if workers >= 2 and len(paths) >= PARALLEL_FROM:
        parts = _read_in_parallel(names, workers)
    if parts is None:  # (one process, or a reading process failed: read them all here)
        parts = [_read_part(names)]
    for _, _, error in parts:
        if error is not None:
            raise ExportError(error)
    return _join(parts)


def _read_in_parallel(names: list[str], workers: int) -> list[_Part] | None:
    """`read_all`'s reading by `workers` processes, this one among them; None when a worker
    process ended before it had sent what it read (killed, say by the system running out
    of memory), could not hand it over (its temporary file's disk full) or could not be
    started: what it had claimed is lost with it. (A bad export is not such a failure: it
    comes back as the message of the first bad file.)"""
    import multiprocessing
    import tempfile
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from contextlib import ExitStack

    context = multiprocessing.get_context("fork")
    claims = _Claims(context.Value("i", 0), len(names), workers)
    try:
        with ExitStack() as stack:
            spills = [stack.enter_context(tempfile.TemporaryFile())
                      for _ in range(workers - 1)]
            pool = stack.enter_context(ProcessPoolExecutor(
                workers - 1, mp_context=context, initializer=_inherit, initargs=(claims,)))
            done = [pool.submit(_read_claimed, spill.fileno(), names) for spill in spills]
            read = [(run.start, _read_part(names[run.start:run.stop])) for run in claims]
            for spill, future in zip(spills, done, strict=True):
                runs = future.result()
                spill.seek(0)
                read.extend((start, _unpacked(_filled(sent, sizes, spill)))
                            for start, sent, sizes in runs)
    except (BrokenProcessPool, OSError):
        return None
    return [part for _, part in sorted(read, key=lambda r: r[0])]


@dataclass(frozen=True, slots=True)
class _Claims:
    """Runs of files claimed by the reading processes, in order, through one shared count
    of the files taken. A run is an equal share of what is left among the processes, and
    never fewer than `smallest` files: large runs first (each run's columns cost a little
    to join), small ones last (the last run read is the longest anyone waits)."""

    taken: Any
    """A `multiprocessing.Value` shared with the worker processes (inherited when forked)."""
    files: int
    processes: int
    smallest: int = 4

    def __iter__(self) -> Iterator[range]:
        while True:
            with self.taken.get_lock():
                start = self.taken.value
                size = max(self.smallest, -(-(self.files - start) // self.processes))
                self.taken.value = min(self.files, start + size)
            if start >= self.files:
                return
            yield range(start, min(self.files, start + size))


_Part = tuple[ResponseColumns, list[tuple["LearnerExport", range]], str | None]


def _read_heads(paths: list[str]) -> tuple[ResponseColumns, list[ExportHeader], str | None]:
    """Read consecutive exports; stop at the first bad one and return its message."""
    columns = ResponseColumns()
    heads = []
    for p in paths:
        try:
            heads.append(read_columns(Path(p), columns))
        except ExportError as exc:
            return columns, heads, str(exc)
    return columns, heads, None


def _read_part(paths: list[str]) -> _Part:
    """Read consecutive exports into columns and learner records."""
    columns, heads, error = _read_heads(paths)
    return columns, [(_build(h.source, h.doc), h.rows) for h in heads], error


_SEPARATOR = "\x00"
_Sent = tuple[ResponseColumns, list[tuple[str, range]], bytes, str | None, str | None]
"""What a worker process sends back: the columns, each export's source
and rows, the exports' checked documents (without answers) as MessagePack, the response ids
as one text (or None: they are in the columns) and the message of a bad file."""
_HEADS_OUT = msgspec.msgpack.Encoder()
_HEADS_IN = msgspec.msgpack.Decoder(list[_LeanDoc])


def _read_packed(paths: list[str]) -> _Sent:
    """`_read_heads` in a worker process, packed to be sent cheaply: the documents as
    MessagePack (a fifth of the time pickling records takes, both ways) and the response
    ids as one text (a million short texts cost several times more to send one by one,
    and to split when they arrive), unless one holds the separator."""
    columns, heads, error = _read_heads(paths)
    docs = _HEADS_OUT.encode([h.doc for h in heads])
    places = [(h.source, h.rows) for h in heads]
    ids = columns.ids
    packed = _SEPARATOR.join(ids)
    if not ids or packed.count(_SEPARATOR) != len(ids) - 1:
        return columns, places, docs, None, error
    columns._id_pieces = []
    return columns, places, docs, packed, error


_inherited: _Claims | None = None
"""In a worker process: the claims it shares with the others (a shared value is handed to
a process when it is forked, never sent)."""


def _inherit(claims: _Claims) -> None:
    global _inherited
    _inherited = claims


_ARRAYS = ("fact", "sitting", "answer", "why", "points", "max_points", "correct", "sure",
           "answered_us")
"""The columns that are arrays of numbers."""


def _read_claimed(fd: int, names: list[str]) -> list[tuple[int, _Sent, list[int]]]:
    """In a worker process: read the runs of files it claims, each sent back with where it
    starts. The bulk of each run — its arrays of numbers and its response ids, tens of
    megabytes — is written as raw bytes to the open file `fd` (inherited from the process
    that forked it), and the rest sent with the byte sizes to read them back by: this
    machine's pipes moved them three times slower."""
    assert _inherited is not None
    runs: list[tuple[int, _Sent, list[int]]] = []
    with os.fdopen(fd, "wb", closefd=False) as spill:
        for run in _inherited:
            columns, places, docs, packed, error = _read_packed(names[run.start:run.stop])
            sizes = []
            for name in _ARRAYS:
                numbers = getattr(columns, name)
                sizes.append(spill.write(numbers))
                setattr(columns, name, array(numbers.typecode))
            if packed is not None:
                sizes.append(spill.write(packed.encode("utf-8", "surrogatepass")))
            runs.append((run.start, (columns, places, docs, None, error), sizes))
    return runs


def _filled(sent: _Sent, sizes: list[int], spill: Any) -> _Sent:
    """A run sent by `_read_claimed`, its arrays and ids read back from `spill`."""
    columns, places, docs, _, error = sent
    for name, size in zip(_ARRAYS, sizes, strict=False):
        getattr(columns, name).frombytes(spill.read(size))
    packed = (spill.read(sizes[-1]).decode("utf-8", "surrogatepass")
              if len(sizes) > len(_ARRAYS) else None)
    return columns, places, docs, packed, error


def _unpacked(sent: _Sent) -> _Part:
    columns, places, docs, packed, error = sent
    if packed is not None:
        columns._id_pieces = [packed]
    heads: list[Any] = _HEADS_IN.decode(docs)  # `_build` reads the lean document as it is
    read = [(_build(source, doc), rows) for (source, rows), doc in zip(places, heads,
                                                                        strict=True)]
    return columns, read, error


def _join(parts: list[_Part]) -> tuple[ResponseColumns, list[tuple[LearnerExport, range]]]:
    """One part's columns as they are; several parts' appended, their codes renumbered."""
    import numpy as np

    if len(parts) == 1:
        return parts[0][0], parts[0][1]
    out = ResponseColumns()
    read: list[tuple[LearnerExport, range]] = []
    for part, headers, _ in parts:
        start = len(out)
        for table, column in CODED:
            renumber = np.frombuffer(getattr(out, table).code(getattr(part, table).values()),
                                     dtype=np.int64)
            codes = np.frombuffer(getattr(part, column), dtype=np.int64)
            getattr(out, column).frombytes(renumber[codes].tobytes() if len(codes) else b"")
        for name in ("points", "max_points", "correct", "sure", "answered_us"):
            getattr(out, name).extend(getattr(part, name))
        out._id_pieces.extend(part._id_pieces)  # put together only if asked for
        out.repeated.extend(range(rows.start + start, rows.stop + start)
                            for rows in part.repeated)
        read.extend((ex, range(rows.start + start, rows.stop + start)) for ex, rows in headers)
    return out, read
