"""The content cache: a validated ContentBank stored on disk, reused while the files are
unchanged.

The key covers the app version, the day (staleness warnings depend on it) and, for every
content file, its path, size and modification time — a `stat()` per file, no reading.
A missing, stale, unreadable or corrupt cache is rebuilt silently; the cache is written
atomically (temporary file + rename), so a crash never leaves half a cache behind.

Layout: a magic line, the length of the header, the header (key, the bank without its
questions, the questions' metadata columns and their offsets), then one pickled question
after another. Loading reads the header only and maps the rest of the file into memory:
a question is unpickled the first time it is read. A bank of 10,000 questions thus opens
in a few tens of milliseconds and keeps only the questions in use in memory.
"""

from __future__ import annotations

import datetime as dt
import mmap
import os
import pickle
import struct
import tempfile
import zlib
from array import array
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, overload

from vpkp_tutor import __version__
from vpkp_tutor.content.files import content_files
from vpkp_tutor.domain.model import (
    Case,
    ContentBank,
    Difficulty,
    QuestionMeta,
    QuestionType,
    Topic,
)

T = TypeVar("T")

CACHE_PREFIX = "content-"
"""Cache files are named after the content folders they hold, so several sets can coexist."""
_MAGIC = b"VPKP-CONTENT-CACHE 5\n"
_LEN = struct.Struct("<Q")


def cache_key(paths: Sequence[Path], today: dt.date) -> str:
    """The version, the day and every content file's path, size and mtime, as one string
    (compared whole, so no hashing is needed at start-up)."""
    parts = [f"{_MAGIC!r}|{__version__}|{today.isoformat()}"]
    for root in paths:
        try:
            for path, _rel in content_files(os.path.realpath(root)):
                st = os.stat(path)
                parts.append(f"{path}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{root}|missing")
    return "\n".join(parts)


def cache_path(cache_dir: Path, paths: Sequence[Path]) -> Path:
    """The cache file for this set of content folders (two sets that happen to share a
    name only evict each other: the stored key is always checked in full)."""
    names = "|".join(os.path.realpath(p) for p in paths)
    return cache_dir / f"{CACHE_PREFIX}{zlib.crc32(names.encode()):08x}.pickle"


class LazyItems(Sequence[T]):
    """Items unpickled from a memory-mapped cache file the first time each is read."""

    __slots__ = ("_blobs", "_built", "_offsets")

    def __init__(self, blobs: memoryview, offsets: array[int]) -> None:
        self._blobs = blobs
        self._offsets = offsets
        self._built: list[T | None] = [None] * (len(offsets) - 1)

    def __len__(self) -> int:
        return len(self._built)

    def _get(self, i: int) -> T:
        item = self._built[i]
        if item is None:
            item = pickle.loads(self._blobs[self._offsets[i] : self._offsets[i + 1]])
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


_TOPICS = {t.value: t for t in Topic}
_TYPES = {t.value: t for t in QuestionType}
_DIFFICULTIES = {d.value: d for d in Difficulty}


def _meta_columns(meta: Sequence[QuestionMeta]) -> tuple[tuple[Any, ...], ...]:
    return (
        tuple(m.id for m in meta),
        tuple(m.type.value for m in meta),
        tuple(m.topic.value for m in meta),
        tuple(m.difficulty.value for m in meta),
        tuple(m.objectives for m in meta),
    )


def _meta_rows(columns: tuple[tuple[Any, ...], ...]) -> tuple[QuestionMeta, ...]:
    ids, types, topics, difficulties, objectives = columns
    make = partial(tuple.__new__, QuestionMeta)  # `QuestionMeta._make` without its Python frame
    return tuple(map(make, zip(
        ids,
        map(_TYPES.__getitem__, types),
        map(_TOPICS.__getitem__, topics),
        map(_DIFFICULTIES.__getitem__, difficulties),
        objectives,
        strict=True,
    )))


def _read(cache_file: Path, key: str) -> ContentBank | None:
    """The cached bank when the file holds one for `key`, else None."""
    with cache_file.open("rb") as fh:
        if fh.read(len(_MAGIC)) != _MAGIC:
            return None
        (header_len,) = _LEN.unpack(fh.read(_LEN.size))
        stored_key, shell, columns, q_offsets, c_offsets = pickle.loads(fh.read(header_len))
        if stored_key != key or not isinstance(shell, ContentBank):
            return None
        base = len(_MAGIC) + _LEN.size + header_len
        size = os.fstat(fh.fileno()).st_size
        if size - base != c_offsets[-1]:
            return None
        if c_offsets[-1]:
            view = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))[base:]
        else:
            view = memoryview(b"")
    cases: LazyItems[Case] = LazyItems(view, c_offsets)
    return ContentBank(
        lessons=shell.lessons,
        questions=LazyItems(view, q_offsets),
        cases=cases,
        problems=shell.problems,
        skipped_files=shell.skipped_files,
        fingerprint=shell.fingerprint,
        files_checked=shell.files_checked,
        question_meta=_meta_rows(columns),
    )


def load_cached(
    paths: Sequence[Path], cache_dir: Path | None, today: dt.date | None = None
) -> ContentBank:
    """The bank for `paths`, from the cache when it is current, else loaded and cached."""
    today = today or dt.date.today()
    if cache_dir is None:
        return _load(paths, today)
    key = cache_key(paths, today)
    cache_file = cache_path(cache_dir, paths)
    try:
        cached = _read(cache_file, key)
        if cached is not None:
            return cached
    except Exception:  # any unreadable cache is simply rebuilt
        pass
    bank = _load(paths, today)
    _write(cache_file, key, bank)
    return bank


def _load(paths: Sequence[Path], today: dt.date) -> ContentBank:
    """Parse and validate (imported only on a cache miss: YAML and the schema are costly)."""
    from vpkp_tutor.content.loader import load_content

    return load_content(paths, today=today)


def _write(cache_file: Path, key: str, bank: ContentBank) -> None:
    blobs = [pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)
             for x in (*bank.questions, *bank.cases)]
    offsets = array("Q", [0])
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    n = len(bank.questions)
    q_offsets, c_offsets = offsets[: n + 1], offsets[n:]
    shell = ContentBank(
        lessons=bank.lessons, problems=bank.problems,
        skipped_files=bank.skipped_files, fingerprint=bank.fingerprint,
        files_checked=bank.files_checked,
    )
    header = pickle.dumps(
        (key, shell, _meta_columns(bank.question_meta), q_offsets, c_offsets),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    tmp = ""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".content-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(_LEN.pack(len(header)))
            fh.write(header)
            for blob in blobs:
                fh.write(blob)
        os.replace(tmp, cache_file)
    except OSError:  # a read-only cache folder only costs speed
        if tmp:
            Path(tmp).unlink(missing_ok=True)
