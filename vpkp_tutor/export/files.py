"""Writing export files safely: to a temporary name beside the target, then renamed.

A failed export never leaves a half-written file under the requested name, and every
problem with the output path becomes an `ExportError` with a readable message.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class ExportError(ValueError):
    """An export or report could not be written or read; the message says why."""


@contextlib.contextmanager
def atomic_text(path: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """Open a UTF-8 text file that appears at `path` only when the block succeeds."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        stream = open(tmp, "w", encoding="utf-8", newline=newline)  # noqa: SIM115
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with stream:
            yield stream
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
