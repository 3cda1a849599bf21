"""Content from hostile folders: links that loop, chain or lead out, pipes, devices, huge
files and a planted cache. Each run is a real `vpkp-tutor` process with a time limit and a
memory cap, so a regression fails instead of hanging or eating the machine; each ends with
a clean message, no traceback, and every file as it was."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from vpkp_tutor.domain.progress import Learner
from vpkp_tutor.storage import open_store

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "bad" / "_good"
MEMORY_CAP = 2 << 30
"""Address space a child may use: reading /dev/zero whole would pass it within seconds."""


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`vpkp-tutor ARGS` in a child process; a hang fails the test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VPKP_TUTOR_DATA": str(tmp_path / "data")}
    try:
        return subprocess.run([sys.executable, "-m", "vpkp_tutor", *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"vpkp-tutor {' '.join(args)} did not finish within {timeout} s")


def clean_failure(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The output of a run that failed cleanly (exit 1 or 2, no traceback) saying each
    needle."""
    output = done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (1, 2), output
    for needle in needles:
        assert needle in output, output
    return output


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry below `folder` as it is (links not followed): kind, target or bytes,
    modification time."""
    state: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            st = path.lstat()
            if path.is_symlink():
                state[str(path)] = ("link", os.readlink(path))
            elif path.is_file():
                state[str(path)] = ("file", path.read_bytes(), st.st_mtime_ns)
            else:
                state[str(path)] = ("other", st.st_mode, st.st_mtime_ns)
    return state


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A sound content folder (one lesson, one question)."""
    folder = tmp_path / "content"
    shutil.copytree(GOOD, folder)
    return folder


@contextmanager
def unchanged(folder: Path) -> Iterator[None]:
    """Every file and link below `folder` is as it was when the block ends."""
    before = snapshot(folder)
    yield
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if k in before} == before


def test_symlink_loops_end_with_a_message(content: Path, tmp_path: Path) -> None:
    (content / "back-to-top").symlink_to(content)
    (content / "ping").symlink_to(content / "pong")
    (content / "pong").symlink_to(content / "ping")
    with unchanged(tmp_path):
        done = run(tmp_path, "validate", str(content))
    out = clean_failure(done, "symbolic link loop; not followed",
                        "symbolic link to a folder already read")
    assert f"{content / 'ping'}:1:1: error:" in out
    assert "1 lesson, 1 question" in out


def test_a_chain_of_links_is_walked_once_per_folder(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    levels = 20
    (content / "d0").mkdir()
    shutil.move(str(content / "good.yaml"), content / "d0" / "good.yaml")
    for i in range(1, levels + 1):  # each level links twice to the one below: 2**20 paths
        (content / f"d{i}").mkdir()
        (content / f"d{i}" / "a").symlink_to(f"../d{i - 1}")
        (content / f"d{i}" / "b").symlink_to(f"../d{i - 1}")

    from vpkp_tutor.content import files

    visits = 0
    real_scandir = os.scandir

    def counting(path: str) -> object:
        nonlocal visits
        visits += 1
        if visits > 10 * levels:
            raise AssertionError(f"more than {10 * levels} folders read: the walk is unbounded")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    found = files.discover([content])
    monkeypatch.undo()
    paths = found[0] if isinstance(found, tuple) else found
    assert sorted(name for _p, name in paths) == ["content/d0/good.yaml",
                                                  "content/good-questions.yaml"]
    assert visits == levels + 2  # the content folder and each real folder, once

    with unchanged(tmp_path):
        done = run(tmp_path, "validate", str(content))
    out = clean_failure(done, "symbolic link to a folder already read")
    assert 0 < out.count("already read") <= 2 * levels


def test_a_link_out_of_the_content_folder_is_not_followed(
    content: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "home" / ".cache"
    outside.mkdir(parents=True)
    foreign = (GOOD / "good.yaml").read_text().replace("good-lesson", "foreign-lesson")
    (outside / "foreign.yaml").write_text(foreign)
    (content / "shortcut").symlink_to(outside)
    (content / "one-file.yaml").symlink_to(outside / "foreign.yaml")
    with unchanged(tmp_path):
        done = run(tmp_path, "validate", str(content))
    out = clean_failure(done, "symbolic link leads outside the content folder")
    assert "1 lesson, 1 question" in out
    assert "foreign-lesson" not in out

    from vpkp_tutor.content.loader import load_content

    assert [lesson.id for lesson in load_content([content]).lessons] == ["good-lesson"]


def test_a_fifo_is_refused_not_waited_on(content: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    os.mkfifo(content / "pipe.yaml")
    with unchanged(tmp_path):
        alone = run(tmp_path, "validate", str(fifo), timeout=30)
        within = run(tmp_path, "validate", str(content), timeout=30)
    clean_failure(alone, f"{fifo}:1:1: error: this is a named pipe (FIFO), not a content file")
    clean_failure(within, f"{content / 'pipe.yaml'}:1:1: error: not a regular file")


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    with unchanged(tmp_path):
        done = run(tmp_path, "validate", "/dev/zero", timeout=30)
    clean_failure(done, "/dev/zero:1:1: error: this is a device, not a content file")


def test_a_six_megabyte_file_is_refused(content: Path, tmp_path: Path) -> None:
    big = content / "big.yaml"
    big.write_bytes(b"kind: lesson\n" + b"# padding\n" * (6 * 1024 * 1024 // 10))
    with unchanged(tmp_path):
        done = run(tmp_path, "validate", str(big))
    out = clean_failure(done, "the limit is 5 MB — split it into smaller files")
    assert f"{big}:1:1: error: file is 6.0 MB" in out


def test_a_planted_pickle_in_the_cache_never_runs(content: Path, tmp_path: Path) -> None:
    import pickle  # the test plants a pickle; the app never imports pickle
    import struct

    from vpkp_tutor.content.cache import cache_path
    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.services import Services
    from vpkp_tutor.storage import open_store

    data = tmp_path / "data"
    store = open_store(data)
    Services(load_content([content]), store).create_learner("Ada", "Metro", "PGY-3")
    store.close()
    marker = tmp_path / "PWNED"

    class Planted:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Planted())
    planted = b"VPKP-CONTENT-CACHE 5\n" + struct.pack("<Q", len(payload)) + payload
    target = cache_path(data / "cache", [content])
    target.parent.mkdir(parents=True, exist_ok=True)
    for path in {target, target.with_suffix(".pickle")}:
        path.write_bytes(planted)
    with unchanged(content):
        done = run(tmp_path, "--data-dir", str(data), "--content", str(content), "export",
                   "--learner", "Ada", "--format", "json", "-o", str(tmp_path / "a.json"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert not marker.exists(), "a planted cache file ran code"
    assert (tmp_path / "a.json").exists()


@pytest.mark.parametrize("plant", ["fifo", "device", "folder"])
def test_a_pipe_device_or_folder_planted_as_the_cache_is_never_read(
    content: Path, tmp_path: Path, plant: str
) -> None:
    from vpkp_tutor.content.cache import cache_path

    cache_dir = tmp_path / "data" / "cache"
    cache_dir.mkdir(parents=True)
    target = cache_path(cache_dir, [content])
    if plant == "fifo":
        os.mkfifo(target)
    elif plant == "device":
        target.symlink_to("/dev/zero")
    else:
        target.mkdir()
    code = (
        "from pathlib import Path\n"
        "from vpkp_tutor.content.cache import load_cached\n"
        f"bank = load_cached([Path({str(content)!r})], Path({str(cache_dir)!r}))\n"
        "print(*[q.id for q in bank.questions])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=30, preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"a {plant} planted as the content cache was waited on")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.split() == ["good-q001"]


@pytest.mark.parametrize("locale", [{}, {"LC_ALL": "C", "PYTHONUTF8": "0"}])
def test_a_file_name_that_is_not_utf8_is_named_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: dict[str, str]) -> None:
    for name, value in locale.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "odd"
    folder.mkdir()
    name = os.fsdecode(b"\xff-\xc3\xbc.yaml") if not locale else "\xfc-x.yaml"
    (folder / name).write_text("id: x\n")
    before = snapshot(folder)
    checked = run(tmp_path, "validate", str(folder))
    clean_failure(checked, "missing required field 'kind'", "1 file left out")
    store = open_store(tmp_path / "data", daily_backups=False)
    store.add_learner(Learner("ada-id", "Ada"))
    store.close()
    exported = run(tmp_path, "export", "--content", str(folder), "--learner", "Ada",
                   "--format", "json", "-o", str(tmp_path / "out.json"))
    assert exported.returncode == 0, exported.stderr  # the content loads, uncached
    assert (tmp_path / "out.json").is_file()
    assert snapshot(folder) == before
