"""The progress store in a hostile environment: a stale `-wal` copied from another database, a
full disk, `recover` while another copy has the database open, another program's SQLite file
(or a nonsense schema version) under our name, files we may not read or write.

Every failure gives one located message, exits 1 or 2, and leaves every file it found byte
for byte. Real SQLite, real files and real processes throughout; the one fake is the full
disk, made real to SQLite by `PRAGMA max_page_count` (it then fails with SQLITE_FULL exactly
as on a full disk).
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.children import ROOT, Acks, check_database, spawn
from tests.faults.conftest import sha
from tests.faults.terminal import run_cli
from vpkp_tutor.cli import main
from vpkp_tutor.domain.progress import Learner
from vpkp_tutor.storage import StoreError, StoreFull, open_store
from vpkp_tutor.storage.schema import APPLICATION_ID

DB = "progress.sqlite3"


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in `folder` (not the lock file, which holds nothing)."""
    return {p.name: sha(p) for p in sorted(folder.iterdir())
            if p.is_file() and p.name != "progress.lock"}


def make_store(folder: Path, learner_id: str, name: str) -> None:
    """A data folder holding one learner, closed cleanly (no -wal left)."""
    store = open_store(folder, daily_backups=False)
    store.add_learner(Learner(learner_id, name))
    store.close()


def killed_with_a_wal(folder: Path, learner: str = "Learner A") -> Acks:
    """A copy of the app answers in `folder` and is SIGKILLed: its -wal is left, not
    checkpointed, holding the acknowledged answers."""
    proc = spawn(folder, 7, learner=learner)
    assert proc.stdout is not None
    acks, seen = Acks(), 0
    while seen < 6:
        line = proc.stdout.readline()
        assert line, "the child stopped before answering"
        seen += acks.take(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for line in proc.stdout.read().splitlines(keepends=True):
        acks.take(line)
    proc.stdout.close()
    wal = folder / f"{DB}-wal"
    assert wal.stat().st_size > 32, "the killed copy left no -wal with frames"
    return acks


def learner_ids(db: Path) -> list[str]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM learner ORDER BY id")]
    finally:
        conn.close()


# -- 1. a -wal from another database ------------------------------------------------------------

def test_foreign_wal_is_reported_then_set_aside_unapplied(tmp_path: Path) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    killed_with_a_wal(a)
    make_store(b, "b-only", "Learner B")
    foreign = (a / f"{DB}-wal").read_bytes()
    shutil.copyfile(a / f"{DB}-wal", b / f"{DB}-wal")
    before = hashes(b)
    shutil.copytree(b, tmp_path / "B2")

    checked = run_cli(["--data-dir", str(b), "recover"])
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "state:    ok" not in checked.stdout
    assert f"{b / DB}-wal was written for another database" in checked.stdout
    assert hashes(b) == before  # the check read nothing through the foreign -wal

    store = open_store(b, daily_backups=False)
    (aside,) = b.glob("progress.foreign-*.sqlite3-wal")
    assert aside.read_bytes() == foreign  # kept byte for byte
    assert sha(b / DB) == before[DB]  # the database file as it was
    assert [x.id for x in store.list_learners()] == ["b-only"]  # A's learner did not move in
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    (notice,) = store.notices
    assert notice.startswith(f"{b / DB}-wal was written for another database (")
    assert f"so it was not applied; it is kept, unchanged, as {aside}" in notice
    store.close()
    assert learner_ids(b / DB) == ["b-only"]
    again = run_cli(["--data-dir", str(b), "recover"])
    assert again.returncode == 0 and "state:    ok" in again.stdout

    b2 = tmp_path / "B2"  # the same, through a command: the warning is printed
    exported = run_cli(["--data-dir", str(b2), "export", "--learner", "b-only", "--format",
                        "json", "-o", str(tmp_path / "b.json")])
    assert exported.returncode == 0, exported.stderr
    assert "Traceback" not in exported.stderr
    assert exported.stderr.startswith(f"vpkp-tutor: warning: {b2 / DB}-wal was written for "
                                      "another database")
    assert learner_ids(b2 / DB) == ["b-only"]


def test_a_wal_with_no_database_is_not_applied(tmp_path: Path) -> None:
    a, c = tmp_path / "A", tmp_path / "C"
    killed_with_a_wal(a)
    c.mkdir()
    shutil.copyfile(a / f"{DB}-wal", c / f"{DB}-wal")
    store = open_store(c, daily_backups=False)
    assert store.list_learners() == [] and len(store.notices) == 1
    store.close()
    (aside,) = c.glob("progress.foreign-*.sqlite3-wal")
    assert aside.read_bytes() == (a / f"{DB}-wal").read_bytes()


def test_own_wal_from_a_killed_copy_is_applied_after_a_backup(tmp_path: Path) -> None:
    a = tmp_path / "A"
    acks = killed_with_a_wal(a)
    db_bytes, wal_bytes = (a / DB).read_bytes(), (a / f"{DB}-wal").read_bytes()
    store = open_store(a, daily_backups=False)
    assert store.notices == ()
    assert len(store.list_learners()) == 1
    store.close()
    check_database(a / DB, acks)  # every acknowledged answer is there
    (copy,) = (a / "backups").glob("before-wal-*.sqlite3")
    assert copy.read_bytes() == db_bytes  # the file before the -wal was checkpointed
    assert Path(f"{copy}-wal").read_bytes() == wal_bytes


def test_wal_identity_follows_log_restarts(tmp_path: Path) -> None:
    """Many checkpoints (log restarts) while the app runs, then a kill: the -wal left is
    still recognised as the database's own."""
    from vpkp_tutor.storage.guard import wal_problem
    from vpkp_tutor.storage.paths import resolve_paths

    store = open_store(tmp_path, daily_backups=False)
    for n in range(30):
        store.set_setting(f"k{n}", "x" * 3000)
        store.query("PRAGMA wal_checkpoint(PASSIVE)")
    paths = resolve_paths(tmp_path)
    ident = store.walid
    assert ident is not None and ident[1] >= 20  # the log restarted many times
    assert wal_problem(paths) is None
    store.close()


# -- 11. a full disk ----------------------------------------------------------------------------

def test_full_disk_is_a_typed_error_and_the_write_can_be_retried(tmp_path: Path) -> None:
    store = open_store(tmp_path, daily_backups=False)
    store.add_learner(Learner("l1", "Ada"))
    pages = store.query("PRAGMA page_count")[0][0]
    store.query(f"PRAGMA max_page_count = {pages}")  # no room to grow: SQLITE_FULL
    with pytest.raises(StoreFull) as caught:
        store.set_setting("notes", "x" * 50_000)
    err = caught.value
    assert isinstance(err, StoreError) and err.kind == StoreError.FULL
    assert str(err).startswith("the disk is full: could not save to ")
    assert str(tmp_path / DB) in str(err)
    assert store.get_setting("notes") == ""  # nothing half-saved
    store.query("PRAGMA max_page_count = 1073741823")  # space freed
    store.set_setting("notes", "x" * 50_000)  # the same write, retried
    assert store.get_setting("notes") == "x" * 50_000
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    store.close()


def test_cli_says_the_disk_is_full(tmp_path: Path) -> None:
    squeeze = ("import vpkp_tutor.storage.store as s\n_real = s._connect_once\n"
               "def _full(db):\n    conn = _real(db)\n"
               "    conn.execute('PRAGMA max_page_count = 1')\n    return conn\n"
               "s._connect_once = _full")
    result = run_cli(["--data-dir", str(tmp_path / "data"), "config", "theme", "nord"],
                     preamble=squeeze)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("vpkp-tutor: error: the disk is full: ")
    assert "not a usable progress database" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- 13. recover while another copy has the database open -------------------------------------

@pytest.fixture
def open_elsewhere(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A second process with the store open (until its stdin closes)."""
    data = tmp_path / "data"
    make_store(data, "l1", "Ada")
    code = ("import sys\nfrom vpkp_tutor.storage import open_store\n"
            f"s = open_store({str(data)!r})\nprint('READY', flush=True)\nsys.stdin.read()\n"
            "s.close()")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == "READY\n"
    yield data, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("how", [["--fresh"], ["--restore", "latest"]])
def test_recover_refuses_while_the_database_is_open(
        open_elsewhere: tuple[Path, subprocess.Popen[str]], how: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    data, proc = open_elsewhere
    (data / "backups").mkdir(exist_ok=True)
    open_store(data).close()  # a daily backup exists, so --restore latest has one to use
    before = hashes(data)
    assert main(["--data-dir", str(data), "recover", *how]) == 1
    err = capsys.readouterr().err
    assert err == (f"vpkp-tutor: error: the progress database {data / DB} is in use by "
                   f"another VP/KP Tutor (pid {proc.pid}); close it first\n")
    assert hashes(data) == before and not list(data.glob("progress.damaged-*"))

    assert main(["--data-dir", str(data), "recover"]) == 0
    assert f"is in use by another VP/KP Tutor (pid {proc.pid})" in capsys.readouterr().out

    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=20) == 0
    assert main(["--data-dir", str(data), "recover", *how]) == 0
    assert len(list(data.glob("progress.damaged-*.sqlite3"))) == 1


# -- 14. a file that is not ours ------------------------------------------------------------------

def _other_app(db: Path, version: int, tables: str) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(tables)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


FOREIGN = {
    "v0-other-tables": (0, "CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT);"
                           "INSERT INTO photos VALUES (1, 'a.jpg');"),
    "v1-other-tables": (1, "CREATE TABLE learner(x); CREATE TABLE notes(body TEXT);"),
    "v-1-unstamped": (-1, "CREATE TABLE learner(id TEXT);"),
    "v-2-empty": (-2, ""),
    "other-app-id": (1, "PRAGMA application_id = 305419896;"
                        "CREATE TABLE learner(id); CREATE TABLE setting(k);"),
}


@pytest.mark.parametrize("name", list(FOREIGN))
def test_another_programs_file_is_refused_untouched(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    version, tables = FOREIGN[name]
    _other_app(data / DB, version, tables)
    before = hashes(data)
    with pytest.raises(StoreError) as caught:
        open_store(data)
    assert caught.value.kind == StoreError.FOREIGN and not caught.value.recoverable
    assert str(caught.value).startswith(f"{data / DB} is not a VP/KP Tutor database: ")

    assert main(["--data-dir", str(data), "recover"]) == 1
    out = capsys.readouterr().out
    assert "is not a VP/KP Tutor database" in out and "--fresh" not in out
    assert main(["--data-dir", str(data), "recover", "--fresh"]) == 1
    assert "recover will not replace it" in capsys.readouterr().err
    assert main(["--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "is not a VP/KP Tutor database" in err and "recover" not in err
    assert hashes(data) == before  # byte for byte, and no -wal/-shm/backup beside it


@pytest.mark.parametrize("version", [-1, -2])
def test_negative_schema_version_of_ours_is_damage(tmp_path: Path, version: int,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    make_store(data, "l1", "Ada")
    conn = sqlite3.connect(data / DB)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    before = hashes(data)
    with pytest.raises(StoreError) as caught:
        open_store(data)
    assert caught.value.kind == StoreError.DAMAGED
    assert f"its schema version is {version}" in str(caught.value)
    assert main(["--data-dir", str(data), "recover"]) == 1
    assert "state:    ok" not in capsys.readouterr().out
    assert hashes(data) == before


def test_our_database_from_before_the_application_id_is_stamped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    fixture = ROOT / "tests" / "data" / "migrations" / "v1-populated.sqlite3"
    shutil.copyfile(fixture, data / DB)
    assert sqlite3.connect(fixture).execute("PRAGMA application_id").fetchone()[0] == 0
    store = open_store(data, daily_backups=False)
    assert store.query("PRAGMA application_id")[0][0] == APPLICATION_ID
    assert store.list_learners()
    store.close()


def test_a_blank_sqlite_file_is_ours_to_create(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _other_app(data / DB, 0, "")
    store = open_store(data, daily_backups=False)
    assert store.query("PRAGMA application_id")[0][0] == APPLICATION_ID
    store.close()


# -- 15. permissions -------------------------------------------------------------------------------

def test_unreadable_database_is_permission_denied_not_damage(tmp_path: Path) -> None:
    """Mode 000. Run without root's power to ignore permissions (see `run_cli`)."""
    data = tmp_path / "data"
    make_store(data, "l1", "Ada")
    before = hashes(data)
    (data / DB).chmod(0o000)
    try:
        checked = run_cli(["--data-dir", str(data), "recover"], as_user=True)
        started = run_cli(["--data-dir", str(data)], as_user=True)
        fresh = run_cli(["--data-dir", str(data), "recover", "--fresh"], as_user=True)
    finally:
        (data / DB).chmod(0o644)
    assert checked.returncode == 1
    assert f"state:    permission denied: {data / DB} cannot be read" in checked.stdout
    assert "damaged" not in checked.stdout and "--fresh" not in checked.stdout
    assert started.returncode == 2 and "Traceback" not in started.stderr
    assert started.stderr.startswith(f"vpkp-tutor: error: permission denied: {data / DB}")
    assert "recover" not in started.stderr
    assert fresh.returncode == 1 and "recover will not replace it" in fresh.stderr
    assert hashes(data) == before and not list(data.glob("progress.damaged-*"))


@pytest.mark.parametrize("where", ["file-0400", "folder-0555"])
def test_export_reads_a_database_it_cannot_write(tmp_path: Path, where: str) -> None:
    data = tmp_path / "data"
    make_store(data, "l1", "Ada")
    before = hashes(data)
    target = data / DB if where == "file-0400" else data
    target.chmod(0o400 if where == "file-0400" else 0o555)
    try:
        result = run_cli(["--data-dir", str(data), "export", "--learner", "l1", "--format",
                          "json", "-o", str(tmp_path / "ada.json")], as_user=True)
    finally:
        target.chmod(0o644 if where == "file-0400" else 0o755)
    assert result.returncode == 0, result.stderr
    assert "Ada" in (tmp_path / "ada.json").read_text()
    assert hashes(data) == before  # nothing written, nothing left beside it
    target.chmod(0o400 if where == "file-0400" else 0o555)
    try:  # listing the learners only reads too
        listed = run_cli(["--data-dir", str(data), "learners"], as_user=True)
    finally:
        target.chmod(0o644 if where == "file-0400" else 0o755)
    assert listed.returncode == 0, listed.stderr
    assert "Ada" in listed.stdout and "1 learner" in listed.stdout
    assert hashes(data) == before
    store = open_store(data)  # and the app can still open it normally afterwards
    store.close()


def test_permission_logic_without_root_tricks(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The same refusal, through a PermissionError on reading the file (for systems where
    the test runs as root and cannot drop the capability)."""
    from vpkp_tutor.storage import health

    data = tmp_path / "data"
    make_store(data, "l1", "Ada")

    def denied(db: Path) -> str | None:
        raise PermissionError(13, "Permission denied", str(db))

    monkeypatch.setattr(health, "file_problem", denied)
    with pytest.raises(StoreError) as caught:
        open_store(data)
    assert caught.value.kind == StoreError.DENIED and not caught.value.recoverable
    assert str(caught.value).startswith("permission denied: ")


def test_start_up_prompt_refuses_while_the_database_is_open(
        open_elsewhere: tuple[Path, subprocess.Popen[str]],
        capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from vpkp_tutor.bootstrap import LaunchOptions, recover_at_start

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    data, proc = open_elsewhere
    before = hashes(data)
    error = StoreError("the progress database is damaged", StoreError.DAMAGED, data / DB)
    assert recover_at_start(error, LaunchOptions(data_dir=data), Tty("f\n"), Tty()) == 2
    assert f"is in use by another VP/KP Tutor (pid {proc.pid}); close it first" in \
        capsys.readouterr().err
    assert hashes(data) == before and not list(data.glob("progress.damaged-*"))


def test_restore_latest_skips_the_copies_taken_before_a_wal(tmp_path: Path) -> None:
    from vpkp_tutor.storage.paths import resolve_paths
    from vpkp_tutor.storage.recovery import latest_backup

    a = tmp_path / "A"
    killed_with_a_wal(a)
    open_store(a, daily_backups=False).close()  # the copy before the -wal is taken
    assert len(list((a / "backups").glob("before-wal-*.sqlite3"))) == 1
    assert latest_backup(resolve_paths(a)) is None  # not offered as "the newest backup"
    open_store(a).close()  # today's daily backup
    best = latest_backup(resolve_paths(a))
    assert best is not None and best.path.name.startswith("daily-")


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded-wal", "no-record"])
def test_full_disk_while_copying_before_a_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              recorded: bool) -> None:
    """A -wal left by a killed copy, and no room for the copy made before applying it: a
    -wal proven the database's own is applied anyway (with a warning); one that cannot be
    proven is refused with the full-disk message. Either way no partial file is left."""
    import errno

    from vpkp_tutor.storage import guard

    a = tmp_path / "A"
    killed_with_a_wal(a)
    if not recorded:
        (a / f"{DB}-walid").unlink()
    before = hashes(a)

    def no_space(src: object, dst: Path) -> None:
        Path(dst).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(guard.shutil, "copyfile", no_space)
    if recorded:
        store = open_store(a, daily_backups=False)
        (notice,) = store.notices
        assert "the disk is full" in notice
        assert len(store.list_learners()) == 1
        store.close()
    else:
        with pytest.raises(StoreFull) as caught:
            open_store(a, daily_backups=False)
        assert str(caught.value).startswith("the disk is full: could not save to ")
        assert "No space left on device" in str(caught.value)
        assert hashes(a) == before
    assert list((a / "backups").iterdir()) == []


def test_read_only_open_refuses_to_read_through_a_foreign_wal(tmp_path: Path) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    killed_with_a_wal(a)
    make_store(b, "b-only", "Learner B")
    shutil.copyfile(a / f"{DB}-wal", b / f"{DB}-wal")
    before = hashes(b)
    with pytest.raises(StoreError, match="was written for another database"):
        open_store(b, read_only=True)
    assert hashes(b) == before


async def test_the_app_shows_a_set_aside_wal_where_the_learner_looks(tmp_path: Path) -> None:
    """The warning printed on stderr before the app starts is hidden by the app's screen;
    the app says it again itself."""
    from vpkp_tutor.bootstrap import LaunchOptions, make_app
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import load_content

    a, b = tmp_path / "A", tmp_path / "B"
    killed_with_a_wal(a)
    make_store(b, "b-only", "Learner B")
    shutil.copyfile(a / f"{DB}-wal", b / f"{DB}-wal")
    store = open_store(b, daily_backups=False)
    try:
        app = make_app(LaunchOptions(learner="Learner B"), load_content(bundled_paths()), store)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(5):
                await pilot.pause()
            shown = [str(n.message) for n in app._notifications]
            assert any("was written for another database" in m for m in shown), shown
    finally:
        store.close()


@pytest.mark.parametrize("command", [["learners"], ["config"], ["config", "theme"]])
def test_every_command_that_sets_a_foreign_wal_aside_says_so(tmp_path: Path,
                                                             command: list[str]) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    killed_with_a_wal(a)
    make_store(b, "b-only", "Learner B")
    foreign = (a / f"{DB}-wal").read_bytes()
    shutil.copyfile(a / f"{DB}-wal", b / f"{DB}-wal")
    done = run_cli(["--data-dir", str(b), *command])
    assert done.returncode == 0, done.stderr
    (aside,) = b.glob("progress.foreign-*.sqlite3-wal")
    assert aside.read_bytes() == foreign
    assert done.stderr.startswith(f"vpkp-tutor: warning: {b / DB}-wal was written for "
                                  "another database"), done.stderr
    assert str(aside) in done.stderr
    assert learner_ids(b / DB) == ["b-only"]
