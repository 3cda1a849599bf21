"""Broken storage: a damaged file, a file that is not SQLite, a database from a newer app,
a read-only folder. Each gives one clear message (never a traceback) and a way out —
restore the newest good backup or start fresh — and the file found is kept byte for byte
under a new name, never overwritten, never backed up over the good backups.
"""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from tests.faults.conftest import DataDir, sha
from tests.faults.damage import BROKEN, DAMAGE, newer_version
from tests.faults.terminal import ROOT, Pty, run_cli
from vpkp_tutor import bootstrap
from vpkp_tutor.bootstrap import LaunchOptions, run_app
from vpkp_tutor.cli import main
from vpkp_tutor.storage import StoreError, open_store
from vpkp_tutor.storage.paths import resolve_paths
from vpkp_tutor.storage.recovery import ASIDE_PREFIX, latest_backup


class FakeTerminal(io.StringIO):
    """Typed input (or captured output) that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class StubApp:
    """Stands in for the TUI: remembers the store it was given."""

    return_code = 0
    store_learners: ClassVar[list[str]] = []

    def __init__(self, settings: LaunchOptions, content: object, store: object,
                 courses: object = None) -> None:
        StubApp.store_learners = [x.id for x in store.list_learners()]  # type: ignore[attr-defined]

    def run(self) -> None:
        pass


def asides(data: DataDir) -> list[Path]:
    """Files set aside in the data folder (not their -wal/-shm companions)."""
    return sorted(p for p in data.path.glob(f"{ASIDE_PREFIX}*.sqlite3"))


@pytest.fixture
def no_tui(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app itself is replaced by a stub that records what it was given."""
    monkeypatch.setattr(bootstrap, "make_app", StubApp)
    monkeypatch.setattr(bootstrap, "load_bank", lambda settings: None)
    StubApp.store_learners = []


# -- refusing without harm -----------------------------------------------------------------

@pytest.mark.parametrize("how", list(BROKEN))
def test_broken_file_is_refused_unchanged(data_dir: DataDir, how: str) -> None:
    BROKEN[how](data_dir.db)
    before = sha(data_dir.db)
    backups_before = sorted(p.name for p in data_dir.backups.iterdir())
    with pytest.raises(StoreError) as caught:
        open_store(data_dir.path)
    err = caught.value
    assert err.kind == (StoreError.TOO_NEW if how == "newer-version" else StoreError.DAMAGED)
    assert err.recoverable and str(data_dir.db) in str(err)
    assert sha(data_dir.db) == before
    assert sorted(p.name for p in data_dir.backups.iterdir()) == backups_before


@pytest.mark.parametrize("how", list(BROKEN))
def test_without_a_terminal_the_commands_are_printed(
        data_dir: DataDir, how: str, no_tui: None, capsys: pytest.CaptureFixture[str]) -> None:
    BROKEN[how](data_dir.db)
    before = sha(data_dir.db)
    assert main(["--data-dir", str(data_dir.path)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert out.err.startswith("vpkp-tutor: error: ") and str(data_dir.db) in out.err
    assert f"vpkp-tutor --data-dir {data_dir.path} recover --restore latest" in out.err
    assert f"vpkp-tutor --data-dir {data_dir.path} recover --fresh" in out.err
    assert StubApp.store_learners == []  # the app never started
    assert sha(data_dir.db) == before and not asides(data_dir)


# -- the prompt before the app starts --------------------------------------------------------

@pytest.mark.parametrize("how", ["garbage-pages", "text-file", "newer-version"])
def test_prompt_restore_the_backup(data_dir: DataDir, how: str, no_tui: None) -> None:
    BROKEN[how](data_dir.db)
    before = sha(data_dir.db)
    backup = latest_backup(resolve_paths(data_dir.path))
    assert backup is not None
    typed, shown = FakeTerminal("x\nr\n"), FakeTerminal()
    assert run_app(LaunchOptions(data_dir=data_dir.path), typed, shown) == 0
    prompt = shown.getvalue()
    assert "[r] restore the backup from " in prompt and str(backup.path) in prompt
    (kept,) = asides(data_dir)
    assert f"[f] start fresh (the {'current' if how == 'newer-version' else 'damaged'} file " \
           f"is kept as {kept.name})" in prompt
    assert "[q] quit" in prompt
    assert sha(kept) == before
    assert StubApp.store_learners == [data_dir.learner_id]
    store = open_store(data_dir.path)
    assert len(store.responses(data_dir.learner_id)) == data_dir.responses
    store.close()


def test_prompt_start_fresh(data_dir: DataDir, no_tui: None) -> None:
    DAMAGE["truncated"](data_dir.db)
    before = sha(data_dir.db)
    typed, shown = FakeTerminal("F\n"), FakeTerminal()
    assert run_app(LaunchOptions(data_dir=data_dir.path), typed, shown) == 0
    (kept,) = asides(data_dir)
    assert sha(kept) == before
    assert f"The previous file is kept as {kept}" in shown.getvalue()
    assert StubApp.store_learners == []  # an empty database


@pytest.mark.parametrize("typed", ["q\n", ""], ids=["quit", "end-of-input"])
def test_prompt_quit_leaves_everything(data_dir: DataDir, no_tui: None, typed: str) -> None:
    DAMAGE["text-file"](data_dir.db)
    before = sha(data_dir.db)
    assert run_app(LaunchOptions(data_dir=data_dir.path), FakeTerminal(typed), FakeTerminal()) == 1
    assert sha(data_dir.db) == before and not asides(data_dir)


def test_prompt_without_backups_offers_fresh_and_quit(data_dir: DataDir, no_tui: None) -> None:
    for b in data_dir.backups.iterdir():
        b.unlink()
    DAMAGE["garbage-pages"](data_dir.db)
    shown = FakeTerminal()
    assert run_app(LaunchOptions(data_dir=data_dir.path), FakeTerminal("r\nq\n"), shown) == 1
    assert "[r]" not in shown.getvalue() and "Choose f, q" in shown.getvalue()


def test_prompt_in_a_real_terminal_then_the_app_starts(data_dir: DataDir) -> None:
    DAMAGE["garbage-pages"](data_dir.db)
    before = sha(data_dir.db)
    env = {**os.environ, "TERM": "xterm-256color", "HOME": str(data_dir.path.parent)}
    term = Pty([sys.executable, "-m", "vpkp_tutor", "--data-dir", str(data_dir.path),
                "--content", str(ROOT / "tests/data/bad/_good"), "--learner", "Ada"], env)
    term.read_until(b"Choose r, f, q: ")
    term.send(b"r\n")
    term.read_until(b"Restored daily-")
    term.read_until(b"Ada")  # the dashboard shows the learner
    term.send(b"\x11")  # ctrl+q
    assert term.wait() == 0
    (kept,) = asides(data_dir)
    assert sha(kept) == before
    store = open_store(data_dir.path, daily_backups=False)
    assert len(store.responses(data_dir.learner_id)) == data_dir.responses
    store.close()


# -- `vpkp-tutor recover` --------------------------------------------------------------------

def test_recover_reports_then_restores_then_starts_fresh(
        data_dir: DataDir, capsys: pytest.CaptureFixture[str]) -> None:
    DAMAGE["header-zeroed"](data_dir.db)
    before = sha(data_dir.db)
    d = str(data_dir.path)
    assert main(["--data-dir", d, "recover"]) == 1
    out = capsys.readouterr().out
    assert "is damaged: it is not a SQLite database file" in out
    assert "daily-" in out and f"vpkp-tutor --data-dir {d} recover --fresh" in out

    assert main(["--data-dir", d, "recover", "--restore", "latest"]) == 0
    (kept,) = asides(data_dir)
    assert sha(kept) == before
    assert f"the previous file is kept as {kept}" in capsys.readouterr().out
    assert main(["--data-dir", d, "recover"]) == 0
    assert "state:    ok" in capsys.readouterr().out

    restored = sha(data_dir.db)
    assert main(["--data-dir", d, "recover", "--fresh"]) == 0
    capsys.readouterr()
    assert len(asides(data_dir)) == 2 and restored in {sha(p) for p in asides(data_dir)}
    store = open_store(data_dir.path)
    assert store.list_learners() == []
    store.close()


def test_recover_restore_a_named_backup(data_dir: DataDir, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (backup,) = data_dir.backups.glob("daily-*.sqlite3")
    elsewhere = tmp_path / "copy.sqlite3"
    elsewhere.write_bytes(backup.read_bytes())
    newer_version(data_dir.db)
    assert main(["--data-dir", str(data_dir.path), "recover", "--restore", str(elsewhere)]) == 0
    assert sha(elsewhere) == sha(backup)  # the backup itself is untouched
    store = open_store(data_dir.path)
    assert store.get_learner(data_dir.learner_id) is not None
    store.close()


@pytest.mark.parametrize("argv, message", [
    (["--restore", "latest"], "no usable backup in"),
    (["--restore", "nowhere.sqlite3"], "no backup file at nowhere.sqlite3"),
])
def test_recover_refusals_are_one_line(data_dir: DataDir, argv: list[str], message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    for b in data_dir.backups.iterdir():
        b.unlink()
    DAMAGE["text-file"](data_dir.db)
    assert main(["--data-dir", str(data_dir.path), "recover", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not asides(data_dir)


def test_latest_backup_skips_damaged_and_newer_backups(data_dir: DataDir) -> None:
    (good,) = data_dir.backups.glob("daily-*.sqlite3")
    os.utime(good, (1_700_000_000, 1_700_000_000))
    for name, damage in [("daily-2099-01-01.sqlite3", DAMAGE["garbage-pages"]),
                         ("daily-2099-01-02.sqlite3", newer_version),
                         ("pre-migration-v1-20990101T000000Z.sqlite3", DAMAGE["text-file"])]:
        bad = data_dir.backups / name
        bad.write_bytes(good.read_bytes())
        damage(bad)
    best = latest_backup(resolve_paths(data_dir.path))
    assert best is not None and best.path == good
    assert sorted(p.name for p in data_dir.backups.iterdir()) == sorted(
        [good.name, "daily-2099-01-01.sqlite3", "daily-2099-01-02.sqlite3",
         "pre-migration-v1-20990101T000000Z.sqlite3"])  # looking left no -wal/-shm behind


def test_set_aside_never_overwrites(data_dir: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from vpkp_tutor.storage.recovery import aside_path, start_fresh

    paths = resolve_paths(data_dir.path)
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    first = aside_path(paths, now)
    first.write_bytes(b"an earlier aside")
    kept = start_fresh(paths, now)
    assert kept is not None and kept != first and first.read_bytes() == b"an earlier aside"


# -- a folder that cannot be written -------------------------------------------------------

def _read_only(path: Path) -> None:
    path.chmod(0o555)


@pytest.mark.parametrize("where", ["folder", "subfolder", "database-file"])
def test_read_only_data_folder(data_dir: DataDir, where: str) -> None:
    target = data_dir.path / "sub" if where == "subfolder" else data_dir.path
    try:
        if where == "database-file":
            data_dir.db.chmod(0o444)
        else:
            _read_only(data_dir.path)
        before = sha(data_dir.db)
        result = run_cli(["--data-dir", str(target)], as_user=True)
    finally:
        data_dir.path.chmod(0o755)
        data_dir.db.chmod(0o644)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("vpkp-tutor: error: cannot open the progress database at ")
    assert f"check the permissions of {target}" in result.stderr
    assert "--data-dir DIR" in result.stderr and "recover" not in result.stderr
    assert sha(data_dir.db) == before


def test_read_only_database_found_by_sqlite(data_dir: DataDir) -> None:
    """When the permission check cannot tell (ACLs, read-only mounts), SQLite's own refusal
    at the first write lock is turned into the same message."""
    data_dir.db.chmod(0o444)
    try:
        result = run_cli(["--data-dir", str(data_dir.path)], as_user=True,
                         preamble="import os\nos.access = lambda *a, **k: True")
    finally:
        data_dir.db.chmod(0o644)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot open the progress database" in result.stderr
    assert "--data-dir DIR" in result.stderr


def test_data_folder_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").write_text("not a folder")
    assert main(["--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert "cannot open the progress database" in err and "--data-dir DIR" in err


def test_database_path_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data" / "progress.sqlite3").mkdir(parents=True)
    assert main(["--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vpkp-tutor: error: ") and "Traceback" not in err


def test_export_and_locate_on_a_broken_database(data_dir: DataDir, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    DAMAGE["garbage-pages"](data_dir.db)
    before = sha(data_dir.db)
    code = main(["--data-dir", str(data_dir.path), "export", "--learner", data_dir.learner_id,
                 "--format", "csv", "-o", str(tmp_path / "out.csv")])
    assert code == 2
    assert "is damaged" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir.path), "locate"]) == 0
    assert sha(data_dir.db) == before


def test_wal_file_moves_aside_with_the_database(data_dir: DataDir) -> None:
    """A database with committed pages still in its -wal file: both move aside together,
    and opening the aside copy shows everything."""
    store = open_store(data_dir.path, daily_backups=False)
    writer = sqlite3.connect(data_dir.db, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO setting VALUES ('in-wal', 'yes')")
    wal = data_dir.db.with_name("progress.sqlite3-wal")
    copy_db, copy_wal = data_dir.db.read_bytes(), wal.read_bytes()
    import datetime as dt

    from vpkp_tutor.storage.recovery import start_fresh

    kept = start_fresh(resolve_paths(data_dir.path), dt.datetime.now(dt.UTC))
    writer.close()
    store.close()
    assert kept is not None and kept.read_bytes() == copy_db
    assert Path(f"{kept}-wal").read_bytes() == copy_wal
    check = sqlite3.connect(kept)
    assert check.execute("SELECT value FROM setting WHERE key = 'in-wal'").fetchone() == ("yes",)
    check.close()


def test_recover_never_imports_textual(data_dir: DataDir) -> None:
    DAMAGE["text-file"](data_dir.db)
    result = run_cli(["--data-dir", str(data_dir.path), "recover", "--fresh"],
                     preamble="import atexit, sys\natexit.register(lambda: print("
                              "'TEXTUAL' if 'textual' in sys.modules else 'NO-TEXTUAL'))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("NO-TEXTUAL")
