"""The content cache: a validated ContentBank stored on disk, reused while the files are
unchanged.

The key covers the app version, the day (staleness warnings depend on it) and, for every
content file, its path, size and modification time — a `stat()` per file, no reading.
A missing, stale, unreadable or corrupt cache is rebuilt silently; the cache is written
atomically (temporary file + rename), so a crash never leaves half a cache behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from vpkp_tutor import __version__
from vpkp_tutor.content.files import discover
from vpkp_tutor.domain.model import ContentBank

CACHE_PREFIX = "content-"
"""Cache files are named after the content folders they hold, so several sets can coexist."""
_FORMAT = 1


def cache_key(paths: Sequence[Path], today: dt.date) -> str:
    """A digest of the version, the day and every content file's path, size and mtime."""
    digest = hashlib.sha256(f"{_FORMAT}|{__version__}|{today.isoformat()}".encode())
    for path, _name in discover(paths):
        try:
            st = path.stat()
        except OSError:
            digest.update(f"|{path}|missing".encode())
            continue
        digest.update(f"|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def cache_path(cache_dir: Path, paths: Sequence[Path]) -> Path:
    """The cache file for this set of content folders."""
    names = "|".join(str(p.resolve()) for p in paths)
    return cache_dir / f"{CACHE_PREFIX}{hashlib.sha256(names.encode()).hexdigest()[:16]}.pickle"


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
        with cache_file.open("rb") as fh:
            stored_key, bank = pickle.load(fh)
        if stored_key == key and isinstance(bank, ContentBank):
            return bank
    except Exception:
        pass
    bank = _load(paths, today)
    _write(cache_file, key, bank)
    return bank


def _load(paths: Sequence[Path], today: dt.date) -> ContentBank:
    """Parse and validate (imported only on a cache miss: YAML and the schema are costly)."""
    from vpkp_tutor.content.loader import load_content

    return load_content(paths, today=today)


def _write(cache_file: Path, key: str, bank: ContentBank) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".content-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, bank), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only cache folder only costs speed
