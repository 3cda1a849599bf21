"""The `learners` command (list, rename, delete) and the names the command line accepts:
`--learner` with a name that cannot be one, or one two learners share, is refused before the
app opens; `export --learner` on a shared name lists the candidates readably."""

from __future__ import annotations

import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services.tinybank import make_services
from vpkp_tutor.cli import main
from vpkp_tutor.domain.progress import QuizMode, QuizSettings

EXE = Path(sys.executable).with_name("vpkp-tutor")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VPKP_TUTOR_DATA", str(tmp_path / "unused"))


def seed(data: Path, duplicate: bool = False) -> dict[str, str]:
    """Ada (Mayo, PGY-3) with two answers, Bea with none; with `duplicate`, a second "ada"
    written the way an older version allowed. Returns name → id."""
    services = make_services(data)
    try:
        ada = services.create_learner("Ada", "Mayo", "PGY-3")
        bea = services.create_learner("Bea")
        attempt = services.build_quiz(ada.id, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        for qid in attempt.question_ids:
            q = services.question(qid)
            services.record_answer(attempt.id, qid, "A" if getattr(q, "options", ()) else 1.0, 3.0)
        ids = {"Ada": ada.id, "Bea": bea.id}
        if duplicate:
            with services.store.transaction() as c:
                c.execute("INSERT INTO learner(id, display_name, created_at) VALUES (?,?,?)",
                          ("f00dfeed" + "0" * 24, "ada", "2026-01-02T03:04:05.000000Z"))
            ids["ada"] = "f00dfeed" + "0" * 24
        return ids
    finally:
        services.store.close()


def names(data: Path) -> list[str]:
    conn = sqlite3.connect(data / "progress.sqlite3")
    try:
        return sorted(r[0] for r in conn.execute("SELECT display_name FROM learner"))
    finally:
        conn.close()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", **(env or {})}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=60,
                          env=full, stdin=subprocess.DEVNULL)


def test_learners_lists_a_readable_table(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ids = seed(data)
    done = run("--data-dir", str(data), "learners")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "Name" in line)
    assert header.split() == ["Name", "Program", "PGY", "Answers", "Last", "active", "ID"]
    ada = next(line for line in lines if line.startswith("Ada"))
    assert ada.split()[:4] == ["Ada", "Mayo", "PGY-3", "2"]
    assert ada.split()[-1] == ids["Ada"][:8]
    bea = next(line for line in lines if line.startswith("Bea"))
    assert bea.split()[1:5] == ["–", "–", "0", "never"]
    assert "2 learners" in done.stdout and "share a name" not in done.stdout
    assert max(len(line) for line in lines) <= 80


def test_learners_points_out_a_shared_name(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    seed(data, duplicate=True)
    assert main(["--data-dir", str(data), "learners"]) == 0
    out = capsys.readouterr().out
    assert "f00dfeed" in out and "3 learners" in out
    # "Ada" or "ada": which spelling is named depends on the random id that orders them
    assert "some learners share a name (ada);" in " ".join(out.split()).lower()
    assert "learners rename ID NEW-NAME" in " ".join(out.split())


def test_learners_with_no_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    done = run("--data-dir", str(tmp_path / "empty"), "learners")
    assert (done.returncode, done.stdout.strip()) == (0, "No learners yet.")
    assert not (tmp_path / "empty" / "progress.sqlite3").exists()


def test_rename_and_its_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    seed(data)
    base = ["--data-dir", str(data), "learners", "rename"]
    assert main([*base, "ada", "Ada Lovelace"]) == 0
    assert "renamed 'Ada' to 'Ada Lovelace'" in capsys.readouterr().out
    assert main([*base, "Bea", "  ADA   lovelace "]) == 2
    err = capsys.readouterr().err
    assert "another learner is already called 'Ada Lovelace'" in err
    assert "Mayo · PGY-3 · 2 answers" in err and "choose another name" in err
    assert main([*base, "Bea", "\x1b[2J   "]) == 2
    assert "NEW: a learner name needs at least one visible character" in capsys.readouterr().err
    assert main([*base, "Nobody", "X"]) == 2
    assert "no learner with id or name 'Nobody'" in capsys.readouterr().err
    assert names(data) == ["Ada Lovelace", "Bea"]


def test_delete_without_a_terminal_needs_yes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    seed(data)
    done = run("--data-dir", str(data), "learners", "delete", "Ada")
    assert done.returncode == 2
    assert "needs confirmation: run this on a terminal, or add --yes" in done.stderr
    assert names(data) == ["Ada", "Bea"]
    assert not (data / "backups").exists() or not list((data / "backups").glob("pre-delete*"))


def test_delete_with_yes_keeps_a_backup_and_says_where(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ids = seed(data)
    conn = sqlite3.connect(data / "progress.sqlite3")
    with conn:
        conn.execute("INSERT INTO setting(key, value) VALUES ('last_courses', ?)", (json.dumps(
            {ids["Ada"]: "stats-more", ids["Bea"]: "stats-basics"}),))
    conn.close()
    done = run("--data-dir", str(data), "learners", "delete", "ADA", "--yes")
    assert done.returncode == 0, done.stderr
    assert names(data) == ["Bea"]
    conn = sqlite3.connect(data / "progress.sqlite3")
    (last,) = conn.execute("SELECT value FROM setting WHERE key = 'last_courses'").fetchone()
    conn.close()
    assert json.loads(last) == {ids["Bea"]: "stats-basics"}  # hers is gone, his stays
    (backup,) = (data / "backups").glob("pre-delete-*.sqlite3")
    assert f"a backup taken just before is at {backup}" in done.stdout
    assert "deleted 'Ada' and their progress (2 answers)" in done.stdout
    assert "recover --restore" in done.stdout
    assert sorted(sqlite3.connect(backup).execute(
        "SELECT display_name FROM learner").fetchall()) == [("Ada",), ("Bea",)]
    conn = sqlite3.connect(data / "progress.sqlite3")
    assert conn.execute("SELECT COUNT(*) FROM response WHERE learner_id = ?",
                        (ids["Ada"],)).fetchone() == (0,)


def _on_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run the CLI with a real pseudo-terminal as stdin/stdout, typing `answer` when it
    asks; returns the exit code and everything it printed."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    proc = subprocess.Popen([str(EXE), *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    out = b""
    sent = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                if not sent and b"to delete, or press Enter to keep" in out:
                    os.write(master, answer.encode() + b"\r")
                    sent = True
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
    return code, out.decode(errors="replace")


def test_delete_on_a_terminal_asks_for_the_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    seed(data)
    code, out = _on_terminal(["--data-dir", str(data), "learners", "delete", "Ada"], "y")
    assert code == 1 and "Nothing was deleted." in out
    assert "This deletes Ada · Mayo · PGY-3 · 2 answers" in out
    assert names(data) == ["Ada", "Bea"]
    code, out = _on_terminal(["--data-dir", str(data), "learners", "delete", "Ada"], " ada ")
    assert code == 0, out
    assert "deleted 'Ada'" in out and "pre-delete-" in out
    assert names(data) == ["Bea"]


@pytest.mark.parametrize("bad", ["   ", "\x1b[31m\x1b[0m", "\u200b", "x" * 61])
def test_learner_option_refuses_an_impossible_name_before_the_app_opens(
    tmp_path: Path, bad: str
) -> None:
    data = tmp_path / "data"
    done = run("--data-dir", str(data), "--learner", bad)
    assert done.returncode == 2
    assert done.stderr.startswith("vpkp-tutor: error: --learner: a learner name ")
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (data / "progress.sqlite3").exists()


def test_learner_option_refuses_a_shared_name_with_the_candidates(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ids = seed(data, duplicate=True)
    code, err = _on_terminal(["--data-dir", str(data), "--learner", "Ada"], "")
    assert code == 2, err[-500:]
    assert "2 learners are called 'Ada'" in err
    assert "Ada · Mayo · PGY-3 · 2 answers · last active " in err
    assert "ada · 0 answers · last active never · id f00dfeed" in err
    assert "vpkp-tutor learners rename f00dfeed" in err
    assert ids["Ada"] not in err  # not bare ids: names, program, level, answers
    assert names(data) == ["Ada", "Bea", "ada"]  # nothing created, nobody lost


def test_export_on_a_shared_name_lists_candidates_and_an_id_prefix_picks_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    ids = seed(data, duplicate=True)
    out = tmp_path / "ada.json"
    assert main(["--data-dir", str(data), "export", "--learner", "ADA", "--format", "json",
                 "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Ada · Mayo · PGY-3 · 2 answers" in err and "learners rename" in err
    assert not out.exists()
    assert main(["--data-dir", str(data), "export", "--learner", ids["Ada"][:8], "--format",
                 "json", "-o", str(out)]) == 0
    assert '"display_name": "Ada"' in out.read_text()


def test_delete_is_refused_while_the_app_has_the_database_open(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    seed(data)
    open_app = make_services(data)  # holds the database as a running study app does
    try:
        assert main(["--data-dir", str(data), "learners", "delete", "Ada", "--yes"]) == 2
        err = capsys.readouterr().err
        assert "is in use by another VP/KP Tutor" in err and "nothing was deleted" in err
        assert names(data) == ["Ada", "Bea"]
        assert not list(data.glob("backups/pre-delete-*"))
        ada = open_app.find_learner("Ada")
        assert ada is not None  # the open app goes on answering for Ada
        attempt = open_app.build_quiz(ada.id, QuizSettings(mode=QuizMode.TUTOR, count=1))
        open_app.record_answer(attempt.id, attempt.question_ids[0], "A", 1.0)
    finally:
        open_app.store.close()
    assert main(["--data-dir", str(data), "learners", "delete", "Ada", "--yes"]) == 0
    assert names(data) == ["Bea"]
