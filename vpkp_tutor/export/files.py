"""Writing export files safely, and reading a file someone else wrote within bounds.

- `check_output` refuses an output path that is (or is inside, or is a hard link to) one of
  the protected paths — the progress database, its `-wal`, `-shm` and `-journal` files and
  the backups folder — and an existing file unless overwriting was asked for.
- `atomic_text` writes to a temporary file beside the target, flushes and fsyncs it, then
  renames it over the target (`os.replace`): a failed export leaves no temporary file and
  the old file byte for byte.
- `read_bounded` reads a regular file of at most `limit` bytes (never a FIFO, a device or a
  directory, which could hang or never end).

Every problem becomes an `ExportError` (or `OutputExists`) with a readable message.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO


class ExportError(ValueError):
    """An export or report could not be written or read; the message says why."""


class OutputExists(FileExistsError):
    """The output file exists and overwriting it was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; choose another name or overwrite it "
                         "(--force on the command line)")
        self.path = path

    def __str__(self) -> str:
        return str(self.args[0])


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _files_under(path: Path) -> Iterator[Path]:
    if path.is_dir():
        with contextlib.suppress(OSError):
            yield from (p for p in path.rglob("*") if p.is_file())
    elif path.exists():
        yield path


def check_output(path: Path, protected: Sequence[Path] = (), overwrite: bool = False) -> None:
    """Refuse `path` when it is, or is inside, a protected path (compared as resolved real
    paths, and by device and inode for an existing file, so a symbolic or hard link to the
    database is refused too), when it is a folder or its folder is missing, and — unless
    `overwrite` — when it exists. Raises ExportError or OutputExists."""
    path = Path(path)
    real = _real(path)
    for guarded in protected:
        guarded_real = _real(guarded)
        if _inside(real, guarded_real) or _inside(path.absolute(), Path(guarded).absolute()):
            raise ExportError(f"cannot write {path}: that is the progress database, one "
                              "of its files or its backups; choose a file elsewhere")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise ExportError(f"cannot write {path}: it is a directory")
        for guarded in protected:
            for existing in _files_under(Path(guarded)):
                with contextlib.suppress(OSError):
                    other = os.stat(existing)
                    if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                        raise ExportError(
                            f"cannot write {path}: it is the same file as {existing}; "
                            "choose a file outside the progress database and its backups")
        if not overwrite:
            raise OutputExists(path)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")


def check_outputs(paths: Iterable[Path], protected: Sequence[Path] = (),
                  overwrite: bool = False) -> None:
    """`check_output` for each of several files written together (all checked first)."""
    for path in paths:
        check_output(path, protected, overwrite)


@contextlib.contextmanager
def atomic_text(path: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """Open a UTF-8 text file that appears at `path` only when the block succeeds: written
    to a temporary file in the same folder, fsynced, then renamed over `path`."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        stream = open(tmp, "x", encoding="utf-8", newline=newline)  # noqa: SIM115
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        try:
            stream = open(tmp, "x", encoding="utf-8", newline=newline)  # noqa: SIM115
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ExportError otherwise (a FIFO,
    a device such as /dev/zero, a folder, a missing or unreadable file, or a bigger one)."""
    source = str(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ExportError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ExportError(f"{source}: cannot read: {kind}")
    if st.st_size > limit:
        raise ExportError(f"{source}: too large ({st.st_size:,} bytes; at most {limit:,})")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the check
                raise ExportError(f"{source}: cannot read: not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as stream:
                # (asked for the size it has, not `limit`: a read of n bytes first sets
                # aside n, and the reports read hundreds of files; measured 0.7 ms a file)
                data = stream.read(st.st_size + 1)
                if len(data) > st.st_size:  # it grew since: read on, to the limit
                    data += stream.read(limit + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as exc:
        raise ExportError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise ExportError(f"{source}: too large (more than {limit:,} bytes)")
    return data
