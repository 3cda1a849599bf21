"""Where progress lives: the data directory, the database file, backups and config.

The data directory is chosen, first match wins, from `--data-dir`, the `VPKP_TUTOR_DATA`
environment variable, then the platform's user data directory (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

from msgspec import Struct

APP_NAME = "vpkp-tutor"
"""Directory name used under the platform's user directories."""
ENV_DATA_DIR = "VPKP_TUTOR_DATA"
"""Environment variable overriding the data directory."""
DB_NAME = "progress.sqlite3"
"""File name of the progress database inside the data directory."""


class StorePaths(Struct, frozen=True):
    """The files and directories the store uses."""

    data_dir: Path
    """Directory holding the database."""
    db_path: Path
    """The SQLite database."""
    backups_dir: Path
    """Daily and pre-migration backups."""
    source: str
    """Where the data directory came from: `--data-dir`, the env variable, or `platform`."""


def resolve_paths(data_dir: Path | None = None) -> StorePaths:
    """Resolve the store's paths from an explicit directory, the environment or platformdirs."""
    if data_dir is not None:
        base, source = Path(data_dir).expanduser(), "--data-dir"
    elif os.environ.get(ENV_DATA_DIR):
        base, source = Path(os.environ[ENV_DATA_DIR]).expanduser(), ENV_DATA_DIR
    else:
        import platformdirs

        base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        source = "platform"
    return StorePaths(
        data_dir=base,
        db_path=base / DB_NAME,
        backups_dir=base / "backups",
        source=source,
    )


def resolve_data_dir(data_dir: Path | str | None = None) -> Path:
    """The data directory: `data_dir` if given, else `VPKP_TUTOR_DATA`, else platformdirs."""
    return resolve_paths(Path(data_dir) if data_dir is not None else None).data_dir
