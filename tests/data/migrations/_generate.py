"""Build the migration fixtures: one progress database per schema version, as that version
of the app wrote it. Run once when a schema version is released, then commit the files —
never regenerate an old version's fixture with newer code.

    python -m tests.data.migrations._generate [VERSION]

- `v0-empty.sqlite3`: a zero-byte file (the app was killed before writing anything);
- `v0-blank.sqlite3`: a SQLite file in WAL mode with no tables (killed during the first
  migration, or created by an earlier build that never got to migrate);
- `v1-populated.sqlite3`: schema version 1 holding a learner with an exam, lesson checks,
  case runs, flags, review cards and a setting;
- `v2-populated.sqlite3`: the same at schema version 2 (progress kept per course).
- `v3-populated.sqlite3`: the same at version 3 (confidence and error tags), with two
  answers' confidence stated and one miss tagged "disagree" with a comment;
- `v4-populated.sqlite3`: the same at version 4 (the xAPI outbox), its statements queued as
  the answers were given.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def v0() -> None:
    """The two shapes of a version-0 file."""
    (HERE / "v0-empty.sqlite3").write_bytes(b"")
    blank = HERE / "v0-blank.sqlite3"
    blank.unlink(missing_ok=True)
    conn = sqlite3.connect(blank)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE scratch(x)")  # make SQLite write the header …
    conn.execute("DROP TABLE scratch")  # … then leave no table behind
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def v1() -> None:
    """A populated version-1 database."""
    from vpkp_tutor.storage.schema import SCHEMA_VERSION

    assert SCHEMA_VERSION == 1, "v1 fixtures are made with the version-1 code only"
    _populated(1)


def v2() -> None:
    """A populated version-2 database (progress kept per course)."""
    from vpkp_tutor.storage.schema import SCHEMA_VERSION

    assert SCHEMA_VERSION == 2, "v2 fixtures are made with the version-2 code only"
    _populated(2)


def _populated(version: int, more: Callable[[Any], None] | None = None) -> None:
    """A learner with an exam, lesson checks, case runs, flags, review cards and a setting,
    written by this code (at schema version `version`); `more(populated)` adds what that
    version brought before the copy is taken."""
    from tests.export.conftest import populate

    with tempfile.TemporaryDirectory() as tmp:
        p = populate(Path(tmp) / "data", name="Fixture Learner")
        p.services.store.set_setting("theme", "nord")
        if more is not None:
            more(p)
        target = HERE / f"v{version}-populated.sqlite3"
        target.unlink(missing_ok=True)
        p.services.store.backup(target)
        p.services.store.close()
    conn = sqlite3.connect(target)
    conn.execute("VACUUM")
    conn.close()
    target.chmod(0o644)


def v3() -> None:
    """A populated version-3 database (confidence and error tags)."""
    from vpkp_tutor.domain.confidence import Confidence, ErrorTag
    from vpkp_tutor.storage.schema import SCHEMA_VERSION

    assert SCHEMA_VERSION == 3, "v3 fixtures are made with the version-3 code only"

    def mark(p: Any) -> None:
        svc = p.services
        (attempt,) = svc.store.finished_attempts(p.learner_id)
        svc.set_confidence(attempt.id, "anat.sb1", Confidence.SURE)
        svc.set_confidence(attempt.id, "anat.tf1", Confidence.SURE)
        svc.set_error_tag(attempt.id, "anat.tf1", ErrorTag.DISAGREE, "key looks wrong")
        svc.store.set_setting("ask_confidence", "on")

    _populated(3, mark)


def v4() -> None:
    """A populated version-4 database (the xAPI outbox: statements queued as answered)."""
    from vpkp_tutor.storage.schema import SCHEMA_VERSION

    assert SCHEMA_VERSION == 4, "v4 fixtures are made with the version-4 code only"
    _populated(4)


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["0", "1", "2", "3", "4"]
    for version in wanted:
        {"0": v0, "1": v1, "2": v2, "3": v3, "4": v4}[version]()
