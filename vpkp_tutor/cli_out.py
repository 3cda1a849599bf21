"""Output of the command line: everything printed goes through `terminal_text.printable`,
and a standard output that cannot be written ends the command with one clear line.

`main()` wraps `sys.stdout` and `sys.stderr` in `CleanStream`s for the length of a command
(`cleaned_output()`), so `print`, argparse's messages and Rich's output are all cleaned
before they reach the terminal. Commands use `say` for a line of output and `fail` for an
error (one line on stderr, returns the exit code).

Standard output may be closed (`>&-`: `sys.stdout` is None), full (`>/dev/full`), a pipe
whose reader went away, or a stream that cannot encode the text (an ASCII locale). The
streams are set to write what they cannot encode as backslash escapes; a write that fails
raises `OutputError`, which `main()` turns into one line on stderr and exit status 1.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from typing import TextIO

from vpkp_tutor.terminal_text import printable

PROG = "vpkp-tutor"


class OutputError(OSError):
    """Standard output is closed or could not be written."""


class CleanStream(io.TextIOBase):
    """A text stream that passes everything written through `printable` to `stream`.

    It never claims to be a terminal, so Rich prints plain text (no colour codes that
    would be escaped)."""

    def __init__(self, stream: TextIO | None, name: str) -> None:
        super().__init__()
        self.stream = stream
        """The stream written to (None when closed)."""
        self.name = name

    def write(self, text: str) -> int:
        if self.stream is None:
            raise OutputError(f"standard {self.name} is closed")
        try:
            self.stream.write(printable(text))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write to standard {self.name} "
                              f"({exc.strerror or exc})") from exc
        return len(text)

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write to standard {self.name} "
                              f"({exc.strerror or exc})") from exc

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        if self.stream is None:
            raise OSError("closed")
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)


def _lenient(stream: TextIO | None) -> None:
    """Let `stream` write characters its encoding lacks as backslash escapes."""
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(ValueError, OSError, AttributeError):
            stream.reconfigure(errors="backslashreplace")


@contextlib.contextmanager
def cleaned_output() -> Iterator[None]:
    """For the length of the block, everything printed to stdout and stderr is cleaned."""
    out, err = sys.stdout, sys.stderr
    _lenient(out)
    _lenient(err)
    sys.stdout = CleanStream(out, "output")
    sys.stderr = CleanStream(err, "error")
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def stdout_closed() -> bool:
    """True when standard output is closed (the command was started with `>&-`)."""
    return unwrapped(sys.stdout) is None


def say(text: str = "") -> None:
    """Print one line (or several) of output, cleaned."""
    _write(sys.stdout, text + "\n")


def fail(message: str, code: int = 2) -> int:
    """Print `vpkp-tutor: error: MESSAGE` (cleaned) on stderr; return `code`."""
    with contextlib.suppress(OSError):
        _write(sys.stderr, f"{PROG}: error: {message}\n")
    return code


def warn(message: str) -> None:
    """Print `vpkp-tutor: warning: MESSAGE` (cleaned) on stderr."""
    with contextlib.suppress(OSError):
        _write(sys.stderr, f"{PROG}: warning: {message}\n")


def _write(stream: TextIO | None, text: str) -> None:
    if isinstance(stream, CleanStream):
        stream.write(text)
    elif stream is not None:
        stream.write(printable(text))
    else:
        raise OutputError("standard output is closed")


def describe(exc: OSError) -> str:
    """An OSError as one line naming the file: `/x/progress.sqlite3: permission denied`."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    reason = reason[:1].lower() + reason[1:]
    if exc.filename is not None:
        name = exc.filename if isinstance(exc.filename, str) else repr(exc.filename)
        return f"{name}: {reason}"
    return reason


def unwrapped(stream: TextIO | None) -> TextIO | None:
    """The stream a `CleanStream` writes to (for a terminal prompt), or `stream` itself."""
    while isinstance(stream, CleanStream):
        stream = stream.stream
    return stream
