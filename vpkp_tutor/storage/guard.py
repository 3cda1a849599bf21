"""Guarding the database from other processes and from a `-wal` file that is not its own.

**The lock file.** Every process that opens the store holds a shared advisory lock
(`flock`) on `progress.lock` in the data folder for as long as it is open. Recovery
(`recover --fresh` / `--restore`, or the choice offered at start-up) takes the lock
exclusively, without waiting, and refuses while any copy of the app has the database open —
otherwise the running copy would go on saving into the file just set aside.

**The -wal file's identity.** SQLite applies whatever valid `-wal` file lies beside a
database when it opens it, even one copied from another database, and checkpoints it into
the file for good. The WAL header carries a checkpoint sequence and two salts that change
each time the log restarts; after each commit the store records them in
`progress.sqlite3-walid` (a new log's header is made while the store opens, so the record
always names the log in use). When the store is opened with nobody else holding it, a
`-wal` file with frames must match that record — or be one restart beyond it (a copy killed
between the commit that restarted the log and writing the record) — and have the
database's page size. Any other `-wal` is not applied: it and its `-shm` are set aside
under new names, byte for byte, and the store says so. A `-wal` the app did accept, though
it did not write it since it opened the database (left by a copy that was killed), is
copied with the database file into the backups folder before SQLite may checkpoint it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import struct
import time
from collections.abc import Iterator
from pathlib import Path

from vpkp_tutor.storage.base import StoreError
from vpkp_tutor.storage.paths import StorePaths

LOCK_NAME = "progress.lock"
"""The advisory lock file in the data folder."""
WALID_SUFFIX = "-walid"
"""Suffix (after the database's name) of the record of the -wal file's identity."""
WAL_HEADER = 32
"""Size of a WAL file's header."""
WAL_MAGIC = (0x377F0682, 0x377F0683)
"""The two valid magic numbers at the start of a WAL file."""
FOREIGN_PREFIX = "progress.foreign-"
"""File name prefix of a -wal (with its -shm) set aside as not the database's own."""
PRE_WAL_PREFIX = "before-wal-"
"""File name prefix of the copies taken before applying a -wal left by another process."""
PRE_WAL_KEEP = 3
"""How many such copies are kept."""
LOCK_WAIT_S = 10.0
"""How long opening waits for a recovery in progress to finish."""


def lock_path(paths: StorePaths) -> Path:
    """The advisory lock file."""
    return paths.data_dir / LOCK_NAME


def walid_path(paths: StorePaths) -> Path:
    """The record of the -wal file's identity."""
    return Path(f"{paths.db_path}{WALID_SUFFIX}")


def wal_path(paths: StorePaths) -> Path:
    """The database's -wal file."""
    return Path(f"{paths.db_path}-wal")


# -- the lock --------------------------------------------------------------------------------

class StoreLock:
    """An open lock file and the `flock` held on it (none when the file cannot be opened,
    e.g. in a read-only folder where it was never created)."""

    def __init__(self, paths: StorePaths) -> None:
        self.path = lock_path(paths)
        self._fd: int | None = None
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            with contextlib.suppress(OSError):
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)

    def try_exclusive(self) -> bool:
        """Take the lock exclusively if nobody else holds it; True when taken (or when there
        is no lock file to take)."""
        if self._fd is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def shared(self, wait_s: float = LOCK_WAIT_S) -> bool:
        """Take (or turn an exclusive hold into) a shared hold, waiting up to `wait_s` for an
        exclusive holder; False when it never came free."""
        if self._fd is None:
            return True
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return True
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def release(self) -> None:
        """Drop the hold and close the file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def holders(self) -> list[int]:
        """Process ids holding a lock on the file (from /proc/locks; empty when unknown)."""
        try:
            st = os.stat(self.path)
            lines = Path("/proc/locks").read_text().splitlines()
        except OSError:
            return []
        inode = f":{st.st_ino}"
        pids = []
        for line in lines:
            parts = line.split()
            if "->" in parts:
                continue  # a waiter, not a holder
            if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5].endswith(inode):
                dev = parts[5].rsplit(":", 1)[0].split(":")
                if len(dev) == 2 and _dev_matches(dev, st.st_dev) and parts[4].isdigit():
                    pids.append(int(parts[4]))
        return sorted(set(pids) - {os.getpid()})


def _dev_matches(dev: list[str], st_dev: int) -> bool:
    try:
        return (int(dev[0], 16), int(dev[1], 16)) == (os.major(st_dev), os.minor(st_dev))
    except ValueError:
        return False


def in_use_error(paths: StorePaths, lock: StoreLock) -> StoreError:
    """Another copy of the app has the database open."""
    pids = lock.holders()
    who = f" (pid {', '.join(map(str, pids))})" if pids else ""
    return StoreError(f"the progress database {paths.db_path} is in use by another VP/KP "
                      f"Tutor{who}; close it first", StoreError.BUSY, paths.db_path)


@contextlib.contextmanager
def exclusive(paths: StorePaths) -> Iterator[None]:
    """Hold the lock exclusively for a recovery; StoreError (busy) while the database is
    open elsewhere."""
    lock = StoreLock(paths)
    try:
        if not lock.try_exclusive():
            raise in_use_error(paths, lock)
        yield None
    finally:
        lock.release()


# -- the -wal file's identity ------------------------------------------------------------------

def wal_identity(wal: Path) -> tuple[int, int, int, int] | None:
    """(page size, checkpoint sequence, salt-1, salt-2) from a WAL header, or None when the
    file is missing, holds no frame or has no valid header."""
    try:  # (plain system calls: this runs after every commit)
        fd = os.open(wal, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        head = os.pread(fd, WAL_HEADER, 0)
        size = os.fstat(fd).st_size
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(head) < WAL_HEADER or size <= WAL_HEADER:
        return None
    magic, _version, page, ckpt, salt1, salt2, _c1, _c2 = struct.unpack(">8I", head)
    if magic not in WAL_MAGIC:
        return None
    return page, ckpt, salt1, salt2


def read_walid(paths: StorePaths) -> tuple[int, int, int, int] | None:
    """The recorded identity, or None when there is no (readable) record."""
    try:
        fields = walid_path(paths).read_text().split()
        page, ckpt, salt1, salt2 = (int(f) for f in fields[:4])
    except (OSError, ValueError):
        return None
    return page, ckpt, salt1, salt2


def record_walid(paths: StorePaths, known: tuple[int, int, int, int] | None
                 ) -> tuple[int, int, int, int] | None:
    """Record the -wal file's identity if it changed from `known`; return the identity now
    recorded. The header is read again under a lock on the record, so two copies of the
    app writing at once leave the newest identity, and the record is synced to disk
    before returning."""
    if wal_identity(wal_path(paths)) in (None, known):
        return known
    try:
        fd = os.open(walid_path(paths), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return known
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        ident = wal_identity(wal_path(paths))
        if ident is None:
            return known
        os.pwrite(fd, (" ".join(map(str, ident)) + "\n").encode().ljust(64), 0)
        os.ftruncate(fd, 64)
        os.fsync(fd)
    except OSError:
        return known
    finally:
        os.close(fd)
    return ident


def wal_problem(paths: StorePaths) -> str | None:
    """Why the database's -wal file is not its own (a reason to put in brackets), or None (no -wal with frames, or one
    that matches the record — or is one restart beyond it)."""
    ident = wal_identity(wal_path(paths))
    if ident is None:
        return None
    page, ckpt, salt1, salt2 = ident
    try:
        if paths.db_path.stat().st_size == 0:
            raise FileNotFoundError
    except OSError:
        return "there is no database beside it"
    db_page = _db_page_size(paths.db_path)
    if db_page is None:
        return None  # not a SQLite file at all: the check of the database says so
    if db_page is not None and db_page != page:
        return f"its pages are {page} bytes, the database's {db_page}"
    rec = read_walid(paths)
    if rec is None:
        return None  # a database from before the record was kept: accepted, backed up first
    if (ckpt, salt1, salt2) == rec[1:]:
        return None
    if ckpt == (rec[1] + 1) % (1 << 32) and salt1 == (rec[2] + 1) % (1 << 32):
        return None  # one restart beyond the record
    return ("its header (checkpoint sequence and salts) does not match the log this "
            "database last wrote")


def _db_page_size(db: Path) -> int | None:
    """The page size in a database file's header (None when unreadable)."""
    try:
        with db.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return None
    raw = int.from_bytes(head[16:18], "big")
    return 65536 if raw == 1 else raw


def set_aside_wal(paths: StorePaths, now: dt.datetime) -> Path:
    """Rename the -wal (and -shm) file aside, unapplied; return the -wal's new name."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    n = 1
    while True:
        base = paths.data_dir / f"{FOREIGN_PREFIX}{stamp}{'' if n == 1 else f'-{n}'}.sqlite3"
        if not any(Path(f"{base}{s}").exists() for s in ("-wal", "-shm")):
            break
        n += 1
    try:
        os.rename(wal_path(paths), f"{base}-wal")
        shm = Path(f"{paths.db_path}-shm")
        if shm.exists():
            os.rename(shm, f"{base}-shm")
    except OSError as exc:
        raise StoreError(f"could not set the -wal file beside {paths.db_path} aside: "
                         f"{exc.strerror or exc}", StoreError.UNWRITABLE,
                         paths.db_path) from exc
    return Path(f"{base}-wal")


def backup_before_wal(paths: StorePaths, now: dt.datetime) -> Path:
    """Copy the database file and its -wal, byte for byte, into the backups folder before
    a -wal the app did not write is applied; keep the newest `PRE_WAL_KEEP` such copies."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = paths.backups_dir / f"{PRE_WAL_PREFIX}{stamp}.sqlite3"
    paths.backups_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    try:
        for src, dst in ((wal_path(paths), Path(f"{target}-wal")), (paths.db_path, target)):
            tmp = dst.with_name(f".{dst.name}.part")
            made += [tmp, dst]
            shutil.copyfile(src, tmp)
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, dst)
    except BaseException:
        for leftover in made:
            leftover.unlink(missing_ok=True)
        raise
    copies = sorted(paths.backups_dir.glob(f"{PRE_WAL_PREFIX}*.sqlite3"))
    for old in copies[:-PRE_WAL_KEEP]:
        Path(f"{old}-wal").unlink(missing_ok=True)
        old.unlink(missing_ok=True)
    return target
