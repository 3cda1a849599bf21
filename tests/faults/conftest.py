"""Fixtures for the fault tests: a data folder holding a learner's progress and a backup."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.export.conftest import populate
from vpkp_tutor.storage import open_store


def sha(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class DataDir:
    """A data folder with one learner's progress and one good backup."""

    path: Path
    learner_id: str
    responses: int

    @property
    def db(self) -> Path:
        """The progress database."""
        return self.path / "progress.sqlite3"

    @property
    def backups(self) -> Path:
        """The backups folder."""
        return self.path / "backups"


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    p = populate(tmp_path / "data")
    responses = len(p.services.store.responses(p.learner_id))
    p.services.store.close()
    open_store(tmp_path / "data").close()  # an existing database: today's backup is made
    assert len(list((tmp_path / "data" / "backups").glob("daily-*.sqlite3"))) == 1
    return DataDir(tmp_path / "data", p.learner_id, responses)
