"""The content shipped with the app, read once per test process (a `ContentBank` is
immutable, so tests share it)."""

from __future__ import annotations

import functools

from vpkp_tutor.content import bundled_paths
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import ContentBank


@functools.cache
def bundled_bank() -> ContentBank:
    """The bundled course's lessons, questions and cases."""
    return load_content(bundled_paths())
