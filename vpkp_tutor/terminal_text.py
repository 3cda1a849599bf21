"""Text printed to a terminal by the command line, made harmless and visible.

`printable` is the one cleaning function for everything the CLI prints (messages, file
names, values read from the database or from files): terminal escape sequences, C0 and C1
control characters (except tab and newline), DEL and bidirectional marks, embeddings,
overrides and isolates are shown as escapes (`\\x1b`, `\\x07`, `\\u202e`) rather than sent
to the terminal, so a file called `ESC]0;title BEL.yaml` is printed as `\\x1b]0;title\\x07.yaml`:
nothing reaches the terminal that it would act on, and the user can still tell which file
is meant. Undecodable bytes in file names (lone surrogates, from Python's
surrogateescape) are shown as `\\xNN` too; any other lone surrogate as U+FFFD.

It imports nothing of ours, so every layer of the CLI may use it.
"""

from __future__ import annotations

import re

UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (except tab, newline), DEL, C1
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\ud800-\udfff]"  # lone surrogates
)
"""Every character `printable` shows as an escape."""


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character, escape introducer, bidi control and lone
    surrogate replaced by a visible escape; tab and newline are kept."""
    return UNSAFE.sub(_visible, text)
