"""Where progress lives: the SQLite store, its schema, migrations, backups and review state.

`open_store(data_dir)` is the one entry point the rest of the app uses. Every failure is a
`StoreError`; a full disk is the subclass `StoreFull` (nothing was saved, the store stays
open, and the same write can be tried again).
"""

from __future__ import annotations

from vpkp_tutor.storage.base import StoreError, StoreFull, is_disk_full
from vpkp_tutor.storage.paths import StorePaths, resolve_data_dir, resolve_paths
from vpkp_tutor.storage.store import SqliteProgressStore, open_store

__all__ = [
    "SqliteProgressStore",
    "StoreError",
    "StoreFull",
    "StorePaths",
    "is_disk_full",
    "open_store",
    "resolve_data_dir",
    "resolve_paths",
]
