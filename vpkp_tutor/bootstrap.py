"""Wiring: settings → content → store → services → app.

`make_app(settings, content, store)` is the single factory used by the CLI and by the tests,
so both run the same app the same way.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.services import Services

if TYPE_CHECKING:
    from vpkp_tutor.storage.store import SqliteProgressStore
    from vpkp_tutor.tui.app import VpkpApp


@dataclass(frozen=True, slots=True)
class Settings:
    """What the command line asked for."""

    data_dir: Path | None = None
    """Where progress lives; None means the default (VPKP_TUTOR_DATA or the user data dir)."""
    learner: str | None = None
    """Learner name or id to open as, skipping the picker."""
    content_paths: tuple[Path, ...] = ()
    """Content folders; empty means the bundled content."""


def load_bank(settings: Settings) -> ContentBank:
    """Load the content named by the settings (the bundled content by default), through
    the content cache in the data folder."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.cache import load_cached
    from vpkp_tutor.storage.paths import resolve_data_dir

    paths = list(settings.content_paths) or bundled_paths()
    return load_cached(paths, resolve_data_dir(settings.data_dir) / "cache")


def open_progress_store(settings: Settings) -> SqliteProgressStore:
    """Open the progress store in the configured data folder."""
    from vpkp_tutor.storage import open_store
    from vpkp_tutor.storage.paths import resolve_data_dir

    return open_store(resolve_data_dir(settings.data_dir))


def make_services(
    settings: Settings,
    content: ContentBank | None = None,
    store: SqliteProgressStore | None = None,
) -> Services:
    """Services over the given (or the configured) content and store."""
    return Services(
        content if content is not None else load_bank(settings),
        store if store is not None else open_progress_store(settings),
    )


def make_app(
    settings: Settings, content: ContentBank, store: SqliteProgressStore
) -> VpkpApp:
    """The study app over this content and store."""
    from vpkp_tutor.tui.app import VpkpApp

    return VpkpApp(make_services(settings, content, store), learner=settings.learner)


def run_app(settings: Settings) -> int:
    """Load, open and run the app; return the exit code."""
    content = load_bank(settings)
    store = open_progress_store(settings)
    try:
        app = make_app(settings, content, store)
        app.run()
    finally:
        store.close()
    return int(app.return_code or 0)


def fail(message: str) -> int:
    """Print a clear error and return the exit code for it."""
    print(f"vpkp-tutor: error: {message}", file=sys.stderr)
    return 2
