"""Ways a progress database file gets broken, for the broken-storage tests.

Each function takes a healthy, closed database file and breaks it in place.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

PAGE = 4096


def garbage_pages(db: Path) -> None:
    """Overwrite the middle of every page after the first (b-tree pages scribbled over)."""
    data = bytearray(db.read_bytes())
    for start in range(PAGE, len(data), PAGE):
        data[start + 8: start + 400] = b"\xa5" * 392
    db.write_bytes(bytes(data))


def truncated(db: Path) -> None:
    """Cut the file short, in the middle of a page."""
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 123])


def header_zeroed(db: Path) -> None:
    """The first 100 bytes (the SQLite header) overwritten with zeros."""
    data = bytearray(db.read_bytes())
    data[:100] = bytes(100)
    db.write_bytes(bytes(data))


def random_after_header(db: Path) -> None:
    """A valid SQLite header followed by noise."""
    rng = random.Random(4)
    db.write_bytes(db.read_bytes()[:100] + rng.randbytes(5 * PAGE))


def text_file(db: Path) -> None:
    """Not SQLite at all: somebody saved a text file under the database's name."""
    db.write_text("learner,score\nAda,10\n" * 50)


def png_file(db: Path) -> None:
    """Not SQLite at all: an image."""
    db.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)


def short_garbage(db: Path) -> None:
    """Seven bytes of nothing much."""
    db.write_bytes(b"garbage")


def newer_version(db: Path) -> None:
    """A database written by a newer version of the app (schema version 99)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage-pages": garbage_pages,
    "truncated": truncated,
    "header-zeroed": header_zeroed,
    "random-after-header": random_after_header,
    "text-file": text_file,
    "png-file": png_file,
    "short-garbage": short_garbage,
}
"""Every way of damaging a file (kind `damaged`)."""
BROKEN: dict[str, Callable[[Path], None]] = {**DAMAGE, "newer-version": newer_version}
"""Every broken file the app must refuse and offer to recover from."""
