"""What counts as unsafe in text shown in a terminal, and removing it.

Content files, learner names and anything read back from the database pass through
`clean_text` before display: terminal escape sequences (CSI, OSC and two-character ESC
sequences), C0 controls other than tab and newline, DEL, C1 controls, and bidirectional
marks, embeddings, overrides and isolates are removed. One definition serves the loader,
the store and the TUI.
"""

from __future__ import annotations

import re

UNSAFE = re.compile(
    "\x1b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[@-Z\\\\-_])"  # escapes
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 (except tab, newline), DEL, C1
    "|[\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, overrides, isolates
)
"""Everything `clean_text` removes."""


def clean_text(text: str) -> str:
    """Remove terminal escape sequences, control characters and bidi overrides."""
    return UNSAFE.sub("", text)
