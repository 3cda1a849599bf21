"""The command line in a hostile environment, run as real processes: standard output closed
(`>&-`) or full (`>/dev/full`), an ASCII locale, a data folder under a folder that cannot
be entered, and the study app started without a terminal. Every case ends in one clear
line on stderr and exit status 1 or 2 — never a traceback, never a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.terminal import ROOT, unprivileged
from vpkp_tutor.cli import main

ERRORS = ROOT / "tests" / "data" / "errors"
TIMEOUT = 30
"""Seconds a command may take before the test fails (a hang is a failure, not a wait)."""


def run(args: list[str], *, redirect: str = "", env: dict[str, str] | None = None,
        as_user: bool = False) -> subprocess.CompletedProcess[str]:
    """`python -m vpkp_tutor ARGS` as a process with stdin from /dev/null; `redirect` is a
    shell redirection of its own output (`>&-`, `>/dev/full`)."""
    argv = [sys.executable, "-m", "vpkp_tutor", *args]
    if redirect:
        argv = ["sh", "-c", f'exec "$@" {redirect}', "sh", *argv]
    base = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(unprivileged(argv) if as_user else argv, cwd=ROOT, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT,
                          env=env if env is not None else base, errors="backslashreplace")


def assert_one_clear_line(result: subprocess.CompletedProcess[str], code: int,
                          *words: str) -> None:
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, \
        result.stderr
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("vpkp-tutor: error: ")
    for word in words:
        assert word in result.stderr


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A data folder with one learner (Ada), and her JSON export."""
    from tests.export.conftest import populate

    base = tmp_path_factory.mktemp("hostile")
    p = populate(base / "data", name="Ada")
    p.services.store.close()
    export = base / "ada.json"
    assert main(["--data-dir", str(base / "data"), "export", "--learner", "Ada",
                 "--format", "json", "-o", str(export)]) == 0
    yield base / "data", export


def commands(data: Path, export: Path, out: Path) -> dict[str, list[str]]:
    """A command of each kind that prints something."""
    return {
        "validate": ["validate", str(ERRORS / "_lesson_ok.yaml")],
        "report": ["report", str(export), "-o", str(out / "cohort.csv")],
        "locate": ["--data-dir", str(data), "locate"],
        "export": ["--data-dir", str(data), "export", "--learner", "Ada", "--format", "csv",
                   "-o", str(out / "ada.csv")],
        "config": ["--data-dir", str(data), "config"],
        "bindings": ["bindings"],
        "schema": ["schema"],
    }


# -- standard output closed or full ------------------------------------------------------

@pytest.mark.parametrize("command", ["validate", "report", "locate", "export", "config"])
def test_closed_stdout_is_one_line_and_exit_1(
    data: tuple[Path, Path], tmp_path: Path, command: str
) -> None:
    argv = commands(*data, tmp_path)[command]
    result = run(argv, redirect=">&-")
    assert_one_clear_line(result, 1, "standard output is closed")
    assert list(tmp_path.iterdir()) == []  # nothing was written that could not be announced


@pytest.mark.parametrize("command", ["validate", "report", "locate", "export", "bindings"])
def test_full_stdout_is_one_line_and_exit_1(
    data: tuple[Path, Path], tmp_path: Path, command: str
) -> None:
    if not Path("/dev/full").exists():  # pragma: no cover - every Linux has it
        pytest.fail("/dev/full is needed for this test")
    result = run(commands(*data, tmp_path)[command], redirect=">/dev/full")
    assert_one_clear_line(result, 1, "cannot write to standard output",
                          "No space left on device")


def test_a_reader_that_goes_away_ends_quietly() -> None:
    done = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m vpkp_tutor bindings | head -1'], cwd=ROOT,
        text=True, capture_output=True, timeout=TIMEOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.startswith("id ") and done.stderr == ""


# -- an ASCII locale -----------------------------------------------------------------------

def ascii_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONIOENCODING", "LANG", "LC_CTYPE", "LC_ALL", "PYTHONUTF8")}
    return {**env, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": str(ROOT)}


def test_ascii_locale_validate_and_report(data: tuple[Path, Path], tmp_path: Path) -> None:
    """validate prints `(A–C)`, report a table with `–`: in an ASCII locale they come out as
    escapes instead of a UnicodeEncodeError."""
    env = ascii_env()
    checked = run(["validate", str(ERRORS / "three_mistakes.yaml")], env=env)
    assert "Traceback" not in checked.stderr and checked.returncode == 1, checked.stderr
    assert "options (A\\u2013C)" in checked.stdout
    (tmp_path / "Ünï–code.json").write_bytes(data[1].read_bytes())
    reported = run(["report", str(tmp_path / "Ünï–code.json"), "-o",
                    str(tmp_path / "c.csv")], env=env)
    assert "Traceback" not in reported.stderr and reported.returncode == 0, reported.stderr
    assert "Cohort report" in reported.stdout and (tmp_path / "c.csv").exists()
    bad = run(["report", str(tmp_path / "Ünï–missing.json")], env=env)
    assert_one_clear_line(bad, 2)


# -- a data folder under a folder that cannot be entered -----------------------------------

@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A data folder holding progress, inside a folder with no permissions at all."""
    base = tmp_path / "locked"
    data = base / "data"
    assert main(["--data-dir", str(data), "config", "theme", "nord"]) == 0
    base.chmod(0)
    try:
        yield data
    finally:
        base.chmod(0o755)


@pytest.mark.parametrize("args", [
    ["locate"], ["export", "--learner", "Ada", "--format", "csv", "-o", "OUT"], ["recover"],
    ["recover", "--fresh"], ["config"], ["config", "theme", "dracula"], ["config", "theme"],
], ids=["locate", "export", "recover", "recover-fresh", "config", "config-set",
        "config-get"])
def test_unenterable_data_folder_is_one_line(locked: Path, tmp_path: Path,
                                             args: list[str]) -> None:
    args = [str(tmp_path / "out.csv") if a == "OUT" else a for a in args]
    result = run(["--data-dir", str(locked), *args], as_user=True)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (1, 2), result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("vpkp-tutor:")]
    assert len(errors) == 1 and "ermission denied" in errors[0] and str(locked) in errors[0]
    assert not (tmp_path / "out.csv").exists()


# -- the study app without a terminal ------------------------------------------------------

@pytest.mark.parametrize("redirect", ["", ">&-", "<&-", ">/dev/null"],
                         ids=["stdin-devnull", "stdout-closed", "stdin-closed",
                              "stdout-devnull"])
def test_the_app_without_a_terminal_exits_2_at_once(tmp_path: Path, redirect: str) -> None:
    result = run(["--data-dir", str(tmp_path / "data")], redirect=redirect)
    assert_one_clear_line(result, 2, "the study app needs a terminal")
    assert not (tmp_path / "data").exists()  # a refused start creates no database


# -- FIFOs and devices named as files --------------------------------------------------------

def test_a_fifo_or_device_named_as_a_file_is_refused_unchanged(
    data: tuple[Path, Path], tmp_path: Path
) -> None:
    """Reading a FIFO waits for a writer for ever, reading a device may never end, and an
    export moved into a FIFO's (or a device's) place would replace it: each is refused.
    Devices are private copies made here (as root), never the system's own."""
    import stat

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    specials = [fifo]
    if os.geteuid() == 0:
        zero = tmp_path / "zero.json"
        os.mknod(zero, stat.S_IFCHR | 0o666, os.makedev(1, 5))
        specials.append(zero)
    for special in specials:
        checked = run(["validate", str(special)])  # the file's own error, located
        assert checked.returncode == 1 and "Traceback" not in checked.stderr
        assert f"{special}:1:1: error:" in checked.stdout and "not a content file" in checked.stdout
        for args in (["report", str(special)],
                     ["--content", str(special), "locate"],
                     ["--data-dir", str(data[0]), "recover", "--restore", str(special)],
                     ["--data-dir", str(data[0]), "export", "--learner", "Ada", "--format",
                      "json", "-o", str(special)],
                     ["report", str(data[1]), "-o", str(special)]):
            assert_one_clear_line(run(args), 2, str(special))
        mode = special.lstat().st_mode
        assert stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)  # still what it was
