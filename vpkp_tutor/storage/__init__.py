"""Where progress lives: the SQLite store, its schema, migrations, backups and review state.

`open_store(data_dir)` is the one entry point the rest of the app uses.
"""

from __future__ import annotations

from vpkp_tutor.storage.base import StoreError
from vpkp_tutor.storage.paths import StorePaths, resolve_data_dir, resolve_paths
from vpkp_tutor.storage.store import SqliteProgressStore, open_store

__all__ = [
    "SqliteProgressStore",
    "StoreError",
    "StorePaths",
    "open_store",
    "resolve_data_dir",
    "resolve_paths",
]
