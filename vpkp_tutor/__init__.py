"""VP/KP Tutor: a terminal tutor for vertebroplasty and kyphoplasty.

This module holds the version only and imports nothing, so that `--version` and the
import-time budget stay cheap.
"""

__version__ = "0.1.0"
