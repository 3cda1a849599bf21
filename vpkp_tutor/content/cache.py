"""The content cache: a validated ContentBank stored on disk, reused while the files are
unchanged.

The cache holds data only: it is MessagePack decoded by msgspec into the domain's own record
types, so a file planted in the cache folder can at worst be refused, never run. Nothing
in the app unpickles anything.

The key covers the cache format, the shape of the records (a hash of their fields and
types), the app version, the day (staleness warnings depend on it) and, for every content
file, its path, size and modification time — a `stat()` per file, no reading. A missing,
stale, unreadable, truncated, corrupt or foreign cache is rebuilt silently; the cache is
written atomically (temporary file + rename), so a crash never leaves half a cache behind.

Layout: a magic line; the length of the key and the key, compared before anything else is
decoded; the length of the header and the header (the bank without its questions and
cases, the questions' metadata columns, and the offsets of each item); then one encoded
question or case after another. Loading decodes the header only, checks that its offsets
are consistent with the file, and maps the rest of the file into memory: a question is
decoded the first time it is read. A bank of 10,000 questions thus opens in a few tens of
milliseconds and keeps only the questions in use in memory. Should an item fail to decode
later (the file was damaged after it was opened), the content is loaded from its files
instead, once, and the cache rewritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import mmap
import os
import stat
import struct
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import msgspec

from vpkp_tutor import __version__
from vpkp_tutor.content.files import walk
from vpkp_tutor.domain import model as _model
from vpkp_tutor.domain.model import (
    Case,
    ContentBank,
    ContentProblem,
    Course,
    Difficulty,
    Lesson,
    Question,
    QuestionMeta,
    QuestionType,
    TopicId,
)

T = TypeVar("T")

CACHE_PREFIX = "content-"
"""Cache files are named after the content folders they hold, so several sets can coexist."""
CACHE_SUFFIX = ".msgpack"
_MAGIC = b"VPKP-CONTENT-CACHE 7 msgpack\n"
_LEN = struct.Struct("<Q")


def _records_signature() -> str:
    """A hash of every cached record's fields and their types (and of the enums' values):
    a cache written by code with a different record shape never matches."""
    parts = []
    for name in sorted(vars(_model)):
        obj = getattr(_model, name)
        if isinstance(obj, type) and obj.__module__ == _model.__name__:
            if issubclass(obj, msgspec.Struct):
                parts.append(f"{name}{obj.__struct_fields__}{obj.__annotations__}"
                             f"{obj.__struct_config__.tag_field}{obj.__struct_config__.tag}")
            elif issubclass(obj, enum.Enum):
                parts.append(f"{name}{[m.value for m in obj]}")
    parts.append(f"QuestionMeta{QuestionMeta._fields}")
    return f"{zlib.crc32(chr(10).join(parts).encode()):08x}"


RECORDS_SIGNATURE = _records_signature()
"""Part of every cache key: changes whenever a cached record changes shape."""


class _Header(msgspec.Struct, array_like=True, frozen=True):
    """Everything but the questions' and cases' bodies."""

    lessons: tuple[Lesson, ...]
    problems: tuple[ContentProblem, ...]
    skipped_files: tuple[str, ...]
    fingerprint: str
    files_checked: int
    ids: tuple[str, ...]
    types: tuple[QuestionType, ...]
    topics: tuple[TopicId, ...]
    difficulties: tuple[Difficulty, ...]
    objectives: tuple[tuple[str, ...], ...]
    q_offsets: bytes
    """array('Q') of the questions' start offsets, then the end of the last."""
    c_offsets: bytes
    """The same for the cases (starting where the questions end)."""
    course: Course
    """The course the content belongs to (its manifest)."""


_HEADER = msgspec.msgpack.Decoder(_Header)
_QUESTION = msgspec.msgpack.Decoder(Question)
_CASE = msgspec.msgpack.Decoder(Case)


def cache_key(paths: Sequence[Path], today: dt.date, manifest: Path | None = None) -> str:
    """The format, record shape, version, day, the course manifest's and every content
    file's path, size and mtime, as one string (compared whole, so no hashing is needed at
    start-up)."""
    parts = [f"{_MAGIC!r}|{RECORDS_SIGNATURE}|{__version__}|{today.isoformat()}"]
    if manifest is not None:
        try:
            st = os.stat(manifest)
            parts.append(f"course|{os.path.realpath(manifest)}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"course|{manifest}|missing")
    for root in paths:
        try:
            found = walk(os.path.realpath(root))
            for path, _rel in found.files:
                st = os.stat(path)
                parts.append(f"{path}|{st.st_size}|{st.st_mtime_ns}")
            parts.extend(f"{n.path}|{n.message}" for n in found.notes)
        except OSError:
            parts.append(f"{root}|missing")
    return "\n".join(parts)


def cache_path(cache_dir: Path, paths: Sequence[Path]) -> Path:
    """The cache file for this set of content folders (two sets that happen to share a
    name only evict each other: the stored key is always checked in full)."""
    names = "|".join(os.path.realpath(p) for p in paths)
    return cache_dir / f"{CACHE_PREFIX}{zlib.crc32(os.fsencode(names)):08x}{CACHE_SUFFIX}"


class LazyItems(Sequence[T], Generic[T]):
    """Items decoded from a memory-mapped cache file the first time each is read."""

    __slots__ = ("_blobs", "_built", "_decode", "_offsets", "_rebuild")

    def __init__(
        self,
        blobs: memoryview,
        offsets: array[int],
        decode: Callable[[memoryview], T],
        rebuild: Callable[[], Sequence[T]],
    ) -> None:
        self._blobs = blobs
        self._offsets = offsets
        self._decode = decode
        self._rebuild = rebuild
        self._built: list[T | None] = [None] * (len(offsets) - 1)

    def __len__(self) -> int:
        return len(self._built)

    def _get(self, i: int) -> T:
        item = self._built[i]
        if item is None:
            try:
                item = self._decode(self._blobs[self._offsets[i] : self._offsets[i + 1]])
            except (msgspec.DecodeError, msgspec.ValidationError):
                # damaged since it was opened: take the items from the files instead
                item = self._rebuild()[i]
            self._built[i] = item
        return item

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return tuple(self._get(i) for i in range(*index.indices(len(self))))
        n = len(self)
        if not -n <= index < n:
            raise IndexError(index)
        return self._get(index % n)

    def __iter__(self) -> Iterator[T]:
        return (self._get(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))


def _offsets(raw: bytes) -> array[int] | None:
    """The offsets array when it is well formed (at least one entry), else None. Offsets
    out of order need no check: an item read from the wrong place fails to decode, and
    is then taken from the files."""
    if not raw or len(raw) % 8:
        return None
    offsets = array("Q")
    offsets.frombytes(raw)
    return offsets


def _read(
    cache_file: Path, key: str, rebuild: Callable[[], ContentBank]
) -> ContentBank | None:
    """The cached bank when the file holds a sound one for `key`, else None. Reads plain
    data only, and checks it before use: anything unexpected means "no cache"."""
    fd = os.open(cache_file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # a pipe or device planted here is never read
            return None
        size = st.st_size
        if fh.read(len(_MAGIC)) != _MAGIC:
            return None
        expected = key.encode()
        (key_len,) = _LEN.unpack(fh.read(_LEN.size))
        if key_len != len(expected) or fh.read(key_len) != expected:
            return None
        (header_len,) = _LEN.unpack(fh.read(_LEN.size))
        base = len(_MAGIC) + 2 * _LEN.size + key_len + header_len
        if base > size:
            return None
        header = _HEADER.decode(fh.read(header_len))
        n = len(header.ids)
        columns = (header.types, header.topics, header.difficulties, header.objectives)
        q_offsets, c_offsets = _offsets(header.q_offsets), _offsets(header.c_offsets)
        if (
            q_offsets is None or c_offsets is None
            or any(len(c) != n for c in columns) or len(q_offsets) != n + 1
            or q_offsets[0] != 0 or c_offsets[0] != q_offsets[-1]
            or c_offsets[-1] != size - base
        ):
            return None
        if c_offsets[-1]:
            view = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))[base:]
        else:
            view = memoryview(b"")
    make = partial(tuple.__new__, QuestionMeta)  # `QuestionMeta._make` without its Python frame
    meta = tuple(map(make, zip(header.ids, *columns, strict=True)))
    questions: LazyItems[Question] = LazyItems(
        view, q_offsets, _QUESTION.decode, lambda: rebuild().questions)
    cases: LazyItems[Case] = LazyItems(view, c_offsets, _CASE.decode, lambda: rebuild().cases)
    return ContentBank(
        lessons=header.lessons,
        questions=questions,
        cases=cases,
        problems=header.problems,
        skipped_files=header.skipped_files,
        fingerprint=header.fingerprint,
        files_checked=header.files_checked,
        question_meta=meta,
        course=header.course,
    )


def load_cached(
    paths: Sequence[Path], cache_dir: Path | None, today: dt.date | None = None,
    manifest: Path | None = None,
) -> ContentBank:
    """The bank for `paths` in the course of `manifest` (default: the bundled course), from
    the cache when it is current, else loaded and cached."""
    today = today or dt.date.today()
    if manifest is None:
        from vpkp_tutor.content import bundled_manifest

        manifest = bundled_manifest()
    if cache_dir is None:
        return _load(paths, today, manifest)
    key = cache_key(paths, today, manifest)
    cache_file = cache_path(cache_dir, paths)
    fresh: list[ContentBank] = []

    def rebuild() -> ContentBank:
        """The bank loaded from its files (once), the cache rewritten from it."""
        if not fresh:
            fresh.append(_load(paths, today, manifest))
            with contextlib.suppress(UnicodeEncodeError):  # a name that is not UTF-8
                _write(cache_file, key, fresh[0])
        return fresh[0]

    try:
        cached = _read(cache_file, key, rebuild)
        if cached is not None:
            return cached
    except (OSError, ValueError, struct.error, msgspec.DecodeError, msgspec.ValidationError):
        pass  # unreadable, truncated or not ours: rebuilt below
    return rebuild()


def _load(paths: Sequence[Path], today: dt.date, manifest: Path) -> ContentBank:
    """Parse and validate (imported only on a cache miss: YAML and the schema are costly)."""
    from vpkp_tutor.content.loader import load_content

    return load_content(paths, today=today, manifest=manifest)


def _write(cache_file: Path, key: str, bank: ContentBank) -> None:
    encode = msgspec.msgpack.Encoder().encode
    blobs = [encode(x) for x in (*bank.questions, *bank.cases)]
    offsets = array("Q", [0])
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    n = len(bank.questions)
    meta = bank.question_meta
    header = encode(_Header(
        lessons=bank.lessons, problems=bank.problems, skipped_files=bank.skipped_files,
        fingerprint=bank.fingerprint, files_checked=bank.files_checked,
        ids=tuple(m.id for m in meta), types=tuple(m.type for m in meta),
        topics=tuple(m.topic for m in meta), difficulties=tuple(m.difficulty for m in meta),
        objectives=tuple(m.objectives for m in meta),
        q_offsets=offsets[: n + 1].tobytes(), c_offsets=offsets[n:].tobytes(),
        course=bank.course,
    ))
    key_bytes = key.encode()
    tmp = ""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".content-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(_LEN.pack(len(key_bytes)))
            fh.write(key_bytes)
            fh.write(_LEN.pack(len(header)))
            fh.write(header)
            for blob in blobs:
                fh.write(blob)
        os.replace(tmp, cache_file)
        for stale in cache_file.parent.glob(f"{CACHE_PREFIX}????????.pickle"):
            stale.unlink(missing_ok=True)  # the former cache format: never read, only removed
    except OSError:  # a read-only cache folder only costs speed
        if tmp:
            Path(tmp).unlink(missing_ok=True)
